/* core/flood/flood.c: flooding block propagation (contract in flood.h).
 *
 * Invariants: the peer graph is a function of (seed, n, degree) only; each node forwards a
 * block at most once (arrival != NEVER marks "seen"); every decoded message is checked by
 * flood_decode before use and malformed ones are counted and dropped. */
#include "core/flood/flood.h"
#include "core/graph/graph.h"

#include <stdlib.h>
#include <string.h>

struct flood {
    flood_cfg cfg;
    uint32_t n;
    graph g;             /* the peer graph */
    cp_time *arrival;    /* blocks x n */
    cp_time *created;
    cp_node *origin;
    uint32_t *dups;
    uint64_t malformed, bad_sigs;
    uint8_t (*origin_pk)[CR_PK_BYTES]; /* per block: the origin's key, known to everyone */
};

static const char *const flood_msg_names[] = {"block"};

/* ---- wire form -------------------------------------------------------------------- */

static void put32(uint8_t *p, uint32_t v)
{
    for (int i = 0; i < 4; i++) p[i] = (uint8_t)(v >> (8 * i));
}
static void put64(uint8_t *p, uint64_t v)
{
    for (int i = 0; i < 8; i++) p[i] = (uint8_t)(v >> (8 * i));
}
static uint32_t get32(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}
static uint64_t get64(const uint8_t *p) { return get32(p) | (uint64_t)get32(p + 4) << 32; }

void flood_encode_hdr(uint8_t *buf, const flood_hdr *h)
{
    put32(buf, FLOOD_MAGIC);
    buf[4] = 1;
    buf[5] = buf[6] = buf[7] = 0;
    put32(buf + 8, h->index);
    put32(buf + 12, h->origin);
    put64(buf + 16, h->size);
    memcpy(buf + 24, h->digest, 32);
    memcpy(buf + 56, h->sig, 64);
}

int flood_decode(const uint8_t *buf, size_t len, flood_hdr *out)
{
    if (len < FLOOD_HDR || get32(buf) != FLOOD_MAGIC || buf[4] != 1) return FLOOD_EMALFORMED;
    if (buf[5] | buf[6] | buf[7]) return FLOOD_EMALFORMED;
    out->index = get32(buf + 8);
    out->origin = get32(buf + 12);
    out->size = get64(buf + 16);
    if (out->size != len) return FLOOD_EMALFORMED;
    memcpy(out->digest, buf + 24, 32);
    memcpy(out->sig, buf + 56, 64);
    return FLOOD_OK;
}

/* ---- lifecycle -------------------------------------------------------------------- */

static int cfg_ok(const flood_cfg *c, uint32_t n)
{
    return n >= 2 && c->degree >= 1 && c->degree < n && c->block_size >= FLOOD_HDR &&
           c->block_size <= UINT32_MAX && (c->source < 0 || (uint64_t)c->source < n);
}

static void pick_origins(flood *f, uint64_t seed)
{
    cp_rng r;
    rng_seed(&r, seed, UINT64_MAX, 0x6f726967696eull /* "origin" */);
    for (uint32_t b = 0; b < f->cfg.blocks; b++) {
        f->origin[b] = f->cfg.source >= 0 ? (cp_node)f->cfg.source : (cp_node)rng_below(&r, f->n);
        f->created[b] = CP_TIME_NEVER;
    }
}

flood *flood_new(const flood_cfg *cfg, uint32_t n_nodes, uint64_t seed)
{
    if (!cfg_ok(cfg, n_nodes)) return NULL;
    flood *f = calloc(1, sizeof *f);
    if (!f) return NULL;
    f->cfg = *cfg;
    f->n = n_nodes;
    size_t cells = (size_t)cfg->blocks * n_nodes;
    f->arrival = malloc((cells ? cells : 1) * sizeof *f->arrival);
    f->created = malloc((cfg->blocks + 1u) * sizeof *f->created);
    f->origin = malloc((cfg->blocks + 1u) * sizeof *f->origin);
    f->dups = calloc(n_nodes, sizeof *f->dups);
    f->origin_pk = calloc(cfg->blocks + 1u, sizeof *f->origin_pk);
    if (!f->arrival || !f->created || !f->origin || !f->dups || !f->origin_pk ||
        graph_random(&f->g, n_nodes, cfg->degree, seed, 0x6772617068ull /* "graph" */) != 0) {
        flood_free(f);
        return NULL;
    }
    for (size_t i = 0; i < cells; i++) f->arrival[i] = CP_TIME_NEVER;
    pick_origins(f, seed);
    return f;
}

void flood_free(flood *f)
{
    if (!f) return;
    graph_free(&f->g);
    free(f->arrival);
    free(f->created);
    free(f->origin);
    free(f->dups);
    free(f->origin_pk);
    free(f);
}

/* ---- protocol --------------------------------------------------------------------- */

static void forward(flood *f, cp_env *env, cp_msg *m, cp_node except)
{
    cp_node v = env->self;
    uint32_t k;
    const uint32_t *nb = graph_neighbors(&f->g, v, &k);
    for (uint32_t i = 0; i < k; i++)
        if (nb[i] != except) env_send(env, nb[i], m);
}

static void fl_start(void *self, cp_env *env)
{
    flood *f = self;
    for (uint32_t b = 0; b < f->cfg.blocks; b++)
        if (f->origin[b] == env->self)
            env_timer(env, cp_time_add(f->cfg.first, cp_time_mul(f->cfg.interval, b)), b);
}

static void fl_timer(void *self, cp_env *env, uint64_t tag)
{
    flood *f = self;
    uint32_t b = (uint32_t)tag;
    cp_msg *m = env_msg_new(env, FLOOD_MSG_BLOCK, (uint32_t)f->cfg.block_size,
                            (uint32_t)f->cfg.block_size);
    if (!m) return;
    flood_hdr h = {b, env->self, f->cfg.block_size, {0}, {0}};
    rng_bytes(env->rng, m->data + FLOOD_HDR, f->cfg.block_size - FLOOD_HDR);
    const flood_crypto *c = f->cfg.crypto;
    flood_encode_hdr(m->data, &h);
    if (c) { /* digest the body, sign header + digest */
        cr_keypair kp;
        cr_keypair_derive(&kp, c->seed, env->self);
        memcpy(f->origin_pk[b], kp.pk, CR_PK_BYTES);
        cr_hash(h.digest, m->data + FLOOD_HDR, f->cfg.block_size - FLOOD_HDR);
        flood_encode_hdr(m->data, &h);
        cr_sign(h.sig, m->data, FLOOD_SIGNED, &kp);
        flood_encode_hdr(m->data, &h);
        cost_charge(env, c->costs, COST_HASH_KIB, (double)h.size / 1024.0);
        cost_charge(env, c->costs, COST_SIGN, 1);
    }
    f->created[b] = env_now(env);
    f->arrival[(size_t)b * f->n + env->self] = env_now(env);
    forward(f, env, m, CP_NODE_NONE);
    env_msg_unref(env, m);
}

static void fl_message(void *self, cp_env *env, cp_node from, cp_msg *m)
{
    flood *f = self;
    flood_hdr h;
    if (flood_decode(m->data, m->len, &h) != FLOOD_OK || h.index >= f->cfg.blocks) {
        f->malformed++;
        return;
    }
    cp_time *slot = &f->arrival[(size_t)h.index * f->n + env->self];
    if (*slot != CP_TIME_NEVER) {
        f->dups[env->self]++;
        return;
    }
    cp_time received = env_now(env);
    const flood_crypto *c = f->cfg.crypto;
    if (c) {
        cost_charge(env, c->costs, COST_VERIFY, 1);
        cost_charge(env, c->costs, COST_HASH_KIB, (double)h.size / 1024.0);
        if (cr_verify(c->memo, h.sig, m->data, FLOOD_SIGNED, f->origin_pk[h.index]) != CR_OK) {
            f->bad_sigs++;
            return;
        }
    }
    *slot = received;
    double ref = (double)f->cfg.validate + (double)f->cfg.validate_per_mb * (double)h.size / 1e6;
    env_cpu(env, cp_time_of(ref * env->cpu_factor));
    forward(f, env, m, from);
}

static const cp_proto_ops flood_proto = {
    "flood", fl_start, fl_message, fl_timer, flood_msg_names, FLOOD_N_MSG, NULL, 0, NULL, NULL, NULL,
};

const cp_proto_ops *flood_ops(void) { return &flood_proto; }

/* ---- results ---------------------------------------------------------------------- */

uint32_t flood_n_blocks(const flood *f) { return f->cfg.blocks; }
cp_time flood_created(const flood *f, uint32_t b) { return f->created[b]; }
cp_node flood_origin(const flood *f, uint32_t b) { return f->origin[b]; }
cp_time flood_arrival(const flood *f, uint32_t b, cp_node v) { return f->arrival[(size_t)b * f->n + v]; }
const cp_time *flood_arrivals(const flood *f) { return f->arrival; }
uint32_t flood_dups(const flood *f, cp_node v) { return f->dups[v]; }
uint64_t flood_malformed(const flood *f) { return f->malformed; }
uint64_t flood_bad_signatures(const flood *f) { return f->bad_sigs; }

const uint32_t *flood_neighbors(const flood *f, cp_node v, uint32_t *count)
{
    return graph_neighbors(&f->g, v, count);
}

size_t flood_bytes_per_node(const flood *f)
{
    size_t adj = f->n ? (size_t)f->g.off[f->n] * sizeof *f->g.adj / f->n : 0;
    return adj + sizeof(uint32_t) /* off */ + sizeof(uint32_t) /* dups */ +
           (size_t)f->cfg.blocks * sizeof(cp_time);
}
