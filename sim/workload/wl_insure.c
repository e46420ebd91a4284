/* sim/workload/wl_insure.c: an insurer pricing drivers from purchased telematics. For every
 * finished trade it opens the records that trade decrypted, counts the speeding and
 * harsh-braking events of the readings, and quotes a premium (wl_tariff) at the time the
 * plaintext arrived; the error is against the premium of the driver's true event rates.
 * It also reports the proxies' load and whether each homomorphic aggregate equals the plain
 * sum. Invariant: premiums come from decrypted plaintext only; each reading's event flags
 * are checked against the model at its sample index (counted, never corrected). */
#include "sim/workload/wl.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* Records of each owner, in index order: idx[st[v] .. st[v+1]). */
static uint32_t *records_by_owner(const data_record *r, size_t nr, cp_node first, uint32_t owners, uint32_t **start)
{
    uint32_t *idx = malloc((nr + 1) * sizeof *idx), *st = calloc((size_t)owners + 2, sizeof *st);
    if (!idx || !st) return free(idx), free(st), NULL;
    for (size_t i = 0; i < nr; i++)
        if (r[i].owner - first < owners) st[r[i].owner - first + 2]++;
    for (uint32_t v = 0; v < owners; v++) st[v + 2] += st[v + 1];
    for (size_t i = 0; i < nr; i++)
        if (r[i].owner - first < owners) idx[st[r[i].owner - first + 1]++] = (uint32_t)i;
    *start = st;
    return idx;
}

/* Count the events of one decrypted record into q; check each reading against the model. */
static void count_record(const data *d, const wl_item *it, wl_quote *q, wl_insure *out)
{
    const data_cfg *c = data_get_cfg(d);
    size_t len, nr;
    const data_record *rec = data_records(d, &nr);
    uint8_t *pt = wl_open(d, it, &len), truth[DATA_MODEL_READING];
    uint64_t ns = c->upload_interval / c->sample_interval;
    for (size_t k = 0; pt && (k + 1) * c->reading_size <= len; k++) {
        data_model_rd x, y;
        data_model_decode(&c->model, pt + k * c->reading_size, &x);
        data_model_reading(&c->model, data_seed(d), q->driver, rec[it->record].interval * ns + k,
                           (double)c->sample_interval / 1e9, x.t, truth, sizeof truth);
        data_model_decode(&c->model, truth, &y);
        out->events_wrong += x.speeding != y.speeding || x.braking != y.braking;
        q->readings++, q->speeding += x.speeding, q->braking += x.braking;
    }
    free(pt);
}

static double premium(const wl_tariff *tf, double speeding_h, double braking_h)
{
    return tf->base + tf->per_speeding * speeding_h + tf->per_braking * braking_h;
}

static void quote(const data *d, size_t t, const uint32_t *idx, const uint32_t *st, const wl_tariff *tf, wl_insure *out)
{
    const data_cfg *c = data_get_cfg(d);
    size_t nt;
    const data_trade *tr = &data_trades(d, &nt)[t];
    wl_quote *q = &out->q[out->n];
    uint32_t v = tr->seller - c->first; /* device index */
    *q = (wl_quote){(uint32_t)t, v, 0, 0, 0, data_model_risk(&c->model, data_seed(d), v), 0, 0,
                    (double)(tr->plaintext - tr->ordered) / 1e9};
    for (uint32_t k = st[v]; k < st[v + 1]; k++)
        if (data_trade_has(d, t, idx[k])) {
            wl_item it = {tr->plaintext, idx[k], tr->buyer, (uint32_t)t};
            count_record(d, &it, q, out);
        }
    if (!q->readings) return;
    double hours = (double)q->readings * (double)c->sample_interval / 1e9 / 3600, per_h = 3600e9 / (double)c->sample_interval;
    q->premium = premium(tf, (double)q->speeding / hours, (double)q->braking / hours);
    q->true_premium = premium(tf, data_model_p_speeding(&c->model, data_seed(d), v) * per_h,
                              data_model_p_braking(&c->model, data_seed(d), v) * per_h);
    out->quote_s[out->n] = q->quote_s;
    out->err_rel[out->n] = q->true_premium > 0 ? fabs(q->premium - q->true_premium) / q->true_premium : 0;
    out->readings += q->readings;
    out->n++;
}

static void platform(const data *d, wl_insure *out)
{
    const data_cfg *c = data_get_cfg(d);
    size_t nw;
    const data_window *w = data_windows(d, &nw);
    for (uint32_t p = 0; p < c->proxies; p++) {
        uint64_t l = data_proxy_load(d, p);
        out->cfrags += l, out->cfrags_max = l > out->cfrags_max ? l : out->cfrags_max;
    }
    out->cfrags_mean = c->proxies ? (double)out->cfrags / c->proxies : 0;
    for (size_t i = 0; i < nw; i++) out->windows++, out->windows_equal += w[i].done != CP_TIME_NEVER && w[i].ok;
}

int wl_insure_run(const data *d, const wl_tariff *tf, wl_insure *out)
{
    const data_cfg *c = data_get_cfg(d);
    size_t nr, nt;
    const data_record *r = data_records(d, &nr);
    const data_trade *t = data_trades(d, &nt);
    memset(out, 0, sizeof *out);
    if (c->model.kind != DATA_MODEL_VEHICLE) return -1;
    uint32_t *st = NULL, *idx = records_by_owner(r, nr, c->first, c->devices, &st);
    out->q = malloc((nt + 1) * sizeof *out->q);
    out->quote_s = malloc((nt + 1) * sizeof(double)), out->err_rel = malloc((nt + 1) * sizeof(double));
    int rc = idx && out->q && out->quote_s && out->err_rel ? 0 : -1;
    for (size_t i = 0; !rc && i < nt; i++)
        if (t[i].state == DATA_T_FINISHED && t[i].seller - c->first < c->devices) quote(d, i, idx, st, tf, out);
    if (!rc) platform(d, out);
    free(idx), free(st);
    return rc;
}

void wl_insure_free(wl_insure *q)
{
    free(q->q), free(q->quote_s), free(q->err_rel);
    memset(q, 0, sizeof *q);
}
