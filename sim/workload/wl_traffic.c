/* sim/workload/wl_traffic.c: a navigation service's congestion map from purchased vehicle
 * readings. Each reading (segment, speed) a buyer decrypted falls into the map window of its
 * sample time; a window's map is used once the last of its readings arrived, and a segment is
 * congested when its mean speed is below the midpoint of the free and the jammed speed.
 * Scored against the model's congested roads. Invariant: the map is built from decrypted
 * plaintext only; per-reading ages are measured at the delivery and at the map's use. */
#include "sim/workload/wl.h"

#include <stdlib.h>
#include <string.h>

typedef struct obs {
    uint64_t w;
    uint32_t seg;
    double kmh;
    cp_time at, t;
} obs;

static int obs_cmp(const void *a, const void *b)
{
    const obs *x = a, *y = b;
    if (x->w != y->w) return x->w < y->w ? -1 : 1;
    if (x->seg != y->seg) return x->seg < y->seg ? -1 : 1;
    return (x->t > y->t) - (x->t < y->t);
}

static size_t collect(const data *d, const wl_item *it, size_t ni, cp_time window, obs *o, wl_traffic *t)
{
    const data_cfg *c = data_get_cfg(d);
    size_t n = 0;
    for (size_t i = 0; i < ni; i++) {
        size_t len;
        uint8_t *pt = wl_open(d, &it[i], &len);
        t->records += pt != NULL;
        for (size_t k = 0; pt && k + c->reading_size <= len; k += c->reading_size) {
            data_model_rd rd;
            data_model_decode(&c->model, pt + k, &rd);
            o[n++] = (obs){rd.t / window, rd.segment, rd.speed_cms * 0.036, it[i].at, rd.t};
            t->latency_s[t->readings++] = (double)(it[i].at - rd.t) / 1e9;
        }
        free(pt);
    }
    return n;
}

/* Per window: its use time (the last delivery), the ages, then the map entries, scored. */
static void build(const data *d, obs *o, size_t n, wl_traffic *t)
{
    const data_model *m = &data_get_cfg(d)->model;
    double cut = m->speed_mps * 3.6 * (1 + m->congestion_factor) / 2;
    size_t na = 0;
    for (size_t i = 0, j; i < n; i = j) {
        cp_time use = 0;
        for (j = i; j < n && o[j].w == o[i].w; j++) use = o[j].at > use ? o[j].at : use;
        t->n_windows++;
        for (size_t k = i; k < j; k++) t->age_s[na++] = (double)(use - o[k].t) / 1e9;
        for (size_t a = i, b; a < j; a = b) {
            double sum = 0;
            for (b = a; b < j && o[b].seg == o[a].seg; b++) sum += o[b].kmh;
            int jam = sum / (double)(b - a) < cut;
            t->map_entries++, t->map_congested += jam;
            t->map_correct += jam == data_model_congested(m, data_seed(d), o[a].seg);
        }
    }
}

static void handovers(const data *d, wl_traffic *t)
{
    size_t nr;
    const data_record *r = data_records(d, &nr);
    uint32_t nv = data_get_cfg(d)->devices;
    cp_node *last = malloc(((size_t)nv + 1) * sizeof *last);
    for (uint32_t v = 0; last && v < nv; v++) last[v] = CP_NODE_NONE;
    for (size_t i = 0; last && i < nr; i++) {
        uint32_t v = r[i].owner - data_get_cfg(d)->first;
        if (v >= nv) continue;
        t->gateway_changes += last[v] != CP_NODE_NONE && last[v] != r[i].gateway;
        last[v] = r[i].gateway;
    }
    free(last);
}

int wl_traffic_run(const data *d, cp_time window, wl_traffic *t)
{
    const data_cfg *c = data_get_cfg(d);
    size_t ni;
    memset(t, 0, sizeof *t);
    wl_item *it = wl_delivered(d, &ni);
    size_t cap = ni * (c->upload_interval / c->sample_interval) + 1;
    obs *o = malloc(cap * sizeof *o);
    t->age_s = malloc(cap * sizeof *t->age_s), t->latency_s = malloc(cap * sizeof *t->latency_s);
    int rc = it && o && t->age_s && t->latency_s && window && c->model.kind == DATA_MODEL_VEHICLE ? 0 : -1;
    if (!rc) {
        size_t n = collect(d, it, ni, window, o, t);
        qsort(o, n, sizeof *o, obs_cmp);
        build(d, o, n, t);
        handovers(d, t);
        if (ni > 1 && it[ni - 1].at > it[0].at) t->records_per_s = (double)t->records / ((double)(it[ni - 1].at - it[0].at) / 1e9);
    }
    free(it), free(o);
    return rc;
}

void wl_traffic_free(wl_traffic *t)
{
    free(t->age_s), free(t->latency_s);
    memset(t, 0, sizeof *t);
}
