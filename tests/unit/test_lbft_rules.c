/* CPChain's LBFT 2.0 state-machine rules that a plain three-phase machine lacks, each run on the
 * built-in engine with region RTTs chosen so the race happens (no jitter, n = 4, f = 1):
 *   - an Idle validator holding 2f+1 prepares signs commit without the block, and its commit
 *     completes the certificate (lbft2.go: IdleHandler -> PrepareHandler -> handlePrepareMsg ->
 *     oncePrepareCertificateSatisfied);
 *   - block_delay defaults to impeach_timeout / 2 (configs/general.go: DporConfig.BlockDelay);
 *     a block_delay >= impeach_timeout is refused unless consensus.late_blocks is set;
 *   - a validator that sent the impeach Validate still inserts the normal block from a Validate
 *     (lbft2.go: onceImpeachCommitCertificateSatisfied returns consensus.Validate,
 *     ValidateHandler handles ValidateMsgCode), so no fork;
 *   - a validator that signed the impeach block refuses the normal block that arrives later
 *     (lbft2.go: ImpeachPrepareHandler has no preprepare case; dpor_helper.go signHeader marks
 *     impeach signatures as signed too). */
#include <stdio.h>
#include <string.h>

#include "sim/world/world_int.h"
#include "tests/harness.h"
#include "tests/world_run.h"

/* Validators 0-1 (europe), 2 (china), 3 (south_america); 12 proposers (north_america). */
static int run_geo(run *r, const char *consensus, const char *rtts, const char *changes)
{
    char text[4096];
    snprintf(text, sizeof text,
             "name: rules\nseed: 5\nduration: 60s\nprotocol: lbft\n"
             "nodes:\n  - {count: 2, class: server, regions: [europe]}\n"
             "  - {count: 1, class: server, regions: [china]}\n"
             "  - {count: 1, class: server, regions: [south_america]}\n"
             "  - {count: 12, class: server, regions: [north_america]}\n"
             "consensus: {validators: 4, proposers: 12, period: 10s, heights: 1, %s}\n"
             "network: {jitter: 0, rtt: [{a: europe, b: europe, rtt: 2ms}, %s], changes: [%s]}\n"
             "plots: false\n",
             consensus, rtts, changes);
    return run_text(r, "rules.yaml", text, strlen(text), NULL, 0);
}

static const lbft_vstats *vst(run *r, uint32_t v) { return lbft_validator_stats(r->w->lbft, v); }

/* Validator 2 signs its prepare and crashes at 10.6 s, before it could commit. Validator 3 is
 * cut off until 11.1 s, so it never gets the block (the proposer's copy and the validators'
 * echoes are lost), but at 11.2 s it gets the prepare set {0, 1, 2} that 0 and 1 sent with
 * their commits. Its commit from Idle is the third of the certificate (0, 1, 3), so height 1
 * is a normal block, inserted at 11.7 s; a plain three-phase machine would impeach it. */
static void t_idle_validator_commits(void)
{
    const char *rtts = "{a: north_america, b: north_america, rtt: 2ms}, {a: north_america, b: europe, rtt: 1s}, "
                       "{a: north_america, b: china, rtt: 1s}, {a: north_america, b: south_america, rtt: 1s}, "
                       "{a: europe, b: china, rtt: 400ms}, {a: europe, b: south_america, rtt: 1s}, "
                       "{a: china, b: south_america, rtt: 1s}";
    run r;
    REQUIRE(run_geo(&r, "impeach_timeout: 10s", rtts,
                    "{at: 10600ms, crash: [2]}, {at: 9s, until: 10600ms, partition: [3]}") == 0);
    uint64_t n;
    const lbft_block_rec *b = lbft_blocks(r.w->lbft, &n);
    REQUIRE(n == 1);
    CHECK(!b[0].impeach);
    CHECK(b[0].inserted > CP_MS(11600) && b[0].inserted < CP_MS(11800));
    CHECK_EQ_U64(vst(&r, 3)->idle_commits, 1);
    CHECK_EQ_U64(vst(&r, 0)->idle_commits, 0);
    CHECK_EQ_U64(lbft_violations(r.w->lbft), 0);
    run_stop(&r);
}

/* Every validator is 4 s (accepted) or 6 s (refused) from the proposers: block_delay left out
 * is impeach_timeout / 2 = 5 s, so the first run commits height 1 and the second impeaches it
 * (at parent time + period + timeout = 20 s). */
static void t_block_delay_defaults_to_half_timeout(void)
{
    static const char *const far[] = {"8s", "12s"};
    for (int k = 0; k < 2; k++) {
        char rtts[512];
        snprintf(rtts, sizeof rtts,
                 "{a: north_america, b: north_america, rtt: 2ms}, {a: north_america, b: europe, rtt: %s}, "
                 "{a: north_america, b: china, rtt: %s}, {a: north_america, b: south_america, rtt: %s}, "
                 "{a: europe, b: china, rtt: 2ms}, {a: europe, b: south_america, rtt: 2ms}, "
                 "{a: china, b: south_america, rtt: 2ms}",
                 far[k], far[k], far[k]);
        run r;
        REQUIRE(run_geo(&r, "impeach_timeout: 10s", rtts, "") == 0);
        uint64_t n;
        const lbft_block_rec *b = lbft_blocks(r.w->lbft, &n);
        REQUIRE(n == 1);
        CHECK(b[0].impeach == k);
        if (k) CHECK_EQ_U64(b[0].block_time, CP_S(20));
        for (uint32_t v = 0; v < 4; v++) CHECK_EQ_U64(vst(&r, v)->late_refused, (uint64_t)k);
        /* the only finding allowed: the liveness checker calls an impeachment of an honest
         * proposer in a fault-free run a violation (it does not know the latency exceeds the
         * acceptance window) */
        uint64_t nv;
        const lbft_violation *vl = lbft_violation_list(r.w->lbft, &nv);
        CHECK_EQ_U64(nv, (uint64_t)k);
        for (uint64_t i = 0; i < nv; i++) CHECK(vl[i].kind == LBFT_V_HONEST_IMPEACHED);
        run_stop(&r);
    }
}

/* Validators 2 (china) and 3 (south_america, used as a second far region here) get the block at
 * 10.83 s and commit; 0 and 1 (europe) certify at 11.66 s, and their Validate reaches 2 and 3
 * at 12.49 s. The impeach deadline (12 s, timeout 2 s) fired first: 2 and 3 impeach between
 * themselves (f + 1 = 2) and sent the impeach Validate at 12.4 s; each other's arrives at
 * 12.6 s. The normal Validate in between is inserted (CPChain leaves them in Validate), so all
 * four insert the normal block: no fork. */
static void t_validate_inserted_during_impeachment(void)
{
    const char *rtts = "{a: north_america, b: north_america, rtt: 2ms}, {a: north_america, b: europe, rtt: 2ms}, "
                       "{a: north_america, b: china, rtt: 1660ms}, {a: north_america, b: south_america, rtt: 1660ms}, "
                       "{a: europe, b: china, rtt: 1660ms}, {a: europe, b: south_america, rtt: 1660ms}, "
                       "{a: china, b: south_america, rtt: 400ms}";
    run r;
    REQUIRE(run_geo(&r, "impeach_timeout: 2s", rtts, "") == 0);
    uint64_t n;
    const lbft_block_rec *b = lbft_blocks(r.w->lbft, &n);
    REQUIRE(n == 1);
    CHECK(!b[0].impeach);
    CHECK_EQ_U64(vst(&r, 2)->validate_in_impeach, 1);
    CHECK_EQ_U64(vst(&r, 3)->validate_in_impeach, 1);
    CHECK_EQ_U64(vst(&r, 0)->validate_in_impeach, 0);
    CHECK(des_type_stats_get(r.w->des)[LBFT_MSG_IMPEACH_VALIDATE].sent >= 2); /* they did impeach */
    CHECK_EQ_U64(lbft_violations(r.w->lbft), 0); /* a fork would be counted */
    run_stop(&r);
}

/* Validator 3 is 5 s from everyone (RTT 10 s). With block_delay 30 s (allowed by late_blocks)
 * the block reaches it at 15 s, inside the window, but its impeach deadline (12 s) fired and it
 * signed the impeach block: it refuses the normal block. Without late_blocks the same
 * scenario is refused before the run, naming the key. */
static void t_impeach_signer_refuses_late_block(void)
{
    const char *rtts = "{a: north_america, b: north_america, rtt: 2ms}, {a: north_america, b: europe, rtt: 2ms}, "
                       "{a: north_america, b: china, rtt: 2ms}, {a: europe, b: china, rtt: 2ms}, "
                       "{a: north_america, b: south_america, rtt: 10s}, {a: europe, b: south_america, rtt: 10s}, "
                       "{a: china, b: south_america, rtt: 10s}";
    run r;
    REQUIRE(run_geo(&r, "impeach_timeout: 2s, block_delay: 30s, late_blocks: true", rtts, "") == 0);
    uint64_t n;
    const lbft_block_rec *b = lbft_blocks(r.w->lbft, &n);
    REQUIRE(n == 1);
    CHECK(!b[0].impeach);
    CHECK(vst(&r, 3)->impeach_refused >= 1); /* the proposer's copy and the echoes */
    CHECK_EQ_U64(vst(&r, 3)->late_refused, 0);
    CHECK_EQ_U64(lbft_violations(r.w->lbft), 0);
    run_stop(&r);

    char text[1024], err[512];
    snprintf(text, sizeof text,
             "name: rules\nseed: 5\nduration: 60s\nprotocol: lbft\nnodes:\n  - {count: 16, class: server}\n"
             "consensus: {validators: 4, proposers: 12, impeach_timeout: 2s, block_delay: 2s}\nplots: false\n");
    wld_cfg cfg;
    REQUIRE(scn_load_string("rules.yaml", text, strlen(text), &wld_schema, &cfg, NULL, 0, err, sizeof err) == 0);
    wld *w = wld_new(&cfg, err, sizeof err);
    CHECK(!w);
    CHECK(strncmp(err, "consensus.block_delay: expected less than consensus.impeach_timeout", 67) == 0);
    wld_free(w);
    scn_free(&wld_schema, &cfg);
}

TEST_MAIN(TEST(t_idle_validator_commits), TEST(t_block_delay_defaults_to_half_timeout), TEST(t_validate_inserted_during_impeachment),
          TEST(t_impeach_signer_refuses_late_block))
