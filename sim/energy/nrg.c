/* sim/energy/nrg.c: joules of a node from its CPU busy time and radio airtime (contract in
 * nrg.h). Invariant: the four parts are each non-negative and add up to what a node drew
 * over the covered time; nothing here depends on anything but the arguments. */
#include "sim/energy/nrg.h"

static double clamp_s(double s, double t) { return s < 0 ? 0 : s > t ? t : s; }

void nrg_account(const nrg_class *c, const nrg_use *u, nrg_joules *out)
{
    double t = (double)u->t / 1e9;
    double busy = clamp_s((double)u->cpu_busy / 1e9, t);
    double tx = clamp_s(u->tx_s, t), rx = clamp_s(u->rx_s, t - tx);
    out->cpu = busy * c->cpu_active_w;
    out->tx = tx * c->radio_tx_w;
    out->rx = rx * c->radio_rx_w;
    out->idle = (t - busy) * c->cpu_idle_w + (t - tx - rx) * c->radio_idle_w;
}

double nrg_total(const nrg_joules *j) { return j->cpu + j->tx + j->rx + j->idle; }

double nrg_airtime_s(uint64_t bytes, uint64_t bps)
{
    return bps ? (double)bytes * 8.0 / (double)bps : 0.0;
}

double nrg_lifetime_s(const nrg_class *c, const nrg_joules *j, cp_time t)
{
    double e = nrg_total(j);
    if (c->battery_j <= 0 || e <= 0 || t == 0) return -1;
    return c->battery_j * ((double)t / 1e9) / e;
}
