/* Unit tests for sim/des: event order and ties, timer cancel, the virtual CPU queue, the
 * handler clock, messages through the network model, scheduled calls, two engines in one
 * process. A small test protocol logs what it sees. */
#include "sim/des/des.h"
#include "tests/harness.h"

#define LOGN 64

typedef struct tlog {
    cp_time t[LOGN];
    uint64_t what[LOGN];
    cp_node node[LOGN];
    int n;
    int scenario;
    uint64_t cancel_id;
} tlog;

static void logit(tlog *l, cp_env *env, uint64_t what)
{
    if (l->n < LOGN) {
        l->t[l->n] = env_now(env);
        l->node[l->n] = env->self;
        l->what[l->n++] = what;
    }
}

static void send_small(cp_env *env, cp_node to, uint8_t v)
{
    cp_msg *m = env_msg_new(env, 0, 1, 100);
    m->data[0] = v;
    env_send(env, to, m);
    env_msg_unref(env, m);
}

static void p_start(void *self, cp_env *env)
{
    tlog *l = self;
    if (env->self != 0) return;
    if (l->scenario == 0) {
        env_timer(env, 5, 1);
        env_timer(env, 3, 2);
        env_timer(env, 3, 3);
        l->cancel_id = env_timer(env, 4, 9);
        env_timer(env, 7, 4);
        CHECK(env_timer_cancel(env, l->cancel_id) == 0);
        CHECK(env_timer_cancel(env, l->cancel_id) != 0);
    } else if (l->scenario == 1) {
        for (uint8_t i = 1; i <= 3; i++) send_small(env, 1, i);
    } else if (l->scenario == 2) {
        env_cpu(env, CP_MS(7));
        CHECK_EQ_U64(env_now(env), CP_MS(7));
        send_small(env, 1, 1);
    }
}

static void p_msg(void *self, cp_env *env, cp_node from, cp_msg *m)
{
    tlog *l = self;
    logit(l, env, 100 + m->data[0]);
    if (l->scenario == 1) env_cpu(env, CP_MS(10));
}

static void p_timer(void *self, cp_env *env, uint64_t tag) { logit(self, env, tag); }

static const char *const tnames[] = {"t"};
static const cp_proto_ops tproto = {"test", p_start, p_msg, p_timer, tnames, 1, NULL, 0, NULL, NULL, NULL};

static const char *const rnames[] = {"r", NULL};
static const cp_time rtt1[] = {CP_MS(2)};

static des *make(tlog *l, net **np, uint32_t n_nodes)
{
    net_class cls[1] = {{"server", 1.0, 0, 0, 0}};
    net_cfg nc = {1, rnames, rtt1, NET_JITTER_NONE, 0, 0, 1, cls};
    *np = net_new(&nc, n_nodes);
    des_cfg dc = {1, n_nodes, CP_S(10), *np, &tproto, l, NULL, NULL, NULL, NULL};
    return des_new(&dc);
}

static void t_timer_order_ties_cancel(void)
{
    tlog l = {.scenario = 0};
    net *n;
    des *d = make(&l, &n, 2);
    REQUIRE(des_run(d) == 0);
    REQUIRE(l.n == 4);
    uint64_t want[] = {2, 3, 1, 4};
    cp_time at[] = {3, 3, 5, 7};
    for (int i = 0; i < 4; i++) {
        CHECK_EQ_U64(l.what[i], want[i]);
        CHECK_EQ_U64(l.t[i], at[i]);
    }
    des_free(d);
    net_free(n);
}

static void t_cpu_queue_fifo(void)
{
    tlog l = {.scenario = 1};
    net *n;
    des *d = make(&l, &n, 2);
    REQUIRE(des_run(d) == 0);
    REQUIRE(l.n == 3);
    for (int i = 0; i < 3; i++) {
        CHECK_EQ_U64(l.what[i], 101 + i);
        CHECK_EQ_U64(l.t[i], CP_MS(1) + (cp_time)i * CP_MS(10)); /* 1 ms one-way, 10 ms each */
    }
    CHECK_EQ_U64(des_cpu_busy(d, 1), CP_MS(30));
    CHECK_EQ_U64(des_get_stats(d)->queued, 2);
    CHECK_EQ_U64(des_type_stats_get(d)[0].delivered, 3);
    CHECK_EQ_U64(des_type_stats_get(d)[0].delivered_bytes, 300);
    des_free(d);
    net_free(n);
}

static void t_send_after_cpu_leaves_later(void)
{
    tlog l = {.scenario = 2};
    net *n;
    des *d = make(&l, &n, 2);
    REQUIRE(des_run(d) == 0);
    REQUIRE(l.n == 1);
    CHECK_EQ_U64(l.t[0], CP_MS(8));
    des_free(d);
    net_free(n);
}

static void cut(des *d, void *arg, uint32_t index) { net_set_group(des_net(d), index, 1); }

static void t_partition_drops_in_flight(void)
{
    tlog l = {.scenario = 1};
    net *n;
    des *d = make(&l, &n, 2);
    REQUIRE(des_call_at(d, CP_US(500), cut, NULL, 1) == 0); /* before the 1 ms arrival */
    REQUIRE(des_run(d) == 0);
    CHECK(l.n == 0);
    CHECK_EQ_U64(des_type_stats_get(d)[0].dropped, 3);
    des_free(d);
    net_free(n);
}

static void t_two_engines_one_process(void)
{
    tlog a = {.scenario = 1}, b = {.scenario = 1};
    net *na, *nb;
    des *da = make(&a, &na, 2), *db = make(&b, &nb, 2);
    REQUIRE(des_run(db) == 0);
    REQUIRE(des_run(da) == 0);
    CHECK(a.n == b.n);
    CHECK(memcmp(a.t, b.t, sizeof a.t) == 0);
    des_free(da);
    des_free(db);
    net_free(na);
    net_free(nb);
}

TEST_MAIN(TEST(t_timer_order_ties_cancel), TEST(t_cpu_queue_fifo), TEST(t_send_after_cpu_leaves_later),
          TEST(t_partition_drops_in_flight), TEST(t_two_engines_one_process))
