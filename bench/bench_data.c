/* bench/bench_data.c: `cpsim bench data`: the data platform (core/data) at growing fleet
 * sizes through the whole world (scenario text built here, the built-in engine): devices
 * sampling every second and uploading every minute for one simulated hour, gateways storing
 * chunks with 3 replicas, trades with 2-of-3 PRE through proxies, aggregation windows.
 * Reported per size: wall seconds, events per wall second, records per wall second, the
 * simulated-to-wall speed, trades finished, aggregation windows correct, peak RSS. Each size
 * runs in its own child process so that its peak memory is its own. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include "bench/bench.h"
#include "sim/world/world_int.h"

typedef struct data_result {
    int ok;
    double wall;
    uint64_t events, records, ready, trades, finished, windows, windows_ok;
} data_result;

static void yaml_for(char *s, size_t len, uint64_t devices)
{
    uint64_t gw = devices / 20 > 4 ? devices / 20 : 4;
    snprintf(s, len,
             "name: bench-data\nseed: 1\nduration: 70min\nprotocol: data\n"
             "network: {table: default, jitter_dist: uniform, jitter: 5ms}\n"
             "nodes:\n  - {count: %llu, class: vehicle, regions: [europe]}\n"
             "  - {count: %llu, class: gateway, regions: [europe]}\n"
             "  - {count: 5, class: server, regions: [europe]}\n  - {count: 3, class: server, regions: [europe]}\n"
             "  - {count: 5, class: server, regions: [europe]}\n"
             "data: {devices: %llu, gateways: %llu, proxies: 5, buyers: 3, committee: 5, sample_interval: 1s,\n"
             "       upload_interval: 1min, enc_interval: 10min, data_end: 60min, reading_size: 32B, chunk_size: 1kB,\n"
             "       replicas: 3, trades: 20, trade_start: 30min, trade_end: 60min, epochs_per_order: 2, pre_t: 2,\n"
             "       pre_n: 3, seller_timeout: 1min, deliver_timeout: 2min, fetch_timeout: 10s, agg_window: 5min,\n"
             "       agg_grace: 30s, agg_t: 3}\nplots: false\n",
             (unsigned long long)devices, (unsigned long long)gw, (unsigned long long)devices, (unsigned long long)gw);
}

/* In the child: one hour of the data platform with *(uint64_t *)arg devices. */
static void child(void *arg, void *out)
{
    data_result *r = out;
    char text[2048], err[512];
    yaml_for(text, sizeof text, *(const uint64_t *)arg);
    wld_cfg cfg;
    if (scn_load_string("bench-data", text, strlen(text), &wld_schema, &cfg, NULL, 0, err, sizeof err) != 0) {
        fprintf(stderr, "bench data: %s\n", err);
        return;
    }
    wld *w = wld_new(&cfg, err, sizeof err);
    wld_run_info info;
    if (w && wld_run(w, 0, &info) == 0) {
        const data_counts *c = data_get_counts(w->data);
        size_t nrec, nwin;
        data_records(w->data, &nrec);
        data_windows(w->data, &nwin);
        r->ok = 1, r->wall = info.wall_s, r->events = info.events;
        r->records = nrec, r->ready = c->records_ready, r->trades = c->orders;
        r->finished = c->finished, r->windows = nwin, r->windows_ok = c->agg_ok;
    } else {
        fprintf(stderr, "bench data: %s\n", w ? wld_run_error(w) : err);
    }
    wld_free(w);
    scn_free(&wld_schema, &cfg);
}

static data_result measure(uint64_t devices, uint64_t *rss_kb)
{
    data_result r;
    bench_in_child(child, &devices, &r, sizeof r, rss_kb);
    return r;
}

int bench_data_main(int argc, char **argv)
{
    uint64_t max = 10000;
    int json = 0;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--json")) json = 1;
        else if (!strcmp(argv[i], "--max-devices") && i + 1 < argc && bench_parse_u64(argv[++i], &max) == 0) continue;
        else {
            fprintf(stderr, "usage: cpsim bench data [--max-devices N] [--json]\n");
            return 2;
        }
    }
    if (json) printf("{\"benchmark\": \"data\", \"runs\": [\n");
    else printf("%9s %8s %12s %12s %10s %9s %8s %9s\n", "devices", "wall_s", "events/s", "records/s", "sim/wall",
                "trades", "windows", "rss_MB");
    int bad = 0, first = 1;
    for (uint64_t n = 100; n <= max; n *= 10) {
        uint64_t rss = 0;
        data_result r = measure(n, &rss);
        bad |= !r.ok;
        double w = r.wall > 0 ? r.wall : 1e-9;
        if (json)
            printf("%s  {\"devices\": %llu, \"ok\": %d, \"wall_s\": %.3f, \"events_per_s\": %.0f, \"records_per_s\": %.0f, "
                   "\"records_ready\": %llu, \"records\": %llu, \"trades_finished\": %llu, \"trades\": %llu, "
                   "\"windows_ok\": %llu, \"windows\": %llu, \"peak_rss_mb\": %.1f}",
                   first ? "" : ",\n", (unsigned long long)n, r.ok, r.wall, (double)r.events / w,
                   (double)r.ready / w, (unsigned long long)r.ready, (unsigned long long)r.records,
                   (unsigned long long)r.finished, (unsigned long long)r.trades, (unsigned long long)r.windows_ok,
                   (unsigned long long)r.windows, (double)rss / 1024);
        else
            printf("%9llu %8.2f %12.0f %12.0f %10.0f %4llu/%-4llu %3llu/%-4llu %9.1f\n", (unsigned long long)n, r.wall,
                   (double)r.events / w, (double)r.ready / w, 4200.0 / w, (unsigned long long)r.finished,
                   (unsigned long long)r.trades, (unsigned long long)r.windows_ok, (unsigned long long)r.windows,
                   (double)rss / 1024);
        first = 0;
    }
    if (json) printf("\n]}\n");
    return bad ? 1 : 0;
}
