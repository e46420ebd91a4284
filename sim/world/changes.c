/* sim/world/changes.c: scheduled changes from the scenario (network.changes): partitions of
 * node sets, region-pair RTT changes and node crashes (restarted at `until`), applied and undone at their times
 * through engine calls. Invariant: every change is validated before the run starts, and an
 * undo restores exactly the state its apply replaced. */
#include "sim/world/world_int.h"

#include <stdio.h>
#include <stdlib.h>

static int check_one(wld *w, const wld_change_cfg *ch, size_t i, char *err, size_t len)
{
    if (ch->until && ch->until <= ch->at) {
        snprintf(err, len, "network.changes.%zu.until: expected a time later than at", i);
        return -1;
    }
    for (size_t k = 0; k < ch->n_partition; k++)
        if (ch->partition[k] >= w->n_nodes) {
            snprintf(err, len, "network.changes.%zu.partition: node %u does not exist (%u nodes)", i,
                     ch->partition[k], w->n_nodes);
            return -1;
        }
    for (size_t k = 0; k < ch->n_crash; k++)
        if (ch->crash[k] >= w->n_nodes) {
            snprintf(err, len, "network.changes.%zu.crash: node %u does not exist (%u nodes)", i, ch->crash[k],
                     w->n_nodes);
            return -1;
        }
    if (ch->rtt && (wld_region_index(w, ch->a) < 0 || wld_region_index(w, ch->b) < 0)) {
        snprintf(err, len, "network.changes.%zu.%s: expected a region name, got \"%s\"", i,
                 wld_region_index(w, ch->a) < 0 ? "a" : "b", wld_region_index(w, ch->a) < 0 ? ch->a : ch->b);
        return -1;
    }
    if (!ch->rtt && !ch->n_partition && !ch->n_crash) {
        snprintf(err, len, "network.changes.%zu: expected a partition, a crash or an rtt", i);
        return -1;
    }
    return 0;
}

int wld_changes_check(wld *w, const wld_cfg *c, char *err, size_t len)
{
    for (size_t i = 0; i < c->network.n_changes; i++)
        if (check_one(w, &c->network.changes[i], i, err, len) != 0) return -1;
    w->saved_rtt = calloc(c->network.n_changes + 1, sizeof *w->saved_rtt);
    return w->saved_rtt ? 0 : -1;
}

static void set_group(wld *w, const wld_change_cfg *ch, uint16_t group)
{
    for (size_t k = 0; k < ch->n_partition; k++) net_set_group(w->net, ch->partition[k], group);
}

static void apply(des *d, void *arg, uint32_t i)
{
    wld *w = arg;
    const wld_change_cfg *ch = &w->cfg->network.changes[i];
    set_group(w, ch, (uint16_t)(1 + i % 65535));
    for (size_t k = 0; k < ch->n_crash; k++) des_set_down(d, ch->crash[k], 1);
    if (ch->rtt) {
        uint32_t a = (uint32_t)wld_region_index(w, ch->a), b = (uint32_t)wld_region_index(w, ch->b);
        w->saved_rtt[i] = net_rtt(w->net, a, b);
        net_set_rtt(w->net, a, b, ch->rtt);
    }
}

static void undo(des *d, void *arg, uint32_t i)
{
    wld *w = arg;
    const wld_change_cfg *ch = &w->cfg->network.changes[i];
    set_group(w, ch, 0);
    for (size_t k = 0; k < ch->n_crash; k++) des_set_down(d, ch->crash[k], 0);
    if (ch->rtt) {
        uint32_t a = (uint32_t)wld_region_index(w, ch->a), b = (uint32_t)wld_region_index(w, ch->b);
        net_set_rtt(w->net, a, b, w->saved_rtt[i]);
    }
}

int wld_changes_schedule(wld *w)
{
    for (size_t i = 0; i < w->cfg->network.n_changes; i++) {
        const wld_change_cfg *ch = &w->cfg->network.changes[i];
        if (des_call_at(w->des, ch->at, apply, w, (uint32_t)i) != 0) return -1;
        if (ch->until && des_call_at(w->des, ch->until, undo, w, (uint32_t)i) != 0) return -1;
    }
    return 0;
}
