/* core/lbft/lbft_load.c: LBFT's client load and transactions (contract in lbft.h): client
 * arrivals (Poisson with thinning, or constant with a random phase; bursts), signed
 * transactions sent to proposers and gossiped on in ledger mode, resends of pending ones,
 * the external submit port with its commit hook, and a proposer's pool.
 *
 * Invariant: a transaction record is created once per submission, in submission order; its
 * height is the first block that included it. */
#include "core/lbft/lbft_int.h"

/* Drop committed transactions from the pool, then take the oldest pending ones. */
uint32_t lbft_pick_txs(lbft *l, pstate *p, uint64_t *ids)
{
    if (l->lg) return lbft_lg_pick(l->lg, (uint32_t)(p - l->p), ids, l->cfg.max_txs);
    uint32_t w = 0, k = 0;
    for (uint32_t i = 0; i < p->n_pool; i++)
        if (!l->tx[p->pool[i]].height) p->pool[w++] = p->pool[i];
    p->n_pool = w;
    for (; k < w && k < l->cfg.max_txs; k++) ids[k] = p->pool[k];
    return k;
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
        if (l->cfg.n_twins && lbft_twinned(l, r) && lbft_side_of(l, env->self, 0) != lbft_side_of(l, node, 0)) continue;
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
    if (all) lbft_to_proposers(l, env, m, 1);
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
void lbft_resend(lbft *l, cp_env *env, uint64_t tag)
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
    lbft_sign_as(l, env, m->data + 17, tm, sizeof tm);
    lbft_to_proposers(l, env, m, 1);
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

int lbft_has_load(const lbft *l) { return rate_max(l) > 0; }

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
void lbft_client_arm(lbft *l, cp_env *env, int first)
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
void lbft_client_fire(lbft *l, cp_env *env)
{
    double r = rate_at(l, env_now(env)), m = rate_max(l);
    int go = l->cfg.tx_pattern == LBFT_TX_CONSTANT ? r > 0 : (r >= m || (r > 0 && rng_unit(env->rng) < r / m));
    if (go) client_submit(l, env);
    lbft_client_arm(l, env, 0);
}

/* A proposer receives a transaction: verify it into the pool. */
void lbft_on_tx(lbft *l, cp_env *env, pstate *p, cp_msg *m)
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

