/* core/data/data.c: the data platform's lifecycle, dispatch and shared helpers: role ranges,
 * keys, the content-addressed chunk index, the transaction log, CPU and byte accounting per
 * role, the sealed format and the result accessors. Invariant: every handler first decodes
 * strictly; a malformed message is counted and dropped before it changes any state. */
#include "core/data/data_int.h"

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/chain/chain.h"
#include "core/dht/dht.h"

static const char *const msg_names[DATA_N_MSG] = {
    "upload", "store", "store_ack", "order", "seller_ok", "kfrag", "cfrag",
    "fetch", "chunk", "confirm", "dispute", "agg_ct", "agg_req", "agg_pdec", "chain_event", "dkg_deal"};

data_cfg data_cfg_default(void)
{
    data_cfg c;
    memset(&c, 0, sizeof c);
    c.devices = 20, c.gateways = 5, c.proxies = 5, c.buyers = 2, c.committee = 5;
    c.sample_interval = CP_S(1), c.enc_interval = CP_S(60), c.upload_interval = CP_S(30);
    c.data_end = CP_S(300);
    c.reading_size = 32, c.chunk_size = 1024, c.replicas = 3;
    c.trades = 4, c.trade_start = CP_S(200), c.trade_end = CP_S(300), c.epochs_per_order = 2;
    c.pre_t = 2, c.pre_n = 3;
    c.corrupt_gateway = CP_NODE_NONE;
    c.seller_timeout = CP_S(30), c.deliver_timeout = CP_S(60), c.fetch_timeout = CP_S(5);
    c.agg_window = CP_S(60), c.agg_grace = CP_S(10), c.agg_t = 3;
    c.cpu_per_msg = CP_US(5);
    c.price_per_epoch = 100;
    c.model = data_model_default();
    return c;
}

static const char *cfg_error(const data_cfg *c, uint32_t n)
{
    uint64_t need = (uint64_t)c->first + c->devices + c->gateways + c->proxies + c->buyers + c->committee;
    if (need > n) return "roles: devices + gateways + proxies + buyers + committee exceed the nodes";
    if (c->chain.ctx && !c->chain.submit) return "chain: a port needs its submit function";
    if (c->dir.ctx && !c->dir.find) return "dir: a port needs its find function";
    if (!c->devices || !c->gateways) return "devices, gateways: expected at least one each";
    if (!c->sample_interval || !c->upload_interval || !c->enc_interval) return "intervals: expected > 0";
    if (c->enc_interval % c->upload_interval) return "enc_interval: expected a multiple of upload_interval";
    if (c->upload_interval < c->sample_interval) return "upload_interval: expected >= sample_interval";
    if (c->reading_size < 16 || c->reading_size > 4096) return "reading_size: expected 16..4096 bytes";
    if (c->upload_interval / c->sample_interval > UINT32_MAX) return "upload_interval: too many samples per upload";
    if (c->chunk_size < 64 || c->chunk_size > DATA_MAX_CHUNK) return "chunk_size: expected 64 bytes..4 MiB";
    if (c->model.kind == DATA_MODEL_CAMERA && c->sample_interval != c->upload_interval)
        return "upload_interval: a camera uploads each segment: expected equal to sample_interval";
    if (data_batch_bytes(c) > DATA_MAX_BATCH) return "upload: expected at most 256 MiB of plaintext per upload";
    if ((data_batch_bytes(c) + DATA_AEAD_OVERHEAD + c->chunk_size - 1) / c->chunk_size > CHAIN_RECORD_CHUNKS_MAX)
        return "chunk_size: an upload has more chunks than one record transaction holds (31): raise chunk_size";
    if (!c->replicas || c->replicas > DATA_MAX_REPLICAS || c->replicas > c->gateways)
        return "replicas: expected 1..8 and at most the gateways";
    if ((c->trades || c->n_orders) && (!c->buyers || !c->pre_t || c->pre_t > c->pre_n ||
                                       c->pre_n > c->proxies || c->pre_n > DATA_MAX_PROXIES))
        return "pre_t, pre_n: expected 1 <= pre_t <= pre_n <= proxies (<= 64) and buyers > 0";
    if (c->dishonest > c->proxies) return "dishonest: expected at most the proxies";
    if (c->trade_end < c->trade_start) return "trade_end: expected no earlier than trade_start";
    if (c->trades && !c->epochs_per_order) return "epochs_per_order: expected >= 1";
    if (c->agg_window && (!c->committee || !c->agg_t || c->agg_t > c->committee || c->committee > 255))
        return "agg_t: expected 1 <= agg_t <= committee <= 255";
    return data_model_check(&c->model, c->reading_size);
}

static int make_keys(data *d)
{
    d->sig = malloc((size_t)d->n * sizeof *d->sig);
    d->nonce = calloc(d->n, sizeof *d->nonce);
    d->dev = calloc(d->cfg.devices, sizeof *d->dev);
    d->dht_id = malloc((size_t)d->cfg.gateways * sizeof *d->dht_id);
    d->buyer_key = calloc(d->cfg.buyers ? d->cfg.buyers : 1, sizeof *d->buyer_key);
    if (!d->sig || !d->nonce || !d->dev || !d->dht_id || !d->buyer_key) return -1;
    for (cp_node v = 0; v < d->n; v++) cr_keypair_derive(&d->sig[v], d->seed, v);
    for (uint32_t g = 0; g < d->cfg.gateways; g++) dht_make_id(d->dht_id[g], d->seed, d->first[DATA_GATEWAY] + g);
    for (uint32_t i = 0; i < d->cfg.devices; i++) {
        uint8_t in[16];
        memcpy(in, "cpsim-own", 8);
        for (int k = 0; k < 8; k++) in[8 + k] = (uint8_t)((d->seed ^ ((uint64_t)i << 20)) >> (8 * k));
        cr_hash(d->dev[i].master, in, sizeof in);
        d->dev[i].epoch = UINT64_MAX;
    }
    cp_rng r;
    rng_seed(&r, d->seed, 0, 0xB0B);
    for (uint32_t b = 0; b < d->cfg.buyers; b++) pre_keypair_new(&d->buyer_key[b], &r);
    return 0;
}

data *data_new(const data_cfg *cfg, uint32_t n_nodes, uint64_t seed, char *err, size_t errlen)
{
    const char *e = cfg_error(cfg, n_nodes);
    if (e || cr_init() != 0) {
        if (err && errlen) snprintf(err, errlen, "data.%s", e ? e : "crypto: cannot initialise");
        return NULL;
    }
    data *d = calloc(1, sizeof *d);
    if (!d) return NULL;
    d->cfg = *cfg, d->n = n_nodes, d->seed = seed, d->observer = CP_NODE_NONE;
    d->cfg.model.gateways = cfg->gateways;
    uint32_t cnt[DATA_N_ROLES] = {cfg->devices, cfg->gateways, cfg->proxies, cfg->buyers, cfg->committee};
    d->first[0] = cfg->first;
    for (int r = 0; r < DATA_N_ROLES; r++) d->first[r + 1] = d->first[r] + cnt[r], d->roles[r].nodes = cnt[r];
    d->costs = cfg->costs;
    if (!d->costs) d->costs = d->own_costs = cost_table_new();
    d->proxy_load = calloc(cfg->proxies ? cfg->proxies : 1, sizeof *d->proxy_load);
    d->node_tx = calloc(n_nodes ? n_nodes : 1, sizeof *d->node_tx);
    d->node_rx = calloc(n_nodes ? n_nodes : 1, sizeof *d->node_rx);
    cp_rng r;
    rng_seed(&r, seed, 0, 0xA66);
    int bad = !d->costs || !d->proxy_load || !d->node_tx || !d->node_rx || make_keys(d) || data_trades_make(d) || data_agg_make(d, &r);
    if (bad) {
        if (err && errlen) snprintf(err, errlen, "data: out of memory");
        data_free(d);
        return NULL;
    }
    return d;
}

void data_free(data *d)
{
    if (!d) return;
    for (uint32_t i = 0; d->dev && i < d->cfg.devices; i++) free(d->dev[i].caps), free(d->dev[i].recs);
    for (size_t i = 0; i < d->n_ch; i++) free(d->ch[i].bytes);
    for (size_t i = 0; i < d->n_rec; i++) free(d->rm[i].txe);
    data_trades_free(d);
    data_agg_free(d);
    free(d->sig), free(d->nonce), free(d->dev), free(d->dht_id), free(d->buyer_key);
    free(d->rec), free(d->rm), free(d->ch), free(d->map), free(d->tx), free(d->txb), free(d->by_chain), free(d->lk);
    free(d->proxy_load), free(d->buf), free(d->node_tx), free(d->node_rx);
    cost_table_free(d->own_costs);
    free(d);
}

int data_role_of(const data *d, cp_node v)
{
    if (v < d->first[0]) return -1;
    for (int r = 0; r < DATA_N_ROLES; r++)
        if (v < d->first[r + 1]) return r;
    return -1;
}

/* ---- helpers ------------------------------------------------------------------------ */

void data_charge(data *d, cp_env *env, cost_op op, double units)
{
    cp_time ns = cost_of(d->costs, op, env->dev_class, env->cpu_factor, units);
    env_cpu(env, ns);
    int r = data_role_of(d, env->self);
    if (r >= 0) d->roles[r].crypto_cpu += ns;
}

int data_send(data *d, cp_env *env, cp_node to, uint16_t type, const uint8_t *b, size_t len)
{
    cp_msg *m = env_msg_new(env, type, (uint32_t)len, (uint32_t)len + 28);
    if (!m) return -1;
    memcpy(m->data, b, len);
    int r = data_role_of(d, env->self);
    if (r >= 0) d->roles[r].bytes_sent += len + 28, d->roles[r].msgs_sent++;
    d->node_tx[env->self] += len + 28;
    int rc = env_send(env, to, m);
    env_msg_unref(env, m);
    return rc;
}

static uint64_t hkey(const uint8_t h[32])
{
    uint64_t k;
    memcpy(&k, h, 8);
    return k;
}

uint32_t data_chunk_find(const data *d, const uint8_t hash[32])
{
    if (!d->map_cap) return UINT32_MAX;
    for (size_t i = hkey(hash) & (d->map_cap - 1);; i = (i + 1) & (d->map_cap - 1)) {
        uint32_t c = d->map[i];
        if (c == UINT32_MAX) return UINT32_MAX;
        if (!memcmp(d->ch[c].hash, hash, 32)) return c;
    }
}

static int map_grow(data *d)
{
    size_t nc = d->map_cap ? d->map_cap * 2 : 1024;
    uint32_t *m = malloc(nc * sizeof *m);
    if (!m) return -1;
    memset(m, 0xff, nc * sizeof *m);
    for (size_t c = 0; c < d->n_ch; c++) {
        size_t i = hkey(d->ch[c].hash) & (nc - 1);
        while (m[i] != UINT32_MAX) i = (i + 1) & (nc - 1);
        m[i] = (uint32_t)c;
    }
    free(d->map);
    d->map = m, d->map_cap = nc;
    return 0;
}

/* The `replicas` gateways whose DHT ids are XOR-closest to hash, closest first. */
static void place(const data *d, const uint8_t hash[32], cp_node *rep)
{
    uint32_t k = d->cfg.replicas, have = 0, best[DATA_MAX_REPLICAS];
    for (uint32_t g = 0; g < d->cfg.gateways; g++) {
        uint32_t j = have < k ? have++ : k;
        if (j == k && dht_cmp_dist(d->dht_id[g], d->dht_id[best[k - 1]], hash) >= 0) continue;
        if (j == k) j = k - 1;
        while (j > 0 && dht_cmp_dist(d->dht_id[g], d->dht_id[best[j - 1]], hash) < 0) best[j] = best[j - 1], j--;
        best[j] = g;
    }
    for (uint32_t i = 0; i < k; i++) rep[i] = d->first[DATA_GATEWAY] + best[i];
}

int data_chunk_add(data *d, const uint8_t hash[32], const uint8_t *b, uint32_t len, uint32_t record)
{
    if (vec_reserve((void **)&d->ch, &d->cap_ch, d->n_ch + 1, sizeof *d->ch)) return -1;
    if ((d->n_ch + 1) * 2 > d->map_cap && map_grow(d)) return -1;
    chunk *c = &d->ch[d->n_ch];
    memset(c, 0, sizeof *c);
    memcpy(c->hash, hash, 32);
    if (b) {
        c->bytes = malloc(len ? len : 1);
        if (!c->bytes) return -1;
        memcpy(c->bytes, b, len);
    }
    c->len = len, c->record = record;
    if (d->cfg.dir.ctx)
        for (uint32_t k = 0; k < DATA_MAX_REPLICAS; k++) c->rep[k] = CP_NODE_NONE; /* the gateway looks up */
    else place(d, hash, c->rep);
    size_t i = hkey(hash) & (d->map_cap - 1);
    while (d->map[i] != UINT32_MAX) i = (i + 1) & (d->map_cap - 1);
    d->map[i] = (uint32_t)d->n_ch++;
    return 0;
}

size_t data_tx_sign(data *d, cp_env *env, chain_tx *tx, uint8_t *out)
{
    tx->sender = env->self, tx->nonce = d->nonce[env->self]++;
    chain_tx_sign(tx, &d->sig[env->self]);
    data_charge(d, env, COST_SIGN, 1);
    return chain_tx_encode(out, tx);
}

size_t data_tx_make(data *d, cp_env *env, int kind, uint64_t ref, const void *payload, size_t len,
                    const uint8_t (*chunks)[32], uint16_t n_chunks, uint64_t interval, uint8_t *out)
{
    chain_tx *tx = calloc(1, sizeof *tx);
    if (!tx) return 0;
    tx->kind = (uint8_t)kind;
    int rc = kind == CHAIN_TX_DATA_RECORD ? chain_tx_set_record(tx, env->self, 0, interval, chunks, n_chunks)
                                          : chain_tx_set_trade(tx, (chain_kind)kind, ref, payload, len);
    size_t n = rc == CHAIN_OK ? data_tx_sign(d, env, tx, out) : 0;
    free(tx);
    return n;
}

static void chain_submit(data *d, cp_env *env, data_tx *t, uint32_t idx)
{
    t->chain_id = d->cfg.chain.submit(d->cfg.chain.ctx, env, d->txb + t->off, t->len);
    if (!t->chain_id) return;
    d->cnt.txs_submitted++;
    size_t need = (size_t)t->chain_id, old = d->cap_by_chain;
    if (need > old) {
        if (vec_reserve((void **)&d->by_chain, &d->cap_by_chain, need, sizeof *d->by_chain)) return;
        memset(d->by_chain + old, 0xff, (d->cap_by_chain - old) * sizeof *d->by_chain);
    }
    d->by_chain[t->chain_id - 1] = idx;
}

uint32_t data_tx_append(data *d, cp_env *env, int kind, cp_node sender, uint64_t ref, const uint8_t *b, size_t n)
{
    if (vec_reserve((void **)&d->tx, &d->cap_tx, d->n_tx + 1, sizeof *d->tx) ||
        vec_reserve((void **)&d->txb, &d->cap_txb, d->n_txb + n, 1))
        return UINT32_MAX;
    memcpy(d->txb + d->n_txb, b, n);
    data_tx *t = &d->tx[d->n_tx];
    *t = (data_tx){(uint8_t)kind, sender, ref, env_now(env), d->n_txb, n, 0, CP_TIME_NEVER, 0, 0};
    d->n_txb += n;
    d->cnt.txs++;
    if (d->cfg.chain.ctx) chain_submit(d, env, t, (uint32_t)d->n_tx);
    return (uint32_t)d->n_tx++;
}

void data_on_commit(data *d, cp_env *env, uint64_t id, uint64_t height, int valid)
{
    if (!id || id > d->cap_by_chain || d->by_chain[id - 1] == UINT32_MAX) return;
    data_tx *t = &d->tx[d->by_chain[id - 1]];
    if (t->onchain != CP_TIME_NEVER) return;
    t->onchain = env_now(env), t->height = height, t->valid = (uint8_t)valid;
    d->observer = env->self;
    d->cnt.txs_committed++;
    d->cnt.txs_invalid += !valid;
    if (t->kind == CHAIN_TX_DATA_RECORD && valid && t->ref < d->n_rec) d->rec[t->ref].onchain = t->onchain;
    if (t->kind == CHAIN_TX_DATA_RECORD && valid && (t->ref >> 63) && (t->ref & ~(1ull << 63)) < d->n_win)
        d->win[t->ref & ~(1ull << 63)].onchain = t->onchain; /* an aggregation result */
    if (t->kind == CHAIN_TX_TRADE_ORDER && valid && t->ref < d->n_tr) data_send_order(d, env, t->ref);
    if ((t->kind == CHAIN_TX_TRADE_CONFIRM || t->kind == CHAIN_TX_TRADE_PROXY_DELIVERED) && valid && t->ref < d->n_tr)
        data_trade_event(d, env, t->ref, t->kind);
    if (t->kind == CHAIN_TX_TRADE_BUYER_CONFIRM && valid && t->ref < d->n_tr) d->tr[t->ref].settled = t->onchain;
}

void data_on_found(data *d, cp_env *env, uint64_t cookie, const cp_node *nodes, uint32_t n, int ok,
                   uint32_t hops, cp_time latency)
{
    int kind = (int)(cookie >> 62);
    uint32_t hi = (uint32_t)(cookie >> 32 & 0x3fffffff), lo = (uint32_t)cookie;
    if (!vec_reserve((void **)&d->lk, &d->cap_lk, d->n_lk + 1, sizeof *d->lk))
        d->lk[d->n_lk++] = (data_lookup){latency, (uint16_t)hops, (uint8_t)kind, (uint8_t)(ok && n > 0)};
    if (!ok) n = 0;
    if (kind == DATA_LK_STORE && lo < d->n_ch) data_store_found(d, env, lo, nodes, n);
    if (kind == DATA_LK_FETCH && hi < d->n_tr) data_fetch_found(d, env, hi, lo, nodes, n);
}

cp_time data_dkg_end(const data *d) { return d->dkg_end; }

const data_lookup *data_lookups(const data *d, size_t *n)
{
    *n = d->n_lk;
    return d->lk;
}

int data_record_visible(const data *d, const data_record *r, cp_time now)
{
    return d->cfg.chain.ctx ? r->onchain <= now : r->ready != CP_TIME_NEVER;
}

/* Trade t's transaction of a kind, as the contract wants it: an order names the seller and locks
 * the price (price_per_epoch x epochs), a confirmation lists the order's proxies. */
uint32_t data_trade_tx(data *d, cp_env *env, int kind, uint64_t order)
{
    uint8_t out[CHAIN_TX_MAX];
    chain_tx *tx = calloc(1, sizeof *tx);
    const data_trade *tr = &d->tr[order];
    uint32_t px[DATA_MAX_PROXIES];
    for (uint32_t i = 0; i < d->cfg.pre_n; i++) px[i] = d->os[order].proxy[i];
    int rc = !tx ? -1
             : kind == CHAIN_TX_TRADE_ORDER
                 ? chain_tx_set_order(tx, order, tr->seller, d->cfg.price_per_epoch * (tr->e1 - tr->e0 + 1), NULL, 0)
             : kind == CHAIN_TX_TRADE_CONFIRM ? chain_tx_set_confirm(tx, order, px, d->cfg.pre_n)
                                              : chain_tx_set_trade(tx, (chain_kind)kind, order, NULL, 0);
    size_t n = rc == CHAIN_OK ? data_tx_sign(d, env, tx, out) : 0;
    free(tx);
    return n ? data_tx_append(d, env, kind, env->self, order, out, n) : UINT32_MAX;
}

/* ---- dispatch ----------------------------------------------------------------------- */

static void start(void *self, cp_env *env)
{
    data *d = self;
    int r = data_role_of(d, env->self);
    if (r == DATA_DEVICE) data_dev_start(d, env);
    if (r == DATA_BUYER) data_buyer_start(d, env);
    data_agg_start(d, env);
}

/* A crashed node keeps its state (keys, capsules, stored chunks) and loses its timers. */
static void restart(void *self, cp_env *env)
{
    data *d = self;
    int r = data_role_of(d, env->self);
    if (r == DATA_DEVICE) data_dev_restart(d, env);
    if (r == DATA_BUYER) data_buyer_restart(d, env);
    data_agg_restart(d, env);
}

typedef void (*from_fn)(data *, cp_env *, cp_node, rd *);
typedef void (*plain_fn)(data *, cp_env *, rd *);

static void on_message(void *self, cp_env *env, cp_node from, cp_msg *m)
{
    data *d = self;
    d->cnt.msgs++;
    if (env->self < d->n) d->node_rx[env->self] += m->wire_size;
    env_cpu(env, cp_time_of((double)d->cfg.cpu_per_msg * env->cpu_factor));
    static const from_fn ff[DATA_N_MSG] = {
        [DATA_M_UPLOAD] = data_on_upload, [DATA_M_STORE] = data_on_store, [DATA_M_ORDER] = data_on_order,
        [DATA_M_KFRAG] = data_on_kfrag, [DATA_M_CFRAG] = data_on_cfrag, [DATA_M_FETCH] = data_on_fetch,
        [DATA_M_CHUNK] = data_on_chunk, [DATA_M_AGG_CT] = data_on_agg_ct, [DATA_M_AGG_REQ] = data_on_agg_req,
        [DATA_M_AGG_PDEC] = data_on_agg_pdec, [DATA_M_EVENT] = data_on_event,
        [DATA_M_DKG] = data_on_dkg, [DATA_M_STORE_ACK] = data_on_store_ack};
    static const plain_fn pf[DATA_N_MSG] = {
        [DATA_M_SELLER_OK] = data_on_seller_ok,
        [DATA_M_CONFIRM] = data_on_confirm, [DATA_M_DISPUTE] = data_on_dispute};
    rd r;
    rd_init(&r, m);
    if (m->len < 1 || m->data[0] >= DATA_N_MSG) {
        d->cnt.malformed++;
        return;
    }
    uint8_t type = rd_u8(&r);
    if (ff[type]) ff[type](d, env, from, &r);
    else pf[type](d, env, &r);
}

static void on_timer(void *self, cp_env *env, uint64_t tag)
{
    data *d = self;
    int kind = (int)(tag >> 56);
    uint32_t i = (uint32_t)(tag & 0xffffffffu);
    if (kind == T_UPLOAD) data_on_upload_timer(d, env);
    else if (kind == T_AGG_SEND || kind == T_AGG_CLOSE) data_on_agg_timer(d, env, kind, i);
    else if (kind == T_STORE) data_on_store_timer(d, env, i);
    else data_on_trade_timer(d, env, kind, i);
}

static const cp_proto_ops ops = {
    .name = "data", .start = start, .on_message = on_message, .on_timer = on_timer,
    .msg_type_names = msg_names, .n_msg_types = DATA_N_MSG, .restart = restart,
};

const cp_proto_ops *data_ops(void) { return &ops; }

/* ---- results ------------------------------------------------------------------------ */

const data_record *data_records(const data *d, size_t *n) { return *n = d->n_rec, d->rec; }
const data_tx *data_txs(const data *d, size_t *n) { return *n = d->n_tx, d->tx; }
const uint8_t *data_tx_bytes(const data *d) { return d->txb; }
const data_trade *data_trades(const data *d, size_t *n) { return *n = d->n_tr, d->tr; }
const data_window *data_windows(const data *d, size_t *n) { return *n = d->n_win, d->win; }
const data_counts *data_get_counts(const data *d) { return &d->cnt; }
const data_role_stats *data_get_role_stats(const data *d, int role)
{
    return role >= 0 && role < DATA_N_ROLES ? &d->roles[role] : NULL;
}
uint64_t data_proxy_load(const data *d, uint32_t p) { return p < d->cfg.proxies ? d->proxy_load[p] : 0; }

int data_buyer_key(const data *d, cp_node buyer, cp_node owner, uint64_t epoch, uint8_t key[32])
{
    for (size_t t = 0; t < d->n_tr; t++) {
        if (d->tr[t].buyer != buyer || d->tr[t].seller != owner) continue;
        const order_st *o = &d->os[t];
        for (uint32_t e = 0; e < o->n_ep; e++)
            if (o->ep[e].epoch == epoch && o->ep[e].have_key) return memcpy(key, o->ep[e].key, 32), 1;
    }
    return 0;
}

int data_buyer_has(const data *d, cp_node buyer, uint32_t record)
{
    for (size_t t = 0; t < d->n_tr; t++) {
        if (d->tr[t].buyer != buyer) continue;
        const order_st *o = &d->os[t];
        for (uint32_t i = 0; i < o->n_recs; i++)
            if (o->recs[i] == record && o->dec[i]) return 1;
    }
    return 0;
}

const uint8_t *data_record_capsule(const data *d, uint32_t record)
{
    return record < d->n_rec ? (const uint8_t *)&d->rm[record].cap : NULL;
}

int data_record_ciphertext(const data *d, uint32_t record, uint8_t **out, size_t *len)
{
    if (record >= d->n_rec) return -1;
    const data_record *r = &d->rec[record];
    size_t n = (size_t)r->bytes + DATA_AEAD_OVERHEAD, off = 0;
    uint8_t *b = malloc(n);
    if (!b) return -1;
    for (uint32_t c = 0; c < r->n_chunks; c++) {
        data_chunk_fill(d, d->rm[record].chunk0 + c, b + off);
        off += d->ch[d->rm[record].chunk0 + c].len;
    }
    *out = b, *len = n;
    return 0;
}

/* ---- sealed format ------------------------------------------------------------------ */

static void aad_make(uint8_t aad[112], uint32_t owner, uint32_t stream, uint64_t interval, const uint8_t cap[96])
{
    for (int k = 0; k < 4; k++) aad[k] = (uint8_t)(owner >> (8 * k)), aad[4 + k] = (uint8_t)(stream >> (8 * k));
    for (int k = 0; k < 8; k++) aad[8 + k] = (uint8_t)(interval >> (8 * k));
    memcpy(aad + 16, cap, 96);
}

void data_seal(uint8_t *out, const uint8_t *pt, size_t len, const uint8_t key[32], uint32_t owner,
               uint32_t stream, uint64_t interval, const uint8_t capsule[96], cp_rng *rng)
{
    uint8_t aad[112];
    aad_make(aad, owner, stream, interval, capsule);
    rng_bytes(rng, out, 24);
    crypto_aead_xchacha20poly1305_ietf_encrypt(out + 24, NULL, pt, len, aad, sizeof aad, NULL, out, key);
}

int data_open(uint8_t *pt, const uint8_t *in, size_t len, const uint8_t key[32], uint32_t owner,
              uint32_t stream, uint64_t interval, const uint8_t capsule[96])
{
    uint8_t aad[112];
    if (len < DATA_AEAD_OVERHEAD) return CR_EINVALID;
    aad_make(aad, owner, stream, interval, capsule);
    int rc = crypto_aead_xchacha20poly1305_ietf_decrypt(pt, NULL, NULL, in + 24, len - 24, aad, sizeof aad, in, key);
    return rc == 0 ? CR_OK : CR_EINVALID;
}

uint32_t data_reading_value(uint64_t seed, cp_node dev, uint64_t j)
{
    uint64_t x = seed * 0x9E3779B97F4A7C15ull ^ ((uint64_t)dev << 32) ^ j;
    x ^= x >> 33, x *= 0xff51afd7ed558ccdull, x ^= x >> 33, x *= 0xc4ceb9fe1a85ec53ull, x ^= x >> 33;
    return (uint32_t)(x % 1000);
}

uint64_t data_batch_bytes(const data_cfg *c)
{
    if (c->model.kind == DATA_MODEL_CAMERA) return data_model_segment_bytes(&c->model, (double)c->sample_interval / 1e9);
    return c->upload_interval / c->sample_interval * c->reading_size;
}

void data_node_bytes(const data *d, cp_node v, uint64_t *sent, uint64_t *received)
{
    *sent = v < d->n ? d->node_tx[v] : 0, *received = v < d->n ? d->node_rx[v] : 0;
}

void data_stored_bytes(const data *d, uint64_t *per_gateway)
{
    memset(per_gateway, 0, (size_t)d->cfg.gateways * sizeof *per_gateway);
    for (size_t c = 0; c < d->n_ch; c++)
        for (uint32_t k = 0; k < d->cfg.replicas; k++)
            if ((d->ch[c].held >> k & 1) && d->ch[c].rep[k] - d->first[DATA_GATEWAY] < d->cfg.gateways)
                per_gateway[d->ch[c].rep[k] - d->first[DATA_GATEWAY]] += d->ch[c].len; /* dht: not proxies, buyers */
}

double data_sample_s(const data *d)
{
    return (double)d->cfg.sample_interval / 1e9;
}

cp_node data_upload_gateway(const data *d, cp_node dev, uint64_t u)
{
    uint64_t ns = d->cfg.upload_interval / d->cfg.sample_interval;
    return d->first[DATA_GATEWAY] +
           data_model_gateway(&d->cfg.model, d->seed, dev - d->first[DATA_DEVICE], u * ns + ns - 1, data_sample_s(d), d->cfg.gateways);
}

const data_cfg *data_get_cfg(const data *d)
{
    return &d->cfg;
}

uint64_t data_seed(const data *d)
{
    return d->seed;
}

int data_trade_key(const data *d, size_t trade, uint64_t epoch, uint8_t key[32])
{
    const order_st *o = trade < d->n_tr ? &d->os[trade] : NULL;
    for (uint32_t e = 0; o && e < o->n_ep; e++)
        if (o->ep[e].epoch == epoch && o->ep[e].have_key) return memcpy(key, o->ep[e].key, 32), 1;
    return 0;
}

int data_trade_has(const data *d, size_t trade, uint32_t record)
{
    const order_st *o = trade < d->n_tr ? &d->os[trade] : NULL;
    for (uint32_t i = 0; o && i < o->n_recs; i++)
        if (o->recs[i] == record && o->dec[i]) return 1;
    return 0;
}
