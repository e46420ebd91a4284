/* core/dht/dht_net.c: DHT messages and RPCs (contract in dht.h). Encodes and sends messages,
 * tracks pending requests in a pool found by request id (open addressing, backward-shift
 * deletion), answers requests, routes responses to lookups, and runs the stale-contact
 * eviction probe (PING the least-recently-seen contact of a full bucket). */
#include <stdlib.h>
#include <string.h>

#include "core/dht/dht_int.h"

void dht_send_msg(dht *d, cp_env *env, cp_node to, dht_msg *m)
{
    m->from = env->self;
    m->from_id = dht_idp(d, env->self);
    size_t len = dht_encoded_len(m);
    if (!len) return;
    cp_msg *msg = env_msg_new(env, m->type, (uint32_t)len, (uint32_t)len + DHT_UDP_OVERHEAD);
    if (!msg) return;
    dht_encode(msg->data, len, m); /* straight into the message: no scratch copy */
    env_send(env, to, msg);
    env_msg_unref(env, msg);
}

/* ---- request-id table ---- */

static int rtab_grow(dht *d)
{
    uint32_t cap = d->rtab_mask ? (d->rtab_mask + 1) * 2 : 1024;
    uint32_t *t = calloc(cap, sizeof *t);
    if (!t) return -1;
    for (uint32_t i = 0; d->rtab && i <= d->rtab_mask; i++) {
        if (!d->rtab[i]) continue;
        uint32_t h = (uint32_t)d->rpcs[d->rtab[i] - 1].rid & (cap - 1);
        while (t[h]) h = (h + 1) & (cap - 1);
        t[h] = d->rtab[i];
    }
    free(d->rtab);
    d->rtab = t;
    d->rtab_mask = cap - 1;
    return 0;
}

static int rtab_put(dht *d, uint32_t idx)
{
    if ((d->rtab_used + 1) * 2 > d->rtab_mask + 1 && rtab_grow(d)) return -1;
    uint32_t h = (uint32_t)d->rpcs[idx].rid & d->rtab_mask;
    while (d->rtab[h]) h = (h + 1) & d->rtab_mask;
    d->rtab[h] = idx + 1;
    d->rtab_used++;
    return 0;
}

static uint32_t rtab_slot(const dht *d, uint64_t rid)
{
    if (!d->rtab) return UINT32_MAX;
    for (uint32_t h = (uint32_t)rid & d->rtab_mask; d->rtab[h]; h = (h + 1) & d->rtab_mask)
        if (d->rpcs[d->rtab[h] - 1].rid == rid) return h;
    return UINT32_MAX;
}

static void rtab_del(dht *d, uint32_t h)
{
    uint32_t m = d->rtab_mask;
    d->rtab[h] = 0;
    d->rtab_used--;
    for (uint32_t j = (h + 1) & m; d->rtab[j]; j = (j + 1) & m) {
        uint32_t home = (uint32_t)d->rpcs[d->rtab[j] - 1].rid & m;
        if (((j - home) & m) >= ((j - h) & m)) {
            d->rtab[h] = d->rtab[j];
            d->rtab[j] = 0;
            h = j;
        }
    }
}

/* ---- RPC pool ---- */

static uint32_t rpc_alloc(dht *d)
{
    if (d->free_rpc != UINT32_MAX) {
        uint32_t i = d->free_rpc;
        d->free_rpc = d->rpcs[i].next_free;
        return i;
    }
    if (d->n_rpcs == d->cap_rpcs) {
        uint32_t nc = d->cap_rpcs ? d->cap_rpcs * 2 : 1024;
        dht_rpc *p = realloc(d->rpcs, nc * sizeof *p);
        if (!p) return UINT32_MAX;
        d->rpcs = p;
        d->cap_rpcs = nc;
    }
    return d->n_rpcs++;
}

static void rpc_release(dht *d, uint32_t i)
{
    d->rpcs[i].kind = RPC_FREE;
    d->rpcs[i].next_free = d->free_rpc;
    d->free_rpc = i;
}

uint32_t dht_send_req(dht *d, cp_env *env, cp_node to, dht_msg *m, dht_rpc *tmpl)
{
    uint32_t i = rpc_alloc(d);
    if (i == UINT32_MAX) return i;
    uint64_t rid;
    do rid = env_rand(env);
    while (rid == 0 || rtab_slot(d, rid) != UINT32_MAX);
    dht_rpc *r = &d->rpcs[i];
    *r = *tmpl;
    r->rid = rid;
    r->owner = env->self;
    r->to = to;
    if (rtab_put(d, i)) {
        rpc_release(d, i);
        return UINT32_MAX;
    }
    if (r->kind == RPC_LOOKUP) r->timer = env_now(env) + d->cfg.rpc_timeout;
    else r->timer = env_timer(env, d->cfg.rpc_timeout, DHT_TAG(T_RPC, i));
    m->rid = rid;
    dht_send_msg(d, env, to, m);
    return i;
}

void dht_rpc_drop(dht *d, uint32_t idx)
{
    uint32_t h = rtab_slot(d, d->rpcs[idx].rid);
    if (h != UINT32_MAX) rtab_del(d, h);
    rpc_release(d, idx);
}

/* The pending RPC answered by (rid, from) to self, removed from the pool; 0 if none. */
static int rpc_take(dht *d, cp_env *env, uint64_t rid, cp_node from, dht_rpc *out)
{
    uint32_t h = rtab_slot(d, rid);
    if (h == UINT32_MAX) return 0;
    uint32_t i = d->rtab[h] - 1;
    if (d->rpcs[i].owner != env->self || d->rpcs[i].to != from) return 0;
    *out = d->rpcs[i];
    rtab_del(d, h);
    if (out->kind != RPC_LOOKUP) env_timer_cancel(env, out->timer);
    rpc_release(d, i);
    return 1;
}

void dht_rpcs_free(dht *d)
{
    free(d->rpcs);
    free(d->rtab);
}

/* ---- contacts seen, eviction ---- */

void dht_seen(dht *d, cp_env *env, cp_node c, int may_probe)
{
    cp_node v = env->self;
    dht_node *nd = dht_nd(d, v);
    if (c == v || dht_rt_add(d, v, c) != 0) return;
    if (d->repl) {
        dht_repl_note(d, v, c);
        return;
    }
    if (!may_probe || nd->evict_busy) return;
    cp_time now = env_now(env);
    if (nd->last_probe && now - nd->last_probe < d->cfg.probe_gap) return;
    nd->last_probe = now;
    cp_node head = dht_rt_head(d, v, dht_bucket_of(d, v, c));
    if (head == CP_NODE_NONE) return;
    nd->evict_busy = 1;
    dht_rpc t = {0};
    t.kind = RPC_EVICT;
    t.cand = c;
    dht_msg m = {0};
    m.type = DHT_PING;
    dht_send_req(d, env, head, &m, &t);
}

void dht_contact_failed(dht *d, cp_node v, cp_node c)
{
    if (dht_rt_remove(d, v, c) && d->repl && dht_repl_refill(d, v, dht_bucket_of(d, v, c))) d->cnt.evictions++;
}

void dht_rpc_timeout(dht *d, cp_env *env, uint32_t idx)
{
    if (idx >= d->n_rpcs || d->rpcs[idx].kind == RPC_FREE) return;
    dht_rpc r = d->rpcs[idx];
    dht_rpc_drop(d, idx);
    d->cnt.rpc_timeouts++;
    cp_node v = env->self;
    dht_node *nd = dht_nd(d, v);
    if (r.kind == RPC_EVICT) nd->evict_busy = 0;
    if (r.kind == RPC_STORE && r.lookup != UINT32_MAX) dht_lk_store_done(d, env, &r, 0);
    if (!nd->online) return;
    dht_contact_failed(d, v, r.to);
    if (r.kind == RPC_EVICT) {
        d->cnt.evictions++;
        dht_rt_add(d, v, r.cand);
    }
}

/* ---- requests ---- */

static void reply_nodes(dht *d, cp_env *env, cp_node to, const dht_msg *q)
{
    cp_node c[DHT_MAX_CONTACTS];
    uint8_t raw[DHT_MAX_CONTACTS * DHT_CONTACT_BYTES];
    uint32_t n = dht_rt_closest(d, env->self, q->key, d->cfg.k, c);
    for (uint32_t i = 0; i < n; i++) __builtin_prefetch(dht_idp(d, c[i]));
    for (uint32_t i = 0; i < n; i++) {
        uint8_t *p = raw + i * DHT_CONTACT_BYTES;
        for (int b = 0; b < 4; b++) p[b] = (uint8_t)(c[i] >> (8 * b));
        memcpy(p + 4, dht_idp(d, c[i]), DHT_ID_BYTES);
    }
    dht_msg m = {0};
    m.type = DHT_NODES;
    m.rid = q->rid;
    m.n_contacts = n;
    m.contacts = raw;
    dht_send_msg(d, env, to, &m);
}

static void on_request(dht *d, cp_env *env, cp_node from, const dht_msg *q)
{
    dht_msg m = {0};
    m.rid = q->rid;
    const dht_val *v;
    switch (q->type) {
    case DHT_PING: m.type = DHT_PONG; break;
    case DHT_FIND_NODE: reply_nodes(d, env, from, q); return;
    case DHT_FIND_VALUE:
        v = dht_store_get(d, env->self, q->key, env_now(env));
        if (!v) {
            reply_nodes(d, env, from, q);
            return;
        }
        m.type = DHT_VALUE;
        m.key = v->key;
        m.vlen = v->len;
        m.value = v->data;
        break;
    case DHT_STORE:
        dht_store_put(d, env, env->self, q->key, q->value, q->vlen, CP_S((uint64_t)q->ttl_s));
        m.type = DHT_STORE_ACK;
        break;
    default: return;
    }
    dht_send_msg(d, env, from, &m);
}

static void on_response(dht *d, cp_env *env, cp_node from, const dht_msg *m)
{
    dht_rpc r;
    if (!rpc_take(d, env, m->rid, from, &r)) return;
    dht_seen(d, env, from, m->type != DHT_PONG);
    if (r.kind == RPC_EVICT) dht_nd(d, env->self)->evict_busy = 0;
    if (r.kind == RPC_STORE && r.lookup != UINT32_MAX) dht_lk_store_done(d, env, &r, m->type == DHT_STORE_ACK);
    else if (r.kind == RPC_STORE && m->type == DHT_STORE_ACK) d->cnt.store_acks++;
    if (r.kind == RPC_LOOKUP) dht_lk_response(d, env, &r, m);
}

static int is_response(uint8_t t)
{
    return t == DHT_PONG || t == DHT_NODES || t == DHT_VALUE || t == DHT_STORE_ACK;
}

/* The engine's hint for a coming event of v (see core/env.h): stage 0 the node state, its id
 * and prefix; stage 1 the table block (the node state has arrived) and the sender's prefix.
 * (Prefetching a NODES message's contacts here as well measured no better than doing it in
 * merge_contacts.) */
void dht_prefetch(dht *d, cp_node v, const cp_msg *msg, int stage)
{
    if (!dht_is_member(d, v)) return;
    const dht_node *nd = dht_nd(d, v);
    if (stage == 0) {
        __builtin_prefetch(nd);
        __builtin_prefetch(dht_idp(d, v));
        __builtin_prefetch(&d->pfx[v - d->first]);
        if (d->repl) __builtin_prefetch(d->repl + (size_t)(v - d->first) * d->cfg.replacements, 1);
        return;
    }
    if (nd->rt.bk) {
        __builtin_prefetch(nd->rt.bk);
        __builtin_prefetch(nd->rt.bk + 64);
    }
    dht_msg m;
    if (!msg || dht_decode(msg->data, msg->len, &m) != DHT_OK) return;
    if (dht_is_member(d, m.from)) __builtin_prefetch(&d->pfx[m.from - d->first]);
}

void dht_handle(dht *d, cp_env *env, cp_node from, const cp_msg *msg)
{
    if (!dht_is_member(d, env->self)) {
        d->cnt.dropped_nonmember++;
        return;
    }
    /* The misses this handler will take, started together: own and sender's ids (bucket and
     * sender checks), then the table block once the node state has arrived. */
    dht_node *nd = dht_nd(d, env->self);
    __builtin_prefetch(dht_idp(d, env->self));
    if (dht_is_member(d, from)) __builtin_prefetch(&d->pfx[from - d->first]);
    if (!nd->online) {
        d->cnt.dropped_offline++;
        return;
    }
    if (nd->rt.bk) {
        __builtin_prefetch(nd->rt.bk);
        __builtin_prefetch(nd->rt.bk + 64);
    }
    d->cnt.msgs++;
    env_cpu(env, cp_time_of((double)d->cfg.cpu_per_msg * env->cpu_factor));
    dht_msg m;
    if (dht_decode(msg->data, msg->len, &m) != DHT_OK || m.from != from || !dht_is_member(d, from) ||
        dht_prefix64(m.from_id) != dht_pfx(d, from)) { /* sender id: checked by its prefix */
        d->cnt.malformed++;
        return;
    }
    if (is_response(m.type)) {
        on_response(d, env, from, &m);
        return;
    }
    dht_seen(d, env, from, m.type != DHT_PING);
    on_request(d, env, from, &m);
}
