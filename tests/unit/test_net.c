/* Unit tests for sim/net: exact latency and serialization arithmetic, FIFO queues, loss rate
 * within statistical bounds, partitions, RTT changes. */
#include "sim/net/net.h"
#include "tests/harness.h"

static const char *const regions2[] = {"a", "b", NULL};

static net *make(uint64_t up, uint64_t down, double loss, cp_time access)
{
    static const cp_time rtt[] = {CP_MS(10), CP_MS(100), CP_MS(100), CP_MS(20)};
    net_class cls[1] = {{"server", 1.0, up, down, access}};
    net_cfg cfg = {2, regions2, rtt, NET_JITTER_NONE, 0, loss, 1, cls};
    net *n = net_new(&cfg, 4);
    net_place(n, 0, 0, 0);
    net_place(n, 1, 1, 0);
    net_place(n, 2, 0, 0);
    net_place(n, 3, 1, 0);
    return n;
}

static void t_tx_time_exact(void)
{
    CHECK_EQ_U64(net_tx_time(1000000, 10000000), CP_MS(800)); /* 1 MB at 10 Mbit/s */
    CHECK_EQ_U64(net_tx_time(1, 3), 2666666667ull);           /* rounded up */
    CHECK_EQ_U64(net_tx_time(12345, 0), 0);
}

static void t_latency_and_uplink_fifo(void)
{
    cp_rng r;
    rng_seed(&r, 1, 0, 0);
    net *n = make(10000000, 0, 0, CP_MS(1));
    net_tx tx;
    REQUIRE(net_send(n, 0, 1, 1000000, CP_S(1), &r, &tx) == NET_SENT);
    /* one-way = 100/2 + 1 + 1 ms; first bit leaves at 1 s; complete 0.8 s later */
    CHECK_EQ_U64(tx.first_bit, CP_S(1) + CP_MS(52));
    CHECK_EQ_U64(tx.deliver, CP_S(1) + CP_MS(52) + CP_MS(800));
    CHECK(!tx.needs_downlink);
    /* a second message sent at the same time waits for the first to leave */
    REQUIRE(net_send(n, 0, 2, 1000000, CP_S(1), &r, &tx) == NET_SENT);
    CHECK_EQ_U64(tx.first_bit, CP_S(1) + CP_MS(800) + CP_MS(5) + CP_MS(2));
    CHECK_EQ_U64(tx.deliver, CP_S(1) + CP_MS(1600) + CP_MS(7));
    CHECK_EQ_U64(net_stats(n, 0)->bytes_up, 2000000);
    net_free(n);
}

static void t_downlink_bottleneck_and_fifo(void)
{
    cp_rng r;
    rng_seed(&r, 1, 0, 0);
    net *n = make(100000000, 10000000, 0, 0); /* up 100 Mbit/s, down 10 Mbit/s */
    net_tx tx;
    REQUIRE(net_send(n, 0, 2, 1000000, 0, &r, &tx) == NET_SENT);
    CHECK(tx.needs_downlink);
    CHECK_EQ_U64(tx.first_bit, CP_MS(5));
    cp_time done = net_downlink(n, 0, 2, 1000000, tx.first_bit);
    CHECK_EQ_U64(done, CP_MS(805)); /* downlink-bound */
    /* a second message arriving while the downlink is busy waits for it */
    cp_time done2 = net_downlink(n, 1, 2, 1000, CP_MS(10));
    CHECK_EQ_U64(done2, CP_MS(805) + net_tx_time(1000, 10000000));
    net_free(n);
}

static void t_uplink_bound_pipelined(void)
{
    cp_rng r;
    rng_seed(&r, 1, 0, 0);
    net *n = make(1000000, 100000000, 0, 0); /* up 1 Mbit/s, down 100 Mbit/s */
    net_tx tx;
    REQUIRE(net_send(n, 0, 2, 125000, 0, &r, &tx) == NET_SENT);
    cp_time done = net_downlink(n, 0, 2, 125000, tx.first_bit);
    CHECK_EQ_U64(done, CP_MS(5) + CP_S(1)); /* the last bit leaves after 1 s */
    net_free(n);
}

static void t_loss_rate_within_bounds(void)
{
    cp_rng r;
    rng_seed(&r, 2, 0, 0);
    net *n = make(0, 0, 0.1, 0);
    int lost = 0, total = 100000;
    net_tx tx;
    for (int i = 0; i < total; i++) lost += net_send(n, 0, 1, 100, 0, &r, &tx) == NET_DROP_LOSS;
    /* binomial(1e5, 0.1): sd ~ 94.9; accept within 5 sd */
    CHECK(lost > 10000 - 475 && lost < 10000 + 475);
    CHECK_EQ_U64(net_stats(n, 0)->dropped_loss, (uint64_t)lost);
    net_free(n);
}

static void t_partition_and_rtt_change(void)
{
    cp_rng r;
    rng_seed(&r, 3, 0, 0);
    net *n = make(0, 0, 0, 0);
    net_tx tx;
    net_set_group(n, 1, 7);
    CHECK(net_send(n, 0, 1, 10, 0, &r, &tx) == NET_DROP_PARTITION);
    CHECK(!net_connected(n, 0, 1));
    CHECK(net_connected(n, 0, 2));
    net_set_group(n, 1, 0);
    net_set_rtt(n, 0, 1, CP_MS(400));
    REQUIRE(net_send(n, 1, 0, 10, 0, &r, &tx) == NET_SENT);
    CHECK_EQ_U64(tx.deliver, CP_MS(200));
    net_free(n);
}

static void t_default_table_sane(void)
{
    uint32_t k = net_default_n_regions;
    for (uint32_t i = 0; i < k; i++) {
        CHECK(net_default_region_names[i] != NULL);
        for (uint32_t j = 0; j < k; j++) {
            CHECK(net_default_rtt[i * k + j] == net_default_rtt[j * k + i]);
            CHECK(net_default_rtt[i * k + j] > 0);
            CHECK(net_default_rtt[i * k + i] <= net_default_rtt[i * k + j]);
        }
    }
    CHECK(net_default_region_names[k] == NULL);
}

TEST_MAIN(TEST(t_tx_time_exact), TEST(t_latency_and_uplink_fifo), TEST(t_downlink_bottleneck_and_fifo),
          TEST(t_uplink_bound_pipelined), TEST(t_loss_rate_within_bounds),
          TEST(t_partition_and_rtt_change), TEST(t_default_table_sane))
