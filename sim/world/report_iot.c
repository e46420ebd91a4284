/* sim/world/report_iot.c: results of the IoT applications (core/iot): the sessions, scans and
 * queries tables in run.h5 (/iot/...), the "iot" block of summary.json with each app's user
 * numbers (ev-charging: settlement and reservation latency, pile utilisation, failed
 * reservations; with riders, the shared-travel block: rider wait, unserved riders, rentals,
 * rental settlement, fleet car-time by state, revenue; parking: settlement latency, time
 * waiting at the lock for the deposit;
 * logistics: records committed per second, scan-to-commit and query latency, query
 * completeness), a latency CDF plot and sweep headlines. Invariant: numbers come only from the
 * protocol's result arrays in index order, so the same seed gives the same bytes; a time never
 * reached is 2^64-1 in HDF5 and left out of the summaries. */
#include "sim/world/world_int.h"

#include <stdlib.h>

#include "sim/metrics/plot.h"
#include "sim/metrics/st.h"

static const char *const app_names[] = {"ev-charging", "parking", "logistics"};

static int h5_sessions(wld *w, h5w *h)
{
    size_t n;
    const iot_session *s = iot_sessions(w->iot, &n);
    size_t m = n ? n : 1;
    uint32_t *u[4];
    uint64_t *v[16];
    int bad = 0, rc = -1;
    for (int k = 0; k < 4; k++) bad |= !(u[k] = malloc(m * 4));
    for (int k = 0; k < 16; k++) bad |= !(v[k] = malloc(m * 8));
    for (size_t i = 0; !bad && i < n; i++) {
        u[0][i] = s[i].user, u[1][i] = s[i].infra, u[2][i] = s[i].lookups, u[3][i] = s[i].conflicts;
        uint64_t t[16] = {s[i].escrow, s[i].need, s[i].reserved, s[i].open_sent, s[i].open_committed,
                          s[i].open_known, s[i].plugged, s[i].start, s[i].stop, s[i].unplug, s[i].settle_sent,
                          s[i].settled, s[i].energy_wh, s[i].pay, s[i].minutes, s[i].settle_valid};
        for (int k = 0; k < 16; k++) v[k][i] = t[k];
    }
    if (!bad) {
        h5w_col cols[] = {{"user", H5W_U32, u[0]}, {"infra", H5W_U32, u[1]}, {"escrow", H5W_U64, v[0]},
                          {"need_ns", H5W_U64, v[1]}, {"reserved_ns", H5W_U64, v[2]}, {"open_sent_ns", H5W_U64, v[3]},
                          {"open_committed_ns", H5W_U64, v[4]}, {"open_known_ns", H5W_U64, v[5]},
                          {"plugged_ns", H5W_U64, v[6]}, {"start_ns", H5W_U64, v[7]}, {"stop_ns", H5W_U64, v[8]},
                          {"unplug_ns", H5W_U64, v[9]}, {"settle_sent_ns", H5W_U64, v[10]},
                          {"settled_ns", H5W_U64, v[11]}, {"energy_wh", H5W_U64, v[12]}, {"pay", H5W_U64, v[13]},
                          {"minutes", H5W_U64, v[14]}, {"settle_valid", H5W_U64, v[15]},
                          {"lookups", H5W_U32, u[2]}, {"conflicts", H5W_U32, u[3]}};
        rc = h5w_table(h, "/iot/sessions", n, cols, 20);
    }
    for (int k = 0; k < 4; k++) free(u[k]);
    for (int k = 0; k < 16; k++) free(v[k]);
    return rc;
}

static int h5_scans(wld *w, h5w *h)
{
    size_t n;
    const iot_scan *s = iot_scans(w->iot, &n);
    size_t m = n ? n : 1;
    uint32_t *par = malloc(m * 4), *hub = malloc(m * 4);
    uint8_t *ev = malloc(m), *ok = malloc(m);
    uint64_t *at = malloc(m * 8), *cm = malloc(m * 8), *ix = malloc(m * 8), *ht = malloc(m * 8);
    int rc = -1;
    if (par && hub && ev && ok && at && cm && ix && ht) {
        for (size_t i = 0; i < n; i++)
            par[i] = s[i].parcel, hub[i] = s[i].hub, ev[i] = s[i].event, ok[i] = s[i].valid, at[i] = s[i].at,
            cm[i] = s[i].committed, ix[i] = s[i].indexed, ht[i] = s[i].height;
        h5w_col cols[] = {{"parcel", H5W_U32, par}, {"hub", H5W_U32, hub}, {"event", H5W_U8, ev},
                          {"scan_ns", H5W_U64, at}, {"committed_ns", H5W_U64, cm}, {"indexed_ns", H5W_U64, ix},
                          {"height", H5W_U64, ht}, {"valid", H5W_U8, ok}};
        rc = h5w_table(h, "/iot/scans", n, cols, 8);
    }
    free(par), free(hub), free(ev), free(ok), free(at), free(cm), free(ix), free(ht);
    return rc;
}

static int h5_queries(wld *w, h5w *h)
{
    size_t n;
    const iot_query *q = iot_queries(w->iot, &n);
    size_t m = n ? n : 1;
    uint32_t *u[5];
    uint64_t *sent = malloc(m * 8), *ans = malloc(m * 8);
    uint8_t *cpl = malloc(m), *ver = malloc(m);
    int bad = !sent || !ans || !cpl || !ver, rc = -1;
    for (int k = 0; k < 5; k++) bad |= !(u[k] = malloc(m * 4));
    for (size_t i = 0; !bad && i < n; i++) {
        u[0][i] = q[i].client, u[1][i] = q[i].parcel, u[2][i] = q[i].returned, u[3][i] = q[i].expected;
        u[4][i] = q[i].made, sent[i] = q[i].sent, ans[i] = q[i].answered, cpl[i] = q[i].complete, ver[i] = q[i].verified;
    }
    if (!bad) {
        h5w_col cols[] = {{"client", H5W_U32, u[0]}, {"parcel", H5W_U32, u[1]}, {"sent_ns", H5W_U64, sent},
                          {"answered_ns", H5W_U64, ans}, {"returned", H5W_U32, u[2]}, {"expected", H5W_U32, u[3]},
                          {"made", H5W_U32, u[4]}, {"complete", H5W_U8, cpl}, {"verified", H5W_U8, ver}};
        rc = h5w_table(h, "/iot/queries", n, cols, 9);
    }
    for (int k = 0; k < 5; k++) free(u[k]);
    free(sent), free(ans), free(cpl), free(ver);
    return rc;
}

static int riders(const wld *w) { return w->cfg->iot.app == IOT_APP_EV && w->cfg->iot.ev.riders > 0; }

/* One row per rental (shared travel): the steps' times, the trip, the fare. */
static int h5_rentals(wld *w, h5w *h)
{
    size_t n;
    const iot_rental *r = iot_rentals(w->iot, &n);
    size_t m = n ? n : 1;
    uint32_t *u[10];
    uint64_t *v[19];
    int bad = 0, rc = -1;
    for (int k = 0; k < 10; k++) bad |= !(u[k] = malloc(m * 4));
    for (int k = 0; k < 19; k++) bad |= !(v[k] = malloc(m * 8));
    for (size_t i = 0; !bad && i < n; i++) {
        const iot_session *s = &r[i].s;
        uint32_t a[10] = {s->user, s->infra, s->lookups, s->conflicts, r[i].ox, r[i].oy, r[i].dx, r[i].dy, r[i].cx, r[i].cy};
        uint64_t t[19] = {s->escrow, s->need, s->reserved, s->open_sent, s->open_committed, s->open_known, s->plugged,
                          s->start, s->stop, s->unplug, s->settle_sent, s->settled, r[i].gave_up, r[i].metres,
                          s->minutes, s->pay, s->energy_wh, s->settle_valid, 0};
        for (int k = 0; k < 10; k++) u[k][i] = a[k];
        for (int k = 0; k < 19; k++) v[k][i] = t[k];
    }
    if (!bad) {
        h5w_col cols[] = {{"rider", H5W_U32, u[0]}, {"car", H5W_U32, u[1]}, {"escrow", H5W_U64, v[0]},
                          {"request_ns", H5W_U64, v[1]}, {"reserved_ns", H5W_U64, v[2]}, {"open_sent_ns", H5W_U64, v[3]},
                          {"open_committed_ns", H5W_U64, v[4]}, {"open_known_ns", H5W_U64, v[5]},
                          {"hello_ns", H5W_U64, v[6]}, {"unlock_ns", H5W_U64, v[7]}, {"arrived_ns", H5W_U64, v[8]},
                          {"countersigned_ns", H5W_U64, v[9]}, {"settle_sent_ns", H5W_U64, v[10]},
                          {"settled_ns", H5W_U64, v[11]}, {"gave_up_ns", H5W_U64, v[12]}, {"metres", H5W_U64, v[13]},
                          {"minutes", H5W_U64, v[14]}, {"pay", H5W_U64, v[15]}, {"energy_wh", H5W_U64, v[16]},
                          {"settle_valid", H5W_U64, v[17]}, {"lookups", H5W_U32, u[2]}, {"conflicts", H5W_U32, u[3]},
                          {"origin_x_m", H5W_U32, u[4]}, {"origin_y_m", H5W_U32, u[5]}, {"dest_x_m", H5W_U32, u[6]},
                          {"dest_y_m", H5W_U32, u[7]}, {"car_x_m", H5W_U32, u[8]}, {"car_y_m", H5W_U32, u[9]}};
        rc = h5w_table(h, "/iot/rentals", n, cols, 28);
    }
    for (int k = 0; k < 10; k++) free(u[k]);
    for (int k = 0; k < 19; k++) free(v[k]);
    return rc;
}

int wld_iot_h5(wld *w, h5w *h)
{
    int rc = w->cfg->iot.app == IOT_APP_LOG ? h5_scans(w, h) | h5_queries(w, h) : h5_sessions(w, h);
    if (riders(w)) {
        const iot_counts *c = iot_get_counts(w->iot);
        struct { const char *k; uint64_t v; } t[] = {
            {"requests", c->requests}, {"rentals", c->rentals}, {"unserved", c->unserved},
            {"rentals_done", c->rentals_done}, {"rent_refused", c->rent_refused}, {"rent_expired", c->rent_expired},
            {"relocations", c->relocations}};
        rc |= h5_rentals(w, h);
        for (size_t i = 0; i < sizeof t / sizeof t[0]; i++) rc |= h5w_attr_u64(h, "/iot", t[i].k, t[i].v);
    }
    const iot_counts *c = iot_get_counts(w->iot);
    struct { const char *k; uint64_t v; } a[] = {
        {"msgs", c->msgs}, {"malformed", c->malformed}, {"bad_sig", c->bad_sig}, {"submitted", c->submitted},
        {"submit_failed", c->submit_failed}, {"committed", c->committed}, {"invalid", c->invalid},
        {"needs", c->needs}, {"no_pile", c->no_pile}, {"refused", c->refused}, {"expired", c->expired},
        {"sessions_done", c->sessions_done}, {"turned_away", c->turned_away}, {"parcels", c->parcels},
        {"scans", c->scans}, {"queries", c->queries}, {"answered", c->answered}};
    for (size_t i = 0; i < sizeof a / sizeof a[0]; i++) rc |= h5w_attr_u64(h, "/iot", a[i].k, a[i].v);
    rc |= h5w_attr_str(h, "/iot", "app", app_names[w->cfg->iot.app]);
    return rc;
}

/* ---- samples (seconds) ------------------------------------------------------------------- */

enum { S_SETTLE, S_RESERVE, S_WAIT, S_SCAN, S_QUERY, S_RIDER_WAIT, S_RENT_SETTLE, S_WALK };

/* Rider wait: request -> unlock; rental settlement: arrival at the destination -> settle
 * committed; walk: reserved -> the rider's HELLO at the car. */
static size_t sample_rentals(wld *w, int what, double *out)
{
    size_t n, k = 0;
    const iot_rental *r = iot_rentals(w->iot, &n);
    for (size_t i = 0; i < n; i++) {
        const iot_session *s = &r[i].s;
        cp_time a = what == S_RIDER_WAIT ? s->need : what == S_RENT_SETTLE ? s->stop : s->reserved;
        cp_time b = what == S_RIDER_WAIT ? s->start : what == S_RENT_SETTLE ? s->settled : s->plugged;
        if (a != CP_TIME_NEVER && b != CP_TIME_NEVER) out[k++] = (double)(b - a) / 1e9;
    }
    return k;
}

/* Settlement: unplug (ev) or the car leaving (park) -> settle committed; reservation: need ->
 * reserved; deposit wait: arrival -> lock open; scan -> commit; query sent -> answered. */
static size_t sample(wld *w, int what, double *out)
{
    size_t n, k = 0;
    if (what >= S_RIDER_WAIT) return sample_rentals(w, what, out);
    if (what == S_SCAN) {
        const iot_scan *s = iot_scans(w->iot, &n);
        for (size_t i = 0; i < n; i++)
            if (s[i].committed != CP_TIME_NEVER) out[k++] = (double)(s[i].committed - s[i].at) / 1e9;
        return k;
    }
    if (what == S_QUERY) {
        const iot_query *q = iot_queries(w->iot, &n);
        for (size_t i = 0; i < n; i++)
            if (q[i].answered != CP_TIME_NEVER) out[k++] = (double)(q[i].answered - q[i].sent) / 1e9;
        return k;
    }
    const iot_session *s = iot_sessions(w->iot, &n);
    int ev = w->cfg->iot.app == IOT_APP_EV;
    for (size_t i = 0; i < n; i++) {
        cp_time a = what == S_SETTLE ? (ev ? s[i].unplug : s[i].stop) : s[i].need;
        cp_time b = what == S_SETTLE ? s[i].settled : what == S_RESERVE ? s[i].reserved : s[i].plugged;
        if (a != CP_TIME_NEVER && b != CP_TIME_NEVER) out[k++] = (double)(b - a) / 1e9;
    }
    return k;
}

static size_t sample_cap(wld *w)
{
    size_t a, b, c, d;
    iot_sessions(w->iot, &a), iot_scans(w->iot, &b), iot_queries(w->iot, &c), iot_rentals(w->iot, &d);
    return a + b + c + d + 1;
}

static void summary(js *j, const char *key, const double *v, size_t n)
{
    st_summary s;
    st_summarize(v, n, &s);
    st_write_json(j, key, &s);
}

/* Mean busy fraction of the piles (charging) or lots (occupied spaces) over the run. */
static double utilisation(wld *w)
{
    uint32_t n = w->cfg->iot.app == IOT_APP_EV ? w->cfg->iot.ev.piles : w->cfg->iot.park.locks;
    double sum = 0;
    for (uint32_t i = 0; i < n; i++) sum += (double)iot_infra_busy(w->iot, i, w->cfg->duration);
    return n ? sum / n / (double)w->cfg->duration : 0;
}

static uint64_t committed_traces(wld *w, cp_time by)
{
    size_t n;
    uint64_t k = 0;
    const iot_scan *s = iot_scans(w->iot, &n);
    for (size_t i = 0; i < n; i++) k += s[i].committed != CP_TIME_NEVER && s[i].valid && s[i].at <= by;
    return k;
}

static void json_sessions(wld *w, js *j, double *buf)
{
    const iot_counts *c = iot_get_counts(w->iot);
    size_t n;
    iot_sessions(w->iot, &n);
    js_u64(j, "sessions", n);
    js_u64(j, "settled", c->sessions_done);
    summary(j, "settlement_s", buf, sample(w, S_SETTLE, buf));
    if (w->cfg->iot.app == IOT_APP_EV) {
        summary(j, "reservation_s", buf, sample(w, S_RESERVE, buf));
        js_num(j, "pile_utilisation", utilisation(w));
        js_u64(j, "failed_reservations", c->refused);
        js_u64(j, "no_free_pile", c->no_pile);
        js_u64(j, "expired_reservations", c->expired);
    } else {
        summary(j, "deposit_wait_s", buf, sample(w, S_WAIT, buf));
        js_num(j, "occupancy", utilisation(w));
        js_u64(j, "turned_away", c->turned_away);
    }
}

/* Shared travel: riders served and not, their wait, the rentals' settlement, the fleet's
 * car-time by state and the fares collected. */
static void json_travel(wld *w, js *j, double *buf)
{
    const iot_counts *c = iot_get_counts(w->iot);
    size_t n;
    const iot_rental *r = iot_rentals(w->iot, &n);
    uint64_t revenue = 0, metres = 0, minutes = 0;
    for (size_t i = 0; i < n; i++)
        if (r[i].s.settled != CP_TIME_NEVER && r[i].s.settle_valid)
            revenue += r[i].s.pay, metres += r[i].metres, minutes += r[i].s.minutes;
    iot_fleet f = iot_fleet_time(w->iot, w->cfg->duration);
    double all = (double)(f.rented + f.charging + f.reserved + f.idle);
    js_obj_begin(j, "travel");
    js_u64(j, "riders", w->cfg->iot.ev.riders);
    js_u64(j, "requests", c->requests);
    js_u64(j, "rentals", c->rentals);
    js_u64(j, "unserved", c->unserved);
    js_u64(j, "settled", c->rentals_done);
    summary(j, "rider_wait_s", buf, sample(w, S_RIDER_WAIT, buf));
    summary(j, "walk_s", buf, sample(w, S_WALK, buf));
    summary(j, "rental_settlement_s", buf, sample(w, S_RENT_SETTLE, buf));
    js_u64(j, "refused_rentals", c->rent_refused);
    js_u64(j, "expired_rentals", c->rent_expired);
    js_u64(j, "relocations", c->relocations);
    js_u64(j, "revenue", revenue);       /* fares settled valid on chain */
    js_num(j, "settled_km", (double)metres / 1000.0);
    js_u64(j, "settled_minutes", minutes);
    js_obj_begin(j, "fleet");
    js_num(j, "rented", all > 0 ? (double)f.rented / all : 0);
    js_num(j, "charging", all > 0 ? (double)f.charging / all : 0);
    js_num(j, "reserved", all > 0 ? (double)f.reserved / all : 0);
    js_num(j, "idle", all > 0 ? (double)f.idle / all : 0);
    js_obj_end(j);
    js_obj_end(j);
}

static void json_log(wld *w, js *j, double *buf)
{
    const iot_counts *c = iot_get_counts(w->iot);
    size_t n;
    const iot_query *q = iot_queries(w->iot, &n);
    uint64_t complete = 0, verified = 0;
    for (size_t i = 0; i < n; i++) complete += q[i].complete, verified += q[i].verified;
    double end = (double)(w->cfg->iot.end < w->cfg->duration ? w->cfg->iot.end : w->cfg->duration) / 1e9;
    js_u64(j, "parcels", c->parcels);
    js_u64(j, "scans", c->scans);
    js_u64(j, "committed", committed_traces(w, CP_TIME_NEVER - 1));
    js_num(j, "records_per_s", end > 0 ? (double)committed_traces(w, (cp_time)(end * 1e9)) / end : 0);
    summary(j, "scan_to_commit_s", buf, sample(w, S_SCAN, buf));
    js_u64(j, "queries", c->queries);
    js_u64(j, "answered", c->answered);
    summary(j, "query_s", buf, sample(w, S_QUERY, buf));
    js_num(j, "completeness", c->answered ? (double)complete / (double)c->answered : 0);
    js_u64(j, "verified", verified);
}

void wld_iot_json(wld *w, js *j)
{
    double *buf = malloc(sample_cap(w) * sizeof *buf);
    if (!buf) return;
    const iot_counts *c = iot_get_counts(w->iot);
    js_obj_begin(j, "iot");
    js_str(j, "app", app_names[w->cfg->iot.app]);
    if (w->cfg->iot.app == IOT_APP_LOG) json_log(w, j, buf);
    else json_sessions(w, j, buf);
    if (riders(w)) json_travel(w, j, buf);
    js_u64(j, "transactions", c->submitted);
    js_u64(j, "submit_failed", c->submit_failed);
    js_u64(j, "invalid", c->invalid);
    js_u64(j, "malformed", c->malformed);
    js_u64(j, "bad_signatures", c->bad_sig);
    js_obj_begin(j, "crypto_cpu_s");
    static const char *const roles[3][3] = {{"piles", "evs", "riders"}, {"locks", "drivers", ""}, {"hubs", "indexers", "clients"}};
    for (int r = 0; r < 3; r++)
        if (roles[w->cfg->iot.app][r][0] && (r < 2 || w->cfg->iot.app != IOT_APP_EV || riders(w)))
            js_num(j, roles[w->cfg->iot.app][r], (double)iot_role_cpu(w->iot, r) / 1e9);
    js_obj_end(j);
    js_obj_end(j);
    free(buf);
}

void wld_iot_plots(wld *w, const char *dir)
{
    size_t cap = sample_cap(w);
    double *a = malloc(cap * sizeof *a), *b = malloc(cap * sizeof *b);
    if (a && b) {
        int lg = w->cfg->iot.app == IOT_APP_LOG, ev = w->cfg->iot.app == IOT_APP_EV, rd = riders(w);
        double *c = rd ? malloc(cap * sizeof *c) : NULL, *d = rd ? malloc(cap * sizeof *d) : NULL;
        size_t n[4] = {sample(w, lg ? S_SCAN : S_SETTLE, a), sample(w, lg ? S_QUERY : ev ? S_RESERVE : S_WAIT, b),
                       c ? sample(w, S_RIDER_WAIT, c) : 0, d ? sample(w, S_RENT_SETTLE, d) : 0};
        const char *titles[4] = {lg ? "scan to commit" : rd ? "charging settlement" : "settlement",
                                 lg ? "provenance query" : ev ? "pile reservation" : "deposit wait",
                                 "rider wait (request to unlock)", "rental settlement"};
        if (ev && !rd) titles[1] = "reservation";
        const double *v[4] = {a, b, c, d};
        plot_spec sp = {dir, "iot_latency", app_names[w->cfg->iot.app], "seconds", "fraction", ev, 0, 1, NULL};
        if (rd && (c || d)) plot_cdf(&sp, titles, v, n, 4);
        else if (!rd && n[0] && n[1]) plot_cdf(&sp, titles, v, n, 2);
        free(c), free(d);
    }
    free(a), free(b);
}

static void put(wld_headline *h, const char *name, double v)
{
    if (h->n < WLD_HEADLINE_MAX) h->name[h->n] = name, h->value[h->n++] = v;
}

void wld_iot_headline(wld *w, wld_headline *h)
{
    double *buf = malloc(sample_cap(w) * sizeof *buf);
    st_summary s;
    int app = w->cfg->iot.app;
    st_summarize(buf, buf ? sample(w, app == IOT_APP_LOG ? S_SCAN : S_SETTLE, buf) : 0, &s);
    put(h, app == IOT_APP_LOG ? "scan_commit_p50_s" : "settle_p50_s", s.n ? s.p50 : 0);
    put(h, app == IOT_APP_LOG ? "scan_commit_p99_s" : "settle_p99_s", s.n ? s.p99 : 0);
    st_summarize(buf, buf ? sample(w, app == IOT_APP_LOG ? S_QUERY : app == IOT_APP_EV ? S_RESERVE : S_WAIT, buf) : 0, &s);
    put(h, app == IOT_APP_LOG ? "query_p50_s" : app == IOT_APP_EV ? "reserve_p50_s" : "deposit_wait_p50_s", s.n ? s.p50 : 0);
    if (app == IOT_APP_EV) put(h, "pile_utilisation", utilisation(w)), put(h, "failed_reservations", (double)iot_get_counts(w->iot)->refused);
    if (riders(w)) {
        const iot_counts *c = iot_get_counts(w->iot);
        iot_fleet f = iot_fleet_time(w->iot, w->cfg->duration);
        double all = (double)(f.rented + f.charging + f.reserved + f.idle);
        st_summarize(buf, buf ? sample(w, S_RIDER_WAIT, buf) : 0, &s);
        put(h, "rider_wait_p50_s", s.n ? s.p50 : 0), put(h, "rider_wait_p99_s", s.n ? s.p99 : 0);
        put(h, "rentals", (double)c->rentals), put(h, "unserved", (double)c->unserved);
        st_summarize(buf, buf ? sample(w, S_RENT_SETTLE, buf) : 0, &s);
        put(h, "rental_settle_p50_s", s.n ? s.p50 : 0);
        put(h, "fleet_rented", all > 0 ? (double)f.rented / all : 0);
    }
    if (app == IOT_APP_PARK) put(h, "occupancy", utilisation(w));
    free(buf);
}
