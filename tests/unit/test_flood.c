/* Unit tests for core/flood: the peer graph, the strict block decoder, and propagation run on
 * the built-in engine (exact timing on a two-node net, full coverage and duplicate counts on
 * a larger one). */
#include "core/flood/flood.h"
#include "sim/des/des.h"
#include "tests/harness.h"

static flood_cfg cfg1(uint32_t blocks, uint64_t size)
{
    flood_cfg c = {8, blocks, size, CP_S(1), CP_S(10), 0, 0, -1, NULL};
    return c;
}

static void t_graph_symmetric_no_self_loops(void)
{
    flood_cfg c = cfg1(1, 1000);
    flood *f = flood_new(&c, 1000, 7);
    REQUIRE(f);
    for (cp_node v = 0; v < 1000; v++) {
        uint32_t n, m;
        const uint32_t *a = flood_neighbors(f, v, &n);
        CHECK(n >= 8);
        for (uint32_t i = 0; i < n; i++) {
            CHECK(a[i] != v);
            CHECK(i == 0 || a[i] > a[i - 1]);
            const uint32_t *b = flood_neighbors(f, a[i], &m);
            int back = 0;
            for (uint32_t j = 0; j < m; j++) back |= b[j] == v;
            CHECK(back);
        }
    }
    flood *g = flood_new(&c, 1000, 7);
    uint32_t n1, n2;
    const uint32_t *a1 = flood_neighbors(f, 17, &n1), *a2 = flood_neighbors(g, 17, &n2);
    CHECK(n1 == n2 && memcmp(a1, a2, n1 * sizeof *a1) == 0);
    flood_free(f);
    flood_free(g);
}

static void t_decoder_strict(void)
{
    uint8_t buf[200] = {0};
    flood_hdr h = {3, 9, 200, {1}, {2}}, out;
    flood_encode_hdr(buf, &h);
    REQUIRE(flood_decode(buf, 200, &out) == FLOOD_OK);
    CHECK(out.index == 3 && out.origin == 9 && out.size == 200 && out.digest[0] == 1 && out.sig[0] == 2);
    for (size_t len = 0; len < 200; len++) CHECK(flood_decode(buf, len, &out) != FLOOD_OK);
    /* the fixed header (digest and signature are checked by verification, not the decoder) */
    for (int bit = 0; bit < 24 * 8; bit++) {
        if (bit >= 64 && bit < 128) continue; /* index and origin: any value decodes */
        buf[bit / 8] ^= (uint8_t)(1u << (bit % 8));
        CHECK(flood_decode(buf, 200, &out) != FLOOD_OK);
        buf[bit / 8] ^= (uint8_t)(1u << (bit % 8));
    }
}

static const char *const rn[] = {"r", NULL};

static void run(flood *f, uint32_t n, uint64_t up, cp_time rtt, uint64_t seed)
{
    cp_time r[1] = {rtt};
    net_class cls[1] = {{"server", 1.0, up, 0, 0}};
    net_cfg nc = {1, rn, r, NET_JITTER_NONE, 0, 0, 1, cls};
    net *nt = net_new(&nc, n);
    des_cfg dc = {seed, n, CP_S(100), nt, flood_ops(), f, NULL, NULL, NULL, NULL};
    des *d = des_new(&dc);
    REQUIRE(des_run(d) == 0);
    des_free(d);
    net_free(nt);
}

static void t_two_nodes_exact_timing(void)
{
    flood_cfg c = {1, 1, 1000000, CP_S(1), CP_S(10), 0, 0, 0, NULL};
    flood *f = flood_new(&c, 2, 1);
    REQUIRE(f);
    run(f, 2, 10000000, CP_MS(20), 1);
    CHECK_EQ_U64(flood_created(f, 0), CP_S(1));
    CHECK_EQ_U64(flood_arrival(f, 0, 1), CP_S(1) + CP_MS(10) + CP_MS(800));
    flood_free(f);
}

static void t_all_reached_and_dups_counted(void)
{
    flood_cfg c = cfg1(3, 1000);
    uint32_t n = 500;
    flood *f = flood_new(&c, n, 3);
    REQUIRE(f);
    run(f, n, 0, CP_MS(50), 3);
    uint64_t edges = 0;
    for (cp_node v = 0; v < n; v++) {
        uint32_t k;
        flood_neighbors(f, v, &k);
        edges += k;
    }
    uint64_t dups = 0;
    for (cp_node v = 0; v < n; v++) dups += flood_dups(f, v);
    for (uint32_t b = 0; b < 3; b++)
        for (cp_node v = 0; v < n; v++) CHECK(flood_arrival(f, b, v) != CP_TIME_NEVER);
    /* per block: every directed edge carries the block once except the one it came in on:
     * sends = sum(deg) - (n - 1); receipts = sends; first receipts = n - 1 */
    CHECK_EQ_U64(dups, 3 * (edges - (n - 1) - (n - 1)));
    CHECK_EQ_U64(flood_malformed(f), 0);
    flood_free(f);
}

TEST_MAIN(TEST(t_graph_symmetric_no_self_loops), TEST(t_decoder_strict), TEST(t_two_nodes_exact_timing),
          TEST(t_all_reached_and_dups_counted))
