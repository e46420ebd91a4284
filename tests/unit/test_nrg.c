/* Unit tests for sim/energy: the four parts of a node's joules, exact for known inputs;
 * clamping of a busy time past the covered time; airtime; projected lifetime. */
#include "sim/energy/nrg.h"
#include "tests/harness.h"

static const nrg_class cls = {0.5, 0.01, 0.06, 0.05, 0.001, 3600.0};

static void t_parts_exact(void)
{
    /* 10 s covered, 2 s CPU busy, 1 s transmitting, 0.5 s receiving. */
    nrg_use u = {CP_S(10), CP_S(2), 1.0, 0.5};
    nrg_joules j;
    nrg_account(&cls, &u, &j);
    CHECK_NEAR(j.cpu, 1.0, 1e-12);                    /* 2 s x 0.5 W */
    CHECK_NEAR(j.tx, 0.06, 1e-12);                    /* 1 s x 0.06 W */
    CHECK_NEAR(j.rx, 0.025, 1e-12);                   /* 0.5 s x 0.05 W */
    CHECK_NEAR(j.idle, 8 * 0.01 + 8.5 * 0.001, 1e-12);/* CPU idle 8 s, radio idle 8.5 s */
    CHECK_NEAR(nrg_total(&j), 1.0 + 0.06 + 0.025 + 0.0885, 1e-12);
}

static void t_clamped(void)
{
    nrg_use u = {CP_S(1), CP_S(3), 5.0, 5.0};         /* charges past the covered second */
    nrg_joules j;
    nrg_account(&cls, &u, &j);
    CHECK_NEAR(j.cpu, 0.5, 1e-12);
    CHECK_NEAR(j.tx, 0.06, 1e-12);
    CHECK_NEAR(j.rx, 0.0, 1e-12);
    CHECK_NEAR(j.idle, 0.0, 1e-12);
}

static void t_airtime(void)
{
    CHECK_NEAR(nrg_airtime_s(1000, 250000), 0.032, 1e-15); /* 1000 B at 250 kbit/s */
    CHECK_NEAR(nrg_airtime_s(1000, 0), 0.0, 0);
}

static void t_lifetime(void)
{
    nrg_use u = {CP_S(100), 0, 0, 0};                 /* idle only: 0.011 W */
    nrg_joules j;
    nrg_account(&cls, &u, &j);
    CHECK_NEAR(nrg_lifetime_s(&cls, &j, u.t), 3600.0 / 0.011, 1e-6);
    nrg_class mains = cls;
    mains.battery_j = 0;
    CHECK(nrg_lifetime_s(&mains, &j, u.t) < 0);
}

TEST_MAIN(TEST(t_parts_exact), TEST(t_clamped), TEST(t_airtime), TEST(t_lifetime))
