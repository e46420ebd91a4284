/* core/dht/dht.h: a Kademlia DHT as a sans-IO protocol (prefix dht_).
 *
 * Ids: every node has a 256-bit id = BLAKE2b-256("cpsim-dht" || seed || node), kept in one
 * shared array; distance is XOR, compared as a 256-bit big-endian integer. Bucket i of node s
 * holds contacts c whose distance id(s)^id(c) has its highest set bit at position i (255 = the
 * most significant bit of byte 0). Contacts are stored as uint32 node indices.
 *
 * Routing table: k-buckets (cfg.k), least-recently-seen first. Any message from a node marks it
 * seen (moved to the tail, or appended if its bucket has room). If the bucket is full the node
 * PINGs the least-recently-seen contact and replaces it by the newcomer only if no PONG
 * arrives within cfg.rpc_timeout. Probes are rate-limited: one at a time per node, at most one
 * per cfg.probe_gap, and never triggered by a PING or PONG (a PING from a stranger would
 * otherwise probe a third node, and so on: an endless cascade). A contact that times out
 * during a lookup or store is removed from the table. With cfg.eviction = DHT_EVICT_CACHE
 * (the Kademlia paper's section 4.1) nothing is probed: a newcomer whose bucket is full goes
 * to the node's replacement cache (its cfg.replacements most recent such newcomers, oldest
 * overwritten, no duplicates), and when a contact is removed after a timeout the most recent
 * cached newcomer of that bucket takes its place (counted as an eviction).
 *
 * Messages (strict binary codec, dht_decode): PING/PONG, FIND_NODE/NODES, FIND_VALUE/VALUE
 * (or NODES), STORE/STORE_ACK. Each carries a request id (uint64 from the node RNG) and the
 * sender's contact (index u32 + 32-byte id); NODES carries up to DHT_MAX_CONTACTS contacts.
 * wire_size = encoded length + DHT_UDP_OVERHEAD.
 *
 * Lookups: iterative, alpha parallel RPCs over a shortlist of the closest contacts seen; ends
 * when the k closest not-failed entries have all answered. hops = the longest chain of
 * responses (a contact learned from a response at depth d has depth d+1; the initial contacts
 * have depth 1). FIND_NODE ok = the found k equal the true k closest nodes (excluding the
 * originator; all nodes, online or not), computed by an oracle over the sorted id array
 * (metrics only, never behaviour). The sender's id and the contacts received in NODES are
 * checked against the shared id array by their 64-bit prefix (a mismatch counts as malformed:
 * the message, or that contact, is dropped).
 *
 * Bootstrap: DHT_BOOT_PREFILL fills every table at dht_new as if the network had converged:
 * each bucket receives up to k contacts spread evenly (random offset) over the sorted ids
 * of that bucket's range. DHT_BOOT_JOIN starts every table empty except node 0; node v > 0
 * wakes at v * cfg.join_spacing, learns one contact (a uniformly drawn earlier node), looks up
 * its own id and then refreshes every bucket farther than its closest contact.
 *
 * Churn (cfg.churn_dist): sessions are exponential(mean_session) or Weibull(shape, scale =
 * mean_session / Gamma(1 + 1/shape)); offline periods exponential(mean_offline). An offline
 * node drops every message and ignores its timers (its lookups are abandoned); coming back it
 * looks up its own id through its old table. Stored values survive offline periods.
 *
 * Maintenance: values expire after cfg.ttl; every holder republishes each value it holds
 * every cfg.republish (first time jittered); every node refreshes one bucket (a lookup for a
 * random id in a random non-empty bucket) every cfg.refresh, first time jittered uniformly in
 * [0, refresh). An interval of 0 disables the timer.
 *
 * Workload: cfg.lookups FIND_NODE lookups of random keys at times uniform in
 * [work_start, work_end] by uniform random nodes; cfg.stores STOREs of fresh values in the same
 * window; cfg.gets FIND_VALUE lookups in [get_start, get_end] of keys stored by the workload.
 * All drawn at dht_new from the seed. Each finished workload lookup appends a dht_result; an
 * operation due while its node is offline is skipped (not counted); a GET by a node that holds
 * the value itself succeeds at once with 0 hops.
 *
 * Members: the DHT runs on world nodes cfg.first .. first+members-1 (members = 0: every node from
 * first to the end of the world). Ids (from the world id), tables, node state, the oracle and
 * the workload cover members only; non-members never join: start and timers do nothing there
 * and a message one receives is dropped (counts.dropped_nonmember). Every node id that crosses
 * this header (results, contacts, the wire's indices, accessors' arguments) is a world id;
 * accessors given a non-member answer as for an empty, offline node.
 *
 * Client API (for protocols stacked on the same world): dht_find/dht_put/dht_get, called from
 * any handler running on a member node with the env the DHT must act with (the DHT's own env
 * for that node), start an operation and return 0, or a negative DHT_E* error (then no
 * callback). An accepted operation begins in a zero-delay DHT timer and ends with exactly one
 * call of the client callback (dht_set_client), always from inside a DHT handler with the
 * DHT's env: FIND as a FIND_NODE lookup; PUT as a lookup then a STORE to each of the k closest
 * that answered, done when every STORE was acknowledged or timed out; GET as a FIND_VALUE
 * lookup that accepts any value stored under the key (at once, 0 hops, if the node holds it).
 * A node going offline abandons its operations (callback with ok = 0). Client operations are
 * counted apart (counts.client_*), never appear in dht_results and record no env_metric.
 * Timer tags: the DHT's carry a kind 1..15 in bits 56..59, so a wrapper that forwards timers
 * to it may use tags below 2^56 for itself.
 *
 * CPU: every message handled charges cfg.cpu_per_msg * cpu_factor.
 * Memory: a prefilled table is ~17 full buckets plus partial ones at 10^6 nodes (~330 contacts,
 * 4 bytes each, in one arena with a little slack); with ids and node state
 * about 1.6 kB per node (dht_bytes_per_node).
 * Ownership: dht_new/dht_free; all returned pointers are owned by the dht. Single-threaded.
 * Must not touch: anything outside core/. */
#ifndef DHT_H
#define DHT_H

#include <stddef.h>
#include <stdint.h>

#include "core/env.h"

#define DHT_ID_BYTES 32
#define DHT_MAX_CONTACTS 64
#define DHT_MAX_REPL 64
#define DHT_MAX_VALUE 4096
#define DHT_UDP_OVERHEAD 28
#define DHT_HDR_BYTES (1 + 1 + 8 + 4 + DHT_ID_BYTES)
#define DHT_CONTACT_BYTES (4 + DHT_ID_BYTES)

typedef struct dht dht;

enum { DHT_PING, DHT_PONG, DHT_FIND_NODE, DHT_NODES, DHT_FIND_VALUE, DHT_VALUE, DHT_STORE,
       DHT_STORE_ACK, DHT_N_MSG };
enum { DHT_M_HOPS, DHT_M_RPCS, DHT_M_LATENCY, DHT_M_OK, DHT_M_GET_OK, DHT_M_GET_LATENCY, DHT_N_METRICS };
enum { DHT_BOOT_PREFILL = 0, DHT_BOOT_JOIN = 1 };
enum { DHT_CHURN_NONE = 0, DHT_CHURN_EXP = 1, DHT_CHURN_WEIBULL = 2 };
enum { DHT_EVICT_PING = 0, DHT_EVICT_CACHE = 1 };
enum { DHT_LK_FIND = 0, DHT_LK_STORE = 1, DHT_LK_GET = 2, DHT_LK_MAINT = 3 };

typedef struct dht_cfg {
    uint32_t k, alpha;
    cp_time rpc_timeout;
    cp_time probe_gap;        /* minimum time between two eviction probes of a node */
    int eviction;             /* DHT_EVICT_* */
    uint32_t replacements;    /* DHT_EVICT_CACHE: newcomers kept per node, 1..DHT_MAX_REPL */
    int bootstrap;            /* DHT_BOOT_* */
    cp_time join_spacing;     /* join mode: node v joins at v * join_spacing */
    cp_time republish, refresh, ttl; /* 0 disables republish/refresh */
    int churn_dist;           /* DHT_CHURN_* */
    cp_time mean_session, mean_offline;
    double weibull_shape;
    uint64_t lookups, stores, gets;
    cp_time work_start, work_end, get_start, get_end;
    uint32_t value_size;      /* bytes, 1..DHT_MAX_VALUE */
    cp_time cpu_per_msg;
    int emit_metrics;         /* 1: env_metric per finished workload lookup */
    cp_node first;            /* first member (world id); default 0 */
    uint32_t members;         /* member count; 0: every node from first on */
} dht_cfg;

/* One finished workload lookup (FIND_NODE, STORE's lookup, or GET). */
typedef struct dht_result {
    cp_time start, latency;
    cp_node node;
    uint32_t rpcs;
    uint16_t hops;
    uint8_t kind;             /* DHT_LK_* */
    uint8_t ok;
    uint8_t key4[4];          /* the first 4 bytes of the key (no padding: results compare bytewise) */
} dht_result;

typedef struct dht_counts {
    uint64_t msgs, malformed, dropped_offline, rpc_timeouts, evictions, stores_held, store_acks;
    uint64_t finds, finds_ok, gets, gets_ok, stores, aborted;
    uint64_t dropped_nonmember;  /* messages received by non-members */
    uint64_t client_finds, client_finds_ok, client_puts, client_puts_ok, client_gets, client_gets_ok;
    uint64_t client_aborted;     /* client operations abandoned by an owner going offline */
} dht_counts;

dht_cfg dht_cfg_default(void);
/* NULL on bad cfg (k 1..DHT_MAX_CONTACTS, alpha >= 1, value_size 1..DHT_MAX_VALUE, at least
 * 2 members, first + members <= n_nodes). */
dht *dht_new(const dht_cfg *cfg, uint32_t n_nodes, uint64_t seed);
void dht_free(dht *d);
const cp_proto_ops *dht_ops(void);

/* Ids and distance. */
const uint8_t *dht_id(const dht *d, cp_node v);
void dht_make_id(uint8_t out[DHT_ID_BYTES], uint64_t seed, uint64_t node);
/* <0, 0, >0 as a^t is less than, equal to, greater than b^t. */
int dht_cmp_dist(const uint8_t *a, const uint8_t *b, const uint8_t *t);
/* Index of the highest set bit of a^b (255 = MSB of byte 0), or -1 if a == b. */
int dht_bucket_index(const uint8_t *a, const uint8_t *b);
/* The k nodes closest to key (excluding `exclude`), closest first, by the oracle. Returns
 * the number written (min(k, n - excluded)). */
uint32_t dht_true_closest(const dht *d, const uint8_t *key, cp_node exclude, uint32_t k, cp_node *out);

/* Routing table. */
uint32_t dht_rt_size(const dht *d, cp_node v);
/* Contacts of bucket b of v (least-recently-seen first); *n their count. */
const uint32_t *dht_rt_bucket(const dht *d, cp_node v, int b, uint32_t *n);
/* 0 if v's table holds its invariants (range, <= k per bucket, no self, no duplicates). */
int dht_rt_check(const dht *d, cp_node v);
/* Host bytes held per node on average (tables, ids, node state), for benchmarks. */
double dht_bytes_per_node(const dht *d);

/* Results. */
const dht_result *dht_results(const dht *d, size_t *n);
const dht_counts *dht_get_counts(const dht *d);
int dht_online(const dht *d, cp_node v);
/* Whether v currently holds a value for key. */
int dht_holds(const dht *d, cp_node v, const uint8_t *key);

/* Client API (see the contract above). */
typedef struct dht_found {
    uint32_t n;                 /* closest nodes found (world ids), closest first */
    const cp_node *nodes;       /* valid during the callback only */
    uint16_t hops;
    uint32_t rpcs;
    cp_time latency;
    uint8_t ok;                 /* find: lookup converged; put: >= 1 STORE acknowledged; get: value found */
    uint32_t acks;              /* put: STOREs acknowledged */
    const uint8_t *value;       /* get: the value (valid during the callback), else NULL */
    uint32_t vlen;
} dht_found;
typedef void (*dht_done_fn)(void *ctx, cp_env *env, uint64_t cookie, const dht_found *f);
void dht_set_client(dht *d, dht_done_fn fn, void *ctx);
int dht_find(dht *d, cp_env *env, const uint8_t key[DHT_ID_BYTES], uint64_t cookie);
int dht_put(dht *d, cp_env *env, const uint8_t key[DHT_ID_BYTES], const void *v, uint32_t len, uint64_t cookie);
int dht_get(dht *d, cp_env *env, const uint8_t key[DHT_ID_BYTES], uint64_t cookie);

/* Wire codec. A decoded message points into the buffer it was decoded from. */
typedef struct dht_msg {
    uint8_t type;             /* DHT_PING.. */
    uint64_t rid;
    uint32_t from;
    const uint8_t *from_id;
    const uint8_t *key;       /* FIND_NODE, FIND_VALUE, VALUE, STORE */
    uint32_t ttl_s;           /* STORE */
    uint32_t n_contacts;      /* NODES */
    const uint8_t *contacts;  /* NODES: n_contacts x (u32 LE index, 32-byte id) */
    uint32_t vlen;            /* VALUE, STORE: 1..DHT_MAX_VALUE */
    const uint8_t *value;
} dht_msg;

enum { DHT_OK = 0, DHT_EMALFORMED = -1, DHT_ENOTMEMBER = -2, DHT_EOFFLINE = -3, DHT_EBADLEN = -4,
       DHT_ENOCLIENT = -5, DHT_ENOMEM = -6 };
/* A short text for a DHT_E* code. */
const char *dht_strerror(int err);
/* Encoded length of m (0 if m is invalid). */
size_t dht_encoded_len(const dht_msg *m);
/* Encode m into buf (dht_encoded_len bytes); returns the length or 0. */
size_t dht_encode(uint8_t *buf, size_t cap, const dht_msg *m);
/* Strict decode: DHT_OK, or DHT_EMALFORMED for any truncation, trailing byte, unknown type,
 * nonzero reserved byte, contact count > DHT_MAX_CONTACTS or value length out of range. */
int dht_decode(const uint8_t *buf, size_t len, dht_msg *m);

#endif
