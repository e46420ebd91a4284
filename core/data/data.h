/* core/data/data.h: the IoT data platform as a sans-IO protocol (prefix data_): encrypted
 * uploads stored by content address, data-record transactions, PRE-based data trades through
 * proxies, and threshold-homomorphic aggregation of readings.
 *
 * Roles are node ranges, in this order from node 0: devices, gateways, proxies, buyers,
 * committee. Device d is its own data owner (one stream, 0); its gateway is gateway d mod G,
 * except under the vehicle model, where each record goes through the roadside gateway of the
 * cell the vehicle is in at the record's last sample (data_model_gateway): a handover.
 *
 * Uploads: a device samples a reading every sample_interval (the reading is a pure function
 * of the device model, seed, device and sample index, so checks can recompute it); per enc_interval ("epoch") it
 * makes a fresh data key by PRE encapsulation (pre_encapsulate) to a per-epoch delegating key
 * derived from its master secret (pre_stream_key, label = stream || epoch), so one
 * authorization covers exactly one epoch; per upload_interval it encrypts the batch with
 * XChaCha20-Poly1305 under the epoch key (AAD = owner, stream, interval, capsule), cuts the
 * ciphertext into chunk_size chunks, addresses each by BLAKE2b-256 and signs a
 * CHAIN_TX_DATA_RECORD (owner, stream, interval = upload index, chunk hashes). It sends the
 * chunks and the transaction to its gateway, which checks hashes and signature and STOREs each
 * chunk at the `replicas` gateways whose DHT ids (dht_make_id) are XOR-closest to the chunk
 * hash: Kademlia's placement, computed directly (the DHT protocol itself cannot be embedded
 * in another protocol yet, so there are no lookups and no churn on this path). When every
 * replica acknowledged every chunk the record is ready: its transaction goes to the tx log
 * with that time (the LBFT ledger is not wired in: the "chain" seen by buyers is the table of
 * ready records).
 *
 * Trades (states after CPChain's PDash contract): a buyer ORDERs (owner, stream, epochs
 * e0..e1) with its PRE public key (Created); the seller answers within seller_timeout or the
 * buyer withdraws (Withdrawn); the seller derives each epoch's delegating key, makes pre_n
 * kfrags (threshold pre_t) for the buyer, sends fragment i with the capsules to proxy i of the
 * order and the capsules to the buyer (SellerConfirmed); each proxy verifies its kfrag,
 * re-encrypts each capsule and sends the cfrags to the buyer; the buyer verifies each cfrag
 * (a dishonest proxy's wrong cfrag fails, is counted and reported to the seller as a DISPUTE)
 * and with pre_t good ones per epoch opens the epoch keys (ProxyDelivered); it then fetches
 * the chunks of every ready record of those epochs from their replicas (hash checked; a bad
 * or missing chunk is fetched from the next replica; at most fetch_window chunks outstanding
 * per order, if set: each chunk received requests the next), decrypts, and confirms (Finished). No
 * delivery by deliver_timeout after the seller's confirmation: Disputed. Every state change
 * that CPChain puts on chain is a signed trade transaction in the tx log.
 *
 * Aggregation: each device encrypts its last reading of every agg_window (threshold
 * exponential ElGamal, he.h; the committee's key from a trusted dealer at data_new) and sends
 * it to the aggregator (gateway 0); agg_grace after a window ends the aggregator sends the sum
 * to the committee, verifies their partial decryptions and combines agg_t of them. The result
 * is compared to the plain sum of the readings it included (simulation bookkeeping only).
 *
 * Cameras (model camera): a device's sample is one video segment (megabytes; upload_interval
 * = sample_interval, so one segment per record), sealed, chunked and stored as above. Since a
 * segment's plaintext is a pure function of (seed, device, segment) (data_model_segment), the
 * host keeps no ciphertext for it: a chunk holds only its address, and its record the nonce,
 * the tag and the epoch key; whoever serves the chunk (upload, STORE, FETCH, the accessors)
 * regenerates its bytes on demand, byte-identical to the sealed ones (data_lazy.c). The wire
 * carries, and bandwidth and hashing are charged on, every byte as before. A buyer checks each
 * received chunk against its address as before and keeps nothing: once all chunks of a record
 * passed, their bytes are the addressed ones, which it regenerates to decrypt (charged as
 * before). The other models' batches of readings are pure functions of (seed, device, sample)
 * too (data_model_reading), so their records are kept the same way: no host copy of any
 * record's ciphertext, whatever the model (data_lazy_model).
 *
 * Crash and restart: a node keeps its state and loses its timers; a device skips the batches
 * due while it was down (a gap: an order covering it ends disputed), a buyer re-arms its
 * orders. Messages are not retransmitted: a lost STORE or upload leaves its record unready.
 *
 * CPU: every crypto operation is charged through the cost table (cost_charge), plus
 * cpu_per_msg per message handled. Determinism: all randomness from node RNG streams and the
 * seed. Ownership: data_new/data_free; returned pointers are owned by the data instance and
 * stay valid until data_free. Single-threaded. Must not touch: anything outside core/. */
#ifndef DATA_H
#define DATA_H

#include <stddef.h>
#include <stdint.h>

#include "core/crypto/cost.h"
#include "core/crypto/cr.h"
#include "core/data/data_model.h"
#include "core/env.h"

enum { DATA_DEVICE, DATA_GATEWAY, DATA_PROXY, DATA_BUYER, DATA_COMMITTEE, DATA_N_ROLES };
enum { DATA_M_UPLOAD, DATA_M_STORE, DATA_M_STORE_ACK, DATA_M_ORDER, DATA_M_SELLER_OK, DATA_M_KFRAG,
       DATA_M_CFRAG, DATA_M_FETCH, DATA_M_CHUNK, DATA_M_CONFIRM, DATA_M_DISPUTE, DATA_M_AGG_CT,
       DATA_M_AGG_REQ, DATA_M_AGG_PDEC, DATA_M_EVENT, DATA_M_DKG, DATA_N_MSG };
/* Trade states (CPChain PDash names; ProxyDelivered = the buyer holds the epoch keys). */
enum { DATA_T_PENDING, DATA_T_CREATED, DATA_T_SELLER_CONFIRMED, DATA_T_PROXY_DELIVERED, DATA_T_FINISHED,
       DATA_T_WITHDRAWN, DATA_T_DISPUTED, DATA_T_SKIPPED };

#define DATA_AEAD_OVERHEAD 40 /* 24-byte nonce + 16-byte tag */
#define DATA_MAX_REPLICAS 8
#define DATA_MAX_PROXIES 64
#define DATA_MAX_CHUNK (4u << 20)   /* chunk_size limit: 4 MiB (a message carries whole chunks) */
#define DATA_MAX_BATCH (256u << 20) /* plaintext bytes per upload */

/* The chain the platform's transactions go to (a core/stk stack with LBFT in ledger mode):
 * submit a signed core/chain transaction from env->self (env: the data platform's own env;
 * the glue converts); returns an id > 0, or 0 if refused. ctx NULL: no chain, transactions
 * only go to the platform's own log. Commits come back through data_on_commit. */
typedef struct data_chain_port {
    void *ctx;
    uint64_t (*submit)(void *ctx, cp_env *env, const uint8_t *tx, size_t len);
} data_chain_port;

/* Where chunks are stored (a core/stk stack with core/dht on the storage nodes): find(key)
 * starts a Kademlia lookup of the key from env->self (a DHT member; env: the platform's own)
 * and returns 0, or a negative error; the result comes back through data_on_found with the
 * same cookie. ctx NULL: placement is computed directly from the gateways' DHT ids. */
typedef struct data_dir_port {
    void *ctx;
    int (*find)(void *ctx, cp_env *env, const uint8_t key[32], uint64_t cookie);
    int (*online)(void *ctx, cp_node v); /* NULL: always; an offline node serves no storage */
} data_dir_port;

/* An order given by the caller (tests); otherwise orders are drawn from the seed. */
typedef struct data_order {
    cp_time at;
    cp_node buyer, owner;
    uint64_t e0, e1;
} data_order;

typedef struct data_cfg {
    uint32_t devices, gateways, proxies, buyers, committee;
    cp_time sample_interval, enc_interval, upload_interval; /* enc a multiple of upload */
    cp_time data_end;          /* devices stop producing after this */
    uint32_t reading_size;     /* bytes per reading, >= 16 (camera: unused, a segment per sample) */
    uint32_t chunk_size;       /* bytes per chunk (ciphertext), 64..DATA_MAX_CHUNK; <= 31 per upload */
    uint32_t replicas;         /* 1..DATA_MAX_REPLICAS, <= gateways */
    uint32_t trades;           /* random orders at times uniform in [trade_start, trade_end] */
    cp_time trade_start, trade_end;
    uint32_t epochs_per_order;
    const data_order *orders;  /* if set: exactly these n_orders orders, no random ones */
    uint32_t n_orders;
    uint32_t pre_t, pre_n;     /* threshold and proxies per order: 1 <= t <= n <= proxies */
    uint32_t dishonest;        /* proxies 0..dishonest-1 send a wrong cfrag */
    cp_node corrupt_gateway;   /* this gateway serves corrupted chunk bytes (CP_NODE_NONE: none) */
    cp_time seller_timeout, deliver_timeout, fetch_timeout;
    uint32_t fetch_window;     /* chunks a buyer has requested and not received, per order (0: all at once) */
    cp_time agg_window, agg_grace; /* agg_window 0: no aggregation */
    uint32_t agg_t;            /* committee threshold, 1..committee */
    cp_time cpu_per_msg;
    const cost_table *costs;   /* borrowed; NULL: built-in defaults */
    data_model model;          /* what the readings are (data_model.h); vehicle: the gateway follows the cell */
    uint64_t price_per_epoch;  /* an order locks this per epoch bought (chain port: escrowed) */
    cp_node first;             /* the roles start at this node (nodes before it belong to other
                                  layers of a stack, e.g. LBFT's validators and proposers) */
    data_chain_port chain;     /* where transactions go (ctx NULL: the log only) */
    data_dir_port dir;         /* how chunk holders are found (ctx NULL: direct placement) */
} data_cfg;

typedef struct data data;

data_cfg data_cfg_default(void);
/* NULL on a bad cfg (err, if given, says which field) or out of memory. */
data *data_new(const data_cfg *cfg, uint32_t n_nodes, uint64_t seed, char *err, size_t errlen);
void data_free(data *d);
const cp_proto_ops *data_ops(void);
int data_role_of(const data *d, cp_node v);
const data_cfg *data_get_cfg(const data *d); /* the cfg in use (model.gateways set) */
uint64_t data_seed(const data *d);
/* Plaintext bytes of one upload (camera: a segment; otherwise the batch of readings). */
uint64_t data_batch_bytes(const data_cfg *c);

/* ---- results -------------------------------------------------------------------------- */

typedef struct data_record {
    cp_node owner, gateway;
    uint32_t stream, n_chunks, bytes; /* plaintext bytes */
    uint64_t interval, epoch;
    cp_time first_reading, sent, ready; /* ready: CP_TIME_NEVER if not (yet) stored */
    cp_time onchain;             /* its transaction committed (chain port; else = ready) */
    uint32_t tx;                 /* index in the tx log, UINT32_MAX before ready */
} data_record;

typedef struct data_tx {
    uint8_t kind;                /* chain_kind */
    cp_node sender;
    uint64_t ref;                /* record index or order id */
    cp_time ready;
    size_t off, len;             /* encoded bytes in data_tx_bytes */
    uint64_t chain_id;           /* the chain's id for it (0: no chain port, or refused) */
    cp_time onchain;             /* committed (CP_TIME_NEVER: not, or no chain) */
    uint64_t height;             /* block that holds it */
    uint8_t valid;               /* the ledger applied it */
} data_tx;

typedef struct data_trade {
    uint64_t id;
    cp_node buyer, seller;
    uint64_t e0, e1;
    uint8_t state;               /* DATA_T_* */
    cp_time ordered, confirmed, delivered, plaintext; /* CP_TIME_NEVER if not reached */
    cp_time settled;             /* chain port: the buyer's confirmation committed (seller paid) */
    uint32_t records, records_ok, bad_cfrags, bad_chunks, refetches;
} data_trade;

typedef struct data_window {
    uint32_t contributions, late;
    uint64_t plain_sum, result;
    cp_time closed, done;        /* done: CP_TIME_NEVER if never combined */
    cp_time onchain;             /* chain port: its result's record committed */
    uint8_t ok;                  /* result == plain_sum */
} data_window;

typedef struct data_counts {
    uint64_t msgs, malformed, uploads, chunks_stored, records_ready, txs;
    uint64_t orders, finished, withdrawn, disputed, skipped, cfrags, bad_cfrags, disputes_received;
    uint64_t bad_chunks, aead_failures, plaintext_mismatch, agg_cts, agg_ok, agg_bad;
    uint64_t txs_submitted, txs_committed, txs_invalid; /* chain port */
    uint64_t lookup_errors;      /* dir port: lookups refused or finding fewer than replicas */
    uint64_t offline_drops;      /* storage requests (STORE, FETCH) reaching an offline node */
    uint64_t store_retries;      /* chunks looked up and stored again after a storage timeout */
    uint64_t dkg_done, dkg_bad;  /* committee members holding a key share; shares or keys rejected */
    uint64_t agg_no_key;         /* readings not sent: the committee's key was not there yet */
} data_counts;

typedef struct data_role_stats {
    uint32_t nodes;
    cp_time crypto_cpu;          /* crypto charged, summed over the role's nodes */
    uint64_t bytes_sent, msgs_sent;
} data_role_stats;

/* The chain glue: transaction `id` (as returned by the port's submit) was committed in block
 * `height` (valid: the ledger applied it); env: the data platform's env of the node observing
 * the chain. Unknown ids are ignored. */
void data_on_commit(data *d, cp_env *env, uint64_t id, uint64_t height, int valid);
/* The directory glue: lookup `cookie` found n nodes (closest first; ok: the lookup converged)
 * after `hops` rounds and `latency`; env: the platform's env of the node that asked. */
void data_on_found(data *d, cp_env *env, uint64_t cookie, const cp_node *nodes, uint32_t n, int ok,
                   uint32_t hops, cp_time latency);
/* Storage lookups (dir port): count, failures, and each one's hops and latency. */
typedef struct data_lookup {
    cp_time latency;
    uint16_t hops;
    uint8_t kind;                /* 0: a gateway placing a chunk, 1: a buyer fetching one */
    uint8_t ok;
} data_lookup;
const data_lookup *data_lookups(const data *d, size_t *n);
/* When the last committee member got its DKG key share (0 if none did). */
cp_time data_dkg_end(const data *d);

const data_record *data_records(const data *d, size_t *n);
const data_tx *data_txs(const data *d, size_t *n);
const uint8_t *data_tx_bytes(const data *d);
const data_trade *data_trades(const data *d, size_t *n);
const data_window *data_windows(const data *d, size_t *n);
const data_counts *data_get_counts(const data *d);
const data_role_stats *data_get_role_stats(const data *d, int role);
/* cfrags proxy p (0-based proxy index) produced. */
uint64_t data_proxy_load(const data *d, uint32_t p);
/* Whether buyer b holds the key of owner's epoch e (and then its bytes in key). */
int data_buyer_key(const data *d, cp_node buyer, cp_node owner, uint64_t epoch, uint8_t key[32]);
/* The same for one trade (index into data_trades): O(that trade's epochs / records). */
int data_trade_key(const data *d, size_t trade, uint64_t epoch, uint8_t key[32]);
int data_trade_has(const data *d, size_t trade, uint32_t record);
/* Whether buyer b decrypted record r. */
int data_buyer_has(const data *d, cp_node buyer, uint32_t record);
/* The capsule (PRE_CAPSULE_BYTES) of record r's epoch, or NULL. */
const uint8_t *data_record_capsule(const data *d, uint32_t record);
/* The stored ciphertext of record r (concatenated chunks, as the device made it; malloc'd). */
int data_record_ciphertext(const data *d, uint32_t record, uint8_t **out, size_t *len);
/* The first len (<= 4096, within chunk 0) plaintext bytes of record r decrypted with key, without
 * the tag check: for a reader of a record whose tag a buyer already verified (data_trade_has). */
int data_record_prefix(const data *d, uint32_t record, const uint8_t key[32], uint8_t *pt, size_t len);
/* Wire bytes node v sent, and received (counted when handled), on the data protocol. */
void data_node_bytes(const data *d, cp_node v, uint64_t *sent, uint64_t *received);
/* Ciphertext bytes each gateway holds (acknowledged replicas): per_gateway[cfg.gateways]. */
void data_stored_bytes(const data *d, uint64_t *per_gateway);

/* ---- the sealed format (pure functions, exposed for tests) --------------------------- */

/* out = nonce(24) || XChaCha20-Poly1305(pt) || tag(16), AAD = owner, stream, interval, capsule. */
void data_seal(uint8_t *out, const uint8_t *pt, size_t len, const uint8_t key[32], uint32_t owner,
               uint32_t stream, uint64_t interval, const uint8_t capsule[96], cp_rng *rng);
/* CR_OK, or CR_EINVALID if the ciphertext, the key or the AAD do not match. */
int data_open(uint8_t *pt, const uint8_t *in, size_t len, const uint8_t key[32], uint32_t owner,
              uint32_t stream, uint64_t interval, const uint8_t capsule[96]);
/* The reading of device dev at sample j (a pure function of the seed). */
uint32_t data_reading_value(uint64_t seed, cp_node dev, uint64_t j);

#endif
