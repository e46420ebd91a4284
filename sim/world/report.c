/* sim/world/report.c: writes a run's results: DIR/run.h5 (schema in README.md "Outputs"),
 * DIR/summary.json (headline numbers), DIR/host.json (wall time, memory: the only
 * host-dependent output) and gnuplot plots.
 *
 * Invariant: run.h5 and summary.json depend only on the scenario, the overrides, the seed and
 * the binary (no wall clock, no host name, no timestamps), so the same seed gives identical
 * bytes; every file is written under a temporary name and renamed when complete. */
#include "sim/world/world_int.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "config.h"
#include "sim/metrics/h5w.h"
#include "sim/metrics/js.h"
#include "sim/metrics/plot.h"
#include "sim/metrics/st.h"

#define PATHMAX 4096

static void join(char *buf, const char *dir, const char *name)
{
    snprintf(buf, PATHMAX, "%s/%s", dir, name);
}

static int mkdirs(const char *dir)
{
    char tmp[PATHMAX];
    snprintf(tmp, sizeof tmp, "%s", dir);
    for (char *p = tmp + 1; *p; p++) {
        if (*p != '/') continue;
        *p = 0;
        if (mkdir(tmp, 0777) != 0 && errno != EEXIST) return -1;
        *p = '/';
    }
    return mkdir(tmp, 0777) != 0 && errno != EEXIST ? -1 : 0;
}

/* ---- run.h5 ------------------------------------------------------------------------ */

static int h5_root_attrs(h5w *h, wld *w, const wld_out *o)
{
    const des_stats *ds = des_get_stats(w->des);
    int rc = 0;
    rc |= h5w_attr_str(h, "/", "cpsim_version", PACKAGE_VERSION);
    rc |= h5w_attr_str(h, "/", "engine", o->engine);
    rc |= h5w_attr_str(h, "/", "protocol", w->proto_ops->name);
    rc |= h5w_attr_str(h, "/", "scenario_path", o->scenario_path ? o->scenario_path : "");
    rc |= h5w_attr_str(h, "/", "scenario", o->scenario_text ? o->scenario_text : "");
    rc |= h5w_attr_str(h, "/", "overrides", o->overrides ? o->overrides : "");
    rc |= h5w_attr_u64(h, "/", "seed", w->seed);
    rc |= h5w_attr_u64(h, "/", "n_nodes", w->n_nodes);
    rc |= h5w_attr_u64(h, "/", "duration_ns", w->cfg->duration);
    rc |= h5w_attr_u64(h, "/", "end_time_ns", ds->end_time);
    rc |= h5w_attr_u64(h, "/", "events", ds->events);
    rc |= h5w_attr_u64(h, "/", "handler_calls", ds->handled);
    rc |= h5w_attr_u64(h, "/", "cpu_queued_events", ds->queued);
    rc |= h5w_attr_u64(h, "/", "max_pending_events", ds->max_pending);
    return rc;
}

typedef struct node_cols {
    uint32_t *id, *group;
    uint16_t *region;
    uint8_t *cls;
    uint64_t *cpu, *bup, *bdown, *mup, *mdown, *dloss, *dpart, *depl;
    double *ecpu, *etx, *erx, *eidle;
} node_cols;

static void node_cols_free(node_cols *c)
{
    free(c->id), free(c->group), free(c->region), free(c->cls), free(c->cpu), free(c->bup);
    free(c->bdown), free(c->mup), free(c->mdown), free(c->dloss), free(c->dpart), free(c->depl);
    free(c->ecpu), free(c->etx), free(c->erx), free(c->eidle);
}

static int node_cols_fill(wld *w, node_cols *c)
{
    size_t n = w->n_nodes;
    c->id = malloc(n * 4), c->group = malloc(n * 4), c->region = malloc(n * 2), c->cls = malloc(n);
    uint64_t **u[] = {&c->cpu, &c->bup, &c->bdown, &c->mup, &c->mdown, &c->dloss, &c->dpart, &c->depl};
    double **e[] = {&c->ecpu, &c->etx, &c->erx, &c->eidle};
    int bad = !c->id || !c->group || !c->region || !c->cls;
    for (size_t k = 0; k < 8; k++) bad |= !(*u[k] = malloc(n * 8));
    for (size_t k = 0; k < 4; k++) bad |= !(*e[k] = malloc(n * 8));
    if (bad) return -1;
    for (cp_node v = 0; v < n; v++) {
        const net_node_stats *s = net_stats(w->net, v);
        c->id[v] = v, c->group[v] = w->group_of[v];
        c->region[v] = (uint16_t)net_region_of(w->net, v), c->cls[v] = (uint8_t)net_class_of(w->net, v);
        c->cpu[v] = des_cpu_busy(w->des, v);
        c->bup[v] = s->bytes_up, c->bdown[v] = s->bytes_down, c->mup[v] = s->msgs_up;
        c->mdown[v] = s->msgs_down, c->dloss[v] = s->dropped_loss, c->dpart[v] = s->dropped_partition;
        nrg_joules j;
        wld_energy_node(w, v, &j);
        c->ecpu[v] = j.cpu, c->etx[v] = j.tx, c->erx[v] = j.rx, c->eidle[v] = j.idle;
        c->depl[v] = wld_energy_depleted(w, v);
    }
    return 0;
}

static int h5_nodes(h5w *h, wld *w)
{
    node_cols c = {0};
    int rc = node_cols_fill(w, &c);
    if (rc == 0) {
        h5w_col cols[] = {
            {"id", H5W_U32, c.id}, {"group", H5W_U32, c.group}, {"region", H5W_U16, c.region},
            {"class", H5W_U8, c.cls}, {"cpu_busy_ns", H5W_U64, c.cpu}, {"bytes_up", H5W_U64, c.bup},
            {"bytes_down", H5W_U64, c.bdown}, {"msgs_up", H5W_U64, c.mup},
            {"msgs_down", H5W_U64, c.mdown}, {"dropped_loss", H5W_U64, c.dloss},
            {"dropped_partition", H5W_U64, c.dpart}, {"energy_cpu_j", H5W_F64, c.ecpu},
            {"energy_radio_tx_j", H5W_F64, c.etx}, {"energy_radio_rx_j", H5W_F64, c.erx},
            {"energy_idle_j", H5W_F64, c.eidle}, {"depleted_ns", H5W_U64, c.depl},
        };
        rc = h5w_table(h, "/nodes", w->n_nodes, cols, sizeof cols / sizeof cols[0]);
    }
    node_cols_free(&c);
    return rc;
}

static char *join_names(const char *const *names, size_t n)
{
    size_t len = 1;
    for (size_t i = 0; i < n; i++) len += strlen(names[i]) + 1;
    char *s = calloc(len, 1);
    for (size_t i = 0; s && i < n; i++) {
        if (i) strcat(s, ",");
        strcat(s, names[i]);
    }
    return s;
}

static int h5_messages(h5w *h, wld *w)
{
    size_t n = w->proto_ops->n_msg_types;
    const des_type_stats *t = des_type_stats_get(w->des);
    uint64_t *v[5];
    for (int k = 0; k < 5; k++) v[k] = malloc(n * 8);
    int rc = -1;
    if (v[0] && v[1] && v[2] && v[3] && v[4]) {
        for (size_t i = 0; i < n; i++) {
            v[0][i] = t[i].sent, v[1][i] = t[i].sent_bytes, v[2][i] = t[i].delivered;
            v[3][i] = t[i].delivered_bytes, v[4][i] = t[i].dropped;
        }
        h5w_col cols[] = {{"sent", H5W_U64, v[0]}, {"sent_bytes", H5W_U64, v[1]},
                          {"delivered", H5W_U64, v[2]}, {"delivered_bytes", H5W_U64, v[3]},
                          {"dropped", H5W_U64, v[4]}};
        char *names = join_names(w->proto_ops->msg_type_names, n);
        rc = h5w_table(h, "/messages", n, cols, 5);
        rc |= h5w_attr_str(h, "/messages", "type_names", names ? names : "");
        free(names);
    }
    for (int k = 0; k < 5; k++) free(v[k]);
    return rc;
}

/* /network/classes: one row per device class, its link and power figures. */
static int h5_classes(h5w *h, wld *w)
{
    size_t k = w->n_classes;
    double *f[7];
    uint64_t *up = malloc(k * 8), *down = malloc(k * 8), *acc = malloc(k * 8);
    const char **names = malloc(k * sizeof *names);
    int rc = !up || !down || !acc || !names ? -1 : 0;
    for (int q = 0; q < 7; q++) rc |= !(f[q] = malloc(k * 8)) ? -1 : 0;
    for (size_t i = 0; rc == 0 && i < k; i++) {
        const nrg_class *e = &w->energy[i];
        f[0][i] = w->classes[i].cpu_factor, up[i] = w->classes[i].up_bps;
        down[i] = w->classes[i].down_bps, acc[i] = w->classes[i].access_latency;
        f[1][i] = e->cpu_active_w, f[2][i] = e->cpu_idle_w, f[3][i] = e->radio_tx_w;
        f[4][i] = e->radio_rx_w, f[5][i] = e->radio_idle_w, f[6][i] = e->battery_j;
        names[i] = w->classes[i].name;
    }
    if (rc == 0) {
        h5w_col cols[] = {{"cpu_factor", H5W_F64, f[0]}, {"uplink_bps", H5W_U64, up},
                          {"downlink_bps", H5W_U64, down}, {"access_latency_ns", H5W_U64, acc},
                          {"cpu_active_w", H5W_F64, f[1]}, {"cpu_idle_w", H5W_F64, f[2]},
                          {"radio_tx_w", H5W_F64, f[3]}, {"radio_rx_w", H5W_F64, f[4]},
                          {"radio_idle_w", H5W_F64, f[5]}, {"battery_j", H5W_F64, f[6]}};
        char *cn = join_names(names, k);
        rc = h5w_table(h, "/network/classes", k, cols, 10);
        rc |= h5w_attr_str(h, "/network/classes", "class_names", cn ? cn : "");
        free(cn);
    }
    free(up), free(down), free(acc), free(names);
    for (int q = 0; q < 7; q++) free(f[q]);
    return rc;
}

static int h5_network(h5w *h, wld *w)
{
    uint64_t dims[2] = {w->n_regions, w->n_regions};
    char *rn = join_names(w->region_names, w->n_regions);
    int rc = h5w_dataset(h, "/network/rtt_ns", H5W_U64, 2, dims, w->rtt);
    rc |= h5w_attr_str(h, "/network/rtt_ns", "region_names", rn ? rn : "");
    free(rn);
    return rc | h5_classes(h, w);
}

static int h5_metrics(h5w *h, wld *w)
{
    size_t n;
    const des_metric_rec *m = des_metrics(w->des, &n);
    if (n == 0) return 0;
    uint64_t *t = malloc(n * 8);
    uint32_t *node = malloc(n * 4), *id = malloc(n * 4);
    double *val = malloc(n * 8);
    int rc = -1;
    if (t && node && id && val) {
        for (size_t i = 0; i < n; i++) t[i] = m[i].time, node[i] = m[i].node, id[i] = m[i].id, val[i] = m[i].value;
        h5w_col cols[] = {{"time_ns", H5W_U64, t}, {"node", H5W_U32, node}, {"metric", H5W_U32, id},
                          {"value", H5W_F64, val}};
        rc = h5w_table(h, "/metrics", n, cols, 4);
        char *names = join_names(w->proto_ops->metric_names, w->proto_ops->n_metrics);
        rc |= h5w_attr_str(h, "/metrics", "metric_names", names ? names : "");
        free(names);
    }
    free(t), free(node), free(id), free(val);
    return rc;
}

static int write_h5(wld *w, const wld_out *o, char *err, size_t len)
{
    char path[PATHMAX];
    join(path, o->dir, "run.h5");
    h5w *h = h5w_open(path, err, len);
    if (!h) return -1;
    int rc = h5_root_attrs(h, w, o);
    rc |= h5_nodes(h, w);
    rc |= h5_messages(h, w);
    rc |= h5_network(h, w);
    rc |= h5_metrics(h, w);
    if (w->flood) rc |= wld_flood_h5(w, h);
    if (w->phold) rc |= h5w_attr_u64(h, "/", "phold_handled", phold_handled(w->phold));
    if (w->lbft) rc |= wld_lbft_h5(w, h);
    if (w->dht) rc |= wld_dht_h5(w, h);
    if (w->data) rc |= wld_data_h5(w, h) | wld_wl_h5(w, h);
    if (w->iot) rc |= wld_iot_h5(w, h);
    if (rc != 0) {
        h5w_abort(h);
        snprintf(err, len, "%s: cannot write the HDF5 results", path);
        return -1;
    }
    if (h5w_commit(h) != 0) {
        snprintf(err, len, "%s: cannot commit the HDF5 results", path);
        return -1;
    }
    return 0;
}

/* ---- summary.json ----------------------------------------------------------------- */

static void json_messages(js *j, wld *w)
{
    const des_type_stats *t = des_type_stats_get(w->des);
    js_obj_begin(j, "messages");
    for (size_t i = 0; i < w->proto_ops->n_msg_types; i++) {
        js_obj_begin(j, w->proto_ops->msg_type_names[i]);
        js_u64(j, "sent", t[i].sent);
        js_u64(j, "sent_bytes", t[i].sent_bytes);
        js_u64(j, "delivered", t[i].delivered);
        js_u64(j, "dropped", t[i].dropped);
        js_obj_end(j);
    }
    js_obj_end(j);
}

static void json_per_node(js *j, wld *w)
{
    size_t n = w->n_nodes;
    double *up = malloc(n * sizeof *up), *cpu = malloc(n * sizeof *cpu);
    if (!up || !cpu) {
        free(up), free(cpu);
        return;
    }
    for (cp_node v = 0; v < n; v++) {
        up[v] = (double)net_stats(w->net, v)->bytes_up;
        cpu[v] = (double)des_cpu_busy(w->des, v) / 1e9;
    }
    st_summary s;
    st_summarize(up, n, &s);
    st_write_json(j, "bytes_up_per_node", &s);
    st_summarize(cpu, n, &s);
    st_write_json(j, "cpu_busy_s_per_node", &s);
    free(up), free(cpu);
}

/* The energy block, per unit of the protocol's work and by its roles where it has roles. */
static void json_energy(js *j, wld *w)
{
    wld_energy_units u = {0, 0, 0};
    if (w->lbft) wld_lbft_energy_units(w, &u);
    if (w->data) {
        wld_data_energy_units(w, &u);
        wld_energy_json(w, j, &u, wld_data_role, wld_data_role_names, DATA_N_ROLES);
        return;
    }
    wld_energy_json(w, j, &u, NULL, NULL, 0);
}

static int write_summary(wld *w, const wld_out *o, char *err, size_t len)
{
    char path[PATHMAX];
    join(path, o->dir, "summary.json");
    js *j = js_open_file(path);
    if (!j) {
        snprintf(err, len, "%s: %s", path, strerror(errno));
        return -1;
    }
    const des_stats *ds = des_get_stats(w->des);
    js_obj_begin(j, NULL);
    js_str(j, "scenario", w->cfg->name);
    js_u64(j, "seed", w->seed);
    js_str(j, "engine", o->engine);
    js_str(j, "protocol", w->proto_ops->name);
    js_u64(j, "nodes", w->n_nodes);
    js_num(j, "simulated_s", (double)ds->end_time / 1e9);
    js_u64(j, "events", ds->events);
    json_messages(j, w);
    json_per_node(j, w);
    if (w->flood) wld_flood_json(w, j);
    if (w->phold) js_u64(j, "phold_handled", phold_handled(w->phold));
    if (w->lbft) wld_lbft_json(w, j);
    if (w->dht) wld_dht_json(w, j);
    if (w->data) wld_data_json(w, j), wld_wl_json(w, j);
    if (w->iot) wld_iot_json(w, j);
    json_energy(j, w);
    js_obj_end(j);
    if (js_close(j) != 0) {
        snprintf(err, len, "%s: cannot write", path);
        return -1;
    }
    return 0;
}

static int write_host(const wld_out *o, const wld_run_info *info, wld *w)
{
    char path[PATHMAX];
    join(path, o->dir, "host.json");
    js *j = js_open_file(path);
    if (!j) return -1;
    js_obj_begin(j, NULL);
    js_num(j, "wall_s", info->wall_s);
    js_num(j, "events_per_s", info->wall_s > 0 ? (double)info->events / info->wall_s : 0);
    js_u64(j, "peak_rss_kb", info->peak_rss_kb);
    js_num(j, "peak_rss_bytes_per_node", (double)info->peak_rss_kb * 1024.0 / w->n_nodes);
    js_u64(j, "signature_checks", info->memo_lookups);
    js_u64(j, "signature_checks_from_memo", info->memo_hits);
    js_u64(j, "signature_verifications_on_host", info->verifications);
    js_obj_end(j);
    return js_close(j);
}

int wld_write_results(wld *w, const wld_out *o, const wld_run_info *info, char *err, size_t len)
{
    if (mkdirs(o->dir) != 0) {
        snprintf(err, len, "%s: cannot create the results folder: %s", o->dir, strerror(errno));
        return -1;
    }
    if (write_h5(w, o, err, len) != 0 || write_summary(w, o, err, len) != 0) return -1;
    if (write_host(o, info, w) != 0) {
        snprintf(err, len, "%s/host.json: cannot write", o->dir);
        return -1;
    }
    if (o->plots && w->flood) wld_flood_plots(w, o->dir);
    if (o->plots && w->lbft) wld_lbft_plots(w, o->dir);
    if (o->plots && w->dht) wld_dht_plots(w, o->dir);
    if (o->plots && w->data) wld_data_plots(w, o->dir);
    if (o->plots && w->iot) wld_iot_plots(w, o->dir);
    if (o->plots) wld_energy_plots(w, o->dir);
    return 0;
}
