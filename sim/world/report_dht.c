/* sim/world/report_dht.c: results of the Kademlia DHT: the per-lookup table (/dht/lookups:
 * start, node, kind, key prefix, hops, RPCs, latency, ok) and the protocol counters in run.h5;
 * the "dht" block of summary.json (hops, RPCs, latency percentiles and success per kind); the
 * lookup latency CDF plot; the headline numbers for sweeps. Invariant: every number is
 * computed from dht_results / dht_get_counts only, in result order, so the same seed gives
 * the same bytes. */
#include "sim/world/world_int.h"

#include <stdlib.h>

#include "sim/metrics/plot.h"
#include "sim/metrics/st.h"

static const char *const kind_names[] = {"find", "store", "get", "maintenance"};

typedef struct lk_cols {
    uint64_t *start, *lat;
    uint32_t *node, *rpcs, *key;
    uint16_t *hops;
    uint8_t *kind, *ok;
} lk_cols;

static void cols_free(lk_cols *c)
{
    free(c->start), free(c->lat), free(c->node), free(c->rpcs), free(c->key), free(c->hops);
    free(c->kind), free(c->ok);
}

static int cols_fill(const dht_result *r, size_t n, lk_cols *c)
{
    size_t m = n ? n : 1;
    c->start = malloc(m * 8), c->lat = malloc(m * 8), c->node = malloc(m * 4), c->rpcs = malloc(m * 4);
    c->key = malloc(m * 4), c->hops = malloc(m * 2), c->kind = malloc(m), c->ok = malloc(m);
    if (!c->start || !c->lat || !c->node || !c->rpcs || !c->key || !c->hops || !c->kind || !c->ok) return -1;
    for (size_t i = 0; i < n; i++) {
        c->start[i] = r[i].start, c->lat[i] = r[i].latency, c->node[i] = r[i].node;
        c->rpcs[i] = r[i].rpcs, c->hops[i] = r[i].hops, c->kind[i] = r[i].kind, c->ok[i] = r[i].ok;
        c->key[i] = (uint32_t)r[i].key4[0] << 24 | (uint32_t)r[i].key4[1] << 16 |
                    (uint32_t)r[i].key4[2] << 8 | r[i].key4[3];
    }
    return 0;
}

static int h5_counts(wld *w, h5w *h)
{
    const dht_counts *c = dht_get_counts(w->dht);
    struct { const char *name; uint64_t v; } a[] = {
        {"msgs", c->msgs}, {"malformed", c->malformed}, {"dropped_offline", c->dropped_offline},
        {"rpc_timeouts", c->rpc_timeouts}, {"evictions", c->evictions}, {"stores_held", c->stores_held},
        {"store_acks", c->store_acks}, {"finds", c->finds}, {"finds_ok", c->finds_ok}, {"gets", c->gets},
        {"gets_ok", c->gets_ok}, {"stores", c->stores}, {"aborted", c->aborted},
    };
    int rc = 0;
    for (size_t i = 0; i < sizeof a / sizeof a[0]; i++) rc |= h5w_attr_u64(h, "/dht", a[i].name, a[i].v);
    return rc;
}

int wld_dht_h5(wld *w, h5w *h)
{
    size_t n;
    const dht_result *r = dht_results(w->dht, &n);
    lk_cols c = {0};
    int rc = cols_fill(r, n, &c);
    if (rc == 0) {
        h5w_col cols[] = {{"start_ns", H5W_U64, c.start}, {"node", H5W_U32, c.node}, {"kind", H5W_U8, c.kind},
                          {"key_prefix", H5W_U32, c.key}, {"hops", H5W_U16, c.hops}, {"rpcs", H5W_U32, c.rpcs},
                          {"latency_ns", H5W_U64, c.lat}, {"ok", H5W_U8, c.ok}};
        rc = h5w_table(h, "/dht/lookups", n, cols, sizeof cols / sizeof cols[0]);
        rc |= h5w_attr_str(h, "/dht/lookups", "kind_names", "find,store,get,maintenance");
        rc |= h5_counts(w, h);
    }
    cols_free(&c);
    return rc;
}

/* Latencies in seconds of the results of one kind (-1: all kinds); *ok and *hops, *rpcs sums. */
static size_t kind_latencies(const dht_result *r, size_t n, int kind, double *out, uint64_t sums[3])
{
    size_t k = 0;
    sums[0] = sums[1] = sums[2] = 0;
    for (size_t i = 0; i < n; i++) {
        if (kind >= 0 && r[i].kind != kind) continue;
        out[k++] = (double)r[i].latency / 1e9;
        sums[0] += r[i].ok, sums[1] += r[i].hops, sums[2] += r[i].rpcs;
    }
    return k;
}

static void json_kind(js *j, const dht_result *r, size_t n, int kind, double *buf)
{
    uint64_t s[3];
    size_t k = kind_latencies(r, n, kind, buf, s);
    double dk = k ? (double)k : 1;
    st_summary sum;
    st_summarize(buf, k, &sum);
    js_obj_begin(j, kind_names[kind]);
    js_u64(j, "count", k);
    js_num(j, "success_rate", k ? (double)s[0] / dk : 0);
    js_num(j, "hops_mean", (double)s[1] / dk);
    js_num(j, "rpcs_mean", (double)s[2] / dk);
    st_write_json(j, "latency_s", &sum);
    js_obj_end(j);
}

void wld_dht_json(wld *w, js *j)
{
    size_t n;
    const dht_result *r = dht_results(w->dht, &n);
    const dht_counts *c = dht_get_counts(w->dht);
    double *buf = malloc((n ? n : 1) * sizeof *buf);
    if (!buf) return;
    js_obj_begin(j, "dht");
    for (int k = DHT_LK_FIND; k <= DHT_LK_GET; k++) json_kind(j, r, n, k, buf);
    js_num(j, "get_success_rate", c->gets ? (double)c->gets_ok / (double)c->gets : 0);
    js_u64(j, "rpc_timeouts", c->rpc_timeouts);
    js_u64(j, "evictions", c->evictions);
    js_u64(j, "dropped_offline", c->dropped_offline);
    js_u64(j, "malformed", c->malformed);
    js_u64(j, "aborted", c->aborted);
    js_u64(j, "values_held", c->stores_held);
    js_obj_end(j);
    free(buf);
}

void wld_dht_plots(wld *w, const char *dir)
{
    size_t n;
    const dht_result *r = dht_results(w->dht, &n);
    double *v[3];
    size_t cnt[3];
    uint64_t s[3];
    for (int k = 0; k < 3; k++) {
        v[k] = malloc((n ? n : 1) * sizeof *v[k]);
        cnt[k] = v[k] ? kind_latencies(r, n, k, v[k], s) : 0;
    }
    const char *titles[3];
    const double *vs[3];
    size_t ns = 0, nn[3];
    for (int k = 0; k < 3; k++)
        if (cnt[k]) titles[ns] = kind_names[k], vs[ns] = v[k], nn[ns++] = cnt[k];
    plot_spec sp = {dir, "lookup_latency", "DHT lookup latency", "seconds", "fraction of lookups", 0, 0, 1, NULL};
    if (ns) plot_cdf(&sp, titles, vs, nn, ns);
    for (int k = 0; k < 3; k++) free(v[k]);
}

static void put(wld_headline *h, const char *name, double v)
{
    if (h->n < WLD_HEADLINE_MAX) h->name[h->n] = name, h->value[h->n++] = v;
}

void wld_dht_headline(wld *w, wld_headline *h)
{
    size_t n;
    const dht_result *r = dht_results(w->dht, &n);
    const dht_counts *c = dht_get_counts(w->dht);
    double *buf = malloc((n ? n : 1) * sizeof *buf);
    uint64_t s[3] = {0, 0, 0};
    size_t k = buf ? kind_latencies(r, n, DHT_LK_FIND, buf, s) : 0;
    st_summary sum;
    st_summarize(buf, k, &sum);
    double dk = k ? (double)k : 1;
    put(h, "lookup_hops_mean", (double)s[1] / dk);
    put(h, "lookup_rpcs_mean", (double)s[2] / dk);
    put(h, "lookup_p50_s", sum.n ? sum.p50 : 0);
    put(h, "lookup_p99_s", sum.n ? sum.p99 : 0);
    put(h, "lookup_success", k ? (double)s[0] / dk : 0);
    put(h, "get_success", c->gets ? (double)c->gets_ok / (double)c->gets : 0);
    free(buf);
}
