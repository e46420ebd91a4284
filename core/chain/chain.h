/* core/chain/chain.h: the account ledger of a CPChain-style chain: signed transactions with a
 * canonical wire form, the Merkle root of a block's transactions (with light-client proofs),
 * the ledger state (balances, nonces, data records, state root) and a per-node mempool.
 *
 * What: pure data structures, sans-IO. Nothing here sends, schedules or charges virtual CPU:
 * the protocol (core/lbft, gossip) decodes, passes the world's cr_memo for the signature
 * checks (the ledger reports how many it made) and charges the cost table itself.
 * No global state; every function takes its object first.
 * Determinism: no randomness, no clocks; iteration is by node id, arrival sequence or hash
 * order, so equal inputs give byte-equal outputs (state roots, pick lists).
 * Ownership: chain_tx is a caller-allocated value (about 1.2 KB: keep it off hot arrays);
 * chain_ledger and chain_pool are opaque, chain_*_new / chain_*_free. Pointers returned by
 * queries (records, pool items) stay valid until the next mutation of the same object.
 * Errors: 0 ok, negative CHAIN_E* codes (chain_strerror).
 * Must not touch: sim/, core/lbft (which will call this module, never the other way). */
#ifndef CHAIN_H
#define CHAIN_H

#include <stddef.h>
#include <stdint.h>

#include "core/crypto/cr.h"

enum {
    CHAIN_OK = 0,
    CHAIN_EDECODE = -1, /* malformed, truncated, trailing or non-canonical bytes */
    CHAIN_EPARAM = -2,  /* bad argument (id out of range, too many chunks, key already bound) */
    CHAIN_ENOMEM = -3,
    CHAIN_EINVALID = -4, /* a signature or Merkle proof does not verify */
    CHAIN_EDUP = -5,     /* already present (pool: same hash, or same sender+nonce, lower fee) */
    CHAIN_EFULL = -6,    /* pool full and the new transaction's fee is not above the lowest */
};
const char *chain_strerror(int err);

/* ---- transactions ------------------------------------------------------------------- */

/* Kinds. Values are wire bytes: never renumber. The trade_* kinds follow the data-trade flow
 * of CPChain's PDash contract (order, seller confirm, proxy delivered, buyer confirm,
 * dispute); for now the ledger applies them as value transfers carrying an order id. */
typedef enum chain_kind {
    CHAIN_TX_TRANSFER = 1,
    CHAIN_TX_DATA_RECORD = 2,
    CHAIN_TX_TRADE_ORDER = 3,
    CHAIN_TX_TRADE_CONFIRM = 4,
    CHAIN_TX_TRADE_PROXY_DELIVERED = 5,
    CHAIN_TX_TRADE_BUYER_CONFIRM = 6,
    CHAIN_TX_TRADE_DISPUTE = 7,
    CHAIN_TX_KIND_MAX = 7,
} chain_kind;

#define CHAIN_PAYLOAD_MAX 1024
/* Wire: kind 1, sender 4, sender_pk 32, recipient 4, nonce 8, amount 8, fee 8,
 * payload_len 2, payload, signature 64. Integers little-endian. */
#define CHAIN_TX_FIXED 131
#define CHAIN_TX_SIGNED_PART(plen) (67u + (plen)) /* bytes covered by the signature hash */
#define CHAIN_TX_MAX (CHAIN_TX_FIXED + CHAIN_PAYLOAD_MAX)

/* data_record payload: owner 4, stream 4, interval 8, nchunks 2, nchunks x 32-byte hashes,
 * with 1 <= nchunks <= CHAIN_RECORD_CHUNKS_MAX; recipient and amount must be 0.
 * trade_* payload: order id 8, then up to CHAIN_PAYLOAD_MAX - 8 opaque bytes.
 * transfer payload: empty. Anything else is rejected by the decoder. */
#define CHAIN_RECORD_HDR 18
#define CHAIN_RECORD_CHUNKS_MAX ((CHAIN_PAYLOAD_MAX - CHAIN_RECORD_HDR) / CR_HASH_BYTES)

typedef struct chain_tx {
    uint8_t kind;
    uint32_t sender;
    uint8_t sender_pk[CR_PK_BYTES];
    uint32_t recipient;
    uint64_t nonce, amount, fee;
    uint16_t payload_len; /* <= CHAIN_PAYLOAD_MAX: the caller keeps this; decode ensures it */
    uint8_t payload[CHAIN_PAYLOAD_MAX];
    uint8_t sig[CR_SIG_BYTES];
} chain_tx;

/* Encoded length of tx (CHAIN_TX_FIXED + payload_len). */
size_t chain_tx_size(const chain_tx *tx);
/* Writes chain_tx_size(tx) bytes (out must hold CHAIN_TX_MAX); returns the length. */
size_t chain_tx_encode(uint8_t *out, const chain_tx *tx);
/* Strict: exact length, known kind, payload well-formed for its kind, signature S canonical.
 * Writes *tx only on success. */
int chain_tx_decode(const uint8_t *in, size_t len, chain_tx *tx);
/* The transaction id: BLAKE2b-256 of the whole encoding, signature included. */
void chain_tx_hash(uint8_t out[CR_HASH_BYTES], const chain_tx *tx);
/* The signed digest: BLAKE2b-256 of the encoding up to (not including) the signature. */
void chain_tx_sighash(uint8_t out[CR_HASH_BYTES], const chain_tx *tx);
/* Sets sender_pk from kp and fills sig. */
void chain_tx_sign(chain_tx *tx, const cr_keypair *kp);
/* CHAIN_OK or CHAIN_EINVALID, through the memo (NULL: plain verification). */
int chain_tx_verify(const chain_tx *tx, cr_memo *memo);

/* Builders for payloads (return CHAIN_EPARAM on too many chunks / too long data). */
int chain_tx_set_record(chain_tx *tx, uint32_t owner, uint32_t stream, uint64_t interval,
                        const uint8_t (*chunks)[CR_HASH_BYTES], uint16_t nchunks);
int chain_tx_set_trade(chain_tx *tx, chain_kind kind, uint64_t order, const void *data, size_t len);

/* ---- Merkle tree of transaction hashes --------------------------------------------- */

/* Rule: leaves are the transaction hashes as they are; a parent is BLAKE2b-256(0x01 || left
 * || right); at each level an odd last node is promoted unchanged to the next level (never
 * duplicated, so no two lists share a root by repetition). One leaf: the root is that leaf.
 * No leaves: BLAKE2b-256 of the empty string. A proof lists the siblings from the leaf up,
 * skipping levels where the node was promoted; its length is at most CHAIN_MERKLE_DEPTH_MAX. */
#define CHAIN_MERKLE_DEPTH_MAX 32
int chain_merkle_root(uint8_t root[CR_HASH_BYTES], const uint8_t (*leaves)[CR_HASH_BYTES], size_t n);
/* Fills path (CHAIN_MERKLE_DEPTH_MAX entries) and *depth for leaf index of n. */
int chain_merkle_proof(uint8_t (*path)[CR_HASH_BYTES], size_t *depth,
                       const uint8_t (*leaves)[CR_HASH_BYTES], size_t n, size_t index);
/* CHAIN_OK if leaf sits at index of an n-leaf tree with this root; else CHAIN_EINVALID. */
int chain_merkle_verify(const uint8_t root[CR_HASH_BYTES], const uint8_t leaf[CR_HASH_BYTES],
                        size_t index, size_t n, const uint8_t (*path)[CR_HASH_BYTES], size_t depth);

/* ---- ledger ------------------------------------------------------------------------ */

/* Accounts are a dense array indexed by node id 0..n-1 (balance, nonce, bound Ed25519 key:
 * 48 bytes each, so 10^6 accounts take about 50 MB with the cached hashes).
 * A transaction applies when, checked in this order (the first failure is the counted
 * reason): sender, recipient and proposer are accounts, the sender's key is bound and
 * equals sender_pk (or, with bind-on-first-use, is unbound), nonce == account nonce,
 * balance >= amount + fee, the signature verifies (through the memo), and for a data record
 * no record with the same (owner, stream, interval) exists. An applied transaction moves
 * amount to the recipient, fee to the block's proposer and increments the sender's nonce
 * (binding sender_pk to an unbound sender under bind-on-first-use); a data record is stored
 * with the block height (its owner is not checked: a gateway may record for its devices).
 * Trade kinds are applied as transfers for now. The genesis supply must fit in 64 bits,
 * which rules out overflow afterwards (value is only moved). Callers charge the virtual CPU
 * for chain_block_stats.sigchecks verifications (memo hits included).
 *
 * State root = BLAKE2b-256("cpsim-state-v1" || le32 n || A || le64 records || R): a
 * three-level hash tree over the account array in id order. A level-1 hash covers 16
 * accounts (each le64 balance, le64 nonce, 32-byte key; 768 bytes), a level-2 hash the
 * concatenation of 256 level-1 hashes (8 KB), and A hashes all level-2 hashes (n/128 bytes).
 * R is the running hash chain of records in application order (R' = BLAKE2b-256(R || le64
 * height || record payload)). Only touched parts are rehashed, once per block: cost per block
 * = 768 B per touched level-1 group + 8 KB per touched level-2 group + n/128 bytes; for 10^6
 * accounts, about 17 KB for one touched account and at most 4.3 MB however many. Memory:
 * 2 bytes per account of cached hashes (plus 48 bytes of account). */
typedef struct chain_ledger chain_ledger;

typedef enum chain_reason {
    CHAIN_R_APPLIED = 0,
    CHAIN_R_ACCOUNT, /* sender or recipient id out of range */
    CHAIN_R_KEY,     /* sender key not bound, or sender_pk differs */
    CHAIN_R_NONCE,   /* replayed or future nonce */
    CHAIN_R_FUNDS,   /* balance < amount + fee, or an overflow */
    CHAIN_R_SIG,     /* signature does not verify */
    CHAIN_R_RECORD,  /* duplicate (owner, stream, interval) */
    CHAIN_R_COUNT
} chain_reason;

typedef struct chain_block_stats {
    uint64_t count[CHAIN_R_COUNT]; /* per reason; count[CHAIN_R_APPLIED] = applied */
    uint64_t fees;                 /* paid to the proposer */
    uint64_t sigchecks;            /* signature verifications made (memo or not) */
} chain_block_stats;

typedef struct chain_record {
    uint32_t owner, stream;
    uint64_t interval, height;
    uint16_t nchunks;
    const uint8_t (*chunks)[CR_HASH_BYTES]; /* valid until the next apply */
} chain_record;

chain_ledger *chain_ledger_new(uint32_t n_accounts);
void chain_ledger_free(chain_ledger *l);
uint32_t chain_ledger_accounts(const chain_ledger *l);
/* Genesis and key binding (any time; part of the state). pk NULL: leave unbound. */
int chain_ledger_genesis(chain_ledger *l, uint32_t id, uint64_t balance, const uint8_t pk[CR_PK_BYTES]);
/* CHAIN_EPARAM if id is out of range or already bound to another key. */
int chain_ledger_bind_key(chain_ledger *l, uint32_t id, const uint8_t pk[CR_PK_BYTES]);
/* on = 1: an unbound sender's first valid transaction binds its sender_pk (default off, so
 * that every sender must be bound; on spares deriving keys for nodes that never send). */
void chain_ledger_bind_on_first_use(chain_ledger *l, int on);
uint64_t chain_ledger_balance(const chain_ledger *l, uint32_t id); /* 0 out of range */
uint64_t chain_ledger_nonce(const chain_ledger *l, uint32_t id);
uint64_t chain_ledger_height(const chain_ledger *l);                /* blocks applied */
/* One transaction at the current height (+1); returns the reason. Does not refresh the root. */
chain_reason chain_ledger_apply_tx(chain_ledger *l, cr_memo *memo, uint32_t proposer, const chain_tx *tx);
/* A block: its transactions in order, invalid ones skipped; height += 1, root refreshed.
 * st (may be NULL) receives this block's counts; chain_ledger_totals has the running sums. */
int chain_ledger_apply_block(chain_ledger *l, cr_memo *memo, uint32_t proposer, const chain_tx *txs,
                             size_t n, chain_block_stats *st);
/* The same, writing each transaction's reason to reasons[i] (n entries; NULL: not wanted). */
int chain_ledger_apply_block_ex(chain_ledger *l, cr_memo *memo, uint32_t proposer, const chain_tx *txs,
                                size_t n, chain_block_stats *st, uint8_t *reasons);
const chain_block_stats *chain_ledger_totals(const chain_ledger *l);
/* The state root (recomputes dirty chunks if the state changed since the last block). */
int chain_ledger_state_root(chain_ledger *l, uint8_t root[CR_HASH_BYTES]);
/* The record for (owner, stream, interval), or CHAIN_EPARAM if none. */
int chain_ledger_record(const chain_ledger *l, uint32_t owner, uint32_t stream, uint64_t interval,
                        chain_record *out);
uint64_t chain_ledger_records(const chain_ledger *l);

/* ---- mempool ----------------------------------------------------------------------- */

/* A node's pending transactions, keyed by transaction hash (O(1) dedup, so gossip may call
 * chain_pool_add on every receipt), chained per sender in nonce order, and held in a min-fee
 * heap for eviction. The pool stores each transaction's wire bytes (131 B + payload) and
 * about 100 B of index per entry; it does not verify signatures (the protocol does, through
 * the memo, before adding). At most one transaction per (sender, nonce): a second one
 * replaces the first only with a strictly higher fee. When full, a newcomer evicts the entry
 * with the lowest fee (ties: the latest arrival) if its own fee is higher, else it is refused.
 * Pick: per sender, transactions run from the ledger's nonce without gaps (a later nonce
 * waits); among senders' next ones, highest fee first, then earliest arrival. A sender stops
 * when the next amount + fee exceeds its ledger balance minus what was already picked
 * (value picked for it in the same call is not counted); a sender that is not a ledger
 * account is never picked. Evicting a sender's next nonce leaves its later ones waiting
 * until that nonce arrives again or the ledger moves past it (then chain_pool_prune). */
typedef struct chain_pool chain_pool;

typedef struct chain_pool_item {
    uint8_t hash[CR_HASH_BYTES];
    const uint8_t *bytes; /* the wire form, owned by the pool */
    uint32_t len, sender;
    uint64_t nonce, amount, fee, seq; /* seq: arrival order in this pool */
} chain_pool_item;

typedef struct chain_pool_stats {
    uint64_t added, dup, bad, replaced, evicted, full, removed;
} chain_pool_stats;

chain_pool *chain_pool_new(uint32_t capacity);
void chain_pool_free(chain_pool *p);
/* hash: the transaction id if the caller has it (NULL: computed). CHAIN_OK, CHAIN_EDUP,
 * CHAIN_EDECODE, CHAIN_EFULL or CHAIN_ENOMEM. */
int chain_pool_add(chain_pool *p, const uint8_t *bytes, size_t len, const uint8_t hash[CR_HASH_BYTES]);
int chain_pool_contains(const chain_pool *p, const uint8_t hash[CR_HASH_BYTES]);
uint32_t chain_pool_count(const chain_pool *p);
/* Up to max items, in inclusion order; returns the count. Items stay valid until the next
 * add/remove/prune. The pool is not changed (apart from scratch space). */
size_t chain_pool_pick(chain_pool *p, const chain_ledger *view, chain_pool_item *out, size_t max);
/* Removes the listed transactions (those of an accepted block); returns how many were here. */
size_t chain_pool_remove(chain_pool *p, const uint8_t (*hashes)[CR_HASH_BYTES], size_t n);
/* Removes every transaction whose nonce is below its sender's ledger nonce; returns the count. */
size_t chain_pool_prune(chain_pool *p, const chain_ledger *view);
const chain_pool_stats *chain_pool_get_stats(const chain_pool *p);
/* Self-check of every internal invariant, O(capacity) (for tests and fuzzing): CHAIN_OK or
 * CHAIN_EINVALID. */
int chain_pool_check(const chain_pool *p);

#endif
