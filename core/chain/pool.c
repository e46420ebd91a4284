/* core/chain/pool.c: the per-node mempool (contract in chain.h). Entries live in a fixed
 * array of `capacity` slots with a free list; two linear-probing tables (tx hash -> entry,
 * sender -> first entry of its nonce-sorted chain) use backward-shift deletion, so there are
 * no tombstones and a lookup costs O(1) expected at load <= 1/2; a binary min-heap by
 * (fee, newest first) finds the eviction victim. Invariant: an entry is in all three
 * structures or in none, and each sender chain is strictly increasing in nonce. */
#include "core/chain/chain.h"
#include "core/chain/chain_int.h"

#include <stdlib.h>
#include <string.h>

#define NONE UINT32_MAX

typedef struct ent {
    chain_pool_item it;
    uint8_t *bytes;
    uint32_t snext; /* next entry of the same sender (higher nonce), NONE */
    uint32_t hpos;  /* position in the eviction heap */
} ent;

typedef struct cand {
    uint32_t e;
    uint64_t budget;
} cand;

struct chain_pool {
    uint32_t cap, count, nfree, mask;
    ent *e;
    uint32_t *freel;
    uint32_t *byhash, *bysender; /* entry + 1, 0 empty; mask + 1 slots each */
    uint32_t *heap;              /* eviction min-heap of entries */
    cand *pick;                  /* pick's max-heap scratch */
    uint32_t *tmp;               /* prune's scratch */
    uint64_t seq;
    chain_pool_stats st;
};

/* ---- the two hash tables ------------------------------------------------------------ */

static uint32_t home_hash(const chain_pool *p, const uint8_t *h) { return chain_get32(h) & p->mask; }
static uint32_t home_sender(const chain_pool *p, uint32_t s) { return (uint32_t)chain_mix64(s) & p->mask; }

static uint32_t home_of(const chain_pool *p, const uint32_t *tab, uint32_t e)
{
    return tab == p->byhash ? home_hash(p, p->e[e].it.hash) : home_sender(p, p->e[e].it.sender);
}

/* Slot of hash h in byhash, or the empty slot where it would go. */
static uint32_t find_hash(const chain_pool *p, const uint8_t *h)
{
    uint32_t i = home_hash(p, h);
    while (p->byhash[i] && memcmp(p->e[p->byhash[i] - 1].it.hash, h, CR_HASH_BYTES)) i = (i + 1) & p->mask;
    return i;
}

static uint32_t find_sender(const chain_pool *p, uint32_t s)
{
    uint32_t i = home_sender(p, s);
    while (p->bysender[i] && p->e[p->bysender[i] - 1].it.sender != s) i = (i + 1) & p->mask;
    return i;
}

/* Backward-shift deletion of slot i. */
static void tab_del(const chain_pool *p, uint32_t *tab, uint32_t i)
{
    for (uint32_t j = (i + 1) & p->mask; tab[j]; j = (j + 1) & p->mask) {
        uint32_t h = home_of(p, tab, tab[j] - 1);
        if (((j - h) & p->mask) >= ((j - i) & p->mask)) tab[i] = tab[j], i = j;
    }
    tab[i] = 0;
}

/* ---- the eviction heap: root = lowest fee, newest among equal fees ------------------ */

static int evict_before(const chain_pool *p, uint32_t a, uint32_t b)
{
    const chain_pool_item *x = &p->e[a].it, *y = &p->e[b].it;
    return x->fee < y->fee || (x->fee == y->fee && x->seq > y->seq);
}

static void heap_set(chain_pool *p, uint32_t pos, uint32_t e) { p->heap[pos] = e, p->e[e].hpos = pos; }

static void heap_up(chain_pool *p, uint32_t pos)
{
    uint32_t e = p->heap[pos];
    for (; pos > 0 && evict_before(p, e, p->heap[(pos - 1) / 2]); pos = (pos - 1) / 2)
        heap_set(p, pos, p->heap[(pos - 1) / 2]);
    heap_set(p, pos, e);
}

static void heap_down(chain_pool *p, uint32_t pos, uint32_t n)
{
    uint32_t e = p->heap[pos];
    for (;;) {
        uint32_t c = 2 * pos + 1;
        if (c >= n) break;
        if (c + 1 < n && evict_before(p, p->heap[c + 1], p->heap[c])) c++;
        if (!evict_before(p, p->heap[c], e)) break;
        heap_set(p, pos, p->heap[c]), pos = c;
    }
    heap_set(p, pos, e);
}

/* Removes entry e from the heap; count is the heap size before removal. */
static void heap_del(chain_pool *p, uint32_t e, uint32_t count)
{
    uint32_t pos = p->e[e].hpos, last = p->heap[count - 1];
    if (last == e) return;
    heap_set(p, pos, last);
    heap_up(p, pos);
    heap_down(p, p->e[last].hpos, count - 1);
}

/* ---- life of an entry -------------------------------------------------------------- */

chain_pool *chain_pool_new(uint32_t capacity)
{
    chain_pool *p = calloc(1, sizeof *p);
    if (!p || capacity == 0 || capacity > (1u << 30)) return free(p), NULL;
    uint32_t slots = 4;
    while (slots < 2 * capacity) slots *= 2;
    p->cap = capacity, p->mask = slots - 1;
    p->e = calloc(capacity, sizeof *p->e);
    p->freel = malloc(capacity * sizeof *p->freel);
    p->byhash = calloc(slots, sizeof *p->byhash);
    p->bysender = calloc(slots, sizeof *p->bysender);
    p->heap = malloc(capacity * sizeof *p->heap);
    p->pick = malloc(capacity * sizeof *p->pick);
    p->tmp = malloc(capacity * sizeof *p->tmp);
    if (!p->e || !p->freel || !p->byhash || !p->bysender || !p->heap || !p->pick || !p->tmp)
        return chain_pool_free(p), NULL;
    for (uint32_t i = 0; i < capacity; i++) p->freel[i] = capacity - 1 - i; /* slot 0 first */
    p->nfree = capacity;
    return p;
}

void chain_pool_free(chain_pool *p)
{
    if (!p) return;
    for (uint32_t i = 0; p->e && i < p->cap; i++) free(p->e[i].bytes);
    free(p->e), free(p->freel), free(p->byhash), free(p->bysender);
    free(p->heap), free(p->pick), free(p->tmp);
    free(p);
}

uint32_t chain_pool_count(const chain_pool *p) { return p->count; }
const chain_pool_stats *chain_pool_get_stats(const chain_pool *p) { return &p->st; }

int chain_pool_contains(const chain_pool *p, const uint8_t hash[CR_HASH_BYTES])
{
    return p->byhash[find_hash(p, hash)] != 0;
}

/* Unlinks e from its sender chain (the chain head may change or the sender vanish). */
static void sender_unlink(chain_pool *p, uint32_t e)
{
    uint32_t s = find_sender(p, p->e[e].it.sender), cur = p->bysender[s] - 1, prev = NONE;
    while (cur != e) prev = cur, cur = p->e[cur].snext;
    if (prev != NONE) p->e[prev].snext = p->e[e].snext;
    else if (p->e[e].snext != NONE) p->bysender[s] = p->e[e].snext + 1;
    else tab_del(p, p->bysender, s);
}

static void entry_del(chain_pool *p, uint32_t e)
{
    tab_del(p, p->byhash, find_hash(p, p->e[e].it.hash));
    sender_unlink(p, e);
    heap_del(p, e, p->count);
    free(p->e[e].bytes);
    p->e[e].bytes = NULL;
    p->freel[p->nfree++] = e;
    p->count--;
}

/* Links e into its sender's chain in nonce order (no entry with its nonce exists). */
static void sender_link(chain_pool *p, uint32_t e)
{
    uint32_t s = find_sender(p, p->e[e].it.sender), cur, prev = NONE;
    uint64_t nonce = p->e[e].it.nonce;
    if (!p->bysender[s]) {
        p->e[e].snext = NONE, p->bysender[s] = e + 1;
        return;
    }
    for (cur = p->bysender[s] - 1; cur != NONE && p->e[cur].it.nonce < nonce; cur = p->e[cur].snext) prev = cur;
    p->e[e].snext = cur;
    if (prev == NONE) p->bysender[s] = e + 1;
    else p->e[prev].snext = e;
}

/* The entry of (sender, nonce), or NONE. */
static uint32_t same_nonce(const chain_pool *p, uint32_t sender, uint64_t nonce)
{
    uint32_t s = find_sender(p, sender);
    if (!p->bysender[s]) return NONE;
    uint32_t cur = p->bysender[s] - 1;
    while (cur != NONE && p->e[cur].it.nonce < nonce) cur = p->e[cur].snext;
    return cur != NONE && p->e[cur].it.nonce == nonce ? cur : NONE;
}

/* Makes room for a transaction paying fee; CHAIN_OK or the refusal. */
static int make_room(chain_pool *p, const chain_tx *tx)
{
    uint32_t old = same_nonce(p, tx->sender, tx->nonce);
    if (old != NONE) {
        if (tx->fee <= p->e[old].it.fee) return p->st.dup++, CHAIN_EDUP;
        entry_del(p, old);
        p->st.replaced++;
    }
    if (p->count < p->cap) return CHAIN_OK;
    if (tx->fee <= p->e[p->heap[0]].it.fee) return p->st.full++, CHAIN_EFULL;
    entry_del(p, p->heap[0]);
    p->st.evicted++;
    return CHAIN_OK;
}

static void entry_fill(chain_pool_item *it, const chain_tx *tx, const uint8_t *hash, uint64_t seq)
{
    memcpy(it->hash, hash, CR_HASH_BYTES);
    it->sender = tx->sender, it->nonce = tx->nonce;
    it->amount = tx->amount, it->fee = tx->fee, it->seq = seq;
}

int chain_pool_add(chain_pool *p, const uint8_t *bytes, size_t len, const uint8_t hash[CR_HASH_BYTES])
{
    uint8_t h[CR_HASH_BYTES];
    chain_tx tx;
    if (!hash) cr_hash(h, bytes, len), hash = h;
    uint32_t slot = find_hash(p, hash);
    if (p->byhash[slot]) return p->st.dup++, CHAIN_EDUP;
    if (chain_tx_decode(bytes, len, &tx) != CHAIN_OK) return p->st.bad++, CHAIN_EDECODE;
    uint8_t *copy = malloc(len);
    if (!copy) return CHAIN_ENOMEM;
    int r = make_room(p, &tx);
    if (r != CHAIN_OK) return free(copy), r;
    uint32_t e = p->freel[--p->nfree];
    memcpy(copy, bytes, len);
    p->e[e].bytes = copy;
    entry_fill(&p->e[e].it, &tx, hash, p->seq++);
    p->e[e].it.bytes = copy, p->e[e].it.len = (uint32_t)len;
    p->byhash[find_hash(p, hash)] = e + 1; /* make_room may have moved slots */
    sender_link(p, e);
    p->heap[p->count] = e;
    heap_up(p, p->count++);
    p->st.added++;
    return CHAIN_OK;
}

/* ---- pick, remove, prune ------------------------------------------------------------ */

static int pick_before(const chain_pool *p, const cand *a, const cand *b)
{
    const chain_pool_item *x = &p->e[a->e].it, *y = &p->e[b->e].it;
    return x->fee > y->fee || (x->fee == y->fee && x->seq < y->seq);
}

static void pick_push(chain_pool *p, uint32_t *n, cand c)
{
    uint32_t pos = (*n)++;
    for (; pos > 0 && pick_before(p, &c, &p->pick[(pos - 1) / 2]); pos = (pos - 1) / 2)
        p->pick[pos] = p->pick[(pos - 1) / 2];
    p->pick[pos] = c;
}

static cand pick_pop(chain_pool *p, uint32_t *n)
{
    cand top = p->pick[0], last = p->pick[--*n];
    uint32_t pos = 0;
    for (;;) {
        uint32_t c = 2 * pos + 1;
        if (c >= *n) break;
        if (c + 1 < *n && pick_before(p, &p->pick[c + 1], &p->pick[c])) c++;
        if (!pick_before(p, &p->pick[c], &last)) break;
        p->pick[pos] = p->pick[c], pos = c;
    }
    if (*n) p->pick[pos] = last;
    return top;
}

/* The sender chain's entry at the ledger nonce (skipping stale ones), or NONE on a gap. */
static uint32_t ready_head(const chain_pool *p, uint32_t head, const chain_ledger *view)
{
    uint32_t sender = p->e[head].it.sender;
    if (sender >= chain_ledger_accounts(view)) return NONE; /* the ledger would refuse it */
    uint64_t want = chain_ledger_nonce(view, sender);
    while (head != NONE && p->e[head].it.nonce < want) head = p->e[head].snext;
    return head != NONE && p->e[head].it.nonce == want ? head : NONE;
}

size_t chain_pool_pick(chain_pool *p, const chain_ledger *view, chain_pool_item *out, size_t max)
{
    uint32_t n = 0;
    size_t k = 0;
    for (uint32_t i = 0; i <= p->mask; i++) {
        if (!p->bysender[i]) continue;
        uint32_t e = ready_head(p, p->bysender[i] - 1, view);
        if (e != NONE) pick_push(p, &n, (cand){e, chain_ledger_balance(view, p->e[e].it.sender)});
    }
    while (n && k < max) {
        cand c = pick_pop(p, &n);
        const chain_pool_item *it = &p->e[c.e].it;
        if (it->amount > UINT64_MAX - it->fee || it->amount + it->fee > c.budget) continue;
        out[k++] = *it;
        uint32_t nx = p->e[c.e].snext;
        if (nx != NONE && p->e[nx].it.nonce == it->nonce + 1)
            pick_push(p, &n, (cand){nx, c.budget - it->amount - it->fee});
    }
    return k;
}

size_t chain_pool_remove(chain_pool *p, const uint8_t (*hashes)[CR_HASH_BYTES], size_t n)
{
    size_t k = 0;
    for (size_t i = 0; i < n; i++) {
        uint32_t s = find_hash(p, hashes[i]);
        if (!p->byhash[s]) continue;
        entry_del(p, p->byhash[s] - 1);
        k++;
    }
    p->st.removed += k;
    return k;
}

size_t chain_pool_prune(chain_pool *p, const chain_ledger *view)
{
    uint32_t k = 0;
    for (uint32_t i = 0; i <= p->mask; i++) {
        if (!p->bysender[i]) continue;
        uint32_t e = p->bysender[i] - 1;
        uint64_t want = chain_ledger_nonce(view, p->e[e].it.sender);
        for (; e != NONE && p->e[e].it.nonce < want; e = p->e[e].snext) p->tmp[k++] = e;
    }
    for (uint32_t i = 0; i < k; i++) entry_del(p, p->tmp[i]);
    p->st.removed += k;
    return k;
}

/* ---- self-check --------------------------------------------------------------------- */

static int check_entries(const chain_pool *p)
{
    uint32_t live = 0;
    for (uint32_t e = 0; e < p->cap; e++) {
        if (!p->e[e].bytes) continue;
        live++;
        if (p->byhash[find_hash(p, p->e[e].it.hash)] != e + 1) return 0;
        if (p->e[e].hpos >= p->count || p->heap[p->e[e].hpos] != e) return 0;
    }
    return live == p->count && live + p->nfree == p->cap;
}

static int check_heap(const chain_pool *p)
{
    for (uint32_t i = 1; i < p->count; i++)
        if (evict_before(p, p->heap[i], p->heap[(i - 1) / 2])) return 0;
    return 1;
}

static int check_senders(const chain_pool *p)
{
    uint32_t total = 0, hashed = 0;
    for (uint32_t i = 0; i <= p->mask; i++) {
        hashed += p->byhash[i] != 0;
        if (!p->bysender[i]) continue;
        uint32_t e = p->bysender[i] - 1, s = p->e[e].it.sender;
        if (find_sender(p, s) != i) return 0;
        for (uint32_t prev = NONE; e != NONE; prev = e, e = p->e[e].snext, total++)
            if (!p->e[e].bytes || p->e[e].it.sender != s ||
                (prev != NONE && p->e[prev].it.nonce >= p->e[e].it.nonce))
                return 0;
    }
    return total == p->count && hashed == p->count;
}

int chain_pool_check(const chain_pool *p)
{
    return check_entries(p) && check_heap(p) && check_senders(p) ? CHAIN_OK : CHAIN_EINVALID;
}
