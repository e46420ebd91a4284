/* Unit tests for core/iot on the built-in engine, with the chain and the directory played by
 * the test doubles of tests/iot_doubles.h (shared travel: test_iot_travel.c). Checked: the
 * charging curve against hand-derived times; EV sessions reserve, lock a deposit, charge exactly the curve's time once both plugged and deposit known, and settle with
 * the EV's countersignature; two EVs wanting the one pile conflict and the loser looks again;
 * forged directory records and forged messages (signed with real keys) are refused; parking bills by the started minute, never opens
 * before the deposit is committed and never holds more cars than spaces; logistics traces
 * follow the routes, chain their hashes, reach the indexer, and queries get complete histories;
 * bad configurations name their field; same seed, same results. */
#include "core/chain/chain.h"
#include "core/iot/iot.h"
#include "core/stk/stk.h"
#include "sim/des/des.h"
#include "tests/harness.h"

#include <math.h>

#include "tests/iot_doubles.h"

/* ---- tests --------------------------------------------------------------------------------- */

static void t_charge_curve(void)
{
    /* 40 kWh at 50 kW: 0.2 -> 0.8 is 24 kWh at full power = 0.48 h; 0.8 -> 0.9 tapers:
     * (0.2 * 40 / 50) ln(0.2 / 0.1) = 0.16 ln 2 h. */
    CHECK_NEAR(iot_charge_hours(40, 50, 0.2, 0.8), 0.48, 1e-12);
    CHECK_NEAR(iot_charge_hours(40, 50, 0.8, 0.9), 0.16 * log(2.0), 1e-12);
    CHECK_NEAR(iot_charge_hours(40, 50, 0.2, 0.9), 0.48 + 0.16 * log(2.0), 1e-12);
    CHECK_NEAR(iot_charge_hours(40, 50, 0.85, 0.9), 0.16 * log(0.15 / 0.1), 1e-12);
    CHECK(iot_charge_hours(40, 50, 0.5, 0.5) == 0);
}

static iot_cfg ev_cfg(void)
{
    iot_cfg c = iot_cfg_default(IOT_APP_EV);
    c.first = FIRST, c.end = CP_S(5400);
    c.ev.piles = 4, c.ev.evs = 6, c.ev.grid_w = 2, c.ev.grid_h = 1;
    c.ev.capacity_kwh = 10, c.ev.drive_kw = 20, c.ev.pile_kw = 50;
    return c;
}

static void t_ev_sessions_settle(void)
{
    iot_cfg c = ev_cfg();
    world *w = run(&c, FIRST + 10, 1, CP_S(7200), 0);
    REQUIRE(w);
    size_t n;
    const iot_session *s = iot_sessions(w->a, &n);
    const iot_counts *k = iot_get_counts(w->a);
    CHECK(n >= 6 && k->sessions_done >= 6);
    CHECK_EQ_U64(k->malformed, 0);
    CHECK_EQ_U64(k->bad_sig, 0);
    CHECK_EQ_U64(w->chain.bad, 0);
    CHECK_EQ_U64(k->invalid, 0);
    uint64_t settled = 0;
    for (size_t i = 0; i < n; i++) {
        if (s[i].settled == CP_TIME_NEVER) continue;
        settled++;
        /* the chain: open and settle are the payer's and the payee's, with the right terms */
        const tc_tx *o = tx_of(w, CHAIN_TX_ESCROW_OPEN, s[i].escrow), *st = tx_of(w, CHAIN_TX_ESCROW_SETTLE, s[i].escrow);
        REQUIRE(o && st);
        CHECK(le(o->b + 1, 4) == s[i].user && le(o->b + 37, 4) == s[i].infra && le(o->b + 49, 8) == c.ev.deposit);
        CHECK(le(st->b + 1, 4) == s[i].infra && le(st->b + 75, 8) == s[i].pay);
        uint8_t d[32];
        cr_keypair kp;
        chain_settle_digest(d, s[i].escrow, s[i].pay);
        cr_keypair_derive(&kp, 1, s[i].user);
        CHECK(cr_verify_raw(st->b + 83, d, 32, kp.pk) == CR_OK); /* the EV's countersignature */
        /* order of events; charging starts when plugged and the deposit is known */
        CHECK(s[i].need < s[i].reserved && s[i].reserved <= s[i].open_sent && s[i].open_sent < s[i].open_committed);
        CHECK(s[i].open_committed < s[i].open_known);
        cp_time start = s[i].plugged > s[i].open_known ? s[i].plugged : s[i].open_known;
        CHECK(s[i].start == start && s[i].stop > s[i].start && s[i].unplug > s[i].stop);
        /* the curve: energy delivered = C (target - s0); duration = iot_charge_hours(s0, target) */
        double s0 = c.ev.soc_target - s[i].energy_wh / 1000.0 / c.ev.capacity_kwh;
        double h = iot_charge_hours(c.ev.capacity_kwh, c.ev.pile_kw, s0, c.ev.soc_target);
        CHECK_NEAR((double)(s[i].stop - s[i].start) / 3.6e12, h, 2e-4);
        uint64_t price = iot_pile_price(w->a, s[i].infra - FIRST);
        uint64_t pay = s[i].energy_wh * price / 1000;
        CHECK_EQ_U64(s[i].pay, pay < c.ev.deposit ? pay : c.ev.deposit);
        /* settlement: unplug -> UNPLUG at the pile (one 10 ms hop + verification) -> the next block
         * after 100 ms of gossip: between 110 ms and one period + 110 ms plus the CPU */
        cp_time lat = s[i].settled - s[i].unplug;
        CHECK(lat >= CP_MS(110) && lat <= CP_S(2) + CP_MS(111));
        CHECK(s[i].settle_valid);
    }
    CHECK(settled >= 6);
    CHECK(iot_infra_busy(w->a, 0, CP_S(7200)) > 0);
    /* the ledger paid exactly the settled amounts to the piles (each settle cost its fee) */
    uint64_t paid = 0, gained = 0;
    for (size_t i = 0; i < n; i++) paid += s[i].settled != CP_TIME_NEVER ? s[i].pay : 0;
    for (uint32_t p = 0; p < c.ev.piles; p++) {
        cp_node v = FIRST + p;
        gained += chain_ledger_balance(w->chain.lg, v) + chain_ledger_nonce(w->chain.lg, v) * c.fee - BALANCE;
    }
    CHECK(paid > 0);
    CHECK_EQ_U64(gained, paid);
    world_free(w);
}

static void t_ev_conflict(void)
{
    /* one cell, one pile, three EVs starting at the same state of charge: they need a pile at the
     * same instant, all see it free, all reserve; one wins, the two others are refused (2
     * conflicts), find it busy and retry every `retry` in lockstep, so when it is released both
     * see it free at the same retry and collide once more (1 conflict): 3 in all. */
    iot_cfg c = ev_cfg();
    c.ev.piles = 1, c.ev.evs = 3, c.ev.grid_w = 1, c.ev.soc0_min = c.ev.soc_target, c.end = CP_S(3600);
    world *w = run(&c, FIRST + 4, 3, CP_S(7200), 0);
    REQUIRE(w);
    size_t n;
    const iot_session *s = iot_sessions(w->a, &n);
    REQUIRE(n >= 3);
    CHECK_EQ_U64(s[0].need, s[1].need);
    CHECK_EQ_U64(s[0].conflicts + s[1].conflicts + s[2].conflicts, 3);
    CHECK(s[0].conflicts == 0 && s[1].conflicts >= 1 && s[2].conflicts >= 1);
    CHECK(iot_get_counts(w->a)->refused >= 2 && iot_get_counts(w->a)->no_pile > 0);
    for (int i = 0; i < 3; i++) CHECK(s[i].settled != CP_TIME_NEVER);
    /* the pile serves them one after the other */
    CHECK(s[1].start >= s[0].stop || s[0].start >= s[1].stop);
    world_free(w);
}

static void t_ev_forged_records(void)
{
    iot_cfg c = ev_cfg();
    world *w = run(&c, FIRST + 10, 1, CP_S(3600), 1);
    REQUIRE(w);
    size_t n;
    const iot_session *s = iot_sessions(w->a, &n);
    CHECK(n > 0 && iot_get_counts(w->a)->bad_sig > 0);
    for (size_t i = 0; i < n; i++) CHECK(s[i].reserved == CP_TIME_NEVER);
    CHECK_EQ_U64(w->chain.n, 0);
    world_free(w);
}

static void t_forged_messages(void)
{
    /* 3000 forged messages into each app's running world: nearly all are refused by the
     * handlers' checks (malformed or badly signed), none crashes or leaks (valgrind / ASan),
     * nothing invalid reaches the chain, and the honest sessions still settle. */
    iot_cfg c[3] = {ev_cfg(), iot_cfg_default(IOT_APP_PARK), iot_cfg_default(IOT_APP_LOG)};
    c[1].first = FIRST, c[1].end = CP_S(3000), c[1].park.arrival_rate = 20, c[1].park.stay_mean = CP_S(300);
    c[2].first = FIRST, c[2].end = CP_S(600), c[2].log.clients = 2;
    uint32_t n[3] = {FIRST + 10, FIRST + 24, FIRST + 11};
    for (int a = 0; a < 3; a++) {
        world *w = run_forged(&c[a], n[a], 5, CP_S(3600), 0, 3000);
        REQUIRE(w);
        const iot_counts *k = iot_get_counts(w->a);
        printf("# app %d: refused %llu of 3000 forged, sessions %llu, scans %llu, answered %llu\n", a,
               (unsigned long long)(k->malformed + k->bad_sig), (unsigned long long)k->sessions_done,
               (unsigned long long)k->scans, (unsigned long long)k->answered);
        CHECK(k->malformed + k->bad_sig >= 2900);
        CHECK_EQ_U64(w->chain.bad, 0);
        CHECK_EQ_U64(k->invalid, 0);
        CHECK(a == 2 ? k->scans > 100 && k->answered > 100 : k->sessions_done >= 5);
        size_t ns;
        const iot_session *s = iot_sessions(w->a, &ns);
        uint64_t dep = a == 0 ? c[0].ev.deposit : c[1].park.deposit;
        for (size_t i = 0; i < ns; i++) CHECK(s[i].pay <= dep);
        world_free(w);
    }
}

static iot_cfg park_cfg(void)
{
    iot_cfg c = iot_cfg_default(IOT_APP_PARK);
    c.first = FIRST, c.end = CP_S(3600);
    c.park.locks = 2, c.park.drivers = 12, c.park.spaces = 2, c.park.arrival_rate = 20;
    c.park.stay_mean = CP_S(600), c.park.price_per_min = 5, c.park.deposit = 200;
    return c;
}

static void t_park(void)
{
    iot_cfg c = park_cfg();
    world *w = run(&c, FIRST + 14, 2, CP_S(7200), 0);
    REQUIRE(w);
    size_t n;
    const iot_session *s = iot_sessions(w->a, &n);
    const iot_counts *k = iot_get_counts(w->a);
    CHECK(n > 20 && k->sessions_done > 10 && k->turned_away > 0);
    CHECK_EQ_U64(k->malformed + k->bad_sig + w->chain.bad + k->invalid, 0);
    for (size_t i = 0; i < n; i++) {
        if (s[i].open_known != CP_TIME_NEVER) CHECK(s[i].open_known > s[i].open_committed && s[i].plugged == s[i].open_known);
        if (s[i].settled == CP_TIME_NEVER) continue;
        uint64_t min = (s[i].stop - s[i].start + CP_S(60) - 1) / CP_S(60);
        uint64_t pay = min * c.park.price_per_min;
        CHECK_EQ_U64(s[i].minutes, min);
        CHECK_EQ_U64(s[i].pay, pay < c.park.deposit ? pay : c.park.deposit);
        /* deposit wait: HELLO and OFFER (2 x 10 ms), the open reaches the next block (100 ms of
         * gossip, at most one period), the NOTE (10 ms) */
        cp_time wait = s[i].plugged - s[i].need;
        CHECK(wait >= CP_MS(130) && wait <= CP_S(2) + CP_MS(131));
        cp_time lat = s[i].settled - s[i].stop; /* BILL, PAYSIG, then the next block */
        CHECK(lat >= CP_MS(120) && lat <= CP_S(2) + CP_MS(121));
    }
    /* occupancy never above the spaces: each lot's busy space-time is at most the run's */
    for (uint32_t l = 0; l < c.park.locks; l++) CHECK(iot_infra_busy(w->a, l, CP_S(7200)) <= CP_S(7200));
    for (size_t i = 0; i < n; i++) {
        int inside = 0;
        for (size_t j = 0; j < n; j++)
            inside += s[j].infra == s[i].infra && s[j].reserved != CP_TIME_NEVER && s[j].reserved <= s[i].reserved &&
                      (s[j].stop == CP_TIME_NEVER || s[j].stop > s[i].reserved);
        if (s[i].reserved != CP_TIME_NEVER) CHECK(inside <= (int)c.park.spaces);
    }
    world_free(w);
}

static iot_cfg log_cfg(void)
{
    iot_cfg c = iot_cfg_default(IOT_APP_LOG);
    c.first = FIRST, c.end = CP_S(600);
    c.log.hubs = 8, c.log.indexers = 1, c.log.clients = 3, c.log.hub_degree = 3;
    c.log.parcel_rate = 0.2, c.log.hop_time = CP_S(20), c.log.query_rate = 0.2, c.log.query_start = CP_S(60);
    return c;
}

static void t_log(void)
{
    iot_cfg c = log_cfg();
    world *w = run(&c, FIRST + 12, 4, CP_S(900), 0);
    REQUIRE(w);
    size_t ns, nq;
    const iot_scan *s = iot_scans(w->a, &ns);
    const iot_query *q = iot_queries(w->a, &nq);
    const iot_counts *k = iot_get_counts(w->a);
    CHECK(k->parcels > 60 && ns > 2 * k->parcels);
    CHECK_EQ_U64(k->malformed + k->bad_sig + w->chain.bad + k->invalid, 0);
    uint32_t hubs[IOT_MAX_ROUTE];
    uint8_t prev[32] = {0};
    for (size_t i = 0; i < ns; i++) {
        uint32_t len = iot_parcel_route(w->a, s[i].parcel, hubs);
        CHECK(s[i].pos < len && hubs[s[i].pos] == s[i].hub);
        CHECK(s[i].event == (s[i].pos == 0 ? IOT_EV_PICKUP : s[i].pos + 1 == len ? IOT_EV_DELIVERED : IOT_EV_TRANSIT));
        CHECK(s[i].committed != CP_TIME_NEVER && s[i].indexed > s[i].committed && s[i].valid);
        /* scan -> commit: 100 ms of gossip, then the next 2 s block */
        CHECK(s[i].committed - s[i].at >= CP_MS(100) && s[i].committed - s[i].at <= CP_S(2) + CP_MS(101));
    }
    /* the hash chain of each delivered parcel, recomputed from the committed transactions */
    uint64_t chained = 0;
    for (size_t t = 0; t < w->chain.n; t++) {
        const uint8_t *p = w->chain.tx[t].b + 67;
        if (p[12] != IOT_EV_PICKUP) continue;
        memset(prev, 0, 32);
        uint64_t parcel = le(p, 8);
        for (size_t u = t; u < w->chain.n; u++) {
            const uint8_t *x = w->chain.tx[u].b + 67;
            if (le(x, 8) != parcel) continue;
            uint8_t b[64], h[32];
            memcpy(b, "cpsim-trace", 11), memcpy(b + 11, prev, 32), memcpy(b + 43, x, 8), memcpy(b + 51, x + 8, 4);
            b[55] = x[12], memcpy(b + 56, x + 13, 8);
            cr_hash(h, b, 64);
            CHECK(memcmp(h, x + 21, 32) == 0);
            memcpy(prev, h, 32);
            chained++;
        }
    }
    CHECK_EQ_U64(chained, ns);
    uint64_t answered = 0, complete = 0;
    for (size_t i = 0; i < nq; i++) {
        if (q[i].answered == CP_TIME_NEVER) continue;
        answered++, complete += q[i].complete;
        CHECK(q[i].verified && q[i].returned >= q[i].expected && q[i].returned <= q[i].made + 8);
        CHECK(q[i].answered - q[i].sent >= CP_MS(20) && q[i].answered - q[i].sent < CP_MS(25));
    }
    CHECK(answered > 60 && answered == k->queries);
    /* a commit NOTE and a query race only if the block lands within 10 ms of the query */
    CHECK(complete * 100 >= answered * 95);
    world_free(w);
}

static void t_bad_cfg(void)
{
    char err[200];
    iot_cfg c = ev_cfg();
    c.ev.soc_low = 0.9;
    CHECK(!iot_new(&c, 20, 1, err, sizeof err) && strstr(err, "iot.ev.soc_target"));
    c = park_cfg();
    c.park.spaces = 0;
    CHECK(!iot_new(&c, 20, 1, err, sizeof err) && strstr(err, "iot.park"));
    c = log_cfg();
    c.log.max_hops = 9;
    CHECK(!iot_new(&c, 20, 1, err, sizeof err) && strstr(err, "iot.log.max_hops"));
    c = log_cfg();
    CHECK(!iot_new(&c, 10, 1, err, sizeof err) && strstr(err, "iot.roles"));
}

static int same_run(const iot_cfg *c, uint32_t n, uint64_t s1, uint64_t s2)
{
    world *a = run(c, n, s1, CP_S(3600), 0), *b = run(c, n, s2, CP_S(3600), 0);
    int same = -1;
    if (a && b) {
        size_t na, nb;
        const iot_session *x = iot_sessions(a->a, &na), *y = iot_sessions(b->a, &nb);
        same = na == nb && !memcmp(x, y, na * sizeof *x) && !memcmp(iot_get_counts(a->a), iot_get_counts(b->a), sizeof(iot_counts));
    }
    if (a) world_free(a);
    if (b) world_free(b);
    return same;
}

static void t_same_seed(void)
{
    iot_cfg c = ev_cfg();
    CHECK(same_run(&c, FIRST + 10, 7, 7) == 1);
    CHECK(same_run(&c, FIRST + 10, 7, 8) == 0);
    iot_cfg p = park_cfg();
    CHECK(same_run(&p, FIRST + 14, 7, 7) == 1);
}

TEST_MAIN(TEST(t_charge_curve), TEST(t_ev_sessions_settle), TEST(t_ev_conflict), TEST(t_ev_forged_records), TEST(t_forged_messages),
          TEST(t_park), TEST(t_log), TEST(t_bad_cfg), TEST(t_same_seed))
