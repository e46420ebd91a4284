/* core/dht/dht_int.h: internals shared by the files of core/dht (not for other modules).
 *
 * Layout: dht owns the shared id array, the sorted-id oracle, one compact dht_rt per node,
 * a pool of pending RPCs found by request id (open-addressing table), a pool of running
 * lookups, the precomputed workload (CSR by node) and the results. Timer tags carry a kind in
 * bits 56..59 and an index in the low 56.
 *
 * Node ids: every node value (contacts, owners, RPC peers, sorted[], ops' nodes) is a world id;
 * the per-member arrays (ids, nodes, op_off) are indexed by world id - first, through the
 * accessors below (dht_pfx, dht_idp, dht_nd). n is the member count. An id's first 8 bytes
 * (big-endian) are its prefix: distances compare by prefix first, read from a compact prefix
 * array (8 bytes a node, so the many prefix reads of a message - contact checks, candidate
 * ranking, bucket indices - touch few pages); the full ids are read only to copy them into a
 * reply or to break a tie of prefixes. */
#ifndef DHT_INT_H
#define DHT_INT_H

#include <string.h>

#include "core/dht/dht.h"

/* One node's table: contacts grouped by bucket (bk: nb pairs of (bucket, count), buckets
 * in descending order), each bucket least-recently-seen first. bk and c share one block
 * (bk at its start, c after dht_rt_bk_bytes(bcap)), so a message touches one place. */
typedef struct dht_rt {
    uint32_t *c;
    uint8_t *bk;
    uint16_t n, cap;
    uint8_t nb, bcap;
    uint8_t arena;            /* 1: the block lives in the prefill arena (never freed alone) */
} dht_rt;

static inline uint32_t dht_rt_bk_bytes(uint32_t bcap) { return (2 * bcap + 3) & ~3u; }

typedef struct dht_val {
    uint8_t key[DHT_ID_BYTES];
    cp_time expires;
    uint32_t len;
    uint8_t *data;
} dht_val;

typedef struct dht_node {
    dht_rt rt;
    cp_time last_probe;       /* when the last eviction probe was sent */
    dht_val *vals;
    uint16_t n_vals, cap_vals;
    uint8_t online, evict_busy, repub_armed, repl_next; /* repl_next: cache mode, next slot */
} dht_node;

enum { RPC_FREE = 0, RPC_LOOKUP, RPC_EVICT, RPC_STORE };

typedef struct dht_rpc {
    uint64_t rid, timer;      /* timer: engine timer id, or for RPC_LOOKUP the deadline */
    cp_node owner, to;
    uint32_t lookup, lserial; /* RPC_LOOKUP */
    cp_node cand;             /* RPC_EVICT: the newcomer */
    uint32_t next_free;
    uint8_t kind, depth;
} dht_rpc;

enum { E_UNQ = 0, E_PEND = 1, E_DONE = 2, E_FAIL = 3 };

typedef struct dht_entry {
    uint64_t dk;              /* first 8 bytes of the distance to the key (sort key) */
    uint32_t node;
    uint32_t rpc;             /* E_PEND: its RPC slot */
    uint8_t state, depth;
} dht_entry;

typedef struct dht_lookup {
    uint32_t serial;          /* 0: free */
    cp_node owner;
    uint8_t kind, is_value, found, max_depth;
    uint8_t storing;          /* client PUT: STOREs sent, waiting for their answers */
    uint32_t stores_out, acks;/* client PUT: STOREs pending, acknowledged */
    uint64_t cookie;          /* client operations */
    const uint8_t *got;       /* GET: the value found (points into the message being handled) */
    uint32_t got_len;
    uint32_t arg, next_free;  /* arg: workload key index */
    uint8_t key[DHT_ID_BYTES];
    uint64_t kp;              /* dht_prefix64(key) */
    cp_time start;
    uint32_t rpcs, inflight, n;
    uint64_t timer;           /* engine timer for the earliest RPC deadline; 0 none */
    uint32_t store_len;       /* STORE: value to place */
    uint8_t *store_val;
    dht_entry *e;             /* cap = 3k, sorted by distance to key */
} dht_lookup;

typedef struct dht_op {
    cp_time t;
    cp_node node;
    uint32_t arg;             /* key index */
    uint8_t kind;             /* DHT_LK_* */
} dht_op;

struct dht {
    dht_cfg cfg;
    uint32_t n;               /* members */
    cp_node first;            /* first member's world id */
    uint32_t n_world;
    uint64_t seed;
    uint8_t (*ids)[DHT_ID_BYTES];
    uint32_t *sorted;         /* node indices by id */
    uint64_t *spfx;           /* id prefixes in sorted order (the oracle's and prefill's splits) */
    uint64_t *pfx;            /* id prefixes by member (8 bytes a node: few pages, cache-friendly) */
    dht_node *nodes;
    dht_rpc *rpcs;
    uint32_t n_rpcs, cap_rpcs, free_rpc;
    uint32_t *rtab;           /* rid -> rpc index + 1; 0 empty */
    uint32_t rtab_mask, rtab_used;
    dht_lookup *lks;
    uint32_t n_lks, cap_lks, free_lk, lk_serial;
    dht_op *ops;
    uint32_t *op_off;         /* n + 1 */
    uint64_t n_ops;
    dht_result *res;
    size_t n_res, cap_res;
    dht_counts cnt;
    uint32_t *arena;          /* prefill: every table's block, one allocation */
    cp_node *repl;            /* cache mode: cfg.replacements newcomers per member (NONE: empty) */
    void *scratch;            /* dht_rt_closest: candidates */
    uint32_t cap_scratch;
    dht_done_fn client;       /* client API callback */
    void *client_ctx;
};

/* The first 8 bytes of an id as a big-endian integer. */
static inline uint64_t dht_prefix64(const uint8_t *id)
{
    uint64_t v;
    memcpy(&v, id, 8);
#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
    v = __builtin_bswap64(v);
#endif
    return v;
}

/* Member arrays by world id (see the layout note above). */
static inline int dht_is_member(const dht *d, cp_node v) { return v - d->first < d->n; }
static inline uint64_t dht_pfx(const dht *d, cp_node c) { return d->pfx[c - d->first]; }
static inline const uint8_t *dht_idp(const dht *d, cp_node c) { return d->ids[c - d->first]; }
static inline dht_node *dht_nd(dht *d, cp_node v) { return &d->nodes[v - d->first]; }
static inline const dht_node *dht_ndc(const dht *d, cp_node v) { return &d->nodes[v - d->first]; }

/* internal lookup kinds after the public DHT_LK_* */
enum { LK_JOIN = DHT_LK_MAINT + 1, LK_REPUB, LK_CFIND, LK_CPUT, LK_CGET };
static inline int dht_lk_client(uint8_t kind) { return kind >= LK_CFIND; }

enum { T_RPC = 1, T_LOOKUP, T_WORK, T_JOIN, T_REFRESH, T_REPUB, T_CHURN, T_CSTART };
#define DHT_TAG(kind, idx) (((uint64_t)(kind) << 56) | (uint64_t)(idx))
#define DHT_TAG_KIND(t) ((unsigned)((t) >> 56))
#define DHT_TAG_IDX(t) ((t) & ((1ull << 56) - 1))

/* dht_rt.c */
/* <0, 0, >0 as node a is closer to key than b (kp = dht_prefix64(key)). */
static inline int dht_cmp_nodes(const dht *d, cp_node a, cp_node b, const uint8_t *key, uint64_t kp)
{
    uint64_t x = dht_pfx(d, a) ^ kp, y = dht_pfx(d, b) ^ kp;
    if (x != y) return x < y ? -1 : 1;
    return dht_cmp_dist(dht_idp(d, a), dht_idp(d, b), key);
}
/* Bucket of c in v's table (dht_bucket_index of their ids). */
static inline int dht_bucket_of(const dht *d, cp_node v, cp_node c)
{
    uint64_t x = dht_pfx(d, v) ^ dht_pfx(d, c);
    return x ? 192 + (63 - __builtin_clzll(x)) : dht_bucket_index(dht_idp(d, v), dht_idp(d, c));
}
int dht_rt_prefill(dht *d);
void dht_rt_free(dht_rt *rt);
int dht_rt_add(dht *d, cp_node v, cp_node c);      /* 1 added/moved, 0 bucket full, -1 oom */
int dht_rt_remove(dht *d, cp_node v, cp_node c);   /* 1 removed */
cp_node dht_rt_head(dht *d, cp_node v, int b);     /* least recently seen of bucket b */
uint32_t dht_rt_closest(dht *d, cp_node v, const uint8_t *key, uint32_t k, cp_node *out);
int dht_rt_lowest_bucket(const dht *d, cp_node v); /* -1 if empty */
int dht_rt_random_bucket(const dht *d, cp_node v, cp_rng *r);
void dht_random_id_in_bucket(const uint8_t *self, int b, cp_rng *r, uint8_t out[DHT_ID_BYTES]);
void dht_sort_nodes(const dht *d, const uint8_t *key, cp_node *v, uint32_t n);

/* dht_net.c: messages and RPCs */
/* Send a request; returns its RPC slot (UINT32_MAX on failure). RPC_LOOKUP requests get no
 * engine timer: their deadline is kept in the slot and checked by the lookup's one timer. */
uint32_t dht_send_req(dht *d, cp_env *env, cp_node to, dht_msg *m, dht_rpc *tmpl);
/* Drop a pending RPC without an answer (no timer to cancel for RPC_LOOKUP). */
void dht_rpc_drop(dht *d, uint32_t idx);
void dht_send_msg(dht *d, cp_env *env, cp_node to, dht_msg *m);
void dht_seen(dht *d, cp_env *env, cp_node c, int may_probe);
/* v's RPC to contact c failed: c leaves v's table and, in cache mode, the most recent cached
 * newcomer of c's bucket takes its place. */
void dht_contact_failed(dht *d, cp_node v, cp_node c);
void dht_repl_note(dht *d, cp_node v, cp_node c); /* c found v's bucket full: cache it */
int dht_repl_refill(dht *d, cp_node v, int b);    /* 1: a cached newcomer filled bucket b */
void dht_rpc_timeout(dht *d, cp_env *env, uint32_t idx);
void dht_handle(dht *d, cp_env *env, cp_node from, const cp_msg *msg);
void dht_prefetch(dht *d, cp_node v, const cp_msg *msg, int stage); /* engine hint */
void dht_rpcs_free(dht *d);

/* dht_lookup.c */
void dht_lk_start(dht *d, cp_env *env, uint8_t kind, const uint8_t *key, uint32_t arg,
                  const uint8_t *val, uint32_t vlen);
/* Client operation: set up a lookup and arm its zero-delay start timer. 0 or DHT_ENOMEM. */
int dht_lk_client_start(dht *d, cp_env *env, uint8_t kind, const uint8_t *key, const uint8_t *val,
                        uint32_t vlen, uint64_t cookie);
void dht_lk_client_timer(dht *d, cp_env *env, uint64_t tag);
/* A client PUT's STORE was answered (acked = 1) or timed out. */
void dht_lk_store_done(dht *d, cp_env *env, const dht_rpc *r, int acked);
void dht_lk_response(dht *d, cp_env *env, const dht_rpc *r, const dht_msg *m);
void dht_lk_abort_node(dht *d, cp_env *env, cp_node v);
void dht_lk_timer(dht *d, cp_env *env, uint64_t tag);
void dht_lks_free(dht *d);

/* dht.c */
int dht_store_put(dht *d, cp_env *env, cp_node v, const uint8_t *key, const uint8_t *val,
                  uint32_t len, cp_time ttl);
const dht_val *dht_store_get(dht *d, cp_node v, const uint8_t *key, cp_time now);
void dht_value_bytes(const dht *d, uint32_t key_index, uint8_t *out, uint32_t len);
void dht_key_of(const dht *d, uint32_t key_index, uint8_t out[DHT_ID_BYTES]);
void dht_record(dht *d, cp_env *env, const dht_lookup *l, int ok);
void dht_joined(dht *d, cp_env *env);

#endif
