/* sim/world/radio.c: radio cells from the scenario's classes: each node of a class with
 * `access: lrwpan | wifi` is attached to an access point (a node of the class's
 * `access_point` class, round-robin over them in id order) and placed uniformly at random in
 * a disc of `radio_range` metres around it (access point k stands at (1000 k, 0) m; each cell
 * has a channel of its own). The ns3 engine builds the radios from this; the built-in engine
 * reads a radio table for the same cells.
 *
 * Invariant: the attachment and the positions depend only on the scenario and the seed (one
 * per-node RNG stream "radio"); a radio class without a wired access point class, or with no
 * such node, is an error before the run. */
#include "sim/world/world_int.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int cls_cfg_of(const wld_cfg *c, const char *name)
{
    for (size_t i = 0; i < c->n_classes; i++)
        if (strcmp(c->classes[i].name, name) == 0) return (int)i;
    return -1;
}

/* The access point class of radio class cfg k, checked. */
static int ap_class(wld *w, const wld_class_cfg *k, char *err, size_t len)
{
    if (k->access == NET_ACCESS_LTE) {
        snprintf(err, len, "classes.%s.access: lte is not built into cpsim (an EPC per cell does not fit the "
                 "machine's budget; see README.md, Radio access): use lrwpan, wifi or wired", k->name);
        return -1;
    }
    int ap = wld_class_index(w, k->access_point);
    if (ap < 0) {
        snprintf(err, len, "classes.%s.access_point: unknown class \"%s\"", k->name, k->access_point);
        return -1;
    }
    if (net_access_of(w->net, (uint32_t)ap) != NET_ACCESS_WIRED) {
        snprintf(err, len, "classes.%s.access_point: class \"%s\" is itself a radio class; expected a wired one",
                 k->name, k->access_point);
        return -1;
    }
    return ap;
}

static int attach_class(wld *w, uint32_t cls, uint32_t ap_cls, double range, const char *name, char *err, size_t len)
{
    cp_node *aps = malloc((size_t)w->n_nodes * sizeof *aps);
    if (!aps) return -1;
    uint32_t n_ap = 0, k = 0;
    for (cp_node v = 0; v < w->n_nodes; v++)
        if (net_class_of(w->net, v) == ap_cls) aps[n_ap++] = v;
    int rc = 0;
    if (!n_ap) {
        snprintf(err, len, "classes.%s.access_point: no node has class \"%s\" to serve its cells", name,
                 w->classes[ap_cls].name);
        rc = -1;
    }
    for (cp_node v = 0; rc == 0 && v < w->n_nodes; v++) {
        if (net_class_of(w->net, v) != cls) continue;
        uint32_t a = k++ % n_ap;
        cp_rng r;
        rng_seed(&r, w->seed, v, 0x726164696full /* "radio" */);
        double ang = 2 * M_PI * rng_unit(&r), d = range * sqrt(rng_unit(&r));
        rc = net_attach(w->net, v, aps[a], 1000.0 * a + d * cos(ang), d * sin(ang));
    }
    for (uint32_t a = 0; rc == 0 && a < n_ap; a++) rc = net_attach(w->net, aps[a], NET_NO_AP, 1000.0 * a, 0);
    free(aps);
    return rc;
}

int wld_radio_attach(wld *w, const wld_cfg *c, char *err, size_t len)
{
    for (size_t i = 0; i < c->n_classes; i++) {
        int at = wld_class_index(w, c->classes[i].name);
        net_set_access(w->net, (uint32_t)at, c->classes[i].access);
    }
    for (size_t i = 0; i < c->n_classes; i++) {
        const wld_class_cfg *k = &c->classes[i];
        if (k->access == NET_ACCESS_WIRED) continue;
        if (cls_cfg_of(c, k->name) != (int)i) continue;
        int ap = ap_class(w, k, err, len);
        if (ap < 0) return -1;
        uint32_t cls = (uint32_t)wld_class_index(w, k->name);
        if (attach_class(w, cls, (uint32_t)ap, k->radio_range, k->name, err, len) != 0) return -1;
    }
    return 0;
}
