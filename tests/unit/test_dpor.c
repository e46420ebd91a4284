/* Unit tests for core/dpor: the term schedule, RPT ranks and penalty, Elect's low/high split
 * and weighting, and the proposer list with default seats inserted evenly. */
#include "core/dpor/dpor.h"
#include "tests/harness.h"

static void t_schedule(void)
{
    /* mainnet: 12 x 3 = 36 heights per term */
    CHECK(dpor_term_of(1, 12, 3) == 0 && dpor_term_of(36, 12, 3) == 0 && dpor_term_of(37, 12, 3) == 1);
    CHECK(dpor_is_checkpoint(36, 12, 3) && !dpor_is_checkpoint(35, 12, 3) && !dpor_is_checkpoint(0, 12, 3));
    CHECK(dpor_seat_of(1, 12, 3) == 0 && dpor_seat_of(12, 12, 3) == 11 && dpor_seat_of(13, 12, 3) == 0);
    CHECK(dpor_seat_of(36, 12, 3) == 11 && dpor_seat_of(37, 12, 3) == 0);
}

static void t_rpt_ranks_and_penalty(void)
{
    dpor_cand c[4] = {
        {10, 400, 0, 0, 0}, {11, 300, 0, 0, 0}, {12, 200, 0, 0, 0}, {13, 100, 0, 0, 0},
    };
    int64_t r[4];
    dpor_rpt(c, 4, &dpor_cpchain_weights, r);
    /* AB ranks 100, 75, 50, 25; TX and BM all equal: idx 0 -> 100 each (25 points) */
    CHECK(r[0] == 50 * 100 + 15 * 100 + 10 * 100);
    CHECK(r[3] == 50 * 25 + 15 * 100 + 10 * 100);
    c[0].impeached = 3;
    dpor_rpt(c, 4, &dpor_cpchain_weights, r);
    CHECK(r[0] == (int64_t)(7500 * (1.0 - 3.0 / 9.0)));
    c[0].impeached = 10;
    dpor_rpt(c, 4, &dpor_cpchain_weights, r);
    CHECK(r[0] == 1000); /* floored */
}

static void t_elect_split_and_weights(void)
{
    uint32_t nodes[20];
    int64_t rpt[20];
    for (int i = 0; i < 20; i++) nodes[i] = 100 + i, rpt[i] = 1000 + 400 * i;
    unsigned hits[20] = {0};
    for (uint64_t seed = 0; seed < 3000; seed++) {
        uint32_t out[8];
        size_t k = dpor_elect(nodes, rpt, 20, seed, 8, 10, 2, out);
        REQUIRE(k == 8);
        for (int i = 0; i < 2; i++) CHECK(out[i] < 110);  /* low part from the lower half */
        for (int i = 2; i < 8; i++) CHECK(out[i] >= 110);
        for (int i = 0; i < 8; i++)
            for (int j = 0; j < i; j++) CHECK(out[i] != out[j]);
        for (int i = 0; i < 8; i++) hits[out[i] - 100]++;
    }
    CHECK(hits[19] > hits[10]); /* weighted by RPT within the high group */
    CHECK(hits[9] > hits[0]);   /* and within the low group */
    uint32_t out[8];
    CHECK(dpor_elect(nodes, rpt, 5, 1, 8, 2, 2, out) == 0); /* more seats than candidates */
    uint32_t a[8], b[8];
    dpor_elect(nodes, rpt, 20, 42, 8, 10, 2, a);
    dpor_elect(nodes, rpt, 20, 42, 8, 10, 2, b);
    CHECK(memcmp(a, b, sizeof a) == 0);
}

static void t_proposers_with_default_seats(void)
{
    uint32_t nodes[30], defs[12];
    int64_t rpt[30];
    for (int i = 0; i < 30; i++) nodes[i] = 200 + i, rpt[i] = 1000 + 100 * i;
    for (int i = 0; i < 12; i++) defs[i] = 500 + i;
    uint32_t out[12];
    REQUIRE(dpor_proposers(nodes, rpt, 30, defs, 12, 7, 12, out) == 0);
    for (int s = 0; s < 4; s++) { /* each slice of 3: exactly one default proposer */
        int d = 0;
        for (int i = 0; i < 3; i++) d += out[3 * s + i] >= 500;
        CHECK(d == 1);
    }
    /* too few candidates: defaults fill the elected seats too */
    REQUIRE(dpor_proposers(nodes, rpt, 5, defs, 12, 7, 12, out) == 0);
    int d = 0;
    for (int i = 0; i < 12; i++) d += out[i] >= 500;
    CHECK(d == 12);
}

TEST_MAIN(TEST(t_schedule), TEST(t_rpt_ranks_and_penalty), TEST(t_elect_split_and_weights),
          TEST(t_proposers_with_default_seats))
