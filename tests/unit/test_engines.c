/* Cross-validation of an engine backend (sim/engine.h) against the built-in engine. Built
 * once per backend with -DENGINE_NAME="simgrid" (or "ns3", "ns3-light"); skips (TAP's skip-all,
 * the TAP form of automake's exit 77) when that backend is not compiled in. Each run happens in a child process, because SimGrid
 * and ns-3 keep one simulation per process.
 *
 * Where the models coincide (no contention on a link, no loss) the outcome must be the same:
 * LBFT on a LAN commits the same blocks (same hashes: same proposers, timestamps and
 * transactions) in the same order, and its commit latency percentiles agree within 1 % (2 %
 * for packets, which carry UDP/IP/PPP headers on top of cpsim's wire size); a lone 1 MB
 * message over a 10 Mbit/s link takes the same time. Where they differ (flooding: eight
 * copies of a block leave one uplink together; FIFO on the built-in engine, fair sharing on
 * SimGrid) both must still reach every node, and the measured ratio is printed. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "sim/engine.h"
#include "sim/world/world_int.h"
#include "tests/harness.h"

#ifndef ENGINE_NAME
#define ENGINE_NAME "simgrid"
#endif

#define MAX_BLOCKS 256

/* TAP's skip-all (the TAP form of automake's exit 77) when the backend is not built. */
static void require_engine(void) __attribute__((constructor));
static void require_engine(void)
{
    int found;
    eng_find(ENGINE_NAME, &found);
    if (found) return;
    printf("1..0 # SKIP engine %s is not built into this cpsim\n", ENGINE_NAME);
    exit(0);
}

typedef struct outcome {
    int ok;
    uint64_t n_blocks;
    lbft_block_rec blocks[MAX_BLOCKS];
    double lat_p50, lat_p99;
    uint64_t committed;
    double flood_t90, flood_coverage;
    double one_msg_s;
} outcome;

static const char lbft_yaml[] =
    "name: xv-lbft\nseed: 3\nduration: 200s\nprotocol: lbft\n"
    "network: {table: uniform, uniform_rtt: 2ms, jitter_dist: none}\n"
    "nodes:\n  - {count: 7, class: server}\n  - {count: 4, class: server}\n  - {count: 30, class: server}\n"
    "consensus: {validators: 7, proposers: 4, term_len: 4, view_len: 3, period: 10s, impeach_timeout: 10s,\n"
    "            block_delay: 1s, heights: 15, block_size: 1kB, tx_rate: 20, tx_size: 250B, max_txs: 2000,\n"
    "            offline: [8]}\nplots: false\n";

static const char flood_yaml[] =
    "name: xv-flood\nseed: 4\nduration: 30s\nprotocol: flood\n"
    "network: {table: uniform, uniform_rtt: 20ms, jitter_dist: none}\n"
    "nodes:\n  - {count: 60, class: gateway}\n"
    "flood: {degree: 6, blocks: 2, block_size: 200kB, first: 1s, interval: 10s}\nplots: false\n";

static const char one_yaml[] =
    "name: xv-one\nseed: 5\nduration: 10s\nprotocol: flood\n"
    "network: {table: uniform, uniform_rtt: 40ms, jitter_dist: none}\n"
    "classes: {slow: {cpu_factor: 1, uplink: 10Mbps, downlink: 10Mbps, access_latency: 0s}}\n"
    "nodes:\n  - {count: 2, class: slow}\n"
    "flood: {degree: 1, blocks: 1, block_size: 1MB, first: 1s, interval: 10s}\nplots: false\n";

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static double pct(double *v, size_t n, double p)
{
    if (!n) return 0;
    qsort(v, n, sizeof *v, cmp_double);
    size_t k = (size_t)(p * (double)n + 0.999999);
    return v[k ? k - 1 : 0];
}

static void read_lbft(wld *w, outcome *o)
{
    uint64_t nb, nt;
    const lbft_block_rec *b = lbft_blocks(w->lbft, &nb);
    o->n_blocks = nb < MAX_BLOCKS ? nb : MAX_BLOCKS;
    memcpy(o->blocks, b, o->n_blocks * sizeof *b);
    const lbft_tx_rec *t = lbft_txs(w->lbft, &nt);
    double *lat = malloc((nt + 1) * sizeof *lat);
    size_t k = 0;
    for (uint64_t i = 0; i < nt; i++)
        if (t[i].commit != CP_TIME_NEVER) lat[k++] = (double)(t[i].commit - t[i].submit) * 1e-9;
    o->committed = k;
    o->lat_p50 = pct(lat, k, 0.5);
    o->lat_p99 = pct(lat, k, 0.99);
    free(lat);
}

static void read_flood(wld *w, outcome *o)
{
    wld_headline h;
    wld_headline_get(w, &h);
    for (size_t i = 0; i < h.n; i++) {
        if (!strcmp(h.name[i], "block_p90_s")) o->flood_t90 = h.value[i];
        if (!strcmp(h.name[i], "coverage")) o->flood_coverage = h.value[i];
    }
    cp_node other = flood_origin(w->flood, 0) == 0 ? 1 : 0;
    o->one_msg_s = (double)(flood_arrival(w->flood, 0, other) - flood_created(w->flood, 0)) * 1e-9;
}

/* Run the scenario on `engine` in this process and fill o. */
static void run_here(const char *yaml, const char *engine, outcome *o)
{
    char err[512];
    wld_cfg cfg;
    scn_override ov = {"engine", engine};
    if (scn_load_string("xv", yaml, strlen(yaml), &wld_schema, &cfg, &ov, 1, err, sizeof err) != 0) {
        fprintf(stderr, "# %s\n", err);
        return;
    }
    wld *w = wld_new(&cfg, err, sizeof err);
    wld_run_info info;
    if (w && wld_run(w, 0, &info) == 0) {
        o->ok = 1;
        if (w->lbft) read_lbft(w, o);
        if (w->flood) read_flood(w, o);
    } else {
        fprintf(stderr, "# %s: %s\n", engine, w ? wld_run_error(w) : err);
    }
    wld_free(w);
    scn_free(&wld_schema, &cfg);
}

/* Run it in a child (one engine simulation per process) and read its outcome back. */
static void run(const char *yaml, const char *engine, outcome *o)
{
    memset(o, 0, sizeof *o);
    int fd[2];
    if (pipe(fd) != 0) return;
    fflush(stdout); /* the child must not inherit unwritten TAP lines */
    pid_t pid = fork();
    if (pid == 0) {
        close(fd[0]);
        outcome *mine = calloc(1, sizeof *mine);
        run_here(yaml, engine, mine);
        ssize_t left = sizeof *mine;
        const char *p = (const char *)mine;
        while (left > 0) {
            ssize_t k = write(fd[1], p, (size_t)left);
            if (k <= 0) _exit(1);
            p += k, left -= k;
        }
        _exit(0);
    }
    close(fd[1]);
    char *p = (char *)o;
    size_t got = 0;
    ssize_t k;
    while (got < sizeof *o && (k = read(fd[0], p + got, sizeof *o - got)) > 0) got += (size_t)k;
    close(fd[0]);
    int st;
    waitpid(pid, &st, 0);
    if (got != sizeof *o) memset(o, 0, sizeof *o);
}

static double tolerance(void) { return strcmp(ENGINE_NAME, "ns3") == 0 ? 0.02 : 0.01; }

static void t_lbft_same_chain(void)
{
    static outcome a, b;
    run(lbft_yaml, "des", &a);
    run(lbft_yaml, ENGINE_NAME, &b);
    REQUIRE(a.ok && b.ok);
    CHECK(a.n_blocks >= 15);
    CHECK_EQ_U64(a.n_blocks, b.n_blocks);
    uint64_t n = a.n_blocks < b.n_blocks ? a.n_blocks : b.n_blocks, same = 0, impeach = 0;
    for (uint64_t i = 0; i < n; i++) {
        CHECK_EQ_U64(a.blocks[i].height, b.blocks[i].height);
        CHECK_EQ_U64(a.blocks[i].proposer, b.blocks[i].proposer);
        CHECK_EQ_U64(a.blocks[i].impeach, b.blocks[i].impeach);
        same += memcmp(a.blocks[i].hash, b.blocks[i].hash, 32) == 0;
        impeach += a.blocks[i].impeach;
    }
    CHECK(impeach > 0); /* the offline proposer was impeached on both */
    CHECK_EQ_U64(same, n);
    printf("# %s: %llu blocks, %llu identical hashes, %llu impeach blocks\n", ENGINE_NAME,
           (unsigned long long)n, (unsigned long long)same, (unsigned long long)impeach);
}

static void t_lbft_latency_agrees(void)
{
    static outcome a, b;
    run(lbft_yaml, "des", &a);
    run(lbft_yaml, ENGINE_NAME, &b);
    REQUIRE(a.ok && b.ok && a.committed > 100);
    CHECK_EQ_U64(a.committed, b.committed);
    CHECK_NEAR(b.lat_p50 / a.lat_p50, 1.0, tolerance());
    CHECK_NEAR(b.lat_p99 / a.lat_p99, 1.0, tolerance());
    printf("# commit latency p50 %.6f s (des) vs %.6f s (%s); p99 %.6f vs %.6f\n", a.lat_p50, b.lat_p50,
           ENGINE_NAME, a.lat_p99, b.lat_p99);
}

static void t_one_message_time(void)
{
    static outcome a, b;
    run(one_yaml, "des", &a);
    run(one_yaml, ENGINE_NAME, &b);
    REQUIRE(a.ok && b.ok);
    /* 1 MB at 10 Mbit/s = 0.8 s (+ signature check) + 20 ms one way */
    CHECK(a.one_msg_s > 0.82 && a.one_msg_s < 0.83);
    CHECK_NEAR(b.one_msg_s / a.one_msg_s, 1.0, tolerance() * 2);
    printf("# 1 MB over 10 Mbit/s: %.6f s (des) vs %.6f s (%s)\n", a.one_msg_s, b.one_msg_s, ENGINE_NAME);
}

static void t_flood_where_models_differ(void)
{
    static outcome a, b;
    run(flood_yaml, "des", &a);
    run(flood_yaml, ENGINE_NAME, &b);
    REQUIRE(a.ok && b.ok);
    CHECK(a.flood_coverage == 1.0 && b.flood_coverage == 1.0);
    CHECK(a.flood_t90 > 0 && b.flood_t90 > 0);
    printf("# flooding 200 kB over 60 gateways: 90%% reached after %.4f s (des, FIFO uplinks) vs %.4f s (%s)\n",
           a.flood_t90, b.flood_t90, ENGINE_NAME);
}

TEST_MAIN(TEST(t_lbft_same_chain), TEST(t_lbft_latency_agrees), TEST(t_one_message_time),
          TEST(t_flood_where_models_differ))
