/* sim/engine.h: the backend interface behind the engine shim (version ENG_VERSION).
 *
 * cpsim runs protocols (core/, through core/env.h) on one node runtime, sim/des: virtual CPUs
 * with their wait queues, timers, message buffers, per-node RNG streams and counters. What a
 * backend decides is the rest: who owns the clock, and how a message crosses the network.
 * A backend is a table of functions:
 *
 *   init   build the backend's world for the runtime's nodes (its platform or topology)
 *   run    drive the clock until the end: call des_advance(d, t) for every time t at which
 *          des_next(d) says an event is due, in increasing t, until des_next(d) > end
 *   send   a message leaves `from` for `to` at time t (the runtime's clock): decide whether it
 *          arrives and when; on arrival call des_deliver(). The backend owns the reference
 *          the runtime took for this delivery and must pass it on to des_deliver or drop it
 *          with des_msg_drop().
 *   stats  the backend's own counters (events it scheduled, wall time in its kernel)
 *   free   release everything
 *   airtime  (optional) a node's measured radio airtime, for its energy
 *
 * `now`, `schedule` and `cancel` are the runtime's: the protocol's clock, timers and timer
 * cancellation (core/env.h) live in des whichever backend runs, so a protocol cannot tell
 * the engines apart, and same-time events run in the same (time, sequence) order on all.
 * The built-in backend ("des") is the NULL table: the runtime's own heap is the clock and
 * sim/net the network. Backends in this tree: "simgrid" (sim/simgrid: SimGrid's clock and
 * its flow-level model for bandwidth sharing) and "ns3" / "ns3-light" (sim/ns3: ns-3's
 * scheduler with packets over point-to-point links, or with the cpsim network model).
 *
 * A backend that is not compiled in is absent from eng_find(). Must not include: anything
 * C++; backends keep their library types behind this C interface. */
#ifndef ENGINE_H
#define ENGINE_H

#include <stddef.h>
#include <stdint.h>

#include "core/env.h"

#define ENG_VERSION 2u

typedef struct des des;
typedef struct net net;

typedef struct eng_stats {
    uint64_t scheduled;   /* events the backend put in its own scheduler */
    uint64_t transfers;   /* messages it carried */
    uint64_t packets;     /* packets (packet-level backends), else 0 */
} eng_stats;

typedef struct eng_backend {
    uint32_t version;     /* ENG_VERSION */
    const char *name;
    const char *about;    /* one line for `cpsim version` and errors */
    /* n nodes placed on net (regions, classes, link rates and latencies are read from it).
     * Returns the backend instance, or NULL with a message in err. */
    void *(*init)(des *d, net *nm, uint32_t n_nodes, cp_time end, char *err, size_t len);
    int (*run)(void *self, des *d, cp_time end);
    /* 0 when accepted (delivery pending or dropped and counted), negative on error. */
    int (*send)(void *self, des *d, cp_node from, cp_node to, cp_msg *m, cp_time t, cp_rng *rng);
    void (*stats)(const void *self, eng_stats *out);
    void (*free)(void *self);
    /* Radio airtime of node v measured by the backend (seconds transmitting and receiving):
     * 1 if v has a radio it models, else 0 (then energy uses bytes / link rate). May be NULL. */
    int (*airtime)(const void *self, cp_node v, double *tx_s, double *rx_s);
} eng_backend;

/* Wake-up bookkeeping shared by backends that own the clock. Invariant: the runtime's next
 * event time always has a pending wake-up at or before it. `armed` is the earliest pending one.
 * eng_arm: 1 if a wake-up at t must be scheduled now (it is recorded); eng_woke: the wake-up at
 * t has fired. */
static inline int eng_arm(cp_time *armed, cp_time t, cp_time end)
{
    if (t > end || t >= *armed) return 0;
    *armed = t;
    return 1;
}
static inline void eng_woke(cp_time *armed, cp_time t)
{
    if (t == *armed) *armed = CP_TIME_NEVER;
}

/* The backend of that name ("des" gives NULL with *found = 1), or NULL, *found = 0. */
const eng_backend *eng_find(const char *name, int *found);
/* Space-separated names of the compiled-in engines, "des" first. */
const char *eng_names(void);

#endif
