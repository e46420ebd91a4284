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
    char run_err[256];
};

int wld_class_index(const wld *w, const char *name);
int wld_region_index(const wld *w, const char *name);
int wld_changes_check(wld *w, const wld_cfg *c, char *err, size_t len);
int wld_changes_schedule(wld *w);
int wld_proto_new(wld *w, const wld_cfg *c, char *err, size_t len);
void wld_proto_free(wld *w);
uint64_t wld_peak_rss_kb(void);

/* Flood results (report_flood.c). */
int wld_flood_h5(wld *w, h5w *h);
void wld_flood_json(wld *w, js *j);
void wld_flood_plots(wld *w, const char *dir);

/* LBFT results (report_lbft.c). */
int wld_lbft_h5(wld *w, h5w *h);
void wld_lbft_json(wld *w, js *j);
void wld_lbft_plots(wld *w, const char *dir);

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

/* IoT applications' results (report_iot.c). */
int wld_iot_h5(wld *w, h5w *h);
void wld_iot_json(wld *w, js *j);
void wld_iot_plots(wld *w, const char *dir);
void wld_iot_headline(wld *w, wld_headline *h);

#endif
