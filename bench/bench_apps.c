/* bench/bench_apps.c: `cpsim bench apps FILE...`: the IoT application scenarios (traffic
 * video, insurance, ...) at their full size, each run in its own child process through the
 * whole world on the built-in engine. Reported per scenario: wall seconds, events per wall
 * second, the simulated-to-wall speed, peak RSS, and the scenario's sweep headlines (the
 * workload's own numbers: latency, throughput, errors). A failed run makes the exit code 1. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench/bench.h"
#include "sim/world/world_int.h"

typedef struct app_result {
    int ok;
    double wall, sim_s;
    uint64_t events;
    uint32_t n_head;
    char name[WLD_HEADLINE_MAX][32];
    double value[WLD_HEADLINE_MAX];
} app_result;

/* In the child: run the scenario file *(const char **)arg to its duration. */
static void child(void *arg, void *out)
{
    app_result *r = out;
    const char *path = *(const char *const *)arg;
    char err[512];
    wld_cfg cfg;
    memset(&cfg, 0, sizeof cfg);
    if (scn_load(path, &wld_schema, &cfg, NULL, 0, NULL, err, sizeof err) != 0) {
        fprintf(stderr, "bench apps: %s\n", err);
        return;
    }
    wld *w = wld_new(&cfg, err, sizeof err);
    wld_run_info info;
    if (w && wld_run(w, 0, &info) == 0) {
        wld_headline h = {0};
        wld_headline_get(w, &h);
        r->ok = 1, r->wall = info.wall_s, r->events = info.events, r->sim_s = (double)cfg.duration / 1e9;
        for (uint32_t i = 0; i < h.n && i < WLD_HEADLINE_MAX; i++) {
            snprintf(r->name[i], sizeof r->name[i], "%s", h.name[i]);
            r->value[i] = h.value[i];
        }
        r->n_head = h.n;
    } else {
        fprintf(stderr, "bench apps: %s\n", w ? wld_run_error(w) : err);
    }
    wld_free(w);
    scn_free(&wld_schema, &cfg);
}

static void print(const char *path, const app_result *r, uint64_t rss, int json, int first)
{
    double w = r->wall > 0 ? r->wall : 1e-9;
    if (json) {
        printf("%s  {\"scenario\": \"%s\", \"ok\": %d, \"wall_s\": %.3f, \"events_per_s\": %.0f, \"sim_per_wall\": %.2f, "
               "\"peak_rss_mb\": %.1f, \"headlines\": {",
               first ? "" : ",\n", path, r->ok, r->wall, (double)r->events / w, r->sim_s / w, (double)rss / 1024);
        for (uint32_t i = 0; i < r->n_head; i++) printf("%s\"%s\": %.6g", i ? ", " : "", r->name[i], r->value[i]);
        printf("}}");
        return;
    }
    printf("%s: %s wall %.2f s, %.0f events/s, %.1f x real time, peak RSS %.1f MB\n", path, r->ok ? "ok" : "FAILED",
           r->wall, (double)r->events / w, r->sim_s / w, (double)rss / 1024);
    for (uint32_t i = 0; i < r->n_head; i++) printf("    %-24s %.6g\n", r->name[i], r->value[i]);
}

int bench_apps_main(int argc, char **argv)
{
    int json = 0, bad = 0, first = 1, n = 0;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--json")) json = 1;
        else if (argv[i][0] == '-') {
            fprintf(stderr, "usage: cpsim bench apps FILE... [--json]\n");
            return 2;
        } else n++;
    }
    if (!n) {
        fprintf(stderr, "usage: cpsim bench apps FILE... [--json]\n");
        return 2;
    }
    if (json) printf("{\"benchmark\": \"apps\", \"runs\": [\n");
    for (int i = 1; i < argc; i++) {
        if (argv[i][0] == '-') continue;
        app_result r;
        uint64_t rss = 0;
        const char *path = argv[i];
        bench_in_child(child, &path, &r, sizeof r, &rss);
        bad |= !r.ok;
        print(path, &r, rss, json, first);
        first = 0;
    }
    if (json) printf("\n]}\n");
    return bad ? 1 : 0;
}
