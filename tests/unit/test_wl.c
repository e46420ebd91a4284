/* Unit tests for sim/workload's traffic-video, insurance and traffic-conditions consumers, and
 * the subscription's probe sample (data.subscribe_fraction): Webster's timing on
 * hand-computed flows; a small camera world whose signal plan equals the plan recomputed from
 * the model's counts of exactly the segments the analytics bought; a small insurance world
 * whose quotes equal the premiums recomputed from the model's events of exactly the readings
 * each trade bought, with the proxies' cfrags as derived from the orders; a vehicle world that
 * subscribes to half of its vehicles buys exactly the drawn ones, about half, and its map
 * stays right. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sim/workload/wl.h"
#include "sim/world/world_int.h"
#include "tests/harness.h"
#include "tests/world_run.h"

static void t_webster(void)
{
    /* y = (450/1800, 300/1800) = (0.25, 0.1667), Y = 0.41667, L = 2 x 4 = 8 s:
     * C = (1.5 x 8 + 5) / (1 - Y) = 17 / 0.58333 = 29.143 s; g = 21.143 x (0.6, 0.4) */
    wl_signal s = {2, 1800, 4, 20, 180};
    double q[4] = {450, 300, 200, 100}, g[2];
    CHECK_NEAR(wl_webster(&s, q, 4, g), 17.0 / (1 - 750.0 / 1800), 1e-9);
    CHECK_NEAR(g[0], (17.0 / (1 - 750.0 / 1800) - 8) * 0.6, 1e-9);
    CHECK_NEAR(g[1], (17.0 / (1 - 750.0 / 1800) - 8) * 0.4, 1e-9);
    s.min_cycle_s = 30; /* clamped up: the greens share C - L = 22 s */
    CHECK_NEAR(wl_webster(&s, q, 4, g), 30, 1e-12);
    CHECK_NEAR(g[0], 22 * 0.6, 1e-9);
    q[0] = 1700, q[1] = 1000; /* Y >= 0.95: the longest cycle */
    CHECK_NEAR(wl_webster(&s, q, 4, g), 180, 1e-12);
}

static const char video_yaml[] =
    "name: t\nseed: 3\nduration: 3min\nprotocol: data\n"
    "classes:\n  camera: {cpu_factor: 4, uplink: 4Mbps, downlink: 4Mbps, access_latency: 10ms}\n"
    "nodes:\n  - {count: 4, class: camera}\n  - {count: 4, class: gateway}\n  - {count: 4, class: server}\n"
    "data: {devices: 4, gateways: 4, proxies: 3, buyers: 1, committee: 0, device_model: camera,\n"
    "       camera: {approaches: 4, lanes: 2, flow_vph: 600, bitrate: 400000, plan_window: 5min},\n"
    "       subscribe: true, subscribe_lag: 10s, sample_interval: 10s, upload_interval: 10s,\n"
    "       enc_interval: 30s, data_end: 2min, chunk_size: 64kB, replicas: 2, agg_window: 0s}\n"
    "plots: false\n";

static void t_video_plan_from_bought_segments(void)
{
    run r;
    REQUIRE(run_text(&r, "t.yaml", video_yaml, sizeof video_yaml - 1, NULL, 0) == 0);
    const data_cfg *c = data_get_cfg(r.w->data);
    wl_signal s = {2, 1800, 4, 30, 180};
    wl_video v;
    REQUIRE(wl_video_run(r.w->data, CP_S(300), &s, CP_S(180), &v) == 0);
    /* epochs e with (e+1) 30 s + 10 s <= 2 min: 0..2, i.e. segments 0..8 of each camera */
    CHECK_EQ_U64(v.segments, 4 * 11);
    CHECK_EQ_U64(v.decoded, 4 * 9);
    CHECK_EQ_U64(v.counts_wrong, 0);
    CHECK_EQ_U64(v.segment_bytes, 500000); /* 400 kbit/s x 10 s / 8 */
    CHECK_NEAR(v.upload_mbps, 44 * 500040 * 8 / 120.0 / 1e6, 1e-9);
    CHECK_NEAR(v.stored_mbps, 2 * 44 * 500040 * 8 / 120.0 / 1e6, 1e-9);
    REQUIRE(v.n_plans == 1);
    double q[4], qt[4], g[2], gt[2], err = 0;
    for (uint32_t a = 0; a < 4; a++) {
        uint64_t n = 0;
        for (uint64_t j = 0; j < 9; j++)
            for (uint32_t l = 0; l < 2; l++) n += data_model_lane_count(&c->model, 3, a, l, j, 10.0);
        q[a] = (double)n / (2 * 9 * 10 / 3600.0);
        qt[a] = data_model_lane_flow(&c->model, 3, 0, a);
    }
    double cyc = wl_webster(&s, q, 4, g), cyt = wl_webster(&s, qt, 4, gt);
    for (int p = 0; p < 2; p++) err = fabs(g[p] - gt[p]) > err ? fabs(g[p] - gt[p]) : err;
    CHECK_NEAR(v.plans[0].cycle_s, cyc, 1e-9);
    CHECK_NEAR(v.plans[0].cycle_true_s, cyt, 1e-9);
    CHECK_NEAR(v.plans[0].green_err_s, err, 1e-9);
    for (size_t i = 0; i < v.n_latency; i++) /* segment k of an epoch: 40 - 10 k - phase + pipeline */
        CHECK(v.latency_s[i] > 10 && v.latency_s[i] < 45);
    wl_video_free(&v);
    run_stop(&r);
}

static const char ins_yaml[] =
    "name: t\nseed: 5\nduration: 70min\nprotocol: data\n"
    "nodes:\n  - {count: 20, class: vehicle}\n  - {count: 4, class: gateway}\n  - {count: 12, class: server}\n"
    "data: {devices: 20, gateways: 4, proxies: 5, buyers: 2, committee: 5, device_model: vehicle,\n"
    "       vehicle: {speeding: 0.05, braking: 0.02, app: insurance, base_premium: 400, per_speeding: 10,\n"
    "                 per_braking: 20},\n"
    "       sample_interval: 1s, upload_interval: 1min, enc_interval: 10min, data_end: 60min,\n"
    "       trades: 6, trade_start: 30min, trade_end: 60min, epochs_per_order: 2, pre_t: 2, pre_n: 3,\n"
    "       agg_window: 5min, agg_grace: 30s, agg_t: 3}\n"
    "plots: false\n";

static void t_insure_quotes_from_bought_readings(void)
{
    run r;
    REQUIRE(run_text(&r, "t.yaml", ins_yaml, sizeof ins_yaml - 1, NULL, 0) == 0);
    const data_cfg *c = data_get_cfg(r.w->data);
    size_t nt;
    const data_trade *t = data_trades(r.w->data, &nt);
    wl_tariff tf = {400, 10, 20};
    wl_insure q;
    REQUIRE(wl_insure_run(r.w->data, &tf, &q) == 0);
    CHECK_EQ_U64(q.n, 6);
    CHECK_EQ_U64(q.events_wrong, 0);
    CHECK_EQ_U64(q.cfrags, 6 * 2 * 3); /* each of pre_n proxies: one cfrag per epoch per order */
    CHECK_NEAR(q.cfrags_mean, 6 * 2 * 3 / 5.0, 1e-12);
    CHECK(q.windows == 12 && q.windows_equal == 12);
    for (size_t i = 0; i < q.n; i++) {
        const wl_quote *x = &q.q[i];
        const data_trade *tr = &t[x->trade];
        uint64_t sp = 0, br = 0, n = 0;
        for (uint64_t j = tr->e0 * 600; j < (tr->e1 + 1) * 600; j++, n++) { /* the two bought epochs */
            uint8_t p[DATA_MODEL_READING];
            data_model_rd rd;
            data_model_reading(&c->model, 5, x->driver, j, 1.0, 0, p, sizeof p);
            data_model_decode(&c->model, p, &rd);
            sp += rd.speeding, br += rd.braking;
        }
        CHECK_EQ_U64(x->readings, n);
        CHECK(x->speeding == sp && x->braking == br);
        double h = n / 3600.0, ps = data_model_p_speeding(&c->model, 5, x->driver) * 3600;
        CHECK_NEAR(x->premium, 400 + 10 * sp / h + 20 * br / h, 1e-9);
        CHECK_NEAR(x->true_premium, 400 + 10 * ps + 20 * data_model_p_braking(&c->model, 5, x->driver) * 3600, 1e-9);
        CHECK(x->quote_s > 0 && fabs(x->quote_s - (double)(tr->plaintext - tr->ordered) / 1e9) < 1e-9);
    }
    wl_insure_free(&q);
    run_stop(&r);
}

static const char probe_yaml[] =
    "name: t\nseed: 7\nduration: 3min\nprotocol: data\n"
    "nodes:\n  - {count: 200, class: vehicle}\n  - {count: 4, class: gateway}\n  - {count: 4, class: server}\n"
    "data: {devices: 200, gateways: 4, proxies: 3, buyers: 1, committee: 0, device_model: vehicle,\n"
    "       vehicle: {grid: 20, cell_blocks: 10, map_window: 5min},\n"
    "       subscribe: true, subscribe_fraction: 0.5, subscribe_lag: 10s, sample_interval: 1s,\n"
    "       upload_interval: 1min, enc_interval: 1min, data_end: 2min, pre_t: 2, pre_n: 3, agg_window: 0s}\n"
    "plots: false\n";

static void t_traffic_probe_sample(void)
{
    data_cfg c = data_cfg_default();
    c.devices = 1000, c.gateways = 4, c.proxies = 3, c.buyers = 1;
    c.upload_interval = c.enc_interval = CP_S(60), c.data_end = CP_S(120);
    uint32_t n_all, n_half, n_none, drawn = 0;
    data_order *all = wl_subscribe(&c, CP_S(10), 1.0, 7, &n_all), *half = wl_subscribe(&c, CP_S(10), 0.5, 7, &n_half);
    data_order *none = wl_subscribe(&c, CP_S(10), 0.0, 7, &n_none);
    for (uint32_t v = 0; v < 1000; v++) drawn += (uint32_t)wl_subscribed(7, v, 0.5);
    CHECK_EQ_U64(n_all, 1000); /* fraction 1: every device, as without the key */
    CHECK(none == NULL && n_none == 0);
    CHECK_EQ_U64(n_half, drawn);
    CHECK(drawn > 440 && drawn < 560); /* binomial(1000, 0.5): +-3.8 sigma */
    for (uint32_t i = 0; half && i < n_half; i++) CHECK(wl_subscribed(7, half[i].owner - c.first, 0.5));
    free(all), free(half);

    run r;
    REQUIRE(run_text(&r, "t.yaml", probe_yaml, sizeof probe_yaml - 1, NULL, 0) == 0);
    size_t nt, nr;
    const data_trade *t = data_trades(r.w->data, &nt);
    data_records(r.w->data, &nr);
    uint32_t want = 0;
    for (uint32_t v = 0; v < 200; v++) want += (uint32_t)wl_subscribed(7, v, 0.5);
    CHECK_EQ_U64(nr, 200); /* every vehicle uploads its one minute */
    CHECK_EQ_U64(nt, want);
    CHECK(want > 70 && want < 130);
    for (size_t i = 0; i < nt; i++) CHECK(t[i].state == DATA_T_FINISHED && wl_subscribed(7, t[i].seller, 0.5));
    wl_traffic tr;
    REQUIRE(wl_traffic_run(r.w->data, CP_S(300), &tr) == 0);
    CHECK_EQ_U64(tr.records, want); /* only the probes' records reach the map */
    CHECK_EQ_U64(tr.readings, 60ull * want);
    CHECK(tr.map_entries > 0 && tr.map_correct >= 0.95 * (double)tr.map_entries);
    wl_traffic_free(&tr);
    run_stop(&r);
}

TEST_MAIN(TEST(t_webster), TEST(t_traffic_probe_sample), TEST(t_video_plan_from_bought_segments), TEST(t_insure_quotes_from_bought_readings))
