/* core/lbft/lbft.c: the LBFT 2.0 state machine (contract in lbft.h).
 *
 * Invariants: a validator signs at most one normal block per height (last_signed); it inserts
 * a block only with a certificate of >= 2f+1 (impeach: >= f+1) verified commit signatures of
 * distinct validators over that block's hash; heights advance only by insertion; the impeach
 * deadline is the only timer (one per height, cancelled when the height closes). Every message
 * is decoded by the strict decoder before use; every signature is verified before it counts.
 * Two honest validators inserting different blocks at one height is counted as a violation. */
#include "core/lbft/lbft.h"
#include "core/dpor/dpor.h"
#include "core/lbft/lbft_lg.h"
#include "core/graph/graph.h"

#include <sodium.h>
#include <stdlib.h>
#include <string.h>

#define HDR 88           /* height 8, parent 32, time 8, proposer 4, impeach 1, pad 3, tx digest 32 */
#define SEAL 64
#define SIGS_AT (1 + HDR + SEAL) /* the signer bitmap, then the present signatures */
#define SLOT 65          /* CPChain's wire form: one 65-byte slot per validator, empty = zeros */
#define NONE UINT32_MAX
#define TXLEN (1 + 8 + 4 + 4 + 64) /* type, id, client, pad, signature */
#define CLIENT_TAG ((1ull << 60) - 1) /* above any height; below 2^60 (env.h) */
#define RESEND_BIT (1ull << 59)       /* resend timers: RESEND_BIT | resends << 52 | id */
#define RESEND_ID ((1ull << 52) - 1)
#define SYNCLEN 9        /* type, first height wanted */
#define SYNC_BATCH 256   /* blocks sent per sync request at most */

enum { IDLE, PREPARE, COMMIT, VALIDATE };

typedef struct sigset {
    uint32_t count;
    uint64_t *have;      /* bitmap of n bits */
    uint8_t (*sig)[64];  /* n signatures */
} sigset;

/* The last (message, signature) verified per signer and message form (32-byte hash, or the
 * 39-byte "Prepare" form): every validator checks the same signatures of a height, so one
 * exact comparison replaces the memo's hashing for all but the first. Used only when the
 * memo is on (it is a memo: identical inputs, identical result). */
typedef struct vcache_slot {
    uint8_t msg[39], len, used, valid;
    uint8_t sig[64];
} vcache_slot;

typedef struct vstate {
    uint64_t height;            /* the open height: head + 1 */
    uint8_t head[32];
    cp_time head_time;
    int state;
    int have_block;             /* the proposer's block for this height was accepted */
    uint8_t hdr[HDR], hash[32], seal[SEAL];
    sigset prep, comm;
    int sent_validate;
    uint8_t ihdr[HDR], ihash[32];
    sigset iprep, icomm;
    int impeaching, isigned_c, isent_validate;
    uint8_t cause;              /* LBFT_CAUSE_* when the impeach deadline fired */
    uint64_t timer;
    uint64_t last_signed;       /* height of the last normal block signed */
    cp_msg **future;            /* messages for height + 1, replayed on entering it */
    uint32_t n_future, cap_future;
    uint64_t *txs;              /* the accepted block's transaction ids */
    uint32_t ntx, cap_txs;
    cp_time sync_at;            /* last sync request (rate limit) */
} vstate;

typedef struct pstate {
    uint64_t height;            /* head height */
    uint8_t head[32];
    cp_time head_time;
    uint64_t *pool;             /* pending transaction ids, oldest first */
    uint32_t n_pool, cap_pool;
    cp_time sync_at;
} pstate;

struct lbft {
    lbft_cfg cfg;
    uint32_t n, f, n_nodes;
    uint32_t tw0, base;         /* twin instances: nodes tw0 .. base - 1 (twins[i] at tw0 + i);
                                   clients and civilians from base on */
    cr_keypair *keys;           /* validators' and proposers' key pairs (each node signs with its own) */
    vcache_slot *vcache;        /* (validators + proposers) x 2, NULL when the memo is off */
    vstate *v;
    pstate *p;
    lbft_block_rec *blocks;
    uint64_t n_blocks, cap_blocks;
    uint8_t (*first_hash)[32];  /* per height: the first hash any validator inserted */
    uint8_t *first_set;
    uint32_t *first_prop;       /* per height: its proposer, NONE for an impeach block */
    uint32_t *terms;            /* elected proposer lists, term_len per term (term index) */
    uint8_t *term_set;
    uint64_t n_terms;
    uint64_t hash_cap;
    uint64_t violations, malformed, bad_sigs, resends;
    lbft_violation *vlist;
    uint64_t n_vlist, cap_vlist;
    lbft_tx_rec *tx;
    uint8_t *tx_ext;            /* per transaction: 1 if another layer submitted it (lbft_submit) */
    uint64_t n_tx, cap_tx;
    lbft_commit_fn hook;        /* lbft_set_commit_hook */
    void *hook_ctx;
    uint8_t (*node_pk)[32];     /* public keys of every node, derived on first use */
    uint8_t *node_pk_set;
    uint32_t nciv, civ0;        /* civilians: nodes civ0 .. civ0 + nciv - 1 */
    graph civ;                  /* their relay graph (civilian indices) */
    uint64_t *civ_height;       /* per civilian: its head height */
    uint8_t (*civ_head)[32];
    cp_time *civ_arrival;       /* (heights + 1) x nciv */
    lbft_lg *lg;                /* ledger mode (cfg.ledger), else NULL */
    cp_msg **store;             /* per height: the certified block (NEWBLOCK form) first inserted;
                                   what validators send a peer that syncs (identical bytes on every
                                   honest validator, so kept once) */
    uint64_t cap_store;
};

static void civilians_send(lbft *l, cp_env *env, cp_msg *m);

static const char *const msg_names[LBFT_N_MSG] = {
    "preprepare", "prepare", "commit", "validate", "impeach_prepare", "impeach_commit",
    "impeach_validate", "newblock", "tx", "sync",
};

/* ---- roles and twins ------------------------------------------------------------------ */

/* The validator or proposer a node plays: itself, or for a twin instance the node it twins
 * (same key, same validator index or proposer seat). */
static uint32_t role_of(const lbft *l, uint32_t node)
{
    return node >= l->tw0 && node < l->base ? l->cfg.twins[node - l->tw0] : node;
}
#define ME role_of(l, env->self)

static int twinned(const lbft *l, uint32_t role)
{
    for (uint32_t i = 0; i < l->cfg.n_twins; i++)
        if (l->cfg.twins[i] == role) return 1;
    return 0;
}

/* Each node's own state: validators 0..n-1 then validator twins; proposers, then theirs. */
static vstate *vstate_of(lbft *l, uint32_t node)
{
    return node < l->n ? &l->v[node] : &l->v[l->n + (node - l->tw0)];
}
static pstate *pstate_of(lbft *l, uint32_t node)
{
    return node < l->tw0 ? &l->p[node - l->n] : &l->p[l->cfg.proposers + (node - l->tw0)];
}

/* Twins' partitions: per height, every validator instance is on side 0 or 1 (a seeded coin;
 * a twinned node's original on 0, its twin on 1). A twin pair's instances send only to their
 * own side; everyone else sends to all. */
static int side_of(const lbft *l, uint32_t node, uint64_t height)
{
    if (node >= l->tw0 && node < l->base) return 1;
    if (twinned(l, node)) return 0;
    uint64_t x = l->cfg.seed ^ (height * 0x9e3779b97f4a7c15ull) ^ ((uint64_t)node << 32);
    x ^= x >> 31, x *= 0xbf58476d1ce4e5b9ull, x ^= x >> 29;
    return (int)(x & 1);
}

/* Send m (about `height`) to every validator instance the sender may reach. */
static void to_validators(lbft *l, cp_env *env, cp_msg *m, uint64_t height)
{
    int tw = l->cfg.n_twins && twinned(l, ME), side = tw ? side_of(l, env->self, height) : 0;
    for (uint32_t i = 0; i < l->base; i++) {
        if (i == l->n) i = l->tw0; /* skip the proposers */
        if (i >= l->base) break;
        if (i == env->self || role_of(l, i) >= l->n) continue;
        if (!tw || side_of(l, i, height) == side) env_send(env, i, m);
    }
}

/* Send m to every proposer instance; a client's transaction (split) reaches only the instance
 * of a twinned proposer on the client's side, so the two instances' pools differ. */
static void to_proposers(lbft *l, cp_env *env, cp_msg *m, int split)
{
    for (uint32_t i = l->n; i < l->base; i++) {
        uint32_t r = role_of(l, i);
        if (i == env->self || r < l->n) continue;
        if (split && l->cfg.n_twins && twinned(l, r) && side_of(l, env->self, 0) != side_of(l, i, 0)) continue;
        env_send(env, i, m);
    }
}

/* ---- encoding ----------------------------------------------------------------------- */

static void put64(uint8_t *p, uint64_t v)
{
    for (int i = 0; i < 8; i++) p[i] = (uint8_t)(v >> (8 * i));
}
static uint64_t get64(const uint8_t *p)
{
    uint64_t v = 0;
    for (int i = 7; i >= 0; i--) v = v << 8 | p[i];
    return v;
}

/* Digest of a transaction list (ids, little endian), as the header commits to it. */
static void tx_digest(const lbft *l, uint8_t d[32], const uint64_t *ids, uint32_t n)
{
    if (l->lg) {
        lbft_lg_digest(l->lg, ids, n, d);
        return;
    }
    crypto_generichash_state st;
    crypto_generichash_init(&st, NULL, 0, 32);
    for (uint32_t i = 0; i < n; i++) {
        uint8_t b[8];
        put64(b, ids[i]);
        crypto_generichash_update(&st, b, 8);
    }
    crypto_generichash_final(&st, d, 32);
}

static void make_hdr(const lbft *l, uint8_t h[HDR], uint64_t height, const uint8_t parent[32], cp_time t, uint32_t prop, int imp,
                     const uint64_t *ids, uint32_t ntx)
{
    memset(h, 0, HDR);
    put64(h, height);
    memcpy(h + 8, parent, 32);
    put64(h + 40, t);
    for (int i = 0; i < 4; i++) h[48 + i] = (uint8_t)(prop >> (8 * i));
    h[52] = (uint8_t)imp;
    tx_digest(l, h + 56, ids, ntx);
}

static uint64_t hdr_height(const uint8_t *h) { return get64(h); }
static cp_time hdr_time(const uint8_t *h) { return get64(h + 40); }
static uint32_t hdr_prop(const uint8_t *h) { return (uint32_t)(h[48] | h[49] << 8 | h[50] << 16 | (uint32_t)h[51] << 24); }
static int hdr_impeach(const uint8_t *h) { return h[52]; }

static uint32_t get32(const uint8_t *p) { return (uint32_t)(p[0] | p[1] << 8 | p[2] << 16 | (uint32_t)p[3] << 24); }

/* The signature part of a message: a bitmap of `words` 64-bit little-endian words (bit i =
 * validator i signed), then the signatures of the set bits in index order. Receivers find
 * new signers with word operations, so a message costs O(n / 64 + new signatures). */
static uint32_t bm_words(uint32_t n) { return (n + 63) / 64; }
static uint32_t sig_count(const uint8_t *b, uint32_t words)
{
    uint32_t c = 0;
    for (uint32_t w = 0; w < words; w++) c += (uint32_t)__builtin_popcountll(get64(b + SIGS_AT + 8 * w));
    return c;
}
static const uint8_t *sigs_of(const uint8_t *b, uint32_t words) { return b + SIGS_AT + 8 * (size_t)words; }
/* Offset of the body (transaction count) in a message with cnt signatures. */
static size_t body_at(uint32_t words, uint32_t cnt) { return SIGS_AT + 8 * (size_t)words + (size_t)cnt * 64; }

int lbft_decode_check(const uint8_t *b, size_t len, uint32_t validators)
{
    if (len >= 1 && b[0] == LBFT_MSG_TX && len != TXLEN) { /* ledger mode: id, then a chain transaction */
        chain_tx tx;
        return len >= 9 + CHAIN_TX_FIXED && chain_tx_decode(b + 9, len - 9, &tx) == CHAIN_OK ? 0 : -1;
    }
    if (len >= 1 && b[0] == LBFT_MSG_TX) return !b[13] && !b[14] && !b[15] && !b[16] ? 0 : -1;
    if (len >= 1 && b[0] == LBFT_MSG_SYNC) return len == SYNCLEN && get64(b + 1) ? 0 : -1;
    uint32_t words = bm_words(validators);
    if (len < body_at(words, 0) + 4 || b[0] >= LBFT_N_MSG) return -1;
    const uint8_t *h = b + 1;
    if (h[52] > 1 || h[53] || h[54] || h[55]) return -1;
    if (validators % 64 && get64(b + SIGS_AT + 8 * (words - 1)) >> (validators % 64)) return -1; /* no bit >= n */
    uint32_t cnt = sig_count(b, words);
    if (len < body_at(words, cnt) + 4) return -1;
    uint32_t ntx = get32(b + body_at(words, cnt));
    if (ntx > 1000000 || len != body_at(words, cnt) + 4 + (size_t)ntx * 8) return -1;
    return 0;
}

/* ---- signatures --------------------------------------------------------------------- */

static void prepare_msg(uint8_t m[39], const uint8_t hash[32])
{
    memcpy(m, "Prepare", 7);
    memcpy(m + 7, hash, 32);
}

static void sign_as(lbft *l, cp_env *env, uint8_t sig[64], const void *msg, size_t len)
{
    if (ME < l->n + l->cfg.proposers) { /* validators' and proposers' keys are kept */
        cr_sign(sig, msg, len, &l->keys[ME]);
    } else {
        cr_keypair kp;
        cr_keypair_derive(&kp, l->cfg.seed, env->self);
        cr_sign(sig, msg, len, &kp);
    }
    cost_charge(env, l->cfg.costs, COST_SIGN, 1);
}

static int verify_cached(lbft *l, uint32_t signer, const uint8_t sig[64], const void *msg, size_t len)
{
    vcache_slot *c = l->vcache && len <= sizeof c->msg ? &l->vcache[2 * (size_t)signer + (len == 39)] : NULL;
    if (c && c->used && c->len == len && memcmp(c->sig, sig, 64) == 0 && memcmp(c->msg, msg, len) == 0)
        return c->valid;
    int ok = cr_verify(l->cfg.memo, sig, msg, len, l->keys[signer].pk) == CR_OK;
    if (c) {
        memcpy(c->msg, msg, len), memcpy(c->sig, sig, 64);
        c->len = (uint8_t)len, c->used = 1, c->valid = (uint8_t)ok;
    }
    return ok;
}

static int verify_as(lbft *l, cp_env *env, uint32_t signer, const uint8_t sig[64], const void *msg, size_t len)
{
    cost_charge(env, l->cfg.costs, COST_VERIFY, 1);
    if (verify_cached(l, signer, sig, msg, len)) return 1;
    l->bad_sigs++;
    return 0;
}

static int set_alloc(sigset *s, uint32_t n)
{
    s->have = calloc(bm_words(n), sizeof *s->have);
    s->sig = calloc(n, 64);
    return s->have && s->sig ? 0 : -1;
}

static void set_clear(sigset *s, uint32_t n)
{
    memset(s->have, 0, bm_words(n) * sizeof *s->have);
    s->count = 0;
}

static void set_free(sigset *s)
{
    free(s->have);
    free(s->sig);
}

static void set_add(sigset *s, uint32_t idx, const uint8_t sig[64])
{
    if (s->have[idx / 64] >> (idx % 64) & 1) return;
    s->have[idx / 64] |= 1ull << (idx % 64);
    memcpy(s->sig[idx], sig, 64);
    s->count++;
}

/* Merge the signatures of a message into s, verifying each new one over msg: the new signers
 * are the message's bitmap minus s's, word by word; a signature's place is its bit's rank. */
static void merge(lbft *l, cp_env *env, sigset *s, const uint8_t *b, size_t len, const void *msg, size_t mlen)
{
    uint32_t words = bm_words(l->n), before = 0;
    const uint8_t *sig = sigs_of(b, words);
    for (uint32_t w = 0; w < words; w++) {
        uint64_t got = get64(b + SIGS_AT + 8 * w), fresh = got & ~s->have[w];
        for (; fresh; fresh &= fresh - 1) {
            uint32_t bit = (uint32_t)__builtin_ctzll(fresh), idx = w * 64 + bit;
            const uint8_t *e = sig + 64 * (size_t)(before + (uint32_t)__builtin_popcountll(got & ((1ull << bit) - 1)));
            if (verify_as(l, env, idx, e, msg, mlen)) set_add(s, idx, e);
        }
        before += (uint32_t)__builtin_popcountll(got);
    }
}

/* ---- sending ------------------------------------------------------------------------ */

/* A message; a block message (ids != NULL) carries the transaction list, and its wire size
 * counts the full transactions (tx_size each) plus the block's fixed part. */
static cp_msg *build(lbft *l, cp_env *env, int type, const uint8_t hdr[HDR], const uint8_t *seal,
                     const sigset *s, const uint64_t *ids, uint32_t ntx)
{
    uint32_t words = bm_words(l->n), cnt = s ? s->count : 0, len = (uint32_t)body_at(words, cnt) + 4 + ntx * 8;
    uint64_t slots = (uint64_t)l->n * SLOT; /* on the wire: CPChain's fixed slots */
    uint64_t wire = ids ? (uint64_t)l->cfg.block_size + (uint64_t)ntx * l->cfg.tx_size + slots
                        : (uint64_t)SIGS_AT + slots + 4;
    cp_msg *m = env_msg_new(env, (uint16_t)type, len, (uint32_t)(wire > len ? (wire > UINT32_MAX ? UINT32_MAX : wire) : len));
    if (!m) return NULL;
    m->data[0] = (uint8_t)type;
    memcpy(m->data + 1, hdr, HDR);
    if (seal) memcpy(m->data + 1 + HDR, seal, SEAL);
    else memset(m->data + 1 + HDR, 0, SEAL);
    uint8_t *e = m->data + body_at(words, 0);
    for (uint32_t w = 0; w < words; w++) {
        uint64_t bits = s ? s->have[w] : 0;
        put64(m->data + SIGS_AT + 8 * w, bits);
        for (; bits; bits &= bits - 1, e += 64) memcpy(e, s->sig[w * 64 + (uint32_t)__builtin_ctzll(bits)], 64);
    }
    for (int k = 0; k < 4; k++) e[k] = (uint8_t)(ntx >> (8 * k));
    for (uint32_t i = 0; i < ntx; i++) put64(e + 4 + 8 * i, ids[i]);
    return m;
}

static void bcast(lbft *l, cp_env *env, int type, const uint8_t hdr[HDR], const uint8_t *seal, const sigset *s,
                  const uint64_t *ids, uint32_t ntx)
{
    cp_msg *m = build(l, env, type, hdr, seal, s, ids, ntx);
    if (!m) return;
    to_validators(l, env, m, hdr_height(hdr));
    env_msg_unref(env, m);
}

/* ---- schedule ----------------------------------------------------------------------- */

uint32_t lbft_proposer_of(const lbft *l, uint64_t height)
{
    uint64_t t = dpor_term_of(height, l->cfg.term_len, l->cfg.view_len);
    uint32_t seat = dpor_seat_of(height, l->cfg.term_len, l->cfg.view_len);
    if (t < l->n_terms && l->term_set[t]) return l->terms[t * l->cfg.term_len + seat];
    uint32_t d = l->cfg.default_proposers && l->cfg.default_proposers < l->cfg.proposers ? l->cfg.default_proposers
                                                                                           : l->cfg.proposers;
    return l->n + seat % d;
}

/* The stake of a candidate: a fixed random balance per node and seed (no token economy yet). */
static uint64_t balance_of(const lbft *l, uint32_t node)
{
    cp_rng r;
    rng_seed(&r, l->cfg.seed, node, 0x62616c616e6365ull /* "balance" */);
    return 200000 + rng_below(&r, 800000);
}

static void candidate_stats(const lbft *l, uint64_t cp, uint32_t node, dpor_cand *c)
{
    *c = (dpor_cand){node, balance_of(l, node), 0, 0, 0};
    for (uint64_t h = cp > 100 ? cp - 99 : 1; h <= cp; h++)
        c->blocks += l->first_set[h] && l->first_prop[h] == node;
    for (uint64_t h = cp > 10000 ? cp - 9999 : 1; h <= cp; h++)
        c->impeached += l->first_set[h] && l->first_prop[h] == NONE && lbft_proposer_of(l, h) == node;
}

/* At checkpoint cp (first inserted anywhere), elect the proposers of term(cp) + 3. */
static void elect_term(lbft *l, uint64_t cp)
{
    uint32_t d = l->cfg.default_proposers < l->cfg.proposers ? l->cfg.default_proposers : l->cfg.proposers;
    uint32_t nc = l->cfg.proposers - d, tl = l->cfg.term_len;
    uint64_t t = dpor_term_of(cp, tl, l->cfg.view_len) + 3;
    if (nc == 0 || nc > 4096) return; /* no candidates: the defaults rotate */
    if (t >= l->n_terms) {
        uint64_t cap = (t + 1) * 2;
        void *a = realloc(l->terms, cap * tl * sizeof *l->terms), *b = realloc(l->term_set, cap);
        if (!a || !b) return;
        l->terms = a, l->term_set = b;
        memset(l->term_set + l->n_terms, 0, cap - l->n_terms);
        l->n_terms = cap;
    }
    dpor_cand *c = malloc(nc * sizeof *c);
    uint32_t *nodes = malloc(nc * sizeof *nodes), *defs = malloc((d ? d : 1) * sizeof *defs);
    int64_t *rpt = malloc(nc * sizeof *rpt);
    if (c && nodes && defs && rpt) {
        for (uint32_t i = 0; i < nc; i++) nodes[i] = l->n + d + i, candidate_stats(l, cp, nodes[i], &c[i]);
        for (uint32_t i = 0; i < d; i++) defs[i] = l->n + i;
        dpor_rpt(c, nc, &dpor_cpchain_weights, rpt);
        if (dpor_proposers(nodes, rpt, nc, defs, d, get64(l->first_hash[cp]), tl, l->terms + t * tl) == 0)
            l->term_set[t] = 1;
    }
    free(c), free(nodes), free(defs), free(rpt);
}

static int in_list(const uint32_t *list, uint32_t n, uint32_t node)
{
    for (uint32_t i = 0; i < n; i++)
        if (list[i] == node) return 1;
    return 0;
}

static int offline(const lbft *l, uint32_t node) { return in_list(l->cfg.offline, l->cfg.n_offline, node); }
static int byzantine(const lbft *l, uint32_t node) { return in_list(l->cfg.byzantine, l->cfg.n_byzantine, node); }

/* ---- insertion ---------------------------------------------------------------------- */

/* Count a violation and record it (the record is skipped only if memory runs out). */
static void add_violation(lbft *l, cp_time t, uint32_t node, uint64_t height, int kind)
{
    l->violations++;
    if (l->n_vlist == l->cap_vlist) {
        uint64_t cap = l->cap_vlist ? l->cap_vlist * 2 : 16;
        void *a = realloc(l->vlist, cap * sizeof *l->vlist);
        if (!a) return;
        l->vlist = a, l->cap_vlist = cap;
    }
    l->vlist[l->n_vlist++] = (lbft_violation){t, node, height, (uint8_t)kind};
}

static void violation(lbft *l, cp_env *env, uint64_t height, int kind)
{
    add_violation(l, env_now(env), env->self, height, kind);
}

static int quorum(const lbft *l, int impeach);

/* The invariant checker, run at every insertion by an honest validator: one block per height
 * across all of them, and a certificate of at least the quorum of distinct validators. */
static void mark_txs(lbft *l, const uint64_t *ids, uint32_t ntx, uint64_t height)
{
    for (uint32_t i = 0; i < ntx; i++)
        if (ids[i] < l->n_tx && !l->tx[ids[i]].height) l->tx[ids[i]].height = height;
}

static void record(lbft *l, cp_env *env, const uint8_t hdr[HDR], const uint8_t hash[32], const sigset *cert,
                   const uint64_t *ids, uint32_t ntx)
{
    mark_txs(l, ids, ntx, hdr_height(hdr));
    if (byzantine(l, ME) || twinned(l, ME)) return; /* the checker watches honest validators only */
    if ((int)cert->count < quorum(l, hdr_impeach(hdr))) violation(l, env, hdr_height(hdr), LBFT_V_SHORT_CERT);
    uint64_t h = hdr_height(hdr);
    if (h >= l->hash_cap) {
        uint64_t cap = (h + 1) * 2;
        void *a = realloc(l->first_hash, cap * 32), *b = realloc(l->first_set, cap);
        void *c = realloc(l->first_prop, cap * sizeof *l->first_prop);
        if (!a || !b || !c) return;
        l->first_hash = a, l->first_set = b, l->first_prop = c;
        memset(l->first_set + l->hash_cap, 0, cap - l->hash_cap);
        l->hash_cap = cap;
    }
    if (!l->first_set[h]) {
        l->first_set[h] = 1;
        memcpy(l->first_hash[h], hash, 32);
        l->first_prop[h] = hdr_impeach(hdr) ? NONE : hdr_prop(hdr);
        if (l->lg) lbft_lg_apply(l->lg, h, l->first_prop[h], ids, ntx, l->cfg.memo);
        if (dpor_is_checkpoint(h, l->cfg.term_len, l->cfg.view_len)) elect_term(l, h);
    } else if (memcmp(l->first_hash[h], hash, 32) != 0) {
        violation(l, env, h, LBFT_V_FORK); /* two honest validators, two blocks, one height */
    }
    if (env->self != 0) return;
    if (l->n_blocks == l->cap_blocks) {
        uint64_t cap = l->cap_blocks ? l->cap_blocks * 2 : 256;
        void *a = realloc(l->blocks, cap * sizeof *l->blocks);
        if (!a) return;
        l->blocks = a, l->cap_blocks = cap;
    }
    lbft_block_rec *r = &l->blocks[l->n_blocks++];
    r->height = h, r->block_time = hdr_time(hdr), r->inserted = env_now(env);
    r->impeach = (uint8_t)hdr_impeach(hdr);
    r->cause = r->impeach ? (l->v[0].cause ? l->v[0].cause : LBFT_CAUSE_NO_BLOCK) : LBFT_CAUSE_NONE;
    r->proposer = r->impeach ? NONE : hdr_prop(hdr);
    r->ntx = ntx;
    memcpy(r->hash, hash, 32);
    const lbft_lg_block *lb = l->lg ? lbft_lg_block_at(l->lg, h) : NULL;
    r->applied = lb ? lb->applied : ntx;
    if (lb) memcpy(r->state_root, lb->root, 32);
    else memset(r->state_root, 0, 32);
    for (uint32_t i = 0; i < ntx; i++) {
        if (ids[i] >= l->n_tx) continue;
        int first = l->tx[ids[i]].commit == CP_TIME_NEVER;
        l->tx[ids[i]].commit = r->inserted; /* the observer's commit time */
        if (first && l->hook && l->tx_ext[ids[i]])
            l->hook(l->hook_ctx, env, ids[i] + 1, h, l->lg && lbft_lg_tx_reason(l->lg, ids[i]) == CHAIN_R_APPLIED);
    }
}

static void handle(lbft *l, cp_env *env, uint32_t from, cp_msg *m);

static void enter_height(lbft *l, cp_env *env, vstate *v)
{
    v->state = IDLE;
    v->have_block = v->sent_validate = 0;
    v->impeaching = v->isigned_c = v->isent_validate = 0;
    v->cause = LBFT_CAUSE_NONE;
    set_clear(&v->prep, l->n), set_clear(&v->comm, l->n);
    set_clear(&v->iprep, l->n), set_clear(&v->icomm, l->n);
    make_hdr(l, v->ihdr, v->height, v->head, v->head_time + l->cfg.period + l->cfg.impeach_timeout, NONE, 1, NULL, 0);
    cr_hash(v->ihash, v->ihdr, HDR);
    cp_time deadline = v->head_time + l->cfg.period + l->cfg.impeach_timeout, now = env_now(env);
    if (v->timer) env_timer_cancel(env, v->timer);
    v->timer = v->height <= l->cfg.heights ? env_timer(env, deadline > now ? deadline - now : 0, v->height) : 0;
    uint32_t nf = v->n_future;
    cp_msg **fut = v->future;
    v->future = NULL, v->n_future = v->cap_future = 0;
    for (uint32_t i = 0; i < nf; i++) { /* replay what arrived early */
        handle(l, env, NONE, fut[i]);
        env_msg_unref(env, fut[i]);
    }
    free(fut);
}

static const uint64_t no_txs[1] = {0};

/* Keep a height's certified block for peers that sync (takes a reference). */
static void store_block(lbft *l, uint64_t h, cp_msg *m)
{
    if (h >= l->cap_store) {
        uint64_t cap = (h + 1) * 2;
        cp_msg **a = realloc(l->store, cap * sizeof *a);
        if (!a) return;
        memset(a + l->cap_store, 0, (cap - l->cap_store) * sizeof *a);
        l->store = a, l->cap_store = cap;
    }
    if (l->store[h]) return;
    env_msg_ref(m);
    l->store[h] = m;
}

/* Insert a certified block and move to the next height. A block learnt by sync is not echoed
 * (CPChain inserts synced blocks through the chain, outside the consensus messages). */
static void insert_ex(lbft *l, cp_env *env, vstate *v, const uint8_t hdr[HDR], const uint8_t hash[32],
                      const uint8_t *seal, const sigset *cert, int impeach, const uint64_t *ids, uint32_t ntx,
                      int synced)
{
    record(l, env, hdr, hash, cert, ids, ntx);
    int type = impeach ? LBFT_MSG_IMPEACH_VALIDATE : LBFT_MSG_VALIDATE;
    cp_msg *m = synced ? NULL : build(l, env, type, hdr, seal, cert, ids, ntx);
    if (m) { /* echo of Validate */
        to_validators(l, env, m, hdr_height(hdr));
        env_msg_unref(env, m);
    }
    m = build(l, env, LBFT_MSG_NEWBLOCK, hdr, seal, cert, ids, ntx); /* the block to proposers */
    if (m) {
        if (!synced) to_proposers(l, env, m, 0);
        if (!synced) civilians_send(l, env, m);
        store_block(l, hdr_height(hdr), m);
        env_msg_unref(env, m);
    }
    memcpy(v->head, hash, 32);
    v->head_time = hdr_time(hdr);
    v->height++;
    enter_height(l, env, v);
}

static void insert(lbft *l, cp_env *env, vstate *v, const uint8_t hdr[HDR], const uint8_t hash[32],
                   const uint8_t *seal, const sigset *cert, int impeach, const uint64_t *ids, uint32_t ntx)
{
    insert_ex(l, env, v, hdr, hash, seal, cert, impeach, ids, ntx, 0);
}

/* ---- validator: normal path ---------------------------------------------------------- */

#ifdef LBFT_BROKEN_QUORUM /* test-only build: a normal quorum of 2f, to show the checker finds forks */
static int quorum(const lbft *l, int impeach) { return impeach ? (int)l->f + 1 : 2 * (int)l->f; }
#else
static int quorum(const lbft *l, int impeach) { return impeach ? (int)l->f + 1 : 2 * (int)l->f + 1; }
#endif

static void sign_prepare(lbft *l, cp_env *env, vstate *v)
{
    uint8_t pm[39], sig[64];
    prepare_msg(pm, v->hash);
    sign_as(l, env, sig, pm, sizeof pm);
    set_add(&v->prep, ME, sig);
    v->last_signed = v->height;
    v->state = PREPARE;
}

/* Advance as far as the signatures allow, broadcasting what changed. */
static void cascade(lbft *l, cp_env *env, vstate *v, int prepared_now)
{
    int sent_prep = prepared_now;
    if (v->state == PREPARE && (int)v->prep.count >= quorum(l, 0)) {
        uint8_t sig[64];
        sign_as(l, env, sig, v->hash, 32);
        set_add(&v->comm, ME, sig);
        v->state = COMMIT;
        bcast(l, env, LBFT_MSG_PREPARE, v->hdr, v->seal, &v->prep, NULL, 0);
        sent_prep = 0;
        bcast(l, env, LBFT_MSG_COMMIT, v->hdr, v->seal, &v->comm, NULL, 0);
    }
    if (sent_prep) bcast(l, env, LBFT_MSG_PREPARE, v->hdr, v->seal, &v->prep, NULL, 0);
    if (v->state == COMMIT && (int)v->comm.count >= quorum(l, 0) && !v->sent_validate) {
        v->sent_validate = 1;
        v->state = VALIDATE;
        bcast(l, env, LBFT_MSG_VALIDATE, v->hdr, v->seal, &v->comm, v->txs ? v->txs : no_txs, v->ntx);
    }
}

/* The transaction list of a block message, checked against the header's digest: its count,
 * and ids copied into *out (grown as needed). -1 if the list does not match the header. */
static int body_ids(const lbft *l, const uint8_t *b, uint64_t **out, uint32_t *cap, uint32_t *n)
{
    const uint8_t *body = b + body_at(bm_words(l->n), sig_count(b, bm_words(l->n)));
    uint32_t ntx = get32(body);
    if (ntx > *cap) {
        uint64_t *a = realloc(*out, (size_t)ntx * sizeof *a);
        if (!a) return -1;
        *out = a, *cap = ntx;
    }
    for (uint32_t i = 0; i < ntx; i++) (*out)[i] = get64(body + 4 + 8 * i);
    *n = ntx;
    uint8_t d[32];
    tx_digest(l, d, *out, ntx);
    return memcmp(d, b + 1 + 56, 32) == 0 ? 0 : -1;
}

/* A double-signing validator lends its prepare and commit signatures to another block of the
 * height, broadcast on their own. */
static void double_sign(lbft *l, cp_env *env, const uint8_t *hdr, const uint8_t *seal, const uint8_t hash[32])
{
    sigset one = {0, NULL, NULL};
    if (set_alloc(&one, l->n) != 0) {
        set_free(&one);
        return;
    }
    uint8_t pm[39], sig[64];
    prepare_msg(pm, hash);
    sign_as(l, env, sig, pm, sizeof pm);
    set_add(&one, ME, sig);
    bcast(l, env, LBFT_MSG_PREPARE, hdr, seal, &one, NULL, 0);
    set_clear(&one, l->n);
    sign_as(l, env, sig, hash, 32);
    set_add(&one, ME, sig);
    bcast(l, env, LBFT_MSG_COMMIT, hdr, seal, &one, NULL, 0);
    set_free(&one);
}

static void on_preprepare(lbft *l, cp_env *env, vstate *v, const uint8_t *b)
{
    const uint8_t *hdr = b + 1, *seal = b + 1 + HDR;
    cp_time t = hdr_time(hdr), now = env_now(env);
    if (v->have_block && byzantine(l, ME) && !hdr_impeach(hdr) && hdr_prop(hdr) == lbft_proposer_of(l, v->height) &&
        memcmp(hdr + 8, v->head, 32) == 0) {
        uint8_t other[32];
        cr_hash(other, hdr, HDR);
        if (memcmp(other, v->hash, 32) != 0 && verify_as(l, env, hdr_prop(hdr), seal, other, 32))
            double_sign(l, env, hdr, seal, other);
        return;
    }
    if (v->have_block || v->state != IDLE || hdr_impeach(hdr)) return;
    if (memcmp(hdr + 8, v->head, 32) != 0 || hdr_prop(hdr) != lbft_proposer_of(l, v->height)) return;
    if (t < v->head_time + l->cfg.period || now > v->head_time + l->cfg.period + l->cfg.block_delay) return;
    uint8_t hash[32];
    cr_hash(hash, hdr, HDR);
    if (v->last_signed == v->height) return; /* one normal block per height */
    if (!verify_as(l, env, hdr_prop(hdr), seal, hash, 32)) return;
    uint32_t ntx;
    if (body_ids(l, b, &v->txs, &v->cap_txs, &ntx) != 0) return; /* list does not match the header */
    v->ntx = ntx;
    cost_charge(env, l->cfg.costs, COST_VERIFY, ntx); /* checking the block's transactions */
    if (v->prep.count && memcmp(hash, v->hash, 32) != 0) set_clear(&v->prep, l->n), set_clear(&v->comm, l->n);
    memcpy(v->hdr, hdr, HDR), memcpy(v->hash, hash, 32), memcpy(v->seal, seal, SEAL);
    v->have_block = 1;
    bcast(l, env, LBFT_MSG_PREPREPARE, v->hdr, v->seal, NULL, v->txs ? v->txs : no_txs, v->ntx); /* echo */
    sign_prepare(l, env, v);
    cascade(l, env, v, 1);
}

/* Take the header of a prepare/commit message as this height's candidate; 0 if it names a
 * different block than the one already in hand. */
static int adopt(lbft *l, vstate *v, const uint8_t *hdr)
{
    if (hdr_impeach(hdr) || memcmp(hdr + 8, v->head, 32) != 0) return 0;
    /* a candidate in hand: the same header bytes are the same hash, no need to hash again */
    if (v->have_block || v->prep.count || v->comm.count) return memcmp(hdr, v->hdr, HDR) == 0;
    memcpy(v->hdr, hdr, HDR);
    cr_hash(v->hash, hdr, HDR);
    return 1;
}

static void on_vote(lbft *l, cp_env *env, vstate *v, const uint8_t *b, size_t len)
{
    if (v->impeaching || !adopt(l, v, b + 1)) return;
    if (!v->have_block) memcpy(v->seal, b + 1 + HDR, SEAL);
    if (b[0] == LBFT_MSG_PREPARE) {
        uint8_t pm[39];
        prepare_msg(pm, v->hash);
        merge(l, env, &v->prep, b, len, pm, sizeof pm);
    } else {
        merge(l, env, &v->comm, b, len, v->hash, 32);
    }
    cascade(l, env, v, 0);
}

/* A Validate for another block than ours: insert it if its certificate holds, unless this
 * validator already broadcast Validate for its own block (CPChain: "a different hash was
 * already validated at this height"). */
static void on_other_validate(lbft *l, cp_env *env, vstate *v, const uint8_t *b, size_t len)
{
    const uint8_t *hdr = b + 1;
    if (v->sent_validate || hdr_impeach(hdr) || memcmp(hdr + 8, v->head, 32) != 0) return;
    sigset cert = {0, NULL, NULL};
    uint64_t *ids = NULL;
    uint32_t cap = 0, ntx = 0;
    uint8_t hash[32];
    cr_hash(hash, hdr, HDR);
    if (set_alloc(&cert, l->n) == 0 && body_ids(l, b, &ids, &cap, &ntx) == 0) {
        merge(l, env, &cert, b, len, hash, 32);
        if ((int)cert.count >= quorum(l, 0)) {
            uint8_t h2[HDR], seal[SEAL];
            memcpy(h2, hdr, HDR), memcpy(seal, b + 1 + HDR, SEAL);
            insert(l, env, v, h2, hash, seal, &cert, 0, ids ? ids : no_txs, ntx);
        }
    }
    set_free(&cert);
    free(ids);
}

static void on_validate(lbft *l, cp_env *env, vstate *v, const uint8_t *b, size_t len)
{
    if (v->impeaching) return;
    if (!adopt(l, v, b + 1)) {
        on_other_validate(l, env, v, b, len);
        return;
    }
    uint32_t ntx;
    if (body_ids(l, b, &v->txs, &v->cap_txs, &ntx) != 0) return;
    v->ntx = ntx;
    memcpy(v->seal, b + 1 + HDR, SEAL);
    merge(l, env, &v->comm, b, len, v->hash, 32);
    if ((int)v->comm.count < quorum(l, 0)) return;
    uint8_t hdr[HDR], hash[32], seal[SEAL];
    memcpy(hdr, v->hdr, HDR), memcpy(hash, v->hash, 32), memcpy(seal, v->seal, SEAL);
    insert(l, env, v, hdr, hash, seal, &v->comm, 0, v->txs ? v->txs : no_txs, v->ntx);
}

/* ---- validator: impeachment ---------------------------------------------------------- */

static void icascade(lbft *l, cp_env *env, vstate *v)
{
    if (v->impeaching && !v->isigned_c && (int)v->iprep.count >= quorum(l, 1)) {
        uint8_t sig[64];
        sign_as(l, env, sig, v->ihash, 32);
        set_add(&v->icomm, ME, sig);
        v->isigned_c = 1;
        bcast(l, env, LBFT_MSG_IMPEACH_PREPARE, v->ihdr, NULL, &v->iprep, NULL, 0);
        bcast(l, env, LBFT_MSG_IMPEACH_COMMIT, v->ihdr, NULL, &v->icomm, NULL, 0);
    }
    if (!v->isent_validate && (int)v->icomm.count >= quorum(l, 1) && v->impeaching) {
        v->isent_validate = 1;
        bcast(l, env, LBFT_MSG_IMPEACH_VALIDATE, v->ihdr, NULL, &v->icomm, no_txs, 0);
    }
}

static uint8_t impeach_cause(const lbft *l, const vstate *v)
{
    if (!v->have_block) return LBFT_CAUSE_NO_BLOCK;
    if ((int)v->prep.count < quorum(l, 0)) return LBFT_CAUSE_NO_PREPARE;
    if ((int)v->comm.count < quorum(l, 0)) return LBFT_CAUSE_NO_COMMIT;
    return LBFT_CAUSE_NO_VALIDATE;
}

static void start_impeach(lbft *l, cp_env *env, vstate *v)
{
    uint8_t pm[39], sig[64];
    v->cause = impeach_cause(l, v);
    v->impeaching = 1;
    v->timer = 0;
    prepare_msg(pm, v->ihash);
    sign_as(l, env, sig, pm, sizeof pm);
    set_add(&v->iprep, ME, sig);
    bcast(l, env, LBFT_MSG_IMPEACH_PREPARE, v->ihdr, NULL, &v->iprep, NULL, 0);
    icascade(l, env, v);
}

static void on_impeach(lbft *l, cp_env *env, vstate *v, const uint8_t *b, size_t len)
{
    if (memcmp(b + 1, v->ihdr, HDR) != 0) return; /* not this height's impeach block */
    if (b[0] == LBFT_MSG_IMPEACH_PREPARE) {
        uint8_t pm[39];
        prepare_msg(pm, v->ihash);
        merge(l, env, &v->iprep, b, len, pm, sizeof pm);
    } else {
        merge(l, env, &v->icomm, b, len, v->ihash, 32);
    }
    if (b[0] == LBFT_MSG_IMPEACH_VALIDATE && (int)v->icomm.count >= quorum(l, 1)) {
        uint8_t hdr[HDR], hash[32];
        memcpy(hdr, v->ihdr, HDR), memcpy(hash, v->ihash, 32);
        insert(l, env, v, hdr, hash, NULL, &v->icomm, 1, no_txs, 0);
        return;
    }
    icascade(l, env, v);
}

/* ---- proposers ----------------------------------------------------------------------- */

static void schedule_proposal(lbft *l, cp_env *env, pstate *p)
{
    uint64_t h = p->height + 1;
    if (h > l->cfg.heights || lbft_proposer_of(l, h) != ME || offline(l, env->self)) return;
    cp_time at = p->head_time + l->cfg.period, now = env_now(env);
    env_timer(env, at > now ? at - now : 0, h);
}

/* Drop committed transactions from the pool, then take the oldest pending ones. */
static uint32_t pick_txs(lbft *l, pstate *p, uint64_t *ids)
{
    if (l->lg) return lbft_lg_pick(l->lg, (uint32_t)(p - l->p), ids, l->cfg.max_txs);
    uint32_t w = 0, k = 0;
    for (uint32_t i = 0; i < p->n_pool; i++)
        if (!l->tx[p->pool[i]].height) p->pool[w++] = p->pool[i];
    p->n_pool = w;
    for (; k < w && k < l->cfg.max_txs; k++) ids[k] = p->pool[k];
    return k;
}

static void propose(lbft *l, cp_env *env, pstate *p, uint64_t h)
{
    if (p->height + 1 != h) return;
    cp_time now = env_now(env), t = p->head_time + l->cfg.period;
    uint8_t hdr[HDR], hash[32], seal[SEAL];
    uint64_t *ids = malloc(((size_t)l->cfg.max_txs + 1) * sizeof *ids);
    if (!ids) return;
    uint32_t ntx = pick_txs(l, p, ids);
    cp_time bt = t > now ? t : now;
    make_hdr(l, hdr, h, p->head, bt, ME, 0, ids, ntx);
    cr_hash(hash, hdr, HDR);
    sign_as(l, env, seal, hash, 32);
    if (!in_list(l->cfg.equivocators, l->cfg.n_equivocators, ME)) {
        bcast(l, env, LBFT_MSG_PREPREPARE, hdr, seal, NULL, ids, ntx);
    } else { /* two blocks for one height: A to the even validators, B (1 ns later) to the odd */
        uint8_t hb[HDR], hashb[32], sealb[SEAL];
        make_hdr(l, hb, h, p->head, bt + 1, ME, 0, ids, ntx);
        cr_hash(hashb, hb, HDR);
        sign_as(l, env, sealb, hashb, 32);
        cp_msg *a = build(l, env, LBFT_MSG_PREPREPARE, hdr, seal, NULL, ids, ntx);
        cp_msg *bm = build(l, env, LBFT_MSG_PREPREPARE, hb, sealb, NULL, ids, ntx);
        for (uint32_t i = 0; a && bm && i < l->n; i++) env_send(env, i, i % 2 ? bm : a);
        if (a) env_msg_unref(env, a);
        if (bm) env_msg_unref(env, bm);
    }
    free(ids);
}

/* ---- clients and transactions ------------------------------------------------------- */

static void tx_message(uint8_t m[24], uint64_t id, uint32_t client)
{
    memcpy(m, "cpsim-tx", 8);
    put64(m + 8, id);
    for (int i = 0; i < 4; i++) m[16 + i] = (uint8_t)(client >> (8 * i));
    memset(m + 20, 0, 4);
}

/* Send m to `count` proposer instances other than self that the sender may reach (its side of
 * a twin pair), consecutive from a random start drawn from its stream: a client hands its
 * transaction to two, and a proposer gossips a transaction new to it on to three. */
static void to_some_proposers(lbft *l, cp_env *env, cp_msg *m, uint32_t count)
{
    uint32_t inst = l->base - l->n, sent = 0; /* proposers, then the twin instances */
    uint32_t first = inst ? (uint32_t)rng_below(env->rng, inst) : 0;
    for (uint32_t k = 0; k < inst && sent < count; k++) {
        uint32_t j = (first + k) % inst, node = j < l->cfg.proposers ? l->n + j : l->tw0 + (j - l->cfg.proposers);
        uint32_t r = role_of(l, node);
        if (r < l->n || node == env->self) continue; /* a validator's twin, or itself */
        if (l->cfg.n_twins && twinned(l, r) && side_of(l, env->self, 0) != side_of(l, node, 0)) continue;
        env_send(env, node, m);
        sent++;
    }
}

/* Ledger mode: a transaction's message (its id, then its bytes) to two proposers, or to every
 * proposer (all: a resend). */
static void send_chain_tx(lbft *l, cp_env *env, uint64_t id, const uint8_t *tx, size_t len, int all)
{
    cp_msg *m = len ? env_msg_new(env, LBFT_MSG_TX, (uint32_t)(9 + len),
                                  (uint32_t)(9 + len > l->cfg.tx_size ? 9 + len : l->cfg.tx_size)) : NULL;
    if (!m) return;
    m->data[0] = LBFT_MSG_TX;
    put64(m->data + 1, id);
    memcpy(m->data + 9, tx, len);
    if (all) to_proposers(l, env, m, 1);
    else to_some_proposers(l, env, m, 2);
    env_msg_unref(env, m);
}

/* Ledger mode: the submitter's resend timer for transaction id (its k-th resend). */
static void resend_arm(lbft *l, cp_env *env, uint64_t id, uint32_t k)
{
    if (l->cfg.tx_resend && k < LBFT_RESENDS && id <= RESEND_ID)
        env_timer(env, l->cfg.tx_resend, RESEND_BIT | (uint64_t)k << 52 | id);
}

/* The resend timer fired: not committed yet, so to every proposer (a re-broadcast: sent to two
 * again, it would often reach only proposers that hold it already and do not gossip it). */
static void resend(lbft *l, cp_env *env, uint64_t tag)
{
    uint64_t id = tag & RESEND_ID;
    size_t len;
    const uint8_t *b = id < l->n_tx && l->tx[id].commit == CP_TIME_NEVER ? lbft_lg_tx_bytes(l->lg, id, &len) : NULL;
    if (!b) return;
    l->resends++;
    send_chain_tx(l, env, id, b, len, 1);
    resend_arm(l, env, id, (uint32_t)(tag >> 52 & 0x7f) + 1);
}

/* Ledger mode: the client signs a core/chain transfer. */
static void client_submit_chain(lbft *l, cp_env *env, uint64_t id)
{
    uint8_t *buf = malloc(CHAIN_TX_MAX);
    size_t len = buf ? lbft_lg_make_tx(l->lg, env, id, buf) : 0;
    cost_charge(env, l->cfg.costs, COST_SIGN, 1);
    send_chain_tx(l, env, id, buf, len, 0);
    if (len) resend_arm(l, env, id, 0);
    free(buf);
}

/* A new transaction record submitted by env->self now; its id, or UINT64_MAX. */
static uint64_t tx_new(lbft *l, cp_env *env, int ext)
{
    if (l->n_tx == l->cap_tx) {
        uint64_t cap = l->cap_tx ? l->cap_tx * 2 : 1024;
        void *a = realloc(l->tx, cap * sizeof *l->tx), *b = a ? realloc(l->tx_ext, cap) : NULL;
        if (a) l->tx = a;
        if (!b) return UINT64_MAX;
        l->tx_ext = b, l->cap_tx = cap;
    }
    uint64_t id = l->n_tx++;
    l->tx[id] = (lbft_tx_rec){env_now(env), CP_TIME_NEVER, env->self, 0};
    l->tx_ext[id] = (uint8_t)ext;
    return id;
}

uint64_t lbft_submit(lbft *l, cp_env *env, const uint8_t *tx, size_t len)
{
    if (!l->lg || lbft_lg_put_tx(l->lg, l->n_tx, tx, len) != 0) return 0;
    uint64_t id = tx_new(l, env, 1);
    if (id == UINT64_MAX) return 0;
    send_chain_tx(l, env, id, tx, len, 0);
    resend_arm(l, env, id, 0);
    return id + 1;
}

void lbft_set_commit_hook(lbft *l, lbft_commit_fn fn, void *ctx) { l->hook = fn, l->hook_ctx = ctx; }

static void client_submit(lbft *l, cp_env *env)
{
    uint64_t id = tx_new(l, env, 0);
    if (id == UINT64_MAX) return;
    if (l->lg) {
        client_submit_chain(l, env, id);
        return;
    }
    cp_msg *m = env_msg_new(env, LBFT_MSG_TX, TXLEN, l->cfg.tx_size > TXLEN ? l->cfg.tx_size : TXLEN);
    if (!m) return;
    uint8_t tm[24];
    tx_message(tm, id, env->self);
    m->data[0] = LBFT_MSG_TX;
    put64(m->data + 1, id);
    memcpy(m->data + 9, tm + 16, 8); /* client id + zero padding */
    sign_as(l, env, m->data + 17, tm, sizeof tm);
    to_proposers(l, env, m, 1);
    env_msg_unref(env, m);
}

/* The clients' total rate at t: a burst's rate inside it, the base rate outside. */
static double rate_at(const lbft *l, cp_time t)
{
    for (uint32_t i = 0; i < l->cfg.n_bursts; i++)
        if (t >= l->cfg.bursts[i].at && t < l->cfg.bursts[i].until) return l->cfg.bursts[i].rate;
    return l->cfg.tx_rate;
}

static double rate_max(const lbft *l)
{
    double m = l->cfg.tx_rate;
    for (uint32_t i = 0; i < l->cfg.n_bursts; i++)
        if (l->cfg.bursts[i].rate > m) m = l->cfg.bursts[i].rate;
    return m;
}

static int has_load(const lbft *l) { return rate_max(l) > 0; }

/* The earliest burst start after t with a positive rate (CP_TIME_NEVER if none). */
static cp_time next_burst(const lbft *l, cp_time t)
{
    cp_time best = CP_TIME_NEVER;
    for (uint32_t i = 0; i < l->cfg.n_bursts; i++)
        if (l->cfg.bursts[i].at > t && l->cfg.bursts[i].rate > 0 && l->cfg.bursts[i].at < best)
            best = l->cfg.bursts[i].at;
    return best;
}

/* Arm a client's next submission. Poisson: exponential gaps at the highest rate, thinned at
 * firing time to the rate then (exact for a piecewise-constant rate); constant: the gap at the
 * current rate, the first one a random phase within it. */
static void client_arm(lbft *l, cp_env *env, int first)
{
    uint32_t clients = l->n_nodes - l->base;
    cp_time now = env_now(env);
    if (l->cfg.tx_pattern == LBFT_TX_CONSTANT) {
        double r = rate_at(l, now);
        if (r <= 0) {
            cp_time nb = next_burst(l, now);
            if (nb != CP_TIME_NEVER) env_timer(env, nb - now, CLIENT_TAG);
            return;
        }
        cp_time gap = (cp_time)(1e9 * clients / r);
        env_timer(env, 1 + (first && gap ? rng_below(env->rng, gap) : gap), CLIENT_TAG);
        return;
    }
    double mean_ns = 1e9 * clients / rate_max(l);
    env_timer(env, 1 + (cp_time)rng_exp(env->rng, mean_ns), CLIENT_TAG);
}

/* A client's timer: submit if the rate now admits it (thinning), then arm the next one. */
static void client_fire(lbft *l, cp_env *env)
{
    double r = rate_at(l, env_now(env)), m = rate_max(l);
    int go = l->cfg.tx_pattern == LBFT_TX_CONSTANT ? r > 0 : (r >= m || (r > 0 && rng_unit(env->rng) < r / m));
    if (go) client_submit(l, env);
    client_arm(l, env, 0);
}

/* A proposer receives a transaction: verify it into the pool. */
static void on_tx(lbft *l, cp_env *env, pstate *p, cp_msg *m)
{
    const uint8_t *b = m->data;
    size_t len = m->len;
    uint64_t id = get64(b + 1);
    if (l->lg) { /* ledger mode: a new transaction is verified (charged), pooled and gossiped on */
        int verified = 0;
        int rc = id < l->n_tx ? lbft_lg_on_tx(l->lg, (uint32_t)(p - l->p), id, b + 9, len - 9, l->cfg.memo, &verified)
                              : -1;
        if (verified) cost_charge(env, l->cfg.costs, COST_VERIFY, 1);
        if (rc < 0) l->bad_sigs++;
        if (rc == 1) to_some_proposers(l, env, m, 3); /* gossip on */
        return;
    }
    uint32_t client = get32(b + 9);
    if (id >= l->n_tx || client >= l->n_nodes || l->tx[id].client != client) return;
    uint8_t tm[24];
    tx_message(tm, id, client);
    cost_charge(env, l->cfg.costs, COST_VERIFY, 1);
    if (!l->node_pk_set[client]) { /* the client's public key, as every node knows it */
        cr_keypair kp;
        cr_keypair_derive(&kp, l->cfg.seed, client);
        memcpy(l->node_pk[client], kp.pk, 32);
        l->node_pk_set[client] = 1;
    }
    if (cr_verify(l->cfg.memo, b + 17, tm, sizeof tm, l->node_pk[client]) != CR_OK) {
        l->bad_sigs++;
        return;
    }
    if (p->n_pool == p->cap_pool) {
        uint32_t cap = p->cap_pool ? p->cap_pool * 2 : 256;
        uint64_t *a = realloc(p->pool, cap * sizeof *a);
        if (!a) return;
        p->pool = a, p->cap_pool = cap;
    }
    p->pool[p->n_pool++] = id;
}

/* Does a block message carry a certificate: a quorum of valid commit signatures over its hash?
 * (Checked until the quorum is reached, each signature verified and charged.) */
static int cert_ok(lbft *l, cp_env *env, const uint8_t *b, uint8_t hash[32])
{
    const uint8_t *hdr = b + 1;
    cr_hash(hash, hdr, HDR);
    uint32_t words = bm_words(l->n), k = 0, good = 0;
    const uint8_t *sig = sigs_of(b, words);
    for (uint32_t w = 0; w < words && (int)good < quorum(l, hdr_impeach(hdr)); w++)
        for (uint64_t bits = get64(b + SIGS_AT + 8 * w); bits && (int)good < quorum(l, hdr_impeach(hdr));
             bits &= bits - 1, k++)
            good += (uint32_t)verify_as(l, env, w * 64 + (uint32_t)__builtin_ctzll(bits), sig + 64 * (size_t)k, hash, 32);
    return (int)good >= quorum(l, hdr_impeach(hdr));
}

/* A validator hands an inserted block to `fanout` random civilians (its own stream). */
static void civilians_send(lbft *l, cp_env *env, cp_msg *m)
{
    for (uint32_t k = 0; l->nciv && k < l->cfg.civ_fanout; k++)
        env_send(env, l->civ0 + (uint32_t)rng_below(env->rng, l->nciv), m);
}

/* A civilian accepts a block only with a valid certificate, extending its own chain, then
 * relays it to its neighbours. */
static void on_civ_block(lbft *l, cp_env *env, uint32_t from, cp_msg *m)
{
    const uint8_t *b = m->data, *hdr = b + 1;
    uint32_t c = env->self - l->civ0;
    uint64_t h = hdr_height(hdr);
    uint8_t hash[32];
    if (h != l->civ_height[c] + 1 || memcmp(hdr + 8, l->civ_head[c], 32) != 0 || h > l->cfg.heights + 1) return;
    if (!cert_ok(l, env, b, hash)) return;
    l->civ_height[c] = h;
    memcpy(l->civ_head[c], hash, 32);
    l->civ_arrival[h * l->nciv + c] = env_now(env);
    uint32_t k;
    const uint32_t *nb = graph_neighbors(&l->civ, c, &k);
    for (uint32_t i = 0; i < k; i++)
        if (l->civ0 + nb[i] != from) env_send(env, l->civ0 + nb[i], m);
}

/* A block with its certificate reached a proposer: insert if it extends the head. */
static void on_newblock(lbft *l, cp_env *env, pstate *p, const uint8_t *b, size_t len)
{
    const uint8_t *hdr = b + 1;
    if (hdr_height(hdr) != p->height + 1 || memcmp(hdr + 8, p->head, 32) != 0) return;
    uint8_t hash[32];
    if (!cert_ok(l, env, b, hash)) return;
    uint64_t *ids = NULL;
    uint32_t cap = 0, ntx = 0;
    if (body_ids(l, b, &ids, &cap, &ntx) != 0) {
        free(ids);
        return;
    }
    mark_txs(l, ids, ntx, hdr_height(hdr));
    if (l->lg) lbft_lg_included(l->lg, (uint32_t)(p - l->p), ids, ntx);
    free(ids);
    p->height++;
    memcpy(p->head, hash, 32);
    p->head_time = hdr_time(hdr);
    schedule_proposal(l, env, p);
}

/* ---- sync: catching up after a crash or a gap ------------------------------------------ */

/* Ask `to` (or, with NONE, every validator) for the blocks from height `from` on; at most one
 * request per half period. */
static void ask_sync(lbft *l, cp_env *env, cp_time *last, uint64_t from, uint32_t to)
{
    cp_time now = env_now(env);
    if (*last && now < *last + l->cfg.period / 2) return;
    *last = now ? now : 1;
    cp_msg *m = env_msg_new(env, LBFT_MSG_SYNC, SYNCLEN, SYNCLEN + 20);
    if (!m) return;
    m->data[0] = LBFT_MSG_SYNC;
    put64(m->data + 1, from);
    if (to != NONE) env_send(env, to, m);
    for (uint32_t i = 0; to == NONE && i < l->n; i++)
        if (i != env->self) env_send(env, i, m);
    env_msg_unref(env, m);
}

/* A validator answers a sync request with the blocks it has inserted from that height on. */
static void on_sync(lbft *l, cp_env *env, vstate *v, uint32_t from, const uint8_t *b)
{
    uint64_t h = get64(b + 1);
    for (uint32_t k = 0; k < SYNC_BATCH && h < v->height && h < l->cap_store; k++, h++)
        if (l->store[h]) env_send(env, from, l->store[h]);
}

/* A validator learns a certified block of its open height from a sync answer (or a relay). */
static void on_sync_block(lbft *l, cp_env *env, vstate *v, const uint8_t *b)
{
    const uint8_t *hdr = b + 1;
    if (memcmp(hdr + 8, v->head, 32) != 0) return;
    int imp = hdr_impeach(hdr);
    sigset cert = {0, NULL, NULL};
    uint64_t *ids = NULL;
    uint32_t cap = 0, ntx = 0;
    uint8_t hash[32], h2[HDR], seal[SEAL];
    cr_hash(hash, hdr, HDR);
    if (set_alloc(&cert, l->n) == 0 && body_ids(l, b, &ids, &cap, &ntx) == 0) {
        merge(l, env, &cert, b, 0, hash, 32);
        if ((int)cert.count >= quorum(l, imp)) {
            memcpy(h2, hdr, HDR), memcpy(seal, b + 1 + HDR, SEAL);
            insert_ex(l, env, v, h2, hash, seal, &cert, imp, ids ? ids : no_txs, ntx, 1);
        }
    }
    set_free(&cert);
    free(ids);
}

/* ---- dispatch ------------------------------------------------------------------------ */

static void buffer_future(lbft *l, vstate *v, cp_msg *m)
{
    if (v->n_future == v->cap_future) {
        uint32_t cap = v->cap_future ? v->cap_future * 2 : 16;
        if (cap > 16 * l->n + 64) return; /* bounded: a flood of future messages is dropped */
        cp_msg **a = realloc(v->future, cap * sizeof *a);
        if (!a) return;
        v->future = a, v->cap_future = cap;
    }
    env_msg_ref(m);
    v->future[v->n_future++] = m;
}

static void handle(lbft *l, cp_env *env, uint32_t from, cp_msg *m)
{
    const uint8_t *b = m->data;
    if (offline(l, env->self)) return; /* a crashed node hears nothing */
    if (lbft_decode_check(b, m->len, l->n) != 0) {
        l->malformed++;
        return;
    }
    if (env->self >= l->base) { /* clients and civilians */
        if (l->nciv && b[0] == LBFT_MSG_NEWBLOCK) on_civ_block(l, env, from, m);
        return;
    }
    if (ME >= l->n) {
        pstate *p = pstate_of(l, env->self);
        if (b[0] == LBFT_MSG_NEWBLOCK && hdr_height(b + 1) > p->height + 1 && from != NONE)
            ask_sync(l, env, &p->sync_at, p->height + 1, from); /* it missed blocks */
        if (b[0] == LBFT_MSG_NEWBLOCK) on_newblock(l, env, p, b, m->len);
        if (b[0] == LBFT_MSG_TX) on_tx(l, env, p, m);
        return;
    }
    if (b[0] == LBFT_MSG_TX) return;
    vstate *v = vstate_of(l, env->self);
    if (b[0] == LBFT_MSG_SYNC) {
        if (from != NONE) on_sync(l, env, v, from, b);
        return;
    }
    uint64_t h = hdr_height(b + 1);
    if (b[0] == LBFT_MSG_NEWBLOCK) { /* blocks a sync brought; later ones wait their turn */
        if (h == v->height) on_sync_block(l, env, v, b);
        else if (h > v->height) buffer_future(l, v, m);
        return;
    }
    if (h == v->height + 1) buffer_future(l, v, m);
    if (h > v->height + 1 && from != NONE) ask_sync(l, env, &v->sync_at, v->height, from); /* behind */
    if (h != v->height) return;
    switch (b[0]) {
    case LBFT_MSG_PREPREPARE: on_preprepare(l, env, v, b); break;
    case LBFT_MSG_PREPARE: case LBFT_MSG_COMMIT: on_vote(l, env, v, b, m->len); break;
    case LBFT_MSG_VALIDATE: on_validate(l, env, v, b, m->len); break;
    default: on_impeach(l, env, v, b, m->len); break;
    }
}

static void lb_message(void *self, cp_env *env, cp_node from, cp_msg *m) { handle(self, env, from, m); }

static void lb_timer(void *self, cp_env *env, uint64_t tag)
{
    lbft *l = self;
    if (tag == CLIENT_TAG) {
        client_fire(l, env);
        return;
    }
    if (tag & RESEND_BIT) {
        resend(l, env, tag);
        return;
    }
    if (ME >= l->n) {
        propose(l, env, pstate_of(l, env->self), tag);
        return;
    }
    vstate *v = vstate_of(l, env->self);
    if (v->height == tag && !v->impeaching) start_impeach(l, env, v);
}

static void genesis(uint8_t hash[32])
{
    uint8_t hdr[HDR] = {0};
    cr_hash(hash, hdr, HDR);
}

static void lb_start(void *self, cp_env *env)
{
    lbft *l = self;
    if (offline(l, env->self)) return;
    if (env->self < l->base && ME < l->n) {
        vstate *v = vstate_of(l, env->self);
        v->height = 1;
        genesis(v->head);
        v->head_time = 0;
        enter_height(l, env, v);
    } else if (env->self < l->base) {
        pstate *p = pstate_of(l, env->self);
        genesis(p->head);
        schedule_proposal(l, env, p);
    } else {
        if (l->nciv) genesis(l->civ_head[env->self - l->civ0]);
        if (has_load(l)) client_arm(l, env, 1);
    }
}

static void lb_finish(void *self, cp_env *env)
{
    lbft *l = self;
    for (uint32_t i = 0; i < l->n + l->cfg.n_twins; i++) {
        vstate *v = &l->v[i];
        for (uint32_t k = 0; k < v->n_future; k++) env_msg_unref(env, v->future[k]);
        v->n_future = 0;
    }
    for (uint64_t h = 0; h < l->cap_store; h++)
        if (l->store[h]) env_msg_unref(env, l->store[h]), l->store[h] = NULL;
}

/* A crashed node comes back with its chain (CPChain keeps it in its database) but no timers:
 * a validator re-arms its impeach deadline and asks the validators for the blocks it missed;
 * a proposer re-schedules its proposal and asks too; a client resumes submitting. */
static void lb_restart(void *self, cp_env *env)
{
    lbft *l = self;
    if (offline(l, env->self)) return;
    if (env->self < l->base && ME < l->n) {
        vstate *v = vstate_of(l, env->self);
        v->timer = 0; /* the old timer died with the crash */
        v->sync_at = 0;
        enter_height(l, env, v);
        ask_sync(l, env, &v->sync_at, v->height, NONE);
    } else if (env->self < l->base) {
        pstate *p = pstate_of(l, env->self);
        p->sync_at = 0;
        schedule_proposal(l, env, p);
        ask_sync(l, env, &p->sync_at, p->height + 1, NONE);
    } else if (has_load(l)) {
        client_arm(l, env, 1);
    }
}

static const cp_proto_ops lbft_proto = {
    "lbft", lb_start, lb_message, lb_timer, msg_names, LBFT_N_MSG, NULL, 0, lb_finish, lb_restart, NULL,
};

const cp_proto_ops *lbft_ops(void) { return &lbft_proto; }

/* ---- lifecycle ----------------------------------------------------------------------- */

static int civilians_new(lbft *l)
{
    l->civ0 = l->base;
    l->nciv = l->n_nodes - l->civ0;
    if (l->nciv <= l->cfg.civ_degree) return -1;
    size_t cells = ((size_t)l->cfg.heights + 2) * l->nciv;
    l->civ_height = calloc(l->nciv, sizeof *l->civ_height);
    l->civ_head = calloc(l->nciv, 32);
    l->civ_arrival = malloc(cells * sizeof *l->civ_arrival);
    if (!l->civ_height || !l->civ_head || !l->civ_arrival) return -1;
    for (size_t i = 0; i < cells; i++) l->civ_arrival[i] = CP_TIME_NEVER;
    return graph_random(&l->civ, l->nciv, l->cfg.civ_degree, l->cfg.seed, 0x636976ull /* "civ" */);
}

/* Twins name distinct validators or proposers. */
static int twins_ok(const lbft_cfg *cfg)
{
    for (uint32_t i = 0; i < cfg->n_twins; i++) {
        if (cfg->twins[i] >= cfg->validators + cfg->proposers) return 0;
        for (uint32_t j = 0; j < i; j++)
            if (cfg->twins[j] == cfg->twins[i]) return 0;
    }
    return 1;
}

lbft *lbft_new(const lbft_cfg *cfg, uint32_t n_nodes)
{
    uint32_t n = cfg->validators, base = n + cfg->proposers + cfg->n_twins;
    if (n < 4 || n > 1000 || (n - 1) % 3 || cfg->proposers < 1 || base > n_nodes || !twins_ok(cfg) ||
        cfg->term_len < 1 || cfg->view_len < 1 || !cfg->memo || !cfg->costs ||
        (cfg->tx_rate > 0 && base == n_nodes) || cfg->tx_rate < 0)
        return NULL;
    lbft *l = calloc(1, sizeof *l);
    if (!l) return NULL;
    l->cfg = *cfg;
    l->n = n, l->f = (n - 1) / 3, l->n_nodes = n_nodes;
    l->tw0 = n + cfg->proposers, l->base = base;
    uint32_t keys = n + cfg->proposers;
    l->keys = malloc((size_t)keys * sizeof *l->keys);
    l->v = calloc(n + cfg->n_twins, sizeof *l->v); /* twins' slots are indexed by twin order */
    l->p = calloc(cfg->proposers + cfg->n_twins, sizeof *l->p);
    l->node_pk = malloc((size_t)n_nodes * 32);
    l->node_pk_set = calloc(n_nodes, 1);
    if (cr_memo_enabled(cfg->memo)) l->vcache = calloc(2 * (size_t)keys, sizeof *l->vcache);
    int bad = !l->keys || !l->v || !l->p || !l->node_pk || !l->node_pk_set ||
              (cr_memo_enabled(cfg->memo) && !l->vcache);
    for (uint32_t i = 0; !bad && i < n + cfg->n_twins; i++)
        bad = set_alloc(&l->v[i].prep, n) || set_alloc(&l->v[i].comm, n) || set_alloc(&l->v[i].iprep, n) ||
              set_alloc(&l->v[i].icomm, n);
    for (uint32_t i = 0; !bad && i < keys; i++) {
        cr_keypair_derive(&l->keys[i], cfg->seed, i);
    }
    if (!bad && cfg->civ_degree) bad = civilians_new(l);
    if (!bad && cfg->ledger) {
        uint32_t cap = cfg->max_txs * 8 > 1024 ? cfg->max_txs * 8 : 1024;
        bad = !(l->lg = lbft_lg_new(n_nodes, cfg->proposers + cfg->n_twins, cap, base, 1000000000000ull, cfg->seed));
    }
    if (bad) {
        lbft_free(l);
        return NULL;
    }
    return l;
}

void lbft_free(lbft *l)
{
    if (!l) return;
    for (uint32_t i = 0; l->v && i < l->n + l->cfg.n_twins; i++) {
        set_free(&l->v[i].prep), set_free(&l->v[i].comm), set_free(&l->v[i].iprep), set_free(&l->v[i].icomm);
        free(l->v[i].future); /* the references were dropped in lb_finish */
        free(l->v[i].txs);
    }
    for (uint32_t i = 0; l->p && i < l->cfg.proposers + l->cfg.n_twins; i++) free(l->p[i].pool);
    free(l->tx), free(l->tx_ext), free(l->node_pk), free(l->node_pk_set);
    free(l->civ_height), free(l->civ_head), free(l->civ_arrival);
    graph_free(&l->civ);
    free(l->keys), free(l->vcache), free(l->v), free(l->p), free(l->blocks), free(l->first_hash), free(l->first_set), free(l->vlist);
    free(l->first_prop), free(l->terms), free(l->term_set), free(l->store);
    lbft_lg_free(l->lg);
    free(l);
}

const lbft_block_rec *lbft_blocks(const lbft *l, uint64_t *n)
{
    *n = l->n_blocks;
    return l->blocks;
}

uint64_t lbft_violations(const lbft *l) { return l->violations; }

uint32_t lbft_civilians(const lbft *l) { return l->nciv; }

cp_time lbft_civilian_arrival(const lbft *l, uint64_t height, uint32_t civ)
{
    return height <= l->cfg.heights + 1 && civ < l->nciv ? l->civ_arrival[height * l->nciv + civ] : CP_TIME_NEVER;
}

const lbft_tx_rec *lbft_txs(const lbft *l, uint64_t *n)
{
    *n = l->n_tx;
    return l->tx;
}

const lbft_violation *lbft_violation_list(const lbft *l, uint64_t *n)
{
    *n = l->n_vlist;
    return l->vlist;
}
uint64_t lbft_malformed(const lbft *l) { return l->malformed; }

static void check_stall(lbft *l, cp_time healed, cp_time end)
{
    cp_time bound = healed + l->cfg.period + l->cfg.impeach_timeout + CP_S(1);
    if (!healed || bound > end) return;
    uint64_t last = 0;
    for (uint64_t i = 0; i < l->n_blocks; i++) {
        if (l->blocks[i].inserted > healed && l->blocks[i].inserted <= bound) return;
        if (l->blocks[i].inserted <= healed) last = l->blocks[i].height;
    }
    if (last >= l->cfg.heights) return; /* nothing was left to insert */
    add_violation(l, healed, 0, last + 1, LBFT_V_STALL);
}

/* Validators that cannot be counted on (offline, double-signing, twinned). */
static uint32_t faulty_validators(const lbft *l)
{
    uint32_t k = 0;
    for (uint32_t v = 0; v < l->n; v++) k += offline(l, v) || byzantine(l, v) || twinned(l, v);
    return k;
}

void lbft_check_liveness(lbft *l, const lbft_window *w, size_t n, int lossy, cp_time end)
{
    for (size_t i = 0; i < n; i++) check_stall(l, w[i].until, end);
    if (faulty_validators(l) > l->f || n) return; /* no normal quorum to expect, or not synchronous throughout
                                                     (a healed fault can leave validators behind) */
    for (uint64_t i = 0; !lossy && i < l->n_blocks; i++) {
        const lbft_block_rec *b = &l->blocks[i];
        if (!b->impeach) continue;
        uint32_t p = lbft_proposer_of(l, b->height);
        if (offline(l, p) || in_list(l->cfg.equivocators, l->cfg.n_equivocators, p) || twinned(l, p)) continue;
        add_violation(l, b->block_time, p, b->height, LBFT_V_HONEST_IMPEACHED);
    }
}

_Static_assert(LBFT_LEDGER_REASONS == CHAIN_R_COUNT - 1, "one invalid count per chain_reason");

int lbft_ledger_totals(const lbft *l, uint64_t *applied, uint64_t invalid[LBFT_LEDGER_REASONS], uint64_t *evicted)
{
    if (!l->lg) return -1;
    const chain_block_stats *t = lbft_lg_totals(l->lg);
    *applied = t->count[CHAIN_R_APPLIED];
    for (int r = 1; r < CHAIN_R_COUNT; r++) invalid[r - 1] = t->count[r];
    *evicted = lbft_lg_evicted(l->lg);
    return 0;
}
uint64_t lbft_bad_signatures(const lbft *l) { return l->bad_sigs; }
uint64_t lbft_resends(const lbft *l) { return l->resends; }
