/* core/iot/iot_model.c: the device models of core/iot, drawn once from the seed at iot_new:
 * piles on the road grid (pile p in cell p mod cells, at a seeded point of it, slot p / cells,
 * a seeded price), the charging curve, the hub graph (a ring plus seeded chords), the parcels
 * (Poisson arrivals, seeded origin and route) and the provenance queries (Poisson times,
 * seeded client). Invariant: everything here is a pure function of (cfg, seed); the state
 * machines only read it, so two runs of a seed see the same world. */
#include "core/iot/iot_int.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

double iot_charge_hours(double capacity_kwh, double pile_kw, double s0, double s1)
{
    if (s1 <= s0) return 0;
    double knee = 0.8, h = 0;
    if (s0 < knee) h += capacity_kwh * ((s1 < knee ? s1 : knee) - s0) / pile_kw;
    if (s1 > knee) {
        double from = s0 > knee ? s0 : knee;
        h += (0.2 * capacity_kwh / pile_kw) * log((1 - from) / (1 - s1));
    }
    return h;
}

static uint32_t n_cells(const iot *a) { return a->cfg.ev.grid_w * a->cfg.ev.grid_h; }

void iot_pile_place(const iot *a, uint32_t pile, double *x, double *y)
{
    *x = a->pile[pile].x, *y = a->pile[pile].y;
}

uint32_t iot_cell_of(const iot *a, double x, double y)
{
    const iot_ev_cfg *e = &a->cfg.ev;
    uint32_t cx = (uint32_t)(x / e->cell_km), cy = (uint32_t)(y / e->cell_km);
    if (cx >= e->grid_w) cx = e->grid_w - 1;
    if (cy >= e->grid_h) cy = e->grid_h - 1;
    return cy * e->grid_w + cx;
}

uint32_t iot_pile_cell_near(const iot *a, double x, double y)
{
    const iot_ev_cfg *e = &a->cfg.ev;
    uint32_t own = iot_cell_of(a, x, y), best = own;
    double bd = INFINITY;
    if (a->cell_count[own]) return own;
    for (uint32_t c = 0; c < n_cells(a); c++) {
        double d = fabs(((c % e->grid_w) + 0.5) * e->cell_km - x) + fabs(((c / e->grid_w) + 0.5) * e->cell_km - y);
        if (a->cell_count[c] && d < bd) bd = d, best = c;
    }
    return best;
}

uint32_t iot_pile_slot(const iot *a, uint32_t pile) { return a->pile[pile].slot; }
uint32_t iot_cell_piles(const iot *a, uint32_t cell) { return cell < n_cells(a) ? a->cell_count[cell] : 0; }
uint64_t iot_pile_price(const iot *a, uint32_t pile) { return a->pile[pile].price; }

void iot_cell_key(uint8_t key[32], uint32_t cell, uint32_t slot)
{
    uint8_t b[22];
    memcpy(b, "cpsim-iot-pile", 14);
    for (int k = 0; k < 4; k++) b[14 + k] = (uint8_t)(cell >> (8 * k)), b[18 + k] = (uint8_t)(slot >> (8 * k));
    cr_hash(key, b, sizeof b);
}

static int ev_make(iot *a)
{
    const iot_ev_cfg *e = &a->cfg.ev;
    uint32_t cells = n_cells(a);
    a->pile = calloc(e->piles, sizeof *a->pile);
    a->ev = calloc(e->evs, sizeof *a->ev);
    a->cell_count = calloc(cells, sizeof *a->cell_count);
    if (!a->pile || !a->ev || !a->cell_count) return -1;
    cp_rng r;
    rng_seed(&r, a->seed, 0, 0x9113);
    for (uint32_t p = 0; p < e->piles; p++) {
        pile_st *s = &a->pile[p];
        uint32_t c = p % cells;
        s->cell = c, s->slot = p / cells, s->session = NONE32, s->since = CP_TIME_NEVER;
        s->x = ((c % e->grid_w) + rng_unit(&r)) * e->cell_km;
        s->y = ((c / e->grid_w) + rng_unit(&r)) * e->cell_km;
        s->price = e->price_min + rng_below(&r, e->price_max - e->price_min + 1);
        a->cell_count[c]++;
    }
    for (uint32_t v = 0; v < e->evs; v++) a->ev[v].session = NONE32;
    return e->riders ? iot_travel_make(a) : 0;
}

static int park_make(iot *a)
{
    a->lock = calloc(a->cfg.park.locks, sizeof *a->lock);
    a->drv = calloc(a->cfg.park.drivers, sizeof *a->drv);
    if (!a->lock || !a->drv) return -1;
    for (uint32_t d = 0; d < a->cfg.park.drivers; d++) a->drv[d].visit = NONE32;
    return 0;
}

/* ---- logistics ---------------------------------------------------------------------------- */

/* Ring plus chords: each hub, in order, gets chords to seeded non-neighbours until its degree
 * reaches hub_degree (a few tries each, so a dense small graph simply stays as it is). */
static int hub_graph(iot *a, cp_rng *r)
{
    uint32_t h = a->cfg.log.hubs, want = a->cfg.log.hub_degree;
    uint8_t *m = calloc((size_t)h * h, 1);
    uint32_t *deg = calloc(h, sizeof *deg);
    a->adj_off = calloc(h + 1, sizeof *a->adj_off);
    if (!m || !deg || !a->adj_off) return free(m), free(deg), -1;
    for (uint32_t i = 0; i < h; i++) {
        uint32_t j = (i + 1) % h;
        if (!m[i * h + j]) m[i * h + j] = m[j * h + i] = 1, deg[i]++, deg[j]++;
    }
    for (uint32_t i = 0; i < h; i++)
        for (int t = 0; t < 16 && deg[i] < want; t++) {
            uint32_t j = (uint32_t)rng_below(r, h);
            if (j == i || m[i * h + j]) continue;
            m[i * h + j] = m[j * h + i] = 1, deg[i]++, deg[j]++;
        }
    for (uint32_t i = 0; i < h; i++) a->adj_off[i + 1] = a->adj_off[i] + deg[i];
    a->adj = malloc((size_t)a->adj_off[h] * sizeof *a->adj);
    for (uint32_t i = 0, k = 0; a->adj && i < h; i++)
        for (uint32_t j = 0; j < h; j++)
            if (m[i * h + j]) a->adj[k++] = j;
    free(m), free(deg);
    return a->adj ? 0 : -1;
}

uint32_t iot_hub_neighbours(const iot *a, uint32_t hub, const uint32_t **out)
{
    *out = a->adj + a->adj_off[hub];
    return a->adj_off[hub + 1] - a->adj_off[hub];
}

/* A walk without repeats of min_hops..max_hops hubs from a seeded origin (shorter if stuck). */
static void route_draw(iot *a, parcel_st *p, cp_rng *r)
{
    const iot_log_cfg *l = &a->cfg.log;
    uint32_t len = l->min_hops + (uint32_t)rng_below(r, l->max_hops - l->min_hops + 1);
    p->route[0] = (uint32_t)rng_below(r, l->hubs), p->n = 1;
    while (p->n < len) {
        const uint32_t *nb;
        uint32_t d = iot_hub_neighbours(a, p->route[p->n - 1], &nb), cand[64], nc = 0;
        for (uint32_t k = 0; k < d && nc < 64; k++) {
            int seen = 0;
            for (uint32_t q = 0; q < p->n; q++) seen |= p->route[q] == nb[k];
            if (!seen) cand[nc++] = nb[k];
        }
        if (!nc) break;
        p->route[p->n++] = cand[rng_below(r, nc)];
    }
}

uint32_t iot_parcel_route(const iot *a, uint32_t parcel, uint32_t *hubs)
{
    if (parcel >= a->n_parcel) return 0;
    memcpy(hubs, a->parcel[parcel].route, a->parcel[parcel].n * sizeof *hubs);
    return a->parcel[parcel].n;
}

static int parcels_make(iot *a, cp_rng *r)
{
    double t = 0, mean = 1e9 / a->cfg.log.parcel_rate;
    size_t cap = 0;
    for (;;) {
        t += rng_exp(r, mean);
        if (t > (double)a->cfg.end) break;
        if (vec_reserve((void **)&a->parcel, &cap, a->n_parcel + 1, sizeof *a->parcel)) return -1;
        parcel_st *p = &a->parcel[a->n_parcel++];
        memset(p, 0, sizeof *p);
        p->created = (cp_time)t, p->scan0 = NONE32;
        route_draw(a, p, r);
    }
    a->index = calloc(a->n_parcel ? a->n_parcel : 1, sizeof *a->index);
    return a->index ? 0 : -1;
}

static int queries_make(iot *a, cp_rng *r)
{
    const iot_log_cfg *l = &a->cfg.log;
    size_t cap = 0;
    if (!(l->query_rate > 0)) return 0;
    double t = (double)l->query_start, mean = 1e9 / l->query_rate;
    for (;;) {
        t += rng_exp(r, mean);
        if (t > (double)a->cfg.end) break;
        if (vec_reserve((void **)&a->q, &cap, a->n_q + 1, sizeof *a->q)) return -1;
        iot_query *q = &a->q[a->n_q++];
        memset(q, 0, sizeof *q);
        q->client = a->first[2] + (cp_node)rng_below(r, l->clients);
        q->sent = (cp_time)t, q->answered = CP_TIME_NEVER, q->parcel = NONE32;
    }
    return 0;
}

static int log_make(iot *a)
{
    cp_rng r;
    rng_seed(&r, a->seed, 0, 0x10C);
    return hub_graph(a, &r) || parcels_make(a, &r) || queries_make(a, &r) ? -1 : 0;
}

int iot_model_make(iot *a)
{
    if (a->cfg.app == IOT_APP_EV) return ev_make(a);
    if (a->cfg.app == IOT_APP_PARK) return park_make(a);
    return log_make(a);
}

void iot_model_free(iot *a)
{
    for (size_t i = 0; a->parcel && i < a->n_parcel; i++) free(a->parcel[i].scans);
    for (size_t i = 0; a->index && i < a->n_parcel; i++) {
        for (uint32_t k = 0; k < a->index[i].n; k++) free(a->index[i].e[k].tx);
        free(a->index[i].e);
    }
    iot_travel_free(a);
    free(a->pile), free(a->ev), free(a->cell_count), free(a->lock), free(a->drv);
    free(a->adj_off), free(a->adj), free(a->parcel), free(a->index), free(a->scan), free(a->q);
}
