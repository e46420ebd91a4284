/* sim/workload/wl.h: IoT applications on top of the data platform (prefix wl_): a subscription
 * that buys every epoch of every device as soon as it is uploaded, and the consumers that
 * analyse what a buyer actually decrypted (never the ground truth): a predictive-maintenance
 * detector for EV batteries and a congestion map for navigation.
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
 * records uploaded whatever the device's phase). malloc'd, *n orders; NULL if none. */
data_order *wl_subscribe(const data_cfg *c, cp_time lag, uint32_t *n);

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

#endif
