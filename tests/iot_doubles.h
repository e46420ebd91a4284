/* tests/iot_doubles.h: the worlds the core/iot unit tests run in, on the built-in engine,
 * with the chain and the directory played by test doubles stacked under the protocol
 * (core/stk): test_chain records every submitted transaction and, at each block tick (every
 * `period`), applies what arrived by then to a real core/chain ledger (escrow and trace
 * contracts, nonces, signatures) and reports each result by calling iot_on_commit on node 0;
 * test_dir holds a key-value map and answers put / get after `dir_lat` on the requester's node
 * (corrupt: flips byte 9 of every value served). run_forged also injects forged messages signed
 * with real keys; run_with lets a test schedule its own events (inject: one signed message).
 * Include after tests/harness.h, core/iot/iot.h, core/stk/stk.h and sim/des/des.h. */
#ifndef TESTS_IOT_DOUBLES_H
#define TESTS_IOT_DOUBLES_H

#include "core/chain/chain.h"

static const char *const rn[] = {"r", NULL};

/* ---- test_chain: the chain port's double -------------------------------------------------- */

typedef struct tc_tx {
    uint64_t id;
    cp_node from;
    cp_time at;
    uint32_t len;
    uint8_t b[1200];
    uint8_t done, valid;
} tc_tx;

typedef struct test_chain {
    iot *a;
    uint32_t iot_layer;
    cp_time period, delay; /* block interval; a transaction is in the next block after delay */
    tc_tx *tx;
    size_t n, cap;
    uint64_t height;
    chain_ledger *lg;      /* the real ledger applies each block (escrow and trace contracts) */
    uint64_t bad;          /* transactions the ledger refused */
    uint64_t seed;
} test_chain;

static uint64_t le(const uint8_t *p, int n)
{
    uint64_t v = 0;
    for (int k = 0; k < n; k++) v |= (uint64_t)p[k] << (8 * k);
    return v;
}

static uint64_t tc_submit(void *ctx, cp_env *env, const uint8_t *b, size_t len)
{
    test_chain *c = ctx;
    if (c->n == c->cap) {
        c->cap = c->cap ? 2 * c->cap : 64;
        c->tx = realloc(c->tx, c->cap * sizeof *c->tx);
    }
    if (len > sizeof c->tx->b) return 0;
    tc_tx *t = &c->tx[c->n++];
    memset(t, 0, sizeof *t);
    t->id = c->n, t->from = env->self, t->at = env_now(env), t->len = (uint32_t)len;
    memcpy(t->b, b, len);
    return t->id;
}

/* A fresh ledger for n nodes: every node from FIRST on holds BALANCE, its key bound. */
#define BALANCE 1000000000ull
static chain_ledger *tc_ledger(uint32_t n, uint32_t first, uint64_t seed)
{
    chain_ledger *l = chain_ledger_new(n);
    for (uint32_t v = first; l && v < n; v++) {
        cr_keypair kp;
        cr_keypair_derive(&kp, seed, v);
        chain_ledger_genesis(l, v, BALANCE, kp.pk);
    }
    return l;
}

static void tc_start(void *self, cp_env *env)
{
    test_chain *c = self;
    if (env->self == 0) env_timer(env, c->period, 1);
}

static void tc_timer(void *self, cp_env *env, uint64_t tag)
{
    test_chain *c = self;
    (void)tag;
    c->height++;
    cp_env *ie = stk_env(env, c->iot_layer);
    chain_tx *txs = calloc(c->n + 1, sizeof *txs);
    uint8_t *why = calloc(c->n + 1, 1);
    size_t *idx = calloc(c->n + 1, sizeof *idx), k = 0;
    for (size_t i = 0; i < c->n; i++) {
        tc_tx *t = &c->tx[i];
        if (t->done || t->at + c->delay > env_now(env)) continue;
        t->done = 1;
        if (chain_tx_decode(t->b, t->len, &txs[k]) == CHAIN_OK) idx[k++] = i;
        else c->bad++, iot_on_commit(c->a, ie, t->id, c->height, 0);
    }
    chain_ledger_apply_block_ex(c->lg, NULL, 1, txs, k, NULL, why);
    for (size_t j = 0; j < k; j++) {
        tc_tx *t = &c->tx[idx[j]];
        t->valid = why[j] == CHAIN_R_APPLIED;
        c->bad += !t->valid;
        iot_on_commit(c->a, ie, t->id, c->height, t->valid);
    }
    free(txs), free(why), free(idx);
    env_timer(env, c->period, 1);
}

static const cp_proto_ops tc_ops = {.name = "test_chain", .start = tc_start, .on_timer = tc_timer};

/* ---- test_dir: the directory port's double ------------------------------------------------ */

typedef struct td_op {
    uint8_t put, key[32];
    uint8_t v[128];
    uint32_t len;
    uint64_t cookie;
} td_op;

typedef struct test_dir {
    iot *a;
    uint32_t iot_layer, layer;
    cp_time lat;
    td_op *op;             /* pending ops, by timer tag */
    size_t n_op, cap_op;
    td_op *kv;             /* the stored values */
    size_t n_kv, cap_kv;
    int corrupt;           /* flip a byte of every value served */
} test_dir;

static td_op *td_push(td_op **v, size_t *n, size_t *cap)
{
    if (*n == *cap) *cap = *cap ? 2 * *cap : 64, *v = realloc(*v, *cap * sizeof **v);
    memset(&(*v)[*n], 0, sizeof **v);
    return &(*v)[(*n)++];
}

static int td_put(void *ctx, cp_env *env, const uint8_t key[32], const void *v, uint32_t len, uint64_t cookie)
{
    test_dir *d = ctx;
    if (len > 128) return -1;
    td_op *o = td_push(&d->op, &d->n_op, &d->cap_op);
    o->put = 1, o->len = len, o->cookie = cookie;
    memcpy(o->key, key, 32), memcpy(o->v, v, len);
    env_timer(stk_env(env, d->layer), d->lat, d->n_op - 1);
    return 0;
}

static int td_get(void *ctx, cp_env *env, const uint8_t key[32], uint64_t cookie)
{
    test_dir *d = ctx;
    td_op *o = td_push(&d->op, &d->n_op, &d->cap_op);
    o->cookie = cookie;
    memcpy(o->key, key, 32);
    env_timer(stk_env(env, d->layer), d->lat, d->n_op - 1);
    return 0;
}

static void td_timer(void *self, cp_env *env, uint64_t tag)
{
    test_dir *d = self;
    td_op o = d->op[tag];
    td_op *kv = NULL;
    for (size_t i = 0; i < d->n_kv; i++)
        if (!memcmp(d->kv[i].key, o.key, 32)) kv = &d->kv[i];
    cp_env *ie = stk_env(env, d->iot_layer);
    if (o.put) {
        if (!kv) kv = td_push(&d->kv, &d->n_kv, &d->cap_kv);
        *kv = o;
        iot_on_dir(d->a, ie, o.cookie, 1, NULL, 0);
        return;
    }
    if (!kv) {
        iot_on_dir(d->a, ie, o.cookie, 0, NULL, 0);
        return;
    }
    uint8_t v[128];
    memcpy(v, kv->v, kv->len);
    if (d->corrupt) v[9] ^= 1;
    iot_on_dir(d->a, ie, o.cookie, 1, v, kv->len);
}

static const cp_proto_ops td_ops = {.name = "test_dir", .on_timer = td_timer};

/* ---- running one world --------------------------------------------------------------------- */

typedef struct world {
    iot *a;
    test_chain chain;
    test_dir dir;
} world;

#define FIRST 2u   /* node 0 observes the chain, node 1 stands for the rest of it */

static void world_free(world *w)
{
    iot_free(w->a);
    chain_ledger_free(w->chain.lg);
    free(w->chain.tx), free(w->dir.op), free(w->dir.kv);
    free(w);
}

/* Forged messages injected into a running world (forged > 0): kind, length, receiver and
 * sender at random, small integers where handlers expect indices, signed with the sender's real
 * key (the test knows every key), so the handlers' own checks are what stops them. */
typedef struct forger {
    stk *s;
    uint32_t n;
    uint64_t seed;
    cp_rng r;
} forger;

static void forge(des *d, void *arg, uint32_t index)
{
    forger *f = arg;
    uint8_t b[256], dg[32], pre[9 + 192];
    uint32_t kinds = iot_ops()->n_msg_types, kind = (uint32_t)rng_below(&f->r, kinds);
    size_t len = 1 + (size_t)rng_below(&f->r, 160);
    (void)index;
    rng_bytes(&f->r, b + 1, len - 1);
    b[0] = (uint8_t)kind;
    for (size_t k = 1; k + 4 <= len && k < 9; k += 4) {
        uint32_t small = (uint32_t)rng_below(&f->r, 64);
        memcpy(b + k, &small, 4);
    }
    cp_node from = kind == 0 && rng_below(&f->r, 2) ? 0 : (cp_node)rng_below(&f->r, f->n);
    cp_node to = FIRST + (cp_node)rng_below(&f->r, f->n - FIRST);
    cr_keypair kp;
    cr_keypair_derive(&kp, f->seed, from);
    memcpy(pre, "cpsim-iot", 9), memcpy(pre + 9, b, len);
    cr_hash(dg, pre, 9 + len);
    cr_sign(b + len, dg, 32, &kp);
    cp_msg *m = malloc(sizeof(cp_msg) + len + 64); /* flags 0: released with free() */
    m->refs = 1, m->flags = 0, m->type = stk_type(f->s, 2, (uint16_t)kind);
    m->len = m->wire_size = (uint32_t)(len + 64);
    memcpy(m->data, b, len + 64);
    des_deliver(d, from, to, m, des_now(d));
}

/* Called once the engine exists, before it runs: schedules the test's own events. */
typedef void (*run_setup_fn)(des *d, stk *s, world *w, void *arg);

static world *run_with(const iot_cfg *cfg, uint32_t n, uint64_t seed, cp_time dur, int corrupt, uint32_t forged,
                       run_setup_fn setup, void *arg)
{
    world *w = calloc(1, sizeof *w);
    char err[200];
    w->a = iot_new(cfg, n, seed, err, sizeof err);
    if (!w->a) {
        printf("# iot_new: %s\n", err);
        free(w);
        return NULL;
    }
    stk *s = stk_new();
    w->chain = (test_chain){.a = w->a, .iot_layer = 2, .period = CP_S(2), .delay = CP_MS(100), .seed = seed,
                            .lg = tc_ledger(n, FIRST, seed)};
    w->dir = (test_dir){.a = w->a, .iot_layer = 2, .layer = 1, .lat = CP_MS(150), .corrupt = corrupt};
    stk_add(s, &tc_ops, &w->chain), stk_add(s, &td_ops, &w->dir), stk_add(s, iot_ops(), w->a);
    iot_chain_port cp = {&w->chain, tc_submit};
    iot_dir_port dp = {&w->dir, td_put, td_get};
    iot_set_ports(w->a, &cp, &dp);
    cp_time r[1] = {CP_MS(20)};
    net_class cls[1] = {{"server", 1.0, 0, 0, 0}};
    net_cfg nc = {1, rn, r, NET_JITTER_NONE, 0, 0, 1, cls};
    net *nt = net_new(&nc, n);
    des_cfg dc = {seed, n, dur, nt, stk_ops(s), s, NULL, NULL, NULL, NULL};
    des *e = des_new(&dc);
    forger fg = {s, n, seed, {{0}}};
    rng_seed(&fg.r, seed, 0, 0xF06E);
    for (uint32_t i = 0; e && i < forged; i++) des_call_at(e, 1 + (cp_time)rng_below(&fg.r, dur - 1), forge, &fg, i);
    if (e && setup) setup(e, s, w, arg);
    int rc = e ? des_run(e) : -1;
    des_free(e);
    net_free(nt);
    stk_free(s);
    if (rc != 0) world_free(w), w = NULL;
    return w;
}

static world *run_forged(const iot_cfg *cfg, uint32_t n, uint64_t seed, cp_time dur, int corrupt, uint32_t forged)
{
    return run_with(cfg, n, seed, dur, corrupt, forged, NULL, NULL);
}

static world *run(const iot_cfg *cfg, uint32_t n, uint64_t seed, cp_time dur, int corrupt)
{
    return run_forged(cfg, n, seed, dur, corrupt, 0);
}

/* Deliver the message b[0..len) from `from` to `to` now, signed with from's real key. */
static inline void inject(des *d, stk *s, uint64_t seed, cp_node from, cp_node to, const uint8_t *b, size_t len)
{
    uint8_t dg[32], pre[9 + 256];
    cr_keypair kp;
    cr_keypair_derive(&kp, seed, from);
    memcpy(pre, "cpsim-iot", 9), memcpy(pre + 9, b, len);
    cr_hash(dg, pre, 9 + len);
    cp_msg *m = malloc(sizeof(cp_msg) + len + 64); /* flags 0: released with free() */
    m->refs = 1, m->flags = 0, m->type = stk_type(s, 2, b[0]);
    m->len = m->wire_size = (uint32_t)(len + 64);
    memcpy(m->data, b, len);
    cr_sign(m->data + len, dg, 32, &kp);
    des_deliver(d, from, to, m, des_now(d));
}

static const tc_tx *tx_of(const world *w, uint8_t kind, uint64_t escrow)
{
    for (size_t i = 0; i < w->chain.n; i++)
        if (w->chain.tx[i].b[0] == kind && le(w->chain.tx[i].b + 67, 8) == escrow) return &w->chain.tx[i];
    return NULL;
}

#endif
