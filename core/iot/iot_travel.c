/* core/iot/iot_travel.c: shared travel on the EV fleet (contract in iot.h, riders > 0). Idle
 * cars hold a physical bay of their cell and publish a signed record under its key; a rider
 * looks up the bays of its cell (then of the 3 x 3 cells around it), reserves the nearest car
 * it can reach in time with charge for the trip, opens an escrow for the deposit and walks
 * there; the car unlocks once it has both the rider's HELLO and the escrow's commit (NOTE),
 * drives to the destination, meters minutes and metres, bills, gets the countersignature and
 * settles on chain, then parks (or charges first through iot_ev.c's pile flow). Invariants: a
 * car serves at most one rental at a time and accepts a reservation only when idle and named
 * at its current record version, so a stale record or a second rider cannot rent it twice;
 * every step is checked against the rental both sides hold, so a replayed or forged message
 * changes nothing; a bay holds at most one car. */
#include "core/iot/iot_int.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

static int is_car(const iot *a, cp_node v) { return v >= a->first[1] && v < a->first[2]; }
static int is_rider(const iot *a, cp_node v) { return v >= a->first[2] && v < a->first[3]; }
static uint32_t car_of(const iot *a, cp_node v) { return v - a->first[1]; }
static uint32_t rider_of(const iot *a, cp_node v) { return v - a->first[2]; }
static uint32_t n_cells(const iot *a) { return a->cfg.ev.grid_w * a->cfg.ev.grid_h; }
static uint32_t to_m(double km) { return (uint32_t)llround(km * 1000.0); }
static uint64_t dist_m(uint32_t ax, uint32_t ay, uint32_t bx, uint32_t by)
{
    return (uint64_t)(ax > bx ? ax - bx : bx - ax) + (ay > by ? ay - by : by - ay);
}
/* Time to cover `m` metres at `kmh`. */
static cp_time span(uint64_t m, double kmh) { return (cp_time)llround((double)m * 3.6e9 / kmh); }
/* State of charge a drive of `m` metres uses. */
static double drain(const iot_ev_cfg *e, uint64_t m) { return (double)m / 1000.0 / e->speed_kmh * e->drive_kw / e->capacity_kwh; }

void iot_bay_key(uint8_t key[32], uint32_t cell, uint32_t bay)
{
    uint8_t b[21];
    memcpy(b, "cpsim-iot-bay", 13);
    for (int k = 0; k < 4; k++) b[13 + k] = (uint8_t)(cell >> (8 * k)), b[17 + k] = (uint8_t)(bay >> (8 * k));
    cr_hash(key, b, sizeof b);
}

uint64_t iot_fare(const iot_ev_cfg *e, uint64_t metres, cp_time ns, uint64_t *minutes)
{
    uint64_t min = (ns + CP_S(60) - 1) / CP_S(60);
    if (!min) min = 1;
    uint64_t pay = min * e->price_per_min + metres * e->price_per_km / 1000;
    if (minutes) *minutes = min;
    return pay < e->rental_deposit ? pay : e->rental_deposit;
}

int iot_travel_make(iot *a)
{
    const iot_ev_cfg *e = &a->cfg.ev;
    size_t nb = (size_t)n_cells(a) * e->bays;
    a->car = calloc(e->evs, sizeof *a->car);
    a->rider = calloc(e->riders, sizeof *a->rider);
    a->bay_car = malloc(nb * sizeof *a->bay_car);
    a->bays_free = malloc(n_cells(a) * sizeof *a->bays_free);
    if (!a->car || !a->rider || !a->bay_car || !a->bays_free) return -1;
    memset(a->bay_car, 0xff, nb * sizeof *a->bay_car);
    for (uint32_t c = 0; c < n_cells(a); c++) a->bays_free[c] = e->bays;
    for (uint32_t v = 0; v < e->evs; v++) a->car[v].rental = a->car[v].bay = NONE32, a->car[v].rider = CP_NODE_NONE;
    for (uint32_t r = 0; r < e->riders; r++) a->rider[r].rental = a->rider[r].asked = NONE32;
    return 0;
}

void iot_travel_free(iot *a)
{
    free(a->car), free(a->rider), free(a->bay_car), free(a->bays_free), free(a->rent);
}

/* ---- the car: state, record, bays ------------------------------------------------------- */

static void car_state(iot *a, cp_env *env, uint32_t c, int st)
{
    car_st *k = &a->car[c];
    cp_time now = env_now(env);
    k->acc[k->state] += now - k->since;
    k->state = st, k->since = now;
}

/* The car's signed record into its bay's slot of the directory (available iff idle). */
static void publish(iot *a, cp_env *env, uint32_t c)
{
    const iot_ev_cfg *e = &a->cfg.ev;
    car_st *k = &a->car[c];
    const ev_st *s = &a->ev[c];
    uint8_t rec[CAR_REC + IOT_SIG], key[32];
    iw w;
    iw_init(&w, a);
    iw_u32(&w, c), iw_u32(&w, k->cell), iw_u8(&w, (uint8_t)k->bay), iw_u8(&w, k->state == CAR_IDLE);
    iw_u16(&w, (uint16_t)lround(s->soc * 1000.0)), iw_u32(&w, to_m(s->x)), iw_u32(&w, to_m(s->y));
    iw_u64(&w, e->price_per_min), iw_u64(&w, e->price_per_km), iw_u32(&w, ++k->version);
    memcpy(rec, w.p, CAR_REC);
    iot_sign_body(a, env, rec, CAR_REC, rec + CAR_REC);
    iot_bay_key(key, k->cell, k->bay);
    a->cnt.dir_put++;
    if (!a->cfg.dir.put || a->cfg.dir.put(a->cfg.dir.ctx, env, key, rec, sizeof rec, DCOOKIE(D_PUT_CAR, 0, 0, c)) < 0)
        a->cnt.dir_fail++;
}

static void take_bay(iot *a, uint32_t c, uint32_t cell)
{
    uint32_t *b = a->bay_car + (size_t)cell * a->cfg.ev.bays, bay = 0;
    while (b[bay] != NONE32) bay++;
    b[bay] = c, a->bays_free[cell]--;
    a->car[c].cell = cell, a->car[c].bay = bay;
}

static void leave_bay(iot *a, uint32_t c)
{
    car_st *k = &a->car[c];
    if (k->bay == NONE32) return;
    a->bay_car[(size_t)k->cell * a->cfg.ev.bays + k->bay] = NONE32, a->bays_free[k->cell]++;
    k->bay = NONE32;
}

/* The cell with a free bay whose centre is nearest to (x, y) metres (ties: lowest index). */
static uint32_t nearest_free_cell(const iot *a, uint32_t x, uint32_t y, uint32_t *cx, uint32_t *cy)
{
    const iot_ev_cfg *e = &a->cfg.ev;
    uint32_t best = NONE32;
    uint64_t bd = UINT64_MAX;
    for (uint32_t c = 0; c < n_cells(a); c++) {
        if (!a->bays_free[c]) continue;
        uint32_t mx = to_m(((c % e->grid_w) + 0.5) * e->cell_km), my = to_m(((c / e->grid_w) + 0.5) * e->cell_km);
        uint64_t d = dist_m(x, y, mx, my);
        if (d < bd) bd = d, best = c, *cx = mx, *cy = my;
    }
    return best;
}

/* Park where the car stands: the lowest free bay of its cell, else drive to the centre of
 * the nearest cell with one (its bay held meanwhile) and publish on arrival. */
static void park(iot *a, cp_env *env, uint32_t c)
{
    ev_st *s = &a->ev[c];
    uint32_t x = to_m(s->x), y = to_m(s->y), cell = iot_cell_of(a, s->x, s->y), cx = x, cy = y;
    if (a->bays_free[cell]) {
        take_bay(a, c, cell);
        car_state(a, env, c, CAR_IDLE);
        publish(a, env, c);
        return;
    }
    cell = nearest_free_cell(a, x, y, &cx, &cy); /* the fleet fits in the bays (checked at iot_new) */
    take_bay(a, c, cell);
    uint64_t m = dist_m(x, y, cx, cy);
    s->x = cx / 1000.0, s->y = cy / 1000.0;
    s->soc -= drain(&a->cfg.ev, m);
    if (s->soc < 0) s->soc = 0;
    a->cnt.relocations++;
    car_state(a, env, c, CAR_MOVING);
    env_timer(env, span(m, a->cfg.ev.speed_kmh), ITAG(T_PARKED, c));
}

/* A car back from a trip or a relocation: charge first if low (and before the end), else park. */
static void settle_down(iot *a, cp_env *env, uint32_t c)
{
    if (a->ev[c].soc < a->cfg.ev.soc_low && env_now(env) <= a->cfg.end) {
        leave_bay(a, c);
        car_state(a, env, c, CAR_CHARGING);
        iot_ev_need(a, env, c);
        return;
    }
    if (a->car[c].bay == NONE32) {
        park(a, env, c);
        return;
    }
    car_state(a, env, c, CAR_IDLE);
    publish(a, env, c);
}

void iot_travel_charged(iot *a, cp_env *env, uint32_t v, uint32_t pile)
{
    a->ev[v].x = a->pile[pile].x, a->ev[v].y = a->pile[pile].y;
    park(a, env, v);
}

/* ---- rider: request, lookup, choice ------------------------------------------------------- */

static void next_request(iot *a, cp_env *env)
{
    const iot_ev_cfg *e = &a->cfg.ev;
    double per_rider = e->rider_rate / e->riders / 3600.0;
    env_timer(env, (cp_time)rng_exp(env->rng, 1e9 / per_rider), ITAG(T_RIDE, 0));
}

static void rider_done(iot *a, cp_env *env, rider_st *d)
{
    d->rental = d->asked = NONE32, d->phase = R_IDLE;
    next_request(a, env);
}

/* One leg of the destination: len metres from o towards `sign`, else the other way, else as
 * far as the grid goes on the roomier side. */
static uint32_t leg(uint32_t o, uint32_t len, uint32_t max, int sign)
{
    for (int t = 0; t < 2; t++, sign = -sign) {
        if (sign > 0 && (uint64_t)o + len <= max) return o + len;
        if (sign < 0 && len <= o) return o - len;
    }
    return max - o > o ? max : 0;
}

static uint32_t new_rental(iot *a, cp_node rider, cp_time now)
{
    if (vec_reserve((void **)&a->rent, &a->cap_rent, a->n_rent + 1, sizeof *a->rent)) return NONE32;
    iot_rental *x = &a->rent[a->n_rent];
    memset(x, 0, sizeof *x);
    iot_session *s = &x->s;
    s->user = rider, s->infra = CP_NODE_NONE, s->need = now;
    s->reserved = s->open_sent = s->open_committed = s->open_known = s->plugged = CP_TIME_NEVER;
    s->start = s->stop = s->unplug = s->settle_sent = s->settled = x->gave_up = CP_TIME_NEVER;
    return (uint32_t)a->n_rent++;
}

/* The cells rider d searches: its own (ring 0) or the 3 x 3 block around it, in index order. */
static uint32_t search_cells(const iot *a, const rider_st *d, uint32_t out[9])
{
    const iot_ev_cfg *e = &a->cfg.ev;
    int cx = (int)(d->cell % e->grid_w), cy = (int)(d->cell / e->grid_w), r = d->ring;
    uint32_t n = 0;
    for (int y = cy - r; y <= cy + r; y++)
        for (int x = cx - r; x <= cx + r; x++)
            if (x >= 0 && y >= 0 && x < (int)e->grid_w && y < (int)e->grid_h) out[n++] = (uint32_t)y * e->grid_w + (uint32_t)x;
    return n;
}

static void decide(iot *a, cp_env *env, uint32_t r);

/* One directory round: get every bay of the searched cells. */
static void lookup(iot *a, cp_env *env, uint32_t r)
{
    rider_st *d = &a->rider[r];
    uint32_t cl[9], nc = search_cells(a, d, cl), bays = a->cfg.ev.bays, m = nc * bays;
    d->round++, d->best = d->asked = NONE32, d->best_walk = UINT64_MAX, d->gets_left = m, d->phase = R_LOOK;
    a->rent[d->rental].s.lookups++;
    for (uint32_t k = 0; k < m; k++) {
        uint8_t key[32];
        iot_bay_key(key, cl[k / bays], k % bays);
        a->cnt.dir_get++;
        int rc = a->cfg.dir.get ? a->cfg.dir.get(a->cfg.dir.ctx, env, key, DCOOKIE(D_GET_BAY, d->round, k, r)) : -1;
        if (rc < 0 && (a->cnt.dir_fail++, --d->gets_left == 0)) decide(a, env, r);
    }
}

static void request(iot *a, cp_env *env)
{
    const iot_ev_cfg *e = &a->cfg.ev;
    rider_st *d = &a->rider[rider_of(a, env->self)];
    if (env_now(env) > a->cfg.end || d->rental != NONE32) return;
    d->rental = new_rental(a, env->self, env_now(env));
    if (d->rental == NONE32) return;
    a->cnt.requests++;
    iot_rental *x = &a->rent[d->rental];
    uint32_t w = to_m(e->grid_w * e->cell_km), h = to_m(e->grid_h * e->cell_km);
    x->ox = d->x = (uint32_t)llround(rng_unit(env->rng) * w);
    x->oy = d->y = (uint32_t)llround(rng_unit(env->rng) * h);
    double len = iot_draw(env->rng, e->trip_dist, e->trip_km * 1000.0), u = rng_unit(env->rng);
    if (len > (double)w + h) len = (double)w + h;
    int sx = rng_below(env->rng, 2) ? 1 : -1, sy = rng_below(env->rng, 2) ? 1 : -1;
    uint32_t lx = (uint32_t)llround(u * len), ly = (uint32_t)llround(len) - lx;
    x->dx = leg(x->ox, lx, w, sx), x->dy = leg(x->oy, ly, h, sy);
    d->cell = iot_cell_of(a, d->x / 1000.0, d->y / 1000.0), d->ring = 0, d->n_refused = 0;
    lookup(a, env, rider_of(a, env->self));
}

static int was_refused(const rider_st *d, uint32_t c)
{
    for (uint32_t k = 0; k < d->n_refused; k++)
        if (d->refused[k] == c) return 1;
    return 0;
}

/* A car record got for slot k of the round: keep it if it is the nearest usable car so far
 * (available, not refused this request, the platform's fares at most, charge for the trip
 * with soc_low / 2 to spare, reachable on foot by request + max_wait). */
static void consider(iot *a, cp_env *env, rider_st *d, uint32_t k, const uint8_t *val)
{
    const iot_ev_cfg *e = &a->cfg.ev;
    const iot_rental *x = &a->rent[d->rental];
    uint32_t cl[9];
    search_cells(a, d, cl);
    ir r;
    ir_init(&r, val, CAR_REC);
    uint32_t c = ir_u32(&r), cell = ir_u32(&r);
    uint8_t bay = ir_u8(&r), avail = ir_u8(&r);
    uint16_t soc = ir_u16(&r);
    uint32_t cx = ir_u32(&r), cy = ir_u32(&r);
    uint64_t ppm = ir_u64(&r), ppkm = ir_u64(&r);
    uint32_t ver = ir_u32(&r);
    if (c >= e->evs || cell != cl[k / e->bays] || bay != k % e->bays ||
        !iot_check_body(a, env, a->first[1] + c, val, CAR_REC, val + CAR_REC)) {
        a->cnt.bad_sig++;
        return;
    }
    if (!avail || was_refused(d, c) || ppm > e->price_per_min || ppkm > e->price_per_km) return;
    if (soc / 1000.0 - drain(e, dist_m(cx, cy, x->dx, x->dy)) < e->soc_low / 2) return;
    uint64_t walk = dist_m(d->x, d->y, cx, cy);
    if (env_now(env) + span(walk, e->walk_kmh) > x->s.need + e->max_wait) return;
    if (walk < d->best_walk || (walk == d->best_walk && c < d->best))
        d->best = c, d->best_ver = ver, d->best_walk = walk, d->best_x = cx, d->best_y = cy;
}

void iot_travel_dir(iot *a, cp_env *env, uint64_t cookie, int ok, const uint8_t *val, uint32_t len)
{
    uint32_t r = (uint32_t)cookie, k = (uint32_t)(cookie >> 32) & 0xff;
    if ((cookie >> 56) != D_GET_BAY || r >= a->cfg.ev.riders) return;
    rider_st *d = &a->rider[r];
    if (d->phase != R_LOOK || d->asked != NONE32 || ((cookie >> 40) & 0xffff) != d->round || !d->gets_left) return;
    d->gets_left--;
    if (ok && len == CAR_REC + IOT_SIG) consider(a, env, d, k, val);
    if (!d->gets_left) decide(a, env, r);
}

/* All gets of the round are in: reserve the best car; none: widen to the 3 x 3 cells, then
 * look again every `retry` while a car could still be reached by the deadline. */
static void decide(iot *a, cp_env *env, uint32_t r)
{
    const iot_ev_cfg *e = &a->cfg.ev;
    rider_st *d = &a->rider[r];
    iot_rental *x = &a->rent[d->rental];
    if (d->best != NONE32) {
        d->asked = d->best, d->asked_ver = d->best_ver;
        iw w;
        iw_init(&w, a);
        iw_u8(&w, M_RESERVE), iw_u32(&w, d->rental), iw_u32(&w, d->best), iw_u32(&w, d->best_ver);
        iot_send_signed(a, env, a->first[1] + d->best, &w);
        return;
    }
    d->n_refused = 0;
    if (d->ring == 0 && n_cells(a) > 1) {
        d->ring = 1;
        lookup(a, env, r);
        return;
    }
    if (env_now(env) + e->retry >= x->s.need + e->max_wait) {
        x->gave_up = env_now(env);
        a->cnt.unserved++;
        rider_done(a, env, d);
        return;
    }
    env_timer(env, e->retry, ITAG(T_RIDE_RETRY, d->rental));
}

/* ---- car side: reservation, unlock, trip, bill ------------------------------------------- */

static void send_rental(iot *a, cp_env *env, cp_node to, uint8_t kind, uint32_t rent, uint32_t ver)
{
    const iot_ev_cfg *e = &a->cfg.ev;
    iw w;
    iw_init(&w, a);
    iw_u8(&w, kind), iw_u32(&w, rent), iw_u32(&w, ver);
    if (kind == M_RES_OK) {
        const ev_st *s = &a->ev[car_of(a, env->self)];
        iw_u64(&w, e->price_per_min), iw_u64(&w, e->price_per_km), iw_u64(&w, e->rental_deposit);
        iw_u32(&w, to_m(s->x)), iw_u32(&w, to_m(s->y));
    }
    iot_send_signed(a, env, to, &w);
}

static void on_reserve(iot *a, cp_env *env, cp_node from, ir *r)
{
    uint32_t rent = ir_u32(r), c = ir_u32(r), ver = ir_u32(r);
    if (!ir_done(r) || !is_rider(a, from) || c != car_of(a, env->self) || rent >= a->n_rent ||
        a->rent[rent].s.user != from) {
        a->cnt.malformed++;
        return;
    }
    car_st *k = &a->car[c];
    if (k->state != CAR_IDLE || ver != k->version) {
        a->cnt.rent_refused++;
        send_rental(a, env, from, M_RES_NO, rent, ver);
        return;
    }
    iot_rental *x = &a->rent[rent];
    car_state(a, env, c, CAR_RESERVED);
    k->rental = rent, k->rider = from, k->note_escrow = k->hello_escrow = 0;
    x->s.infra = env->self, x->cx = to_m(a->ev[c].x), x->cy = to_m(a->ev[c].y);
    k->res_timer = env_timer(env, a->cfg.ev.reserve_timeout, ITAG(T_RENT_TO, rent));
    publish(a, env, c);
    send_rental(a, env, from, M_RES_OK, rent, ver);
}

static void release(iot *a, cp_env *env, uint32_t c)
{
    car_st *k = &a->car[c];
    if (k->res_timer) env_timer_cancel(env, k->res_timer);
    k->res_timer = 0, k->rental = NONE32, k->rider = CP_NODE_NONE;
    car_state(a, env, c, CAR_IDLE);
    publish(a, env, c);
}

/* Both the HELLO and the escrow's commit are in: unlock, leave the bay, drive. */
static void unlock(iot *a, cp_env *env, uint32_t c)
{
    car_st *k = &a->car[c];
    iot_rental *x = &a->rent[k->rental];
    if (k->res_timer) env_timer_cancel(env, k->res_timer);
    k->res_timer = 0;
    x->s.start = env_now(env);
    a->cnt.rentals++;
    leave_bay(a, c);
    car_state(a, env, c, CAR_RENTED);
    x->metres = dist_m(x->cx, x->cy, k->dx, k->dy);
    iw w;
    iw_init(&w, a);
    iw_u8(&w, M_OPEN), iw_u32(&w, k->rental);
    iot_send_signed(a, env, k->rider, &w);
    env_timer(env, span(x->metres, a->cfg.ev.speed_kmh), ITAG(T_TRIP, k->rental));
}

static void on_hello(iot *a, cp_env *env, cp_node from, ir *r)
{
    const iot_ev_cfg *e = &a->cfg.ev;
    uint32_t rent = ir_u32(r), dx = ir_u32(r), dy = ir_u32(r);
    uint64_t escrow = ir_u64(r);
    car_st *k = &a->car[car_of(a, env->self)];
    if (!ir_done(r) || k->state != CAR_RESERVED || k->rental != rent || k->rider != from || k->hello_escrow ||
        !escrow || dx > to_m(e->grid_w * e->cell_km) || dy > to_m(e->grid_h * e->cell_km)) {
        a->cnt.malformed++;
        return;
    }
    k->hello_escrow = escrow, k->dx = dx, k->dy = dy;
    a->rent[rent].s.plugged = env_now(env);
    if (k->note_escrow == escrow) unlock(a, env, car_of(a, env->self));
}

void iot_travel_note(iot *a, cp_env *env, const chain_tx *tx, int valid)
{
    if (tx->kind != CHAIN_TX_ESCROW_OPEN || !is_car(a, env->self)) return;
    uint32_t c = car_of(a, env->self);
    car_st *k = &a->car[c];
    if (k->state != CAR_RESERVED || k->rider != tx->sender || k->note_escrow || tx->recipient != env->self ||
        tx->amount < a->cfg.ev.rental_deposit)
        return;
    if (!valid) {
        release(a, env, c);
        return;
    }
    k->note_escrow = iot_get64(tx->payload);
    a->rent[k->rental].s.open_known = env_now(env);
    if (k->hello_escrow == k->note_escrow) unlock(a, env, c);
}

/* At the destination: meter, bill the rider, then charge or park. */
static void trip_end(iot *a, cp_env *env, uint32_t rent)
{
    const iot_ev_cfg *e = &a->cfg.ev;
    uint32_t c = car_of(a, env->self);
    car_st *k = &a->car[c];
    ev_st *s = &a->ev[c];
    if (k->state != CAR_RENTED || k->rental != rent) return;
    iot_rental *x = &a->rent[rent];
    x->s.stop = env_now(env);
    x->s.pay = iot_fare(e, x->metres, span(x->metres, e->speed_kmh), &x->s.minutes); /* the drive, not a busy CPU's delay */
    x->s.energy_wh = (uint64_t)llround(drain(e, x->metres) * e->capacity_kwh * 1000.0);
    s->soc -= drain(e, x->metres);
    if (s->soc < 0) s->soc = 0;
    s->x = k->dx / 1000.0, s->y = k->dy / 1000.0;
    iw w;
    iw_init(&w, a);
    iw_u8(&w, M_BILL), iw_u32(&w, rent), iw_u64(&w, k->hello_escrow), iw_u32(&w, (uint32_t)x->s.minutes);
    iw_u64(&w, x->metres), iw_u64(&w, x->s.pay);
    iot_send_signed(a, env, k->rider, &w);
    k->rental = NONE32, k->rider = CP_NODE_NONE;
    settle_down(a, env, c);
}

static void on_paysig(iot *a, cp_env *env, cp_node from, ir *r)
{
    uint32_t rent = ir_u32(r);
    const uint8_t *sig = ir_bytes(r, IOT_SIG);
    iot_rental *x = rent < a->n_rent ? &a->rent[rent] : NULL;
    if (!ir_done(r) || !x || x->s.infra != env->self || x->s.user != from || x->s.stop == CP_TIME_NEVER ||
        x->s.settle_sent != CP_TIME_NEVER) {
        a->cnt.malformed++;
        return;
    }
    iot_settle_countersigned(a, env, from, &x->s, sig, RENT_REF | rent);
}

/* ---- rider side: answers, walk, ride, countersign ------------------------------------------ */

/* Rider d's current rental if `from` is the car it asked and rent names it, else NULL. */
static iot_rental *my_rental(iot *a, rider_st *d, cp_node from, uint32_t rent)
{
    if (d->rental == NONE32 || d->rental != rent || d->asked == NONE32 || from != a->first[1] + d->asked) return NULL;
    return &a->rent[rent];
}

static void on_res_ok(iot *a, cp_env *env, cp_node from, ir *r)
{
    const iot_ev_cfg *e = &a->cfg.ev;
    rider_st *d = &a->rider[rider_of(a, env->self)];
    uint32_t rent = ir_u32(r), ver = ir_u32(r);
    uint64_t ppm = ir_u64(r), ppkm = ir_u64(r), dep = ir_u64(r);
    uint32_t cx = ir_u32(r), cy = ir_u32(r);
    iot_rental *x = my_rental(a, d, from, rent);
    if (!ir_done(r) || !x || d->phase != R_LOOK || ver != d->asked_ver || ppm > e->price_per_min ||
        ppkm > e->price_per_km || dep > e->rental_deposit || cx != d->best_x || cy != d->best_y) {
        a->cnt.malformed++;
        return;
    }
    x->cx = cx, x->cy = cy;
    iot_open_escrow(a, env, &x->s, &d->escrow_seq, from, dep, RENT_REF | rent);
    d->phase = R_WALK;
    env_timer(env, span(dist_m(d->x, d->y, cx, cy), e->walk_kmh), ITAG(T_WALKED, rent));
    env_timer(env, e->reserve_timeout, ITAG(T_RIDE_TO, rent));
}

/* Refused (the car is taken or the record was stale): look again, without that car. */
static void on_res_no(iot *a, cp_env *env, cp_node from, ir *r)
{
    rider_st *d = &a->rider[rider_of(a, env->self)];
    uint32_t rent = ir_u32(r), ver = ir_u32(r);
    if (!ir_done(r) || !my_rental(a, d, from, rent) || d->phase != R_LOOK || ver != d->asked_ver) {
        a->cnt.malformed++;
        return;
    }
    a->rent[rent].s.conflicts++;
    if (d->n_refused < 4) d->refused[d->n_refused++] = d->asked;
    lookup(a, env, rider_of(a, env->self));
}

static void walked(iot *a, cp_env *env, uint32_t rent)
{
    rider_st *d = &a->rider[rider_of(a, env->self)];
    if (d->rental != rent || d->phase != R_WALK) return;
    const iot_rental *x = &a->rent[rent];
    d->phase = R_WAIT, d->x = x->cx, d->y = x->cy;
    iw w;
    iw_init(&w, a);
    iw_u8(&w, M_HELLO), iw_u32(&w, rent), iw_u32(&w, x->dx), iw_u32(&w, x->dy), iw_u64(&w, x->s.escrow);
    iot_send_signed(a, env, a->first[1] + d->asked, &w);
}

/* The car unlocked. A short trip's BILL may overtake this message: then the rental is over
 * (countersigned) and the OPEN is dropped without blame. */
static void on_open(iot *a, cp_env *env, cp_node from, ir *r)
{
    rider_st *d = &a->rider[rider_of(a, env->self)];
    uint32_t rent = ir_u32(r);
    if (ir_done(r) && rent < a->n_rent && a->rent[rent].s.user == env->self && a->rent[rent].s.infra == from &&
        a->rent[rent].s.unplug != CP_TIME_NEVER && d->rental != rent)
        return;
    if (!ir_done(r) || !my_rental(a, d, from, rent) || d->phase != R_WAIT) {
        a->cnt.malformed++;
        return;
    }
    d->phase = R_RIDE;
}

/* The bill must not exceed the fare of the trip the rider asked for: metres at most the
 * Manhattan distance from the car to the destination, minutes at most that drive's. It may
 * come before the OPEN (a short trip; messages are not ordered). */
static void on_bill(iot *a, cp_env *env, cp_node from, ir *r)
{
    const iot_ev_cfg *e = &a->cfg.ev;
    rider_st *d = &a->rider[rider_of(a, env->self)];
    uint32_t rent = ir_u32(r);
    uint64_t escrow = ir_u64(r);
    uint32_t minutes = ir_u32(r);
    uint64_t metres = ir_u64(r), pay = ir_u64(r), max_min;
    iot_rental *x = my_rental(a, d, from, rent);
    uint64_t m = x ? dist_m(x->cx, x->cy, x->dx, x->dy) : 0, bound = iot_fare(e, m, span(m, e->speed_kmh), &max_min);
    if (!ir_done(r) || !x || (d->phase != R_RIDE && d->phase != R_WAIT) || escrow != x->s.escrow || metres > m ||
        minutes > max_min ||
        pay > bound || pay > (uint64_t)minutes * e->price_per_min + metres * e->price_per_km / 1000) {
        a->cnt.malformed++;
        return;
    }
    iw w;
    iw_init(&w, a);
    iw_u8(&w, M_PAYSIG), iw_u32(&w, rent);
    iot_countersign(a, env, from, &w, escrow, pay);
    x->s.unplug = env_now(env);
    d->x = x->dx, d->y = x->dy;
    rider_done(a, env, d);
}

/* No unlock by reserve_timeout after the reservation: look again if a car could still be
 * reached in time, else give up. */
static void ride_timeout(iot *a, cp_env *env, uint32_t rent)
{
    rider_st *d = &a->rider[rider_of(a, env->self)];
    if (d->rental != rent || (d->phase != R_WALK && d->phase != R_WAIT)) return;
    iot_rental *x = &a->rent[rent];
    if (env_now(env) < x->s.need + a->cfg.ev.max_wait) {
        lookup(a, env, rider_of(a, env->self));
        return;
    }
    x->gave_up = env_now(env);
    a->cnt.unserved++;
    rider_done(a, env, d);
}

/* ---- dispatch ------------------------------------------------------------------------------ */

void iot_travel_start(iot *a, cp_env *env)
{
    const iot_ev_cfg *e = &a->cfg.ev;
    if (is_rider(a, env->self)) {
        next_request(a, env);
        return;
    }
    uint32_t c = car_of(a, env->self);
    ev_st *s = &a->ev[c];
    s->soc = e->soc0_min + (e->soc_target - e->soc0_min) * rng_unit(env->rng);
    s->asked = NONE32;
    s->x = rng_unit(env->rng) * e->grid_w * e->cell_km;
    s->y = rng_unit(env->rng) * e->grid_h * e->cell_km;
    a->car[c].since = env_now(env);
    park(a, env, c);
}

void iot_travel_message(iot *a, cp_env *env, cp_node from, uint8_t kind, const cp_msg *m)
{
    ir r;
    int car = is_car(a, env->self), rider = is_rider(a, env->self);
    int ok = (car && is_rider(a, from) && (kind == M_RESERVE || kind == M_HELLO || kind == M_PAYSIG)) ||
             (rider && is_car(a, from) && (kind == M_RES_OK || kind == M_RES_NO || kind == M_OPEN || kind == M_BILL));
    if (!iot_open_signed(a, env, from, m, ok, &r)) return;
    switch (kind) {
    case M_RESERVE: on_reserve(a, env, from, &r); break;
    case M_HELLO: on_hello(a, env, from, &r); break;
    case M_PAYSIG: on_paysig(a, env, from, &r); break;
    case M_RES_OK: on_res_ok(a, env, from, &r); break;
    case M_RES_NO: on_res_no(a, env, from, &r); break;
    case M_OPEN: on_open(a, env, from, &r); break;
    default: on_bill(a, env, from, &r); break;
    }
}

void iot_travel_timer(iot *a, cp_env *env, int kind, uint32_t i)
{
    if (is_rider(a, env->self)) {
        rider_st *d = &a->rider[rider_of(a, env->self)];
        if (kind == T_RIDE) request(a, env);
        else if (kind == T_RIDE_RETRY && d->rental == i && d->phase == R_LOOK && d->asked == NONE32)
            lookup(a, env, rider_of(a, env->self));
        else if (kind == T_WALKED) walked(a, env, i);
        else if (kind == T_RIDE_TO) ride_timeout(a, env, i);
        return;
    }
    uint32_t c = car_of(a, env->self);
    car_st *k = &a->car[c];
    if (kind == T_TRIP) trip_end(a, env, i);
    else if (kind == T_PARKED && k->state == CAR_MOVING) settle_down(a, env, c);
    else if (kind == T_RENT_TO && k->state == CAR_RESERVED && k->rental == i) {
        k->res_timer = 0;
        a->cnt.rent_expired++;
        release(a, env, c);
    }
}

/* ---- results ------------------------------------------------------------------------------- */

const iot_rental *iot_rentals(const iot *a, size_t *n) { return *n = a->n_rent, a->rent; }

iot_fleet iot_fleet_time(const iot *a, cp_time end)
{
    iot_fleet f = {0, 0, 0, 0};
    for (uint32_t c = 0; a->car && c < a->cfg.ev.evs; c++) {
        const car_st *k = &a->car[c];
        cp_time t[CAR_NSTATES];
        memcpy(t, k->acc, sizeof t);
        if (k->since < end) t[k->state] += end - k->since;
        f.rented += t[CAR_RENTED], f.charging += t[CAR_CHARGING], f.reserved += t[CAR_RESERVED];
        f.idle += t[CAR_IDLE] + t[CAR_MOVING];
    }
    return f;
}
