/* sim/world/world_proto.c: creates the protocol instance the scenario names and hands its
 * operations table to the engine. Invariant: w->proto points at the one protocol the engine
 * runs: flood, phold, lbft, dht or data alone, or a stack (w->stk) of LBFT under the data
 * platform, or of LBFT and (for ev-charging) the DHT under the IoT applications. */
#include "sim/world/world_int.h"
#include "core/stk/stk.h"
#include "sim/workload/wl.h"

#include <stdio.h>
#include <stdlib.h>

static int new_flood(wld *w, const wld_cfg *c, char *err, size_t len)
{
    const wld_flood_cfg *f = &c->flood;
    w->fcrypto = (flood_crypto){w->seed, w->memo, w->costs};
    flood_cfg fc = {f->degree, f->blocks, f->block_size, f->first, f->interval,
                    f->validate, f->validate_per_mb, f->source, c->crypto.sign ? &w->fcrypto : NULL};
    if (f->block_size < FLOOD_HDR) {
        snprintf(err, len, "flood.block_size: expected at least %u bytes", FLOOD_HDR);
        return -1;
    }
    if (f->degree >= w->n_nodes) {
        snprintf(err, len, "flood.degree: expected less than the number of nodes (%u)", w->n_nodes);
        return -1;
    }
    if (f->source >= 0 && (uint64_t)f->source >= w->n_nodes) {
        snprintf(err, len, "flood.source: expected -1 or a node id below %u", w->n_nodes);
        return -1;
    }
    w->flood = flood_new(&fc, w->n_nodes, w->seed);
    w->proto = w->flood;
    w->proto_ops = flood_ops();
    return w->flood ? 0 : -1;
}

static int new_phold(wld *w, const wld_cfg *c)
{
    w->phold = phold_new(w->n_nodes, c->phold.per_node, c->phold.payload);
    w->proto = w->phold;
    w->proto_ops = phold_ops();
    return w->phold ? 0 : -1;
}

/* LBFT from the consensus section; under: as the chain of a stacked protocol (ledger on, no
 * clients of its own). */
static int new_lbft(wld *w, const wld_cfg *c, int under, char *err, size_t len)
{
    const wld_lbft_cfg *k = &c->consensus;
    if ((k->validators - 1) % 3 != 0) {
        snprintf(err, len, "consensus.validators: expected 3f+1 (4, 7, 10, ...), got %u", k->validators);
        return -1;
    }
    /* CPChain's BlockDelay() is ImpeachTimeout / 2 (configs/general.go); 0 picks it */
    cp_time delay = k->block_delay ? k->block_delay : k->impeach_timeout / 2;
    if (delay >= k->impeach_timeout && !k->late_blocks) {
        snprintf(err, len, "consensus.block_delay: expected less than consensus.impeach_timeout (%.3f s), got %.3f s "
                 "(a block could arrive after the impeach deadline; CPChain's is impeach_timeout / 2; set "
                 "consensus.late_blocks: true to allow it)", (double)k->impeach_timeout / 1e9, (double)delay / 1e9);
        return -1;
    }
    if ((uint64_t)k->validators + k->proposers > w->n_nodes) {
        snprintf(err, len, "consensus.proposers: validators + proposers (%u) exceed the %u nodes",
                 k->validators + k->proposers, w->n_nodes);
        return -1;
    }
    if (under && (k->tx_rate > 0 || k->n_tx_bursts)) {
        snprintf(err, len, "consensus.tx_rate: expected 0 under %s (the stacked protocol's nodes are the chain's "
                 "clients)", c->protocol == WLD_PROTO_IOT ? "protocol: iot" : "data.chain: lbft");
        return -1;
    }
    if (k->tx_rate > 0 && (uint64_t)k->validators + k->proposers >= w->n_nodes) {
        snprintf(err, len, "consensus.tx_rate: transactions need client nodes after the %u validators and "
                 "proposers", k->validators + k->proposers);
        return -1;
    }
    lbft_cfg lc = {
        .validators = k->validators, .proposers = k->proposers, .term_len = k->term_len,
        .view_len = k->view_len, .period = k->period, .impeach_timeout = k->impeach_timeout,
        .block_delay = delay, .late_blocks = k->late_blocks, .heights = k->heights, .block_size = (uint32_t)k->block_size,
        .tx_rate = k->tx_rate, .tx_size = (uint32_t)k->tx_size, .max_txs = k->max_txs, .seed = w->seed,
        .tx_resend = k->tx_resend,
        .default_proposers = k->default_proposers, .byzantine = k->byzantine,
        .n_byzantine = (uint32_t)k->n_byzantine, .equivocators = k->equivocators,
        .n_equivocators = (uint32_t)k->n_equivocators, .civ_degree = k->civ_degree,
        .civ_fanout = k->civ_fanout, .offline = k->offline, .n_offline = (uint32_t)k->n_offline,
        .twins = k->twins, .n_twins = (uint32_t)k->n_twins, .ledger = k->ledger || under,
        .tx_pattern = k->tx_pattern, .n_bursts = (uint32_t)k->n_tx_bursts,
        .memo = w->memo, .costs = w->costs,
    };
    uint64_t roles = (uint64_t)k->validators + k->proposers + k->n_twins;
    for (size_t i = 0; i < k->n_twins; i++)
        if (k->twins[i] >= (uint64_t)k->validators + k->proposers) {
            snprintf(err, len, "consensus.twins.%zu: expected a validator or proposer id (below %llu), got %u", i,
                     (unsigned long long)k->validators + k->proposers, k->twins[i]);
            return -1;
        }
    if (roles > w->n_nodes) {
        snprintf(err, len, "consensus.twins: the twin instances need %llu nodes after the proposers; the scenario "
                 "has %llu nodes in all", (unsigned long long)k->n_twins, (unsigned long long)w->n_nodes);
        return -1;
    }
    if (k->civ_degree && roles + k->civ_degree >= w->n_nodes) {
        snprintf(err, len, "consensus.civilian_degree: expected fewer than the %llu civilian nodes",
                 (unsigned long long)(w->n_nodes - roles));
        return -1;
    }
    if (k->default_proposers < k->proposers && k->default_proposers < 4 && k->term_len > 4) {
        snprintf(err, len, "consensus.default_proposers: expected at least 4 (the default seats of a term)");
        return -1;
    }
    for (size_t i = 0; i < k->n_tx_bursts; i++)
        if (k->tx_bursts[i].until <= k->tx_bursts[i].at) {
            snprintf(err, len, "consensus.tx_bursts.%zu.until: expected a time later than at", i);
            return -1;
        }
    w->bursts = calloc(k->n_tx_bursts + 1, sizeof *w->bursts);
    if (!w->bursts) return -1;
    for (size_t i = 0; i < k->n_tx_bursts; i++)
        w->bursts[i] = (lbft_burst){k->tx_bursts[i].at, k->tx_bursts[i].until, k->tx_bursts[i].rate};
    lc.bursts = w->bursts;
    w->down0 = k->offline, w->n_down0 = k->n_offline; /* an engine crash from t = 0 */
    w->lbft = lbft_new(&lc, w->n_nodes);
    w->proto = w->lbft;
    w->proto_ops = lbft_ops();
    return w->lbft ? 0 : -1;
}

static int dht_windows_ok(const wld_dht_cfg *k, char *err, size_t len)
{
    if (k->work_end < k->work_start) {
        snprintf(err, len, "dht.work_end: expected no earlier than dht.work_start");
        return 0;
    }
    if (k->get_end < k->get_start) {
        snprintf(err, len, "dht.get_end: expected no earlier than dht.get_start");
        return 0;
    }
    if (k->gets && !k->stores) {
        snprintf(err, len, "dht.gets: gets look up stored keys: expected dht.stores > 0");
        return 0;
    }
    return 1;
}

/* The dht section as a dht_cfg (its workload included) on members first .. first+members-1
 * (members 0: every node from first on). */
static dht_cfg dht_cfg_of(const wld_dht_cfg *k, cp_node first, uint32_t members)
{
    dht_cfg dc = dht_cfg_default();
    dc.first = first, dc.members = members;
    dc.k = k->k, dc.alpha = k->alpha, dc.rpc_timeout = k->rpc_timeout, dc.probe_gap = k->probe_gap;
    dc.eviction = k->eviction, dc.replacements = k->replacements;
    dc.bootstrap = k->bootstrap, dc.join_spacing = k->join_spacing;
    dc.republish = k->republish, dc.refresh = k->refresh, dc.ttl = k->ttl;
    dc.churn_dist = k->churn, dc.mean_session = k->mean_session, dc.mean_offline = k->mean_offline;
    dc.weibull_shape = k->weibull_shape;
    dc.lookups = k->lookups, dc.stores = k->stores, dc.gets = k->gets;
    dc.work_start = k->work_start, dc.work_end = k->work_end;
    dc.get_start = k->get_start, dc.get_end = k->get_end;
    dc.value_size = k->value_size, dc.cpu_per_msg = k->cpu_per_msg;
    dc.emit_metrics = 0; /* the per-lookup table /dht/lookups holds the same numbers */
    return dc;
}

/* The DHT of the dht section on members first .. first+members-1 (members 0: all nodes
 * from first on). */
static int make_dht(wld *w, const wld_cfg *c, cp_node first, uint32_t members, char *err, size_t len)
{
    const wld_dht_cfg *k = &c->dht;
    uint32_t m = members ? members : w->n_nodes - first;
    if (!dht_windows_ok(k, err, len)) return -1;
    if (first >= w->n_nodes || m < 2 || k->k >= m) {
        snprintf(err, len, "dht.k: expected fewer than the %u DHT nodes (and at least 2 of them)",
                 first < w->n_nodes ? m : 0);
        return -1;
    }
    dht_cfg dc = dht_cfg_of(k, first, members);
    w->dht = dht_new(&dc, w->n_nodes, w->seed);
    if (!w->dht) snprintf(err, len, "dht: cannot build the DHT (out of memory?)");
    return w->dht ? 0 : -1;
}

static int new_dht(wld *w, const wld_cfg *c, char *err, size_t len)
{
    if (make_dht(w, c, 0, 0, err, len)) return -1;
    w->proto = w->dht;
    w->proto_ops = dht_ops();
    return 0;
}

/* The chain port of a stacked protocol: its transaction to LBFT, from the same node. */
static uint64_t chain_submit(void *ctx, cp_env *env, const uint8_t *tx, size_t len)
{
    wld *w = ctx;
    return lbft_submit(w->lbft, stk_env(env, (uint32_t)w->l_lbft), tx, len);
}

/* A DHT member is down while churn holds it offline; the data platform's storage with it. */
static int data_online(void *ctx, cp_node v)
{
    wld *w = ctx;
    return dht_online(w->dht, v);
}

static int data_find(void *ctx, cp_env *env, const uint8_t key[32], uint64_t cookie)
{
    wld *w = ctx;
    return dht_find(w->dht, stk_env(env, (uint32_t)w->l_dht), key, cookie);
}

static void on_commit(void *ctx, cp_env *env, uint64_t id, uint64_t height, int valid)
{
    wld *w = ctx;
    if (w->data) data_on_commit(w->data, stk_env(env, (uint32_t)w->l_data), id, height, valid);
    if (w->iot) iot_on_commit(w->iot, stk_env(env, (uint32_t)w->l_iot), id, height, valid);
}

/* The directory port of the IoT applications: the DHT's client API, from the same node. */
static int dir_put(void *ctx, cp_env *env, const uint8_t key[32], const void *v, uint32_t len, uint64_t cookie)
{
    wld *w = ctx;
    return dht_put(w->dht, stk_env(env, (uint32_t)w->l_dht), key, v, len, cookie);
}

static int dir_get(void *ctx, cp_env *env, const uint8_t key[32], uint64_t cookie)
{
    wld *w = ctx;
    return dht_get(w->dht, stk_env(env, (uint32_t)w->l_dht), key, cookie);
}

/* A DHT client operation is done: to the layer above that started it. */
static void on_dht_done(void *ctx, cp_env *env, uint64_t cookie, const dht_found *f)
{
    wld *w = ctx;
    if (w->data) data_on_found(w->data, stk_env(env, (uint32_t)w->l_data), cookie, f->nodes, f->n, f->ok, f->hops, f->latency);
    if (w->iot) iot_on_dir(w->iot, stk_env(env, (uint32_t)w->l_iot), cookie, f->ok, f->value, f->vlen);
}

/* The stack: LBFT (if any) first, then the DHT (if any), then the data platform or the IoT
 * applications. */
static int build_stack(wld *w, char *err, size_t len)
{
    w->stk = stk_new();
    if (!w->stk) return -1;
    w->l_lbft = w->lbft ? stk_add(w->stk, lbft_ops(), w->lbft) : -1;
    w->l_dht = w->dht ? stk_add(w->stk, dht_ops(), w->dht) : -1;
    w->l_data = w->data ? stk_add(w->stk, data_ops(), w->data) : -1;
    w->l_iot = w->iot ? stk_add(w->stk, iot_ops(), w->iot) : -1;
    w->proto = w->stk;
    w->proto_ops = stk_ops(w->stk);
    if (w->lbft) lbft_set_commit_hook(w->lbft, on_commit, w);
    if (w->dht) dht_set_client(w->dht, on_dht_done, w);
    if (!w->proto_ops) snprintf(err, len, "%s: cannot build the protocol stack", w->data ? "data" : "iot");
    return w->proto_ops ? 0 : -1;
}

static int new_data(wld *w, const wld_cfg *c, char *err, size_t len)
{
    const wld_data_cfg *k = &c->data;
    data_cfg dc = data_cfg_default();
    if (k->chain == WLD_CHAIN_LBFT) {
        if (new_lbft(w, c, 1, err, len)) return -1;
        dc.first = c->consensus.validators + c->consensus.proposers + (uint32_t)c->consensus.n_twins;
        dc.chain = (data_chain_port){w, chain_submit};
    }
    if (k->storage == WLD_STORE_DHT) { /* Kademlia on the gateways, proxies and buyers */
        if (make_dht(w, c, dc.first + k->devices, k->gateways + k->proxies + k->buyers, err, len)) return -1;
        dc.dir = (data_dir_port){w, data_find, data_online};
    }
    dc.devices = k->devices, dc.gateways = k->gateways, dc.proxies = k->proxies, dc.buyers = k->buyers;
    dc.committee = k->committee, dc.sample_interval = k->sample_interval, dc.enc_interval = k->enc_interval;
    dc.upload_interval = k->upload_interval, dc.data_end = k->data_end;
    dc.reading_size = (uint32_t)k->reading_size, dc.chunk_size = (uint32_t)k->chunk_size;
    dc.replicas = k->replicas, dc.trades = k->trades, dc.trade_start = k->trade_start, dc.trade_end = k->trade_end;
    dc.epochs_per_order = k->epochs_per_order, dc.pre_t = k->pre_t, dc.pre_n = k->pre_n;
    dc.dishonest = k->dishonest, dc.seller_timeout = k->seller_timeout, dc.deliver_timeout = k->deliver_timeout;
    dc.fetch_timeout = k->fetch_timeout, dc.fetch_window = k->fetch_window, dc.agg_window = k->agg_window, dc.agg_grace = k->agg_grace;
    dc.agg_t = k->agg_t, dc.cpu_per_msg = k->cpu_per_msg, dc.costs = w->costs;
    dc.price_per_epoch = k->price_per_epoch;
    dc.corrupt_gateway = k->corrupt_gateway < 0 ? CP_NODE_NONE : (cp_node)k->corrupt_gateway;
    dc.model = k->device_model == DATA_MODEL_VEHICLE ? k->vehicle.m
               : k->device_model == DATA_MODEL_CAMERA ? k->camera.m : k->battery.m;
    if (k->device_model == DATA_MODEL_GENERIC) dc.model = data_model_default();
    dc.model.kind = k->device_model;
    uint32_t n_orders = 0;
    data_order *orders = k->subscribe ? wl_subscribe(&dc, k->subscribe_lag, k->subscribe_fraction, w->seed, &n_orders) : NULL;
    if (k->subscribe) dc.orders = orders, dc.n_orders = n_orders, dc.trades = 0;
    w->data = k->subscribe && !orders ? NULL : data_new(&dc, w->n_nodes, w->seed, err, len);
    if (k->subscribe && !orders) snprintf(err, len, "data.subscribe: no epoch ends by data_end (or no buyer, or no device drawn)");
    free(orders);
    w->proto = w->data;
    w->proto_ops = data_ops();
    if (w->data && (w->lbft || w->dht)) return build_stack(w, err, len);
    return w->data ? 0 : -1;
}

/* The IoT applications on their chain (LBFT in ledger mode on the first nodes) and, for
 * ev-charging, their directory (the DHT of the dht section on the app's nodes, without its
 * own workload). */
static int new_iot(wld *w, const wld_cfg *c, char *err, size_t len)
{
    const wld_iot_cfg *k = &c->iot;
    if (new_lbft(w, c, 1, err, len)) return -1;
    iot_cfg ic = iot_cfg_default(k->app);
    ic.first = c->consensus.validators + c->consensus.proposers + (uint32_t)c->consensus.n_twins;
    ic.observer = 0, ic.end = k->end, ic.fee = k->fee, ic.expiry = k->expiry, ic.cpu_per_msg = k->cpu_per_msg;
    ic.costs = w->costs, ic.memo = w->memo, ic.ev = k->ev, ic.park = k->park, ic.log = k->log;
    ic.chain = (iot_chain_port){w, chain_submit};
    w->iot = iot_new(&ic, w->n_nodes, w->seed, err, len);
    if (!w->iot) return -1;
    if (k->app == IOT_APP_EV) {
        dht_cfg dc = dht_cfg_of(&c->dht, ic.first, 0);
        dc.lookups = dc.stores = dc.gets = 0;
        w->dht = ic.first + 2 <= w->n_nodes && dc.k < w->n_nodes - ic.first ? dht_new(&dc, w->n_nodes, w->seed) : NULL;
        if (!w->dht) {
            snprintf(err, len, "dht.k: expected fewer than the %u nodes after the chain", w->n_nodes - ic.first);
            return -1;
        }
        dht_set_client(w->dht, on_dht_done, w);
        iot_dir_port dir = {w, dir_put, dir_get};
        iot_set_ports(w->iot, NULL, &dir);
    }
    return build_stack(w, err, len);
}

int wld_proto_new(wld *w, const wld_cfg *c, char *err, size_t len)
{
    switch (c->protocol) {
    case WLD_PROTO_FLOOD:
        return new_flood(w, c, err, len);
    case WLD_PROTO_PHOLD:
        return new_phold(w, c);
    case WLD_PROTO_LBFT:
        return new_lbft(w, c, 0, err, len);
    case WLD_PROTO_DHT:
        return new_dht(w, c, err, len);
    case WLD_PROTO_DATA:
        return new_data(w, c, err, len);
    case WLD_PROTO_IOT:
        return new_iot(w, c, err, len);
    }
    return -1;
}

void wld_proto_free(wld *w)
{
    flood_free(w->flood);
    phold_free(w->phold);
    lbft_free(w->lbft);
    free(w->bursts);
    dht_free(w->dht);
    data_free(w->data);
    iot_free(w->iot);
    stk_free(w->stk);
}
