/* Unit tests for core/stk: a one-layer stack is the protocol itself (byte-identical results);
 * two real protocols (DHT and flood) share one world's nodes and each gets exactly its own
 * messages, timers and metrics; calls across layers act with the callee's env. */
#include "core/dht/dht.h"
#include "core/flood/flood.h"
#include "core/stk/stk.h"
#include "sim/des/des.h"
#include "tests/harness.h"

#include <stdlib.h>
#include <string.h>

static const char *const rn[] = {"r", NULL};

/* Runs proto on n nodes; *types (if given) receives a copy of the engine's per-type stats. */
static void run(const cp_proto_ops *ops, void *self, uint32_t n, uint64_t seed, des_type_stats *types)
{
    cp_time r[1] = {CP_MS(20)};
    net_class cls[1] = {{"server", 1.0, 100000000, 0, 0}};
    net_cfg nc = {1, rn, r, NET_JITTER_NONE, 0, 0, 1, cls};
    net *nt = net_new(&nc, n);
    des_cfg dc = {seed, n, CP_S(60), nt, ops, self, NULL, NULL, NULL, NULL};
    des *d = des_new(&dc);
    REQUIRE(d && des_run(d) == 0);
    if (types) memcpy(types, des_type_stats_get(d), ops->n_msg_types * sizeof *types);
    des_free(d);
    net_free(nt);
}

static dht *new_dht(uint32_t n)
{
    dht_cfg c = dht_cfg_default();
    c.lookups = 50, c.work_start = CP_S(1), c.work_end = CP_S(20), c.refresh = 0, c.republish = 0;
    return dht_new(&c, n, 9);
}

static void t_one_layer_is_the_protocol(void)
{
    dht *a = new_dht(200), *b = new_dht(200);
    REQUIRE(a && b);
    run(dht_ops(), a, 200, 9, NULL);
    stk *s = stk_new();
    REQUIRE(s && stk_add(s, dht_ops(), b) == 0);
    run(stk_ops(s), s, 200, 9, NULL);
    size_t na, nb;
    const dht_result *ra = dht_results(a, &na), *rb = dht_results(b, &nb);
    CHECK(na == 50 && na == nb);
    CHECK(memcmp(ra, rb, na * sizeof *ra) == 0);
    CHECK(memcmp(dht_get_counts(a), dht_get_counts(b), sizeof(dht_counts)) == 0);
    CHECK(strcmp(stk_ops(s)->name, "dht") == 0 && strcmp(stk_ops(s)->msg_type_names[0], "dht:dht_ping") == 0);
    stk_free(s);
    dht_free(a);
    dht_free(b);
}

static void t_two_protocols_share_nodes(void)
{
    const uint32_t n = 200;
    dht *d = new_dht(n);
    flood_cfg fc = {4, 3, 20000, CP_S(2), CP_S(5), 0, 0, 0, NULL};
    flood *f = flood_new(&fc, n, 9);
    REQUIRE(d && f);
    stk *s = stk_new();
    REQUIRE(stk_add(s, flood_ops(), f) == 0 && stk_add(s, dht_ops(), d) == 1);
    const cp_proto_ops *o = stk_ops(s);
    REQUIRE(o && o->n_msg_types == flood_ops()->n_msg_types + DHT_N_MSG);
    CHECK(strcmp(o->name, "flood+dht") == 0);
    CHECK(stk_add(s, dht_ops(), d) == -1); /* sealed */
    des_type_stats *ts = calloc(o->n_msg_types, sizeof *ts);
    run(o, s, n, 9, ts);
    size_t nr;
    const dht_result *r = dht_results(d, &nr);
    uint64_t ok = 0;
    for (size_t i = 0; i < nr; i++) ok += r[i].ok;
    CHECK(nr == 50 && ok == 50);
    CHECK_EQ_U64(dht_get_counts(d)->malformed, 0);
    CHECK_EQ_U64(flood_malformed(f), 0);
    for (uint32_t b = 0; b < 3; b++)
        for (cp_node v = 0; v < n; v++) CHECK(flood_arrival(f, b, v) != CP_TIME_NEVER);
    uint16_t find = stk_type(s, 1, DHT_FIND_NODE);
    CHECK(strncmp(o->msg_type_names[find], "dht:", 4) == 0);
    CHECK(ts[find].sent > 0);
    uint64_t flood_sent = 0;
    for (uint16_t t = 0; t < flood_ops()->n_msg_types; t++) flood_sent += ts[t].sent;
    CHECK(flood_sent > 0);
    free(ts);
    stk_free(s);
    flood_free(f);
    dht_free(d);
}

/* A tiny protocol for the cross-layer test: node 0 of layer "a" sends kind 1 to node 1 and
 * sets timer 7; on the timer it sends, through layer "b"'s env, a "b" message to node 2. */
typedef struct probe {
    int layer;
    int got[4];       /* kinds received, by kind */
    uint64_t tag;     /* last timer tag seen */
    uint32_t got_at;  /* node that received the last message */
    uint16_t raw;     /* engine type of the last message */
} probe;

static const char *const probe_types[] = {"zero", "one"};
static const char *const probe_metrics[] = {"m"};

static void pr_send(cp_env *env, cp_node to, uint8_t kind)
{
    cp_msg *m = env_msg_new(env, kind, 1, 64);
    m->data[0] = kind;
    env_send(env, to, m);
    env_msg_unref(env, m);
}

static void pr_start(void *self, cp_env *env)
{
    probe *p = self;
    if (p->layer == 0 && env->self == 0) {
        pr_send(env, 1, 1);
        env_timer(env, CP_S(1), 7);
    }
}

static void pr_msg(void *self, cp_env *env, cp_node from, cp_msg *m)
{
    probe *p = self;
    (void)from;
    p->got[m->data[0] & 3]++;
    p->got_at = env->self;
    p->raw = m->type;
    env_metric(env, 0, 1.0);
}

static void pr_timer(void *self, cp_env *env, uint64_t tag)
{
    probe *p = self;
    p->tag = tag;
    cp_env *b = stk_env(env, 1);
    REQUIRE(b && b->self == env->self && stk_env(b, 0) == env && !stk_env(env, 2));
    pr_send(b, 2, 0);
}

static const cp_proto_ops probe_ops = {"probe", pr_start, pr_msg, pr_timer, probe_types, 2, probe_metrics, 1,
                                       NULL, NULL, NULL};

static void t_cross_layer_calls(void)
{
    probe a = {.layer = 0}, b = {.layer = 1};
    stk *s = stk_new();
    REQUIRE(stk_add(s, &probe_ops, &a) == 0 && stk_add(s, &probe_ops, &b) == 1);
    const cp_proto_ops *o = stk_ops(s);
    REQUIRE(o && o->n_msg_types == 4 && o->n_metrics == 2);
    CHECK(strcmp(o->msg_type_names[3], "probe:one") == 0);
    run(o, s, 3, 1, NULL);
    CHECK(a.got[1] == 1 && a.got[0] == 0 && a.tag == 7);
    CHECK(b.got[0] == 1 && b.got[1] == 0 && b.got_at == 2 && b.raw == stk_type(s, 1, 0) && b.raw == 2);
    CHECK(b.tag == 0);
    stk_free(s);
}

TEST_MAIN(TEST(t_one_layer_is_the_protocol), TEST(t_two_protocols_share_nodes), TEST(t_cross_layer_calls))
