/* bench/bench_dht.c: `cpsim bench dht`: a Kademlia network of N nodes (core/dht, prefill
 * bootstrap, k = 20, alpha = 3) on the built-in engine, one region of 20 ms RTT, unlimited
 * bandwidth, no jitter, no churn, bucket refresh off. Two workloads, alone or together:
 *  - L FIND_NODE lookups of random keys by random nodes spread over `--sim-seconds` S: mean
 *    hops and RPCs, latency percentiles, the share that found exactly the true k closest;
 *  - records (`--records R --gets G`): R unsigned values of 100 bytes stored by random nodes
 *    (a lookup, then STOREs to the k closest) over the same S seconds, then, after a 10 s gap,
 *    G FIND_VALUE lookups of random stored keys by random nodes over another S seconds; the
 *    same figures for the GETs (ok = the value was found), and the wall and CPU time of the
 *    GET phase alone, taken by an engine call at its start.
 * `--eviction cache` replaces the eviction PINGs by the replacement cache (core/dht/dht.h).
 * Prints wall and CPU time of setup and run (CPU time is what to compare on a loaded machine),
 * peak RSS and host bytes per node (routing tables, ids, node state). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>

#include "bench/bench.h"
#include "core/dht/dht.h"
#include "sim/des/des.h"
#include "sim/metrics/js.h"
#include "sim/metrics/st.h"
#include "sim/net/net.h"

typedef struct dht_stats {
    uint64_t done;
    double mean_hops, mean_rpcs, ok_rate, p50, p90, p99;
} dht_stats;

typedef struct dht_bench {
    uint64_t nodes, lookups, records, gets, secs, seed;
    int eviction;
    double setup_s, setup_cpu_s, run_s, run_cpu_s, get_s, get_cpu_s, bytes_per_node;
    dht_stats find, get;
    uint64_t events, get_events, msgs, pings;
    double mark_wall, mark_cpu; /* at the GET phase's start */
    uint64_t mark_events;
} dht_bench;

/* The figures of the finished workload lookups of one kind (DHT_LK_*); latency percentiles
 * by the project's nearest-rank rule (sim/metrics/st). */
static void summarize(dht_stats *st, const dht *d, int kind)
{
    size_t n, m = 0;
    const dht_result *r = dht_results(d, &n);
    double *lat = malloc((n ? n : 1) * sizeof *lat);
    uint64_t hops = 0, ok = 0, rpcs = 0;
    for (size_t i = 0; lat && i < n; i++) {
        if (r[i].kind != kind) continue;
        lat[m++] = (double)r[i].latency / 1e6;
        hops += r[i].hops;
        ok += r[i].ok;
        rpcs += r[i].rpcs;
    }
    st_summary s;
    int have = m && st_summarize(lat, m, &s) == 0;
    double dm = m ? (double)m : 1;
    st->done = m;
    st->mean_hops = (double)hops / dm;
    st->mean_rpcs = (double)rpcs / dm;
    st->ok_rate = (double)ok / dm;
    st->p50 = have ? s.p50 : 0;
    st->p90 = have ? s.p90 : 0;
    st->p99 = have ? s.p99 : 0;
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

/* Engine call at the GET phase's start: the clocks and the event count so far. */
static void mark(des *e, void *arg, uint32_t index)
{
    dht_bench *b = arg;
    b->mark_wall = bench_wall();
    b->mark_cpu = cpu_seconds();
    b->mark_events = des_get_stats(e)->events;
}

static int bench_run(dht_bench *b)
{
    static const cp_time rtt[1] = {CP_MS(20)};
    net_class cls[1] = {{"server", 1.0, 0, 0, 0}};
    net_cfg nc = {1, one_region, rtt, NET_JITTER_NONE, 0, 0, 1, cls};
    dht_cfg c = dht_cfg_default();
    c.lookups = b->lookups;
    c.stores = b->records;
    c.gets = b->records ? b->gets : 0;
    c.eviction = b->eviction;
    c.refresh = 0;
    c.republish = 0;
    c.emit_metrics = 0;
    c.work_start = CP_S(1);
    c.work_end = CP_S(1 + b->secs);
    c.get_start = CP_S(11 + b->secs);
    c.get_end = CP_S(11 + 2 * b->secs);
    cp_time end = c.gets ? c.get_end + CP_S(30) : c.work_end + CP_S(29);
    double t0 = bench_wall(), c0 = cpu_seconds();
    dht *d = dht_new(&c, (uint32_t)b->nodes, b->seed);
    net *nt = net_new(&nc, (uint32_t)b->nodes);
    des_cfg dc = {b->seed, (uint32_t)b->nodes, end, nt, dht_ops(), d, NULL, NULL, NULL, NULL};
    des *e = d && nt ? des_new(&dc) : NULL;
    if (!e || (c.gets && des_call_at(e, c.get_start, mark, b, 0))) return -1;
    double t1 = bench_wall(), c1 = cpu_seconds();
    int rc = des_run(e);
    double t2 = bench_wall(), c2 = cpu_seconds();
    b->run_s = t2 - t1;
    b->run_cpu_s = c2 - c1;
    b->setup_s = t1 - t0;
    b->setup_cpu_s = c1 - c0;
    b->events = des_get_stats(e)->events;
    if (c.gets) {
        b->get_s = t2 - b->mark_wall;
        b->get_cpu_s = c2 - b->mark_cpu;
        b->get_events = b->events - b->mark_events;
    }
    b->msgs = dht_get_counts(d)->msgs;
    b->pings = des_type_stats_get(e)[DHT_PING].sent;
    summarize(&b->find, d, DHT_LK_FIND);
    summarize(&b->get, d, DHT_LK_GET);
    b->bytes_per_node = dht_bytes_per_node(d) + (double)(des_bytes_per_node() + net_bytes_per_node());
    des_free(e);
    net_free(nt);
    dht_free(d);
    return rc;
}

static void js_stats(js *j, const char *name, const dht_stats *st)
{
    js_obj_begin(j, name);
    js_u64(j, "done", st->done);
    js_num(j, "mean_hops", st->mean_hops);
    js_num(j, "mean_rpcs", st->mean_rpcs);
    js_num(j, "latency_p50_ms", st->p50);
    js_num(j, "latency_p90_ms", st->p90);
    js_num(j, "latency_p99_ms", st->p99);
    js_num(j, "success_rate", st->ok_rate);
    js_obj_end(j);
}

/* The FIND_NODE figures stay at the top level (the regression gate's baseline reads them). */
static void print_json(const dht_bench *b)
{
    js *j = js_open_stream(stdout);
    js_obj_begin(j, NULL);
    js_str(j, "bench", "dht");
    js_u64(j, "nodes", b->nodes);
    js_str(j, "eviction", b->eviction == DHT_EVICT_CACHE ? "cache" : "ping");
    js_u64(j, "lookups", b->find.done);
    js_num(j, "mean_hops", b->find.mean_hops);
    js_num(j, "mean_rpcs", b->find.mean_rpcs);
    js_num(j, "latency_p50_ms", b->find.p50);
    js_num(j, "latency_p90_ms", b->find.p90);
    js_num(j, "latency_p99_ms", b->find.p99);
    js_num(j, "success_rate", b->find.ok_rate);
    if (b->records) {
        js_u64(j, "records", b->records);
        js_stats(j, "gets", &b->get);
        js_num(j, "get_wall_s", b->get_s);
        js_num(j, "get_cpu_s", b->get_cpu_s);
        js_u64(j, "get_events", b->get_events);
    }
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

static void print_row(const char *what, const dht_bench *b, const dht_stats *st, double wall, double cpu)
{
    printf("%-5s %10llu %10llu %6.2f %6.1f %8.1f %8.1f %8.1f %8.4f %8.2f %8.2f %8.2f %8.2f %8.0f %10.0f\n", what,
           (unsigned long long)b->nodes, (unsigned long long)st->done, st->mean_hops, st->mean_rpcs, st->p50, st->p90,
           st->p99, st->ok_rate, b->setup_s, b->setup_cpu_s, wall, cpu, (double)bench_peak_rss_kb() / 1024.0,
           b->bytes_per_node);
}

/* One row per workload. With records, the find row's wall and CPU are those of the first
 * phase (the lookups and the stores) and the get row's those of the GET phase. */
static void print_table(const dht_bench *b)
{
    printf("%-5s %10s %10s %6s %6s %8s %8s %8s %8s %8s %8s %8s %8s %8s %10s\n", "op", "nodes", "lookups", "hops",
           "rpcs", "p50_ms", "p90_ms", "p99_ms", "success", "setup_s", "set_cpu", "wall_s", "cpu_s", "rss_MB", "B/node");
    int two = b->records && b->gets;
    if (b->lookups || !b->records)
        print_row("find", b, &b->find, two ? b->run_s - b->get_s : b->run_s, two ? b->run_cpu_s - b->get_cpu_s : b->run_cpu_s);
    if (b->records) print_row("get", b, &b->get, b->get_s, b->get_cpu_s);
    if (two) printf("run: wall %.2f s, cpu %.2f s, %llu events (%llu in the GET phase)\n", b->run_s, b->run_cpu_s,
                    (unsigned long long)b->events, (unsigned long long)b->get_events);
}

static int usage(void)
{
    fprintf(stderr, "usage: cpsim bench dht [--nodes N] [--lookups L] [--records R --gets G] [--sim-seconds S] "
                    "[--eviction ping|cache] [--seed N] [--json]\n");
    return 2;
}

int bench_dht_main(int argc, char **argv)
{
    dht_bench b = {.nodes = 10000, .lookups = 10000, .secs = 60, .seed = 1};
    int json = 0;
    for (int i = 1; i < argc; i++) {
        uint64_t *opt = !strcmp(argv[i], "--nodes")         ? &b.nodes
                        : !strcmp(argv[i], "--lookups")     ? &b.lookups
                        : !strcmp(argv[i], "--records")     ? &b.records
                        : !strcmp(argv[i], "--gets")        ? &b.gets
                        : !strcmp(argv[i], "--sim-seconds") ? &b.secs
                        : !strcmp(argv[i], "--seed")        ? &b.seed
                                                            : NULL;
        if (!strcmp(argv[i], "--json")) json = 1;
        else if (!strcmp(argv[i], "--eviction") && i + 1 < argc && (!strcmp(argv[i + 1], "ping") || !strcmp(argv[i + 1], "cache")))
            b.eviction = !strcmp(argv[++i], "cache") ? DHT_EVICT_CACHE : DHT_EVICT_PING;
        else if (!opt || i + 1 >= argc || bench_parse_u64(argv[++i], opt)) return usage();
    }
    if (b.nodes < 2 || b.nodes > 16000000 || b.lookups > 100000000 || b.records > 100000000 || b.gets > 100000000 ||
        b.secs < 1 || (b.gets && !b.records))
        return usage();
    if (bench_run(&b) != 0) {
        fprintf(stderr, "cpsim bench dht: setup or run failed\n");
        return 1;
    }
    if (json) print_json(&b);
    else print_table(&b);
    return 0;
}
