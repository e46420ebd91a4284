/* core/iot/iot_ev.c: shared EV charging (contract in iot.h). An EV below soc_low looks up
 * the piles of its cell in the directory, reserves the cheapest free one, opens an escrow,
 * drives there and plugs in; the pile charges once it knows the escrow is committed, meters,
 * gets the EV's countersignature and settles on chain. Invariant: a pile serves at most one
 * session at a time (p->session), and every state change of a session is checked against the
 * session both sides hold (EV: ev->session, pile: p->session), so a stale or replayed message
 * changes nothing. With riders (shared travel, iot_travel.c) a car charges from where it
 * stands when a trip leaves it below soc_low and parks at the pile's cell once charged; the
 * rental flow's messages, timers, NOTEs and lookups are handed over to iot_travel.c. */
#include "core/iot/iot_int.h"

#include <math.h>
#include <string.h>

#define NS_PER_H 3.6e12

static uint32_t pile_of(const iot *a, cp_node v) { return v - a->first[0]; }
static uint32_t ev_of(const iot *a, cp_node v) { return v - a->first[1]; }
static int is_pile(const iot *a, cp_node v) { return v >= a->first[0] && v < a->first[1]; }
static int is_ev(const iot *a, cp_node v) { return v >= a->first[1] && v < a->first[2]; }

/* Driving time until the state of charge falls from soc to soc_low. */
static cp_time time_to_low(const iot *a, double soc)
{
    const iot_ev_cfg *e = &a->cfg.ev;
    double h = (soc - e->soc_low) * e->capacity_kwh / e->drive_kw;
    return h > 0 ? (cp_time)(h * NS_PER_H) : 0;
}

/* The pile's signed availability record into the directory. */
static void publish(iot *a, cp_env *env, uint32_t p)
{
    pile_st *s = &a->pile[p];
    uint8_t rec[PILE_REC + IOT_SIG], key[32];
    iw w;
    iw_init(&w, a);
    iw_u32(&w, p), iw_u32(&w, s->cell), iw_u8(&w, s->session == NONE32), iw_u64(&w, s->price);
    iw_u32(&w, ++s->version);
    memcpy(rec, w.p, PILE_REC);
    iot_sign_body(a, env, rec, PILE_REC, rec + PILE_REC);
    iot_cell_key(key, s->cell, s->slot);
    a->cnt.dir_put++;
    if (!a->cfg.dir.put || a->cfg.dir.put(a->cfg.dir.ctx, env, key, rec, sizeof rec, DCOOKIE(D_PUT_PILE, 0, 0, p)) < 0)
        a->cnt.dir_fail++;
}

void iot_ev_start(iot *a, cp_env *env)
{
    const iot_ev_cfg *e = &a->cfg.ev;
    if (is_pile(a, env->self)) {
        publish(a, env, pile_of(a, env->self));
        return;
    }
    if (e->riders) {
        iot_travel_start(a, env);
        return;
    }
    ev_st *s = &a->ev[ev_of(a, env->self)];
    s->soc = e->soc0_min + (e->soc_target - e->soc0_min) * rng_unit(env->rng);
    s->asked = NONE32;
    env_timer(env, time_to_low(a, s->soc), ITAG(T_NEED, 0));
}

static void decide(iot *a, cp_env *env, uint32_t v);

/* One directory round: get every slot of the EV's cell. */
static void lookup(iot *a, cp_env *env, uint32_t v)
{
    ev_st *s = &a->ev[v];
    uint32_t m = a->cell_count[s->cell];
    s->round++, s->best = NONE32, s->best_price = UINT64_MAX, s->gets_left = m, s->asked = NONE32;
    a->ses[s->session].lookups++;
    for (uint32_t k = 0; k < m; k++) {
        uint8_t key[32];
        iot_cell_key(key, s->cell, k);
        a->cnt.dir_get++;
        int rc = a->cfg.dir.get ? a->cfg.dir.get(a->cfg.dir.ctx, env, key, DCOOKIE(D_GET_SLOT, s->round, k, v)) : -1;
        if (rc < 0 && (a->cnt.dir_fail++, --s->gets_left == 0)) decide(a, env, v);
    }
    if (!m) decide(a, env, v);
}

/* Below soc_low: somewhere on the grid (a shared car: where it stands), look for a pile. */
void iot_ev_need(iot *a, cp_env *env, uint32_t v)
{
    const iot_ev_cfg *e = &a->cfg.ev;
    ev_st *s = &a->ev[v];
    if (env_now(env) > a->cfg.end || s->session != NONE32) return;
    a->cnt.needs++;
    if (!e->riders) {
        s->x = rng_unit(env->rng) * e->grid_w * e->cell_km;
        s->y = rng_unit(env->rng) * e->grid_h * e->cell_km;
        s->soc = e->soc_low;
    }
    s->cell = e->riders ? iot_pile_cell_near(a, s->x, s->y) : iot_cell_of(a, s->x, s->y);
    s->session = iot_new_session(a, env->self, CP_NODE_NONE, env_now(env));
    s->n_refused = 0;
    if (s->session != NONE32) lookup(a, env, v);
}

static int refused(const ev_st *s, uint32_t p)
{
    for (uint32_t k = 0; k < s->n_refused; k++)
        if (s->refused[k] == p) return 1;
    return 0;
}

void iot_ev_dir(iot *a, cp_env *env, uint64_t cookie, int ok, const uint8_t *val, uint32_t len)
{
    uint32_t v = (uint32_t)cookie;
    if ((cookie >> 56) == D_GET_BAY && a->cfg.ev.riders) iot_travel_dir(a, env, cookie, ok, val, len);
    if ((cookie >> 56) != D_GET_SLOT || v >= a->cfg.ev.evs) return;
    ev_st *s = &a->ev[v];
    if (s->session == NONE32 || s->asked != NONE32 || ((cookie >> 40) & 0xffff) != s->round || !s->gets_left) return;
    s->gets_left--;
    if (ok && len == PILE_REC + IOT_SIG) {
        ir r;
        ir_init(&r, val, PILE_REC);
        uint32_t p = ir_u32(&r), cell = ir_u32(&r);
        uint8_t free_ = ir_u8(&r);
        uint64_t price = ir_u64(&r);
        if (p < a->cfg.ev.piles && cell == s->cell &&
            iot_check_body(a, env, a->first[0] + p, val, PILE_REC, val + PILE_REC)) {
            if (free_ && !refused(s, p) && (price < s->best_price || (price == s->best_price && p < s->best)))
                s->best = p, s->best_price = price;
        } else {
            a->cnt.bad_sig++;
        }
    }
    if (!s->gets_left) decide(a, env, v);
}

/* All gets of the round are in: reserve the best pile, or look again later. */
static void decide(iot *a, cp_env *env, uint32_t v)
{
    ev_st *s = &a->ev[v];
    if (s->best == NONE32) {
        a->cnt.no_pile++;
        s->n_refused = 0; /* refusals only steer the next round: a pile refused now may be free later */
        env_timer(env, a->cfg.ev.retry, ITAG(T_RETRY, s->session));
        return;
    }
    s->asked = s->best;
    iw w;
    iw_init(&w, a);
    iw_u8(&w, M_RESERVE), iw_u32(&w, s->session), iw_u32(&w, s->best);
    iot_send_signed(a, env, a->first[0] + s->best, &w);
}

/* ---- pile side ------------------------------------------------------------------------- */

static void reply(iot *a, cp_env *env, cp_node to, uint8_t kind, uint32_t session)
{
    iw w;
    iw_init(&w, a);
    iw_u8(&w, kind), iw_u32(&w, session);
    if (kind == M_RES_OK) iw_u64(&w, a->pile[pile_of(a, env->self)].price), iw_u64(&w, a->cfg.ev.deposit);
    iot_send_signed(a, env, to, &w);
}

static void pile_release(iot *a, cp_env *env, uint32_t p)
{
    pile_st *s = &a->pile[p];
    if (s->res_timer) env_timer_cancel(env, s->res_timer);
    s->res_timer = 0, s->session = NONE32, s->open_known = 0;
    publish(a, env, p);
}

static void on_reserve(iot *a, cp_env *env, cp_node from, ir *r)
{
    uint32_t session = ir_u32(r), p = ir_u32(r);
    if (!ir_done(r) || !is_ev(a, from) || p != pile_of(a, env->self) || session >= a->n_ses ||
        a->ses[session].user != from) {
        a->cnt.malformed++;
        return;
    }
    pile_st *s = &a->pile[p];
    if (s->session != NONE32) {
        reply(a, env, from, M_RES_NO, session);
        return;
    }
    s->session = session, s->open_known = 0;
    a->ses[session].infra = env->self;
    s->res_timer = env_timer(env, a->cfg.ev.reserve_timeout, ITAG(T_RES_TO, session));
    publish(a, env, p);
    reply(a, env, from, M_RES_OK, session);
}

static void start_charge(iot *a, cp_env *env, uint32_t p)
{
    const iot_ev_cfg *e = &a->cfg.ev;
    pile_st *s = &a->pile[p];
    iot_session *x = &a->ses[s->session];
    x->start = s->since = env_now(env);
    double h = iot_charge_hours(e->capacity_kwh, e->pile_kw, s->plug_soc, e->soc_target);
    x->energy_wh = (uint64_t)llround(e->capacity_kwh * (e->soc_target - s->plug_soc) * 1000.0);
    env_timer(env, (cp_time)(h * NS_PER_H), ITAG(T_CHARGED, s->session));
}

static void on_plug(iot *a, cp_env *env, cp_node from, ir *r)
{
    uint32_t session = ir_u32(r);
    uint16_t soc_pm = ir_u16(r);
    pile_st *s = &a->pile[pile_of(a, env->self)];
    if (!ir_done(r) || session >= a->n_ses || s->session != session || a->ses[session].user != from ||
        soc_pm > 1000) {
        a->cnt.malformed++;
        return;
    }
    if (a->ses[session].plugged != CP_TIME_NEVER) return;
    if (s->res_timer) env_timer_cancel(env, s->res_timer);
    s->res_timer = 0;
    a->ses[session].plugged = env_now(env);
    s->plug_soc = soc_pm / 1000.0;
    if (s->open_known) start_charge(a, env, pile_of(a, env->self));
}

void iot_ev_note(iot *a, cp_env *env, const chain_tx *tx, int valid)
{
    if (a->cfg.ev.riders && iot_role_of(a, tx->sender) == 2) {
        iot_travel_note(a, env, tx, valid);
        return;
    }
    if (tx->kind != CHAIN_TX_ESCROW_OPEN || !is_pile(a, env->self) || !is_ev(a, tx->sender)) return;
    uint32_t p = pile_of(a, env->self), session = a->ev[ev_of(a, tx->sender)].session;
    pile_st *s = &a->pile[p];
    if (session == NONE32 || s->session != session || a->ses[session].escrow != iot_get64(tx->payload) ||
        tx->recipient != env->self || tx->amount < a->cfg.ev.deposit)
        return;
    if (!valid) {
        reply(a, env, tx->sender, M_RES_NO, session);
        pile_release(a, env, p);
        return;
    }
    s->open_known = 1;
    a->ses[session].open_known = env_now(env);
    if (a->ses[session].plugged != CP_TIME_NEVER) start_charge(a, env, p);
}

static void charged(iot *a, cp_env *env, uint32_t session)
{
    uint32_t p = pile_of(a, env->self);
    pile_st *s = &a->pile[p];
    if (s->session != session) return;
    iot_session *x = &a->ses[session];
    x->stop = env_now(env);
    s->busy += x->stop - s->since, s->since = CP_TIME_NEVER;
    uint64_t pay = x->energy_wh * s->price / 1000;
    x->pay = pay < a->cfg.ev.deposit ? pay : a->cfg.ev.deposit;
    iw w;
    iw_init(&w, a);
    iw_u8(&w, M_METER), iw_u32(&w, session), iw_u64(&w, x->escrow), iw_u64(&w, x->energy_wh), iw_u64(&w, x->pay);
    iot_send_signed(a, env, x->user, &w);
}

static void on_unplug(iot *a, cp_env *env, cp_node from, ir *r)
{
    uint32_t session = ir_u32(r), p = pile_of(a, env->self);
    const uint8_t *sig = ir_bytes(r, IOT_SIG);
    if (!ir_done(r) || session >= a->n_ses || a->pile[p].session != session || a->ses[session].user != from ||
        a->ses[session].stop == CP_TIME_NEVER) {
        a->cnt.malformed++;
        return;
    }
    if (iot_settle_countersigned(a, env, from, &a->ses[session], sig, session)) pile_release(a, env, p);
}

/* ---- EV side ----------------------------------------------------------------------------- */

static void on_res_ok(iot *a, cp_env *env, cp_node from, ir *r)
{
    const iot_ev_cfg *e = &a->cfg.ev;
    uint32_t session = ir_u32(r), v = ev_of(a, env->self);
    uint64_t price = ir_u64(r), deposit = ir_u64(r);
    ev_st *s = &a->ev[v];
    if (!ir_done(r) || s->session != session || s->asked == NONE32 || from != a->first[0] + s->asked ||
        a->ses[session].reserved != CP_TIME_NEVER || deposit > e->deposit || price > e->price_max) {
        a->cnt.malformed++;
        return;
    }
    iot_open_escrow(a, env, &a->ses[session], &s->escrow_seq, from, deposit, session);
    const pile_st *p = &a->pile[s->asked];
    double km = fabs(p->x - s->x) + fabs(p->y - s->y), h = km / e->speed_kmh;
    s->soc -= e->drive_kw * h / e->capacity_kwh;
    if (s->soc < 0) s->soc = 0;
    env_timer(env, (cp_time)(h * NS_PER_H), ITAG(T_ARRIVE, session));
}

static void on_res_no(iot *a, cp_env *env, cp_node from, ir *r)
{
    uint32_t session = ir_u32(r), v = ev_of(a, env->self);
    ev_st *s = &a->ev[v];
    if (!ir_done(r) || s->session != session || s->asked == NONE32 || from != a->first[0] + s->asked) {
        a->cnt.malformed++;
        return;
    }
    a->cnt.refused++;
    a->ses[session].conflicts++;
    a->ses[session].reserved = CP_TIME_NEVER;
    if (s->n_refused < 4) s->refused[s->n_refused++] = s->asked;
    lookup(a, env, v);
}

static void arrive(iot *a, cp_env *env, uint32_t session)
{
    ev_st *s = &a->ev[ev_of(a, env->self)];
    if (s->session != session || s->asked == NONE32) return;
    iw w;
    iw_init(&w, a);
    iw_u8(&w, M_PLUG), iw_u32(&w, session), iw_u16(&w, (uint16_t)lround(s->soc * 1000.0));
    iot_send_signed(a, env, a->first[0] + s->asked, &w);
}

static void on_meter(iot *a, cp_env *env, cp_node from, ir *r)
{
    uint32_t session = ir_u32(r), v = ev_of(a, env->self);
    uint64_t escrow = ir_u64(r), wh = ir_u64(r), pay = ir_u64(r);
    ev_st *s = &a->ev[v];
    iot_session *x = session < a->n_ses ? &a->ses[session] : NULL;
    if (!ir_done(r) || !x || s->session != session || s->asked == NONE32 || from != a->first[0] + s->asked ||
        escrow != x->escrow || pay > a->cfg.ev.deposit) {
        a->cnt.malformed++;
        return;
    }
    (void)wh;
    iw w;
    iw_init(&w, a);
    iw_u8(&w, M_UNPLUG), iw_u32(&w, session);
    iot_countersign(a, env, from, &w, escrow, pay);
    x->unplug = env_now(env);
    uint32_t pile = s->asked;
    s->soc = a->cfg.ev.soc_target, s->session = NONE32, s->asked = NONE32;
    if (a->cfg.ev.riders) iot_travel_charged(a, env, v, pile);
    else env_timer(env, time_to_low(a, s->soc), ITAG(T_NEED, 0));
}

/* Is this message the rental flow's (riders > 0): to a rider, or to a car from a rider? */
static int travel_msg(const iot *a, cp_env *env, cp_node from)
{
    return a->cfg.ev.riders && (iot_role_of(a, env->self) == 2 || (is_ev(a, env->self) && iot_role_of(a, from) == 2));
}

void iot_ev_message(iot *a, cp_env *env, cp_node from, uint8_t kind, const cp_msg *m)
{
    ir r;
    if (travel_msg(a, env, from)) {
        iot_travel_message(a, env, from, kind, m);
        return;
    }
    int pile = is_pile(a, env->self), ev = is_ev(a, env->self);
    int ok = (pile && (kind == M_RESERVE || kind == M_PLUG || kind == M_UNPLUG)) ||
             (ev && (kind == M_RES_OK || kind == M_RES_NO || kind == M_METER));
    if (!iot_open_signed(a, env, from, m, ok, &r)) return;
    switch (kind) {
    case M_RESERVE: on_reserve(a, env, from, &r); break;
    case M_PLUG: on_plug(a, env, from, &r); break;
    case M_UNPLUG: on_unplug(a, env, from, &r); break;
    case M_RES_OK: on_res_ok(a, env, from, &r); break;
    case M_RES_NO: on_res_no(a, env, from, &r); break;
    default: on_meter(a, env, from, &r); break;
    }
}

void iot_ev_timer(iot *a, cp_env *env, int kind, uint32_t i)
{
    if (kind >= T_RIDE) {
        if (a->cfg.ev.riders) iot_travel_timer(a, env, kind, i);
        return;
    }
    if (is_ev(a, env->self)) {
        uint32_t v = ev_of(a, env->self);
        if (kind == T_NEED) iot_ev_need(a, env, v);
        else if (kind == T_RETRY && a->ev[v].session == i && a->ev[v].asked == NONE32) lookup(a, env, v);
        else if (kind == T_ARRIVE) arrive(a, env, i);
        return;
    }
    uint32_t p = pile_of(a, env->self);
    if (kind == T_CHARGED) charged(a, env, i);
    if (kind == T_RES_TO && a->pile[p].session == i && a->ses[i].plugged == CP_TIME_NEVER) {
        a->pile[p].res_timer = 0;
        a->cnt.expired++;
        pile_release(a, env, p);
    }
}
