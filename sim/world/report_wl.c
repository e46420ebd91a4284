/* sim/world/report_wl.c: results of the IoT applications (sim/workload) run on the data
 * platform: the "workload" block of summary.json and /workload/... in run.h5. EV maintenance:
 * batteries, fast ones, failures in the run, detections with their lead time, late, missed,
 * false positives, data latency. Traffic: records and readings the navigation consumer used,
 * map accuracy, data age at use, end-to-end latency, records per second, gateway handovers.
 * Sweep headlines: ev_detected, ev_false_pos, ev_lead_p50_s; tr_e2e_p99_s, tr_age_p50_s,
 * tr_records_per_s, tr_map_accuracy, tr_chain_tps; traffic video: video_e2e_p99_s, video_green_err_p50_s, video_stored_mbps;
 * insurance: ins_quote_p50_s, ins_err_p50, ins_proxy_max. Video and insurance also draw a CDF
 * plot (workload_latency). Invariant: computed from what the buyers decrypted (wl_*), in a fixed order. */
#include "sim/world/world_int.h"

#include <stdlib.h>

#include "sim/metrics/plot.h"
#include "sim/metrics/st.h"
#include "sim/workload/wl.h"

static void summary(js *j, const char *key, const double *v, size_t n)
{
    st_summary s;
    st_summarize(v, n, &s);
    st_write_json(j, key, &s);
}

static void json_ev(wld *w, js *j)
{
    const wld_battery_cfg *b = &w->cfg->data.battery;
    wl_ev e;
    if (wl_ev_run(w->data, b->horizon, b->min_points, w->cfg->duration, &e)) return wl_ev_free(&e);
    js_obj_begin(j, "workload");
    js_str(j, "app", "ev-maintenance");
    js_u64(j, "batteries", e.n);
    js_u64(j, "fast", e.fast);
    js_u64(j, "failing_in_run", e.failing);
    js_u64(j, "detected", e.detected);
    js_u64(j, "late", e.late);
    js_u64(j, "missed", e.missed);
    js_u64(j, "false_positives", e.false_pos);
    summary(j, "lead_time_s", e.lead_s, e.n_lead);
    summary(j, "data_latency_s", e.latency_s, e.n_latency);
    js_obj_end(j);
    wl_ev_free(&e);
}

/* Transactions on chain per second: the mean over the run and the busiest minute (the log
 * chain commits at append, LBFT at validator 0's insertion). */
static void chain_tps(wld *w, double *mean, double *peak)
{
    size_t n;
    const data_tx *t = data_txs(w->data, &n);
    double secs = (double)w->cfg->duration / 1e9;
    size_t bins = (size_t)(secs / 60.0) + 1, done = 0, best = 0;
    uint32_t *per = calloc(bins, sizeof *per);
    for (size_t i = 0; per && i < n; i++) {
        cp_time at = w->cfg->data.chain == WLD_CHAIN_LBFT ? t[i].onchain : t[i].ready;
        if (at == CP_TIME_NEVER) continue;
        size_t b = (size_t)((double)at / 60e9);
        done++;
        if (b < bins && ++per[b] > best) best = per[b];
    }
    free(per);
    *mean = secs > 0 ? (double)done / secs : 0, *peak = (double)best / 60.0;
}

static void json_traffic(wld *w, js *j)
{
    wl_traffic t;
    if (wl_traffic_run(w->data, w->cfg->data.vehicle.map_window, &t)) return wl_traffic_free(&t);
    js_obj_begin(j, "workload");
    js_str(j, "app", "traffic-conditions");
    js_u64(j, "records", t.records);
    js_u64(j, "readings", t.readings);
    js_num(j, "records_per_s", t.records_per_s);
    js_u64(j, "map_windows", t.n_windows);
    js_u64(j, "map_entries", t.map_entries);
    js_u64(j, "map_congested", t.map_congested);
    js_num(j, "map_accuracy", t.map_entries ? (double)t.map_correct / (double)t.map_entries : 0);
    js_u64(j, "gateway_handovers", t.gateway_changes);
    double tps, peak;
    chain_tps(w, &tps, &peak);
    js_num(j, "chain_tps", tps);
    js_num(j, "chain_tps_peak_1min", peak);
    summary(j, "data_age_s", t.age_s, t.readings);
    summary(j, "e2e_latency_s", t.latency_s, t.readings);
    js_obj_end(j);
    wl_traffic_free(&t);
}

static wl_signal signal_of(const wld_camera_cfg *c)
{
    return (wl_signal){c->phases, c->sat_flow, (double)c->lost_time / 1e9, (double)c->min_cycle / 1e9,
                       (double)c->max_cycle / 1e9};
}

static int video_run(wld *w, wl_video *v)
{
    wl_signal s = signal_of(&w->cfg->data.camera);
    return wl_video_run(w->data, w->cfg->data.camera.plan_window, &s, w->cfg->duration, v);
}

static int insure_run(wld *w, wl_insure *q)
{
    const wld_vehicle_cfg *v = &w->cfg->data.vehicle;
    wl_tariff tf = {v->base_premium, v->per_speeding, v->per_braking};
    return wl_insure_run(w->data, &tf, q);
}

static int app_of(wld *w)
{
    int m = w->cfg->data.device_model;
    if (m == DATA_MODEL_VEHICLE && w->cfg->data.vehicle.app == WLD_VEHICLE_INSURANCE) return -1;
    return m;
}

static void json_video(wld *w, js *j)
{
    wl_video v;
    if (video_run(w, &v)) return wl_video_free(&v);
    js_obj_begin(j, "workload");
    js_str(j, "app", "traffic-video");
    js_u64(j, "cameras", v.cameras);
    js_u64(j, "intersections", v.intersections);
    js_u64(j, "segment_bytes", v.segment_bytes);
    js_u64(j, "segments", v.segments);
    js_u64(j, "segments_ready", v.segments_ready);
    js_u64(j, "segments_decoded", v.decoded);
    js_u64(j, "counts_wrong", v.counts_wrong);
    js_u64(j, "vehicles_counted", v.vehicles);
    js_num(j, "upload_mbps", v.upload_mbps);
    js_num(j, "stored_mbps", v.stored_mbps);
    summary(j, "gateway_stored_mb", v.gw_stored_mb, v.gateways);
    summary(j, "gateway_up_mbps", v.gw_up_mbps, v.gateways);
    summary(j, "gateway_down_mbps", v.gw_down_mbps, v.gateways);
    summary(j, "segment_latency_s", v.latency_s, v.n_latency);
    js_u64(j, "plans", v.n_plans);
    summary(j, "green_error_s", v.green_err_s, v.n_plans);
    summary(j, "cycle_error_s", v.cycle_err_s, v.n_plans);
    js_obj_end(j);
    wl_video_free(&v);
}

static void json_insure(wld *w, js *j)
{
    wl_insure q;
    if (insure_run(w, &q)) return wl_insure_free(&q);
    js_obj_begin(j, "workload");
    js_str(j, "app", "insurance");
    js_u64(j, "quotes", q.n);
    js_u64(j, "readings", q.readings);
    js_u64(j, "events_wrong", q.events_wrong);
    summary(j, "time_to_quote_s", q.quote_s, q.n);
    summary(j, "premium_error", q.err_rel, q.n);
    js_u64(j, "cfrags", q.cfrags);
    js_u64(j, "cfrags_per_proxy_max", q.cfrags_max);
    js_num(j, "cfrags_per_proxy_mean", q.cfrags_mean);
    js_u64(j, "agg_windows", q.windows);
    js_u64(j, "agg_equal_plain_sum", q.windows_equal);
    js_obj_end(j);
    wl_insure_free(&q);
}

void wld_wl_json(wld *w, js *j)
{
    int m = app_of(w);
    if (m == DATA_MODEL_BATTERY) json_ev(w, j);
    else if (m == DATA_MODEL_VEHICLE) json_traffic(w, j);
    else if (m == DATA_MODEL_CAMERA) json_video(w, j);
    else if (m == -1) json_insure(w, j);
}

static int h5_ev(wld *w, h5w *h)
{
    const wld_battery_cfg *b = &w->cfg->data.battery;
    wl_ev e;
    int rc = wl_ev_run(w->data, b->horizon, b->min_points, w->cfg->duration, &e);
    size_t n = e.n, m = n ? n : 1;
    uint32_t *dev = malloc(m * 4), *pts = malloc(m * 4);
    uint8_t *fast = malloc(m), *flag = malloc(m), *fp = malloc(m);
    uint64_t *fail = malloc(m * 8), *at = malloc(m * 8);
    double *pc = malloc(m * 8);
    if (!rc && dev && pts && fast && flag && fp && fail && at && pc) {
        for (size_t i = 0; i < n; i++) {
            const wl_ev_battery *x = &e.b[i];
            dev[i] = x->dev, pts[i] = x->points, fast[i] = x->fast, flag[i] = x->flagged, fp[i] = x->false_pos;
            fail[i] = x->fail_at, at[i] = x->flag_at, pc[i] = x->predicted_cycle;
        }
        h5w_col cols[] = {{"device", H5W_U32, dev}, {"fast", H5W_U8, fast}, {"fail_ns", H5W_U64, fail},
                          {"flagged", H5W_U8, flag}, {"flag_ns", H5W_U64, at}, {"predicted_cycle", H5W_F64, pc},
                          {"points", H5W_U32, pts}, {"false_positive", H5W_U8, fp}};
        rc = h5w_table(h, "/workload/batteries", n, cols, 8);
        rc |= h5w_attr_u64(h, "/workload/batteries", "detected", e.detected);
        rc |= h5w_attr_u64(h, "/workload/batteries", "missed", e.missed);
    } else rc = -1;
    free(dev), free(pts), free(fast), free(flag), free(fp), free(fail), free(at), free(pc);
    wl_ev_free(&e);
    return rc;
}

static int h5_traffic(wld *w, h5w *h)
{
    wl_traffic t;
    int rc = wl_traffic_run(w->data, w->cfg->data.vehicle.map_window, &t);
    if (!rc) {
        h5w_col cols[] = {{"e2e_latency_s", H5W_F64, t.latency_s}, {"data_age_s", H5W_F64, t.age_s}};
        rc = h5w_table(h, "/workload/readings", t.readings, cols, 2);
        rc |= h5w_attr_u64(h, "/workload/readings", "map_entries", t.map_entries);
        rc |= h5w_attr_u64(h, "/workload/readings", "map_correct", t.map_correct);
        rc |= h5w_attr_u64(h, "/workload/readings", "gateway_handovers", t.gateway_changes);
    }
    wl_traffic_free(&t);
    return rc;
}

static int h5_video(wld *w, h5w *h)
{
    wl_video v;
    int rc = video_run(w, &v);
    size_t n = v.n_plans;
    uint64_t *win = malloc((n + 1) * 8);
    uint32_t *in = malloc((n + 1) * 4);
    double *c = malloc((n + 1) * 8), *ct = malloc((n + 1) * 8);
    if (!rc && win && in && c && ct) {
        for (size_t i = 0; i < n; i++)
            win[i] = v.plans[i].window, in[i] = v.plans[i].intersection, c[i] = v.plans[i].cycle_s, ct[i] = v.plans[i].cycle_true_s;
        h5w_col pc[] = {{"window", H5W_U64, win}, {"intersection", H5W_U32, in}, {"cycle_s", H5W_F64, c},
                        {"cycle_true_s", H5W_F64, ct}, {"green_error_s", H5W_F64, v.green_err_s}};
        h5w_col sc[] = {{"latency_s", H5W_F64, v.latency_s}};
        h5w_col gc[] = {{"stored_mb", H5W_F64, v.gw_stored_mb}, {"up_mbps", H5W_F64, v.gw_up_mbps},
                        {"down_mbps", H5W_F64, v.gw_down_mbps}};
        rc = h5w_table(h, "/workload/plans", n, pc, 5) | h5w_table(h, "/workload/segments", v.n_latency, sc, 1) |
             h5w_table(h, "/workload/gateways", v.gateways, gc, 3);
        rc |= h5w_attr_u64(h, "/workload/segments", "counts_wrong", v.counts_wrong);
    } else rc = -1;
    free(win), free(in), free(c), free(ct);
    wl_video_free(&v);
    return rc;
}

static int h5_insure(wld *w, h5w *h)
{
    wl_insure q;
    int rc = insure_run(w, &q);
    size_t n = q.n;
    uint32_t *drv = malloc((n + 1) * 4);
    uint64_t *sp = malloc((n + 1) * 8), *br = malloc((n + 1) * 8), *rd = malloc((n + 1) * 8);
    double *risk = malloc((n + 1) * 8), *pr = malloc((n + 1) * 8), *tp = malloc((n + 1) * 8);
    if (!rc && drv && sp && br && rd && risk && pr && tp) {
        for (size_t i = 0; i < n; i++) {
            const wl_quote *x = &q.q[i];
            drv[i] = x->driver, sp[i] = x->speeding, br[i] = x->braking, rd[i] = x->readings;
            risk[i] = x->risk, pr[i] = x->premium, tp[i] = x->true_premium;
        }
        h5w_col cols[] = {{"driver", H5W_U32, drv}, {"risk", H5W_F64, risk}, {"readings", H5W_U64, rd},
                          {"speeding", H5W_U64, sp}, {"braking", H5W_U64, br}, {"premium", H5W_F64, pr},
                          {"true_premium", H5W_F64, tp}, {"time_to_quote_s", H5W_F64, q.quote_s}};
        rc = h5w_table(h, "/workload/quotes", n, cols, 8);
        rc |= h5w_attr_u64(h, "/workload/quotes", "cfrags_per_proxy_max", q.cfrags_max);
    } else rc = -1;
    free(drv), free(sp), free(br), free(rd), free(risk), free(pr), free(tp);
    wl_insure_free(&q);
    return rc;
}

int wld_wl_h5(wld *w, h5w *h)
{
    int m = app_of(w);
    if (m == DATA_MODEL_CAMERA) return h5_video(w, h);
    if (m == -1) return h5_insure(w, h);
    return m == DATA_MODEL_BATTERY ? h5_ev(w, h) : m == DATA_MODEL_VEHICLE ? h5_traffic(w, h) : 0;
}

/* The app's CDFs as workload_latency.png (empty series left out). */
static void cdf(const char *dir, const char *title, const char *const *t, const double *const *x, const size_t *n,
                size_t k)
{
    plot_spec sp = {dir, "workload_latency", title, "seconds", "fraction", 0, 0, 1, NULL};
    plot_cdf(&sp, t, x, n, k);
}

void wld_wl_plots(wld *w, const char *dir)
{
    int m = app_of(w);
    if (m == DATA_MODEL_CAMERA) {
        wl_video v;
        if (!video_run(w, &v) && v.n_latency)
            cdf(dir, "Traffic video: latency and timing error",
                (const char *[]){"segment end to analytics (s)", "green time error per plan (s)"},
                (const double *[]){v.latency_s, v.green_err_s}, (size_t[]){v.n_latency, v.n_plans}, 2);
        wl_video_free(&v);
    } else if (m == -1) {
        wl_insure q;
        if (!insure_run(w, &q))
            cdf(dir, "Insurance: time to quote", (const char *[]){"order to premium (s)"},
                (const double *[]){q.quote_s}, (size_t[]){q.n}, 1);
        wl_insure_free(&q);
    } else if (m == DATA_MODEL_BATTERY) {
        const wld_battery_cfg *b = &w->cfg->data.battery;
        wl_ev e;
        if (!wl_ev_run(w->data, b->horizon, b->min_points, w->cfg->duration, &e))
            cdf(dir, "EV maintenance: lead time and data latency",
                (const char *[]){"detection lead time before failure (s)", "reading to provider (s)"},
                (const double *[]){e.lead_s, e.latency_s}, (size_t[]){e.n_lead, e.n_latency}, 2);
        wl_ev_free(&e);
    } else if (m == DATA_MODEL_VEHICLE) {
        wl_traffic t;
        if (!wl_traffic_run(w->data, w->cfg->data.vehicle.map_window, &t))
            cdf(dir, "Traffic conditions: latency and data age",
                (const char *[]){"reading to navigation (s)", "data age when the map is used (s)"},
                (const double *[]){t.latency_s, t.age_s}, (size_t[]){t.readings, t.readings}, 2);
        wl_traffic_free(&t);
    }
}

static void put(wld_headline *h, const char *name, double v)
{
    if (h->n < WLD_HEADLINE_MAX) h->name[h->n] = name, h->value[h->n++] = v;
}

static double pick(const double *v, size_t n, int p99)
{
    st_summary s;
    st_summarize(v, n, &s);
    return s.n ? (p99 ? s.p99 : s.p50) : 0;
}

void wld_wl_headline(wld *w, wld_headline *h)
{
    int m = w->cfg->data.device_model;
    if (m == DATA_MODEL_BATTERY) {
        const wld_battery_cfg *b = &w->cfg->data.battery;
        wl_ev e;
        if (!wl_ev_run(w->data, b->horizon, b->min_points, w->cfg->duration, &e)) {
            put(h, "ev_detected", e.detected), put(h, "ev_false_pos", e.false_pos);
            put(h, "ev_lead_p50_s", pick(e.lead_s, e.n_lead, 0));
        }
        wl_ev_free(&e);
    } else if (app_of(w) == DATA_MODEL_CAMERA) {
        wl_video v;
        if (!video_run(w, &v)) {
            put(h, "video_e2e_p99_s", pick(v.latency_s, v.n_latency, 1));
            put(h, "video_green_err_p50_s", pick(v.green_err_s, v.n_plans, 0)), put(h, "video_stored_mbps", v.stored_mbps);
        }
        wl_video_free(&v);
    } else if (app_of(w) == -1) {
        wl_insure q;
        if (!insure_run(w, &q)) {
            put(h, "ins_quote_p50_s", pick(q.quote_s, q.n, 0)), put(h, "ins_err_p50", pick(q.err_rel, q.n, 0));
            put(h, "ins_proxy_max", (double)q.cfrags_max);
        }
        wl_insure_free(&q);
    } else if (m == DATA_MODEL_VEHICLE) {
        wl_traffic t;
        if (!wl_traffic_run(w->data, w->cfg->data.vehicle.map_window, &t)) {
            put(h, "tr_e2e_p99_s", pick(t.latency_s, t.readings, 1)), put(h, "tr_age_p50_s", pick(t.age_s, t.readings, 0));
            put(h, "tr_records_per_s", t.records_per_s);
            put(h, "tr_map_accuracy", t.map_entries ? (double)t.map_correct / (double)t.map_entries : 0);
            double tps, peak;
            chain_tps(w, &tps, &peak);
            put(h, "tr_chain_tps", tps);
        }
        wl_traffic_free(&t);
    }
}
