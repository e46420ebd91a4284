/* core/chain/chain_int.h: internals shared by the core/chain sources: little-endian helpers
 * and the contract book (contract.c) that the ledger (ledger.c) drives. Not for use outside
 * core/chain. */
#ifndef CHAIN_INT_H
#define CHAIN_INT_H

#include <stdint.h>

#include "core/chain/chain.h"

static inline void chain_put16(uint8_t *p, uint16_t v) { p[0] = (uint8_t)v, p[1] = (uint8_t)(v >> 8); }
static inline void chain_put32(uint8_t *p, uint32_t v) { for (int i = 0; i < 4; i++) p[i] = (uint8_t)(v >> 8 * i); }
static inline void chain_put64(uint8_t *p, uint64_t v) { for (int i = 0; i < 8; i++) p[i] = (uint8_t)(v >> 8 * i); }
static inline uint16_t chain_get16(const uint8_t *p) { return (uint16_t)(p[0] | p[1] << 8); }

static inline uint32_t chain_get32(const uint8_t *p)
{
    uint32_t v = 0;
    for (int i = 3; i >= 0; i--) v = v << 8 | p[i];
    return v;
}

static inline uint64_t chain_get64(const uint8_t *p)
{
    uint64_t v = 0;
    for (int i = 7; i >= 0; i--) v = v << 8 | p[i];
    return v;
}

/* A 64-bit mixer (splitmix64 finaliser) for hash-table slots. */
static inline uint64_t chain_mix64(uint64_t x)
{
    x ^= x >> 30, x *= 0xbf58476d1ce4e5b9ull;
    x ^= x >> 27, x *= 0x94d049bb133111ebull;
    return x ^ (x >> 31);
}

/* ---- the contract book: trades, escrows, traces (contract.c) ------------------------ */

/* What an applied contract transaction does to balances; ledger.c moves the value. */
typedef struct chain_ct_fx {
    uint64_t lock;                  /* taken from the sender's balance into escrow */
    uint32_t npay;
    uint32_t to[2];
    uint64_t pay[2];                /* released from escrow to to[i] */
    uint32_t sigchecks;             /* verifications made besides the transaction's own */
} chain_ct_fx;

typedef struct chain_ct chain_ct;
chain_ct *chain_ct_new(void);
void chain_ct_free(chain_ct *c);
/* 1 if kind is a contract kind (3..12). */
int chain_ct_kind(uint8_t kind);
/* tx (already checked by the ledger up to its signature) at height h: applies it and fills
 * *fx (CHAIN_R_APPLIED), or changes nothing (CHAIN_R_STATE). timeout: for a new order. */
chain_reason chain_ct_apply(chain_ct *c, cr_memo *memo, const chain_tx *tx, uint64_t h, uint64_t timeout,
                            chain_ct_fx *fx);
/* The running hash of applied contract transactions and their count (chain.h, state root). */
const uint8_t *chain_ct_digest(const chain_ct *c, uint64_t *count);
int chain_ct_trade(const chain_ct *c, uint64_t order, chain_trade *out);
int chain_ct_escrow(const chain_ct *c, uint64_t id, chain_escrow *out);
size_t chain_ct_trace(const chain_ct *c, uint64_t parcel, chain_trace_event *out, size_t max);
void chain_ct_counts(const chain_ct *c, uint64_t *trades, uint64_t *escrows, uint64_t *traces);

#endif
