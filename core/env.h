/* core/env.h: the sans-IO contract between protocol code (core/) and any engine (sim/).
 *
 * A protocol is a state machine over all the nodes of one world. The engine calls its
 * handlers (cp_proto below) with a cp_env that names the node being run; the protocol acts
 * on the world only through the env_* calls here: read the clock, send bytes, set and cancel
 * timers, draw from the node's own RNG stream, charge virtual CPU time, record a metric.
 * No wall clock, no rand(), no sockets, no globals in core/: everything reachable from a
 * handler hangs off the env or the protocol's own state.
 *
 * Ownership: a cp_msg is refcounted. env_msg_new() returns a message with one reference owned
 * by the caller; env_send() takes no reference from the caller (the engine adds its own per
 * delivery), so a broadcast encodes once, sends N times, then drops its reference with
 * env_msg_unref(). A handler receiving a message borrows it for the call; to keep it, take a
 * reference with env_msg_ref().
 *
 * Stacks (core/stk): several protocols can share one world's nodes; each then sees its own
 * message types and timer tags through a wrapping env. So a protocol must (1) take a message's
 * kind from its bytes, never from cp_msg.type (which is the engine's, stack-global type, used
 * for statistics), and (2) use timer tags below 2^60.
 *
 * Time: integer nanoseconds since the start of the run. Inside a handler, env_now() is the time
 * the handler started plus the virtual CPU charged so far, so a message sent after an
 * expensive verification leaves after that verification.
 *
 * This header must not include anything from sim/. */
#ifndef CP_ENV_H
#define CP_ENV_H

#include <stddef.h>
#include <stdint.h>

typedef uint64_t cp_time;  /* nanoseconds */
typedef uint32_t cp_node;  /* node id, 0..n-1 */

#define CP_NS(x) ((cp_time)(x))
#define CP_US(x) ((cp_time)(x) * 1000ull)
#define CP_MS(x) ((cp_time)(x) * 1000000ull)
#define CP_S(x) ((cp_time)(x) * 1000000000ull)
#define CP_TIME_NEVER UINT64_MAX
#define CP_NODE_NONE UINT32_MAX

/* Checked time arithmetic: a sum or product of times that does not fit saturates at
 * CP_TIME_NEVER ("never happens"), so no input can make an event wrap around to before its
 * cause. A time from a double (a cost model, a random draw) is rounded down; negative and NaN
 * give 0, values past the range give CP_TIME_NEVER. */
static inline cp_time cp_time_add(cp_time a, cp_time b) { return a > CP_TIME_NEVER - b ? CP_TIME_NEVER : a + b; }
static inline cp_time cp_time_mul(cp_time a, uint64_t k)
{
    return k && a > CP_TIME_NEVER / k ? CP_TIME_NEVER : a * k;
}
static inline cp_time cp_time_of(double ns)
{
    if (!(ns > 0)) return 0;
    return ns >= 18446744073709551615.0 ? CP_TIME_NEVER : (cp_time)ns;
}

/* A message: real bytes plus the size it occupies on the wire (headers, framing). */
typedef struct cp_msg {
    uint32_t refs;
    uint16_t type;      /* protocol message type: index into the protocol's type names */
    uint16_t flags;
    uint32_t wire_size; /* bytes charged to links; >= len */
    uint32_t len;       /* bytes in data[] */
    uint8_t data[];
} cp_msg;

/* Per-node random stream: xoshiro256**, seeded from (world seed, node id, stream). */
typedef struct cp_rng {
    uint64_t s[4];
} cp_rng;

typedef struct cp_env cp_env;

/* The engine's side of the contract; one table per engine, never touched by protocols. */
typedef struct cp_env_ops {
    cp_time (*now)(cp_env *env);
    int (*send)(cp_env *env, cp_node to, cp_msg *msg);
    uint64_t (*timer_set)(cp_env *env, cp_time delay, uint64_t tag);
    int (*timer_cancel)(cp_env *env, uint64_t timer_id);
    void (*cpu)(cp_env *env, cp_time ns);
    void (*metric)(cp_env *env, uint32_t metric_id, double value);
    cp_msg *(*msg_new)(cp_env *env, uint16_t type, uint32_t len, uint32_t wire_size);
    void (*msg_free)(cp_env *env, cp_msg *msg);
} cp_env_ops;

/* What a handler sees. The engine fills self, rng and cpu_factor before each call. */
struct cp_env {
    const cp_env_ops *ops;
    void *engine;      /* the engine instance, opaque to protocols */
    cp_node self;      /* the node being run */
    uint32_t n_nodes;  /* nodes in the world */
    cp_rng *rng;       /* self's RNG stream */
    double cpu_factor; /* self's device class: CPU time multiplier vs the reference server */
    uint32_t dev_class;/* self's device class index (scenario order) */
};

static inline cp_time env_now(cp_env *e) { return e->ops->now(e); }
/* Queue msg for delivery to `to` through the network model. 0, or a negative error. */
static inline int env_send(cp_env *e, cp_node to, cp_msg *m) { return e->ops->send(e, to, m); }
/* Fire on_timer(tag) at now+delay on this node. Returns a timer id (never 0). */
static inline uint64_t env_timer(cp_env *e, cp_time delay, uint64_t tag)
{
    return e->ops->timer_set(e, delay, tag);
}
/* Cancel a pending timer of this node: 0 if it was pending, -1 otherwise. */
static inline int env_timer_cancel(cp_env *e, uint64_t id) { return e->ops->timer_cancel(e, id); }
/* Occupy this node's CPU for ns of its own time. Costs given for the reference server are
 * scaled by the caller (env->cpu_factor) or taken from a per-device-class cost table. */
static inline void env_cpu(cp_env *e, cp_time ns) { e->ops->cpu(e, ns); }
/* Record value for metric_id (registered by the protocol) at now, for self. */
static inline void env_metric(cp_env *e, uint32_t id, double v) { e->ops->metric(e, id, v); }

static inline cp_msg *env_msg_new(cp_env *e, uint16_t type, uint32_t len, uint32_t wire_size)
{
    return e->ops->msg_new(e, type, len, wire_size);
}
static inline void env_msg_ref(cp_msg *m) { m->refs++; }
static inline void env_msg_unref(cp_env *e, cp_msg *m)
{
    if (--m->refs == 0) e->ops->msg_free(e, m);
}

/* RNG stream (core/rng.c). */
void rng_seed(cp_rng *r, uint64_t seed, uint64_t node, uint64_t stream);
uint64_t rng_u64(cp_rng *r);
double rng_unit(cp_rng *r);                 /* [0, 1) with 53 random bits */
uint64_t rng_below(cp_rng *r, uint64_t n);  /* uniform in [0, n), unbiased; n > 0 */
double rng_exp(cp_rng *r, double mean);     /* exponential with the given mean */
void rng_bytes(cp_rng *r, void *buf, size_t len);
static inline uint64_t env_rand(cp_env *e) { return rng_u64(e->rng); }

/* A protocol: one instance per world, holding the state of every node.
 * The engine calls start once per node at time 0 (in id order), then dispatches messages and
 * timers; finish (if set) is called once when the run ends. */
typedef struct cp_proto_ops {
    const char *name;
    void (*start)(void *self, cp_env *env);
    /* msg is borrowed and may be shared with other receivers: never modify its bytes; it may
     * be passed to env_send() as is to forward it (gossip). */
    void (*on_message)(void *self, cp_env *env, cp_node from, cp_msg *msg);
    void (*on_timer)(void *self, cp_env *env, uint64_t tag);
    /* names of message types, indexed by cp_msg.type; n_msg_types entries */
    const char *const *msg_type_names;
    uint16_t n_msg_types;
    /* names of the metrics env_metric() records, indexed by metric id; n_metrics entries */
    const char *const *metric_names;
    uint16_t n_metrics;
    /* Called once when the run ends (env names node 0; no time passes): release messages the
     * protocol still holds references to. May be NULL. */
    void (*finish)(void *self, cp_env *env);
    /* A crashed node restarts (scenario: network.changes[].crash). While it was down its timers
     * did not fire and messages sent to it were lost; what it kept is whatever the protocol
     * treats as persistent. NULL: the node runs start() again. A node down from time 0 gets
     * start() when it first comes up. */
    void (*restart)(void *self, cp_env *env);
    /* A hint, may be NULL: the engine will soon run an event of `node` (msg: the message it
     * delivers, else NULL). stage 0 comes about two events ahead, stage 1 about one event ahead
     * (its stage-0 lines should have arrived: it may read them to prefetch what they point to).
     * Only prefetches: no state change, no RNG, no effect on results; msg may be malformed. */
    void (*prefetch)(void *self, cp_node node, const cp_msg *msg, int stage);
} cp_proto_ops;

#endif
