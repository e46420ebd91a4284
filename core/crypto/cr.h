/* core/crypto/cr.h: hashing, Ed25519 signatures with an exact per-world verification memo,
 * and the ristretto255 scalar/point helpers shared by PRE and HE (libsodium 1.0.18).
 *
 * Hashes are BLAKE2b-256. Node keys are Ed25519 key pairs derived from (world seed, node id),
 * so every run of a seed has the same keys. Verification goes through a cr_memo: a table keyed
 * by BLAKE2b-256(pk || sig || msg) that stores the result of one real verification; the memo
 * never changes a result, only how often the host computes it (cr_memo_new(0) disables it).
 * Callers charge the virtual CPU for every verification (core/crypto/cost.h) memo or not.
 *
 * Randomness: every random scalar or nonce is drawn from a cp_rng (the node's stream); this
 * module never reads OS entropy. Errors: 0 ok, negative CR_E* codes.
 * Ownership: cr_memo_new/cr_memo_free; everything else is caller-allocated fixed-size bytes.
 * Must not touch: sim/ (core is sans-IO); no global state besides libsodium's own init. */
#ifndef CR_H
#define CR_H

#include <stddef.h>
#include <stdint.h>

#include "core/env.h"

#define CR_HASH_BYTES 32
#define CR_PK_BYTES 32
#define CR_SK_BYTES 64
#define CR_SIG_BYTES 64
#define CR_SCALAR_BYTES 32
#define CR_POINT_BYTES 32

enum {
    CR_OK = 0,
    CR_EINIT = -1,     /* libsodium could not initialise */
    CR_EINVALID = -2,  /* a signature, proof or ciphertext does not verify */
    CR_EPOINT = -3,    /* a point is not a valid, non-identity ristretto255 encoding */
    CR_EPARAM = -4,    /* bad parameters (t > n, duplicates, sizes) */
    CR_ERANGE = -5,    /* a decrypted value is outside the stated bound */
    CR_ENOMEM = -6,
    CR_EDECODE = -7,   /* malformed wire bytes */
};

typedef struct cr_keypair {
    uint8_t pk[CR_PK_BYTES];
    uint8_t sk[CR_SK_BYTES];
} cr_keypair;

/* Idempotent libsodium initialisation; call before anything else. */
int cr_init(void);

void cr_hash(uint8_t out[CR_HASH_BYTES], const void *msg, size_t len);
/* Ed25519 keys of `node` in a world of `seed`. */
void cr_keypair_derive(cr_keypair *kp, uint64_t seed, uint64_t node);
void cr_sign(uint8_t sig[CR_SIG_BYTES], const void *msg, size_t len, const cr_keypair *kp);
/* Plain verification (no memo): CR_OK or CR_EINVALID. */
int cr_verify_raw(const uint8_t sig[CR_SIG_BYTES], const void *msg, size_t len, const uint8_t pk[CR_PK_BYTES]);

/* ---- verification memo ---------------------------------------------------------- */

typedef struct cr_memo cr_memo;

typedef struct cr_memo_stats {
    uint64_t lookups, hits, verifications, clears;
} cr_memo_stats;

/* enabled = 0: every call verifies for real. capacity_log2: table size (e.g. 20). */
cr_memo *cr_memo_new(int enabled, unsigned capacity_log2);
void cr_memo_free(cr_memo *m);
/* Whether results may be remembered (callers keeping their own result caches must obey it). */
int cr_memo_enabled(const cr_memo *m);
/* Exactly cr_verify_raw's result, computed at most once per distinct (pk, sig, msg) while the
 * entry stays in the table (the table is cleared when half full: a deterministic policy). */
int cr_verify(cr_memo *m, const uint8_t sig[CR_SIG_BYTES], const void *msg, size_t len,
              const uint8_t pk[CR_PK_BYTES]);
const cr_memo_stats *cr_memo_get_stats(const cr_memo *m);

/* ---- ristretto255 helpers (used by pre_ and he_) -------------------------------- */

/* A uniformly random non-zero scalar from 64 bytes of the stream. */
void cr_scalar_random(uint8_t s[CR_SCALAR_BYTES], cp_rng *rng);
/* Hash to a non-zero scalar: BLAKE2b-512(be32(len dst) || dst || parts...) reduced mod L. */
int cr_hash_to_scalar(uint8_t s[CR_SCALAR_BYTES], const char *dst, const uint8_t *const *parts,
                      const size_t *lens, size_t n);
/* Hash to a point (BLAKE2b-512 then ristretto255 from_hash). */
void cr_hash_to_point(uint8_t p[CR_POINT_BYTES], const char *dst, const void *msg, size_t len);
/* 1 if p is a canonical ristretto255 encoding and not the identity. */
int cr_point_ok(const uint8_t p[CR_POINT_BYTES]);
int cr_point_is_identity(const uint8_t p[CR_POINT_BYTES]);
/* 1 if s is a canonical (reduced) scalar. */
int cr_scalar_ok(const uint8_t s[CR_SCALAR_BYTES]);
/* s * G; s*P; P+Q; P-Q. Return CR_OK or CR_EPOINT (identity result or invalid input). */
int cr_mul_base(uint8_t out[CR_POINT_BYTES], const uint8_t s[CR_SCALAR_BYTES]);
int cr_mul(uint8_t out[CR_POINT_BYTES], const uint8_t s[CR_SCALAR_BYTES], const uint8_t p[CR_POINT_BYTES]);
int cr_add(uint8_t out[CR_POINT_BYTES], const uint8_t p[CR_POINT_BYTES], const uint8_t q[CR_POINT_BYTES]);
int cr_sub(uint8_t out[CR_POINT_BYTES], const uint8_t p[CR_POINT_BYTES], const uint8_t q[CR_POINT_BYTES]);
/* Scalar from a small integer. */
void cr_scalar_from_u64(uint8_t s[CR_SCALAR_BYTES], uint64_t v);
/* Lagrange coefficient at 0 for x[i] among x[0..n-1]; CR_EPARAM on duplicate x. */
int cr_lagrange0(uint8_t out[CR_SCALAR_BYTES], const uint8_t (*x)[CR_SCALAR_BYTES], size_t n, size_t i);

#endif
