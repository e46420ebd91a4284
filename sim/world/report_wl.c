/* sim/world/report_wl.c: results of the IoT applications (sim/workload) run on the data
 * platform: the "workload" block of summary.json and /workload/... in run.h5. EV maintenance:
 * batteries, fast ones, failures in the run, detections with their lead time, late, missed,
 * false positives, data latency. Traffic: records and readings the navigation consumer used,
 * map accuracy, data age at use, end-to-end latency, records per second, gateway handovers.
 * Sweep headlines: ev_detected, ev_false_pos, ev_lead_p50_s; tr_e2e_p99_s, tr_age_p50_s,
 * tr_records_per_s. Invariant: computed from what the buyers decrypted (wl_*), in a fixed order. */
#include "sim/world/world_int.h"

#include <stdlib.h>

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
    summary(j, "data_age_s", t.age_s, t.readings);
    summary(j, "e2e_latency_s", t.latency_s, t.readings);
    js_obj_end(j);
    wl_traffic_free(&t);
}

void wld_wl_json(wld *w, js *j)
{
    int m = w->cfg->data.device_model;
    if (m == DATA_MODEL_BATTERY) json_ev(w, j);
    else if (m == DATA_MODEL_VEHICLE) json_traffic(w, j);
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

int wld_wl_h5(wld *w, h5w *h)
{
    int m = w->cfg->data.device_model;
    return m == DATA_MODEL_BATTERY ? h5_ev(w, h) : m == DATA_MODEL_VEHICLE ? h5_traffic(w, h) : 0;
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
    } else if (m == DATA_MODEL_VEHICLE) {
        wl_traffic t;
        if (!wl_traffic_run(w->data, w->cfg->data.vehicle.map_window, &t)) {
            put(h, "tr_e2e_p99_s", pick(t.latency_s, t.readings, 1)), put(h, "tr_age_p50_s", pick(t.age_s, t.readings, 0));
            put(h, "tr_records_per_s", t.records_per_s);
        }
        wl_traffic_free(&t);
    }
}
