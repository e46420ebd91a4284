/* core/iot/iot.c: the IoT applications' lifecycle, dispatch and shared helpers: role ranges,
 * keys and nonces, the table of submitted transactions (by the id the chain port returned),
 * the observer's NOTE to the waiting node, directory callbacks, CPU accounting per role and
 * the result accessors. Invariant: a transaction id is pending from submit until its commit
 * (then forgotten, so a repeated commit of an id is counted as unknown); a NOTE comes only
 * from the observer and carries a transaction whose signature the receiver checks. */
#include "core/iot/iot_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const msg_names[M_N] = {
    "note", "reserve", "res_ok", "res_no", "plug", "meter", "unplug", "hello", "offer", "full",
    "open", "leave", "bill", "paysig", "ship", "query", "history"};

iot_cfg iot_cfg_default(int app)
{
    iot_cfg c;
    memset(&c, 0, sizeof c);
    c.app = app, c.first = 5, c.observer = 0, c.end = CP_S(3600), c.fee = 1, c.expiry = 1000000;
    c.cpu_per_msg = CP_US(5);
    c.ev = (iot_ev_cfg){8, 12, 2, 2, 1.0, 30.0, 40.0, 10.0, 0.2, 0.8, 0.25, 50.0, 200, 400, 20000,
                        CP_S(60), CP_S(1800), 0, 8, 30.0, IOT_DIST_EXP, 3.0, 5.0, CP_S(600), 20, 100, 5000};
    c.park = (iot_park_cfg){4, 20, 10, 6.0, IOT_DIST_EXP, CP_S(900), 5, 600};
    c.log = (iot_log_cfg){8, 1, 4, 3, 2, 6, 0.5, CP_S(30), 1.0, CP_S(60)};
    return c;
}

/* Roles per app (0 infrastructure, 1 users or indexers, 2 clients). */
static void role_counts(const iot_cfg *c, uint32_t cnt[3])
{
    cnt[2] = 0;
    if (c->app == IOT_APP_EV) cnt[0] = c->ev.piles, cnt[1] = c->ev.evs, cnt[2] = c->ev.riders;
    else if (c->app == IOT_APP_PARK) cnt[0] = c->park.locks, cnt[1] = c->park.drivers;
    else cnt[0] = c->log.hubs, cnt[1] = c->log.indexers, cnt[2] = c->log.clients;
}

static const char *travel_error(const iot_ev_cfg *e)
{
    if (!e->bays || e->bays > IOT_MAX_SLOTS) return "ev.bays: expected 1..16 bays per cell";
    if (e->evs > (uint64_t)e->grid_w * e->grid_h * e->bays) return "ev.bays: expected the fleet to fit (evs <= cells x bays)";
    if (!(e->rider_rate > 0)) return "ev.rider_rate: expected > 0";
    if (e->trip_dist < 0 || e->trip_dist > IOT_DIST_FIXED || !(e->trip_km > 0)) return "ev.trip_km: expected a mean > 0";
    if (!(e->walk_kmh > 0)) return "ev.walk_kmh: expected > 0";
    if (!e->max_wait || e->max_wait > e->reserve_timeout) return "ev.max_wait: expected 0 < max_wait <= reserve_timeout";
    if (!e->rental_deposit) return "ev.rental_deposit: expected > 0";
    return NULL;
}

static const char *ev_error(const iot_ev_cfg *e)
{
    if (!e->piles || !e->evs) return "ev.piles, ev.evs: expected at least one each";
    if (!e->grid_w || !e->grid_h || e->grid_w > 4096 || e->grid_h > 4096) return "ev.grid: expected 1..4096 cells a side";
    if (!(e->cell_km > 0) || !(e->speed_kmh > 0) || !(e->capacity_kwh > 0) || !(e->drive_kw > 0) || !(e->pile_kw > 0))
        return "ev: cell_km, speed_kmh, capacity_kwh, drive_kw, pile_kw: expected > 0";
    if (!(e->soc_low > 0 && e->soc_low < e->soc_target && e->soc_target < 1))
        return "ev.soc_target: expected 0 < soc_low < soc_target < 1";
    if (!(e->soc0_min >= e->soc_low && e->soc0_min <= e->soc_target))
        return "ev.soc0_min: expected between soc_low and soc_target";
    if (e->piles > (uint64_t)e->grid_w * e->grid_h * IOT_MAX_SLOTS) return "ev.piles: expected at most 16 per cell";
    if (e->price_max < e->price_min) return "ev.price_max: expected >= price_min";
    if (!e->deposit || !e->retry || !e->reserve_timeout) return "ev: deposit, retry, reserve_timeout: expected > 0";
    return e->riders ? travel_error(e) : NULL;
}

static const char *park_error(const iot_park_cfg *p)
{
    if (!p->locks || !p->drivers || !p->spaces) return "park: locks, drivers, spaces: expected at least one each";
    if (!(p->arrival_rate > 0)) return "park.arrival_rate: expected > 0";
    if (p->stay_dist < 0 || p->stay_dist > IOT_DIST_FIXED || !p->stay_mean) return "park.stay: expected a mean > 0";
    if (!p->deposit) return "park.deposit: expected > 0";
    return NULL;
}

static const char *log_error(const iot_log_cfg *l)
{
    if (l->hubs < 3 || l->hubs > 1024 || !l->indexers || !l->clients)
        return "log: expected 3..1024 hubs, indexers and clients >= 1";
    if (l->min_hops < 2 || l->max_hops < l->min_hops || l->max_hops > IOT_MAX_ROUTE || l->max_hops > l->hubs)
        return "log.max_hops: expected 2 <= min_hops <= max_hops <= min(8, hubs)";
    if (l->hub_degree < 2) return "log.hub_degree: expected >= 2";
    if (!(l->parcel_rate > 0) || !l->hop_time || l->query_rate < 0) return "log: parcel_rate, hop_time: expected > 0";
    return NULL;
}

static const char *cfg_error(const iot_cfg *c, uint32_t n)
{
    uint32_t cnt[3];
    if (c->app < IOT_APP_EV || c->app > IOT_APP_LOG) return "app: expected ev-charging, parking or logistics";
    const char *e = c->app == IOT_APP_EV ? ev_error(&c->ev) : c->app == IOT_APP_PARK ? park_error(&c->park)
                                                                                     : log_error(&c->log);
    if (e) return e;
    role_counts(c, cnt);
    if ((uint64_t)c->first + cnt[0] + cnt[1] + cnt[2] > n) return "roles: first + the app's roles exceed the nodes";
    if (c->observer >= c->first) return "observer: expected a node before first (validator 0)";
    return NULL;
}

iot *iot_new(const iot_cfg *cfg, uint32_t n_nodes, uint64_t seed, char *err, size_t errlen)
{
    const char *e = cfg_error(cfg, n_nodes);
    if (e || cr_init() != 0) {
        if (err && errlen) snprintf(err, errlen, "iot.%s", e ? e : "crypto: cannot initialise");
        return NULL;
    }
    iot *a = calloc(1, sizeof *a);
    if (!a) return NULL;
    a->cfg = *cfg, a->n = n_nodes, a->seed = seed;
    uint32_t cnt[3];
    role_counts(cfg, cnt);
    a->first[0] = cfg->first;
    for (int r = 0; r < 3; r++) a->first[r + 1] = a->first[r] + cnt[r];
    uint32_t nr = a->first[3] - cfg->first;
    a->costs = cfg->costs;
    if (!a->costs) a->costs = a->own_costs = cost_table_new();
    a->kp = malloc((size_t)(nr ? nr : 1) * sizeof *a->kp);
    a->nonce = calloc(nr ? nr : 1, sizeof *a->nonce);
    a->buf_cap = 16384, a->buf = malloc(a->buf_cap);
    int bad = !a->costs || !a->kp || !a->nonce || !a->buf;
    for (uint32_t i = 0; !bad && i < nr; i++) cr_keypair_derive(&a->kp[i], seed, cfg->first + i);
    if (bad || iot_model_make(a)) {
        if (err && errlen) snprintf(err, errlen, "iot: out of memory");
        iot_free(a);
        return NULL;
    }
    return a;
}

void iot_free(iot *a)
{
    if (!a) return;
    for (size_t i = 0; i < a->n_pd; i++) free(a->pd[i].tx);
    iot_model_free(a);
    free(a->kp), free(a->nonce), free(a->buf), free(a->pd), free(a->pmap), free(a->pfree), free(a->ses);
    cost_table_free(a->own_costs);
    free(a);
}

void iot_set_ports(iot *a, const iot_chain_port *chain, const iot_dir_port *dir)
{
    if (chain) a->cfg.chain = *chain;
    if (dir) a->cfg.dir = *dir;
}

const iot_cfg *iot_get_cfg(const iot *a) { return &a->cfg; }

int iot_role_of(const iot *a, cp_node v)
{
    for (int r = 0; r < 3; r++)
        if (v >= a->first[r] && v < a->first[r + 1]) return r;
    return -1;
}

cp_node iot_role_first(const iot *a, int role) { return role >= 0 && role < 4 ? a->first[role] : CP_NODE_NONE; }

const cr_keypair *iot_key(const iot *a, cp_node v)
{
    return v >= a->first[0] && v < a->first[3] ? &a->kp[v - a->first[0]] : NULL;
}

/* ---- helpers ------------------------------------------------------------------------- */

void iot_charge(iot *a, cp_env *env, cost_op op, double units)
{
    cp_time ns = cost_of(a->costs, op, env->dev_class, env->cpu_factor, units);
    env_cpu(env, ns);
    int r = iot_role_of(a, env->self);
    if (r >= 0) a->role_cpu[r] += ns;
}

double iot_draw(cp_rng *r, int dist, double mean)
{
    if (dist == IOT_DIST_FIXED) return mean;
    if (dist == IOT_DIST_UNIFORM) return 2.0 * mean * rng_unit(r);
    return rng_exp(r, mean);
}

uint32_t iot_new_session(iot *a, cp_node user, cp_node infra, cp_time need)
{
    if (vec_reserve((void **)&a->ses, &a->cap_ses, a->n_ses + 1, sizeof *a->ses)) return NONE32;
    iot_session *s = &a->ses[a->n_ses];
    memset(s, 0, sizeof *s);
    s->user = user, s->infra = infra, s->need = need;
    s->reserved = s->open_sent = s->open_committed = s->open_known = s->plugged = CP_TIME_NEVER;
    s->start = s->stop = s->unplug = s->settle_sent = s->settled = CP_TIME_NEVER;
    return (uint32_t)a->n_ses++;
}

/* ---- pending transactions -------------------------------------------------------------- */

static size_t slot_of(uint64_t id, size_t cap)
{
    uint64_t x = id * 0x9E3779B97F4A7C15ull;
    return (size_t)(x >> 20) & (cap - 1);
}

static int pmap_grow(iot *a)
{
    size_t nc = a->pmap_cap ? a->pmap_cap * 2 : 256;
    uint32_t *m = malloc(nc * sizeof *m);
    if (!m) return -1;
    memset(m, 0xff, nc * sizeof *m);
    for (size_t i = 0; i < a->pmap_cap; i++) {
        uint32_t p = a->pmap[i];
        if (p == NONE32) continue;
        size_t j = slot_of(a->pd[p].id, nc);
        while (m[j] != NONE32) j = (j + 1) & (nc - 1);
        m[j] = p;
    }
    free(a->pmap);
    a->pmap = m, a->pmap_cap = nc;
    return 0;
}

static uint32_t pend_slot(iot *a)
{
    if (a->n_pfree) return a->pfree[--a->n_pfree];
    if (vec_reserve((void **)&a->pd, &a->cap_pd, a->n_pd + 1, sizeof *a->pd)) return NONE32;
    return (uint32_t)a->n_pd++;
}

uint64_t iot_submit(iot *a, cp_env *env, const uint8_t *tx, size_t len, uint8_t kind, uint32_t ref, cp_node notify)
{
    uint64_t id = a->cfg.chain.submit ? a->cfg.chain.submit(a->cfg.chain.ctx, env, tx, len) : 0;
    if (!id) {
        a->cnt.submit_failed++;
        return 0;
    }
    a->cnt.submitted++;
    if ((a->n_pd - a->n_pfree + 1) * 2 > a->pmap_cap && pmap_grow(a)) return 0;
    uint32_t p = pend_slot(a);
    uint8_t *copy = p == NONE32 ? NULL : malloc(len);
    if (!copy) return 0;
    memcpy(copy, tx, len);
    a->pd[p] = (pend){id, kind, ref, notify, copy, (uint32_t)len};
    size_t j = slot_of(id, a->pmap_cap);
    while (a->pmap[j] != NONE32) j = (j + 1) & (a->pmap_cap - 1);
    a->pmap[j] = p;
    return id;
}

/* Remove id from the map (backward-shift deletion); its pend index or NONE32. */
static uint32_t pend_take(iot *a, uint64_t id)
{
    if (!a->pmap_cap) return NONE32;
    size_t j = slot_of(id, a->pmap_cap);
    while (a->pmap[j] != NONE32 && a->pd[a->pmap[j]].id != id) j = (j + 1) & (a->pmap_cap - 1);
    uint32_t p = a->pmap[j];
    if (p == NONE32) return NONE32;
    a->pmap[j] = NONE32;
    for (size_t k = (j + 1) & (a->pmap_cap - 1); a->pmap[k] != NONE32; k = (k + 1) & (a->pmap_cap - 1)) {
        uint32_t q = a->pmap[k];
        a->pmap[k] = NONE32;
        size_t h = slot_of(a->pd[q].id, a->pmap_cap);
        while (a->pmap[h] != NONE32) h = (h + 1) & (a->pmap_cap - 1);
        a->pmap[h] = q;
    }
    return p;
}

static void note_send(iot *a, cp_env *env, const pend *p, uint64_t height, int valid)
{
    iw w;
    iw_init(&w, a);
    iw_u8(&w, M_NOTE), iw_u64(&w, height), iw_u8(&w, (uint8_t)(valid != 0)), iw_u16(&w, (uint16_t)p->len);
    iw_bytes(&w, p->tx, p->len);
    if (w.bad) return;
    cp_msg *m = env_msg_new(env, M_NOTE, (uint32_t)w.n, (uint32_t)w.n + 28);
    if (!m) return;
    memcpy(m->data, w.p, w.n);
    env_send(env, p->notify, m);
    env_msg_unref(env, m);
}

void iot_on_commit(iot *a, cp_env *env, uint64_t id, uint64_t height, int valid)
{
    uint32_t i = pend_take(a, id);
    if (i == NONE32) {
        a->cnt.unknown_commit++;
        return;
    }
    pend *p = &a->pd[i];
    a->cnt.committed++;
    if (!valid) a->cnt.invalid++;
    if (a->cfg.app == IOT_APP_LOG) {
        iot_scan *s = &a->scan[p->ref];
        s->committed = env_now(env), s->height = height, s->valid = (uint8_t)(valid != 0);
    } else {
        int rent = (p->ref & RENT_REF) != 0;
        iot_session *s = rent ? &a->rent[p->ref & ~RENT_REF].s : &a->ses[p->ref];
        if (p->kind == CHAIN_TX_ESCROW_OPEN) s->open_committed = env_now(env);
        if (p->kind == CHAIN_TX_ESCROW_SETTLE) s->settled = env_now(env), s->settle_valid = (uint8_t)(valid != 0);
        if (p->kind == CHAIN_TX_ESCROW_SETTLE && rent) a->cnt.rentals_done++;
        else if (p->kind == CHAIN_TX_ESCROW_SETTLE) a->cnt.sessions_done++;
    }
    if (p->notify != CP_NODE_NONE) note_send(a, env, p, height, valid);
    free(p->tx);
    p->tx = NULL;
    if (!vec_reserve((void **)&a->pfree, &a->cap_pfree, a->n_pfree + 1, sizeof *a->pfree)) a->pfree[a->n_pfree++] = i;
}

void iot_on_dir(iot *a, cp_env *env, uint64_t cookie, int ok, const uint8_t *v, uint32_t len)
{
    if (!ok) a->cnt.dir_fail++;
    if (a->cfg.app == IOT_APP_EV) iot_ev_dir(a, env, cookie, ok, v, len);
}

/* A NOTE from the observer: the committed transaction, checked, to the app. */
static void on_note(iot *a, cp_env *env, cp_node from, const cp_msg *m)
{
    ir r;
    ir_init(&r, m->data + 1, m->len - 1);
    uint64_t height = ir_u64(&r);
    uint8_t valid = ir_u8(&r);
    uint16_t len = ir_u16(&r);
    const uint8_t *b = ir_bytes(&r, len);
    chain_tx tx;
    if (from != a->cfg.observer || !ir_done(&r) || valid > 1) {
        a->cnt.malformed++;
        return;
    }
    if (iot_tx_read(a, env, b, len, &tx) != 0) {
        a->cnt.bad_sig++;
        return;
    }
    a->cnt.notes++;
    if (a->cfg.app == IOT_APP_EV) iot_ev_note(a, env, &tx, valid);
    else if (a->cfg.app == IOT_APP_PARK) iot_park_note(a, env, &tx, valid);
    else if (valid) iot_log_note(a, env, &tx, height, b, len);
}

/* ---- dispatch ---------------------------------------------------------------------------- */

static void start(void *self, cp_env *env)
{
    iot *a = self;
    if (iot_role_of(a, env->self) < 0) return;
    if (a->cfg.app == IOT_APP_EV) iot_ev_start(a, env);
    else if (a->cfg.app == IOT_APP_PARK) iot_park_start(a, env);
    else iot_log_start(a, env);
}

/* A crashed node keeps its state and loses its timers: sessions it was part of stay open. */
static void restart(void *self, cp_env *env)
{
    (void)self, (void)env;
}

static void on_message(void *self, cp_env *env, cp_node from, cp_msg *m)
{
    iot *a = self;
    a->cnt.msgs++;
    env_cpu(env, cp_time_of((double)a->cfg.cpu_per_msg * env->cpu_factor));
    if (m->len < 1 || m->data[0] >= M_N) {
        a->cnt.malformed++;
        return;
    }
    uint8_t kind = m->data[0];
    if (kind == M_NOTE) on_note(a, env, from, m);
    else if (a->cfg.app == IOT_APP_EV) iot_ev_message(a, env, from, kind, m);
    else if (a->cfg.app == IOT_APP_PARK) iot_park_message(a, env, from, kind, m);
    else iot_log_message(a, env, from, kind, m);
}

static void on_timer(void *self, cp_env *env, uint64_t tag)
{
    iot *a = self;
    int kind = (int)(tag >> 40);
    uint32_t i = (uint32_t)(tag & 0xffffffffu);
    if (a->cfg.app == IOT_APP_EV) iot_ev_timer(a, env, kind, i);
    else if (a->cfg.app == IOT_APP_PARK) iot_park_timer(a, env, kind, i);
    else iot_log_timer(a, env, kind, i);
}

static const cp_proto_ops ops = {
    .name = "iot", .start = start, .on_message = on_message, .on_timer = on_timer,
    .msg_type_names = msg_names, .n_msg_types = M_N, .restart = restart,
};

const cp_proto_ops *iot_ops(void) { return &ops; }

/* ---- results ----------------------------------------------------------------------------- */

const iot_session *iot_sessions(const iot *a, size_t *n) { return *n = a->n_ses, a->ses; }
const iot_scan *iot_scans(const iot *a, size_t *n) { return *n = a->n_scan, a->scan; }
const iot_query *iot_queries(const iot *a, size_t *n) { return *n = a->n_q, a->q; }
const iot_counts *iot_get_counts(const iot *a) { return &a->cnt; }
cp_time iot_role_cpu(const iot *a, int role) { return role >= 0 && role < 3 ? a->role_cpu[role] : 0; }

cp_time iot_infra_busy(const iot *a, uint32_t i, cp_time end)
{
    if (a->cfg.app == IOT_APP_EV && i < a->cfg.ev.piles) {
        const pile_st *p = &a->pile[i];
        cp_time open = p->since != CP_TIME_NEVER && p->since < end ? end - p->since : 0;
        return p->busy + open;
    }
    if (a->cfg.app == IOT_APP_PARK && i < a->cfg.park.locks) {
        const lock_st *l = &a->lock[i];
        cp_time open = l->since < end ? (end - l->since) * l->occupied : 0;
        return (l->busy + open) / a->cfg.park.spaces;
    }
    return 0;
}
