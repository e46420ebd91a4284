/* bench/bench_dht.c: `cpsim bench dht`: a Kademlia network of N nodes (core/dht, prefill
 * bootstrap, k = 20, alpha = 3) on the built-in engine, one region of 20 ms RTT, unlimited
 * bandwidth, no jitter, no churn, bucket refresh off; L FIND_NODE lookups of random keys by
 * random nodes spread over `--sim-seconds` of simulated time. Prints nodes, lookups, mean hops,
 * latency percentiles, the share of lookups that found exactly the true k closest, wall and CPU
 * time of setup and run (CPU time is what to compare on a loaded machine), peak
 * RSS and host bytes per node (routing tables, ids, node state). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>

#include "bench/bench.h"
#include "core/dht/dht.h"
#include "sim/des/des.h"
#include "sim/metrics/js.h"
#include "sim/net/net.h"

typedef struct dht_bench {
    uint64_t nodes, lookups, secs, seed;
    double setup_s, setup_cpu_s, run_s, run_cpu_s, mean_hops, p50, p90, p99, ok_rate, mean_rpcs, bytes_per_node;
    uint64_t done, events, msgs, pings;
} dht_bench;

static int cmp_time(const void *a, const void *b)
{
    cp_time x = *(const cp_time *)a, y = *(const cp_time *)b;
    return x < y ? -1 : x > y;
}

static void summarize(dht_bench *b, const dht *d)
{
    size_t n;
    const dht_result *r = dht_results(d, &n);
    cp_time *lat = malloc((n ? n : 1) * sizeof *lat);
    uint64_t hops = 0, ok = 0, rpcs = 0;
    for (size_t i = 0; i < n; i++) {
        lat[i] = r[i].latency;
        hops += r[i].hops;
        ok += r[i].ok;
        rpcs += r[i].rpcs;
    }
    qsort(lat, n, sizeof *lat, cmp_time);
    double dn = n ? (double)n : 1;
    b->done = n;
    b->mean_hops = (double)hops / dn;
    b->mean_rpcs = (double)rpcs / dn;
    b->ok_rate = (double)ok / dn;
    b->p50 = n ? (double)lat[(n - 1) * 50 / 100] / 1e6 : 0;
    b->p90 = n ? (double)lat[(n - 1) * 90 / 100] / 1e6 : 0;
    b->p99 = n ? (double)lat[(n - 1) * 99 / 100] / 1e6 : 0;
    free(lat);
}

static const char *const one_region[] = {"all", NULL};

static double cpu_seconds(void)
{
    struct rusage u;
    getrusage(RUSAGE_SELF, &u);
    return (double)u.ru_utime.tv_sec + (double)u.ru_stime.tv_sec +
           ((double)u.ru_utime.tv_usec + (double)u.ru_stime.tv_usec) / 1e6;
}

static int bench_run(dht_bench *b)
{
    static const cp_time rtt[1] = {CP_MS(20)};
    net_class cls[1] = {{"server", 1.0, 0, 0, 0}};
    net_cfg nc = {1, one_region, rtt, NET_JITTER_NONE, 0, 0, 1, cls};
    dht_cfg c = dht_cfg_default();
    c.lookups = b->lookups;
    c.refresh = 0;
    c.emit_metrics = 0;
    c.work_start = CP_S(1);
    c.work_end = CP_S(1 + b->secs);
    double t0 = bench_wall(), c0 = cpu_seconds();
    dht *d = dht_new(&c, (uint32_t)b->nodes, b->seed);
    net *nt = net_new(&nc, (uint32_t)b->nodes);
    des_cfg dc = {b->seed, (uint32_t)b->nodes, CP_S(b->secs + 30), nt, dht_ops(), d, NULL, NULL, NULL, NULL};
    des *e = d && nt ? des_new(&dc) : NULL;
    if (!e) return -1;
    double t1 = bench_wall(), c1 = cpu_seconds();
    int rc = des_run(e);
    b->run_s = bench_wall() - t1;
    b->run_cpu_s = cpu_seconds() - c1;
    b->setup_s = t1 - t0;
    b->setup_cpu_s = c1 - c0;
    b->events = des_get_stats(e)->events;
    b->msgs = dht_get_counts(d)->msgs;
    b->pings = des_type_stats_get(e)[DHT_PING].sent;
    summarize(b, d);
    b->bytes_per_node = dht_bytes_per_node(d) + (double)(des_bytes_per_node() + net_bytes_per_node());
    des_free(e);
    net_free(nt);
    dht_free(d);
    return rc;
}

static void print_json(const dht_bench *b)
{
    js *j = js_open_stream(stdout);
    js_obj_begin(j, NULL);
    js_str(j, "bench", "dht");
    js_u64(j, "nodes", b->nodes);
    js_u64(j, "lookups", b->done);
    js_num(j, "mean_hops", b->mean_hops);
    js_num(j, "mean_rpcs", b->mean_rpcs);
    js_num(j, "latency_p50_ms", b->p50);
    js_num(j, "latency_p90_ms", b->p90);
    js_num(j, "latency_p99_ms", b->p99);
    js_num(j, "success_rate", b->ok_rate);
    js_num(j, "setup_s", b->setup_s);
    js_num(j, "setup_cpu_s", b->setup_cpu_s);
    js_num(j, "wall_s", b->run_s);
    js_num(j, "run_cpu_s", b->run_cpu_s);
    js_u64(j, "events", b->events);
    js_u64(j, "messages", b->msgs);
    js_u64(j, "eviction_pings", b->pings);
    js_u64(j, "peak_rss_kb", bench_peak_rss_kb());
    js_num(j, "bytes_per_node", b->bytes_per_node);
    js_obj_end(j);
    js_close(j);
    putchar('\n');
}

static void print_table(const dht_bench *b)
{
    printf("%10s %10s %6s %6s %8s %8s %8s %8s %8s %8s %8s %8s %8s %10s\n", "nodes", "lookups", "hops", "rpcs",
           "p50_ms", "p90_ms", "p99_ms", "success", "setup_s", "set_cpu", "wall_s", "cpu_s", "rss_MB", "B/node");
    printf("%10llu %10llu %6.2f %6.1f %8.1f %8.1f %8.1f %8.4f %8.2f %8.2f %8.2f %8.2f %8.0f %10.0f\n",
           (unsigned long long)b->nodes, (unsigned long long)b->done, b->mean_hops, b->mean_rpcs, b->p50,
           b->p90, b->p99, b->ok_rate, b->setup_s, b->setup_cpu_s, b->run_s, b->run_cpu_s,
           (double)bench_peak_rss_kb() / 1024.0, b->bytes_per_node);
}

static int usage(void)
{
    fprintf(stderr, "usage: cpsim bench dht [--nodes N] [--lookups L] [--sim-seconds S] [--seed N] [--json]\n");
    return 2;
}

int bench_dht_main(int argc, char **argv)
{
    dht_bench b = {10000, 10000, 60, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0};
    int json = 0;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--json")) json = 1;
        else if (!strcmp(argv[i], "--nodes") && i + 1 < argc) { if (bench_parse_u64(argv[++i], &b.nodes)) return usage(); }
        else if (!strcmp(argv[i], "--lookups") && i + 1 < argc) { if (bench_parse_u64(argv[++i], &b.lookups)) return usage(); }
        else if (!strcmp(argv[i], "--sim-seconds") && i + 1 < argc) { if (bench_parse_u64(argv[++i], &b.secs)) return usage(); }
        else if (!strcmp(argv[i], "--seed") && i + 1 < argc) { if (bench_parse_u64(argv[++i], &b.seed)) return usage(); }
        else return usage();
    }
    if (b.nodes < 2 || b.nodes > 16000000 || b.lookups > 100000000 || b.secs < 1) return usage();
    if (bench_run(&b) != 0) {
        fprintf(stderr, "cpsim bench dht: setup or run failed\n");
        return 1;
    }
    if (json) print_json(&b);
    else print_table(&b);
    return 0;
}
