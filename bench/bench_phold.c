/* bench/bench_phold.c: `cpsim bench phold`: PHOLD (one event per node, delay 1 ms minimum +
 * exponential, mean 10 ms, uniform remote target) run (a) through the engine and the network
 * model as a protocol (the delay is the network's: 1 ms link + exponential jitter of mean
 * 9 ms, unlimited bandwidth, virtual CPU on) and (b) as a bare binary-heap loop in the same
 * binary, for the same simulated time. Reports both rates and their ratio, and the host memory
 * per node (structures held by the engine and model plus the peak pending set). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench/bench.h"
#include "core/phold/phold.h"
#include "sim/des/des.h"
#include "sim/des/evq.h"
#include "sim/metrics/js.h"
#include "sim/net/net.h"

typedef struct bare_ev {
    uint64_t time;
    uint32_t node, pad;
} bare_ev;

/* The bare loop: a binary heap of 16-byte (time, node) events, one RNG stream. */
static void bare_push(bare_ev *h, size_t *n, bare_ev e)
{
    size_t i = (*n)++;
    while (i && e.time < h[(i - 1) / 2].time) {
        h[i] = h[(i - 1) / 2];
        i = (i - 1) / 2;
    }
    h[i] = e;
}

static bare_ev bare_pop(bare_ev *h, size_t *n)
{
    bare_ev top = h[0], last = h[--*n];
    size_t i = 0;
    for (;;) {
        size_t c = 2 * i + 1;
        if (c >= *n) break;
        if (c + 1 < *n && h[c + 1].time < h[c].time) c++;
        if (last.time <= h[c].time) break;
        h[i] = h[c];
        i = c;
    }
    if (*n) h[i] = last;
    return top;
}

static uint64_t bare_run(uint32_t nodes, cp_time end, uint64_t seed, double *rate)
{
    bare_ev *h = malloc((size_t)nodes * sizeof *h);
    size_t n = 0;
    cp_rng r;
    rng_seed(&r, seed, 0, 0);
    for (uint32_t v = 0; v < nodes; v++)
        bare_push(h, &n, (bare_ev){CP_MS(1) + (cp_time)rng_exp(&r, 9e6), v, 0});
    uint64_t events = 0;
    double t0 = bench_wall();
    while (n && h[0].time <= end) {
        bare_ev e = bare_pop(h, &n);
        uint32_t to = (uint32_t)rng_below(&r, nodes - 1);
        if (to >= e.node) to++;
        bare_push(h, &n, (bare_ev){e.time + CP_MS(1) + (cp_time)rng_exp(&r, 9e6), to, 0});
        events++;
    }
    *rate = (double)events / (bench_wall() - t0);
    free(h);
    return events;
}

static const char *const one_region[] = {"all", NULL};

typedef struct eng_result {
    uint64_t events;
    double rate;
    double bytes_per_node;
} eng_result;

static int engine_run(uint32_t nodes, cp_time end, uint64_t seed, eng_result *res)
{
    static const cp_time rtt[1] = {CP_MS(2)};
    net_class cls[1] = {{"server", 1.0, 0, 0, 0}};
    net_cfg nc = {1, one_region, rtt, NET_JITTER_EXP, CP_MS(9), 0, 1, cls};
    net *nt = net_new(&nc, nodes);
    phold *p = phold_new(nodes, 1, 64);
    des_cfg dc = {seed, nodes, end, nt, phold_ops(), p, NULL, NULL, NULL, NULL};
    des *d = des_new(&dc);
    if (!nt || !p || !d) return -1;
    double t0 = bench_wall();
    int rc = des_run(d);
    double dt = bench_wall() - t0;
    res->events = phold_handled(p);
    res->rate = (double)res->events / dt;
    size_t pending = des_get_stats(d)->max_pending * sizeof(des_ev);
    res->bytes_per_node = (double)(des_bytes_per_node() + net_bytes_per_node()) +
                          (double)pending / nodes + 128.0 /* one pooled message per node */;
    des_free(d);
    phold_free(p);
    net_free(nt);
    return rc;
}

int bench_phold_measure(uint32_t nodes, uint64_t secs, uint64_t seed, double *ratio, uint64_t *events)
{
    double b1, b2;
    eng_result e;
    bare_run(nodes, CP_S(secs), seed, &b1);
    if (engine_run(nodes, CP_S(secs), seed, &e) != 0) return -1;
    bare_run(nodes, CP_S(secs), seed, &b2);
    *ratio = e.rate / ((b1 + b2) / 2);
    *events = e.events;
    return 0;
}

static int usage(void)
{
    fprintf(stderr, "usage: cpsim bench phold [--nodes N] [--sim-seconds S] [--seed N] [--json]\n");
    return 2;
}

int bench_phold_main(int argc, char **argv)
{
    uint64_t nodes = 10000, secs = 2, seed = 1;
    int json = 0;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--json")) json = 1;
        else if (!strcmp(argv[i], "--nodes") && i + 1 < argc) { if (bench_parse_u64(argv[++i], &nodes)) return usage(); }
        else if (!strcmp(argv[i], "--sim-seconds") && i + 1 < argc) { if (bench_parse_u64(argv[++i], &secs)) return usage(); }
        else if (!strcmp(argv[i], "--seed") && i + 1 < argc) { if (bench_parse_u64(argv[++i], &seed)) return usage(); }
        else return usage();
    }
    if (nodes < 2 || nodes > 16000000) return usage();
    double bare1, bare2;
    eng_result e;
    uint64_t bev = bare_run((uint32_t)nodes, CP_S(secs), seed, &bare1);
    if (engine_run((uint32_t)nodes, CP_S(secs), seed, &e) != 0) return 1;
    bare_run((uint32_t)nodes, CP_S(secs), seed, &bare2);
    double bare = (bare1 + bare2) / 2;
    if (json) {
        js *j = js_open_stream(stdout);
        js_obj_begin(j, NULL);
        js_str(j, "bench", "phold");
        js_u64(j, "nodes", nodes);
        js_num(j, "sim_seconds", (double)secs);
        js_u64(j, "events", e.events);
        js_u64(j, "bare_events", bev);
        js_num(j, "events_per_s", e.rate);
        js_num(j, "bare_events_per_s", bare);
        js_num(j, "ratio", e.rate / bare);
        js_num(j, "bytes_per_node", e.bytes_per_node);
        js_u64(j, "peak_rss_kb", bench_peak_rss_kb());
        js_obj_end(j);
        js_close(j);
        putchar('\n');
    } else {
        printf("phold %llu nodes, %llu simulated s: engine %.2f M events/s (%llu events), bare heap "
               "%.2f M events/s, ratio %.2f, %.0f bytes/node, peak RSS %llu kB\n",
               (unsigned long long)nodes, (unsigned long long)secs, e.rate / 1e6,
               (unsigned long long)e.events, bare / 1e6, e.rate / bare, e.bytes_per_node,
               (unsigned long long)bench_peak_rss_kb());
    }
    return 0;
}
