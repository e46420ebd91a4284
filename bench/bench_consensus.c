/* bench/bench_consensus.c: `cpsim bench consensus`: LBFT 2.0 at growing committee sizes with
 * real signatures, the memo on and off: heights per wall-clock second, messages and bytes per
 * height (which grow as n^2), and the host memory, from runs of the scenario loader and world. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench/bench.h"
#include "sim/metrics/js.h"
#include "sim/metrics/plot.h"
#include "sim/world/world_int.h"

static const char consensus_yaml[] =
    "name: bench-consensus\nseed: 1\nduration: 100000s\nprotocol: lbft\n"
    "network: {table: uniform, uniform_rtt: 2ms, jitter: 0}\n"
    "classes:\n  dc: {cpu_factor: 1, uplink: 10Gbps, downlink: 10Gbps, access_latency: 0}\n"
    "nodes:\n  - {count: 2000, class: dc}\n"
    "consensus: {validators: 7, proposers: 12, period: 10s, impeach_timeout: 10s, heights: 10}\n"
    "plots: false\n";

typedef struct row {
    uint32_t n;
    int memo;
    uint64_t heights, msgs, bytes, verifications;
    double wall, rss_mb;
} row;

static int run_one(uint32_t n, uint64_t heights, int memo, row *r)
{
    char nb[16], hb[24], mb[8], err[512];
    snprintf(nb, sizeof nb, "%u", n);
    snprintf(hb, sizeof hb, "%llu", (unsigned long long)heights);
    snprintf(mb, sizeof mb, "%s", memo ? "true" : "false");
    scn_override o[3] = {{"consensus.validators", nb}, {"consensus.heights", hb}, {"crypto.memo", mb}};
    wld_cfg cfg;
    if (scn_load_string("bench-consensus", consensus_yaml, sizeof consensus_yaml - 1, &wld_schema, &cfg, o, 3, err,
                        sizeof err) != 0) {
        fprintf(stderr, "%s\n", err);
        return -1;
    }
    wld *w = wld_new(&cfg, err, sizeof err);
    wld_run_info info;
    int rc = w && wld_run(w, 0, &info) == 0 ? 0 : -1;
    if (rc == 0) {
        const des_type_stats *t = des_type_stats_get(w->des);
        memset(r, 0, sizeof *r);
        r->n = n, r->memo = memo, r->wall = info.wall_s, r->verifications = info.verifications;
        lbft_blocks(w->lbft, &r->heights);
        for (int k = 0; k < LBFT_N_MSG; k++) r->msgs += t[k].sent, r->bytes += t[k].sent_bytes;
        r->rss_mb = (double)bench_peak_rss_kb() / 1024;
    } else {
        fprintf(stderr, "cpsim: %s\n", w ? "run failed" : err);
    }
    wld_free(w);
    scn_free(&wld_schema, &cfg);
    return rc;
}

int bench_consensus_counts(uint32_t n, uint64_t heights, uint64_t *msgs_per_height, uint64_t *host_verifications)
{
    row r;
    if (run_one(n, heights, 1, &r) != 0 || !r.heights) return -1;
    *msgs_per_height = r.msgs / r.heights;
    *host_verifications = r.verifications;
    return 0;
}

static void emit(js *j, const row *r)
{
    double h = r->heights ? (double)r->heights : 1;
    if (j) {
        js_obj_begin(j, NULL);
        js_u64(j, "validators", r->n);
        js_bool(j, "memo", r->memo);
        js_u64(j, "heights", r->heights);
        js_num(j, "wall_s", r->wall);
        js_num(j, "heights_per_wall_s", (double)r->heights / r->wall);
        js_num(j, "messages_per_height", (double)r->msgs / h);
        js_num(j, "bytes_per_height", (double)r->bytes / h);
        js_u64(j, "host_verifications", r->verifications);
        js_num(j, "peak_rss_mb", r->rss_mb);
        js_obj_end(j);
    } else {
        printf("n %5u memo %-3s  %4llu heights  %8.2f heights/s  %10.0f msgs/height  %12.0f B/height  "
               "%9llu host verifies  %7.0f MB\n",
               r->n, r->memo ? "on" : "off", (unsigned long long)r->heights, (double)r->heights / r->wall,
               (double)r->msgs / h, (double)r->bytes / h, (unsigned long long)r->verifications, r->rss_mb);
    }
}

/* messages per height against n (log-log), with n^2 for reference, into dir/consensus_msgs.png */
static void plot_msgs(const char *dir, const row *rows, size_t n)
{
    double x[16], y[16], ref[16];
    size_t k = 0;
    for (size_t i = 0; i < n && k < 16; i++) {
        if (!rows[i].memo || !rows[i].heights) continue;
        x[k] = rows[i].n, y[k] = (double)rows[i].msgs / (double)rows[i].heights;
        ref[k] = 6.0 * x[k] * x[k];
        k++;
    }
    plot_series s[2] = {{"messages per height (measured)", x, y, k, NULL}, {"6 n^2", x, ref, k, NULL}};
    plot_spec sp = {dir, "consensus_msgs", "LBFT 2.0: messages per height vs validators", "validators n",
                    "messages per height", 1, 1, 0, "linespoints pt 7 lw 2"};
    if (plot_lines(&sp, s, 2) != PLOT_OK) fprintf(stderr, "cpsim: no plot (gnuplot missing or failed)\n");
}

int bench_consensus_main(int argc, char **argv)
{
    int json = 0;
    const char *plot_dir = NULL;
    row rows[16];
    size_t n_rows = 0;
    uint64_t heights = 10, max_n = 1000;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--json")) json = 1;
        else if (!strcmp(argv[i], "--heights") && i + 1 < argc && !bench_parse_u64(argv[++i], &heights)) ;
        else if (!strcmp(argv[i], "--max-n") && i + 1 < argc && !bench_parse_u64(argv[++i], &max_n)) ;
        else if (!strcmp(argv[i], "--plot") && i + 1 < argc) plot_dir = argv[++i];
        else {
            fprintf(stderr, "usage: cpsim bench consensus [--heights H] [--max-n N] [--plot DIR] [--json]\n");
            return 2;
        }
    }
    static const uint32_t sizes[] = {4, 7, 16, 64, 127, 256, 1000};
    js *j = json ? js_open_stream(stdout) : NULL;
    if (j) js_obj_begin(j, NULL), js_str(j, "bench", "consensus"), js_arr_begin(j, "results");
    for (size_t k = 0; k < sizeof sizes / sizeof sizes[0] && sizes[k] <= max_n; k++)
        for (int memo = 1; memo >= 0; memo--) {
            if (!memo && sizes[k] > 256) continue; /* hours without the memo: measured up to 256 */
            row r;
            if (run_one(sizes[k], heights, memo, &r) != 0) return 1;
            emit(j, &r);
            if (!j) fflush(stdout);
            if (n_rows < 16) rows[n_rows++] = r;
        }
    if (j) js_arr_end(j), js_obj_end(j), js_close(j), putchar('\n');
    if (plot_dir) plot_msgs(plot_dir, rows, n_rows);
    return 0;
}
