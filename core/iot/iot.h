/* core/iot/iot.h: IoT applications with on-chain settlement as one sans-IO protocol (prefix
 * iot_, protocol name "iot"), selected by cfg.app: shared EV charging, seamless parking and
 * logistics tracing (the whitepaper's sections 3.2.1, 3.2.2 and its "logistic tracing").
 *
 * The chain and the directory are ports (below): the protocol hands signed core/chain
 * transactions to chain.submit and learns their fate through iot_on_commit (the glue calls it
 * on the observer node, validator 0, when a block holding one is committed); it stores and
 * fetches small values under 32-byte keys through dir.put / dir.get and learns the result
 * through iot_on_dir. The observer forwards each committed transaction (its bytes and height)
 * to the node waiting for it in a NOTE message: the device's full node pushing the event it
 * subscribed to. Nothing else crosses the ports, so the same state machines run on a test
 * double or on the real LBFT ledger and Kademlia DHT of a protocol stack (core/stk).
 *
 * Roles are node ranges from cfg.first (the nodes before are the chain's validators and
 * proposers), in this order:
 *  - ev:   piles, then EVs, then riders (if any). Pile p sits at a point of a grid_w x grid_h
 *          grid of cells of cell_km; it publishes its availability record (pile, cell,
 *          free/busy, price, version) under iot_cell_key(cell, slot) (slot = its rank among the
 *          piles of its cell). An EV's
 *          state of charge drains at drive_kw; below soc_low it is somewhere on the grid
 *          (a point drawn from its stream), gets every slot of its cell, picks the free pile with
 *          the lowest price (no free one: retry later), reserves it (signed RESERVE; a pile
 *          already reserved refuses: the loser looks again), opens an escrow on chain for the
 *          deposit, drives there (Manhattan distance / speed) and plugs in. The pile charges once
 *          the escrow is committed (its NOTE), along the charging curve (iot_charge_time), signs
 *          a meter reading; the EV countersigns the settlement digest and unplugs; the pile
 *          submits ESCROW_SETTLE (automatic settlement) and publishes itself free again.
 *          Shared travel (riders > 0; iot_travel.c): the EVs are a rental fleet and the riders
 *          follow them. A car starts at a seeded point and takes the lowest free bay of its cell
 *          (bays are physical places: no message); parked and idle it publishes a signed
 *          availability record (car, cell, bay, available, state of charge, position, fares,
 *          version) under iot_bay_key(cell, bay). A rider idles for an exponential gap whose
 *          mean makes the requests Poisson at rider_rate per hour while riders are idle, then
 *          stands at a uniform point with a destination (trip_dist, trip_km, Manhattan, kept
 *          inside the grid), gets every bay of its cell (none found: of the 3 x 3 cells around
 *          it, then again every `retry`), takes the nearest available car with charge for the
 *          trip (soc - trip energy >= soc_low / 2) that it can walk to (walk_kmh) before
 *          request + max_wait, and sends RESERVE (car, version). The car accepts only if it is
 *          idle and the version is its current one (a stale record or a car already taken is
 *          refused: RES_NO, the rider looks again), republishes itself unavailable and answers
 *          RES_OK (fares, deposit). The rider opens an escrow of rental_deposit (payee: the
 *          car), walks there and says HELLO with its destination and escrow; the car unlocks
 *          (OPEN) only when it has both the HELLO and the escrow's commit (NOTE), leaves its bay,
 *          drives at speed_kmh, meters the drive's started minutes and its metres (iot_fare) and
 *          sends a signed BILL (it may overtake the OPEN); the rider checks it against the trip
 *          it asked for, countersigns (PAYSIG) and the car submits ESCROW_SETTLE. Arrived, the
 *          car takes the lowest free bay of the nearest cell with one (driving there if it is
 *          another cell), or, below soc_low, charges first through the pile flow above from
 *          where it stands, at the nearest cell with piles (it is unlisted meanwhile), and
 *          parks at the pile's cell. No request after `end`; a car
 *          past `end` that needs charge parks without charging. A rider with nothing in reach
 *          by max_wait gives up (unserved); a car not unlocked by reserve_timeout is released
 *          and republished (the rider, not unlocked by then either, gives up).
 *  - park: locks (one lot each), then drivers. A driver idles for an exponential gap whose mean
 *          makes each lot's arrivals Poisson at arrival_rate per hour while drivers are away,
 *          drives to a uniform lot, says HELLO (signed); the lock OFFERs its terms; the driver
 *          opens an escrow for the deposit; the lock lowers only when the escrow is committed
 *          (NOTE), then the stay (stay_dist, stay_mean) runs; at LEAVE the lock bills by the
 *          started minute, the driver countersigns and the lock submits ESCROW_SETTLE.
 *          A lot holds `spaces` cars; an arrival at a full lot is turned away (counted).
 *  - log:  hubs, then indexers, then clients. The hubs form a graph (a ring plus seeded chords,
 *          iot_hub_graph); parcels appear at parcel_rate per second, each with a route (a
 *          seeded walk without repeats of min_hops..max_hops hubs). Each hub's scanner signs a
 *          TRACE transaction per scan (event pickup, transit or delivered; hash = BLAKE2b of the
 *          previous scan's hash and this scan), then SHIPs the parcel to the next hub, which
 *          scans it after an exponential hop_time. Indexer i (parcel mod indexers) is told of
 *          every committed trace of its parcels; clients send provenance QUERYs for random
 *          parcels that exist and get the committed history (signed transactions with heights),
 *          which they verify.
 * Every message is signed and verified (Ed25519, core/crypto), every signature and hash
 * charged through the cost table, plus cpu_per_msg per message handled. Each sender keeps its
 * own next nonce. Timer tags are below 2^48; a message's kind is its first byte.
 *
 * Determinism: keys from (seed, node), every draw from the node's stream or the seed.
 * Ownership: iot_new/iot_free; accessors return pointers owned by the instance, valid until
 * the next event or iot_free. Single-threaded. Must not touch: anything outside core/. */
#ifndef IOT_H
#define IOT_H

#include <stddef.h>
#include <stdint.h>

#include "core/crypto/cost.h"
#include "core/crypto/cr.h"
#include "core/env.h"

/* ---- ports ---------------------------------------------------------------------------- */

typedef struct iot_chain_port {
    void *ctx;   /* submit a signed core/chain transaction from env->self; returns an id > 0 or 0 */
    uint64_t (*submit)(void *ctx, cp_env *env, const uint8_t *tx, size_t len);
} iot_chain_port;
typedef struct iot_dir_port {
    void *ctx;   /* the DHT: store / fetch a small value under a 32-byte key from env->self */
    int (*put)(void *ctx, cp_env *env, const uint8_t key[32], const void *v, uint32_t len, uint64_t cookie);
    int (*get)(void *ctx, cp_env *env, const uint8_t key[32], uint64_t cookie);
} iot_dir_port;

typedef struct iot iot;

/* Called by the glue: a submitted transaction was committed (env: this protocol's env of the
 * observer node, validator 0; valid = the ledger applied it), and a directory op finished
 * (env: the requesting node's). Unknown ids and cookies are counted and ignored. */
void iot_on_commit(iot *a, cp_env *env, uint64_t id, uint64_t height, int valid);
void iot_on_dir(iot *a, cp_env *env, uint64_t cookie, int ok, const uint8_t *v, uint32_t len);

/* ---- configuration ------------------------------------------------------------------- */

enum { IOT_APP_EV = 0, IOT_APP_PARK = 1, IOT_APP_LOG = 2 };
enum { IOT_DIST_EXP = 0, IOT_DIST_UNIFORM = 1, IOT_DIST_FIXED = 2 }; /* uniform: [0, 2 mean] */

typedef struct iot_ev_cfg {
    uint32_t piles, evs;
    uint32_t grid_w, grid_h;   /* cells */
    double cell_km, speed_kmh;
    double capacity_kwh;       /* battery */
    double drive_kw;           /* average draw while driving */
    double soc_low, soc_target;/* look for a pile below soc_low; charge up to soc_target */
    double soc0_min;           /* initial state of charge uniform in [soc0_min, soc_target] */
    double pile_kw;            /* charging curve: pile_kw up to 80 %, then tapering linearly */
    uint64_t price_min, price_max; /* per kWh; each pile's price uniform in [min, max] */
    uint64_t deposit;          /* escrow locked per session (the most a session pays) */
    cp_time retry;             /* no free pile in the cell: look again after this */
    cp_time reserve_timeout;   /* a pile (car) frees a reservation not plugged in (unlocked) by then */
    /* shared travel: riders > 0 makes the EVs a rental fleet (above) */
    uint32_t riders;           /* rider devices: the nodes after the EVs */
    uint32_t bays;             /* parking bays per cell, 1..16 (the fleet must fit: evs <= cells x bays) */
    double rider_rate;         /* trip requests per hour, all riders */
    int trip_dist;             /* IOT_DIST_* of the trip length */
    double trip_km;            /* mean trip length (Manhattan) */
    double walk_kmh;           /* a rider walking to the car (Manhattan) */
    cp_time max_wait;          /* request -> unlock deadline; nothing found by then: unserved */
    uint64_t price_per_min, price_per_km; /* fare per started minute, per km (metered in metres) */
    uint64_t rental_deposit;   /* escrow locked per rental (the most a trip pays) */
} iot_ev_cfg;

typedef struct iot_park_cfg {
    uint32_t locks, drivers, spaces;
    double arrival_rate;       /* arrivals per lot per hour */
    int stay_dist;             /* IOT_DIST_* */
    cp_time stay_mean;
    uint64_t price_per_min, deposit;
} iot_park_cfg;

typedef struct iot_log_cfg {
    uint32_t hubs, indexers, clients;
    uint32_t hub_degree;       /* chords added until each hub has about this degree (>= 2) */
    uint32_t min_hops, max_hops; /* route length in hubs, 2..IOT_MAX_ROUTE */
    double parcel_rate;        /* parcels per second, all hubs */
    cp_time hop_time;          /* mean travel time between two hubs (exponential) */
    double query_rate;         /* provenance queries per second, all clients */
    cp_time query_start;       /* no query before this */
} iot_log_cfg;

#define IOT_MAX_ROUTE 8
#define IOT_MAX_SLOTS 16       /* piles per cell; bays per cell */

typedef struct iot_cfg {
    int app;                   /* IOT_APP_* */
    cp_node first;             /* first node of the roles */
    cp_node observer;          /* the node iot_on_commit runs on (validator 0) */
    cp_time end;               /* no new need, arrival, parcel or query after this */
    uint64_t fee;              /* per transaction */
    uint64_t expiry;           /* escrow expiry height */
    cp_time cpu_per_msg;
    const cost_table *costs;   /* borrowed; NULL: built-in defaults */
    cr_memo *memo;             /* borrowed; NULL: plain verification */
    iot_ev_cfg ev;
    iot_park_cfg park;
    iot_log_cfg log;
    iot_chain_port chain;      /* may also be set later with iot_set_ports */
    iot_dir_port dir;
} iot_cfg;

iot_cfg iot_cfg_default(int app);
/* NULL on a bad cfg (err, if given, names the field: "iot.ev.piles: ...") or out of memory. */
iot *iot_new(const iot_cfg *cfg, uint32_t n_nodes, uint64_t seed, char *err, size_t errlen);
void iot_free(iot *a);
void iot_set_ports(iot *a, const iot_chain_port *chain, const iot_dir_port *dir);
const cp_proto_ops *iot_ops(void);
const iot_cfg *iot_get_cfg(const iot *a);
/* Role of node v: 0 piles/locks/hubs, 1 EVs/drivers/indexers, 2 riders/clients; -1 outside. */
int iot_role_of(const iot *a, cp_node v);
cp_node iot_role_first(const iot *a, int role);

/* ---- device models (pure) ------------------------------------------------------------ */

/* Hours to charge from s0 to s1 (0 <= s0 <= s1 < 1) at pile_kw on capacity_kwh: constant power
 * to 0.8, then power p(s) = pile_kw (1 - s) / 0.2, so t = C (min(s1,.8) - s0) / P +
 * (0.2 C / P) ln(0.2 / (1 - s1)) for the part above 0.8. */
double iot_charge_hours(double capacity_kwh, double pile_kw, double s0, double s1);
/* The pile's position (km) and cell; its rank among its cell's piles (slot). */
void iot_pile_place(const iot *a, uint32_t pile, double *x, double *y);
uint32_t iot_cell_of(const iot *a, double x, double y);
uint32_t iot_pile_slot(const iot *a, uint32_t pile);
uint32_t iot_cell_piles(const iot *a, uint32_t cell); /* piles in the cell */
uint64_t iot_pile_price(const iot *a, uint32_t pile);
/* Directory key of a cell's slot: BLAKE2b-256("cpsim-iot-pile" || le32 cell || le32 slot). */
void iot_cell_key(uint8_t key[32], uint32_t cell, uint32_t slot);
/* Directory key of a cell's parking bay: BLAKE2b-256("cpsim-iot-bay" || le32 cell || le32 bay). */
void iot_bay_key(uint8_t key[32], uint32_t cell, uint32_t bay);
/* The fare of a trip of `metres` lasting `ns` (started minutes, at least one), at most the
 * deposit; *minutes gets the minutes billed. */
uint64_t iot_fare(const iot_ev_cfg *e, uint64_t metres, cp_time ns, uint64_t *minutes);
/* Hub graph (adjacency lists in hub order) and the route of parcel i (hub indices). */
uint32_t iot_hub_neighbours(const iot *a, uint32_t hub, const uint32_t **out);
uint32_t iot_parcel_route(const iot *a, uint32_t parcel, uint32_t *hubs);

/* ---- transactions ---------------------------------------------------------------------- */

/* The kinds are core/chain's: escrow_open (the user, payee = the pile or lock, the deposit
 * locked, expiry cfg.expiry), escrow_settle (the payee, with the user's countersignature over
 * chain_settle_digest(escrow, pay)) and trace (the hub's scanner). Escrow ids are
 * (user node << 32) | the user's sequence number. Trace events: */
enum { IOT_EV_PICKUP = 1, IOT_EV_TRANSIT = 2, IOT_EV_DELIVERED = 3 };

/* ---- results ------------------------------------------------------------------------- */

/* One charging session (ev) or parking visit (park). Times are CP_TIME_NEVER if not reached. */
typedef struct iot_session {
    cp_node user, infra;       /* EV or driver; pile or lock (node ids) */
    uint64_t escrow;
    cp_time need;              /* ev: SoC below soc_low; park: arrival at the lot */
    cp_time reserved;          /* ev: RES_OK received; park: OFFER received */
    cp_time open_sent;         /* escrow open submitted */
    cp_time open_committed;    /* at the observer */
    cp_time open_known;        /* the pile / lock learnt it (NOTE) */
    cp_time plugged;           /* ev: plug-in message at the pile; park: lock lowered (open) */
    cp_time start, stop;       /* ev: charging; park: stay (lowered .. car left) */
    cp_time unplug;            /* ev: countersigned reading sent; park: driver countersigned */
    cp_time settle_sent, settled; /* settle submitted; committed at the observer */
    uint64_t energy_wh, pay, minutes;
    uint32_t lookups, conflicts; /* ev: directory rounds and refused reservations for this need */
    uint8_t settle_valid;
} iot_session;

/* One rental (ev with riders). s: user = rider, infra = car (EV node), need = request,
 * reserved = RES_OK at the rider, open_* as above, plugged = the rider's HELLO at the car,
 * start = unlock, stop = arrival at the destination, unplug = the rider's countersignature
 * sent, settle_sent / settled, pay, minutes, energy_wh (the trip's), lookups (directory
 * rounds), conflicts (refused reservations). Times are CP_TIME_NEVER if not reached. */
typedef struct iot_rental {
    iot_session s;
    cp_time gave_up;           /* unserved: no car reachable by request + max_wait */
    uint32_t ox, oy, dx, dy;   /* the rider's origin and destination (metres) */
    uint32_t cx, cy;           /* the car's position when reserved (metres) */
    uint64_t metres;           /* metered: car position -> destination */
} iot_rental;

/* Car-time of the fleet over [0, end] (ns, summed over the cars): rented (unlock -> arrival),
 * charging (below soc_low -> unplugged, including the search and the drive to the pile),
 * reserved (RESERVE accepted -> unlock or release), idle (the rest: parked or repositioning). */
typedef struct iot_fleet {
    cp_time rented, charging, reserved, idle;
} iot_fleet;

/* One scan (log). */
typedef struct iot_scan {
    uint32_t parcel, hub, pos;
    uint8_t event;
    cp_time at, committed, indexed; /* committed at the observer; indexed at the indexer */
    uint64_t height;
    uint8_t valid;
} iot_scan;

typedef struct iot_query {
    cp_node client;
    uint32_t parcel;
    cp_time sent, answered;
    uint32_t returned, expected, made; /* records returned; committed before the query was sent;
                                          scans made before it */
    uint8_t complete, verified;        /* returned == expected (same scans); all signatures good */
} iot_query;

typedef struct iot_counts {
    uint64_t msgs, malformed, bad_sig, submitted, submit_failed, committed, invalid, unknown_commit;
    uint64_t dir_put, dir_get, dir_fail, notes;
    uint64_t needs, no_pile, refused, expired, sessions_done, turned_away;
    uint64_t parcels, scans, queries, answered;
    uint64_t requests, rentals, unserved, rentals_done, rent_refused, rent_expired, relocations; /* riders */
} iot_counts;

const iot_session *iot_sessions(const iot *a, size_t *n);
const iot_scan *iot_scans(const iot *a, size_t *n);
const iot_query *iot_queries(const iot *a, size_t *n);
const iot_rental *iot_rentals(const iot *a, size_t *n);
const iot_counts *iot_get_counts(const iot *a);
iot_fleet iot_fleet_time(const iot *a, cp_time end);
/* Busy (charging or occupied) time of pile / lock i over [0, end]. */
cp_time iot_infra_busy(const iot *a, uint32_t i, cp_time end);
/* Crypto CPU charged to role r (0..2). */
cp_time iot_role_cpu(const iot *a, int role);

#endif
