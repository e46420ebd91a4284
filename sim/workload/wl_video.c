/* sim/workload/wl_video.c: a traffic-analytics service that buys roadside video. Each camera
 * segment the service decrypted (its buyer verified the whole segment) starts with per-lane
 * vehicle counts, read back by decrypting the header (wl_open_prefix); they are summed per
 * (plan window, intersection, approach) into per-lane flows, and each window's signal timing
 * follows Webster's formula (wl_webster), scored against the timing from the model's true
 * demand. Storage, throughput and bandwidth come from the data platform's accounting.
 * Invariant: flows come from decrypted plaintext only; ground truth only scores. */
#include "sim/workload/wl.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

typedef struct vobs {
    uint64_t w;
    uint32_t inter, appr, lanes, count;
} vobs;

static int vobs_cmp(const void *a, const void *b)
{
    const vobs *x = a, *y = b;
    if (x->w != y->w) return x->w < y->w ? -1 : 1;
    if (x->inter != y->inter) return x->inter < y->inter ? -1 : 1;
    return (x->appr > y->appr) - (x->appr < y->appr);
}

double wl_webster(const wl_signal *s, const double *q, uint32_t approaches, double *green)
{
    double y[64] = {0}, Y = 0, L = s->phases * s->lost_s, c;
    for (uint32_t a = 0; a < approaches; a++) {
        double r = q[a] / s->sat_vph;
        if (r > y[a % s->phases]) y[a % s->phases] = r;
    }
    for (uint32_t p = 0; p < s->phases; p++) Y += y[p];
    c = Y >= 0.95 ? s->max_cycle_s : (1.5 * L + 5) / (1 - Y);
    c = c < s->min_cycle_s ? s->min_cycle_s : c > s->max_cycle_s ? s->max_cycle_s : c;
    for (uint32_t p = 0; p < s->phases; p++) green[p] = Y > 0 ? (c - L) * y[p] / Y : (c - L) / s->phases;
    return c;
}

/* Decrypt each delivered segment, read its header, check it against the model; one obs each. */
static size_t collect(const data *d, const wl_item *it, size_t ni, cp_time window, vobs *o, wl_video *v)
{
    const data_cfg *c = data_get_cfg(d);
    size_t nr, n = 0;
    const data_record *rec = data_records(d, &nr);
    for (size_t i = 0; i < ni; i++) {
        uint8_t pt[DATA_MODEL_SEG_HDR(DATA_MODEL_MAX_LANES)];
        size_t len = DATA_MODEL_SEG_HDR(c->model.lanes);
        data_model_seg sg;
        if (!wl_open_prefix(d, &it[i], pt, len) && !data_model_segment_decode(pt, len, &sg)) {
            uint32_t sum = 0, wrong = 0;
            for (uint32_t l = 0; l < sg.lanes; l++) {
                sum += sg.count[l];
                wrong |= sg.count[l] != data_model_lane_count(&c->model, data_seed(d), sg.dev, l, sg.j,
                                                              (double)c->sample_interval / 1e9);
            }
            o[n++] = (vobs){sg.t / window, sg.intersection, sg.approach, sg.lanes, sum};
            v->decoded++, v->vehicles += sum, v->counts_wrong += wrong;
            const data_record *r = &rec[it[i].record];
            v->latency_s[v->n_latency++] = (double)(it[i].at - (r->first_reading + c->upload_interval)) / 1e9;
        }
    }
    return n;
}

/* One plan per (window, intersection) whose approaches were all seen. */
static void plan(const data *d, const vobs *o, size_t a, size_t b, const wl_signal *sg, wl_video *v)
{
    const data_model *m = &data_get_cfg(d)->model;
    double seg_h = (double)data_get_cfg(d)->sample_interval / 1e9 / 3600, q[64] = {0}, qt[64], segs[64] = {0};
    double g[64], gt[64], err = 0;
    if (m->approaches > 64) return;
    for (size_t k = a; k < b; k++) q[o[k].appr] += o[k].count, segs[o[k].appr] += o[k].lanes;
    for (uint32_t x = 0; x < m->approaches; x++) {
        if (!segs[x]) return;
        q[x] /= segs[x] * seg_h;
        qt[x] = data_model_lane_flow(m, data_seed(d), o[a].inter, x);
    }
    wl_plan *p = &v->plans[v->n_plans];
    p->window = o[a].w, p->intersection = o[a].inter;
    p->cycle_s = wl_webster(sg, q, m->approaches, g);
    p->cycle_true_s = wl_webster(sg, qt, m->approaches, gt);
    for (uint32_t x = 0; x < sg->phases; x++) err = fabs(g[x] - gt[x]) > err ? fabs(g[x] - gt[x]) : err;
    p->green_err_s = err;
    v->green_err_s[v->n_plans] = err, v->cycle_err_s[v->n_plans] = fabs(p->cycle_s - p->cycle_true_s);
    v->n_plans++;
}

static void platform(const data *d, cp_time run_end, wl_video *v)
{
    const data_cfg *c = data_get_cfg(d);
    size_t nr;
    const data_record *r = data_records(d, &nr);
    double end_s = (double)c->data_end / 1e9, run_s = run_end ? (double)run_end / 1e9 : end_s, up = 0, st = 0;
    uint64_t *held = calloc(c->gateways, sizeof *held);
    for (size_t i = 0; i < nr; i++) {
        v->segments++, v->segments_ready += r[i].ready != CP_TIME_NEVER;
        up += (double)r[i].bytes + DATA_AEAD_OVERHEAD;
    }
    v->upload_mbps = up * 8 / end_s / 1e6;
    if (held) data_stored_bytes(d, held);
    for (uint32_t g = 0; held && g < c->gateways; g++) {
        uint64_t tx, rx;
        data_node_bytes(d, c->first + c->devices + g, &tx, &rx);
        st += (double)held[g];
        v->gw_stored_mb[g] = (double)held[g] / 1e6;
        v->gw_up_mbps[g] = (double)tx * 8 / run_s / 1e6, v->gw_down_mbps[g] = (double)rx * 8 / run_s / 1e6;
    }
    v->stored_mbps = st * 8 / end_s / 1e6;
    free(held);
}

int wl_video_run(const data *d, cp_time window, const wl_signal *sig, cp_time run_end, wl_video *v)
{
    const data_cfg *c = data_get_cfg(d);
    size_t ni;
    memset(v, 0, sizeof *v);
    if (c->model.kind != DATA_MODEL_CAMERA || !window || !sig->phases || sig->phases > 64) return -1;
    wl_item *it = wl_delivered(d, &ni);
    vobs *o = malloc((ni + 1) * sizeof *o);
    v->latency_s = malloc((ni + 1) * sizeof *v->latency_s), v->plans = malloc((ni + 1) * sizeof *v->plans);
    v->green_err_s = malloc((ni + 1) * sizeof(double)), v->cycle_err_s = malloc((ni + 1) * sizeof(double));
    v->gateways = c->gateways;
    v->gw_stored_mb = calloc(c->gateways, sizeof(double)), v->gw_up_mbps = calloc(c->gateways, sizeof(double));
    v->gw_down_mbps = calloc(c->gateways, sizeof(double));
    int rc = it && o && v->latency_s && v->plans && v->green_err_s && v->cycle_err_s && v->gw_stored_mb &&
             v->gw_up_mbps && v->gw_down_mbps ? 0 : -1;
    if (!rc) {
        v->cameras = c->devices, v->intersections = (c->devices + c->model.approaches - 1) / c->model.approaches;
        v->segment_bytes = data_batch_bytes(c);
        size_t n = collect(d, it, ni, window, o, v);
        qsort(o, n, sizeof *o, vobs_cmp);
        for (size_t a = 0, b; a < n; a = b) {
            for (b = a; b < n && o[b].w == o[a].w && o[b].inter == o[a].inter; b++) continue;
            plan(d, o, a, b, sig, v);
        }
        platform(d, run_end, v);
    }
    free(it), free(o);
    return rc;
}

void wl_video_free(wl_video *v)
{
    free(v->gw_stored_mb), free(v->gw_up_mbps), free(v->gw_down_mbps), free(v->latency_s), free(v->plans);
    free(v->green_err_s), free(v->cycle_err_s);
    memset(v, 0, sizeof *v);
}
