/* sim/world/world_int.h: internals shared by the files of sim/world (not a public contract). */
#ifndef WORLD_INT_H
#define WORLD_INT_H

#include "core/crypto/cost.h"
#include "core/crypto/cr.h"
#include "core/data/data.h"
#include "core/dht/dht.h"
#include "core/flood/flood.h"
#include "core/iot/iot.h"
#include "core/lbft/lbft.h"
#include "core/phold/phold.h"
#include "core/stk/stk.h"
#include "sim/des/des.h"
#include "sim/energy/nrg.h"
#include "sim/metrics/h5w.h"
#include "sim/metrics/js.h"
#include "sim/net/net.h"
#include "sim/world/world.h"

struct wld {
    const wld_cfg *cfg;      /* borrowed: must outlive the world */
    uint64_t seed;
    uint32_t n_nodes;
    net_class *classes;
    double *cpu_factor;
    nrg_class *energy;       /* per class: power figures and battery */
    size_t n_classes;
    uint32_t n_regions;
    const char *const *region_names;
    cp_time *rtt;
    uint32_t *group_of;      /* scenario group index per node */
    cp_time *saved_rtt;      /* per change: RTT before it was applied */
    net *net;
    des *des;
    const cp_proto_ops *proto_ops;
    void *proto;
    flood *flood;            /* set when the protocol is flood */
    phold *phold;            /* set when the protocol is phold */
    lbft *lbft;              /* set when the protocol is lbft */
    dht *dht;                /* set when the protocol is dht */
    data *data;              /* set when the protocol is data */
    iot *iot;                /* set when the protocol is iot (a stack: lbft, dht for ev-charging, iot) */
    stk *stk;                /* several of them share the nodes (data.chain: lbft, data.storage: dht) */
    int l_lbft, l_dht, l_data, l_iot; /* their layers in stk (-1: not stacked) */
    cr_memo *memo;
    cost_table *costs;
    flood_crypto fcrypto;
    const eng_backend *backend; /* NULL: the built-in engine */
    lbft_burst *bursts;         /* consensus.tx_bursts, converted */
    cp_time *depleted;       /* per node: when its battery emptied (energy.deplete), else NEVER */
    const uint32_t *down0;      /* nodes the engine keeps down for the whole run (crashed from t = 0), set by
                                   a protocol's wiring (consensus.offline); borrowed from the config */
    size_t n_down0;
    char run_err[256];
};

int wld_class_index(const wld *w, const char *name);
int wld_region_index(const wld *w, const char *name);
int wld_radio_attach(wld *w, const wld_cfg *c, char *err, size_t len); /* radio.c */
int wld_changes_check(wld *w, const wld_cfg *c, char *err, size_t len);
int wld_changes_schedule(wld *w);
int wld_proto_new(wld *w, const wld_cfg *c, char *err, size_t len);
void wld_proto_free(wld *w);
uint64_t wld_peak_rss_kb(void);

/* Energy (energy.c): a node's joules up to the end of the run (or its depletion); battery
 * checks scheduled when energy.deplete is on; the /nodes columns and summary.json block. */
typedef struct wld_energy_units {
    double readings, transactions, records; /* 0: the protocol has none */
} wld_energy_units;
void wld_energy_node(const wld *w, cp_node v, nrg_joules *j);
int wld_energy_schedule(wld *w);
cp_time wld_energy_depleted(const wld *w, cp_node v);
/* summary.json "energy": totals, per unit, by group; and by a protocol's roles when role_of
 * is given (role_of(w, v) < 0: the node has none). */
void wld_energy_json(wld *w, js *j, const wld_energy_units *u, int (*role_of)(const wld *, cp_node),
                     const char *const *role_names, size_t n_roles);

/* Joules of the nodes with role_of(w, v) == role (all nodes if role_of is NULL), their active
 * part (CPU and radio airtime), and the shortest projected battery lifetime among them (days;
 * 0 if none has a battery). */
void wld_energy_totals(wld *w, int (*role_of)(const wld *, cp_node), int role, double *joules, double *active,
                       double *life_min_days);
/* energy_per_node.png: CDF of joules per node, one curve per group. */
void wld_energy_plots(wld *w, const char *dir);

/* Flood results (report_flood.c). */
int wld_flood_h5(wld *w, h5w *h);
void wld_flood_json(wld *w, js *j);
void wld_flood_plots(wld *w, const char *dir);

/* LBFT results (report_lbft.c). */
int wld_lbft_h5(wld *w, h5w *h);
void wld_lbft_json(wld *w, js *j);
void wld_lbft_plots(wld *w, const char *dir);
void wld_lbft_energy_units(wld *w, wld_energy_units *u); /* transactions committed (applied in ledger mode) */

/* DHT results (report_dht.c). */
int wld_dht_h5(wld *w, h5w *h);
void wld_dht_json(wld *w, js *j);
void wld_dht_plots(wld *w, const char *dir);
void wld_dht_headline(wld *w, wld_headline *h);

/* Data platform results (report_data.c). */
int wld_data_h5(wld *w, h5w *h);
void wld_data_json(wld *w, js *j);
/* report_wl.c: the IoT application on top of protocol: data (device_model battery, vehicle). */
int wld_wl_h5(wld *w, h5w *h);
void wld_wl_json(wld *w, js *j);
void wld_wl_headline(wld *w, wld_headline *h);
void wld_data_plots(wld *w, const char *dir);
void wld_wl_plots(wld *w, const char *dir);
void wld_data_headline(wld *w, wld_headline *h);
/* Readings uploaded, transactions made, records stored; the node's data role (or -1). */
void wld_data_energy_units(wld *w, wld_energy_units *u);
int wld_data_role(const wld *w, cp_node v);
extern const char *const wld_data_role_names[];

/* IoT applications' results (report_iot.c). */
int wld_iot_h5(wld *w, h5w *h);
void wld_iot_json(wld *w, js *j);
void wld_iot_plots(wld *w, const char *dir);
void wld_iot_headline(wld *w, wld_headline *h);

#endif
