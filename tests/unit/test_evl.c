/* Unit tests for sim/des/evl.h: the tiered pending set pops exactly what the plain heap pops
 * (same (time, key) order) under interleaved pushes and pops with near, far and equal times,
 * huge times, and a set that empties and refills; evl_each visits every pending event once. */
#include "sim/des/evl.h"
#include "core/env.h"
#include "tests/harness.h"

/* Push the same events into both sets, pop both, compare; delays from `delay`. */
static void run_mix(uint64_t seed, uint64_t (*delay)(cp_rng *r), int ops, uint32_t bulk, unsigned bulk_bits)
{
    evq ref = {0};
    evl q;
    evl_init(&q);
    cp_rng r;
    rng_seed(&r, seed, 0, 0);
    uint64_t seq = 0, now = 0;
    for (uint32_t i = 0; i < bulk; i++) { /* a far workload drawn up front: a wide rung */
        des_ev e = {rng_u64(&r) >> (64 - bulk_bits), ++seq << 8, (uint32_t)seq, 0, NULL};
        REQUIRE(evq_push(&ref, &e) == 0);
        REQUIRE(evl_push(&q, &e) == 0);
    }
    for (int i = 0; i < ops; i++) {
        uint64_t pushes = rng_below(&r, 3); /* 0..2 pushes per pop: the set grows and drains */
        if (ref.n == 0) pushes = 1 + rng_below(&r, 50);
        for (uint64_t p = 0; p < pushes; p++) {
            uint64_t dt = delay(&r), t = dt > UINT64_MAX - now ? UINT64_MAX : now + dt;
            des_ev e = {t, ++seq << 8, (uint32_t)seq, 0, NULL};
            REQUIRE(evq_push(&ref, &e) == 0);
            REQUIRE(evl_push(&q, &e) == 0);
        }
        CHECK_EQ_U64(q.n, ref.n);
        REQUIRE(evl_peek(&q) != NULL);
        des_ev a, b;
        CHECK_EQ_U64(evl_peek(&q)->key, ref.a[0].key);
        evq_pop(&ref, &a);
        evl_pop(&q, &b);
        CHECK_EQ_U64(b.time, a.time);
        CHECK_EQ_U64(b.key, a.key);
        if (a.key != b.key) break;
        now = a.time;
    }
    while (ref.n) {
        des_ev a, b;
        evq_pop(&ref, &a);
        evl_pop(&q, &b);
        CHECK_EQ_U64(b.key, a.key);
        if (a.key != b.key) break;
    }
    CHECK_EQ_U64(q.n, 0);
    CHECK(evl_peek(&q) == NULL);
    evq_free(&ref);
    evl_free(&q);
}

static uint64_t d_small(cp_rng *r) { return rng_below(r, 100); }
static uint64_t d_mixed(cp_rng *r)
{
    uint64_t k = rng_below(r, 10);
    if (k < 6) return rng_below(r, 1000);              /* near */
    if (k < 9) return 1000000 + rng_below(r, 60000000); /* far */
    return 0;                                          /* same time */
}
static uint64_t d_huge(cp_rng *r)
{
    uint64_t k = rng_below(r, 20);
    if (k == 0) return UINT64_MAX; /* saturates at the largest time */
    if (k == 1) return rng_u64(r) >> 1;
    return rng_below(r, 5000);
}
static uint64_t d_exp(cp_rng *r) { return (uint64_t)rng_exp(r, 1e6); }

static void t_same_order_small(void) { run_mix(1, d_small, 100000, 0, 0); }
static void t_same_order_mixed(void) { run_mix(2, d_mixed, 200000, 0, 0); }
static void t_same_order_huge_times(void) { run_mix(3, d_huge, 100000, 0, 0); }
static void t_same_order_exponential(void) { run_mix(4, d_exp, 200000, 0, 0); }
static unsigned scale_bits; /* d_scaled: delays up to 2^scale_bits, spanning many buckets */
static uint64_t d_scaled(cp_rng *r) { return rng_below(r, 1ull << scale_bits); }

static void t_same_order_wide_rungs(void)
{
    static const unsigned bits[] = {20, 27, 33, 40, 50, 63};
    for (unsigned i = 0; i < sizeof bits / sizeof *bits; i++) {
        run_mix(10 + i, d_mixed, 300000, 50000, bits[i]);
        scale_bits = bits[i] - 3;
        run_mix(20 + i, d_scaled, 300000, 50000, bits[i]);
    }
}

static void count_ev(void *ctx, const des_ev *e)
{
    uint64_t *seen = ctx;
    seen[e->node]++;
}

static void t_each_visits_all(void)
{
    evl q;
    evl_init(&q);
    cp_rng r;
    rng_seed(&r, 9, 0, 0);
    static uint64_t seen[3001];
    for (uint32_t i = 1; i <= 3000; i++) {
        des_ev e = {d_mixed(&r), (uint64_t)i << 8, i, 0, NULL};
        REQUIRE(evl_push(&q, &e) == 0);
    }
    for (int i = 0; i < 500; i++) { /* spread them over all tiers */
        des_ev e;
        evl_pop(&q, &e);
        seen[e.node] = 1;
    }
    evl_each(&q, count_ev, seen);
    for (uint32_t i = 1; i <= 3000; i++) CHECK_EQ_U64(seen[i], 1);
    evl_free(&q);
}

TEST_MAIN(TEST(t_same_order_small), TEST(t_same_order_mixed), TEST(t_same_order_huge_times),
          TEST(t_same_order_exponential), TEST(t_same_order_wide_rungs), TEST(t_each_visits_all))
