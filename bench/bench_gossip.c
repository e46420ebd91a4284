/* bench/bench_gossip.c: `cpsim bench gossip`: the block-propagation scenario (flooding
 * 1 MB blocks over a degree-8 random graph, world regions, home-grade links) built from an
 * embedded scenario text through the normal loader, then run on the built-in engine.
 * Reports wall time, events/s, peak memory and bytes per node, and the propagation times,
 * so the figure can be set beside other simulators' published runs of the same workload. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench/bench.h"
#include "sim/metrics/js.h"
#include "sim/world/world_int.h"

static const char gossip_yaml[] =
    "name: bench-gossip\n"
    "seed: 1\n"
    "duration: 400s\n"
    "protocol: flood\n"
    "classes:\n"
    "  peer: {cpu_factor: 1, uplink: 20Mbps, downlink: 50Mbps, access_latency: 5ms}\n"
    "nodes:\n"
    "  - {count: 100000, class: peer}\n"
    "flood: {degree: 8, blocks: 10, block_size: 1MB, first: 1s, interval: 10s}\n"
    "plots: false\n";

static int usage(void)
{
    fprintf(stderr, "usage: cpsim bench gossip [--nodes N] [--json] [-p key=value]...\n");
    return 2;
}

static double mean_reach(wld *w, double frac, uint32_t *missing)
{
    uint32_t nb = flood_n_blocks(w->flood);
    double sum = 0;
    uint32_t k = 0;
    for (uint32_t b = 0; b < nb; b++) {
        uint32_t need = (uint32_t)((double)w->n_nodes * frac + 0.999999), got = 0;
        cp_time c = flood_created(w->flood, b), worst = 0;
        for (cp_node v = 0; v < w->n_nodes; v++) {
            cp_time a = flood_arrival(w->flood, b, v);
            if (a != CP_TIME_NEVER) got++;
            if (a != CP_TIME_NEVER && a - c > worst) worst = a - c;
        }
        if (got >= need && frac >= 1.0) sum += (double)worst / 1e9, k++;
    }
    *missing = nb - k;
    return k ? sum / k : 0;
}

static void report(wld *w, double wall, int json)
{
    const des_stats *ds = des_get_stats(w->des);
    uint32_t miss;
    double t100 = mean_reach(w, 1.0, &miss);
    double rss = (double)bench_peak_rss_kb();
    if (json) {
        js *j = js_open_stream(stdout);
        js_obj_begin(j, NULL);
        js_str(j, "bench", "gossip");
        js_u64(j, "nodes", w->n_nodes);
        js_u64(j, "blocks", flood_n_blocks(w->flood));
        js_num(j, "wall_s", wall);
        js_u64(j, "events", ds->events);
        js_num(j, "events_per_s", (double)ds->events / wall);
        js_num(j, "peak_rss_mb", rss / 1024);
        js_num(j, "bytes_per_node", rss * 1024 / w->n_nodes);
        js_num(j, "mean_time_to_100pct_s", t100);
        js_u64(j, "blocks_not_reaching_all", miss);
        js_obj_end(j);
        js_close(j);
        putchar('\n');
    } else {
        printf("gossip %u nodes, %u blocks: wall %.2f s, %llu events (%.2f M/s), peak RSS %.0f MB "
               "(%.0f B/node), mean time to 100%% %.2f s, %u blocks short of 100%%\n",
               w->n_nodes, flood_n_blocks(w->flood), wall, (unsigned long long)ds->events,
               (double)ds->events / wall / 1e6, rss / 1024, rss * 1024 / w->n_nodes, t100, miss);
    }
}

/* Deterministic counts of a seeded flooding run (for `bench all`): events and duplicates. */
int bench_gossip_counts(uint32_t nodes, uint64_t *events, uint64_t *dups)
{
    char nb[32], err[512];
    snprintf(nb, sizeof nb, "%u", nodes);
    scn_override o = {"nodes.0.count", nb};
    wld_cfg cfg;
    if (scn_load_string("bench-gossip", gossip_yaml, sizeof gossip_yaml - 1, &wld_schema, &cfg, &o, 1, err,
                        sizeof err) != 0)
        return -1;
    wld *w = wld_new(&cfg, err, sizeof err);
    wld_run_info info;
    int rc = w && wld_run(w, 0, &info) == 0 ? 0 : -1;
    if (rc == 0) {
        *events = des_get_stats(w->des)->events;
        *dups = 0;
        for (cp_node v = 0; v < w->n_nodes; v++) *dups += flood_dups(w->flood, v);
    }
    wld_free(w);
    scn_free(&wld_schema, &cfg);
    return rc;
}

int bench_gossip_main(int argc, char **argv)
{
    scn_override ovr[64];
    size_t n_ovr = 0;
    char nodes_buf[64];
    int json = 0;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--json")) json = 1;
        else if (!strcmp(argv[i], "--nodes") && i + 1 < argc && n_ovr < 64) {
            snprintf(nodes_buf, sizeof nodes_buf, "%s", argv[++i]);
            ovr[n_ovr++] = (scn_override){"nodes.0.count", nodes_buf};
        } else if (!strcmp(argv[i], "-p") && i + 1 < argc && n_ovr < 64) {
            char *eq = strchr(argv[++i], '=');
            if (!eq) return usage();
            *eq = 0;
            ovr[n_ovr++] = (scn_override){argv[i], eq + 1};
        } else return usage();
    }
    wld_cfg cfg;
    memset(&cfg, 0, sizeof cfg);
    char err[512];
    if (scn_load_string("bench-gossip", gossip_yaml, sizeof gossip_yaml - 1, &wld_schema, &cfg, ovr,
                        n_ovr, err, sizeof err) != 0) {
        fprintf(stderr, "%s\n", err);
        return 2;
    }
    wld *w = wld_new(&cfg, err, sizeof err);
    int rc = 1;
    if (!w) fprintf(stderr, "cpsim: %s\n", err);
    wld_run_info info;
    if (w && wld_run(w, 0, &info) == 0) {
        report(w, info.wall_s, json);
        rc = 0;
    }
    wld_free(w);
    scn_free(&wld_schema, &cfg);
    return rc;
}
