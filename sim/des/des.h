/* sim/des/des.h: the built-in discrete-event engine.
 *
 * One pending-event set (evl.h), one dispatch loop, integer nanosecond time, events totally
 * ordered by (time, insertion sequence). It runs one protocol (core/env.h cp_proto_ops) over
 * n nodes, delivers messages through the network model (sim/net), and gives every node a
 * virtual CPU: a node handling an event is busy for the CPU time the handler charged, and
 * events that reach it meanwhile wait in a per-node FIFO queue (single-server queue).
 * A handler's clock is its start time plus the CPU it has charged so far.
 *
 * No global state: two engines can run in one process. The engine keeps per-node RNG
 * streams (seeded from the seed and node id), message-type counters, per-node CPU time and
 * the metric records protocols emit; the world reads them after des_run().
 *
 * Ownership: des_new copies the config; the net model and the protocol instance stay owned by
 * the caller and must outlive the engine. Messages are refcounted (core/env.h). */
#ifndef DES_H
#define DES_H

#include <stddef.h>
#include <stdint.h>

#include "core/env.h"
#include "sim/engine.h"
#include "sim/net/net.h"


/* A callback scheduled by the world (scheduled link changes, fault injection). */
typedef void (*des_call_fn)(des *d, void *arg, uint32_t index);

typedef void (*des_progress_fn)(void *arg, cp_time now, cp_time end, uint64_t events);

typedef struct des_cfg {
    uint64_t seed;
    uint32_t n_nodes;
    cp_time end;                 /* stop when the next event is later than this */
    net *net;                    /* network model (caller-owned) */
    const cp_proto_ops *proto;   /* protocol (caller-owned) */
    void *proto_self;
    const double *cpu_factor;    /* per device class; indexed by net_class_of(node) */
    des_progress_fn progress;    /* called about once per 2^20 events; may be NULL */
    void *progress_arg;
    const eng_backend *backend;  /* NULL: the built-in clock and network (sim/engine.h) */
} des_cfg;

typedef struct des_type_stats {
    uint64_t sent, sent_bytes, delivered, delivered_bytes, dropped;
} des_type_stats;

typedef struct des_metric_rec {
    cp_time time;
    cp_node node;
    uint32_t id;
    double value;
} des_metric_rec;

typedef struct des_stats {
    uint64_t events;       /* events dispatched (all kinds) */
    uint64_t handled;      /* protocol handler calls (start + messages + timers) */
    uint64_t queued;       /* events that waited for a busy CPU */
    uint64_t max_pending;  /* peak size of the pending-event set */
    cp_time end_time;      /* simulated time when the run stopped */
} des_stats;

/* A NULL return with a backend set: err says why (the backend's init failed). */
des *des_new_ex(const des_cfg *cfg, char *err, size_t len);
des *des_new(const des_cfg *cfg);
void des_free(des *d);
/* Call fn(d, arg, index) at time t (before protocol events of the same time scheduled later). */
int des_call_at(des *d, cp_time t, des_call_fn fn, void *arg, uint32_t index);
/* Run until the end time or until no event is pending. 0, or a negative error. */
int des_run(des *d);

/* Crash (down = 1) or restart (down = 0) a node at the current time. A down node's pending
 * timers are discarded and messages reaching it are dropped (counted); on restart the
 * protocol's restart() (or start()) runs on it. */
void des_set_down(des *d, cp_node node, int down);
int des_is_down(const des *d, cp_node node);

/* For backends (sim/engine.h). */
cp_time des_next(const des *d);                 /* time of the next pending event, or NEVER */
void des_advance(des *d, cp_time t);            /* run every event due at or before t (<= end) */
/* A message the backend carried arrives at `to` at t (>= the runtime's now). */
void des_deliver(des *d, cp_node from, cp_node to, cp_msg *m, cp_time t);
void des_msg_drop(des *d, cp_msg *m);           /* a carried message was lost: count, release */
void des_backend_stats(const des *d, eng_stats *out); /* zeros for the built-in engine */
/* A node's radio airtime as the backend measured it (sim/engine.h airtime): 1, or 0 if none. */
int des_backend_airtime(const des *d, cp_node node, double *tx_s, double *rx_s);

const des_stats *des_get_stats(const des *d);
const des_type_stats *des_type_stats_get(const des *d); /* proto->n_msg_types entries */
cp_time des_cpu_busy(const des *d, cp_node node);        /* CPU time charged to node */
const des_metric_rec *des_metrics(const des *d, size_t *n);
net *des_net(des *d);
cp_time des_now(const des *d);
/* Bytes of host memory per node held by the engine (not counting queued events). */
size_t des_bytes_per_node(void);

#endif
