/* Unit tests for core/rng.c: stream independence, determinism, range and mean. */
#include "core/env.h"
#include "tests/harness.h"

static void t_same_seed_same_stream(void)
{
    cp_rng a, b;
    rng_seed(&a, 42, 7, 0);
    rng_seed(&b, 42, 7, 0);
    for (int i = 0; i < 1000; i++) CHECK_EQ_U64(rng_u64(&a), rng_u64(&b));
}

static void t_streams_differ(void)
{
    cp_rng a, b, c;
    rng_seed(&a, 42, 7, 0);
    rng_seed(&b, 42, 8, 0);
    rng_seed(&c, 43, 7, 0);
    int same_ab = 0, same_ac = 0;
    for (int i = 0; i < 100; i++) {
        uint64_t x = rng_u64(&a);
        same_ab += x == rng_u64(&b);
        same_ac += x == rng_u64(&c);
    }
    CHECK(same_ab == 0);
    CHECK(same_ac == 0);
}

static void t_below_range_and_uniform(void)
{
    cp_rng r;
    rng_seed(&r, 1, 0, 0);
    unsigned hist[10] = {0};
    for (int i = 0; i < 100000; i++) {
        uint64_t v = rng_below(&r, 10);
        REQUIRE(v < 10);
        hist[v]++;
    }
    /* each bucket expects 10000, sd ~95: 6 sd bounds */
    for (int i = 0; i < 10; i++) CHECK(hist[i] > 9430 && hist[i] < 10570);
}

static void t_exp_mean(void)
{
    cp_rng r;
    rng_seed(&r, 9, 3, 1);
    double sum = 0;
    int n = 200000;
    for (int i = 0; i < n; i++) sum += rng_exp(&r, 10.0);
    /* sd of the mean = 10/sqrt(n) ~ 0.022 */
    CHECK_NEAR(sum / n, 10.0, 0.15);
}

TEST_MAIN(TEST(t_same_seed_same_stream), TEST(t_streams_differ), TEST(t_below_range_and_uniform),
          TEST(t_exp_mean))
