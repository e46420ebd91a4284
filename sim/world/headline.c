/* sim/world/headline.c: the few headline numbers of a run that sweeps tabulate (one value per
 * name, per protocol), computed from the same results the report writes. Invariant: names
 * and their order depend only on the protocol, so rows of one sweep line up. */
#include "sim/world/world_int.h"

#include <stdlib.h>

#include "sim/metrics/st.h"

static void put(wld_headline *h, const char *name, double v)
{
    if (h->n < WLD_HEADLINE_MAX) h->name[h->n] = name, h->value[h->n++] = v;
}

static void flood_headline(wld *w, wld_headline *h)
{
    uint32_t nb = flood_n_blocks(w->flood);
    double t[3] = {0, 0, 0}, reached = 0, dups = 0;
    uint64_t *d = malloc((size_t)w->n_nodes * sizeof *d);
    for (uint32_t b = 0; d && b < nb; b++) {
        cp_time c = flood_created(w->flood, b);
        size_t k = 0;
        for (cp_node v = 0; v < w->n_nodes && c != CP_TIME_NEVER; v++) {
            cp_time a = flood_arrival(w->flood, b, v);
            if (a != CP_TIME_NEVER) d[k++] = a - c;
        }
        reached += (double)k;
        double *s = malloc((k ? k : 1) * sizeof *s);
        for (size_t i = 0; s && i < k; i++) s[i] = (double)d[i] / 1e9;
        st_summary sm;
        st_summarize(s, s ? k : 0, &sm);
        t[0] += sm.p50, t[1] += sm.p90, t[2] += sm.max;
        free(s);
    }
    free(d);
    for (cp_node v = 0; v < w->n_nodes; v++) dups += flood_dups(w->flood, v);
    put(h, "block_p50_s", nb ? t[0] / nb : 0);
    put(h, "block_p90_s", nb ? t[1] / nb : 0);
    put(h, "block_max_s", nb ? t[2] / nb : 0);
    put(h, "coverage", nb ? reached / ((double)nb * w->n_nodes) : 0);
    put(h, "duplicates_per_node", dups / w->n_nodes);
}

static void lbft_headline(wld *w, wld_headline *h)
{
    uint64_t nb, nt, imp = 0, done = 0;
    const lbft_block_rec *b = lbft_blocks(w->lbft, &nb);
    const lbft_tx_rec *t = lbft_txs(w->lbft, &nt);
    for (uint64_t i = 0; i < nb; i++) imp += b[i].impeach;
    double *lat = malloc((nt ? nt : 1) * sizeof *lat);
    for (uint64_t i = 0; lat && i < nt; i++)
        if (t[i].commit != CP_TIME_NEVER) lat[done++] = (double)(t[i].commit - t[i].submit) / 1e9;
    st_summary s;
    st_summarize(lat, lat ? done : 0, &s);
    free(lat);
    double last = nb ? (double)b[nb - 1].inserted / 1e9 : 0;
    put(h, "heights", (double)nb);
    put(h, "impeach_blocks", (double)imp);
    put(h, "block_interval_mean_s", nb ? last / (double)nb : 0);
    put(h, "tps", last > 0 ? (double)done / last : 0);
    put(h, "commit_latency_p50_s", s.n ? s.p50 : 0);
    put(h, "commit_latency_p99_s", s.n ? s.p99 : 0);
    put(h, "violations", (double)lbft_violations(w->lbft));
    uint64_t nv, safety = 0;
    const lbft_violation *v = lbft_violation_list(w->lbft, &nv);
    for (uint64_t i = 0; i < nv; i++) safety += v[i].kind == LBFT_V_FORK || v[i].kind == LBFT_V_SHORT_CERT;
    put(h, "safety_violations", (double)safety);
    put(h, "liveness_violations", (double)(nv - safety));
}

void wld_headline_get(wld *w, wld_headline *h)
{
    h->n = 0;
    const des_stats *ds = des_get_stats(w->des);
    put(h, "events", (double)ds->events);
    put(h, "simulated_s", (double)ds->end_time / 1e9);
    if (w->flood) flood_headline(w, h);
    if (w->lbft) lbft_headline(w, h);
    if (w->dht) wld_dht_headline(w, h);
    if (w->data) wld_data_headline(w, h);
    if (w->iot) wld_iot_headline(w, h);
    if (w->phold) put(h, "handled", (double)phold_handled(w->phold));
    double j, act, life;
    wld_energy_totals(w, NULL, 0, &j, &act, &life);
    put(h, "energy_j", j);
    put(h, "battery_life_min_days", life);
    if (w->data) { /* what a reading costs the device that made it */
        wld_energy_units u = {0, 0, 0};
        wld_data_energy_units(w, &u);
        wld_energy_totals(w, wld_data_role, DATA_DEVICE, &j, &act, &life);
        put(h, "device_j_per_reading", u.readings > 0 ? j / u.readings : 0);
        put(h, "device_active_j_per_reading", u.readings > 0 ? act / u.readings : 0);
        put(h, "device_life_min_days", life);
    }
}
