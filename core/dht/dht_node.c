/* core/dht/dht_node.c: per-node life of the DHT (contract in dht.h): start, the timers
 * (workload operations, join, bucket refresh, republish, churn), the value store and the
 * recording of finished workload lookups; plus the protocol table and the accessors. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "core/dht/dht_int.h"

static cp_time session_len(const dht *d, cp_rng *r)
{
    double mean = (double)d->cfg.mean_session;
    if (d->cfg.churn_dist == DHT_CHURN_EXP) return (cp_time)rng_exp(r, mean) + 1;
    double k = d->cfg.weibull_shape, scale = mean / tgamma(1.0 + 1.0 / k);
    return (cp_time)(scale * pow(-log(1.0 - rng_unit(r)), 1.0 / k)) + 1;
}

static void dht_start(void *self, cp_env *env)
{
    dht *d = self;
    cp_node v = env->self;
    if (!dht_is_member(d, v)) return;
    uint32_t mi = v - d->first;
    d->nodes[mi].online = 1;
    if (d->cfg.bootstrap == DHT_BOOT_JOIN && mi > 0) env_timer(env, mi * d->cfg.join_spacing, DHT_TAG(T_JOIN, 0));
    if (d->cfg.refresh)
        env_timer(env, (cp_time)(rng_unit(env->rng) * (double)d->cfg.refresh) + 1, DHT_TAG(T_REFRESH, 0));
    if (d->cfg.churn_dist != DHT_CHURN_NONE) env_timer(env, session_len(d, env->rng), DHT_TAG(T_CHURN, 0));
    cp_time now = env_now(env);
    for (uint32_t i = d->op_off[mi]; i < d->op_off[mi + 1]; i++)
        env_timer(env, d->ops[i].t > now ? d->ops[i].t - now : 0, DHT_TAG(T_WORK, i));
}

void dht_record(dht *d, cp_env *env, const dht_lookup *l, int ok)
{
    if (d->n_res == d->cap_res) {
        size_t nc = d->cap_res ? d->cap_res * 2 : 1024;
        dht_result *p = realloc(d->res, nc * sizeof *p);
        if (!p) return;
        d->res = p;
        d->cap_res = nc;
    }
    cp_time lat = env_now(env) - l->start;
    d->res[d->n_res++] = (dht_result){l->start, lat, l->owner, l->rpcs, l->max_depth, l->kind, (uint8_t)(ok != 0),
                                      {l->key[0], l->key[1], l->key[2], l->key[3]}};
    if (l->kind == DHT_LK_FIND) d->cnt.finds++, d->cnt.finds_ok += ok != 0;
    if (l->kind == DHT_LK_GET) d->cnt.gets++, d->cnt.gets_ok += ok != 0;
    if (l->kind == DHT_LK_STORE) d->cnt.stores++;
    if (!d->cfg.emit_metrics) return;
    if (l->kind == DHT_LK_GET) {
        env_metric(env, DHT_M_GET_OK, ok != 0);
        env_metric(env, DHT_M_GET_LATENCY, (double)lat / 1e9);
        return;
    }
    env_metric(env, DHT_M_HOPS, l->max_depth);
    env_metric(env, DHT_M_RPCS, l->rpcs);
    env_metric(env, DHT_M_LATENCY, (double)lat / 1e9);
    env_metric(env, DHT_M_OK, ok != 0);
}

/* A GET whose value this node holds itself succeeds at once (no RPC). */
static int local_get(dht *d, cp_env *env, const dht_op *op, const uint8_t *key)
{
    if (!dht_store_get(d, env->self, key, env_now(env))) return 0;
    dht_lookup l;
    memset(&l, 0, sizeof l);
    l.owner = env->self;
    l.kind = DHT_LK_GET;
    l.start = env_now(env);
    l.arg = op->arg;
    dht_record(d, env, &l, 1);
    return 1;
}

static void run_op(dht *d, cp_env *env, uint32_t i)
{
    const dht_op *op = &d->ops[i];
    uint8_t key[DHT_ID_BYTES], val[DHT_MAX_VALUE];
    dht_key_of(d, op->arg, key);
    if (op->kind == DHT_LK_STORE) {
        dht_value_bytes(d, op->arg, val, d->cfg.value_size);
        dht_lk_start(d, env, DHT_LK_STORE, key, op->arg, val, d->cfg.value_size);
        return;
    }
    if (op->kind == DHT_LK_GET && local_get(d, env, op, key)) return;
    dht_lk_start(d, env, op->kind, key, op->arg, NULL, 0);
}

static void on_join(dht *d, cp_env *env)
{
    cp_node v = env->self;
    dht_rt_add(d, v, d->first + (cp_node)rng_below(env->rng, v - d->first));
    dht_lk_start(d, env, LK_JOIN, dht_idp(d, v), 0, NULL, 0);
}

void dht_joined(dht *d, cp_env *env)
{
    uint8_t key[DHT_ID_BYTES];
    cp_node v = env->self;
    for (int b = dht_rt_lowest_bucket(d, v) + 1; b <= 255 && b > 0; b++) {
        dht_random_id_in_bucket(dht_idp(d, v), b, env->rng, key);
        dht_lk_start(d, env, DHT_LK_MAINT, key, 0, NULL, 0);
    }
}

static void on_refresh(dht *d, cp_env *env)
{
    uint8_t key[DHT_ID_BYTES];
    int b = dht_rt_random_bucket(d, env->self, env->rng);
    if (b >= 0) {
        dht_random_id_in_bucket(dht_idp(d, env->self), b, env->rng, key);
        dht_lk_start(d, env, DHT_LK_MAINT, key, 0, NULL, 0);
    }
    env_timer(env, d->cfg.refresh, DHT_TAG(T_REFRESH, 0));
}

static void purge_expired(dht_node *nd, cp_time now)
{
    uint32_t w = 0;
    for (uint32_t i = 0; i < nd->n_vals; i++) {
        if (nd->vals[i].expires > now) nd->vals[w++] = nd->vals[i];
        else free(nd->vals[i].data);
    }
    nd->n_vals = (uint16_t)w;
}

static void arm_republish(dht *d, cp_env *env, dht_node *nd)
{
    if (!d->cfg.republish || nd->repub_armed) return;
    nd->repub_armed = 1;
    double j = 0.5 + 0.5 * rng_unit(env->rng);
    env_timer(env, (cp_time)(j * (double)d->cfg.republish) + 1, DHT_TAG(T_REPUB, 0));
}

static void on_republish(dht *d, cp_env *env)
{
    dht_node *nd = dht_nd(d, env->self);
    nd->repub_armed = 0;
    purge_expired(nd, env_now(env));
    for (uint32_t i = 0; nd->online && i < nd->n_vals; i++) {
        dht_val *v = &nd->vals[i];
        dht_lk_start(d, env, LK_REPUB, v->key, 0, v->data, v->len);
        nd = dht_nd(d, env->self);
    }
    if (nd->n_vals) arm_republish(d, env, nd);
}

static void on_churn(dht *d, cp_env *env)
{
    dht_node *nd = dht_nd(d, env->self);
    if (nd->online) {
        nd->online = 0;
        dht_lk_abort_node(d, env, env->self);
        env_timer(env, (cp_time)rng_exp(env->rng, (double)d->cfg.mean_offline) + 1, DHT_TAG(T_CHURN, 0));
        return;
    }
    nd->online = 1;
    dht_lk_start(d, env, DHT_LK_MAINT, dht_idp(d, env->self), 0, NULL, 0);
    env_timer(env, session_len(d, env->rng), DHT_TAG(T_CHURN, 0));
}

static void dht_on_timer(void *self, cp_env *env, uint64_t tag)
{
    dht *d = self;
    unsigned kind = DHT_TAG_KIND(tag);
    if (!dht_is_member(d, env->self)) return;
    if (kind == T_RPC) {
        dht_rpc_timeout(d, env, (uint32_t)DHT_TAG_IDX(tag));
        return;
    }
    if (kind == T_LOOKUP) {
        dht_lk_timer(d, env, tag);
        return;
    }
    if (kind == T_CHURN) {
        on_churn(d, env);
        return;
    }
    if (kind == T_CSTART) {
        dht_lk_client_timer(d, env, tag);
        return;
    }
    int up = dht_nd(d, env->self)->online;
    if (kind == T_REFRESH && !up) env_timer(env, d->cfg.refresh, DHT_TAG(T_REFRESH, 0));
    if (kind == T_REPUB && !up) env_timer(env, d->cfg.republish, DHT_TAG(T_REPUB, 0));
    if (!up) return;
    if (kind == T_WORK) run_op(d, env, (uint32_t)DHT_TAG_IDX(tag));
    if (kind == T_JOIN) on_join(d, env);
    if (kind == T_REFRESH) on_refresh(d, env);
    if (kind == T_REPUB) on_republish(d, env);
}

static void dht_on_message(void *self, cp_env *env, cp_node from, cp_msg *msg)
{
    dht_handle(self, env, from, msg);
}

/* ---- value store ---- */

int dht_store_put(dht *d, cp_env *env, cp_node v, const uint8_t *key, const uint8_t *val,
                  uint32_t len, cp_time ttl)
{
    dht_node *nd = dht_nd(d, v);
    uint8_t *data = malloc(len);
    if (!data) return -1;
    memcpy(data, val, len);
    uint32_t i = 0;
    while (i < nd->n_vals && memcmp(nd->vals[i].key, key, DHT_ID_BYTES) != 0) i++;
    if (i == nd->n_vals) {
        if (nd->n_vals == nd->cap_vals) {
            uint32_t nc = nd->cap_vals ? nd->cap_vals * 2u : 2u;
            dht_val *p = realloc(nd->vals, nc * sizeof *p);
            if (!p || nc > UINT16_MAX) return free(data), -1;
            nd->vals = p;
            nd->cap_vals = (uint16_t)nc;
        }
        nd->n_vals++;
        d->cnt.stores_held++;
    } else {
        free(nd->vals[i].data);
    }
    dht_val *s = &nd->vals[i];
    memcpy(s->key, key, DHT_ID_BYTES);
    s->expires = env_now(env) + ttl;
    s->len = len;
    s->data = data;
    arm_republish(d, env, nd);
    return 0;
}

const dht_val *dht_store_get(dht *d, cp_node v, const uint8_t *key, cp_time now)
{
    const dht_node *nd = dht_nd(d, v);
    for (uint32_t i = 0; i < nd->n_vals; i++)
        if (nd->vals[i].expires > now && memcmp(nd->vals[i].key, key, DHT_ID_BYTES) == 0) return &nd->vals[i];
    return NULL;
}

int dht_holds(const dht *d, cp_node v, const uint8_t *key)
{
    if (!dht_is_member(d, v)) return 0;
    const dht_node *nd = dht_ndc(d, v);
    for (uint32_t i = 0; i < nd->n_vals; i++)
        if (memcmp(nd->vals[i].key, key, DHT_ID_BYTES) == 0) return 1;
    return 0;
}

/* ---- accessors ---- */

static const char *const dht_msg_names[] = {"dht_ping", "dht_pong", "dht_find_node", "dht_nodes",
                                            "dht_find_value", "dht_value", "dht_store", "dht_store_ack"};
static const char *const dht_metric_names[] = {"lookup_hops", "lookup_rpcs", "lookup_latency_s",
                                               "lookup_ok", "get_ok", "get_latency_s"};


static void dht_on_prefetch(void *self, cp_node v, const cp_msg *msg, int stage)
{
    dht_prefetch(self, v, msg, stage);
}

static const cp_proto_ops dht_proto = {
    "dht", dht_start, dht_on_message, dht_on_timer, dht_msg_names, DHT_N_MSG,
    dht_metric_names, DHT_N_METRICS, NULL, NULL, dht_on_prefetch,
};

const cp_proto_ops *dht_ops(void) { return &dht_proto; }
const dht_result *dht_results(const dht *d, size_t *n)
{
    *n = d->n_res;
    return d->res;
}
const dht_counts *dht_get_counts(const dht *d) { return &d->cnt; }
int dht_online(const dht *d, cp_node v) { return dht_is_member(d, v) && dht_ndc(d, v)->online; }

double dht_bytes_per_node(const dht *d)
{
    /* node state, id, prefix, sorted index, sorted prefix, workload offset */
    double b = sizeof(dht_node) + DHT_ID_BYTES + sizeof(uint64_t) + sizeof(uint32_t) + sizeof(uint64_t) + sizeof(uint32_t);
    uint64_t tab = 0;
    for (uint32_t m = 0; m < d->n; m++) {
        const dht_rt *rt = &d->nodes[m].rt;
        tab += rt->cap * 4u + dht_rt_bk_bytes(rt->bcap) + (rt->arena ? 0u : 16u); /* + malloc header */
    }
    if (d->repl) b += (double)d->cfg.replacements * sizeof *d->repl;
    return b + (double)tab / d->n;
}
