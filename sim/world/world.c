/* sim/world/world.c: builds a world from a scenario config (classes, regions, node
 * placement, network model, protocol instance, scheduled link changes) and runs it on the
 * built-in engine.
 *
 * Invariants: node ids are assigned role by role (nodes[].first, from sim/world/roles.c), or
 * in group order for a scenario without roles; every random choice made here (region
 * placement) comes from a stream of the run seed per group and index in it, so the same config
 * and seed build the same world and a group's nodes keep their regions when another group grows; every name the scenario uses (class, region) is resolved here, and
 * an unknown one is an error before anything runs. */
#include "sim/world/world_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

/* Built-in device classes. Sources for the network and CPU figures: see scenarios/README.md.
 * Power figures (sim/energy/nrg.h), from the parts each class stands for:
 *   sensor: CPU a Cortex-M4F MCU, Nordic nRF52840 product specification (CPU running from
 *     flash at 64 MHz with the DC/DC regulator: 3.3 mA at 3 V = 9.9 mW; System ON idle with
 *     the RTC running: about 3 uA = 9 uW); radio an LTE-M module at 3.8 V, u-blox SARA-R4
 *     series data sheet (transmitting at 23 dBm: about 190 mA = 0.72 W; receiving: about
 *     40 mA = 0.15 W; power saving mode: about 8 uA = 30 uW); battery 2 AA cells (2 x 1.5 V
 *     x 2.5 Ah = 27 kJ).
 *   vehicle: CPU a quad Cortex-A53 board, Raspberry Pi 3 Model B+ (board power about 1.9 W
 *     idle, 5.1 W with all cores loaded); radio LTE, the power model of Huang et al.,
 *     "A close examination of performance and power characteristics of 4G LTE networks",
 *     MobiSys 2012 (1288.04 mW + 438.39 mW per Mbit/s up, + 51.97 mW per Mbit/s down, at the
 *     class's 10 and 30 Mbit/s; RRC_IDLE about 11.4 mW); mains (the car's battery).
 *   gateway: a Cortex-A72 board, Raspberry Pi 4 Model B (about 2.7 W idle, 6.4 W loaded);
 *     fibre/Ethernet: the NIC's draw is inside the board figures (radio 0); mains.
 *   server: one core of a 2-socket 1U server as in SPECpower_ssj2008 results (about 60 W
 *     idle, 300 W at full load over 24 cores: idle + 10 W while this node's core is busy);
 *     wired (0); mains.
 * These are representative datasheet figures for the class, not measurements of one device. */
typedef struct builtin_class {
    net_class net;
    nrg_class energy;
} builtin_class;
static const builtin_class builtin_classes[] = {
    {{"sensor", 200.0, 375000, 300000, CP_MS(50)}, {0.0099, 0.000009, 0.72, 0.15, 0.00003, 27000.0}},
    {{"vehicle", 8.0, 10000000, 30000000, CP_MS(30)}, {5.1, 1.9, 5.67194, 2.84714, 0.0114, 0}},
    {{"gateway", 4.0, 50000000, 100000000, CP_MS(5)}, {6.4, 2.7, 0, 0, 0, 0}},
    {{"server", 1.0, 1000000000, 1000000000, CP_MS(1)}, {70.0, 60.0, 0, 0, 0, 0}},
};
#define N_BUILTIN (sizeof builtin_classes / sizeof builtin_classes[0])

/* ---- classes and regions ---------------------------------------------------------- */

static int build_classes(wld *w, const wld_cfg *c)
{
    size_t cap = N_BUILTIN + c->n_classes;
    w->classes = calloc(cap, sizeof *w->classes);
    w->cpu_factor = calloc(cap, sizeof *w->cpu_factor);
    w->energy = calloc(cap, sizeof *w->energy);
    if (!w->classes || !w->cpu_factor || !w->energy) return -1;
    for (size_t i = 0; i < N_BUILTIN; i++) w->classes[i] = builtin_classes[i].net, w->energy[i] = builtin_classes[i].energy;
    w->n_classes = N_BUILTIN;
    for (size_t i = 0; i < c->n_classes; i++) {
        const wld_class_cfg *k = &c->classes[i];
        net_class nc = {k->name, k->cpu_factor, k->uplink, k->downlink, k->access_latency};
        nrg_class ec = {k->cpu_active, k->cpu_idle, k->radio_tx, k->radio_rx, k->radio_idle, k->battery};
        int at = wld_class_index(w, k->name);
        if (at < 0) at = (int)w->n_classes++;
        w->classes[at] = nc;
        w->energy[at] = ec;
    }
    if (w->n_classes > 255) return -1;
    for (size_t i = 0; i < w->n_classes; i++) w->cpu_factor[i] = w->classes[i].cpu_factor;
    return 0;
}

int wld_class_index(const wld *w, const char *name)
{
    for (size_t i = 0; i < w->n_classes; i++)
        if (strcmp(w->classes[i].name, name) == 0) return (int)i;
    return -1;
}

int wld_region_index(const wld *w, const char *name)
{
    for (uint32_t i = 0; i < w->n_regions; i++)
        if (strcmp(w->region_names[i], name) == 0) return (int)i;
    return -1;
}

static const char *const uniform_names[] = {"all", NULL};

static int build_regions(wld *w, const wld_cfg *c, char *err, size_t len)
{
    if (c->network.table == 1) {
        w->n_regions = 1;
        w->region_names = uniform_names;
        w->rtt = malloc(sizeof *w->rtt);
        if (!w->rtt) return -1;
        w->rtt[0] = c->network.uniform_rtt;
    } else {
        uint32_t k = net_default_n_regions;
        w->n_regions = k;
        w->region_names = net_default_region_names;
        w->rtt = malloc((size_t)k * k * sizeof *w->rtt);
        if (!w->rtt) return -1;
        memcpy(w->rtt, net_default_rtt, (size_t)k * k * sizeof *w->rtt);
    }
    for (size_t i = 0; i < c->network.n_rtt; i++) {
        const wld_rtt_cfg *r = &c->network.rtt[i];
        int a = wld_region_index(w, r->a), b = wld_region_index(w, r->b);
        if (a < 0 || b < 0) {
            snprintf(err, len, "network.rtt.%zu.%s: unknown region \"%s\" (see scenarios/README.md)", i,
                     a < 0 ? "a" : "b", a < 0 ? r->a : r->b);
            return -1;
        }
        w->rtt[(size_t)a * w->n_regions + b] = w->rtt[(size_t)b * w->n_regions + a] = r->rtt;
    }
    return 0;
}

/* ---- nodes ------------------------------------------------------------------------ */

static int group_regions(const wld *w, const wld_group_cfg *g, size_t gi, int *idx, char *err, size_t len)
{
    for (size_t i = 0; i < g->n_regions; i++) {
        idx[i] = wld_region_index(w, g->regions[i]);
        if (idx[i] < 0) {
            const char *near = scn_nearest(g->regions[i], strlen(g->regions[i]), w->region_names, w->n_regions);
            int k = snprintf(err, len, "nodes.%zu.regions: unknown region \"%s\"%s%s%s; known:", gi, g->regions[i],
                             near ? " (did you mean " : "", near ? near : "", near ? "?)" : "");
            for (uint32_t r = 0; k > 0 && (size_t)k < len && r < w->n_regions; r++)
                k += snprintf(err + k, len - (size_t)k, " %s", w->region_names[r]);
            return -1;
        }
    }
    return 0;
}

static void unknown_class(const wld *w, const char *name, size_t gi, char *err, size_t len)
{
    const char *names[256];
    size_t n = w->n_classes < 256 ? w->n_classes : 256;
    for (size_t i = 0; i < n; i++) names[i] = w->classes[i].name;
    const char *near = scn_nearest(name, strlen(name), names, n);
    int k = snprintf(err, len, "nodes.%zu.class: unknown class \"%s\"%s%s%s; known:", gi, name,
                     near ? " (did you mean " : "", near ? near : "", near ? "?)" : "");
    for (size_t i = 0; k > 0 && (size_t)k < len && i < w->n_classes; i++)
        k += snprintf(err + k, len - (size_t)k, " %s", w->classes[i].name);
}

static int place_nodes(wld *w, const wld_cfg *c, char *err, size_t len)
{
    size_t most = w->n_regions + 1;
    for (size_t g = 0; g < c->n_groups; g++)
        if (c->nodes[g].n_regions > most) most = c->nodes[g].n_regions;
    int *idx = malloc(most * sizeof *idx);
    if (!idx) return -1;
    cp_node v = 0, placed = 0;
    for (size_t g = 0; g < c->n_groups; g++) {
        const wld_group_cfg *gr = &c->nodes[g];
        int cls = wld_class_index(w, gr->cls);
        if (cls < 0) {
            unknown_class(w, gr->cls, g, err, len);
            break;
        }
        if (group_regions(w, gr, g, idx, err, len) != 0) break;
        if (c->ordered) v = (cp_node)gr->first;
        for (uint64_t i = 0; i < gr->count; i++, v++, placed++) {
            /* the stream of node i of group g: a node keeps its region when another group's
             * count changes (group 0 draws as node ids did before groups had roles) */
            cp_rng r;
            rng_seed(&r, w->seed, i, 0x706c616365ull /* "place" */ ^ ((uint64_t)g << 48));
            uint32_t reg = gr->n_regions ? (uint32_t)idx[rng_below(&r, gr->n_regions)]
                                         : (uint32_t)rng_below(&r, w->n_regions);
            net_place(w->net, v, reg, (uint32_t)cls);
            w->group_of[v] = (uint32_t)g;
        }
    }
    free(idx);
    return placed == w->n_nodes ? 0 : -1;
}

static int count_nodes(const wld_cfg *c, uint64_t *n)
{
    *n = 0;
    for (size_t g = 0; g < c->n_groups; g++) *n += c->nodes[g].count;
    return *n >= 2 && *n <= 16000000 ? 0 : -1;
}

static int build_crypto(wld *w, const wld_cfg *c, char *err, size_t len)
{
    if (cr_init() != CR_OK) return -1;
    w->memo = cr_memo_new(c->crypto.memo, c->crypto.memo_log2);
    w->costs = cost_table_new();
    if (!w->memo || !w->costs) return -1;
    if (!c->crypto.cost_table || !*c->crypto.cost_table) return 0;
    const char *names[COST_MAX_CLASSES];
    size_t n = w->n_classes < COST_MAX_CLASSES ? w->n_classes : COST_MAX_CLASSES;
    for (size_t i = 0; i < n; i++) names[i] = w->classes[i].name;
    char why[512];
    if (cost_table_load(w->costs, c->crypto.cost_table, names, n, why, sizeof why) != 0) {
        snprintf(err, len, "crypto.cost_table: %s", why);
        return -1;
    }
    return 0;
}

static int build_net(wld *w, const wld_cfg *c)
{
    net_cfg nc = {w->n_regions, w->region_names, w->rtt, c->network.jitter_dist,
                  c->network.jitter, c->network.loss, (uint32_t)w->n_classes, w->classes};
    w->net = net_new(&nc, w->n_nodes);
    w->group_of = calloc(w->n_nodes, sizeof *w->group_of);
    return w->net && w->group_of ? 0 : -1;
}

/* ---- lifecycle -------------------------------------------------------------------- */

static int find_engine(wld *w, const wld_cfg *c, char *err, size_t len)
{
    int found;
    w->backend = eng_find(wld_engine_names[c->engine], &found);
    if (found) return 0;
    snprintf(err, len, "engine: \"%s\" is not built into this cpsim (it has: %s); install its library "
             "and reconfigure (see README.md, Engines)", wld_engine_names[c->engine], eng_names());
    return -1;
}

wld *wld_new(const wld_cfg *c, char *err, size_t len)
{
    uint64_t n;
    snprintf(err, len, "out of memory");
    if (count_nodes(c, &n) != 0) {
        snprintf(err, len, "nodes: the groups add up to %llu nodes; expected 2..16000000",
                 (unsigned long long)n);
        return NULL;
    }
    wld *w = calloc(1, sizeof *w);
    if (!w) return NULL;
    w->cfg = c;
    w->seed = c->seed;
    w->n_nodes = (uint32_t)n;
    if (find_engine(w, c, err, len) != 0 || build_classes(w, c) != 0 || build_regions(w, c, err, len) != 0 || build_net(w, c) != 0 ||
        place_nodes(w, c, err, len) != 0 || wld_radio_attach(w, c, err, len) != 0 || wld_changes_check(w, c, err, len) != 0 ||
        build_crypto(w, c, err, len) != 0 ||
        wld_proto_new(w, c, err, len) != 0) {
        wld_free(w);
        return NULL;
    }
    return w;
}

void wld_free(wld *w)
{
    if (!w) return;
    des_free(w->des);
    wld_proto_free(w);
    net_free(w->net);
    free(w->classes);
    free(w->cpu_factor);
    free(w->energy);
    free(w->depleted);
    free(w->rtt);
    free(w->group_of);
    free(w->saved_rtt);
    cr_memo_free(w->memo);
    cost_table_free(w->costs);
    free(w);
}

uint32_t wld_n_nodes(const wld *w) { return w->n_nodes; }
const char *wld_run_error(const wld *w) { return w->run_err; }
uint64_t wld_violations(const wld *w) { return w->lbft ? lbft_violations(w->lbft) : 0; }

/* ---- running ---------------------------------------------------------------------- */

static double wall_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

typedef struct progress {
    double t0, last;
    uint64_t ev_last;
} progress;

static void show_progress(void *arg, cp_time now, cp_time end, uint64_t events)
{
    progress *p = arg;
    double t = wall_now();
    if (t - p->last < 1.0) return;
    double rate = (double)(events - p->ev_last) / (t - p->last);
    double frac = end ? (double)now / (double)end : 0;
    double eta = frac > 0 ? (t - p->t0) * (1 - frac) / frac : 0;
    fprintf(stderr, "\r[cpsim] sim %.3f s / %.3f s | %.2f M events/s | ETA %.0f s   ",
            (double)now / 1e9, (double)end / 1e9, rate / 1e6, eta);
    p->last = t;
    p->ev_last = events;
}

uint64_t wld_peak_rss_kb(void)
{
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    return (uint64_t)ru.ru_maxrss;
}

/* LBFT's liveness checks over the scenario's fault windows (network.changes). */
static void lbft_liveness(wld *w)
{
    const wld_net_cfg *nc = &w->cfg->network;
    lbft_window *win = calloc(nc->n_changes + 1, sizeof *win);
    if (!win) return;
    for (size_t i = 0; i < nc->n_changes; i++) win[i] = (lbft_window){nc->changes[i].at, nc->changes[i].until};
    lbft_check_liveness(w->lbft, win, nc->n_changes, nc->loss > 0, des_get_stats(w->des)->end_time);
    free(win);
}

int wld_run(wld *w, int show, wld_run_info *info)
{
    progress pr = {wall_now(), wall_now(), 0};
    des_cfg dc = {w->seed, w->n_nodes, w->cfg->duration, w->net, w->proto_ops, w->proto,
                  w->cpu_factor, show ? show_progress : NULL, &pr, w->backend};
    snprintf(w->run_err, sizeof w->run_err, "the run failed (out of memory?)");
    w->des = des_new_ex(&dc, w->run_err, sizeof w->run_err);
    if (!w->des || wld_changes_schedule(w) != 0 || wld_energy_schedule(w) != 0) return -1;
    for (size_t i = 0; i < w->n_down0; i++) des_set_down(w->des, w->down0[i], 1); /* down from t = 0 */
    double t0 = wall_now();
    int rc = des_run(w->des);
    if (rc == 0) w->run_err[0] = 0;
    if (rc == 0 && w->lbft) lbft_liveness(w);
    if (show && des_get_stats(w->des)->events >= (1u << 20)) fputc('\n', stderr);
    info->wall_s = wall_now() - t0;
    info->events = des_get_stats(w->des)->events;
    info->peak_rss_kb = wld_peak_rss_kb();
    const cr_memo_stats *ms = cr_memo_get_stats(w->memo);
    info->memo_lookups = ms->lookups, info->memo_hits = ms->hits, info->verifications = ms->verifications;
    return rc;
}
