/* Tests of a run's energy (sim/world/energy.c): a two-node scenario whose CPU charge and bytes
 * are known gives the hand-computed joules exactly; a node whose battery empties goes down at
 * the battery check that finds it empty, receives nothing after, and the results say when. */
#include "sim/world/world_int.h"
#include "tests/harness.h"
#include "tests/world_run.h"

/* Node a floods one 10 kB block to node b, which validates it for 100 ms of reference CPU
 * (cpu_factor 2: 200 ms busy); no signatures, so no other CPU is charged. */
static const char two[] =
    "name: two\nduration: 10s\nnetwork: {table: uniform, uniform_rtt: 20ms}\n"
    "classes:\n  mote: {cpu_factor: 2, uplink: 250kbps, downlink: 250kbps, access_latency: 1ms,\n"
    "    cpu_active: 0.01, cpu_idle: 0.001, radio_tx: 0.05, radio_rx: 0.06, radio_idle: 0.0001, battery: 100}\n"
    "nodes:\n  - {name: a, count: 1, class: mote}\n  - {name: b, count: 1, class: mote}\n"
    "flood: {degree: 1, blocks: 1, block_size: 10kB, first: 1s, interval: 1s, validate: 100ms, source: 0}\n"
    "crypto: {sign: false}\nplots: false\n";

static void t_two_nodes_hand_computed(void)
{
    run r;
    CHECK(run_text(&r, "two", two, sizeof two - 1, NULL, 0) == 0);
    if (!r.w) return;
    CHECK_EQ_U64(des_cpu_busy(r.w->des, 0), 0);
    CHECK_EQ_U64(des_cpu_busy(r.w->des, 1), CP_MS(200));
    CHECK_EQ_U64(net_stats(r.w->net, 0)->bytes_up, 10000);
    CHECK_EQ_U64(net_stats(r.w->net, 1)->bytes_down, 10000);
    nrg_joules a, b;
    wld_energy_node(r.w, 0, &a);
    wld_energy_node(r.w, 1, &b);
    /* 10 000 B at 250 kbit/s: 0.32 s of airtime at each end; 10 s powered. */
    CHECK_NEAR(a.cpu, 0.0, 1e-15);
    CHECK_NEAR(a.tx, 0.32 * 0.05, 1e-15);
    CHECK_NEAR(a.rx, 0.0, 1e-15);
    CHECK_NEAR(a.idle, 10 * 0.001 + 9.68 * 0.0001, 1e-15);
    CHECK_NEAR(b.cpu, 0.2 * 0.01, 1e-15);
    CHECK_NEAR(b.tx, 0.0, 1e-15);
    CHECK_NEAR(b.rx, 0.32 * 0.06, 1e-15);
    CHECK_NEAR(b.idle, 9.8 * 0.001 + 9.68 * 0.0001, 1e-15);
    CHECK(wld_energy_depleted(r.w, 1) == CP_TIME_NEVER);
    run_stop(&r);
}

/* b idles at 1 W on a 4.5 J battery: the check at 5 s finds 5 J drawn; blocks sent from 5 s on
 * never reach it. */
static const char drain[] =
    "name: drain\nduration: 10s\nnetwork: {table: uniform, uniform_rtt: 20ms}\n"
    "classes:\n  mote: {cpu_active: 0, cpu_idle: 0, battery: 0}\n"
    "  weak: {cpu_active: 0, cpu_idle: 1, battery: 4.5}\n"
    "nodes:\n  - {name: a, count: 1, class: mote}\n  - {name: b, count: 1, class: weak}\n"
    "flood: {degree: 1, blocks: 8, block_size: 1kB, first: 1s, interval: 1s, source: 0}\n"
    "energy: {deplete: true, check: 1s}\ncrypto: {sign: false}\nplots: false\n";

static void t_battery_depletes(void)
{
    run r;
    CHECK(run_text(&r, "drain", drain, sizeof drain - 1, NULL, 0) == 0);
    if (!r.w) return;
    CHECK_EQ_U64(wld_energy_depleted(r.w, 1), CP_S(5));
    CHECK(wld_energy_depleted(r.w, 0) == CP_TIME_NEVER);
    CHECK(des_is_down(r.w->des, 1));
    for (uint32_t k = 0; k < 8; k++)
        CHECK((flood_arrival(r.w->flood, k, 1) != CP_TIME_NEVER) == (k < 4));
    nrg_joules b;
    wld_energy_node(r.w, 1, &b);
    CHECK_NEAR(nrg_total(&b), 5.0, 1e-12);  /* powered until the check at 5 s */
    run_stop(&r);
}

TEST_MAIN(TEST(t_two_nodes_hand_computed), TEST(t_battery_depletes))
