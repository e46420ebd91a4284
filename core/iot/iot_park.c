/* core/iot/iot_park.c: seamless parking (contract in iot.h). A driver arrives at a lot, the
 * lock offers its terms, the driver locks a deposit in an escrow, the lock lowers once the
 * escrow is committed (NOTE from the observer), the car stays, leaves, the lock bills by the
 * started minute, the driver countersigns and the lock settles on chain. Invariant: a lot
 * never holds more than `spaces` cars (a space is taken at the offer and given back at the
 * leave or a refused deposit), and a visit moves only forward (offer, open, stay, bill, settle)
 * with each step checked against the visit both sides hold. */
#include "core/iot/iot_int.h"

#include <string.h>

static int is_lock(const iot *a, cp_node v) { return v >= a->first[0] && v < a->first[1]; }
static int is_driver(const iot *a, cp_node v) { return v >= a->first[1] && v < a->first[2]; }
static drv_st *driver(iot *a, cp_node v) { return &a->drv[v - a->first[1]]; }

/* Occupied space-time accounting, then the change. */
static void occupy(iot *a, cp_env *env, int delta)
{
    lock_st *l = &a->lock[env->self - a->first[0]];
    cp_time now = env_now(env);
    l->busy += (now - l->since) * l->occupied;
    l->since = now;
    l->occupied = (uint32_t)((int)l->occupied + delta);
}

/* The next visit after an exponential gap: each lot then sees arrival_rate per hour from the
 * drivers who are away (a thinned superposition of Poisson streams). */
static void next_visit(iot *a, cp_env *env)
{
    const iot_park_cfg *p = &a->cfg.park;
    double per_driver = p->arrival_rate * p->locks / p->drivers / 3600.0;
    env_timer(env, (cp_time)rng_exp(env->rng, 1e9 / per_driver), ITAG(T_VISIT, 0));
}

void iot_park_start(iot *a, cp_env *env)
{
    if (is_driver(a, env->self)) next_visit(a, env);
}

static void send_visit(iot *a, cp_env *env, cp_node to, uint8_t kind, uint32_t visit)
{
    iw w;
    iw_init(&w, a);
    iw_u8(&w, kind), iw_u32(&w, visit);
    if (kind == M_OFFER) iw_u64(&w, a->cfg.park.price_per_min), iw_u64(&w, a->cfg.park.deposit);
    iot_send_signed(a, env, to, &w);
}

static void visit(iot *a, cp_env *env)
{
    drv_st *d = driver(a, env->self);
    if (env_now(env) > a->cfg.end || d->visit != NONE32) return;
    cp_node lock = a->first[0] + (cp_node)rng_below(env->rng, a->cfg.park.locks);
    d->visit = iot_new_session(a, env->self, lock, env_now(env));
    if (d->visit != NONE32) send_visit(a, env, lock, M_HELLO, d->visit);
}

/* The visit `v` named by a message from `from` to this lock, or NULL. */
static iot_session *lock_visit(iot *a, cp_env *env, cp_node from, uint32_t v)
{
    if (v >= a->n_ses || a->ses[v].user != from || a->ses[v].infra != env->self) return NULL;
    return &a->ses[v];
}

static void on_hello(iot *a, cp_env *env, cp_node from, uint32_t v)
{
    iot_session *x = lock_visit(a, env, from, v);
    if (!x || x->reserved != CP_TIME_NEVER || x->open_sent != CP_TIME_NEVER) {
        a->cnt.malformed++;
        return;
    }
    if (a->lock[env->self - a->first[0]].occupied >= a->cfg.park.spaces) {
        a->cnt.turned_away++;
        send_visit(a, env, from, M_FULL, v);
        return;
    }
    occupy(a, env, +1);
    send_visit(a, env, from, M_OFFER, v);
}

void iot_park_note(iot *a, cp_env *env, const chain_tx *tx, int valid)
{
    if (tx->kind != CHAIN_TX_ESCROW_OPEN || !is_lock(a, env->self) || !is_driver(a, tx->sender)) return;
    uint32_t v = driver(a, tx->sender)->visit;
    iot_session *x = v == NONE32 ? NULL : lock_visit(a, env, tx->sender, v);
    if (!x || x->escrow != iot_get64(tx->payload) || tx->recipient != env->self || x->open_known != CP_TIME_NEVER ||
        tx->amount < a->cfg.park.deposit)
        return;
    if (!valid) {
        occupy(a, env, -1);
        send_visit(a, env, tx->sender, M_FULL, v);
        return;
    }
    x->open_known = x->plugged = x->start = env_now(env);
    send_visit(a, env, tx->sender, M_OPEN, v);
}

static void on_leave(iot *a, cp_env *env, cp_node from, uint32_t v)
{
    iot_session *x = lock_visit(a, env, from, v);
    if (!x || x->start == CP_TIME_NEVER || x->stop != CP_TIME_NEVER) {
        a->cnt.malformed++;
        return;
    }
    x->stop = env_now(env);
    occupy(a, env, -1);
    x->minutes = (x->stop - x->start + CP_S(60) - 1) / CP_S(60);
    if (!x->minutes) x->minutes = 1;
    uint64_t pay = x->minutes * a->cfg.park.price_per_min;
    x->pay = pay < a->cfg.park.deposit ? pay : a->cfg.park.deposit;
    iw w;
    iw_init(&w, a);
    iw_u8(&w, M_BILL), iw_u32(&w, v), iw_u64(&w, x->escrow), iw_u32(&w, (uint32_t)x->minutes), iw_u64(&w, x->pay);
    iot_send_signed(a, env, from, &w);
}

static void on_paysig(iot *a, cp_env *env, cp_node from, uint32_t v, const uint8_t *sig)
{
    iot_session *x = lock_visit(a, env, from, v);
    if (!x || x->stop == CP_TIME_NEVER || x->settle_sent != CP_TIME_NEVER) {
        a->cnt.malformed++;
        return;
    }
    iot_settle_countersigned(a, env, from, x, sig, v);
}

/* ---- driver side --------------------------------------------------------------------------- */

/* The driver's current visit if `from` is its lock and v names it, else NULL. */
static iot_session *my_visit(iot *a, cp_env *env, cp_node from, uint32_t v)
{
    drv_st *d = driver(a, env->self);
    if (d->visit == NONE32 || d->visit != v || a->ses[v].infra != from) return NULL;
    return &a->ses[v];
}

static void on_offer(iot *a, cp_env *env, cp_node from, uint32_t v, ir *r)
{
    uint64_t price = ir_u64(r), deposit = ir_u64(r);
    iot_session *x = my_visit(a, env, from, v);
    if (!ir_done(r) || !x || x->reserved != CP_TIME_NEVER || deposit > a->cfg.park.deposit ||
        price > a->cfg.park.price_per_min) {
        a->cnt.malformed++;
        return;
    }
    iot_open_escrow(a, env, x, &driver(a, env->self)->escrow_seq, from, deposit, v);
}

static void done(iot *a, cp_env *env)
{
    driver(a, env->self)->visit = NONE32;
    next_visit(a, env);
}

static void on_bill(iot *a, cp_env *env, cp_node from, uint32_t v, ir *r)
{
    uint64_t escrow = ir_u64(r);
    uint32_t minutes = ir_u32(r);
    uint64_t pay = ir_u64(r);
    iot_session *x = my_visit(a, env, from, v);
    if (!ir_done(r) || !x || escrow != x->escrow || pay > a->cfg.park.deposit ||
        pay > (uint64_t)minutes * a->cfg.park.price_per_min || x->unplug != CP_TIME_NEVER) {
        a->cnt.malformed++;
        return;
    }
    iw w;
    iw_init(&w, a);
    iw_u8(&w, M_PAYSIG), iw_u32(&w, v);
    iot_countersign(a, env, from, &w, escrow, pay);
    x->unplug = env_now(env);
    done(a, env);
}

void iot_park_message(iot *a, cp_env *env, cp_node from, uint8_t kind, const cp_msg *m)
{
    ir r;
    int lock = is_lock(a, env->self), drv = is_driver(a, env->self);
    int ok = (lock && (kind == M_HELLO || kind == M_LEAVE || kind == M_PAYSIG)) ||
             (drv && (kind == M_OFFER || kind == M_FULL || kind == M_OPEN || kind == M_BILL));
    if (!iot_open_signed(a, env, from, m, ok, &r)) return;
    uint32_t v = ir_u32(&r);
    if (kind == M_OFFER) on_offer(a, env, from, v, &r);
    else if (kind == M_BILL) on_bill(a, env, from, v, &r);
    else if (kind == M_PAYSIG) {
        const uint8_t *sig = ir_bytes(&r, IOT_SIG);
        if (ir_done(&r)) on_paysig(a, env, from, v, sig);
        else a->cnt.malformed++;
    } else if (!ir_done(&r)) {
        a->cnt.malformed++;
    } else if (kind == M_HELLO) {
        on_hello(a, env, from, v);
    } else if (kind == M_LEAVE) {
        on_leave(a, env, from, v);
    } else if (my_visit(a, env, from, v)) {
        if (kind == M_FULL) done(a, env);
        else env_timer(env, (cp_time)iot_draw(env->rng, a->cfg.park.stay_dist, (double)a->cfg.park.stay_mean),
                       ITAG(T_LEAVE, v));
    } else {
        a->cnt.malformed++;
    }
}

void iot_park_timer(iot *a, cp_env *env, int kind, uint32_t i)
{
    if (kind == T_VISIT) {
        visit(a, env);
        return;
    }
    drv_st *d = driver(a, env->self);
    if (kind != T_LEAVE || d->visit != i) return;
    iw w;
    iw_init(&w, a);
    iw_u8(&w, M_LEAVE), iw_u32(&w, i);
    iot_send_signed(a, env, a->ses[i].infra, &w);
}
