/* core/lbft/lbft_lg.c: LBFT's ledger mode: core/chain transactions, mempools and the ledger
 * behind the consensus (contract in lbft_lg.h).
 *
 * Invariants: a transaction id names one encoded transaction forever (its bytes and hash are
 * stored when the client makes it); the ledger applies heights in order, each once; a pool
 * item's id is found through the hash index (hash -> id), whose entries are never removed. */
#include "core/lbft/lbft_lg.h"

#include <stdlib.h>
#include <string.h>

typedef struct tx_slot {
    uint8_t hash[32];
    uint8_t *bytes;
    uint32_t len;
    uint8_t reason;             /* chain_reason + 1 once applied, 0 before */
} tx_slot;

struct lbft_lg {
    chain_ledger *ledger;
    chain_pool **pools;
    uint32_t n_pools, n_nodes, client0;
    uint64_t seed;              /* keys: cr_keypair_derive(seed, node) */
    uint64_t *nonce;            /* per client: the next nonce it signs */
    tx_slot *tx;
    uint64_t n_tx, cap_tx;
    uint64_t *index;            /* open addressing: id + 1, keyed by the hash's first 8 bytes */
    uint64_t cap_index;
    lbft_lg_block *blocks;      /* per height */
    uint8_t *applied;
    uint64_t cap_blocks;
    chain_pool_item *items;     /* pick scratch */
    uint32_t cap_items;
};

static uint64_t key_of(const uint8_t h[32])
{
    uint64_t k;
    memcpy(&k, h, 8);
    return k;
}

/* ---- lifecycle ---------------------------------------------------------------------- */

lbft_lg *lbft_lg_new(uint32_t n_nodes, uint32_t pools, uint32_t pool_cap, uint32_t client0, uint64_t balance,
                     uint64_t seed)
{
    lbft_lg *g = calloc(1, sizeof *g);
    if (!g) return NULL;
    g->n_nodes = n_nodes, g->client0 = client0, g->n_pools = pools, g->seed = seed;
    g->ledger = chain_ledger_new(n_nodes);
    g->pools = calloc(pools, sizeof *g->pools);
    g->nonce = calloc(n_nodes, sizeof *g->nonce);
    int bad = !g->ledger || !g->pools || !g->nonce;
    for (uint32_t i = 0; !bad && i < pools; i++) bad = !(g->pools[i] = chain_pool_new(pool_cap));
    if (!bad) chain_ledger_bind_on_first_use(g->ledger, 1); /* clients' keys bind with their first tx */
    for (uint32_t c = client0; !bad && c < n_nodes; c++) bad = chain_ledger_genesis(g->ledger, c, balance, NULL) != 0;
    if (bad) {
        lbft_lg_free(g);
        return NULL;
    }
    return g;
}

void lbft_lg_free(lbft_lg *g)
{
    if (!g) return;
    for (uint32_t i = 0; g->pools && i < g->n_pools; i++) chain_pool_free(g->pools[i]);
    for (uint64_t i = 0; i < g->n_tx; i++) free(g->tx[i].bytes);
    chain_ledger_free(g->ledger);
    free(g->pools), free(g->nonce), free(g->tx), free(g->index), free(g->blocks), free(g->applied), free(g->items);
    free(g);
}

/* ---- the transaction table ---------------------------------------------------------- */

static int index_put(lbft_lg *g, uint64_t id);

static int index_grow(lbft_lg *g)
{
    uint64_t cap = g->cap_index ? g->cap_index * 2 : 4096;
    free(g->index);
    g->index = calloc(cap, sizeof *g->index);
    if (!g->index) return -1;
    g->cap_index = cap;
    for (uint64_t id = 0; id < g->n_tx; id++)
        if (g->tx[id].bytes) index_put(g, id);
    return 0;
}

static int index_put(lbft_lg *g, uint64_t id)
{
    uint64_t i = key_of(g->tx[id].hash) & (g->cap_index - 1);
    while (g->index[i]) i = (i + 1) & (g->cap_index - 1);
    g->index[i] = id + 1;
    return 0;
}

static uint64_t index_get(const lbft_lg *g, const uint8_t h[32])
{
    for (uint64_t i = key_of(h) & (g->cap_index - 1); g->cap_index && g->index[i]; i = (i + 1) & (g->cap_index - 1))
        if (memcmp(g->tx[g->index[i] - 1].hash, h, 32) == 0) return g->index[i] - 1;
    return UINT64_MAX;
}

static int remember(lbft_lg *g, uint64_t id, const uint8_t *bytes, size_t len, const uint8_t hash[32])
{
    if (id >= g->cap_tx) {
        uint64_t cap = (id + 1) * 2;
        tx_slot *a = realloc(g->tx, cap * sizeof *a);
        if (!a) return -1;
        memset(a + g->cap_tx, 0, (cap - g->cap_tx) * sizeof *a);
        g->tx = a, g->cap_tx = cap;
    }
    if (id >= g->n_tx) g->n_tx = id + 1;
    tx_slot *s = &g->tx[id];
    s->bytes = malloc(len);
    if (!s->bytes) return -1;
    memcpy(s->bytes, bytes, len), memcpy(s->hash, hash, 32);
    s->len = (uint32_t)len;
    if (2 * g->n_tx >= g->cap_index && index_grow(g) != 0) return -1;
    return index_put(g, id);
}

int lbft_lg_known(const lbft_lg *g, uint64_t id) { return id < g->n_tx && g->tx[id].bytes; }

int lbft_lg_put_tx(lbft_lg *g, uint64_t id, const uint8_t *bytes, size_t len)
{
    chain_tx *tx = malloc(sizeof *tx);
    uint8_t hash[32];
    int ok = tx && len <= CHAIN_TX_MAX && chain_tx_decode(bytes, len, tx) == CHAIN_OK;
    if (ok) chain_tx_hash(hash, tx);
    free(tx);
    if (!ok || lbft_lg_known(g, id)) return -1;
    return remember(g, id, bytes, len, hash);
}

const uint8_t *lbft_lg_tx_bytes(const lbft_lg *g, uint64_t id, size_t *len)
{
    *len = lbft_lg_known(g, id) ? g->tx[id].len : 0;
    return *len ? g->tx[id].bytes : NULL;
}

int lbft_lg_tx_reason(const lbft_lg *g, uint64_t id)
{
    return lbft_lg_known(g, id) && g->tx[id].reason ? g->tx[id].reason - 1 : -1;
}

/* ---- clients and proposers ---------------------------------------------------------- */

size_t lbft_lg_make_tx(lbft_lg *g, cp_env *env, uint64_t id, uint8_t *buf)
{
    chain_tx *tx = calloc(1, sizeof *tx);
    if (!tx) return 0;
    uint32_t clients = g->n_nodes - g->client0, me = env->self;
    uint32_t to = clients > 1 ? g->client0 + (uint32_t)rng_below(env->rng, clients - 1) : me;
    if (to >= me && clients > 1) to++;
    tx->kind = CHAIN_TX_TRANSFER, tx->sender = me, tx->recipient = to;
    tx->nonce = g->nonce[me]++, tx->amount = 1, tx->fee = 1 + rng_below(env->rng, 10);
    cr_keypair kp;
    cr_keypair_derive(&kp, g->seed, me);
    chain_tx_sign(tx, &kp);
    size_t len = chain_tx_encode(buf, tx);
    uint8_t hash[32];
    chain_tx_hash(hash, tx);
    free(tx);
    return remember(g, id, buf, len, hash) == 0 ? len : 0;
}

int lbft_lg_on_tx(lbft_lg *g, uint32_t pool, uint64_t id, const uint8_t *bytes, size_t len, cr_memo *memo,
                  int *verified)
{
    *verified = 0;
    if (!lbft_lg_known(g, id) || g->tx[id].len != len || memcmp(g->tx[id].bytes, bytes, len) != 0) return -1;
    if (chain_pool_contains(g->pools[pool], g->tx[id].hash)) return 0; /* heard before: no check */
    chain_tx *tx = malloc(sizeof *tx);
    int rc = -1;
    if (tx && chain_tx_decode(bytes, len, tx) == CHAIN_OK) {
        *verified = 1;
        if (chain_tx_verify(tx, memo) == CHAIN_OK) {
            int a = chain_pool_add(g->pools[pool], bytes, len, g->tx[id].hash);
            rc = a == CHAIN_OK ? 1 : a == CHAIN_EDUP || a == CHAIN_EFULL ? 0 : -1;
        }
    }
    free(tx);
    return rc;
}

uint32_t lbft_lg_pick(lbft_lg *g, uint32_t pool, uint64_t *ids, uint32_t max)
{
    if (max > g->cap_items) {
        chain_pool_item *a = realloc(g->items, max * sizeof *a);
        if (!a) return 0;
        g->items = a, g->cap_items = max;
    }
    size_t n = chain_pool_pick(g->pools[pool], g->ledger, g->items, max);
    uint32_t k = 0;
    for (size_t i = 0; i < n; i++) {
        uint64_t id = index_get(g, g->items[i].hash);
        if (id != UINT64_MAX) ids[k++] = id;
    }
    return k;
}

void lbft_lg_digest(const lbft_lg *g, const uint64_t *ids, uint32_t n, uint8_t d[32])
{
    uint8_t (*h)[32] = malloc((n ? n : 1) * sizeof *h);
    if (!h) {
        memset(d, 0, 32);
        return;
    }
    for (uint32_t i = 0; i < n; i++) {
        if (lbft_lg_known(g, ids[i])) memcpy(h[i], g->tx[ids[i]].hash, 32);
        else memset(h[i], 0xff, 32); /* an unknown id: a root no valid list has */
    }
    chain_merkle_root(d, (const uint8_t (*)[32])h, n);
    free(h);
}

/* ---- blocks ------------------------------------------------------------------------- */

static lbft_lg_block *block_slot(lbft_lg *g, uint64_t h)
{
    if (h >= g->cap_blocks) {
        uint64_t cap = (h + 1) * 2;
        lbft_lg_block *a = realloc(g->blocks, cap * sizeof *a);
        uint8_t *b = a ? realloc(g->applied, cap) : NULL;
        if (a) g->blocks = a;
        if (!b) return NULL;
        memset(b + g->cap_blocks, 0, cap - g->cap_blocks);
        g->applied = b, g->cap_blocks = cap;
    }
    return &g->blocks[h];
}

void lbft_lg_apply(lbft_lg *g, uint64_t h, uint32_t proposer, const uint64_t *ids, uint32_t n, cr_memo *memo)
{
    lbft_lg_block *b = block_slot(g, h);
    chain_tx *txs = calloc(n ? n : 1, sizeof *txs);
    if (!b || !txs || g->applied[h]) {
        free(txs);
        return;
    }
    uint32_t k = 0;
    uint64_t *of = malloc((n ? n : 1) * sizeof *of);
    uint8_t *why = malloc(n ? n : 1);
    for (uint32_t i = 0; of && i < n; i++)
        if (lbft_lg_known(g, ids[i]) && chain_tx_decode(g->tx[ids[i]].bytes, g->tx[ids[i]].len, &txs[k]) == 0)
            of[k++] = ids[i];
    chain_block_stats st;
    memset(&st, 0, sizeof st);
    chain_ledger_apply_block_ex(g->ledger, memo, proposer < g->n_nodes ? proposer : 0, txs, k, &st, why);
    for (uint32_t i = 0; why && i < k; i++)
        if (!g->tx[of[i]].reason) g->tx[of[i]].reason = (uint8_t)(why[i] + 1);
    free(txs), free(of), free(why);
    b->applied = (uint32_t)st.count[CHAIN_R_APPLIED];
    b->invalid = n - b->applied;
    chain_ledger_state_root(g->ledger, b->root);
    g->applied[h] = 1;
}

void lbft_lg_included(lbft_lg *g, uint32_t pool, const uint64_t *ids, uint32_t n)
{
    uint8_t (*h)[32] = malloc((n ? n : 1) * sizeof *h);
    uint32_t k = 0;
    for (uint32_t i = 0; h && i < n; i++)
        if (lbft_lg_known(g, ids[i])) memcpy(h[k++], g->tx[ids[i]].hash, 32);
    if (h) chain_pool_remove(g->pools[pool], (const uint8_t (*)[32])h, k);
    chain_pool_prune(g->pools[pool], g->ledger);
    free(h);
}

const lbft_lg_block *lbft_lg_block_at(const lbft_lg *g, uint64_t h)
{
    return h < g->cap_blocks && g->applied[h] ? &g->blocks[h] : NULL;
}

const chain_block_stats *lbft_lg_totals(const lbft_lg *g) { return chain_ledger_totals(g->ledger); }

uint64_t lbft_lg_evicted(const lbft_lg *g)
{
    uint64_t e = 0;
    for (uint32_t i = 0; i < g->n_pools; i++) e += chain_pool_get_stats(g->pools[i])->evicted;
    return e;
}
