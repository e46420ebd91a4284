/* Tests of radio access cells (sim/world/radio.c and the ns3 engine's radios): the airtime of
 * a 6LoWPAN-over-802.15.4 message matches the standard's 250 kbit/s arithmetic frame by
 * frame; the attachment of devices to access points is round-robin and inside the radio
 * range; a radio class with an unknown or radio access point class, or lte, is an error.
 * Each ns-3 run happens in a child process (one ns-3 simulation per process); the ns-3 tests
 * skip when the ns3 engine is not built. */
#include <math.h>
#include <sys/wait.h>
#include <unistd.h>

#include "sim/world/world_int.h"
#include "tests/harness.h"
#include "tests/world_run.h"

/* A mote (node 1) floods `blocks` blocks of `size` bytes to its gateway (node 0), 1 s apart;
 * power figures of 1 W make the radio joules the airtime in seconds. */
static const char cell_yaml[] =
    "name: cell\nduration: 5s\nengine: ns3\nnetwork: {table: uniform, uniform_rtt: 10ms}\n"
    "classes:\n  mote: {uplink: 250kbps, downlink: 250kbps, access_latency: 0, access: lrwpan,\n"
    "    cpu_active: 0, cpu_idle: 0, radio_tx: 1, radio_rx: 1, radio_idle: 0}\n"
    "nodes:\n  - {name: gw, count: 1, class: gateway}\n  - {name: mote, count: 1, class: mote}\n"
    "flood: {degree: 1, blocks: 1, block_size: 120B, first: 1s, interval: 1s, source: 1}\n"
    "crypto: {sign: false}\nplots: false\n";

typedef struct air {
    int ok;
    double tx[2], rx[2];      /* gateway, mote */
    uint64_t delivered;
} air;

static void air_here(const char *blocks, const char *size, air *a)
{
    scn_override o[2] = {{"flood.blocks", blocks}, {"flood.block_size", size}};
    run r;
    a->ok = run_text(&r, "cell", cell_yaml, sizeof cell_yaml - 1, o, 2) == 0;
    for (cp_node v = 0; a->ok && v < 2; v++) a->ok &= des_backend_airtime(r.w->des, v, &a->tx[v], &a->rx[v]);
    if (a->ok) a->delivered = des_type_stats_get(r.w->des)[0].delivered;
    run_stop(&r);
}

static void air_run(const char *blocks, const char *size, air *a)
{
    memset(a, 0, sizeof *a);
    int fd[2];
    if (pipe(fd) != 0) return;
    fflush(stdout);
    pid_t pid = fork();
    if (pid == 0) {
        close(fd[0]);
        air mine;
        memset(&mine, 0, sizeof mine);
        air_here(blocks, size, &mine);
        _exit(write(fd[1], &mine, sizeof mine) == (ssize_t)sizeof mine ? 0 : 1);
    }
    close(fd[1]);
    if (read(fd[0], a, sizeof *a) != (ssize_t)sizeof *a) memset(a, 0, sizeof *a);
    close(fd[0]);
    int st;
    waitpid(pid, &st, 0);
}

static int have_ns3(void)
{
    int found;
    eng_find("ns3", &found);
    if (!found) printf("# ns3 engine not built: radio airtime not checked\n");
    return found;
}

#define US 1e-6
#define BYTE_S (8.0 / 250000.0) /* 32 us per byte at 250 kbit/s */

/* The second message's frames, from the difference of a 2-block and a 1-block run (the first
 * message to a neighbour also pays IPv6 neighbour discovery, and the cell's start its router
 * solicitations). A 120-byte message is one UDP datagram whose IPv6 packet exceeds a frame:
 * 6LoWPAN cuts it into FRAG1 (4-byte header) and FRAGN (5); each frame adds the PHY's 6 bytes
 * (preamble 4, SFD 1, PHR 1), a MAC header of 9 (frame control 2, sequence 1, PAN id 2, short
 * destination and source 2 + 2) and the FCS 2; the compressed IPv6 + UDP header (IPHC with
 * both global addresses inline, UDP next-header compression) takes 42 bytes in ns-3 3.37.
 * The gateway acknowledges each frame: 6 + 5 bytes. */
static void t_lrwpan_airtime_arithmetic(void)
{
    if (!have_ns3()) return;
    air one, two, big;
    air_run("1", "120B", &one);
    air_run("2", "120B", &two);
    air_run("2", "128B", &big);
    REQUIRE(one.ok && two.ok && big.ok);
    CHECK_EQ_U64(one.delivered, 1);
    CHECK_EQ_U64(two.delivered, 2);
    double frames = 2 * (6 + 9 + 2) + 4 + 5 + 42 + 120, acks = 2 * (6 + 5);
    CHECK_NEAR(two.tx[1] - one.tx[1], frames * BYTE_S, 0.01 * US);
    CHECK_NEAR(two.rx[0] - one.rx[0], frames * BYTE_S, 0.01 * US);
    CHECK_NEAR(two.tx[0] - one.tx[0], acks * BYTE_S, 0.01 * US);
    CHECK_NEAR(two.rx[1] - one.rx[1], acks * BYTE_S, 0.01 * US);
    /* 8 more bytes per message: 8 x 32 us more on the air for each of the two messages */
    CHECK_NEAR(big.tx[1] - two.tx[1], 2 * 8 * BYTE_S, 0.01 * US);
    printf("# one 120-byte message: %.0f us on the air from the mote, %.0f us of acks\n",
           (two.tx[1] - one.tx[1]) / US, (two.tx[0] - one.tx[0]) / US);
}

static const char attach_yaml[] =
    "name: attach\nduration: 1s\nnetwork: {table: uniform}\n"
    "classes:\n  mote: {access: lrwpan, radio_range: 15}\n"
    "nodes:\n  - {name: gw, count: 3, class: gateway}\n  - {name: mote, count: 10, class: mote}\n"
    "protocol: phold\nplots: false\n";

static void t_attach_round_robin_in_range(void)
{
    run r;
    REQUIRE(run_text(&r, "attach", attach_yaml, sizeof attach_yaml - 1, NULL, 0) == 0);
    for (cp_node v = 0; v < 3; v++) CHECK(net_ap_of(r.w->net, v) == NET_NO_AP);
    for (cp_node v = 3; v < 13; v++) {
        cp_node ap = net_ap_of(r.w->net, v);
        CHECK_EQ_U64(ap, (v - 3) % 3);
        double x, y, ax, ay;
        net_pos(r.w->net, v, &x, &y);
        net_pos(r.w->net, ap, &ax, &ay);
        CHECK(hypot(x - ax, y - ay) <= 15.0);
        CHECK_NEAR(ax, 1000.0 * ap, 0);
    }
    run_stop(&r);
}

static void expect_error(const char *override_path, const char *value, const char *what)
{
    scn_override o = {override_path, value};
    wld_cfg cfg;
    memset(&cfg, 0, sizeof cfg);
    char err[512];
    REQUIRE(scn_load_string("attach", attach_yaml, sizeof attach_yaml - 1, &wld_schema, &cfg, &o, 1, err, sizeof err) == 0);
    wld *w = wld_new(&cfg, err, sizeof err);
    CHECK(w == NULL);
    if (!w) CHECK(strstr(err, what) != NULL);
    if (w) wld_free(w);
    printf("# %s\n", err);
    scn_free(&wld_schema, &cfg);
}

static void t_bad_access_points(void)
{
    expect_error("classes.mote.access_point", "nosuch", "unknown class");
    expect_error("classes.mote.access", "lte", "lte is not built");
    expect_error("classes.mote.access_point", "sensor", "no node has class");
}

TEST_MAIN(TEST(t_lrwpan_airtime_arithmetic), TEST(t_attach_round_robin_in_range), TEST(t_bad_access_points))
