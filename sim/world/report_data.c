/* sim/world/report_data.c: results of the data platform: tables of records, transactions,
 * trades, aggregation windows and per-role load in run.h5 (/data/...); the "data" block of
 * summary.json (reading-to-record latency, order-to-plaintext latency, proxy load, aggregation
 * latency and correctness, CPU and bytes per node of each role); CDF plots; sweep headlines.
 * Invariant: numbers come only from the protocol's result arrays and the engine's per-node
 * counters, in index order, so the same seed gives the same bytes; a time never reached is
 * 2^64-1 in HDF5 and left out of the summaries (and counted). */
#include "sim/world/world_int.h"

#include <stdlib.h>

#include "core/chain/chain.h"
#include "sim/metrics/plot.h"
#include "sim/metrics/st.h"

const char *const wld_data_role_names[DATA_N_ROLES] = {"device", "gateway", "proxy", "buyer", "committee"};
#define role_names wld_data_role_names

static int h5_records(wld *w, h5w *h)
{
    size_t n;
    const data_record *r = data_records(w->data, &n);
    size_t m = n ? n : 1;
    uint32_t *own = malloc(m * 4), *nch = malloc(m * 4), *by = malloc(m * 4);
    uint64_t *iv = malloc(m * 8), *ep = malloc(m * 8), *t0 = malloc(m * 8), *ts = malloc(m * 8), *tr = malloc(m * 8);
    uint64_t *oc = malloc(m * 8);
    int rc = -1;
    if (own && nch && by && iv && ep && t0 && ts && tr && oc) {
        for (size_t i = 0; i < n; i++) {
            own[i] = r[i].owner, nch[i] = r[i].n_chunks, by[i] = r[i].bytes, iv[i] = r[i].interval;
            ep[i] = r[i].epoch, t0[i] = r[i].first_reading, ts[i] = r[i].sent, tr[i] = r[i].ready;
            oc[i] = r[i].onchain;
        }
        h5w_col cols[] = {{"owner", H5W_U32, own}, {"interval", H5W_U64, iv}, {"epoch", H5W_U64, ep},
                          {"first_reading_ns", H5W_U64, t0}, {"sent_ns", H5W_U64, ts}, {"ready_ns", H5W_U64, tr},
                          {"onchain_ns", H5W_U64, oc}, {"chunks", H5W_U32, nch}, {"bytes", H5W_U32, by}};
        rc = h5w_table(h, "/data/records", n, cols, 9);
    }
    free(own), free(nch), free(by), free(iv), free(ep), free(t0), free(ts), free(tr), free(oc);
    return rc;
}

static int h5_txs(wld *w, h5w *h)
{
    size_t n;
    const data_tx *t = data_txs(w->data, &n);
    size_t m = n ? n : 1;
    uint8_t *kind = malloc(m);
    uint32_t *snd = malloc(m * 4), *len = malloc(m * 4);
    uint64_t *ref = malloc(m * 8), *ready = malloc(m * 8), *oc = malloc(m * 8), *hh = malloc(m * 8);
    int rc = -1;
    if (kind && snd && len && ref && ready && oc && hh) {
        for (size_t i = 0; i < n; i++)
            kind[i] = t[i].kind, snd[i] = t[i].sender, len[i] = (uint32_t)t[i].len, ref[i] = t[i].ref,
            ready[i] = t[i].ready, oc[i] = t[i].onchain, hh[i] = t[i].height;
        h5w_col cols[] = {{"kind", H5W_U8, kind}, {"sender", H5W_U32, snd}, {"ref", H5W_U64, ref},
                          {"ready_ns", H5W_U64, ready}, {"bytes", H5W_U32, len}, {"onchain_ns", H5W_U64, oc},
                          {"height", H5W_U64, hh}};
        rc = h5w_table(h, "/data/txs", n, cols, 7);
        uint64_t nb = n ? t[n - 1].off + t[n - 1].len : 0;
        if (nb) rc |= h5w_dataset(h, "/data/tx_bytes", H5W_U8, 1, &nb, data_tx_bytes(w->data));
    }
    free(kind), free(snd), free(len), free(ref), free(ready), free(oc), free(hh);
    return rc;
}

static int h5_trades(wld *w, h5w *h)
{
    size_t n;
    const data_trade *t = data_trades(w->data, &n);
    size_t m = n ? n : 1;
    uint8_t *st = malloc(m);
    uint32_t *u[7];
    uint64_t *v[6];
    int bad = !st;
    for (int k = 0; k < 7; k++) bad |= !(u[k] = malloc(m * 4));
    for (int k = 0; k < 6; k++) bad |= !(v[k] = malloc(m * 8));
    int rc = -1;
    for (size_t i = 0; !bad && i < n; i++) {
        st[i] = t[i].state;
        u[0][i] = t[i].buyer, u[1][i] = t[i].seller, u[2][i] = t[i].records, u[3][i] = t[i].records_ok;
        u[4][i] = t[i].bad_cfrags, u[5][i] = t[i].bad_chunks, u[6][i] = t[i].refetches;
        v[0][i] = t[i].e0, v[1][i] = t[i].e1, v[2][i] = t[i].ordered, v[3][i] = t[i].confirmed;
        v[4][i] = t[i].delivered, v[5][i] = t[i].plaintext;
    }
    if (!bad) {
        h5w_col cols[] = {{"buyer", H5W_U32, u[0]}, {"seller", H5W_U32, u[1]}, {"epoch_first", H5W_U64, v[0]},
                          {"epoch_last", H5W_U64, v[1]}, {"state", H5W_U8, st}, {"ordered_ns", H5W_U64, v[2]},
                          {"confirmed_ns", H5W_U64, v[3]}, {"delivered_ns", H5W_U64, v[4]},
                          {"plaintext_ns", H5W_U64, v[5]}, {"records", H5W_U32, u[2]}, {"records_ok", H5W_U32, u[3]},
                          {"bad_cfrags", H5W_U32, u[4]}, {"bad_chunks", H5W_U32, u[5]}, {"refetches", H5W_U32, u[6]}};
        rc = h5w_table(h, "/data/trades", n, cols, 14);
        rc |= h5w_attr_str(h, "/data/trades", "state_names",
                           "pending,created,seller_confirmed,proxy_delivered,finished,withdrawn,disputed,skipped");
    }
    free(st);
    for (int k = 0; k < 7; k++) free(u[k]);
    for (int k = 0; k < 6; k++) free(v[k]);
    return rc;
}

static int h5_windows(wld *w, h5w *h)
{
    size_t n;
    const data_window *x = data_windows(w->data, &n);
    if (!n) return 0;
    uint32_t *c = malloc(n * 4), *late = malloc(n * 4);
    uint64_t *ps = malloc(n * 8), *res = malloc(n * 8), *cl = malloc(n * 8), *dn = malloc(n * 8);
    uint8_t *ok = malloc(n);
    int rc = -1;
    if (c && late && ps && res && cl && dn && ok) {
        for (size_t i = 0; i < n; i++)
            c[i] = x[i].contributions, late[i] = x[i].late, ps[i] = x[i].plain_sum, res[i] = x[i].result,
            cl[i] = x[i].closed, dn[i] = x[i].done, ok[i] = x[i].ok;
        h5w_col cols[] = {{"contributions", H5W_U32, c}, {"late", H5W_U32, late}, {"plain_sum", H5W_U64, ps},
                          {"result", H5W_U64, res}, {"closed_ns", H5W_U64, cl}, {"done_ns", H5W_U64, dn},
                          {"ok", H5W_U8, ok}};
        rc = h5w_table(h, "/data/windows", n, cols, 7);
    }
    free(c), free(late), free(ps), free(res), free(cl), free(dn), free(ok);
    return rc;
}

typedef struct role_sum {
    double cpu_busy_s, bytes_up, bytes_down;
} role_sum;

static void role_sums(wld *w, role_sum *s)
{
    for (int r = 0; r < DATA_N_ROLES; r++) s[r] = (role_sum){0, 0, 0};
    for (cp_node v = 0; v < w->n_nodes; v++) {
        int r = data_role_of(w->data, v);
        if (r < 0) continue;
        s[r].cpu_busy_s += (double)des_cpu_busy(w->des, v) / 1e9;
        s[r].bytes_up += (double)net_stats(w->net, v)->bytes_up;
        s[r].bytes_down += (double)net_stats(w->net, v)->bytes_down;
    }
}

static int h5_roles(wld *w, h5w *h)
{
    role_sum s[DATA_N_ROLES];
    role_sums(w, s);
    uint32_t nodes[DATA_N_ROLES];
    uint64_t crypto[DATA_N_ROLES], busy[DATA_N_ROLES], up[DATA_N_ROLES], down[DATA_N_ROLES];
    for (int r = 0; r < DATA_N_ROLES; r++) {
        const data_role_stats *x = data_get_role_stats(w->data, r);
        nodes[r] = x->nodes, crypto[r] = x->crypto_cpu, busy[r] = (uint64_t)(s[r].cpu_busy_s * 1e9 + 0.5);
        up[r] = (uint64_t)s[r].bytes_up, down[r] = (uint64_t)s[r].bytes_down;
    }
    h5w_col cols[] = {{"nodes", H5W_U32, nodes}, {"crypto_cpu_ns", H5W_U64, crypto}, {"cpu_busy_ns", H5W_U64, busy},
                      {"bytes_up", H5W_U64, up}, {"bytes_down", H5W_U64, down}};
    int rc = h5w_table(h, "/data/roles", DATA_N_ROLES, cols, 5);
    rc |= h5w_attr_str(h, "/data/roles", "role_names", "device,gateway,proxy,buyer,committee");
    return rc;
}

int wld_data_h5(wld *w, h5w *h)
{
    int rc = h5_records(w, h) | h5_txs(w, h) | h5_trades(w, h) | h5_windows(w, h) | h5_roles(w, h);
    const data_counts *c = data_get_counts(w->data);
    struct { const char *k; uint64_t v; } a[] = {
        {"msgs", c->msgs}, {"malformed", c->malformed}, {"uploads", c->uploads}, {"records_ready", c->records_ready},
        {"txs", c->txs}, {"orders", c->orders}, {"finished", c->finished}, {"withdrawn", c->withdrawn},
        {"disputed", c->disputed}, {"cfrags", c->cfrags}, {"bad_cfrags", c->bad_cfrags},
        {"bad_chunks", c->bad_chunks}, {"aead_failures", c->aead_failures}, {"agg_ok", c->agg_ok},
        {"agg_bad", c->agg_bad}};
    for (size_t i = 0; i < sizeof a / sizeof a[0]; i++) rc |= h5w_attr_u64(h, "/data", a[i].k, a[i].v);
    return rc;
}

/* ---- summary.json ------------------------------------------------------------------- */

/* Seconds between two times of each element; pairs with an unreached end are skipped. */
static size_t lat_records(wld *w, double *out, int from_sent)
{
    size_t n, k = 0;
    const data_record *r = data_records(w->data, &n);
    for (size_t i = 0; i < n; i++)
        if (r[i].ready != CP_TIME_NEVER)
            out[k++] = (double)(r[i].ready - (from_sent ? r[i].sent : r[i].first_reading)) / 1e9;
    return k;
}

/* Seconds from each record's first reading (or its upload) to its block (chain: lbft). */
static size_t lat_chain(wld *w, double *out, int from_sent)
{
    size_t n, k = 0;
    const data_record *r = data_records(w->data, &n);
    for (size_t i = 0; i < n; i++)
        if (r[i].onchain != CP_TIME_NEVER)
            out[k++] = (double)(r[i].onchain - (from_sent ? r[i].sent : r[i].first_reading)) / 1e9;
    return k;
}

/* Seconds from submission to commit of the platform's transactions of one kind (0: all). */
static size_t lat_txs(wld *w, double *out, int kind)
{
    size_t n, k = 0;
    const data_tx *t = data_txs(w->data, &n);
    for (size_t i = 0; i < n; i++)
        if (t[i].onchain != CP_TIME_NEVER && (!kind || t[i].kind == kind))
            out[k++] = (double)(t[i].onchain - t[i].ready) / 1e9;
    return k;
}

static size_t lat_trades(wld *w, double *out)
{
    size_t n, k = 0;
    const data_trade *t = data_trades(w->data, &n);
    for (size_t i = 0; i < n; i++)
        if (t[i].state == DATA_T_FINISHED) out[k++] = (double)(t[i].plaintext - t[i].ordered) / 1e9;
    return k;
}

/* Order to settlement: the buyer's confirmation committed, the seller paid (chain: lbft). */
static size_t lat_settled(wld *w, double *out)
{
    size_t n, k = 0;
    const data_trade *t = data_trades(w->data, &n);
    for (size_t i = 0; i < n; i++)
        if (t[i].settled != CP_TIME_NEVER) out[k++] = (double)(t[i].settled - t[i].ordered) / 1e9;
    return k;
}

static size_t lat_windows(wld *w, double *out)
{
    size_t n, k = 0;
    const data_window *x = data_windows(w->data, &n);
    for (size_t i = 0; i < n; i++)
        if (x[i].done != CP_TIME_NEVER) out[k++] = (double)x[i].done / 1e9 - (double)(i + 1) * (double)w->cfg->data.agg_window / 1e9;
    return k;
}

static void json_summary(js *j, const char *key, const double *v, size_t n)
{
    st_summary s;
    st_summarize(v, n, &s);
    st_write_json(j, key, &s);
}

static void json_chain(wld *w, js *j, double *buf)
{
    const data_counts *c = data_get_counts(w->data);
    js_obj_begin(j, "chain");
    js_u64(j, "submitted", c->txs_submitted);
    js_u64(j, "committed", c->txs_committed);
    js_u64(j, "invalid", c->txs_invalid);
    json_summary(j, "submit_to_commit_s", buf, lat_txs(w, buf, 0));
    json_summary(j, "reading_to_chain_s", buf, lat_chain(w, buf, 0));
    json_summary(j, "upload_to_chain_s", buf, lat_chain(w, buf, 1));
    json_summary(j, "trade_tx_to_commit_s", buf, lat_txs(w, buf, CHAIN_TX_TRADE_ORDER));
    js_obj_end(j);
}

/* The platform's own DHT lookups (data.storage: dht), by kind: a gateway placing a chunk, a
 * buyer finding one. */
static void json_lookups(wld *w, js *j)
{
    size_t n;
    const data_lookup *l = data_lookups(w->data, &n);
    double *lat = malloc((n + 1) * sizeof *lat);
    if (!lat) return;
    js_obj_begin(j, "storage_lookups");
    static const char *const kinds[2] = {"store", "fetch"};
    for (int k = 0; k < 2; k++) {
        size_t m = 0, ok = 0;
        double hops = 0;
        for (size_t i = 0; i < n; i++)
            if (l[i].kind == k) lat[m++] = (double)l[i].latency / 1e9, ok += l[i].ok, hops += l[i].hops;
        js_obj_begin(j, kinds[k]);
        js_u64(j, "count", m);
        js_u64(j, "ok", ok);
        js_num(j, "hops_mean", m ? hops / (double)m : 0);
        json_summary(j, "latency_s", lat, m);
        js_obj_end(j);
    }
    js_u64(j, "errors", data_get_counts(w->data)->lookup_errors);
    js_u64(j, "offline_drops", data_get_counts(w->data)->offline_drops);
    js_u64(j, "store_retries", data_get_counts(w->data)->store_retries);
    js_obj_end(j);
    free(lat);
}

static void json_trades(wld *w, js *j, double *buf)
{
    size_t n;
    const data_trade *t = data_trades(w->data, &n);
    uint64_t st[8] = {0};
    for (size_t i = 0; i < n; i++) st[t[i].state & 7]++;
    js_obj_begin(j, "trades");
    js_u64(j, "orders", n);
    js_u64(j, "finished", st[DATA_T_FINISHED]);
    js_u64(j, "withdrawn", st[DATA_T_WITHDRAWN]);
    js_u64(j, "disputed", st[DATA_T_DISPUTED]);
    js_u64(j, "skipped", st[DATA_T_SKIPPED]);
    js_u64(j, "unfinished", st[DATA_T_CREATED] + st[DATA_T_SELLER_CONFIRMED] + st[DATA_T_PROXY_DELIVERED]);
    json_summary(j, "order_to_plaintext_s", buf, lat_trades(w, buf));
    if (w->cfg->data.chain == WLD_CHAIN_LBFT) json_summary(j, "order_to_settled_s", buf, lat_settled(w, buf));
    const data_counts *c = data_get_counts(w->data);
    js_u64(j, "bad_cfrags", c->bad_cfrags);
    js_u64(j, "bad_chunks", c->bad_chunks);
    js_u64(j, "aead_failures", c->aead_failures);
    uint32_t np = w->cfg->data.proxies;
    for (uint32_t p = 0; p < np; p++) buf[p] = (double)data_proxy_load(w->data, p);
    json_summary(j, "cfrags_per_proxy", buf, np);
    js_obj_end(j);
}

static void json_roles(wld *w, js *j)
{
    role_sum s[DATA_N_ROLES];
    role_sums(w, s);
    js_obj_begin(j, "per_node_by_role");
    for (int r = 0; r < DATA_N_ROLES; r++) {
        const data_role_stats *x = data_get_role_stats(w->data, r);
        double n = x->nodes ? (double)x->nodes : 1;
        js_obj_begin(j, role_names[r]);
        js_u64(j, "nodes", x->nodes);
        js_num(j, "crypto_cpu_s", (double)x->crypto_cpu / 1e9 / n);
        js_num(j, "cpu_busy_s", s[r].cpu_busy_s / n);
        js_num(j, "bytes_up", s[r].bytes_up / n);
        js_num(j, "bytes_down", s[r].bytes_down / n);
        js_obj_end(j);
    }
    js_obj_end(j);
}

void wld_data_json(wld *w, js *j)
{
    size_t nr, nt, nw, ntx;
    data_records(w->data, &nr), data_trades(w->data, &nt), data_windows(w->data, &nw), data_txs(w->data, &ntx);
    size_t m = nr + nt + nw + ntx + w->cfg->data.proxies + 1;
    double *buf = malloc(m * sizeof *buf);
    if (!buf) return;
    const data_counts *c = data_get_counts(w->data);
    js_obj_begin(j, "data");
    js_u64(j, "records", nr);
    js_u64(j, "records_ready", c->records_ready);
    js_u64(j, "transactions", ntx);
    json_summary(j, "reading_to_record_s", buf, lat_records(w, buf, 0));
    json_summary(j, "upload_to_record_s", buf, lat_records(w, buf, 1));
    if (w->cfg->data.chain == WLD_CHAIN_LBFT) json_chain(w, j, buf);
    if (w->cfg->data.storage == WLD_STORE_DHT) json_lookups(w, j);
    json_trades(w, j, buf);
    js_obj_begin(j, "aggregation");
    js_u64(j, "windows", nw);
    js_u64(j, "ok", c->agg_ok);
    js_u64(j, "wrong", c->agg_bad);
    json_summary(j, "latency_s", buf, lat_windows(w, buf));
    js_u64(j, "readings_without_key", c->agg_no_key);
    js_u64(j, "dkg_key_shares", c->dkg_done);
    js_u64(j, "dkg_rejected", c->dkg_bad);
    js_num(j, "dkg_done_s", (double)data_dkg_end(w->data) / 1e9);
    if (w->cfg->data.chain == WLD_CHAIN_LBFT) {
        uint64_t on = 0;
        for (size_t i = 0; i < nw; i++) on += data_windows(w->data, &(size_t){0})[i].onchain != CP_TIME_NEVER;
        js_u64(j, "results_on_chain", on);
    }
    js_obj_end(j);
    json_roles(w, j);
    js_u64(j, "malformed", c->malformed);
    js_obj_end(j);
    free(buf);
}

void wld_data_plots(wld *w, const char *dir)
{
    size_t nr, nt;
    data_records(w->data, &nr), data_trades(w->data, &nt);
    double *a = malloc((nr + 1) * sizeof *a), *b = malloc((nt + 1) * sizeof *b);
    if (a && b) {
        size_t n[2] = {lat_records(w, a, 0), lat_trades(w, b)};
        const char *titles[2] = {"reading to record ready", "order to buyer plaintext"};
        const double *v[2] = {a, b};
        plot_spec sp = {dir, "data_latency", "Data platform latencies", "seconds", "fraction", 0, 0, 1, NULL};
        plot_cdf(&sp, titles, v, n, 2);
    }
    free(a), free(b);
    wld_wl_plots(w, dir);
}

static void put(wld_headline *h, const char *name, double v)
{
    if (h->n < WLD_HEADLINE_MAX) h->name[h->n] = name, h->value[h->n++] = v;
}

void wld_data_headline(wld *w, wld_headline *h)
{
    size_t nr, nt, nw;
    data_records(w->data, &nr), data_trades(w->data, &nt), data_windows(w->data, &nw);
    double *buf = malloc((nr + nt + nw + 1) * sizeof *buf);
    st_summary s;
    st_summarize(buf, buf ? lat_records(w, buf, 0) : 0, &s);
    put(h, "record_p50_s", s.n ? s.p50 : 0);
    put(h, "record_p99_s", s.n ? s.p99 : 0);
    if (w->cfg->data.chain == WLD_CHAIN_LBFT) {
        st_summarize(buf, buf ? lat_chain(w, buf, 0) : 0, &s);
        put(h, "onchain_p50_s", s.n ? s.p50 : 0);
    }
    st_summarize(buf, buf ? lat_trades(w, buf) : 0, &s);
    put(h, "trade_p50_s", s.n ? s.p50 : 0);
    put(h, "trades_finished", (double)s.n);
    st_summarize(buf, buf ? lat_windows(w, buf) : 0, &s);
    put(h, "agg_p50_s", s.n ? s.p50 : 0);
    put(h, "agg_ok", (double)data_get_counts(w->data)->agg_ok);
    free(buf);
    wld_wl_headline(w, h);
}

int wld_data_role(const wld *w, cp_node v) { return data_role_of(w->data, v); }

void wld_data_energy_units(wld *w, wld_energy_units *u)
{
    size_t nr, ntx;
    data_records(w->data, &nr), data_txs(w->data, &ntx);
    const wld_data_cfg *c = &w->cfg->data;
    u->readings = (double)nr * (double)(c->upload_interval / c->sample_interval);
    u->transactions = (double)ntx;
    u->records = (double)data_get_counts(w->data)->records_ready;
}
