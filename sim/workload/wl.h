/* sim/workload/wl.h: IoT applications on top of the data platform (prefix wl_): a subscription
 * that buys every epoch of every device as soon as it is uploaded, and the consumers that
 * analyse what a buyer actually decrypted (never the ground truth): a predictive-maintenance
 * detector for EV batteries, a congestion map for navigation, traffic-signal timing from
 * roadside video, and usage-based insurance premiums.
 *
 * The analyses read the data instance's results after a run: the records a buyer decrypted
 * (data_buyer_has), their ciphertexts opened with the buyer's epoch keys (data_buyer_key,
 * data_open), at the time the trade delivered the plaintext. Ground truth (data_model_*) is used
 * only to score them. Ownership: wl_*_run fill a caller-owned struct whose arrays wl_*_free
 * releases. Deterministic: everything in record and device order. Must not touch: the engine. */
#ifndef WL_H
#define WL_H

#include <stddef.h>
#include <stdint.h>

#include "core/data/data.h"

/* Orders buying epoch e of device v for buyer v mod buyers at (e+1)*enc_interval +
 * upload_interval + lag (when every record of the epoch is uploaded, lag covering the
 * pipeline), for every epoch e with (e+1)*enc_interval + upload_interval <= data_end (all its
 * records uploaded whatever the device's phase). Only the devices in the sample are bought:
 * device v is in if wl_subscribed(seed, v, fraction) (fraction 1: all; probe vehicles).
 * malloc'd, *n orders; NULL if none. */
data_order *wl_subscribe(const data_cfg *c, cp_time lag, double fraction, uint64_t seed, uint32_t *n);
/* Whether device v is in the subscription's sample: a uniform draw of (seed, v) below fraction. */
int wl_subscribed(uint64_t seed, uint32_t v, double fraction);

/* A record a buyer decrypted, at the time its trade delivered the plaintext. */
typedef struct wl_item {
    cp_time at;
    uint32_t record;
    cp_node buyer;
    uint32_t trade;
} wl_item;

/* Every record some buyer decrypted, once (earliest delivery), in (time, record) order. */
wl_item *wl_delivered(const data *d, size_t *n);
/* The item's record decrypted with its trade's epoch key: malloc'd plaintext, or NULL. */
uint8_t *wl_open(const data *d, const wl_item *it, size_t *len);
/* The first len bytes of the item's record decrypted with its trade's epoch key (the buyer
 * verified the whole record's tag when it decrypted it): 0, or -1. */
int wl_open_prefix(const data *d, const wl_item *it, uint8_t *pt, size_t len);

/* ---- EV maintenance ------------------------------------------------------------------- */

typedef struct wl_ev_battery {
    uint32_t dev, points;
    uint8_t fast, fails, flagged, false_pos;
    cp_time fail_at, flag_at;    /* CP_TIME_NEVER: none (in the run) */
    double predicted_cycle;      /* at the flag */
} wl_ev_battery;

typedef struct wl_ev {
    size_t n;
    wl_ev_battery *b;
    uint32_t fast, failing, detected, late, missed, false_pos;
    double *lead_s, *latency_s;  /* per detected battery; per reading used */
    size_t n_lead, n_latency;
} wl_ev;

/* Fit health vs cycle per battery over the readings received so far (least squares, at least
 * min_points); flag when the fit crosses fail_health within horizon cycles of the last one. */
int wl_ev_run(const data *d, double horizon, uint32_t min_points, cp_time run_end, wl_ev *out);
void wl_ev_free(wl_ev *e);

/* ---- traffic conditions --------------------------------------------------------------- */

typedef struct wl_traffic {
    uint64_t records, readings, map_entries, map_correct, map_congested, gateway_changes;
    size_t n_windows;
    double *age_s, *latency_s;   /* per reading: map use time - sample; delivery - sample */
    double records_per_s;
} wl_traffic;

/* Mean speed per (window, segment); congested below the midpoint of free and jammed speed. */
int wl_traffic_run(const data *d, cp_time window, wl_traffic *out);
void wl_traffic_free(wl_traffic *t);

/* ---- traffic video: signal timing from camera segments ---------------------------------- */

/* Signal timing (Webster): phase p serves approaches a with a mod phases = p; its critical
 * flow ratio y_p = max over them of q_a / sat_vph (q_a: per-lane flow, vehicles/h); lost time
 * L = phases * lost_s; cycle C = (1.5 L + 5) / (1 - Y), Y = sum y_p, clamped to
 * [min_cycle_s, max_cycle_s] (max if Y >= 0.95); green g_p = (C - L) y_p / Y. */
typedef struct wl_signal {
    uint32_t phases;
    double sat_vph, lost_s, min_cycle_s, max_cycle_s;
} wl_signal;

typedef struct wl_plan {
    uint64_t window;
    uint32_t intersection;
    double cycle_s, cycle_true_s, green_err_s; /* green_err_s: max over phases |g - g_true| */
} wl_plan;

typedef struct wl_video {
    uint64_t cameras, intersections, segments, segments_ready, decoded, counts_wrong, vehicles;
    uint64_t segment_bytes;
    double upload_mbps, stored_mbps;   /* ciphertext uploaded by cameras / held at replicas, per data_end */
    uint32_t gateways;
    double *gw_stored_mb, *gw_up_mbps, *gw_down_mbps; /* per gateway; bandwidth over the run */
    double *latency_s;                 /* per decoded segment: analytics has it - segment end */
    size_t n_latency, n_plans;
    wl_plan *plans;                    /* per (window, intersection) with every approach seen */
    double *green_err_s, *cycle_err_s; /* per plan */
} wl_video;

/* Webster's timing for per-approach lane flows q[approaches]: cycle and greens[phases]. */
double wl_webster(const wl_signal *s, const double *q, uint32_t approaches, double *green);
/* Counts per (window, intersection, approach) from the decrypted segments; timing per window. */
int wl_video_run(const data *d, cp_time window, const wl_signal *sig, cp_time run_end, wl_video *out);
void wl_video_free(wl_video *v);

/* ---- usage-based insurance ------------------------------------------------------------- */

/* premium = base + per_speeding * (speeding events per hour driven) + per_braking * (harsh
 * brakings per hour), from the decrypted readings of one trade; the true premium puts the
 * driver's true event rates (data_model_p_*) in the same formula. */
typedef struct wl_tariff {
    double base, per_speeding, per_braking;
} wl_tariff;

typedef struct wl_quote {
    uint32_t trade, driver;        /* driver: device index */
    uint64_t readings, speeding, braking;
    double risk, premium, true_premium, quote_s; /* quote_s: order -> premium */
} wl_quote;

typedef struct wl_insure {
    size_t n;
    wl_quote *q;                       /* per finished trade */
    double *quote_s, *err_rel;         /* per quote: time to quote; |premium - true| / true */
    uint64_t readings, events_wrong;   /* readings used; event flags differing from the model */
    uint64_t cfrags, cfrags_max;       /* over proxies */
    double cfrags_mean;
    uint64_t windows, windows_equal;   /* aggregation windows; result == plain sum */
} wl_insure;

int wl_insure_run(const data *d, const wl_tariff *tf, wl_insure *out);
void wl_insure_free(wl_insure *q);

#endif
