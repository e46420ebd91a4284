/* sim/world/energy.c: the device energy of a run (sim/energy/nrg.h applied to every node):
 * per node joules for CPU, radio transmit, radio receive and idle; battery checks that take a
 * node whose battery is empty down for good (energy.deplete); the summary.json "energy"
 * block (totals, joules per reading / transaction / stored record, projected battery
 * lifetime, by group and by the protocol's roles).
 *
 * Invariant: a node's joules depend only on its class's figures, its virtual CPU busy time
 * and its radio airtime (bytes × 8 / its class's link rate, or what a packet-level engine
 * measured on its radio: the ns3 engine's 802.15.4 and 802.11 PHY states), and the time it
 * was powered (the scenario's duration, or until its depletion): the same run gives the same joules. */
#include "sim/world/world_int.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "sim/metrics/plot.h"
#include "sim/metrics/st.h"

cp_time wld_energy_depleted(const wld *w, cp_node v) { return w->depleted ? w->depleted[v] : CP_TIME_NEVER; }

/* Activity of node v over [0, t]. */
static void node_use(const wld *w, cp_node v, cp_time t, nrg_use *u)
{
    const net_class *k = net_class_get(w->net, net_class_of(w->net, v));
    const net_node_stats *s = net_stats(w->net, v);
    u->t = t;
    u->cpu_busy = des_cpu_busy(w->des, v);
    if (des_backend_airtime(w->des, v, &u->tx_s, &u->rx_s)) return; /* a radio the engine modelled */
    u->tx_s = nrg_airtime_s(s->bytes_up, k->up_bps);
    u->rx_s = nrg_airtime_s(s->bytes_down, k->down_bps);
}

void wld_energy_node(const wld *w, cp_node v, nrg_joules *j)
{
    cp_time t = wld_energy_depleted(w, v);
    if (t == CP_TIME_NEVER) t = w->cfg->duration; /* powered for the whole run, events or not */
    nrg_use u;
    node_use(w, v, t, &u);
    nrg_account(&w->energy[net_class_of(w->net, v)], &u, j);
}

/* ---- battery depletion ----------------------------------------------------------------- */

static void check_batteries(des *d, void *arg, uint32_t index)
{
    wld *w = arg;
    cp_time now = des_now(d);
    for (cp_node v = 0; v < w->n_nodes; v++) {
        const nrg_class *c = &w->energy[net_class_of(w->net, v)];
        if (c->battery_j <= 0) continue;
        if (w->depleted[v] != CP_TIME_NEVER) {
            if (!des_is_down(d, v)) des_set_down(d, v, 1); /* a scheduled restart cannot refill it */
            continue;
        }
        nrg_use u;
        nrg_joules j;
        node_use(w, v, now, &u);
        nrg_account(c, &u, &j);
        if (nrg_total(&j) < c->battery_j) continue;
        w->depleted[v] = now;
        des_set_down(d, v, 1);
    }
    cp_time next = cp_time_add(now, w->cfg->energy.check);
    if (next <= w->cfg->duration) des_call_at(d, next, check_batteries, w, index);
}

int wld_energy_schedule(wld *w)
{
    if (!w->cfg->energy.deplete) return 0;
    int any = 0;
    for (size_t k = 0; k < w->n_classes; k++) any |= w->energy[k].battery_j > 0;
    if (!any) return 0;
    w->depleted = malloc((size_t)w->n_nodes * sizeof *w->depleted);
    if (!w->depleted) return -1;
    for (cp_node v = 0; v < w->n_nodes; v++) w->depleted[v] = CP_TIME_NEVER;
    cp_time first = w->cfg->energy.check;
    return first <= w->cfg->duration ? des_call_at(w->des, first, check_batteries, w, 0) : 0;
}

/* ---- summary.json ----------------------------------------------------------------------- */

typedef struct esum {
    uint64_t nodes, battery_nodes, depleted;
    nrg_joules j;
    cp_time first_depleted;
    double *life_s;          /* projected lifetime of each battery node */
} esum;

static int esums_fill(wld *w, esum *s, size_t n_keys, int (*key_of)(const wld *, cp_node))
{
    for (size_t k = 0; k < n_keys; k++) s[k] = (esum){.first_depleted = CP_TIME_NEVER};
    uint64_t *cnt = calloc(n_keys ? n_keys : 1, sizeof *cnt);
    if (!cnt) return -1;
    for (cp_node v = 0; v < w->n_nodes; v++) {
        int k = key_of(w, v);
        if (k >= 0 && (size_t)k < n_keys) cnt[k]++;
    }
    int rc = 0;
    for (size_t k = 0; k < n_keys; k++) rc |= !(s[k].life_s = malloc((cnt[k] ? cnt[k] : 1) * sizeof(double)));
    free(cnt);
    cp_time end = w->cfg->duration;
    for (cp_node v = 0; rc == 0 && v < w->n_nodes; v++) {
        int k = key_of(w, v);
        if (k < 0 || (size_t)k >= n_keys) continue;
        esum *e = &s[k];
        nrg_joules j;
        wld_energy_node(w, v, &j);
        e->nodes++;
        e->j.cpu += j.cpu, e->j.tx += j.tx, e->j.rx += j.rx, e->j.idle += j.idle;
        const nrg_class *c = &w->energy[net_class_of(w->net, v)];
        if (c->battery_j <= 0) continue;
        cp_time dep = wld_energy_depleted(w, v);
        double life = dep != CP_TIME_NEVER ? (double)dep / 1e9 : nrg_lifetime_s(c, &j, end);
        if (life >= 0) e->life_s[e->battery_nodes++] = life;
        if (dep == CP_TIME_NEVER) continue;
        e->depleted++;
        if (dep < e->first_depleted) e->first_depleted = dep;
    }
    return rc;
}

/* Joules per unit of work, of everything drawn and of the active part (CPU and radio
 * airtime: what the work itself cost, without the idle baseline the node pays anyway). */
static void per_units(js *j, const nrg_joules *e, const wld_energy_units *u)
{
    double all = nrg_total(e), act = e->cpu + e->tx + e->rx;
    if (u->readings > 0) js_num(j, "per_reading_j", all / u->readings), js_num(j, "active_per_reading_j", act / u->readings);
    if (u->transactions > 0)
        js_num(j, "per_transaction_j", all / u->transactions), js_num(j, "active_per_transaction_j", act / u->transactions);
    if (u->records > 0)
        js_num(j, "per_stored_record_j", all / u->records), js_num(j, "active_per_stored_record_j", act / u->records);
}

static void esum_json(js *j, const char *key, const esum *e, const wld_energy_units *u, cp_time end)
{
    double tot = nrg_total(&e->j), n = e->nodes ? (double)e->nodes : 1;
    js_obj_begin(j, key);
    js_u64(j, "nodes", e->nodes);
    js_num(j, "cpu_j", e->j.cpu);
    js_num(j, "radio_tx_j", e->j.tx);
    js_num(j, "radio_rx_j", e->j.rx);
    js_num(j, "idle_j", e->j.idle);
    js_num(j, "total_j", tot);
    js_num(j, "per_node_j", tot / n);
    js_num(j, "mean_power_per_node_w", end ? tot / n / ((double)end / 1e9) : 0);
    per_units(j, &e->j, u);
    js_u64(j, "battery_nodes", e->battery_nodes);
    if (e->battery_nodes) {
        double *d = malloc(e->battery_nodes * sizeof *d);
        for (uint64_t i = 0; d && i < e->battery_nodes; i++) d[i] = e->life_s[i] / 86400.0;
        st_summary s;
        st_summarize(d, d ? e->battery_nodes : 0, &s);
        st_write_json(j, "battery_lifetime_days", &s);
        free(d);
    }
    js_u64(j, "depleted", e->depleted);
    if (e->depleted) js_num(j, "first_depleted_s", (double)e->first_depleted / 1e9);
    js_obj_end(j);
}

static int group_key(const wld *w, cp_node v) { return (int)w->group_of[v]; }
static int all_key(const wld *w, cp_node v) { return (void)w, (void)v, 0; }

static void esums_free(esum *s, size_t n)
{
    for (size_t k = 0; k < n; k++) free(s[k].life_s);
    free(s);
}

/* One block per key (names[k], or its index when unnamed) under `key`. */
static void blocks_json(wld *w, js *j, const char *key, int (*key_of)(const wld *, cp_node),
                        const char *const *names, size_t n, const wld_energy_units *u)
{
    esum *s = calloc(n ? n : 1, sizeof *s);
    if (!s || esums_fill(w, s, n, key_of) != 0) {
        if (s) esums_free(s, n);
        return;
    }
    cp_time end = w->cfg->duration;
    js_obj_begin(j, key);
    for (size_t k = 0; k < n; k++) {
        char nm[32];
        snprintf(nm, sizeof nm, "%zu", k);
        esum_json(j, names[k] && *names[k] ? names[k] : nm, &s[k], u, end);
    }
    js_obj_end(j);
    esums_free(s, n);
}

void wld_energy_json(wld *w, js *j, const wld_energy_units *u, int (*role_of)(const wld *, cp_node),
                     const char *const *role_names, size_t n_roles)
{
    js_obj_begin(j, "energy");
    js_bool(j, "deplete", w->cfg->energy.deplete);
    esum all;
    if (esums_fill(w, &all, 1, all_key) == 0) {
        js_num(j, "total_j", nrg_total(&all.j));
        per_units(j, &all.j, u);
        js_u64(j, "depleted", all.depleted);
    }
    free(all.life_s);
    size_t ng = w->cfg->n_groups;
    const char **gn = malloc((ng ? ng : 1) * sizeof *gn);
    for (size_t g = 0; gn && g < ng; g++) gn[g] = w->cfg->nodes[g].name;
    if (gn) blocks_json(w, j, "by_group", group_key, gn, ng, u);
    free(gn);
    if (role_of) blocks_json(w, j, "by_role", role_of, role_names, n_roles, u);
    js_obj_end(j);
}

/* ---- headline numbers and the per-node plot ---------------------------------------------- */

void wld_energy_totals(wld *w, int (*role_of)(const wld *, cp_node), int role, double *joules, double *active,
                       double *life_min_days)
{
    *joules = 0, *active = 0, *life_min_days = 0;
    double life = -1;
    for (cp_node v = 0; v < w->n_nodes; v++) {
        if (role_of && role_of(w, v) != role) continue;
        nrg_joules j;
        wld_energy_node(w, v, &j);
        *joules += nrg_total(&j);
        *active += j.cpu + j.tx + j.rx;
        const nrg_class *c = &w->energy[net_class_of(w->net, v)];
        cp_time dep = wld_energy_depleted(w, v);
        double l = dep != CP_TIME_NEVER ? (double)dep / 1e9 : nrg_lifetime_s(c, &j, w->cfg->duration);
        if (c->battery_j > 0 && l >= 0 && (life < 0 || l < life)) life = l;
    }
    if (life >= 0) *life_min_days = life / 86400.0;
}

void wld_energy_plots(wld *w, const char *dir)
{
    size_t ng = w->cfg->n_groups;
    double **v = calloc(ng ? ng : 1, sizeof *v);
    size_t *n = calloc(ng ? ng : 1, sizeof *n);
    const char **titles = calloc(ng ? ng : 1, sizeof *titles);
    int ok = v && n && titles;
    for (size_t g = 0; ok && g < ng; g++) ok = (v[g] = malloc((w->cfg->nodes[g].count + 1) * sizeof **v)) != NULL;
    for (cp_node u = 0; ok && u < w->n_nodes; u++) {
        nrg_joules j;
        wld_energy_node(w, u, &j);
        size_t g = w->group_of[u];
        v[g][n[g]++] = nrg_total(&j);
    }
    for (size_t g = 0; ok && g < ng; g++) titles[g] = w->cfg->nodes[g].name && *w->cfg->nodes[g].name ? w->cfg->nodes[g].name : "group";
    plot_spec ps = {dir, "energy_per_node", "Energy per node over the run, by group", "joules", "fraction of nodes", 1, 0, 1, NULL};
    if (ok) plot_cdf(&ps, titles, (const double *const *)v, n, ng);
    for (size_t g = 0; v && g < ng; g++) free(v[g]);
    free(v), free(n), free(titles);
}
