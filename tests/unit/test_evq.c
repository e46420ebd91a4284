/* Unit tests for sim/des/evq.h: total (time, seq) order, ties in insertion order, for the
 * binary and the 4-ary heap. */
#include "sim/des/evq.h"
#include "core/env.h"
#include "tests/harness.h"

static void check_order(unsigned d)
{
    evq q = {0};
    cp_rng r;
    rng_seed(&r, 5, 0, 0);
    for (uint64_t s = 1; s <= 20000; s++) {
        des_ev e = {rng_below(&r, 500), s << 8, (uint32_t)s, 0, NULL};
        REQUIRE(evq_push_d(&q, &e, d) == 0);
    }
    des_ev prev = {0, 0, 0, 0, NULL}, e;
    size_t n = 0;
    while (q.n) {
        evq_pop_d(&q, &e, d);
        CHECK(n == 0 || evq_less(&prev, &e));
        if (n && prev.time == e.time) CHECK(prev.node < e.node); /* ties by insertion */
        prev = e;
        n++;
    }
    CHECK_EQ_U64(n, 20000);
    evq_free(&q);
}

static void t_binary_heap_order(void) { check_order(2); }
static void t_quad_heap_order(void) { check_order(4); }

static void t_interleaved_push_pop(void)
{
    evq q = {0};
    cp_rng r;
    rng_seed(&r, 6, 0, 0);
    uint64_t seq = 0, now = 0;
    for (int i = 0; i < 1000; i++) {
        des_ev e = {now + rng_below(&r, 100), ++seq << 8, 0, 0, NULL};
        REQUIRE(evq_push(&q, &e) == 0);
    }
    for (int i = 0; i < 100000; i++) {
        des_ev e;
        evq_pop(&q, &e);
        CHECK(e.time >= now);
        now = e.time;
        des_ev f = {now + rng_below(&r, 100), ++seq << 8, 0, 0, NULL};
        REQUIRE(evq_push(&q, &f) == 0);
    }
    CHECK_EQ_U64(q.n, 1000);
    evq_free(&q);
}

TEST_MAIN(TEST(t_binary_heap_order), TEST(t_quad_heap_order), TEST(t_interleaved_push_pop))
