/* sim/cli/main.c: the `cpsim` command: run, validate, bench, calibrate, sweep, tune, swarm, schema,
 * version, help.
 *
 * Exit codes: 0 success; 1 a run failed (I/O, out of memory); 2 bad usage or a bad scenario
 * (nothing has run and nothing has been written); 3 the run completed and its results are
 * written, but the invariant checker found violations. Invariant: a scenario is fully loaded and
 * checked, and the world fully built, before any result file is created. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bench/bench.h"
#include "config.h"
#include "sim/cli/swarm.h"
#include "sim/cli/sweep.h"
#include "sim/engine.h"
#include "sim/world/world.h"

#define MAX_OVR 256

static const char usage_text[] =
    "usage: cpsim COMMAND [options]\n"
    "\n"
    "commands:\n"
    "  run FILE [--seed N] [--out DIR] [--engine des|simgrid|ns3|ns3-light] [-p key.path=value]... [--no-plots] [--quiet]\n"
    "        run a scenario; writes DIR/run.h5, DIR/summary.json, DIR/host.json and plots\n"
    "        (default DIR: results/<name>-<seed>)\n"
    "  validate FILE [-p key.path=value]...\n"
    "        check a scenario file and exit (0 valid, 2 invalid)\n"
    "  bench heap|phold|gossip|crypto|consensus|engines|dht|data|all [options] [--json]\n"
    "  bench apps FILE... [--json]\n"
    "        application scenarios at full size: wall time, peak RSS, headlines\n"
    "  bench compare BASE.json NEW.json [--threshold P%]\n"
    "        the regression gate over `bench all` output\n"
    "        benchmarks; see `cpsim bench NAME --help`\n"
    "  calibrate [--out FILE] [--seconds S]\n"
    "        measure this host's crypto costs and write a cost table\n"
    "  sweep FILE --grid key=v1,v2,... [--grid ...] [--seeds N] [-j N] [--out DIR] [--resume]\n"
    "        [-p key=value]...: every grid point times every seed, on N processes; merged\n"
    "        into DIR/sweep.json and DIR/sweep.h5 (default DIR: results/sweep)\n"
    "  tune FILE --grid ... (--minimize|--maximize) METRIC [--subject-to METRIC<=V]...\n"
    "        a sweep, then the best point and the frontier (DIR/tune.json)\n"
    "  swarm FILE --runs N [--first-seed S] [-j N] [--out DIR] [--unsafe] [-p key=value]...\n"
    "        LBFT swarm testing: per seed a random fault mix within the BFT bound (offline,\n"
    "        double-signing, twinned validators; offline, equivocating, twinned proposers;\n"
    "        timed partitions); DIR/swarm.json and a table; exit 3 if a run found violations\n"
    "        (default DIR: results/swarm; --unsafe: f+1 faulty validators, a checker self-test)\n"
    "  schema\n"
    "        print every scenario key with its type, default and range (Markdown)\n"
    "  version\n"
    "  help\n";

typedef struct cli {
    const char *file, *out, *seed, *engine;
    scn_override ovr[MAX_OVR];
    size_t n_ovr;
    int plots, quiet;
} cli;

static int usage(FILE *f, int code)
{
    fputs(usage_text, f);
    return code;
}

static int add_override(cli *c, char *kv)
{
    char *eq = strchr(kv, '=');
    if (!eq || eq == kv || c->n_ovr == MAX_OVR) {
        fprintf(stderr, "cpsim: -p %s: expected key.path=value\n", kv);
        return -1;
    }
    *eq = 0;
    c->ovr[c->n_ovr++] = (scn_override){kv, eq + 1};
    return 0;
}

static int parse_args(cli *c, int argc, char **argv)
{
    c->plots = 1;
    for (int i = 2; i < argc; i++) {
        const char *a = argv[i];
        int more = i + 1 < argc;
        if (!strcmp(a, "-p") && more) {
            if (add_override(c, argv[++i])) return -1;
        } else if (!strcmp(a, "--seed") && more) c->seed = argv[++i];
        else if (!strcmp(a, "--out") && more) c->out = argv[++i];
        else if (!strcmp(a, "--engine") && more) c->engine = argv[++i];
        else if (!strcmp(a, "--no-plots")) c->plots = 0;
        else if (!strcmp(a, "--quiet")) c->quiet = 1;
        else if (a[0] != '-' && !c->file) c->file = a;
        else {
            fprintf(stderr, "cpsim: unexpected argument '%s'\n", a);
            return -1;
        }
    }
    if (!c->file) {
        fprintf(stderr, "cpsim: expected a scenario FILE\n");
        return -1;
    }
    /* --seed and --engine are overrides of the scenario's keys, checked the same way */
    if (c->seed && c->n_ovr < MAX_OVR) c->ovr[c->n_ovr++] = (scn_override){"seed", c->seed};
    if (c->engine && c->n_ovr < MAX_OVR) c->ovr[c->n_ovr++] = (scn_override){"engine", c->engine};
    return 0;
}

static int load(cli *c, wld_cfg *cfg, scn_doc *doc)
{
    char err[1024];
    memset(cfg, 0, sizeof *cfg);
    if (scn_load(c->file, &wld_schema, cfg, c->ovr, c->n_ovr, doc, err, sizeof err) != 0) {
        fprintf(stderr, "%s\n", err);
        return -1;
    }
    return 0;
}

static char *overrides_text(const cli *c)
{
    size_t len = 1;
    for (size_t i = 0; i < c->n_ovr; i++) len += strlen(c->ovr[i].path) + strlen(c->ovr[i].value) + 2;
    char *s = calloc(len, 1);
    for (size_t i = 0; s && i < c->n_ovr; i++) {
        strcat(s, c->ovr[i].path);
        strcat(s, "=");
        strcat(s, c->ovr[i].value);
        strcat(s, "\n");
    }
    return s;
}

static const char *base_name(const char *path, char *buf, size_t len)
{
    const char *b = strrchr(path, '/');
    snprintf(buf, len, "%s", b ? b + 1 : path);
    char *dot = strrchr(buf, '.');
    if (dot && dot != buf) *dot = 0;
    return buf;
}

/* A world error starts with the key path it is about: point into the file when we can. */
static void world_error(const char *file, const scn_doc *doc, const char *err)
{
    char path[256];
    size_t k = strcspn(err, ": ");
    int line, col;
    snprintf(path, sizeof path, "%.*s", (int)(k < 255 ? k : 255), err);
    if (scn_locate(doc, path, &line, &col) == 0)
        fprintf(stderr, "%s:%d:%d: error: %s\n", file, line, col, err);
    else
        fprintf(stderr, "%s: error: %s\n", file, err);
}

/* A world that could not be built: out of memory is the host's failure (exit 1), anything
 * else the scenario's (exit 2). The builders say "out of memory" for every failed allocation. */
static int build_failed(const char *err) { return strstr(err, "out of memory") ? 1 : 2; }

static int do_run_world(cli *c, wld_cfg *cfg, scn_doc *doc)
{
    char err[1024], outbuf[4096], nbuf[256];
    wld *w = wld_new(cfg, err, sizeof err);
    if (!w) {
        world_error(c->file, doc, err);
        return build_failed(err);
    }
    const char *name = cfg->name && *cfg->name ? cfg->name : base_name(c->file, nbuf, sizeof nbuf);
    if (!c->out) {
        snprintf(outbuf, sizeof outbuf, "results/%s-%llu", name, (unsigned long long)cfg->seed);
        c->out = outbuf;
    }
    wld_run_info info;
    int show = !c->quiet && (isatty(2) || getenv("CPSIM_PROGRESS"));
    if (wld_run(w, show, &info) != 0) {
        fprintf(stderr, "cpsim: %s\n", wld_run_error(w));
        wld_free(w);
        return 1;
    }
    char *ovr = overrides_text(c);
    wld_out o = {c->out, c->file, doc->text, ovr, wld_engine_names[cfg->engine], c->plots && cfg->plots};
    int rc = wld_write_results(w, &o, &info, err, sizeof err);
    free(ovr);
    if (rc != 0) fprintf(stderr, "cpsim: %s\n", err);
    else if (!c->quiet)
        fprintf(stderr, "cpsim: %u nodes, %llu events in %.2f s wall; results in %s/\n", wld_n_nodes(w),
                (unsigned long long)info.events, info.wall_s, c->out);
    uint64_t bad = wld_violations(w);
    if (rc == 0 && bad)
        fprintf(stderr, "cpsim: %llu invariant violation(s); see /lbft/violations in %s/run.h5\n",
                (unsigned long long)bad, c->out);
    wld_free(w);
    return rc ? 1 : bad ? 3 : 0;
}

static int cmd_run(int argc, char **argv, int validate_only)
{
    cli c;
    memset(&c, 0, sizeof c);
    if (parse_args(&c, argc, argv) != 0) return usage(stderr, 2);
    wld_cfg cfg;
    scn_doc doc = {0};
    if (load(&c, &cfg, &doc) != 0) return 2;
    int rc;
    if (validate_only) {
        char err[1024];
        wld *w = wld_new(&cfg, err, sizeof err);
        rc = w ? 0 : build_failed(err);
        if (w) printf("%s: ok (%u nodes)\n", c.file, wld_n_nodes(w));
        else world_error(c.file, &doc, err);
        wld_free(w);
    } else {
        rc = do_run_world(&c, &cfg, &doc);
    }
    scn_free(&wld_schema, &cfg);
    scn_doc_free(&doc);
    return rc;
}

static int cmd_bench(int argc, char **argv)
{
    if (argc < 3) return usage(stderr, 2);
    const char *what = argv[2];
    if (!strcmp(what, "heap")) return bench_heap_main(argc - 2, argv + 2);
    if (!strcmp(what, "phold")) return bench_phold_main(argc - 2, argv + 2);
    if (!strcmp(what, "gossip")) return bench_gossip_main(argc - 2, argv + 2);
    if (!strcmp(what, "crypto")) return bench_crypto_main(argc - 2, argv + 2);
    if (!strcmp(what, "consensus")) return bench_consensus_main(argc - 2, argv + 2);
    if (!strcmp(what, "engines")) return bench_engines_main(argc - 2, argv + 2);
    if (!strcmp(what, "dht")) return bench_dht_main(argc - 2, argv + 2);
    if (!strcmp(what, "data")) return bench_data_main(argc - 2, argv + 2);
    if (!strcmp(what, "apps")) return bench_apps_main(argc - 2, argv + 2);
    if (!strcmp(what, "all")) return bench_all_main(argc - 2, argv + 2);
    if (!strcmp(what, "compare")) return bench_compare_main(argc - 2, argv + 2);
    fprintf(stderr, "cpsim: unknown benchmark '%s' (heap, phold, gossip, crypto, consensus, engines, dht, data, apps)\n", what);
    return 2;
}

int main(int argc, char **argv)
{
    if (argc < 2) return usage(stderr, 2);
    const char *cmd = argv[1];
    if (!strcmp(cmd, "run")) return cmd_run(argc, argv, 0);
    if (!strcmp(cmd, "validate")) return cmd_run(argc, argv, 1);
    if (!strcmp(cmd, "bench")) return cmd_bench(argc, argv);
    if (!strcmp(cmd, "calibrate")) return bench_calibrate_main(argc - 1, argv + 1);
    if (!strcmp(cmd, "sweep")) return sweep_main(argc, argv);
    if (!strcmp(cmd, "tune")) return tune_main(argc, argv);
    if (!strcmp(cmd, "swarm")) return swm_main(argc, argv);
    if (!strcmp(cmd, "schema")) {
        scn_schema_markdown(&wld_schema, stdout);
        return 0;
    }
    if (!strcmp(cmd, "version") || !strcmp(cmd, "--version")) {
#ifdef HAVE_MPI
        printf("cpsim %s (engines: %s; mpi: yes)\n", PACKAGE_VERSION, eng_names());
#else
        printf("cpsim %s (engines: %s; mpi: no)\n", PACKAGE_VERSION, eng_names());
#endif
        return 0;
    }
    if (!strcmp(cmd, "help") || !strcmp(cmd, "--help") || !strcmp(cmd, "-h")) return usage(stdout, 0);
    fprintf(stderr, "cpsim: unknown command '%s'\n", cmd);
    return usage(stderr, 2);
}
