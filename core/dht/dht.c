/* core/dht/dht.c: the DHT protocol instance (contract in dht.h): configuration, ids and the
 * oracle's sorted index, the precomputed workload, node start, timers (workload, join,
 * refresh, republish, churn), the per-node value store and the results. Messages and RPCs
 * are in dht_net.c, lookups in dht_lookup.c, tables in dht_rt.c, the codec in dht_wire.c. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "core/dht/dht_int.h"
#include "core/vec.h"

dht_cfg dht_cfg_default(void)
{
    dht_cfg c;
    memset(&c, 0, sizeof c);
    c.k = 20;
    c.alpha = 3;
    c.rpc_timeout = CP_S(2);
    c.probe_gap = CP_S(10);
    c.eviction = DHT_EVICT_PING;
    c.replacements = 8;
    c.bootstrap = DHT_BOOT_PREFILL;
    c.join_spacing = CP_MS(100);
    c.republish = CP_S(3600);
    c.refresh = CP_S(3600);
    c.ttl = CP_S(86400);
    c.churn_dist = DHT_CHURN_NONE;
    c.mean_session = CP_S(6000);
    c.mean_offline = CP_S(600);
    c.weibull_shape = 0.5;
    c.work_start = CP_S(1);
    c.work_end = CP_S(61);
    c.get_start = CP_S(70);
    c.get_end = CP_S(130);
    c.value_size = 100;
    c.cpu_per_msg = CP_US(2);
    c.emit_metrics = 1;
    return c;
}

static int cfg_ok(const dht_cfg *c, uint32_t n)
{
    uint32_t m = c->first < n ? (c->members ? c->members : n - c->first) : 0;
    return m >= 2 && m <= n - c->first && c->k >= 1 && c->k <= DHT_MAX_CONTACTS && c->alpha >= 1 && c->value_size >= 1 &&
           (c->eviction == DHT_EVICT_PING || (c->eviction == DHT_EVICT_CACHE && c->replacements >= 1 &&
                                                c->replacements <= DHT_MAX_REPL)) &&
           c->value_size <= DHT_MAX_VALUE && c->rpc_timeout > 0 && c->work_end >= c->work_start &&
           c->get_end >= c->get_start && (c->churn_dist != DHT_CHURN_WEIBULL || c->weibull_shape > 0);
}

typedef struct id_rank {
    uint64_t pfx;
    uint32_t node;
} id_rank;

static int cmp_ids(const void *a, const void *b, void *ctx)
{
    const id_rank *x = a, *y = b;
    const dht *d = ctx;
    if (x->pfx != y->pfx) return x->pfx < y->pfx ? -1 : 1;
    return memcmp(dht_idp(d, x->node), dht_idp(d, y->node), DHT_ID_BYTES);
}

static int make_ids(dht *d)
{
    d->ids = vec_big((size_t)d->n * DHT_ID_BYTES, 0);
    d->sorted = vec_big((size_t)d->n * sizeof *d->sorted, 0);
    d->spfx = vec_big((size_t)d->n * sizeof *d->spfx, 0);
    d->pfx = vec_big((size_t)d->n * sizeof *d->pfx, 0);
    id_rank *r = malloc((size_t)d->n * sizeof *r);
    if (!d->ids || !d->sorted || !d->spfx || !d->pfx || !r) return free(r), -1;
    for (uint32_t i = 0; i < d->n; i++) { /* ids from world ids: a member keeps its id */
        dht_make_id(d->ids[i], d->seed, (uint64_t)d->first + i);
        d->pfx[i] = dht_prefix64(d->ids[i]);
        r[i] = (id_rank){d->pfx[i], d->first + i};
    }
    qsort_r(r, d->n, sizeof *r, cmp_ids, d);
    for (uint32_t i = 0; i < d->n; i++) {
        d->sorted[i] = r[i].node;
        d->spfx[i] = r[i].pfx;
    }
    free(r);
    return 0;
}

void dht_key_of(const dht *d, uint32_t key_index, uint8_t out[DHT_ID_BYTES])
{
    dht_make_id(out, d->seed ^ 0x6b65795f6b657973ull, key_index);
}

void dht_value_bytes(const dht *d, uint32_t key_index, uint8_t *out, uint32_t len)
{
    uint8_t k[DHT_ID_BYTES];
    dht_key_of(d, key_index, k);
    for (uint32_t j = 0; j < len; j++) out[j] = (uint8_t)(k[j % DHT_ID_BYTES] + j * 7u + key_index);
}

/* ---- workload ---- */

static cp_time draw_time(cp_rng *r, cp_time a, cp_time b) { return a + rng_below(r, b - a + 1); }

#define STORE_KEY_BASE 0x80000000u

static void gen_ops(dht *d, dht_op *tmp)
{
    cp_rng r;
    rng_seed(&r, d->seed, 0xffffffffu, 0x3011);
    const dht_cfg *c = &d->cfg;
    uint64_t w = 0;
    cp_node f = d->first;
    for (uint64_t i = 0; i < c->lookups; i++)
        tmp[w++] = (dht_op){draw_time(&r, c->work_start, c->work_end), f + (cp_node)rng_below(&r, d->n),
                            (uint32_t)i, DHT_LK_FIND};
    for (uint64_t i = 0; i < c->stores; i++)
        tmp[w++] = (dht_op){draw_time(&r, c->work_start, c->work_end), f + (cp_node)rng_below(&r, d->n),
                            STORE_KEY_BASE + (uint32_t)i, DHT_LK_STORE};
    for (uint64_t i = 0; c->stores && i < c->gets; i++)
        tmp[w++] = (dht_op){draw_time(&r, c->get_start, c->get_end), f + (cp_node)rng_below(&r, d->n),
                            STORE_KEY_BASE + (uint32_t)rng_below(&r, c->stores), DHT_LK_GET};
    d->n_ops = w;
}

/* Workload ops grouped by member (CSR: ops of member i are ops[op_off[i] .. op_off[i+1])). */
static int make_ops(dht *d)
{
    uint64_t total = d->cfg.lookups + d->cfg.stores + (d->cfg.stores ? d->cfg.gets : 0);
    dht_op *tmp = malloc((total ? total : 1) * sizeof *tmp);
    d->ops = vec_big((total ? total : 1) * sizeof *d->ops, 0);
    d->op_off = vec_big(((size_t)d->n + 1) * sizeof *d->op_off, 1);
    if (!tmp || !d->ops || !d->op_off || total >= STORE_KEY_BASE) {
        free(tmp);
        return -1;
    }
    gen_ops(d, tmp);
    for (uint64_t i = 0; i < d->n_ops; i++) d->op_off[tmp[i].node - d->first + 1]++;
    for (uint32_t v = 0; v < d->n; v++) d->op_off[v + 1] += d->op_off[v];
    uint32_t *pos = malloc((size_t)d->n * sizeof *pos);
    if (!pos) {
        free(tmp);
        return -1;
    }
    memcpy(pos, d->op_off, (size_t)d->n * sizeof *pos);
    for (uint64_t i = 0; i < d->n_ops; i++) d->ops[pos[tmp[i].node - d->first]++] = tmp[i];
    free(pos);
    free(tmp);
    return 0;
}

dht *dht_new(const dht_cfg *cfg, uint32_t n_nodes, uint64_t seed)
{
    if (!cfg_ok(cfg, n_nodes)) return NULL;
    dht *d = calloc(1, sizeof *d);
    if (!d) return NULL;
    d->cfg = *cfg;
    d->first = cfg->first;
    d->n = cfg->members ? cfg->members : n_nodes - cfg->first;
    d->n_world = n_nodes;
    d->seed = seed;
    d->free_rpc = d->free_lk = UINT32_MAX;
    d->nodes = vec_big((size_t)d->n * sizeof *d->nodes, 1);
    int bad = !d->nodes || make_ids(d) || make_ops(d);
    if (!bad && cfg->eviction == DHT_EVICT_CACHE) {
        d->repl = vec_big((size_t)d->n * cfg->replacements * sizeof *d->repl, 0);
        bad = !d->repl;
        for (size_t i = 0; !bad && i < (size_t)d->n * cfg->replacements; i++) d->repl[i] = CP_NODE_NONE;
    }
    if (!bad && cfg->bootstrap == DHT_BOOT_PREFILL) bad = dht_rt_prefill(d);
    if (bad) {
        dht_free(d);
        return NULL;
    }
    return d;
}

void dht_free(dht *d)
{
    if (!d) return;
    for (uint32_t m = 0; d->nodes && m < d->n; m++) {
        dht_rt_free(&d->nodes[m].rt);
        for (uint32_t i = 0; i < d->nodes[m].n_vals; i++) free(d->nodes[m].vals[i].data);
        free(d->nodes[m].vals);
    }
    dht_rpcs_free(d);
    dht_lks_free(d);
    free(d->nodes);
    free(d->ids);
    free(d->sorted);
    free(d->arena);
    free(d->repl);
    free(d->spfx);
    free(d->pfx);
    free(d->ops);
    free(d->op_off);
    free(d->res);
    free(d->scratch);
    free(d);
}
