/* core/chain/ledger.c: account balances and nonces in a dense array by node id, data records
 * indexed by (owner, stream, interval), and an incrementally maintained state root (rules
 * and costs in chain.h). Invariants: the sum of all balances equals the genesis supply and
 * fits in 64 bits (so applying never overflows); a chunk is in the dirty list iff its cached
 * hash is stale; records are only appended, and the index maps each key to its one record. */
#include "core/chain/chain.h"
#include "core/chain/chain_int.h"

#include <stdlib.h>
#include <string.h>

#define FAN1 16  /* accounts per level-1 hash (768 bytes hashed) */
#define FAN2 256 /* level-1 hashes per level-2 hash (8 KB hashed) */
#define ACCT_BYTES (16 + CR_PK_BYTES)

typedef struct acct {
    uint64_t balance, nonce;
    uint8_t pk[CR_PK_BYTES]; /* all zero: unbound */
} acct;

/* One level of cached hashes with its dirty set. */
typedef struct level {
    uint32_t n, nd;
    uint8_t (*h)[CR_HASH_BYTES];
    uint8_t *dirty;
    uint32_t *dlist;
} level;

typedef struct rec {
    uint32_t owner, stream;
    uint64_t interval, height, first; /* first: index of its first chunk hash */
    uint16_t nchunks;
} rec;

struct chain_ledger {
    uint32_t n;
    acct *acc;
    level l1, l2; /* hashes of FAN1 accounts, of FAN2 level-1 hashes */
    rec *recs;
    uint64_t nrec, caprec;
    uint8_t (*hashes)[CR_HASH_BYTES]; /* all records' chunk hashes, appended */
    uint64_t nhash, caphash;
    uint64_t *slot, nslot; /* open addressing: record index + 1, 0 empty */
    uint8_t racc[CR_HASH_BYTES];
    uint8_t root[CR_HASH_BYTES];
    uint64_t supply, height;
    int stale; /* root out of date */
    int tofu;  /* bind on first use */
    chain_block_stats totals;
};

static void level_mark(level *v, uint32_t i)
{
    if (!v->dirty[i]) v->dirty[i] = 1, v->dlist[v->nd++] = i;
}

static void mark(chain_ledger *l, uint32_t id)
{
    l->stale = 1;
    level_mark(&l->l1, id / FAN1);
}

static int level_init(level *v, uint32_t n)
{
    v->n = n;
    v->h = malloc((size_t)n * CR_HASH_BYTES);
    v->dirty = calloc(n, 1);
    v->dlist = malloc((size_t)n * sizeof *v->dlist);
    return v->h && v->dirty && v->dlist ? CHAIN_OK : CHAIN_ENOMEM;
}

static void level_free(level *v) { free(v->h), free(v->dirty), free(v->dlist); }

chain_ledger *chain_ledger_new(uint32_t n)
{
    chain_ledger *l = calloc(1, sizeof *l);
    if (!l || n == 0) return free(l), NULL;
    l->n = n;
    l->acc = calloc(n, sizeof *l->acc);
    l->nslot = 64;
    l->slot = calloc(l->nslot, sizeof *l->slot);
    uint32_t n1 = (n + FAN1 - 1) / FAN1;
    if (!l->acc || !l->slot || level_init(&l->l1, n1) || level_init(&l->l2, (n1 + FAN2 - 1) / FAN2))
        return chain_ledger_free(l), NULL;
    for (uint32_t c = 0; c < n1; c++) mark(l, c * FAN1);
    return l;
}

void chain_ledger_free(chain_ledger *l)
{
    if (!l) return;
    free(l->acc), level_free(&l->l1), level_free(&l->l2);
    free(l->recs), free(l->hashes), free(l->slot);
    free(l);
}

uint32_t chain_ledger_accounts(const chain_ledger *l) { return l->n; }
void chain_ledger_bind_on_first_use(chain_ledger *l, int on) { l->tofu = on != 0; }
uint64_t chain_ledger_height(const chain_ledger *l) { return l->height; }
uint64_t chain_ledger_records(const chain_ledger *l) { return l->nrec; }
const chain_block_stats *chain_ledger_totals(const chain_ledger *l) { return &l->totals; }
uint64_t chain_ledger_balance(const chain_ledger *l, uint32_t id) { return id < l->n ? l->acc[id].balance : 0; }
uint64_t chain_ledger_nonce(const chain_ledger *l, uint32_t id) { return id < l->n ? l->acc[id].nonce : 0; }

static int is_zero(const uint8_t *p, size_t n)
{
    uint8_t z = 0;
    for (size_t i = 0; i < n; i++) z |= p[i];
    return z == 0;
}

int chain_ledger_bind_key(chain_ledger *l, uint32_t id, const uint8_t pk[CR_PK_BYTES])
{
    if (id >= l->n || is_zero(pk, CR_PK_BYTES)) return CHAIN_EPARAM;
    acct *a = &l->acc[id];
    if (!is_zero(a->pk, CR_PK_BYTES)) return memcmp(a->pk, pk, CR_PK_BYTES) ? CHAIN_EPARAM : CHAIN_OK;
    memcpy(a->pk, pk, CR_PK_BYTES);
    mark(l, id);
    return CHAIN_OK;
}

int chain_ledger_genesis(chain_ledger *l, uint32_t id, uint64_t balance, const uint8_t pk[CR_PK_BYTES])
{
    if (id >= l->n) return CHAIN_EPARAM;
    uint64_t rest = l->supply - l->acc[id].balance;
    if (balance > UINT64_MAX - rest) return CHAIN_EPARAM; /* the supply must fit in 64 bits */
    if (pk && chain_ledger_bind_key(l, id, pk) != CHAIN_OK) return CHAIN_EPARAM;
    l->supply = rest + balance;
    l->acc[id].balance = balance;
    mark(l, id);
    return CHAIN_OK;
}

/* ---- records ----------------------------------------------------------------------- */

static uint64_t rec_key(uint32_t owner, uint32_t stream, uint64_t interval)
{
    return chain_mix64(chain_mix64((uint64_t)owner << 32 | stream) ^ interval);
}

/* The slot holding (owner, stream, interval), or the empty slot where it would go. */
static uint64_t rec_find(const chain_ledger *l, uint32_t owner, uint32_t stream, uint64_t interval)
{
    uint64_t mask = l->nslot - 1, i = rec_key(owner, stream, interval) & mask;
    for (;; i = (i + 1) & mask) {
        if (!l->slot[i]) return i;
        const rec *r = &l->recs[l->slot[i] - 1];
        if (r->owner == owner && r->stream == stream && r->interval == interval) return i;
    }
}

static int rec_grow(chain_ledger *l, uint16_t nchunks)
{
    if (l->nrec + 1 > l->caprec) {
        uint64_t cap = l->caprec ? 2 * l->caprec : 64;
        rec *r = realloc(l->recs, cap * sizeof *r);
        if (!r) return CHAIN_ENOMEM;
        l->recs = r, l->caprec = cap;
    }
    if (l->nhash + nchunks > l->caphash) {
        uint64_t cap = l->caphash ? 2 * l->caphash : 256;
        while (cap < l->nhash + nchunks) cap *= 2;
        void *h = realloc(l->hashes, cap * CR_HASH_BYTES);
        if (!h) return CHAIN_ENOMEM;
        l->hashes = h, l->caphash = cap;
    }
    if (2 * (l->nrec + 1) <= l->nslot) return CHAIN_OK;
    uint64_t *old = l->slot, nold = l->nslot;
    if (!(l->slot = calloc(2 * nold, sizeof *l->slot))) return l->slot = old, CHAIN_ENOMEM;
    l->nslot = 2 * nold;
    for (uint64_t i = 0; i < nold; i++)
        if (old[i]) {
            const rec *r = &l->recs[old[i] - 1];
            l->slot[rec_find(l, r->owner, r->stream, r->interval)] = old[i];
        }
    free(old);
    return CHAIN_OK;
}

/* Appends the record of an applied data_record tx and extends the hash chain. */
static int rec_append(chain_ledger *l, const chain_tx *tx)
{
    const uint8_t *p = tx->payload;
    rec r = {chain_get32(p), chain_get32(p + 4), chain_get64(p + 8), l->height + 1, l->nhash, chain_get16(p + 16)};
    if (rec_grow(l, r.nchunks) != CHAIN_OK) return CHAIN_ENOMEM;
    memcpy(l->hashes + l->nhash, p + CHAIN_RECORD_HDR, (size_t)r.nchunks * CR_HASH_BYTES);
    l->nhash += r.nchunks;
    l->recs[l->nrec++] = r;
    l->stale = 1;
    l->slot[rec_find(l, r.owner, r.stream, r.interval)] = l->nrec;
    uint8_t buf[CR_HASH_BYTES + 8 + CHAIN_PAYLOAD_MAX];
    memcpy(buf, l->racc, CR_HASH_BYTES);
    chain_put64(buf + CR_HASH_BYTES, r.height);
    memcpy(buf + CR_HASH_BYTES + 8, p, tx->payload_len); /* owner, stream, interval, chunks */
    cr_hash(l->racc, buf, CR_HASH_BYTES + 8 + (size_t)tx->payload_len);
    return CHAIN_OK;
}

int chain_ledger_record(const chain_ledger *l, uint32_t owner, uint32_t stream, uint64_t interval,
                        chain_record *out)
{
    uint64_t s = l->slot[rec_find(l, owner, stream, interval)];
    if (!s) return CHAIN_EPARAM;
    const rec *r = &l->recs[s - 1];
    out->owner = r->owner, out->stream = r->stream, out->interval = r->interval;
    out->height = r->height, out->nchunks = r->nchunks;
    out->chunks = (const uint8_t(*)[CR_HASH_BYTES])l->hashes[r->first];
    return CHAIN_OK;
}

/* ---- applying transactions ---------------------------------------------------------- */

static int has_record(const chain_ledger *l, const chain_tx *tx)
{
    const uint8_t *p = tx->payload;
    return l->slot[rec_find(l, chain_get32(p), chain_get32(p + 4), chain_get64(p + 8))] != 0;
}

/* The first rule tx breaks (chain.h order), or CHAIN_R_APPLIED. */
static chain_reason check(const chain_ledger *l, cr_memo *memo, uint32_t proposer, const chain_tx *tx)
{
    if (tx->sender >= l->n || tx->recipient >= l->n || proposer >= l->n) return CHAIN_R_ACCOUNT;
    const acct *a = &l->acc[tx->sender];
    int unbound = is_zero(a->pk, CR_PK_BYTES);
    if (unbound ? !l->tofu : memcmp(a->pk, tx->sender_pk, CR_PK_BYTES) != 0) return CHAIN_R_KEY;
    if (tx->nonce != a->nonce) return CHAIN_R_NONCE;
    if (tx->amount > UINT64_MAX - tx->fee || a->balance < tx->amount + tx->fee) return CHAIN_R_FUNDS;
    if (chain_tx_verify(tx, memo) != CHAIN_OK) return CHAIN_R_SIG;
    if (tx->kind == CHAIN_TX_DATA_RECORD && has_record(l, tx)) return CHAIN_R_RECORD;
    return CHAIN_R_APPLIED;
}

chain_reason chain_ledger_apply_tx(chain_ledger *l, cr_memo *memo, uint32_t proposer, const chain_tx *tx)
{
    chain_reason r = check(l, memo, proposer, tx);
    if (r == CHAIN_R_APPLIED && tx->kind == CHAIN_TX_DATA_RECORD && rec_append(l, tx) != CHAIN_OK)
        r = CHAIN_R_RECORD; /* out of memory: skipped, counted with the record failures */
    l->totals.count[r]++;
    l->totals.sigchecks += r == CHAIN_R_APPLIED || r == CHAIN_R_SIG || r == CHAIN_R_RECORD;
    if (r != CHAIN_R_APPLIED) return r;
    if (is_zero(l->acc[tx->sender].pk, CR_PK_BYTES)) memcpy(l->acc[tx->sender].pk, tx->sender_pk, CR_PK_BYTES);
    /* the supply invariant rules out overflow on the credits */
    l->acc[tx->sender].balance -= tx->amount + tx->fee;
    l->acc[tx->sender].nonce++;
    l->acc[tx->recipient].balance += tx->amount;
    l->acc[proposer].balance += tx->fee;
    l->totals.fees += tx->fee;
    mark(l, tx->sender), mark(l, tx->recipient), mark(l, proposer);
    return r;
}

int chain_ledger_apply_block(chain_ledger *l, cr_memo *memo, uint32_t proposer, const chain_tx *txs,
                             size_t n, chain_block_stats *st)
{
    return chain_ledger_apply_block_ex(l, memo, proposer, txs, n, st, NULL);
}

int chain_ledger_apply_block_ex(chain_ledger *l, cr_memo *memo, uint32_t proposer, const chain_tx *txs,
                                size_t n, chain_block_stats *st, uint8_t *reasons)
{
    chain_block_stats b;
    if (proposer >= l->n) return CHAIN_EPARAM;
    memset(&b, 0, sizeof b);
    for (size_t i = 0; i < n; i++) {
        chain_reason r = chain_ledger_apply_tx(l, memo, proposer, &txs[i]);
        if (reasons) reasons[i] = (uint8_t)r;
        b.count[r]++;
        b.sigchecks += r == CHAIN_R_APPLIED || r == CHAIN_R_SIG || r == CHAIN_R_RECORD;
        if (r == CHAIN_R_APPLIED) b.fees += txs[i].fee;
    }
    l->height++;
    if (st) *st = b;
    uint8_t root[CR_HASH_BYTES];
    return chain_ledger_state_root(l, root);
}

/* ---- state root --------------------------------------------------------------------- */

/* Level-1 hash c: its FAN1 accounts, serialized little-endian. */
static void hash_l1(chain_ledger *l, uint32_t c)
{
    uint8_t buf[FAN1 * ACCT_BYTES], *p = buf;
    uint32_t lo = c * FAN1, hi = l->n - lo > FAN1 ? lo + FAN1 : l->n;
    for (uint32_t id = lo; id < hi; id++, p += ACCT_BYTES) {
        chain_put64(p, l->acc[id].balance), chain_put64(p + 8, l->acc[id].nonce);
        memcpy(p + 16, l->acc[id].pk, CR_PK_BYTES);
    }
    cr_hash(l->l1.h[c], buf, (size_t)(p - buf));
}

/* Level-2 hash g: the concatenation of its FAN2 level-1 hashes. */
static void hash_l2(chain_ledger *l, uint32_t g)
{
    uint32_t lo = g * FAN2, cnt = l->l1.n - lo > FAN2 ? FAN2 : l->l1.n - lo;
    cr_hash(l->l2.h[g], l->l1.h[lo], (size_t)cnt * CR_HASH_BYTES);
}

static void refresh(chain_ledger *l)
{
    for (uint32_t i = 0; i < l->l1.nd; i++) {
        uint32_t c = l->l1.dlist[i];
        hash_l1(l, c), l->l1.dirty[c] = 0;
        level_mark(&l->l2, c / FAN2);
    }
    for (uint32_t i = 0; i < l->l2.nd; i++) hash_l2(l, l->l2.dlist[i]), l->l2.dirty[l->l2.dlist[i]] = 0;
    l->l1.nd = l->l2.nd = 0;
}

int chain_ledger_state_root(chain_ledger *l, uint8_t root[CR_HASH_BYTES])
{
    static const char tag[] = "cpsim-state-v1";
    uint8_t buf[sizeof tag - 1 + 4 + CR_HASH_BYTES + 8 + CR_HASH_BYTES], *p = buf;
    if (l->stale) {
        refresh(l);
        memcpy(p, tag, sizeof tag - 1), p += sizeof tag - 1;
        chain_put32(p, l->n), p += 4;
        cr_hash(p, l->l2.h, (size_t)l->l2.n * CR_HASH_BYTES), p += CR_HASH_BYTES;
        chain_put64(p, l->nrec), p += 8;
        memcpy(p, l->racc, CR_HASH_BYTES);
        cr_hash(l->root, buf, sizeof buf);
        l->stale = 0;
    }
    memcpy(root, l->root, CR_HASH_BYTES);
    return CHAIN_OK;
}
