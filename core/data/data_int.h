/* core/data/data_int.h: internals shared by the files of core/data (not a public contract). */
#ifndef DATA_INT_H
#define DATA_INT_H

#include "core/crypto/he.h"
#include "core/crypto/pre.h"
#include "core/chain/chain.h"
#include "core/data/data.h"
#include "core/vec.h"
#include "core/wire.h"

/* Timer tags: kind in the top byte, an index below. */
#define DTAG(kind, i) (((uint64_t)(kind) << 56) | (uint64_t)(i))
enum { T_UPLOAD = 1, T_ORDER, T_SELLER_TO, T_DELIVER_TO, T_FETCH, T_AGG_SEND, T_AGG_CLOSE, T_STORE };
/* Storage rounds a gateway runs for a record (dir port) before it leaves it unready; round i
 * waits fetch_timeout x 2^i for its acknowledgements (10 s: 42 min in all). */
#define DATA_STORE_TRIES 8

typedef struct chunk {
    uint8_t hash[32];
    uint8_t *bytes;
    uint32_t len, record;
    cp_node rep[DATA_MAX_REPLICAS];
    uint8_t held;                /* bit i: rep[i] holds it (set by the holder) */
    uint8_t acked;               /* bit i: the gateway has rep[i]'s acknowledgement */
} chunk;

typedef struct rec_meta {        /* per record, beside the public data_record */
    uint32_t chunk0;             /* first chunk index */
    uint32_t acks_left;
    uint8_t store_tries;         /* dir port: storage rounds run */
    uint8_t pt_hash[32];         /* bookkeeping: hash of the plaintext the device sealed */
    pre_capsule cap;
    uint8_t *txe;                /* the signed record transaction, held by the gateway */
    uint32_t txlen;
    uint8_t lazy;                /* chunks hold no bytes: regenerated from the model (data_lazy.c) */
    uint8_t nonce[24], tag[16], key[32]; /* lazy: what regenerates the sealed bytes */
} rec_meta;

typedef struct dev_st {
    uint8_t master[32];          /* the owner's master secret for per-epoch delegating keys */
    uint8_t key[32];             /* the current epoch key */
    uint64_t epoch;              /* epoch of key, UINT64_MAX before the first */
    pre_capsule *caps;           /* per epoch */
    uint64_t n_caps;
    cp_time offset;              /* phase of sampling and uploads */
    uint64_t next_upload;
    uint32_t *recs;              /* record indices, in interval order */
    uint32_t n_recs, cap_recs;
    uint32_t agg_next;           /* the window whose send timer is armed */
} dev_st;

typedef struct ep_st {           /* one epoch of an order, at the buyer */
    uint64_t epoch;
    uint8_t pk_a[32], key[32];
    pre_capsule cap;
    pre_cfrag *cf;               /* pre_n slots, by proxy position */
    uint64_t got, checked, good; /* bit i: proxy position i */
    uint8_t have_cap, have_key;
} ep_st;

typedef struct order_st {
    uint32_t n_ep;
    ep_st *ep;
    cp_node proxy[DATA_MAX_PROXIES];
    uint32_t *recs;              /* records being fetched */
    uint32_t n_recs;
    uint8_t **ct;                /* per record: ciphertext being assembled */
    uint32_t *left;              /* per record: chunks still missing */
    uint32_t *chunks;            /* global chunk indices of all records, in order */
    uint8_t *attempt;            /* per chunk: replica tried; 0xff = got */
    uint32_t n_chunks, next_fetch; /* chunks requested: 0..next_fetch-1 (fetch_window) */
    uint8_t *dec;                /* per record: decrypted */
    uint32_t *chunk_rec;         /* per chunk: position of its record in recs */
    uint32_t recs_left;          /* records not yet decided */
    uint64_t disputed;           /* bit i: proxy position i reported */
    cp_time seller_at, deliver_at, fetch_at; /* when the armed timers fire (restart: lost ones) */
    /* on a chain, each party submits its trade transaction once the one before it is committed
     * (pushed to it as an event): a proxy's delivery after the seller's confirmation, the
     * buyer's confirmation after a delivery. Bit i: proxy position i. */
    uint64_t px_ready, px_told, px_sent;
    cp_node *found;              /* dir port: per chunk, the replicas its lookup found */
    uint8_t *n_found;            /* per chunk: how many (0: lookup pending or failed) */
    uint8_t b_ready, b_told, b_sent, pd_pushed;
    uint8_t fetching;
} order_st;

typedef struct win_st {
    he_ct sum;
    uint32_t n_pd;
    he_pdec *pd;                 /* committee slots */
    uint8_t *pd_ok;
} win_st;

struct data {
    data_cfg cfg;
    uint32_t n;
    uint64_t seed;
    cost_table *own_costs;
    const cost_table *costs;
    cp_node first[DATA_N_ROLES + 1]; /* role r: nodes first[r]..first[r+1]-1 */
    cr_keypair *sig;             /* per node */
    uint64_t *nonce;             /* per node: next transaction nonce */
    uint8_t (*dht_id)[32];       /* per gateway: its DHT id */
    dev_st *dev;
    pre_keypair *buyer_key;      /* per buyer */
    /* records and chunks */
    data_record *rec;
    rec_meta *rm;
    size_t n_rec, cap_rec, cap_rm;
    chunk *ch;
    size_t n_ch, cap_ch;
    uint32_t *map;               /* open addressing over chunk indices (UINT32_MAX empty) */
    size_t map_cap;
    /* tx log */
    data_tx *tx;
    size_t n_tx, cap_tx;
    uint32_t *by_chain;          /* chain id - 1 -> tx index (UINT32_MAX: not ours) */
    data_lookup *lk;             /* storage lookups (dir port) */
    size_t n_lk, cap_lk;
    cp_node observer;            /* the node that reports commits (chain port), CP_NODE_NONE before */
    size_t cap_by_chain;
    uint8_t *txb;
    size_t n_txb, cap_txb;
    /* trades */
    data_trade *tr;
    order_st *os;
    size_t n_tr;
    uint64_t *proxy_load;
    /* aggregation */
    he_ctx *he;
    he_share *shares;            /* per committee member: its DKG key share (index 0 until done) */
    uint8_t (*dkg_sum)[32];      /* per member: agg_t summed commitments of the dealers it took */
    uint8_t *dkg_got;            /* per member: bitmap of the dealers it took (committee bits) */
    uint16_t *dkg_n;             /* per member: how many */
    cp_time dkg_end;             /* when the last member got its key share */
    data_window *win;
    win_st *ws;
    size_t n_win;
    data_counts cnt;
    data_role_stats roles[DATA_N_ROLES];
    uint8_t *buf;                /* encode scratch */
    size_t buf_cap;
    uint64_t *node_tx, *node_rx; /* per node: wire bytes sent, and received (handled) */
};

/* data.c */
/* Sample interval in seconds (device models); the gateway node of dev's upload u. */
double data_sample_s(const data *d);
cp_node data_upload_gateway(const data *d, cp_node dev, uint64_t u);
void data_charge(data *d, cp_env *env, cost_op op, double units);
int data_send(data *d, cp_env *env, cp_node to, uint16_t type, const uint8_t *b, size_t len);
/* Sign (charged to env->self) and encode a transaction into out (CHAIN_TX_MAX); its length or 0. */
/* Set sender and nonce, sign (charged), encode into out (CHAIN_TX_MAX); the length. */
size_t data_tx_sign(data *d, cp_env *env, chain_tx *tx, uint8_t *out);
size_t data_tx_make(data *d, cp_env *env, int kind, uint64_t ref, const void *payload, size_t len,
                    const uint8_t (*chunks)[32], uint16_t n_chunks, uint64_t interval, uint8_t *out);
/* Append an encoded transaction to the log, ready now, and submit it to the chain (if a port is
 * set) from env->self; its index or UINT32_MAX. */
uint32_t data_tx_append(data *d, cp_env *env, int kind, cp_node sender, uint64_t ref, const uint8_t *b, size_t n);
/* Send order t's ORDER message to its seller from env->self (data_trade.c). */
void data_send_order(data *d, cp_env *env, size_t t);
/* The chain node env->self tells the parties of trade t that a transaction of `kind` of it is
 * committed (data_trade.c), and their handler. */
void data_trade_event(data *d, cp_env *env, size_t t, int kind);
/* Whether record r is on the chain as buyers see it at time now. */
int data_record_visible(const data *d, const data_record *r, cp_time now);
/* Make and append a trade transaction of env->self, ready now. */
uint32_t data_trade_tx(data *d, cp_env *env, int kind, uint64_t order);
uint32_t data_chunk_find(const data *d, const uint8_t hash[32]);
/* b NULL: a lazy chunk (its record's rm.lazy), whose bytes data_chunk_fill regenerates. */
int data_chunk_add(data *d, const uint8_t hash[32], const uint8_t *b, uint32_t len, uint32_t record);

/* data_lazy.c: sealed bytes regenerated from the device model (camera segments). */
/* Whether records of this cfg are kept lazily (no ciphertext held by the host). */
int data_lazy_model(const data_cfg *c);
/* Bytes [off, off + len) of record r's plaintext. */
void data_lazy_plain(const data *d, uint32_t r, uint64_t off, uint8_t *out, uint64_t len);
/* Chunk ci's bytes into out (its len): a copy, or regenerated if its record is lazy. */
void data_chunk_fill(const data *d, uint32_t ci, uint8_t *out);

/* The message codec: core/wire.h under this module's short names. */
typedef wire_w wr;
typedef wire_r rd;
#define wr_u8 wire_put_u8
#define wr_u16 wire_put_u16
#define wr_u32 wire_put_u32
#define wr_u64 wire_put_u64
#define wr_bytes wire_put_bytes
#define rd_u8 wire_get_u8
#define rd_u16 wire_get_u16
#define rd_u32 wire_get_u32
#define rd_u64 wire_get_u64
#define rd_bytes wire_get_bytes
#define rd_done wire_done
/* data_wire.c: a writer on the data's message buffer; a reader of a message; a chunk's bytes. */
void wr_init(wr *w, data *d);
void rd_init(rd *r, const cp_msg *m);
void wr_chunk(wr *w, const data *d, uint32_t ci); /* chunk ci's bytes (data_chunk_fill) */

/* data_up.c: devices, gateways, storage. */
void data_dev_start(data *d, cp_env *env);
void data_on_upload_timer(data *d, cp_env *env);
void data_dev_restart(data *d, cp_env *env);
void data_on_event(data *d, cp_env *env, cp_node from, rd *r);
void data_on_upload(data *d, cp_env *env, cp_node from, rd *r);
void data_on_dkg(data *d, cp_env *env, cp_node from, rd *r);
/* A gateway's lookup for chunk ci ended (dir port). */
void data_store_found(data *d, cp_env *env, uint32_t ci, const cp_node *nodes, uint32_t n);
/* A buyer's lookup for chunk idx of trade t ended (dir port; data_trade.c). */
void data_fetch_found(data *d, cp_env *env, size_t t, uint32_t idx, const cp_node *nodes, uint32_t n);
#define DATA_LK_STORE 0
#define DATA_LK_FETCH 1
#define DATA_COOKIE(kind, t, i) ((uint64_t)(kind) << 62 | (uint64_t)(t) << 32 | (uint64_t)(i))
void data_on_store(data *d, cp_env *env, cp_node from, rd *r);
void data_on_store_ack(data *d, cp_env *env, cp_node from, rd *r);
/* Gateway: record r's storage round timed out (dir port): look up again the chunks some holder
 * has not acknowledged and store them at the nodes found instead. */
void data_on_store_timer(data *d, cp_env *env, uint32_t r);
/* 1 if this node is down (dir port's online: a churned DHT member); it serves no storage. */
int data_offline(const data *d, const cp_env *env);
void data_on_fetch(data *d, cp_env *env, cp_node from, rd *r);
void data_epoch_keypair(const data *d, cp_node dev, uint64_t epoch, pre_keypair *out);

/* data_trade.c */
int data_trades_make(data *d);
void data_trades_free(data *d);
void data_buyer_start(data *d, cp_env *env);
void data_buyer_restart(data *d, cp_env *env);
void data_on_trade_timer(data *d, cp_env *env, int kind, uint32_t i);
void data_on_order(data *d, cp_env *env, cp_node from, rd *r);
void data_on_seller_ok(data *d, cp_env *env, rd *r);
void data_on_kfrag(data *d, cp_env *env, cp_node from, rd *r);
void data_on_cfrag(data *d, cp_env *env, cp_node from, rd *r);
void data_on_chunk(data *d, cp_env *env, cp_node from, rd *r);
void data_on_confirm(data *d, cp_env *env, rd *r);
void data_on_dispute(data *d, cp_env *env, rd *r);

/* data_agg.c */
int data_agg_make(data *d, cp_rng *rng);
void data_agg_free(data *d);
void data_agg_start(data *d, cp_env *env);
void data_agg_restart(data *d, cp_env *env);
void data_on_agg_timer(data *d, cp_env *env, int kind, uint32_t w);
void data_on_agg_ct(data *d, cp_env *env, cp_node from, rd *r);
void data_on_agg_req(data *d, cp_env *env, cp_node from, rd *r);
void data_on_agg_pdec(data *d, cp_env *env, cp_node from, rd *r);

#endif
