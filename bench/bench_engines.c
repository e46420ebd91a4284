/* bench/bench_engines.c: `cpsim bench engines`: the same PHOLD and gossip workloads on every
 * engine built into this binary, in one run, each in its own child process (SimGrid and ns-3
 * keep one simulation per process, and a child's peak memory is its own).
 *
 * PHOLD: N nodes, one event each, exponential delay of mean 10 ms with 1 ms minimum, uniform
 * remote targets, unlimited links (so every engine computes the same delays). Gossip: flooding
 * of 100 kB blocks over a degree-8 graph of gateways (50/100 Mbit/s links), where bandwidth
 * sharing matters. Reported per engine: protocol events handled (message deliveries and
 * timers, the same count on every engine for PHOLD), wall seconds, events per wall second,
 * the ratio to the built-in engine measured in this run, and the child's peak RSS. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include "bench/bench.h"
#include "sim/engine.h"
#include "sim/world/world_int.h"

typedef struct eng_result {
    int ok;
    uint64_t handled;
    double wall;
    uint64_t rss_kb;
} eng_result;

static char *phold_yaml(uint32_t nodes, uint64_t secs)
{
    char *s = malloc(1024);
    snprintf(s, 1024,
             "name: bench-phold\nseed: 1\nduration: %llus\nprotocol: phold\n"
             "network: {table: uniform, uniform_rtt: 2ms, jitter_dist: exponential, jitter: 9ms}\n"
             "classes: {server: {cpu_factor: 1, uplink: 0, downlink: 0, access_latency: 0}}\n"
             "nodes:\n  - {count: %u}\nphold: {per_node: 1, payload: 64}\nplots: false\n",
             (unsigned long long)secs, nodes);
    return s;
}

static char *gossip_yaml(uint32_t nodes, uint64_t blocks)
{
    char *s = malloc(1024);
    snprintf(s, 1024,
             "name: bench-gossip\nseed: 1\nduration: %llus\nprotocol: flood\n"
             "network: {table: default, jitter_dist: uniform, jitter: 5ms}\n"
             "nodes:\n  - {count: %u, class: gateway}\n"
             "flood: {degree: 8, blocks: %llu, block_size: 100kB, first: 1s, interval: 10s}\nplots: false\n",
             (unsigned long long)(blocks * 10 + 5), nodes, (unsigned long long)blocks);
    return s;
}

typedef struct eng_job {
    const char *yaml, *engine;
} eng_job;

/* In the child: one run of the workload on the engine. */
static void child_run(void *arg, void *out)
{
    const eng_job *jb = arg;
    eng_result *r = out;
    char err[512];
    wld_cfg cfg;
    scn_override ov = {"engine", jb->engine};
    if (scn_load_string("bench", jb->yaml, strlen(jb->yaml), &wld_schema, &cfg, &ov, 1, err, sizeof err) != 0) {
        fprintf(stderr, "bench engines: %s\n", err);
        return;
    }
    wld *w = wld_new(&cfg, err, sizeof err);
    wld_run_info info;
    if (w && wld_run(w, 0, &info) == 0) {
        r->ok = 1;
        r->handled = des_get_stats(w->des)->handled;
        r->wall = info.wall_s;
    } else {
        fprintf(stderr, "bench engines: %s: %s\n", jb->engine, w ? wld_run_error(w) : err);
    }
    wld_free(w);
}

static eng_result run_engine(const char *yaml, const char *engine)
{
    eng_result r;
    eng_job jb = {yaml, engine};
    bench_in_child(child_run, &jb, &r, sizeof r, &r.rss_kb);
    return r;
}

static void report(const char *work, const char *engine, const eng_result *r, const eng_result *base, int json,
                   int *first)
{
    double rate = r->wall > 0 ? (double)r->handled / r->wall : 0;
    double brate = base->wall > 0 ? (double)base->handled / base->wall : 0;
    if (json) {
        printf("%s    {\"workload\": \"%s\", \"engine\": \"%s\", \"ok\": %d, \"events\": %llu, \"wall_s\": %.3f, "
               "\"events_per_s\": %.0f, \"ratio_to_des\": %.4f, \"peak_rss_mb\": %.1f}",
               *first ? "" : ",\n", work, engine, r->ok, (unsigned long long)r->handled, r->wall, rate,
               brate > 0 ? rate / brate : 0, (double)r->rss_kb / 1024);
    } else {
        printf("%-7s %-10s %-4s %12llu %9.2f %12.0f %8.3f %9.1f\n", work, engine, r->ok ? "ok" : "FAIL",
               (unsigned long long)r->handled, r->wall, rate, brate > 0 ? rate / brate : 0,
               (double)r->rss_kb / 1024);
    }
    *first = 0;
}

static int usage(void)
{
    fprintf(stderr, "usage: cpsim bench engines [--nodes N] [--sim-seconds S] [--gossip-nodes N] "
                    "[--blocks B] [--engines \"des simgrid ...\"] [--json]\n");
    return 2;
}

int bench_engines_main(int argc, char **argv)
{
    uint64_t nodes = 1000, secs = 5, gnodes = 1000, blocks = 2;
    const char *list = eng_names();
    int json = 0;
    for (int i = 1; i < argc; i++) { /* argv[0] is the benchmark's name */
        const char *a = argv[i];
        int more = i + 1 < argc;
        if (!strcmp(a, "--json")) json = 1;
        else if (!strcmp(a, "--nodes") && more && bench_parse_u64(argv[++i], &nodes) == 0) continue;
        else if (!strcmp(a, "--sim-seconds") && more && bench_parse_u64(argv[++i], &secs) == 0) continue;
        else if (!strcmp(a, "--gossip-nodes") && more && bench_parse_u64(argv[++i], &gnodes) == 0) continue;
        else if (!strcmp(a, "--blocks") && more && bench_parse_u64(argv[++i], &blocks) == 0) continue;
        else if (!strcmp(a, "--engines") && more) list = argv[++i];
        else return usage();
    }
    if (nodes < 2 || gnodes < 10 || !secs || !blocks) return usage();
    char *work[2] = {phold_yaml((uint32_t)nodes, secs), gossip_yaml((uint32_t)gnodes, blocks)};
    const char *wname[2] = {"phold", "gossip"};
    if (json) printf("{\"benchmark\": \"engines\", \"phold_nodes\": %llu, \"gossip_nodes\": %llu, \"runs\": [\n",
                     (unsigned long long)nodes, (unsigned long long)gnodes);
    else printf("%-7s %-10s %-4s %12s %9s %12s %8s %9s\n", "work", "engine", "", "events", "wall_s", "events/s",
                "vs_des", "rss_MB");
    int first = 1, bad = 0;
    for (int k = 0; k < 2; k++) {
        eng_result base = run_engine(work[k], "des");
        report(wname[k], "des", &base, &base, json, &first);
        bad |= !base.ok;
        char names[256], *save = NULL;
        snprintf(names, sizeof names, "%s", list);
        for (char *e = strtok_r(names, " ,", &save); e; e = strtok_r(NULL, " ,", &save)) {
            if (!strcmp(e, "des")) continue;
            eng_result r = run_engine(work[k], e);
            report(wname[k], e, &r, &base, json, &first);
            bad |= !r.ok;
        }
    }
    if (json) printf("\n]}\n");
    free(work[0]);
    free(work[1]);
    return bad ? 1 : 0;
}
