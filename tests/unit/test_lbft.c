/* Validation tests of core/lbft on the built-in engine (the reference cases):
 * n = 7, period 10 s, impeach timeout 10 s, LAN, no faults: a normal block every 10 s; an
 * offline proposer: an impeach block at parent time + 20 s; n = 4 and n = 31 commit too;
 * the strict decoder rejects malformed messages. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sim/world/world_int.h"
#include "tests/harness.h"
#include "tests/world_run.h"

static const char base[] =
    "name: lbft-test\nseed: 3\nduration: 300s\nprotocol: lbft\n"
    "network: {table: uniform, uniform_rtt: 2ms, jitter: 0}\n"
    "nodes:\n  - {count: 60, class: server}\n"
    "consensus: {validators: 7, proposers: 12, period: 10s, impeach_timeout: 10s, heights: 8}\n"
    "plots: false\n";

static int start(run *r, const scn_override *o, size_t n)
{
    return run_text(r, "t.yaml", base, sizeof base - 1, o, n);
}

static void stop(run *r) { run_stop(r); }

static void t_block_every_period(void)
{
    run r;
    REQUIRE(start(&r, NULL, 0) == 0);
    uint64_t n;
    const lbft_block_rec *b = lbft_blocks(r.w->lbft, &n);
    CHECK_EQ_U64(n, 8);
    for (uint64_t i = 0; i < n; i++) {
        CHECK(!b[i].impeach);
        CHECK_EQ_U64(b[i].height, i + 1);
        CHECK_EQ_U64(b[i].block_time, CP_S(10) * (i + 1));
        CHECK(b[i].inserted > b[i].block_time && b[i].inserted - b[i].block_time < CP_MS(100));
        CHECK_EQ_U64(b[i].proposer, lbft_proposer_of(r.w->lbft, i + 1));
    }
    CHECK_EQ_U64(lbft_violations(r.w->lbft), 0);
    CHECK_EQ_U64(lbft_bad_signatures(r.w->lbft), 0);
    stop(&r);
}

static void t_offline_proposer_impeached_at_20s(void)
{
    run r;
    scn_override o = {"consensus.offline", "[9]"}; /* the proposer of height 3 */
    REQUIRE(start(&r, &o, 1) == 0);
    uint64_t n;
    const lbft_block_rec *b = lbft_blocks(r.w->lbft, &n);
    REQUIRE(n == 8);
    CHECK(b[2].impeach && b[2].proposer == UINT32_MAX && b[2].cause == LBFT_CAUSE_NO_BLOCK);
    CHECK_EQ_U64(b[2].block_time, b[1].block_time + CP_S(20));
    CHECK(b[2].inserted >= b[1].block_time + CP_S(20) && b[2].inserted < b[1].block_time + CP_S(20) + CP_MS(100));
    for (uint64_t i = 0; i < n; i++) CHECK(b[i].impeach == (i == 2));
    CHECK_EQ_U64(lbft_violations(r.w->lbft), 0);
    /* offline = an engine crash from t = 0: the node stays down, and the blocks validators send
     * the proposers reach all of them but node 9 (each of the 7 validators, per height) */
    CHECK(des_is_down(r.w->des, 9));
    const des_type_stats *ts = des_type_stats_get(r.w->des);
    CHECK_EQ_U64(ts[LBFT_MSG_NEWBLOCK].dropped, 7 * n);
    CHECK_EQ_U64(ts[LBFT_MSG_NEWBLOCK].delivered, 7 * n * 11);
    stop(&r);
}

/* f = 2 silent validators: every height still commits normally; f + 1 = 3 silent: no normal
 * quorum (2f+1 = 5 of the 4 left) but the impeach quorum (f+1 = 3) is there: every height is
 * an impeach block, 20 s after its parent. */
static void t_silent_validators(void)
{
    run r;
    scn_override two = {"consensus.offline", "[5, 6]"};
    REQUIRE(start(&r, &two, 1) == 0);
    uint64_t n;
    const lbft_block_rec *b = lbft_blocks(r.w->lbft, &n);
    CHECK_EQ_U64(n, 8);
    for (uint64_t i = 0; i < n; i++) CHECK(!b[i].impeach);
    stop(&r);
    scn_override three = {"consensus.offline", "[4-6]"};
    REQUIRE(start(&r, &three, 1) == 0);
    b = lbft_blocks(r.w->lbft, &n);
    CHECK(n >= 8);
    for (uint64_t i = 0; i < n && i < 8; i++) {
        CHECK(b[i].impeach);
        CHECK_EQ_U64(b[i].block_time, CP_S(20) * (i + 1));
    }
    CHECK_EQ_U64(lbft_violations(r.w->lbft), 0);
    stop(&r);
}

/* DPoR: 12 default proposers and 20 RNode candidates. Terms 0-2 use the defaults; from term
 * 3 on, each term's 12 seats are 8 elected candidates and 4 defaults (one per quarter); the
 * heights of offline candidates are impeached, and impeachment lowers their RPT. */
static void t_dpor_elected_terms(void)
{
    run r;
    scn_override o[5] = {{"consensus.proposers", "32"}, {"consensus.heights", "216"},
                         {"duration", "3000s"}, {"consensus.offline", "[35-38]"}, {"nodes.0.count", "40"}};
    REQUIRE(start(&r, o, 5) == 0);
    lbft *l = r.w->lbft;
    for (uint64_t h = 1; h <= 108; h++) CHECK(lbft_proposer_of(l, h) < 7 + 12); /* defaults */
    for (uint64_t t = 3; t < 6; t++) {
        int defaults = 0;
        for (uint64_t seat = 0; seat < 12; seat++) {
            uint32_t p = lbft_proposer_of(l, t * 36 + 1 + seat);
            defaults += p < 7 + 12;
            CHECK(p >= 7 && p < 7 + 32);
        }
        CHECK(defaults == 4);
        for (int q = 0; q < 4; q++) { /* one default per quarter of the list */
            int dq = 0;
            for (int i = 0; i < 3; i++) dq += lbft_proposer_of(l, t * 36 + 1 + 3 * q + i) < 7 + 12;
            CHECK(dq == 1);
        }
    }
    uint64_t n;
    const lbft_block_rec *b = lbft_blocks(l, &n);
    CHECK_EQ_U64(n, 216);
    for (uint64_t i = 0; i < n; i++) {
        uint32_t sched = lbft_proposer_of(l, b[i].height);
        CHECK(b[i].impeach == (sched >= 35 && sched <= 38));
    }
    CHECK_EQ_U64(lbft_violations(l), 0);
    stop(&r);
}

/* Closed form on a LAN with no bandwidth limit, no jitter and (nearly) free CPU: one-way
 * delay d = RTT/2 = 1 ms. Without transactions a block is inserted 4d after its header time
 * (pre-prepare, prepare, commit, validate). With Poisson transactions, one submitted
 * uniformly in a period waits on average period/2 for the cut, d to reach the proposer before
 * it, and the block's commit delay D: 5 s + d + D. Both within 1 %. */
static void t_commit_latency_closed_form(void)
{
    const double d = 1e-3;
    scn_override lan[7] = {{"classes.lan.cpu_factor", "0.001"}, {"classes.lan.uplink", "0"},
                           {"classes.lan.downlink", "0"}, {"classes.lan.access_latency", "0"},
                           {"nodes.0.class", "lan"}, {"consensus.heights", "30"}, {"duration", "400s"}};
    scn_override all[8];
    memcpy(all, lan, sizeof lan);
    run r;
    REQUIRE(start(&r, all, 7) == 0);
    uint64_t nb, nt, k = 0;
    const lbft_block_rec *b = lbft_blocks(r.w->lbft, &nb);
    REQUIRE(nb == 30);
    for (uint64_t i = 0; i < nb; i++) CHECK_NEAR((double)(b[i].inserted - b[i].block_time) / 1e9, 4 * d, 0.01 * 4 * d);
    stop(&r);
    all[7] = (scn_override){"consensus.tx_rate", "150"}; /* below max_txs per period: no backlog */
    REQUIRE(start(&r, all, 8) == 0);
    b = lbft_blocks(r.w->lbft, &nb);
    const lbft_tx_rec *t = lbft_txs(r.w->lbft, &nt);
    double dsum = 0, sum = 0;
    for (uint64_t i = 0; i < nb; i++) dsum += (double)(b[i].inserted - b[i].block_time) / 1e9;
    for (uint64_t i = 0; i < nt; i++)
        if (t[i].commit != CP_TIME_NEVER) sum += (double)(t[i].commit - t[i].submit) / 1e9, k++;
    REQUIRE(k > 40000);
    double want = 5.0 + d + dsum / (double)nb;
    printf("# %llu transactions, mean commit latency %.5f s, closed form %.5f s\n", (unsigned long long)k,
           sum / (double)k, want);
    CHECK_NEAR(sum / (double)k, want, 0.01 * want);
    stop(&r);
}

/* Civilians relay certified blocks over their graph: all 41 of them get every height, after
 * validator 0 inserted it minus at most a network delay, and in height order. */
static void t_civilians_get_every_block(void)
{
    run r;
    scn_override o[1] = {{"consensus.civilian_degree", "3"}};
    REQUIRE(start(&r, o, 1) == 0);
    lbft *l = r.w->lbft;
    REQUIRE(lbft_civilians(l) == 60 - 19);
    uint64_t n;
    const lbft_block_rec *b = lbft_blocks(l, &n);
    REQUIRE(n == 8);
    for (uint32_t c = 0; c < lbft_civilians(l); c++)
        for (uint64_t i = 0; i < n; i++) {
            cp_time a = lbft_civilian_arrival(l, b[i].height, c);
            CHECK(a != CP_TIME_NEVER && a + CP_MS(5) > b[i].inserted && a < b[i].inserted + CP_S(1));
            if (i) CHECK(a > lbft_civilian_arrival(l, b[i - 1].height, c));
        }
    stop(&r);
}

static void t_committee_sizes(void)
{
    static const char *sizes[] = {"4", "31"};
    for (int k = 0; k < 2; k++) {
        run r;
        scn_override o[2] = {{"consensus.validators", sizes[k]}, {"consensus.heights", "3"}};
        REQUIRE(start(&r, o, 2) == 0);
        uint64_t n;
        lbft_blocks(r.w->lbft, &n);
        CHECK_EQ_U64(n, 3);
        CHECK_EQ_U64(lbft_violations(r.w->lbft), 0);
        stop(&r);
    }
}

/* Ledger mode: transfers with nonces and fees through per-proposer mempools; every included
 * transaction applies (the proposers pick valid nonce chains), the state root is set and
 * reproducible; under overload the pools evict the lowest fees. */
static void t_ledger_mode(void)
{
    run r, r2;
    scn_override o[3] = {{"consensus.ledger", "true"}, {"consensus.tx_rate", "50"}, {"duration", "95s"}};
    REQUIRE(start(&r, o, 3) == 0);
    uint64_t n, applied, invalid[LBFT_LEDGER_REASONS], evicted, included = 0, bad = 0;
    const lbft_block_rec *b = lbft_blocks(r.w->lbft, &n);
    REQUIRE(lbft_ledger_totals(r.w->lbft, &applied, invalid, &evicted) == 0);
    for (uint64_t i = 0; i < n; i++) included += b[i].ntx;
    for (int k = 0; k < LBFT_LEDGER_REASONS; k++) bad += invalid[k];
    CHECK(included > 1000);
    CHECK_EQ_U64(applied, included);
    CHECK_EQ_U64(bad, 0);
    static const uint8_t zero[32];
    CHECK(n && memcmp(b[n - 1].state_root, zero, 32) != 0);
    REQUIRE(start(&r2, o, 3) == 0);
    uint64_t n2;
    const lbft_block_rec *b2 = lbft_blocks(r2.w->lbft, &n2);
    CHECK(n2 == n && memcmp(b2[n - 1].state_root, b[n - 1].state_root, 32) == 0);
    stop(&r2);
    stop(&r);
    scn_override o2[4] = {{"consensus.ledger", "true"}, {"consensus.tx_rate", "400"}, {"consensus.max_txs", "20"},
                          {"duration", "60s"}};
    REQUIRE(start(&r, o2, 4) == 0);
    REQUIRE(lbft_ledger_totals(r.w->lbft, &applied, invalid, &evicted) == 0);
    CHECK(evicted > 0);
    printf("# ledger: %llu applied, 0 invalid; overloaded pools evicted %llu\n", (unsigned long long)included,
           (unsigned long long)evicted);
    stop(&r);
}

static uint64_t submitted_in(const lbft *l, cp_time a, cp_time b)
{
    uint64_t n, k = 0;
    const lbft_tx_rec *t = lbft_txs(l, &n);
    for (uint64_t i = 0; i < n; i++) k += t[i].submit >= a && t[i].submit < b;
    return k;
}

/* Workload patterns: constant arrivals give exactly rate x time (one per client per gap);
 * a burst raises the Poisson rate inside its window only (counts within 5 sigma). */
static void t_tx_patterns(void)
{
    run r;
    scn_override c[3] = {{"consensus.tx_rate", "41"}, {"consensus.tx_pattern", "constant"}, {"duration", "60s"}};
    REQUIRE(start(&r, c, 3) == 0);
    uint64_t k = submitted_in(r.w->lbft, CP_S(10), CP_S(50)); /* 41 clients, one per second each */
    CHECK(k >= 41 * 40 - 41 && k <= 41 * 40 + 41);
    stop(&r);
    scn_override b[3] = {{"consensus.tx_rate", "20"}, {"consensus.tx_bursts", "[{at: 20s, until: 30s, rate: 400}]"},
                         {"duration", "50s"}};
    REQUIRE(start(&r, b, 3) == 0);
    uint64_t in = submitted_in(r.w->lbft, CP_S(20), CP_S(30)), before = submitted_in(r.w->lbft, CP_S(5), CP_S(15));
    CHECK(in > 4000 - 5 * 64 && in < 4000 + 5 * 64);      /* Poisson: sd = sqrt(4000) */
    CHECK(before > 200 - 5 * 15 && before < 200 + 5 * 15); /* sd = sqrt(200) */
    printf("# constant 41/s over 40 s: %llu; burst 400/s over 10 s: %llu, base 20/s over 10 s: %llu\n",
           (unsigned long long)k, (unsigned long long)in, (unsigned long long)before);
    stop(&r);
}

static void t_decoder_strict(void)
{
    enum { BM = 1 + 88 + 64, FX = BM + 8 };  /* type, header, seal; one bitmap word (n <= 64) */
    uint8_t b[FX + 64 * 2 + 4 + 8] = {0};  /* two signatures, one transaction id */
    b[0] = LBFT_MSG_PREPARE;
    b[BM] = 0x0a;                          /* signers 1 and 3 */
    b[FX + 128] = 1;                       /* one transaction */
    CHECK(lbft_decode_check(b, sizeof b, 7) == 0);
    for (size_t len = 0; len < sizeof b; len++) CHECK(lbft_decode_check(b, len, 7) != 0);
    CHECK(lbft_decode_check(b, sizeof b, 3) != 0);  /* signer 3 beyond 3 validators */
    b[BM] = 0x0e;                                   /* three signers, two signatures present */
    CHECK(lbft_decode_check(b, sizeof b, 7) != 0);
    b[BM] = 0x0a;
    b[BM + 7] = 0x80;                               /* signer 63 of 7 */
    CHECK(lbft_decode_check(b, sizeof b, 7) != 0);
    b[BM + 7] = 0;
    b[0] = LBFT_N_MSG;                              /* unknown type */
    CHECK(lbft_decode_check(b, sizeof b, 7) != 0);
    b[0] = LBFT_MSG_PREPARE;
    b[1 + 53] = 1;                                  /* padding must be zero */
    CHECK(lbft_decode_check(b, sizeof b, 7) != 0);
    b[1 + 53] = 0;
    b[FX + 128] = 2;                                /* count says 2 transactions, 1 present */
    CHECK(lbft_decode_check(b, sizeof b, 7) != 0);
    uint8_t tx[81] = {LBFT_MSG_TX};
    CHECK(lbft_decode_check(tx, sizeof tx, 7) == 0);
    CHECK(lbft_decode_check(tx, 80, 7) != 0);
    tx[14] = 1;                                     /* padding */
    CHECK(lbft_decode_check(tx, sizeof tx, 7) != 0);
}

/* Under load every submitted transaction that arrived before the last block's cut is
 * committed once, in one block, and the commit latency is about half a period plus the
 * commit delay (Poisson arrivals, uniform within the period). */
static void t_transactions_committed_once(void)
{
    run r;
    scn_override o[2] = {{"consensus.tx_rate", "100"}, {"duration", "95s"}};
    REQUIRE(start(&r, o, 2) == 0);
    uint64_t nb, nt, in_blocks = 0;
    const lbft_block_rec *b = lbft_blocks(r.w->lbft, &nb);
    const lbft_tx_rec *t = lbft_txs(r.w->lbft, &nt);
    REQUIRE(nb == 8 && nt > 500);
    for (uint64_t i = 0; i < nb; i++) in_blocks += b[i].ntx;
    uint64_t committed = 0;
    double sum = 0;
    for (uint64_t i = 0; i < nt; i++) {
        if (t[i].commit == CP_TIME_NEVER) continue;
        committed++;
        sum += (double)(t[i].commit - t[i].submit) / 1e9;
        CHECK(t[i].height >= 1 && t[i].height <= 8 && t[i].commit >= b[t[i].height - 1].inserted - 1);
        if (t[i].submit + CP_MS(10) < CP_S(70)) CHECK(t[i].height > 0); /* arrived before the last cut */
    }
    CHECK_EQ_U64(committed, in_blocks); /* no transaction in two blocks */
    double mean = sum / (double)committed;
    CHECK(mean > 4.5 && mean < 5.6);
    CHECK_EQ_U64(lbft_violations(r.w->lbft), 0);
    stop(&r);
}

/* A sweep over the validator count (what `--grid nodes.validators.count=4,7,16` runs): every
 * other node keeps its role, class and region, and the offline proposer stays the same
 * proposer (regions drawn over all eight, so a shifted stream would show). */
static const char roles_yaml[] =
    "name: roles\nseed: 9\nduration: 60s\nprotocol: lbft\nnetwork: {table: default}\n"
    "nodes:\n  - {name: vehicles, role: client, count: 30, class: vehicle}\n"
    "  - {name: validators, role: validator, count: 7, class: server}\n"
    "  - {name: proposers, role: proposer, count: 12, class: gateway}\n"
    "consensus: {heights: 2, offline: [proposers.5]}\nplots: false\n";

static void t_sweep_keeps_roles(void)
{
    static const char *const sizes[] = {"4", "7", "16"};
    uint32_t reg[3][42], cls[3][42];
    for (int k = 0; k < 3; k++) {
        wld_cfg c;
        char err[512];
        scn_override o = {"nodes.validators.count", sizes[k]};
        REQUIRE(scn_load_string("roles.yaml", roles_yaml, sizeof roles_yaml - 1, &wld_schema, &c, &o, 1, err, sizeof err) == 0);
        wld *w = wld_new(&c, err, sizeof err);
        REQUIRE(w != NULL);
        uint32_t v = (uint32_t)atoi(sizes[k]);
        CHECK(c.consensus.validators == v && c.consensus.proposers == 12); /* validators first, whatever the file order */
        CHECK(c.consensus.n_offline == 1 && c.consensus.offline[0] == v + 5);
        for (uint32_t i = 0; i < 12; i++) reg[k][i] = net_region_of(w->net, v + i), cls[k][i] = net_class_of(w->net, v + i);
        for (uint32_t i = 0; i < 30; i++)
            reg[k][12 + i] = net_region_of(w->net, v + 12 + i), cls[k][12 + i] = net_class_of(w->net, v + 12 + i);
        for (uint32_t i = 0; i < v; i++) CHECK(net_class_of(w->net, i) == (uint32_t)wld_class_index(w, "server"));
        CHECK(cls[k][0] == (uint32_t)wld_class_index(w, "gateway") && cls[k][12] == (uint32_t)wld_class_index(w, "vehicle"));
        wld_free(w);
        scn_free(&wld_schema, &c);
    }
    int spread = 0;
    for (int i = 0; i < 42; i++) {
        CHECK(reg[0][i] == reg[1][i] && reg[1][i] == reg[2][i]);
        CHECK(cls[0][i] == cls[1][i] && cls[1][i] == cls[2][i]);
        spread |= reg[1][i] != reg[1][0];
    }
    CHECK(spread);
}

TEST_MAIN(TEST(t_sweep_keeps_roles), TEST(t_ledger_mode), TEST(t_tx_patterns), TEST(t_block_every_period), TEST(t_offline_proposer_impeached_at_20s), TEST(t_silent_validators), TEST(t_dpor_elected_terms), TEST(t_commit_latency_closed_form), TEST(t_civilians_get_every_block), TEST(t_committee_sizes),
          TEST(t_decoder_strict), TEST(t_transactions_committed_once))
