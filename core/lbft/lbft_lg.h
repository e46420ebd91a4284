/* core/lbft/lbft_lg.h: LBFT's ledger mode (internal to core/lbft; prefix lbft_lg_).
 *
 * With `ledger` on, transactions are core/chain transfers: a client signs a transfer to
 * another client with the next nonce of its account and a fee and sends it to two proposers,
 * each of which gossips a transaction new to it on to three others; every proposer instance keeps
 * a core/chain mempool (deduplicated by hash, nonce-ordered per sender, evicting the lowest
 * fee when full) and picks by fee then arrival, respecting the ledger's nonces and balances; a
 * block header commits to the Merkle root of its transaction hashes; the ledger applies each
 * height's block when the first honest validator inserts it (every honest validator inserts
 * the same block, so one ledger stands for all of theirs), counting invalid transactions by
 * reason and recording the state root. Transaction bytes are kept once per transaction id,
 * as the blocks' bodies refer to them (the wire size counts the full transactions).
 * Ownership: lbft_lg_new/lbft_lg_free; everything else borrows. */
#ifndef LBFT_LG_H
#define LBFT_LG_H

#include <stdint.h>

#include "core/chain/chain.h"
#include "core/env.h"

typedef struct lbft_lg lbft_lg;

typedef struct lbft_lg_block {
    uint32_t applied, invalid;
    uint8_t root[32];
} lbft_lg_block;

/* Accounts for n_nodes; `pools` proposer instances with pool_cap transactions each; clients
 * (nodes client0 .. n_nodes-1) start with `balance`; keys are cr_keypair_derive(seed, node). */
lbft_lg *lbft_lg_new(uint32_t n_nodes, uint32_t pools, uint32_t pool_cap, uint32_t client0, uint64_t balance,
                     uint64_t seed);
void lbft_lg_free(lbft_lg *g);

/* A client's next transfer (to a random other client, fee 1..10), signed; encoded into buf
 * (CHAIN_TX_MAX bytes); returns its length and remembers it as transaction `id`. */
size_t lbft_lg_make_tx(lbft_lg *g, cp_env *env, uint64_t id, uint8_t *buf);
/* A proposer instance received transaction id's bytes: if its pool already has it, nothing
 * (0, no check); else decode, verify (memo; *verified = 1, the caller charges) and pool:
 * 1 if newly pooled (the caller gossips it on), 0 if not kept (pool full of higher fees),
 * -1 if malformed or not verifying (counted by the caller). */
int lbft_lg_on_tx(lbft_lg *g, uint32_t pool, uint64_t id, const uint8_t *bytes, size_t len, cr_memo *memo,
                  int *verified);
/* The ids the proposer instance puts in its next block (at most max). */
uint32_t lbft_lg_pick(lbft_lg *g, uint32_t pool, uint64_t *ids, uint32_t max);
/* The header's commitment to a list of transaction ids: the Merkle root of their hashes. */
void lbft_lg_digest(const lbft_lg *g, const uint64_t *ids, uint32_t n, uint8_t d[32]);
/* Apply height h's block (first insertion by an honest validator). */
void lbft_lg_apply(lbft_lg *g, uint64_t h, uint32_t proposer, const uint64_t *ids, uint32_t n, cr_memo *memo);
/* A proposer instance learnt a block: drop its transactions and the stale ones. */
void lbft_lg_included(lbft_lg *g, uint32_t pool, const uint64_t *ids, uint32_t n);
/* What height h's application gave (NULL if not applied). */
const lbft_lg_block *lbft_lg_block_at(const lbft_lg *g, uint64_t h);
const chain_block_stats *lbft_lg_totals(const lbft_lg *g);
uint64_t lbft_lg_evicted(const lbft_lg *g);
/* Is id a transaction this mode knows (made by a client or submitted)? */
int lbft_lg_known(const lbft_lg *g, uint64_t id);
/* Remember a transaction signed elsewhere (lbft_submit) as id: 0, or -1 if its bytes do not
 * decode or id is taken. */
int lbft_lg_put_tx(lbft_lg *g, uint64_t id, const uint8_t *bytes, size_t len);
/* Transaction id's bytes (NULL if unknown). */
const uint8_t *lbft_lg_tx_bytes(const lbft_lg *g, uint64_t id, size_t *len);
/* The chain_reason the ledger gave transaction id when a block first applied it, or -1. */
int lbft_lg_tx_reason(const lbft_lg *g, uint64_t id);

#endif
