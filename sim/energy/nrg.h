/* sim/energy/nrg.h: the energy model of a device: joules from what a node did.
 *
 * A device class has a CPU drawing cpu_active_w while its virtual CPU is busy and cpu_idle_w
 * otherwise, and a radio (or NIC) drawing radio_tx_w while it transmits, radio_rx_w while it
 * receives and radio_idle_w otherwise (sleep or idle listening, whichever the class stands
 * for). A node's activity over [0, t] is its CPU busy time and its radio airtime; the model
 * turns it into four parts, in joules:
 *     cpu  = busy × cpu_active_w
 *     tx   = tx airtime × radio_tx_w
 *     rx   = rx airtime × radio_rx_w
 *     idle = (t − busy) × cpu_idle_w + (t − tx airtime − rx airtime) × radio_idle_w
 * (busy and airtime are clamped to t: a CPU charge may run past the end of the run).
 * The airtime of a wired-style link is bytes × 8 / rate (nrg_airtime_s); a packet-level
 * radio (the ns3 engine's lrwpan or wifi access) measures it instead. battery_j is the
 * battery's capacity (0 = mains powered).
 *
 * Pure functions over caller-owned values; no state, no allocation. Must not touch: anything
 * outside sim/energy. */
#ifndef NRG_H
#define NRG_H

#include <stdint.h>

#include "core/env.h"

typedef struct nrg_class {
    double cpu_active_w, cpu_idle_w;
    double radio_tx_w, radio_rx_w, radio_idle_w;
    double battery_j;       /* 0 = mains */
} nrg_class;

/* One node's activity over [0, t]. */
typedef struct nrg_use {
    cp_time t;              /* time covered (the end of the run, or the node's depletion) */
    cp_time cpu_busy;       /* virtual CPU busy time */
    double tx_s, rx_s;      /* radio airtime, seconds */
} nrg_use;

typedef struct nrg_joules {
    double cpu, tx, rx, idle;
} nrg_joules;

void nrg_account(const nrg_class *c, const nrg_use *u, nrg_joules *out);
double nrg_total(const nrg_joules *j);
/* Airtime in seconds of `bytes` at `bps` on a link (0 when bps is 0: an unlimited link). */
double nrg_airtime_s(uint64_t bytes, uint64_t bps);
/* Projected battery lifetime in seconds at the mean power of j over t: battery_j × t / total;
 * a negative value when there is no battery or no consumption (unbounded). */
double nrg_lifetime_s(const nrg_class *c, const nrg_joules *j, cp_time t);

#endif
