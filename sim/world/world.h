/* sim/world/world.h: a scenario made real: nodes with device classes and regions, the
 * network model, the protocol, scheduled link changes, and the engine that runs them; then
 * the results (run.h5, summary.json, plots).
 *
 * Data flows one way: scenario config (wld_cfg, filled by sim/scenario from wld_schema) ->
 * world (wld_new) -> engine run (wld_run) -> results (wld_write_results). Nothing here knows
 * protocol internals beyond the adapter table in world_proto.c.
 *
 * Ownership: wld_new copies what it needs from the config; the caller frees the config with
 * scn_free(&wld_schema, cfg) after wld_free. No global state: two worlds can coexist. */
#ifndef WORLD_H
#define WORLD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/data/data_model.h"
#include "core/iot/iot.h"
#include "core/env.h"
#include "sim/scenario/scn.h"

/* ---- configuration (filled by scn_load against wld_schema) -------------------------- */

typedef struct wld_class_cfg {
    char *name;             /* dict key */
    double cpu_factor;
    uint64_t uplink, downlink; /* bits/s, 0 = unlimited */
    uint64_t access_latency;   /* ns */
    double cpu_active, cpu_idle;           /* W (sim/energy/nrg.h) */
    double radio_tx, radio_rx, radio_idle; /* W */
    double battery;                        /* J, 0 = mains */
    int access;             /* NET_ACCESS_* (schema: wired, lrwpan, wifi, lte) */
    char *access_point;     /* class of the nodes that serve a radio class's cells */
    double radio_range;     /* m: devices lie within this distance of their access point */
} wld_class_cfg;

typedef struct wld_group_cfg {
    char *name;
    char *role;             /* "" = none (a protocol without roles, or counts from the sections) */
    uint64_t first;         /* world id of its first node (set by wld_roles_finish: role order) */
    uint64_t count;
    char *cls;
    char **regions;
    size_t n_regions;
} wld_group_cfg;

typedef struct wld_rtt_cfg {
    char *a, *b;
    uint64_t rtt;
} wld_rtt_cfg;

typedef struct wld_change_cfg {
    uint64_t at;            /* ns */
    uint64_t until;         /* ns; 0 = permanent */
    uint32_t *partition;    /* nodes cut off into their own group */
    size_t n_partition;
    uint32_t *crash;        /* nodes down from at until until (then restarted) */
    size_t n_crash;
    char *a, *b;            /* region pair for an RTT change */
    uint64_t rtt;           /* new RTT, 0 = no change */
} wld_change_cfg;

typedef struct wld_net_cfg {
    int table;              /* 0 default regions, 1 uniform */
    uint64_t uniform_rtt;
    wld_rtt_cfg *rtt;
    size_t n_rtt;
    int jitter_dist;
    uint64_t jitter;
    double loss;
    wld_change_cfg *changes;
    size_t n_changes;
} wld_net_cfg;

typedef struct wld_flood_cfg {
    uint32_t degree, blocks;
    uint64_t block_size, first, interval, validate, validate_per_mb;
    int64_t source;
} wld_flood_cfg;

typedef struct wld_burst_cfg {
    uint64_t at, until;     /* ns */
    double rate;
} wld_burst_cfg;

typedef struct wld_lbft_cfg {
    uint32_t validators, proposers, term_len, view_len, default_proposers, max_candidates, rpt_window;
    uint64_t max_init_block, rpt_penalty_from;
    uint64_t period, impeach_timeout, block_delay, heights, block_size, tx_size;
    double tx_rate;
    int tx_pattern;         /* 0 poisson, 1 constant */
    wld_burst_cfg *tx_bursts;
    size_t n_tx_bursts;
    uint32_t max_txs, civ_degree, civ_fanout;
    uint64_t tx_resend;
    uint32_t *offline;
    size_t n_offline;
    uint32_t *twins;
    size_t n_twins;
    int ledger;
    int late_blocks;        /* allow block_delay >= impeach_timeout */
    uint32_t *byzantine;
    size_t n_byzantine;
    uint32_t *equivocators;
    size_t n_equivocators;
} wld_lbft_cfg;

typedef struct wld_crypto_cfg {
    bool sign;              /* protocols sign and verify their messages (flood: blocks) */
    bool memo;              /* per-world verification memo (results identical either way) */
    uint32_t memo_log2;     /* memo table size */
    char *cost_table;       /* cost table file from `cpsim calibrate` ("" = built-in defaults) */
} wld_crypto_cfg;

typedef struct wld_dht_cfg {
    uint32_t k, alpha, value_size;
    uint64_t rpc_timeout, probe_gap, join_spacing, republish, refresh, ttl;
    int bootstrap, churn;     /* DHT_BOOT_*, DHT_CHURN_* (same order as the schema names) */
    int eviction;             /* DHT_EVICT_* */
    uint32_t replacements;
    uint64_t mean_session, mean_offline;
    double weibull_shape;
    uint64_t lookups, stores, gets;
    uint64_t work_start, work_end, get_start, get_end, cpu_per_msg;
} wld_dht_cfg;

typedef struct wld_battery_cfg {
    data_model m;           /* kind is set from device_model */
    double horizon;         /* maintenance detector: flag within this many cycles of failure */
    uint32_t min_points;
} wld_battery_cfg;

enum { WLD_VEHICLE_NAVIGATION, WLD_VEHICLE_INSURANCE };
typedef struct wld_vehicle_cfg {
    data_model m;
    uint64_t map_window;    /* navigation consumer: congestion map period */
    int app;                /* WLD_VEHICLE_*: which consumer reads the readings */
    double base_premium, per_speeding, per_braking; /* insurance tariff (wl_tariff) */
} wld_vehicle_cfg;

typedef struct wld_camera_cfg {
    data_model m;
    uint64_t plan_window;   /* analytics: signal plan period */
    uint32_t phases;
    double sat_flow;        /* vehicles per hour of green per lane */
    uint64_t lost_time, min_cycle, max_cycle;
} wld_camera_cfg;

typedef struct wld_data_cfg {
    uint32_t devices, gateways, proxies, buyers, committee;
    uint64_t sample_interval, enc_interval, upload_interval, data_end;
    uint64_t reading_size, chunk_size;
    uint32_t replicas, trades, epochs_per_order, pre_t, pre_n, dishonest, agg_t, fetch_window;
    uint64_t trade_start, trade_end, seller_timeout, deliver_timeout, fetch_timeout;
    uint64_t agg_window, agg_grace, cpu_per_msg;
    int64_t corrupt_gateway;
    int device_model;       /* DATA_MODEL_* */
    int chain;              /* WLD_CHAIN_*: where the platform's transactions go */
    int storage;            /* WLD_STORE_*: how chunk holders are found */
    uint64_t price_per_epoch;
    bool subscribe;         /* buyers buy every epoch as it is uploaded (wl_subscribe) */
    uint64_t subscribe_lag;
    double subscribe_fraction; /* share of devices subscribed to (a seeded sample: probe vehicles) */
    wld_battery_cfg battery;
    wld_vehicle_cfg vehicle;
    wld_camera_cfg camera;
} wld_data_cfg;

typedef struct wld_iot_cfg {
    int app;                /* IOT_APP_* (schema: ev-charging, parking, logistics) */
    uint64_t end, fee, expiry, cpu_per_msg;
    iot_ev_cfg ev;
    iot_park_cfg park;
    iot_log_cfg log;
} wld_iot_cfg;

typedef struct wld_energy_cfg {
    bool deplete;           /* a node whose battery is empty goes down (a crash, recorded) */
    uint64_t check;         /* ns between battery checks */
} wld_energy_cfg;

typedef struct wld_phold_cfg {
    uint32_t per_node, payload;
} wld_phold_cfg;

typedef struct wld_cfg {
    char *name;
    uint64_t seed;
    uint64_t duration;      /* ns */
    int engine;             /* index into wld_engine_names */
    int protocol;           /* WLD_PROTO_* */
    wld_net_cfg network;
    wld_class_cfg *classes;
    size_t n_classes;
    wld_group_cfg *nodes;
    size_t n_groups;
    wld_flood_cfg flood;
    wld_phold_cfg phold;
    wld_crypto_cfg crypto;
    wld_lbft_cfg consensus;
    wld_dht_cfg dht;
    wld_data_cfg data;
    wld_iot_cfg iot;
    wld_energy_cfg energy;
    bool plots;
    bool ordered;           /* nodes[].first set by wld_roles_finish (else groups in file order) */
} wld_cfg;

enum { WLD_CHAIN_LOG = 0, WLD_CHAIN_LBFT = 1 };
enum { WLD_STORE_DIRECT = 0, WLD_STORE_DHT = 1 };
enum { WLD_PROTO_FLOOD = 0, WLD_PROTO_PHOLD = 1, WLD_PROTO_LBFT = 2, WLD_PROTO_DHT = 3, WLD_PROTO_DATA = 4,
       WLD_PROTO_IOT = 5 };

extern const scn_schema wld_schema;

/* The schema's finish hook (sim/world/roles.c): roles of the groups checked against the
 * protocol, the world's node order (role by role), the protocol's role counts filled from the
 * groups (a count also given in a section must agree), sections of protocols not running. */
void wld_roles_finish(void *cfg, scn_check *k);

/* ---- the world ---------------------------------------------------------------------- */

typedef struct wld wld;

typedef struct wld_run_info {
    double wall_s;          /* host seconds of des_run */
    uint64_t events;
    uint64_t peak_rss_kb;   /* process peak resident memory after the run */
    uint64_t memo_lookups, memo_hits, verifications; /* host work saved by the memo */
} wld_run_info;

/* Build the world. The seed in cfg is used unless seed_override is set. On error returns NULL
 * and writes a one-line message (e.g. an unknown class or region named in the scenario). */
wld *wld_new(const wld_cfg *cfg, char *err, size_t errlen);
void wld_free(wld *w);
uint32_t wld_n_nodes(const wld *w);
/* Run to the scenario's duration; progress on stderr if `progress`. 0 or a negative error. */
int wld_run(wld *w, int progress, wld_run_info *info);

typedef struct wld_out {
    const char *dir;        /* results folder, created if missing */
    const char *scenario_path;
    const char *scenario_text;
    const char *overrides;  /* "-p" overrides, one per line, for the record */
    const char *engine;
    int plots;              /* draw plots with gnuplot */
} wld_out;

/* Headline numbers of a finished run, for sweeps: names fixed per protocol, in a fixed order. */
#define WLD_HEADLINE_MAX 32 /* iot: 10 of LBFT, 5 of the DHT, up to 12 of the app */
typedef struct wld_headline {
    size_t n;
    const char *name[WLD_HEADLINE_MAX];
    double value[WLD_HEADLINE_MAX];
} wld_headline;
void wld_headline_get(wld *w, wld_headline *h);

/* Engine names in schema order (NULL-terminated); which ones this binary has: sim/engine.h. */
extern const char *const wld_engine_names[];
/* Why wld_run failed (empty if it did not). */
const char *wld_run_error(const wld *w);

/* Invariant violations the protocol's checker found during the run (0 if it has none). */
uint64_t wld_violations(const wld *w);

/* Write DIR/run.h5, DIR/summary.json and plots. 0, or a negative error with err filled. */
int wld_write_results(wld *w, const wld_out *out, const wld_run_info *info, char *err, size_t errlen);

#endif
