/* sim/workload/wl_ev.c: predictive maintenance of EV batteries from purchased telemetry. The
 * maintenance provider sees a battery's readings only when its trade delivers them; after each
 * delivered record it fits health against charge cycle by least squares and flags the battery
 * when the fitted line reaches the failure threshold within `horizon` cycles of the last cycle
 * seen. Scoring against the model's noiseless failure time: lead time of each detection, late
 * and missed failures, false positives (flags more than `horizon` cycles before the truth).
 * Invariant: the detector's inputs are decrypted plaintext only. */
#include "sim/workload/wl.h"

#include <stdlib.h>
#include <string.h>

typedef struct fit {
    double n, sx, sy, sxx, sxy, last;
} fit;

/* Cycle at which the least-squares line reaches h, or a negative number if it never does. */
static double fit_cross(const fit *f, double h)
{
    double den = f->n * f->sxx - f->sx * f->sx;
    if (den <= 0) return -1;
    double b = (f->n * f->sxy - f->sx * f->sy) / den, a = (f->sy - b * f->sx) / f->n;
    return b < 0 ? (h - a) / b : -1;
}

static void truth(const data *d, wl_ev *e, cp_time run_end)
{
    const data_cfg *c = data_get_cfg(d);
    size_t nr;
    const data_record *r = data_records(d, &nr);
    cp_time *off = malloc(((size_t)c->devices + 1) * sizeof *off);
    if (!off) return;
    for (uint32_t v = 0; v < c->devices; v++) off[v] = CP_TIME_NEVER;
    for (size_t i = 0; i < nr; i++) {
        uint32_t v = r[i].owner - c->first;
        if (v < c->devices && off[v] == CP_TIME_NEVER) off[v] = r[i].first_reading - r[i].interval * c->upload_interval;
    }
    for (uint32_t v = 0; v < c->devices; v++) {
        wl_ev_battery *b = &e->b[v];
        uint64_t j = data_model_fail_sample(&c->model, data_seed(d), v);
        b->dev = v, b->fast = (uint8_t)data_model_fast(&c->model, data_seed(d), v);
        b->fail_at = j == UINT64_MAX || off[v] == CP_TIME_NEVER ? CP_TIME_NEVER : off[v] + j * c->sample_interval;
        b->fails = b->fail_at <= run_end;
        b->flag_at = CP_TIME_NEVER;
        e->fast += b->fast, e->failing += b->fails;
    }
    free(off);
}

static void feed(const data *d, const wl_item *it, fit *f, wl_ev *e)
{
    const data_cfg *c = data_get_cfg(d);
    size_t len;
    uint8_t *pt = wl_open(d, it, &len);
    for (size_t k = 0; pt && k + c->reading_size <= len; k += c->reading_size) {
        data_model_rd rd;
        data_model_decode(&c->model, pt + k, &rd);
        if (rd.dev >= c->devices) continue;
        fit *x = &f[rd.dev];
        double cy = rd.cycle, h = rd.health_ppm / 1e6;
        x->n++, x->sx += cy, x->sy += h, x->sxx += cy * cy, x->sxy += cy * h;
        if (cy > x->last) x->last = cy;
        e->latency_s[e->n_latency++] = (double)(it->at - rd.t) / 1e9;
    }
    free(pt);
}

static void decide(const data *d, const wl_item *it, const fit *f, double horizon, uint32_t min_points, wl_ev *e)
{
    const data_cfg *c = data_get_cfg(d);
    uint32_t v = data_records(d, &(size_t){0})[it->record].owner - c->first;
    wl_ev_battery *b = v < c->devices ? &e->b[v] : NULL;
    if (!b || b->flagged || f[v].n < min_points) return;
    double p = fit_cross(&f[v], c->model.fail_health);
    b->points = (uint32_t)f[v].n;
    if (p < 0 || p - f[v].last > horizon) return;
    b->flagged = 1, b->flag_at = it->at, b->predicted_cycle = p;
    uint64_t j = data_model_fail_sample(&c->model, data_seed(d), v);
    b->false_pos = j == UINT64_MAX || (double)(j * c->model.cycles_per_sample) - f[v].last > horizon;
    e->false_pos += b->false_pos;
}

static void score(wl_ev *e)
{
    for (size_t v = 0; v < e->n; v++) {
        const wl_ev_battery *b = &e->b[v];
        if (!b->fails) continue;
        if (!b->flagged) e->missed++;
        else if (b->flag_at >= b->fail_at) e->late++;
        else e->detected++, e->lead_s[e->n_lead++] = (double)(b->fail_at - b->flag_at) / 1e9;
    }
}

int wl_ev_run(const data *d, double horizon, uint32_t min_points, cp_time run_end, wl_ev *e)
{
    const data_cfg *c = data_get_cfg(d);
    size_t ni, nv = c->devices;
    memset(e, 0, sizeof *e);
    wl_item *it = wl_delivered(d, &ni);
    uint64_t per = c->upload_interval / c->sample_interval;
    fit *f = calloc(nv + 1, sizeof *f);
    e->n = nv, e->b = calloc(nv + 1, sizeof *e->b), e->lead_s = malloc((nv + 1) * sizeof *e->lead_s);
    e->latency_s = malloc((ni * per + 1) * sizeof *e->latency_s);
    int rc = it && f && e->b && e->lead_s && e->latency_s && c->model.kind == DATA_MODEL_BATTERY ? 0 : -1;
    if (!rc) {
        truth(d, e, run_end);
        for (size_t i = 0; i < ni; i++) feed(d, &it[i], f, e), decide(d, &it[i], f, horizon, min_points, e);
        score(e);
    }
    free(it), free(f);
    return rc;
}

void wl_ev_free(wl_ev *e)
{
    free(e->b), free(e->lead_s), free(e->latency_s);
    memset(e, 0, sizeof *e);
}
