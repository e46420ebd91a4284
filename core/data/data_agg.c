/* core/data/data_agg.c: threshold-homomorphic aggregation. Devices encrypt one reading per
 * window under the committee's ElGamal key; the aggregator (gateway 0) adds the ciphertexts
 * of a window until agg_grace after its end, then asks the committee for partial decryptions,
 * verifies each (DLEQ proof) and combines agg_t of them. Invariant: the aggregator learns
 * only the sum; the plain sum it is checked against is simulation bookkeeping. */
#include "core/data/data_int.h"

#include <stdlib.h>
#include <string.h>

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
    if (!d->win || !d->ws || !d->shares) return -1;
    for (size_t w = 0; w < d->n_win; w++) {
        d->win[w].closed = d->win[w].done = CP_TIME_NEVER;
        d->ws[w].pd = calloc(c->committee, sizeof *d->ws[w].pd);
        d->ws[w].pd_ok = calloc(c->committee, 1);
        if (!d->ws[w].pd || !d->ws[w].pd_ok) return -1;
    }
    d->he = he_elgamal_new(rng, c->agg_t, c->committee, d->shares, AGG_BOUND_LOG2, AGG_BABY_LOG2);
    return d->he ? 0 : -1;
}

void data_agg_free(data *d)
{
    for (size_t w = 0; d->ws && w < d->n_win; w++) free(d->ws[w].pd), free(d->ws[w].pd_ok);
    free(d->win), free(d->ws), free(d->shares);
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

void data_agg_start(data *d, cp_env *env)
{
    if (!d->n_win) return;
    int r = data_role_of(d, env->self);
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
    data_charge(d, env, COST_HE_PARTIAL, 1);
    if (he_partial(&d->shares[env->self - d->first[DATA_COMMITTEE]], &ct, env->rng, &pd) != CR_OK) return;
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
