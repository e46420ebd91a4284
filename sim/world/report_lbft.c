/* sim/world/report_lbft.c: results of LBFT runs: the chain as validator 0 inserted it (per
 * height: header time, insertion time, proposer or impeachment), block intervals, impeachment
 * counts and the invariant counters. Invariant: only what the protocol recorded is reported. */
#include "sim/world/world_int.h"

#include <stdio.h>
#include <stdlib.h>

#include "sim/metrics/plot.h"
#include "sim/metrics/st.h"

/* /lbft/violations: one row per invariant violation (time, node, height, kind). */
static int lbft_violations_h5(wld *w, h5w *h)
{
    uint64_t n;
    const lbft_violation *v = lbft_violation_list(w->lbft, &n);
    size_t m = n ? n : 1;
    uint64_t *t = malloc(m * 8), *hh = malloc(m * 8);
    uint32_t *node = malloc(m * 4);
    uint8_t *kind = malloc(m);
    int rc = t && hh && node && kind ? 0 : -1;
    for (uint64_t i = 0; rc == 0 && i < n; i++) t[i] = v[i].time, hh[i] = v[i].height, node[i] = v[i].node, kind[i] = v[i].kind;
    if (rc == 0) {
        h5w_col cols[] = {{"time_ns", H5W_U64, t}, {"node", H5W_U32, node}, {"height", H5W_U64, hh},
                          {"kind", H5W_U8, kind}};
        rc = h5w_table(h, "/lbft/violations", n, cols, 4);
        rc |= h5w_attr_str(h, "/lbft/violations", "kinds", "1=fork (two blocks at one height),2=short certificate,3=stall (no block within period + impeach "
                           "timeout + 1 s after a fault healed),4=honest proposer impeached on a synchronous network");
    }
    free(t), free(hh), free(node), free(kind);
    return rc;
}

/* /lbft/txs: one row per client transaction. */
static int lbft_txs_h5(wld *w, h5w *h)
{
    uint64_t n;
    const lbft_tx_rec *t = lbft_txs(w->lbft, &n);
    size_t m = n ? n : 1;
    uint64_t *sub = malloc(m * 8), *com = malloc(m * 8), *hh = malloc(m * 8);
    uint32_t *cl = malloc(m * 4);
    int rc = sub && com && hh && cl ? 0 : -1;
    for (uint64_t i = 0; rc == 0 && i < n; i++) sub[i] = t[i].submit, com[i] = t[i].commit, hh[i] = t[i].height, cl[i] = t[i].client;
    if (rc == 0) {
        h5w_col cols[] = {{"client", H5W_U32, cl}, {"submit_ns", H5W_U64, sub}, {"commit_ns", H5W_U64, com},
                          {"height", H5W_U64, hh}};
        rc = h5w_table(h, "/lbft/txs", n, cols, 4);
    }
    free(sub), free(com), free(hh), free(cl);
    return rc;
}

/* /lbft/civilian_arrival_ns: heights (0..max) x civilians, when each accepted each block. */
static int lbft_civilians_h5(wld *w, h5w *h)
{
    uint32_t nc = lbft_civilians(w->lbft);
    if (!nc) return 0;
    uint64_t rows = w->cfg->consensus.heights + 2, dims[2] = {rows, nc};
    cp_time *a = malloc(rows * nc * sizeof *a);
    if (!a) return -1;
    for (uint64_t hh = 0; hh < rows; hh++)
        for (uint32_t c = 0; c < nc; c++) a[hh * nc + c] = lbft_civilian_arrival(w->lbft, hh, c);
    int rc = h5w_dataset(h, "/lbft/civilian_arrival_ns", H5W_U64, 2, dims, a);
    free(a);
    return rc;
}

int wld_lbft_h5(wld *w, h5w *h)
{
    uint64_t n;
    const lbft_block_rec *b = lbft_blocks(w->lbft, &n);
    size_t m = n ? n : 1;
    uint64_t *height = malloc(m * 8), *bt = malloc(m * 8), *ins = malloc(m * 8);
    uint32_t *prop = malloc(m * 4), *ntx = malloc(m * 4), *ok = malloc(m * 4);
    uint8_t *imp = malloc(m), *cause = malloc(m);
    int rc = height && bt && ins && prop && imp && ntx && ok && cause ? 0 : -1;
    for (uint64_t i = 0; rc == 0 && i < n; i++)
        height[i] = b[i].height, bt[i] = b[i].block_time, ins[i] = b[i].inserted, prop[i] = b[i].proposer,
        imp[i] = b[i].impeach, ntx[i] = b[i].ntx, ok[i] = b[i].applied, cause[i] = b[i].cause;
    if (rc == 0) {
        h5w_col cols[] = {{"height", H5W_U64, height}, {"block_time_ns", H5W_U64, bt}, {"inserted_ns", H5W_U64, ins},
                          {"proposer", H5W_U32, prop}, {"impeach", H5W_U8, imp}, {"txs", H5W_U32, ntx},
                          {"txs_applied", H5W_U32, ok}, {"impeach_cause", H5W_U8, cause}};
        rc = h5w_table(h, "/lbft/blocks", n, cols, 8);
        rc |= h5w_attr_str(h, "/lbft/blocks", "impeach_causes",
                           "0=none,1=no block,2=no prepare certificate,3=no commit certificate,4=no validate");
        rc |= h5w_attr_u64(h, "/lbft", "violations", lbft_violations(w->lbft));
        rc |= h5w_attr_u64(h, "/lbft", "malformed", lbft_malformed(w->lbft));
        rc |= h5w_attr_u64(h, "/lbft", "bad_signatures", lbft_bad_signatures(w->lbft));
    }
    free(height), free(bt), free(ins), free(prop), free(imp), free(ntx), free(ok), free(cause);
    return rc | lbft_violations_h5(w, h) | lbft_txs_h5(w, h) | lbft_civilians_h5(w, h);
}

/* Transactions: how many, how many never committed (submitted after the last height, or cut
 * off by the run's end), commit latency of the committed ones (submit -> inserted by validator
 * 0), throughput. */
static void json_txs(wld *w, js *j, cp_time last_insert)
{
    uint64_t n, done = 0;
    const lbft_tx_rec *t = lbft_txs(w->lbft, &n);
    double *lat = malloc((n ? n : 1) * sizeof *lat);
    for (uint64_t i = 0; lat && i < n; i++)
        if (t[i].commit != CP_TIME_NEVER) lat[done++] = (double)(t[i].commit - t[i].submit) / 1e9;
    js_u64(j, "txs_submitted", n);
    js_u64(j, "txs_committed", done);
    js_u64(j, "txs_uncommitted", n - done); /* commit_latency_s covers the committed ones only */
    js_num(j, "uncommitted_fraction", n ? (double)(n - done) / (double)n : 0);
    js_u64(j, "tx_resends", lbft_resends(w->lbft));
    js_num(j, "tps", last_insert ? (double)done / ((double)last_insert / 1e9) : 0);
    st_summary s;
    st_summarize(lat, lat ? done : 0, &s);
    st_write_json(j, "commit_latency_s", &s);
    free(lat);
}

static int cmp_double(const void *x, const void *y)
{
    double a = *(const double *)x, b = *(const double *)y;
    return (a > b) - (a < b);
}

/* Civilians: per height, the delay from validator 0's insertion until 90 % and 100 % of
 * the civilians held the block (heights that never reached a share are left out and counted
 * by the coverage). */
static void json_civilians(wld *w, js *j, const lbft_block_rec *b, uint64_t nb)
{
    uint32_t nc = lbft_civilians(w->lbft);
    if (!nc) return;
    double *t90 = malloc((nb ? nb : 1) * sizeof *t90), *t100 = malloc((nb ? nb : 1) * sizeof *t100);
    double *d = malloc(nc * sizeof *d);
    size_t k90 = 0, k100 = 0, need90 = (size_t)(0.9 * nc + 0.999999);
    uint64_t got = 0;
    for (uint64_t i = 0; t90 && t100 && d && i < nb; i++) {
        size_t m = 0;
        for (uint32_t c = 0; c < nc; c++) {
            cp_time a = lbft_civilian_arrival(w->lbft, b[i].height, c);
            if (a != CP_TIME_NEVER) d[m++] = a > b[i].inserted ? (double)(a - b[i].inserted) / 1e9 : 0;
        }
        got += m;
        qsort(d, m, sizeof *d, cmp_double);
        if (m >= need90 && need90) t90[k90++] = d[need90 - 1];
        if (m == nc) t100[k100++] = d[m - 1];
    }
    js_obj_begin(j, "civilians");
    js_u64(j, "count", nc);
    js_num(j, "coverage", nb ? (double)got / ((double)nb * nc) : 0);
    st_summary s;
    st_summarize(t90, t90 ? k90 : 0, &s);
    st_write_json(j, "after_insertion_to_90pct_s", &s);
    st_summarize(t100, t100 ? k100 : 0, &s);
    st_write_json(j, "after_insertion_to_100pct_s", &s);
    js_obj_end(j);
    free(t90), free(t100), free(d);
}

/* Ledger mode: applied and invalid transactions (by reason), evictions, the final state root. */
static void json_ledger(wld *w, js *j, const lbft_block_rec *b, uint64_t n)
{
    static const char *const why[LBFT_LEDGER_REASONS] = {"account", "key", "nonce", "funds", "signature", "record", "state"};
    uint64_t applied, invalid[LBFT_LEDGER_REASONS], evicted;
    if (lbft_ledger_totals(w->lbft, &applied, invalid, &evicted) != 0) return;
    js_obj_begin(j, "ledger");
    js_u64(j, "txs_applied", applied);
    js_obj_begin(j, "txs_invalid");
    for (int r = 0; r < LBFT_LEDGER_REASONS; r++) js_u64(j, why[r], invalid[r]);
    js_obj_end(j);
    js_u64(j, "pool_evictions", evicted);
    char hex[65] = "";
    for (int i = 0; n && i < 32; i++) snprintf(hex + 2 * i, 3, "%02x", b[n - 1].state_root[i]);
    js_str(j, "state_root", hex);
    js_obj_end(j);
}

/* Messages and bytes per inserted height by type, and the validators' CPU busy fraction. */
static void json_per_block(wld *w, js *j, uint64_t heights)
{
    const des_type_stats *ts = des_type_stats_get(w->des);
    const cp_proto_ops *ops = lbft_ops(); /* LBFT's own types (in a stack, from its base on) */
    uint16_t base = w->stk ? stk_type(w->stk, (uint32_t)w->l_lbft, 0) : 0;
    js_obj_begin(j, "per_block");
    for (uint16_t t = 0; heights && t < ops->n_msg_types; t++) {
        js_obj_begin(j, ops->msg_type_names[t]);
        js_num(j, "messages", (double)ts[base + t].sent / (double)heights);
        js_num(j, "bytes", (double)ts[base + t].sent_bytes / (double)heights);
        js_obj_end(j);
    }
    js_obj_end(j);
    uint32_t n = w->cfg->consensus.validators;
    cp_time end = des_get_stats(w->des)->end_time;
    double *f = malloc((n ? n : 1) * sizeof *f);
    for (uint32_t v = 0; f && v < n; v++) f[v] = end ? (double)des_cpu_busy(w->des, v) / (double)end : 0;
    st_summary s;
    st_summarize(f, f ? n : 0, &s);
    st_write_json(j, "validator_cpu_busy_fraction", &s);
    free(f);
}

void wld_lbft_json(wld *w, js *j)
{
    uint64_t n, imp = 0;
    const lbft_block_rec *b = lbft_blocks(w->lbft, &n);
    double *iv = malloc((n ? n : 1) * sizeof *iv);
    for (uint64_t i = 0; i < n; i++) {
        imp += b[i].impeach;
        if (iv) iv[i] = (double)(b[i].inserted - (i ? b[i - 1].inserted : 0)) / 1e9;
    }
    uint64_t causes[5] = {0};
    for (uint64_t i = 0; i < n; i++) causes[b[i].cause < 5 ? b[i].cause : 0]++;
    js_obj_begin(j, "consensus");
    js_u64(j, "heights", n);
    js_u64(j, "impeach_blocks", imp);
    js_obj_begin(j, "impeach_causes");
    js_u64(j, "no_block", causes[1]);
    js_u64(j, "no_prepare_certificate", causes[2]);
    js_u64(j, "no_commit_certificate", causes[3]);
    js_u64(j, "no_validate", causes[4]);
    js_obj_end(j);
    js_u64(j, "violations", lbft_violations(w->lbft));
    st_summary s;
    st_summarize(iv, iv ? n : 0, &s);
    st_write_json(j, "block_interval_s", &s);
    json_txs(w, j, n ? b[n - 1].inserted : 0);
    json_civilians(w, j, b, n);
    json_ledger(w, j, b, n);
    json_per_block(w, j, n);
    js_obj_end(j);
    free(iv);
}

/* Plots: commit latency CDF (if there were transactions) and the chain's progress (height
 * against insertion time, impeach blocks marked as their own series). */
void wld_lbft_plots(wld *w, const char *dir)
{
    uint64_t nt, nb, done = 0;
    const lbft_tx_rec *t = lbft_txs(w->lbft, &nt);
    const lbft_block_rec *b = lbft_blocks(w->lbft, &nb);
    double *lat = malloc((nt ? nt : 1) * sizeof *lat);
    for (uint64_t i = 0; lat && i < nt; i++)
        if (t[i].commit != CP_TIME_NEVER) lat[done++] = (double)(t[i].commit - t[i].submit) / 1e9;
    if (lat && done) {
        plot_spec sp = {dir, "commit_latency", "Transaction commit latency (submit to insertion)", "seconds",
                        "fraction of committed transactions", 0, 0, 1, NULL};
        const char *titles[1] = {"transactions"};
        const double *v[1] = {lat};
        plot_cdf(&sp, titles, v, (size_t[]){done}, 1);
    }
    free(lat);
    double *xy = malloc((nb ? nb : 1) * 4 * sizeof *xy);
    if (!xy || !nb) {
        free(xy);
        return;
    }
    size_t nn = 0, ni = 0;
    double *nx = xy, *ny = xy + nb, *ix = xy + 2 * nb, *iy = xy + 3 * nb;
    for (uint64_t i = 0; i < nb; i++) {
        double x = (double)b[i].inserted / 1e9, y = (double)b[i].height;
        if (b[i].impeach) ix[ni] = x, iy[ni++] = y;
        else nx[nn] = x, ny[nn++] = y;
    }
    plot_series s[2] = {{"normal blocks", nx, ny, nn, NULL}, {"impeach blocks", ix, iy, ni, NULL}};
    plot_spec sp = {dir, "chain", "Chain growth as validator 0 inserted it", "simulated time (s)", "height", 0, 0, 0,
                    "points pt 7 ps 0.6"};
    plot_lines(&sp, s, ni ? 2 : 1);
    if (nt) { /* throughput: each block's transactions over the interval since the previous one */
        for (uint64_t i = 0; i < nb; i++) {
            double dt = (double)(b[i].inserted - (i ? b[i - 1].inserted : 0)) / 1e9;
            nx[i] = (double)b[i].inserted / 1e9;
            ny[i] = dt > 0 ? (double)b[i].ntx / dt : 0;
        }
        plot_series tps = {"committed transactions per second", nx, ny, nb, NULL};
        plot_spec tp = {dir, "tps", "Throughput over time (per block interval)", "simulated time (s)", "TPS", 0, 0, 1, NULL};
        plot_lines(&tp, &tps, 1);
    }
    free(xy);
}

void wld_lbft_energy_units(wld *w, wld_energy_units *u)
{
    uint64_t applied, invalid[LBFT_LEDGER_REASONS], evicted, n, done = 0;
    if (lbft_ledger_totals(w->lbft, &applied, invalid, &evicted) == 0) {
        u->transactions = (double)applied;
        return;
    }
    const lbft_tx_rec *t = lbft_txs(w->lbft, &n);
    for (uint64_t i = 0; i < n; i++) done += t[i].commit != CP_TIME_NEVER;
    u->transactions = (double)done;
}
