/* Crash and restart (scenario: network.changes[].crash) under LBFT on the built-in engine,
 * n = 7 (f = 2), period 10 s, impeach timeout 10 s, LAN:
 *   - the observer validator (node 0) down from 25 s to 65 s: the others go on; on restart it
 *     syncs the four blocks it missed (inserted after 65 s, certificates checked) and rejoins;
 *   - three validators (> f) down from 25 s to 55 s: no normal block can be certified meanwhile
 *     (2f+1 = 5 of the 4 alive), but impeach blocks can (f+1 = 3), so the chain moves on by
 *     impeachment; after the restart normal blocks resume and every height is reached;
 *   - the proposer of height 4 down during its slot: height 4 is an impeach block at
 *     parent time + 20 s.
 * No run shows an invariant violation. */
#include <stdio.h>
#include <string.h>

#include "sim/world/world_int.h"
#include "tests/harness.h"
#include "tests/world_run.h"

static const char base[] =
    "name: crash\nseed: 3\nduration: 300s\nprotocol: lbft\n"
    "nodes:\n  - {count: 30, class: server}\n"
    "consensus: {validators: 7, proposers: 12, period: 10s, impeach_timeout: 10s, heights: 8}\n"
    "plots: false\n";

static int start(run *r, const char *changes)
{
    char text[2048];
    snprintf(text, sizeof text, "%snetwork: {table: uniform, uniform_rtt: 2ms, jitter: 0, changes: %s}\n", base,
             changes);
    return run_text(r, "crash.yaml", text, strlen(text), NULL, 0);
}

static void stop(run *r) { run_stop(r); }

static void t_observer_crash_syncs(void)
{
    run r;
    REQUIRE(start(&r, "[{at: 25s, until: 65s, crash: [0]}]") == 0);
    uint64_t n, synced = 0;
    const lbft_block_rec *b = lbft_blocks(r.w->lbft, &n);
    CHECK_EQ_U64(n, 8);
    for (uint64_t i = 0; i < n; i++) {
        CHECK_EQ_U64(b[i].height, i + 1);
        CHECK(!b[i].impeach);                      /* six validators keep the quorum of five */
        if (b[i].height >= 3 && b[i].height <= 6) {
            CHECK(b[i].inserted >= CP_S(65));      /* learnt after the restart ... */
            CHECK(b[i].inserted < CP_S(66));       /* ... at once, by sync */
            synced++;
        }
    }
    CHECK_EQ_U64(synced, 4);
    CHECK_EQ_U64(lbft_violations(r.w->lbft), 0);
    stop(&r);
}

static void t_too_many_down_then_resume(void)
{
    run r;
    REQUIRE(start(&r, "[{at: 25s, until: 55s, crash: [3-5]}]") == 0);
    uint64_t n;
    const lbft_block_rec *b = lbft_blocks(r.w->lbft, &n);
    CHECK_EQ_U64(n, 8);
    uint64_t impeached = 0;
    for (uint64_t i = 0; i < n; i++) {
        int during = b[i].inserted >= CP_S(25) && b[i].inserted < CP_S(55);
        CHECK(!during || b[i].impeach);
        impeached += during;
    }
    CHECK(impeached >= 1);
    CHECK(n && b[n - 1].height == 8 && !b[n - 1].impeach);
    CHECK_EQ_U64(lbft_violations(r.w->lbft), 0);
    stop(&r);
}

static void t_proposer_crash_impeached(void)
{
    run probe;
    REQUIRE(start(&probe, "[]") == 0);
    uint32_t p4 = lbft_proposer_of(probe.w->lbft, 4);
    stop(&probe);
    char ch[128];
    snprintf(ch, sizeof ch, "[{at: 35s, until: 45s, crash: [%u]}]", p4);
    run r;
    REQUIRE(start(&r, ch) == 0);
    uint64_t n;
    const lbft_block_rec *b = lbft_blocks(r.w->lbft, &n);
    CHECK_EQ_U64(n, 8);
    CHECK(n >= 4 && b[3].impeach && b[3].block_time == b[2].block_time + CP_S(20));
    for (uint64_t i = 0; i < n; i++)
        if (i != 3) CHECK(!b[i].impeach);
    CHECK_EQ_U64(lbft_violations(r.w->lbft), 0);
    stop(&r);
}

TEST_MAIN(TEST(t_observer_crash_syncs), TEST(t_too_many_down_then_resume), TEST(t_proposer_crash_impeached))
