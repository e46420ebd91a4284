/* core/data/data_agg.c: threshold-homomorphic aggregation. At time 0 the committee runs a
 * joint-Feldman DKG (core/crypto/dkg.h): each member deals agg_t commitments and sends every
 * other member its share boxed with an X25519 key derived from both members' Ed25519 keys; a
 * member that took every dealer's verified share holds its key share, and the first to get
 * there publishes the joint public key (and everyone's verification keys, public functions of
 * the commitments). Devices encrypt one reading per window under that key; the aggregator
 * (gateway 0) adds the ciphertexts of a window until agg_grace after its end, then asks the
 * committee for partial decryptions, verifies each (DLEQ proof) and combines agg_t of them; on
 * a chain it records the result (a data record of stream 1 whose chunk hash commits to the
 * window, the sum and the count). Invariant: nobody ever holds the committee's secret key and
 * the aggregator learns only the sum; the plain sum it is checked against is simulation
 * bookkeeping. Not modelled: DKG complaints (a member missing a dealer or rejecting a share
 * gets no key share and is counted). */
#include "core/data/data_int.h"

#include <sodium.h>
#include <stdlib.h>
#include <string.h>

#include "core/crypto/dkg.h"

#define AGG_BOUND_LOG2 24
#define AGG_BABY_LOG2 12

int data_agg_make(data *d, cp_rng *rng)
{
    const data_cfg *c = &d->cfg;
    if (!c->agg_window) return 0;
    d->n_win = (size_t)((c->data_end + c->agg_window - 1) / c->agg_window);
    d->win = calloc(d->n_win ? d->n_win : 1, sizeof *d->win);
    d->ws = calloc(d->n_win ? d->n_win : 1, sizeof *d->ws);
    d->shares = calloc(c->committee, sizeof *d->shares);
    d->dkg_sum = calloc((size_t)c->committee * c->agg_t, 32);
    d->dkg_got = calloc((size_t)c->committee * ((c->committee + 7) / 8), 1);
    d->dkg_n = calloc(c->committee, sizeof *d->dkg_n);
    if (!d->win || !d->ws || !d->shares || !d->dkg_sum || !d->dkg_got || !d->dkg_n) return -1;
    for (size_t w = 0; w < d->n_win; w++) {
        d->win[w].closed = d->win[w].done = d->win[w].onchain = CP_TIME_NEVER;
        d->ws[w].pd = calloc(c->committee, sizeof *d->ws[w].pd);
        d->ws[w].pd_ok = calloc(c->committee, 1);
        if (!d->ws[w].pd || !d->ws[w].pd_ok) return -1;
    }
    (void)rng;
    return 0; /* the key comes from the committee's DKG */
}

void data_agg_free(data *d)
{
    for (size_t w = 0; d->ws && w < d->n_win; w++) free(d->ws[w].pd), free(d->ws[w].pd_ok);
    free(d->win), free(d->ws), free(d->shares), free(d->dkg_sum), free(d->dkg_got), free(d->dkg_n);
    he_free(d->he);
}

static cp_node aggregator(const data *d) { return d->first[DATA_GATEWAY]; }

static cp_time close_at(const data *d, size_t w)
{
    return (cp_time)(w + 1) * d->cfg.agg_window + d->cfg.agg_grace;
}

static cp_time send_at(const data *d, cp_node dev, size_t w)
{
    return (cp_time)w * d->cfg.agg_window + d->dev[dev - d->first[DATA_DEVICE]].offset % d->cfg.agg_window;
}

static uint32_t value_at(const data *d, cp_node dev, size_t w)
{
    const dev_st *s = &d->dev[dev - d->first[DATA_DEVICE]];
    cp_time t = send_at(d, dev, w);
    return data_model_value(&d->cfg.model, d->seed, dev - d->first[DATA_DEVICE], t < s->offset ? 0 : (t - s->offset) / d->cfg.sample_interval,
                            data_sample_s(d));
}

/* ---- the committee's DKG ------------------------------------------------------------ */

/* The box key between committee members a (own secret) and b (its public key). */
static void box_key(data *d, cp_env *env, cp_node a, cp_node b, uint8_t k[32])
{
    uint8_t sk[32], pk[32];
    crypto_sign_ed25519_sk_to_curve25519(sk, d->sig[a].sk);
    if (crypto_sign_ed25519_pk_to_curve25519(pk, d->sig[b].pk) != 0 || crypto_box_beforenm(k, pk, sk) != 0)
        memset(k, 0, 32);
    sodium_memzero(sk, sizeof sk);
    data_charge(d, env, COST_DH, 1);
}

/* Member me took dealer i's commitments and verified share. */
static void dkg_take(data *d, cp_env *env, uint32_t me, uint32_t i, const uint8_t (*commit)[32], const uint8_t s[32])
{
    uint32_t t = d->cfg.agg_t, nb = (d->cfg.committee + 7) / 8;
    uint8_t (*sum)[32] = d->dkg_sum + (size_t)me * t, *got = d->dkg_got + (size_t)me * nb;
    got[i / 8] |= (uint8_t)(1u << (i % 8));
    if (d->dkg_n[me]++ == 0) memcpy(sum, commit, (size_t)t * 32);
    else if (dkg_commit_add(sum, commit, t) != CR_OK) d->cnt.dkg_bad++;
    dkg_share_add(d->shares[me].sk, s);
    if (d->dkg_n[me] < d->cfg.committee) return;
    data_charge(d, env, COST_EC_MUL, t); /* its own verification key */
    if (!d->he) { /* the first key share: publish the key and every member's verification key */
        d->he = he_elgamal_public(sum[0], AGG_BOUND_LOG2, AGG_BABY_LOG2);
        for (uint32_t j = 0; j < d->cfg.committee; j++)
            if (dkg_eval(d->shares[j].vk, (const uint8_t(*)[32])sum, t, (uint64_t)j + 1) != CR_OK) d->cnt.dkg_bad++;
    } else if (sodium_memcmp(he_elgamal_pk(d->he), sum[0], 32) != 0) {
        d->cnt.dkg_bad++; /* another transcript than the first member's: no key share */
        return;
    }
    d->shares[me].index = (uint16_t)(me + 1);
    d->cnt.dkg_done++;
    d->dkg_end = env_now(env);
}

static void dkg_deal_out(data *d, cp_env *env)
{
    uint32_t t = d->cfg.agg_t, n = d->cfg.committee, me = env->self - d->first[DATA_COMMITTEE];
    uint8_t (*commit)[32] = malloc((size_t)t * 32), (*share)[32] = malloc((size_t)n * 32);
    if (commit && share && dkg_deal(env->rng, t, n, commit, share) == CR_OK) {
        data_charge(d, env, COST_EC_MUL_BASE, t);
        for (uint32_t j = 0; j < n; j++) {
            if (j == me) continue;
            uint8_t k[32], nonce[crypto_box_NONCEBYTES], box[32 + crypto_box_MACBYTES];
            box_key(d, env, env->self, d->first[DATA_COMMITTEE] + j, k);
            rng_bytes(env->rng, nonce, sizeof nonce);
            crypto_box_easy_afternm(box, share[j], 32, nonce, k);
            wr w;
            wr_init(&w, d);
            wr_u8(&w, DATA_M_DKG);
            wr_u16(&w, (uint16_t)(me + 1));
            wr_bytes(&w, commit, (size_t)t * 32);
            wr_bytes(&w, nonce, sizeof nonce);
            wr_bytes(&w, box, sizeof box);
            if (!w.bad) data_send(d, env, d->first[DATA_COMMITTEE] + j, DATA_M_DKG, w.p, w.n);
        }
        dkg_take(d, env, me, me, (const uint8_t(*)[32])commit, share[me]);
    }
    if (commit) sodium_memzero(share, (size_t)n * 32);
    free(commit), free(share);
}

void data_on_dkg(data *d, cp_env *env, cp_node from, rd *r)
{
    uint32_t t = d->cfg.agg_t, nb = (d->cfg.committee + 7) / 8;
    uint32_t i = rd_u16(r) - 1u, me = env->self - d->first[DATA_COMMITTEE];
    const uint8_t *commit = rd_bytes(r, (size_t)t * 32), *nonce = rd_bytes(r, crypto_box_NONCEBYTES);
    const uint8_t *box = rd_bytes(r, 32 + crypto_box_MACBYTES);
    if (!rd_done(r) || data_role_of(d, env->self) != DATA_COMMITTEE || data_role_of(d, from) != DATA_COMMITTEE ||
        i != from - d->first[DATA_COMMITTEE] || (d->dkg_got[(size_t)me * nb + i / 8] >> (i % 8) & 1)) {
        d->cnt.malformed++;
        return;
    }
    uint8_t k[32], s[32];
    box_key(d, env, env->self, from, k);
    data_charge(d, env, COST_EC_MUL, t - 1);
    data_charge(d, env, COST_EC_MUL_BASE, 1);
    if (crypto_box_open_easy_afternm(s, box, 32 + crypto_box_MACBYTES, nonce, k) != 0 ||
        dkg_verify((const uint8_t(*)[32])commit, t, (uint64_t)me + 1, s) != CR_OK) {
        d->cnt.dkg_bad++;
        return;
    }
    dkg_take(d, env, me, i, (const uint8_t(*)[32])commit, s);
    sodium_memzero(s, sizeof s);
}

/* ---- windows ------------------------------------------------------------------------ */

void data_agg_start(data *d, cp_env *env)
{
    if (!d->n_win) return;
    int r = data_role_of(d, env->self);
    if (r == DATA_COMMITTEE) dkg_deal_out(d, env);
    if (r == DATA_DEVICE && send_at(d, env->self, 0) <= d->cfg.data_end)
        env_timer(env, send_at(d, env->self, 0), DTAG(T_AGG_SEND, 0));
    if (env->self == aggregator(d)) env_timer(env, close_at(d, 0), DTAG(T_AGG_CLOSE, 0));
}

/* After a crash, re-arm only a timer that was lost (due while down); windows missed stay
 * unsent (device) or unclosed (aggregator). */
void data_agg_restart(data *d, cp_env *env)
{
    cp_time now = env_now(env);
    if (data_role_of(d, env->self) == DATA_DEVICE) {
        dev_st *s = &d->dev[env->self - d->first[DATA_DEVICE]];
        size_t w = s->agg_next;
        if (w >= d->n_win || send_at(d, env->self, w) >= now) return;
        while (w < d->n_win && send_at(d, env->self, w) < now) w++;
        if (w < d->n_win && send_at(d, env->self, w) <= d->cfg.data_end)
            s->agg_next = (uint32_t)w, env_timer(env, send_at(d, env->self, w) - now, DTAG(T_AGG_SEND, w));
    }
    if (env->self != aggregator(d)) return;
    size_t w = 0;
    while (w < d->n_win && d->win[w].closed != CP_TIME_NEVER) w++;
    if (w >= d->n_win || close_at(d, w) >= now) return;
    while (w < d->n_win && close_at(d, w) < now) w++;
    if (w < d->n_win) env_timer(env, close_at(d, w) - now, DTAG(T_AGG_CLOSE, w));
}

static void put_ct(wr *w, uint32_t win, const he_ct *ct, uint8_t type)
{
    wr_u8(w, type);
    wr_u32(w, win);
    wr_bytes(w, ct->b, HE_EG_CT_BYTES);
}

static int get_ct(rd *r, he_ct *ct)
{
    const uint8_t *b = rd_bytes(r, HE_EG_CT_BYTES);
    memset(ct, 0, sizeof *ct);
    ct->scheme = HE_ELGAMAL, ct->len = HE_EG_CT_BYTES;
    if (b) memcpy(ct->b, b, HE_EG_CT_BYTES);
    return b != NULL;
}

static void dev_send(data *d, cp_env *env, uint32_t w)
{
    he_ct ct;
    d->dev[env->self - d->first[DATA_DEVICE]].agg_next = w + 1;
    if (w + 1 < d->n_win && send_at(d, env->self, w + 1) <= d->cfg.data_end)
        env_timer(env, send_at(d, env->self, w + 1) - env_now(env), DTAG(T_AGG_SEND, w + 1));
    if (!d->he) { /* the committee has no key yet */
        d->cnt.agg_no_key++;
        return;
    }
    data_charge(d, env, COST_HE_ENC, 1);
    if (he_encrypt(d->he, value_at(d, env->self, w), env->rng, &ct) != CR_OK) return;
    wr o;
    wr_init(&o, d);
    put_ct(&o, w, &ct, DATA_M_AGG_CT);
    if (!o.bad) data_send(d, env, aggregator(d), DATA_M_AGG_CT, o.p, o.n);
}

static void close_window(data *d, cp_env *env, uint32_t w)
{
    if (w + 1 < d->n_win) env_timer(env, d->cfg.agg_window, DTAG(T_AGG_CLOSE, w + 1));
    d->win[w].closed = env_now(env);
    if (!d->win[w].contributions) return;
    wr o;
    wr_init(&o, d);
    put_ct(&o, w, &d->ws[w].sum, DATA_M_AGG_REQ);
    for (cp_node v = d->first[DATA_COMMITTEE]; !o.bad && v < d->first[DATA_COMMITTEE + 1]; v++)
        data_send(d, env, v, DATA_M_AGG_REQ, o.p, o.n);
}

void data_on_agg_timer(data *d, cp_env *env, int kind, uint32_t w)
{
    if (w >= d->n_win) return;
    if (kind == T_AGG_SEND) dev_send(d, env, w);
    else close_window(d, env, w);
}

void data_on_agg_ct(data *d, cp_env *env, cp_node from, rd *r)
{
    uint32_t w = rd_u32(r);
    he_ct ct;
    if (!get_ct(r, &ct) || !rd_done(r) || w >= d->n_win || env->self != aggregator(d) ||
        data_role_of(d, from) != DATA_DEVICE) {
        d->cnt.malformed++;
        return;
    }
    data_window *win = &d->win[w];
    if (win->closed != CP_TIME_NEVER) {
        win->late++;
        return;
    }
    if (win->contributions) {
        data_charge(d, env, COST_HE_ADD, 1);
        if (he_add(d->he, &d->ws[w].sum, &ct, &d->ws[w].sum) != CR_OK) return;
    } else {
        d->ws[w].sum = ct;
    }
    win->contributions++;
    win->plain_sum += value_at(d, from, w);
    d->cnt.agg_cts++;
}

void data_on_agg_req(data *d, cp_env *env, cp_node from, rd *r)
{
    uint32_t w = rd_u32(r);
    he_ct ct;
    if (!get_ct(r, &ct) || !rd_done(r) || w >= d->n_win || from != aggregator(d) ||
        data_role_of(d, env->self) != DATA_COMMITTEE) {
        d->cnt.malformed++;
        return;
    }
    he_pdec pd;
    const he_share *sh = &d->shares[env->self - d->first[DATA_COMMITTEE]];
    if (!sh->index) return; /* no key share (DKG incomplete) */
    data_charge(d, env, COST_HE_PARTIAL, 1);
    if (he_partial(sh, &ct, env->rng, &pd) != CR_OK) return;
    wr o;
    wr_init(&o, d);
    wr_u8(&o, DATA_M_AGG_PDEC);
    wr_u32(&o, w);
    wr_u16(&o, pd.index);
    wr_bytes(&o, pd.d, 32);
    wr_bytes(&o, pd.c, 32);
    wr_bytes(&o, pd.z, 32);
    if (!o.bad) data_send(d, env, from, DATA_M_AGG_PDEC, o.p, o.n);
}

/* The aggregator records window w's result on chain: a data record of stream 1 whose one chunk
 * hash is BLAKE2b-256(window, sum, contributions). */
static void record_result(data *d, cp_env *env, uint32_t w, uint64_t m)
{
    uint8_t in[20], h[1][32], out[CHAIN_TX_MAX];
    for (int k = 0; k < 4; k++) in[k] = (uint8_t)(w >> (8 * k));
    for (int k = 0; k < 8; k++) in[4 + k] = (uint8_t)(m >> (8 * k));
    for (int k = 0; k < 8; k++) in[12 + k] = (uint8_t)((uint64_t)d->win[w].contributions >> (8 * k));
    cr_hash(h[0], in, sizeof in);
    chain_tx *tx = calloc(1, sizeof *tx);
    size_t n = tx && chain_tx_set_record(tx, env->self, 1, w, (const uint8_t(*)[32])h, 1) == CHAIN_OK
                   ? data_tx_sign(d, env, tx, out) : 0;
    free(tx);
    if (n) data_tx_append(d, env, CHAIN_TX_DATA_RECORD, env->self, 1ull << 63 | w, out, n);
}

static void combine(data *d, cp_env *env, uint32_t w)
{
    win_st *ws = &d->ws[w];
    he_pdec use[255];
    uint32_t k = 0;
    for (uint32_t i = 0; i < d->cfg.committee && k < d->cfg.agg_t; i++)
        if (ws->pd_ok[i]) use[k++] = ws->pd[i];
    uint64_t m = 0;
    int rc = he_combine(d->he, &ws->sum, use, k, &m);
    data_charge(d, env, COST_HE_COMBINE_PER_SHARE, k);
    data_charge(d, env, COST_HE_DLOG_STEP, (double)he_last_dlog_steps(d->he));
    data_window *win = &d->win[w];
    win->done = env_now(env), win->result = m;
    win->ok = rc == CR_OK && m == win->plain_sum;
    if (win->ok) d->cnt.agg_ok++;
    else d->cnt.agg_bad++;
    if (d->cfg.chain.ctx && rc == CR_OK) record_result(d, env, w, m);
}

void data_on_agg_pdec(data *d, cp_env *env, cp_node from, rd *r)
{
    uint32_t w = rd_u32(r);
    he_pdec pd;
    pd.index = rd_u16(r);
    const uint8_t *a = rd_bytes(r, 32), *b = rd_bytes(r, 32), *c = rd_bytes(r, 32);
    uint32_t i = from - d->first[DATA_COMMITTEE];
    if (!rd_done(r) || w >= d->n_win || env->self != aggregator(d) || data_role_of(d, from) != DATA_COMMITTEE ||
        pd.index != i + 1 || d->ws[w].pd_ok[i]) {
        d->cnt.malformed++;
        return;
    }
    memcpy(pd.d, a, 32), memcpy(pd.c, b, 32), memcpy(pd.z, c, 32);
    data_charge(d, env, COST_HE_PARTIAL_VERIFY, 1);
    if (he_partial_verify(d->shares[i].vk, &d->ws[w].sum, &pd) != CR_OK) return;
    d->ws[w].pd[i] = pd, d->ws[w].pd_ok[i] = 1;
    if (++d->ws[w].n_pd == d->cfg.agg_t && d->win[w].done == CP_TIME_NEVER) combine(d, env, w);
}
