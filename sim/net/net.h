/* sim/net/net.h: the network model of the built-in engine.
 *
 * What it models, per message (store-and-forward at each end, pipelined across the path):
 *   - the sender's uplink is a FIFO server of rate up_bps: the message starts leaving at
 *     max(t_send, uplink free) and its last bit leaves tx_up = wire*8/up_bps later;
 *   - one-way latency = region RTT/2 + both nodes' access latency + jitter (drawn from the
 *     sender's RNG stream: none, uniform in [0, j) or exponential with mean j);
 *   - the receiver's downlink is a FIFO server of rate down_bps: the first bit reaches it at
 *     start_up + latency; the message is complete at
 *       max(max(first_bit, downlink free) + wire*8/down_bps, first_bit + tx_up);
 *   - loss: each message is dropped with probability `loss` (sender's RNG), before the uplink;
 *   - partitions: nodes carry a group id (0 = main); a message between different groups is
 *     dropped at send and, if the groups differ when it would be delivered, at arrival.
 * A rate of 0 means unlimited (no serialization, no queue). Times are integer nanoseconds;
 * transmission times are rounded up to the next nanosecond.
 *
 * The engine calls net_send() when a node sends and, for receivers with a finite downlink,
 * net_downlink() when the first bit arrives (so the downlink queue is served in arrival
 * order). net never schedules events and knows nothing about protocols.
 *
 * Ownership: net_new copies the config. Must not touch: anything outside sim/net. */
#ifndef NET_H
#define NET_H

#include <stdint.h>

#include "core/env.h"

enum { NET_JITTER_NONE = 0, NET_JITTER_UNIFORM = 1, NET_JITTER_EXP = 2 };
/* How a class reaches the network: a wired-style link (this model), or a radio cell around
 * its access point (the ns3 engine models the radio packet by packet; see net_attach). */
enum { NET_ACCESS_WIRED = 0, NET_ACCESS_LRWPAN = 1, NET_ACCESS_WIFI = 2, NET_ACCESS_LTE = 3 };

typedef struct net_class {
    const char *name;
    double cpu_factor;     /* CPU time multiplier vs the reference server */
    uint64_t up_bps;       /* 0 = unlimited */
    uint64_t down_bps;     /* 0 = unlimited */
    cp_time access_latency;/* one-way last-mile latency added at each end */
} net_class;

typedef struct net_cfg {
    uint32_t n_regions;
    const char *const *region_names;
    const cp_time *rtt;    /* n_regions x n_regions round-trip times, row-major */
    int jitter_dist;       /* NET_JITTER_* */
    cp_time jitter;        /* uniform width or exponential mean */
    double loss;           /* per-message drop probability */
    uint32_t n_classes;
    const net_class *classes;
} net_cfg;

typedef struct net net;

/* Per-node counters kept by the model. */
typedef struct net_node_stats {
    uint64_t bytes_up, bytes_down, msgs_up, msgs_down, dropped_loss, dropped_partition;
} net_node_stats;

enum { NET_SENT = 0, NET_DROP_LOSS = 1, NET_DROP_PARTITION = 2 };

/* Result of a send that was not dropped. */
typedef struct net_tx {
    cp_time first_bit;     /* when the first bit reaches the receiver's downlink */
    cp_time deliver;       /* when the message is complete, if !needs_downlink */
    int needs_downlink;    /* 1: call net_downlink at first_bit to get the delivery time */
} net_tx;

net *net_new(const net_cfg *cfg, uint32_t n_nodes);
void net_free(net *n);
void net_place(net *n, cp_node node, uint32_t region, uint32_t cls);
uint32_t net_region_of(const net *n, cp_node node);
uint32_t net_class_of(const net *n, cp_node node);
const net_class *net_class_get(const net *n, uint32_t cls);
uint32_t net_n_regions(const net *n);

/* A message of `wire` bytes leaves `from` for `to` at t. Returns NET_SENT and fills tx, or
 * NET_DROP_*. Updates the sender's uplink queue and counters. */
int net_send(net *n, cp_node from, cp_node to, uint32_t wire, cp_time t, cp_rng *rng, net_tx *tx);
/* The path part of net_send for engines that model the links themselves (sim/engine.h):
 * the partition and loss checks, the sender's counters, and the one-way latency (region
 * RTT / 2 + both access latencies + jitter) in *lat; no queues. Draws from rng in the same
 * order as net_send, so a run takes the same drops and jitters on every engine. */
int net_path(net *n, cp_node from, cp_node to, uint32_t wire, cp_rng *rng, cp_time *lat);
/* The first bit of a message reached `to`'s downlink at t: its delivery time. Updates the
 * receiver's downlink queue. */
cp_time net_downlink(net *n, cp_node from, cp_node to, uint32_t wire, cp_time t);
/* Whether from and to are in the same partition group now (for the check at delivery). */
int net_connected(const net *n, cp_node from, cp_node to);
/* Count a message delivered to `to` (bytes_down, msgs_down) or dropped at arrival. */
void net_count_delivered(net *n, cp_node to, uint32_t wire);
void net_count_dropped_partition(net *n, cp_node to);

/* Radio cells: node v reaches the network through access point `ap` (a wired node), at
 * position (x, y) in metres from it. Unattached nodes: net_ap_of gives NET_NO_AP. */
#define NET_NO_AP UINT32_MAX
void net_set_access(net *n, uint32_t cls, int access); /* NET_ACCESS_*; every class starts wired */
int net_access_of(const net *n, uint32_t cls);
int net_attach(net *n, cp_node v, cp_node ap, double x, double y);
cp_node net_ap_of(const net *n, cp_node v);
void net_pos(const net *n, cp_node v, double *x, double *y);

/* Scheduled link changes. */
void net_set_group(net *n, cp_node node, uint16_t group);
void net_set_rtt(net *n, uint32_t ra, uint32_t rb, cp_time rtt); /* symmetric */
cp_time net_rtt(const net *n, uint32_t ra, uint32_t rb);

const net_node_stats *net_stats(const net *n, cp_node node);
/* Hint: the engine will soon handle a message for `node` (no effect on results). */
void net_prefetch(const net *n, cp_node node);
/* Exact transmission time of `bytes` at `bps` in ns, rounded up; 0 if bps is 0. */
cp_time net_tx_time(uint64_t bytes, uint64_t bps);
/* Bytes of host memory per node held by the model. */
size_t net_bytes_per_node(void);

/* The default region table shipped with cpsim (see net_regions.c for its source). */
extern const uint32_t net_default_n_regions;
extern const char *const net_default_region_names[];
extern const cp_time net_default_rtt[];

#endif
