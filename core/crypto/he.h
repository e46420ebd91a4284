/* core/crypto/he.h: additively homomorphic encryption of readings, behind one small interface.
 *
 * Two schemes:
 *   HE_ELGAMAL  exponential ElGamal on ristretto255: Enc(m) = (rG, mG + rPK), 64 B; sums
 *               decrypt by baby-step giant-step below a stated bound (default 2^32), and
 *               threshold decryption by t of n key holders (Shamir shares from a dealer,
 *               Lagrange in the exponent, each partial decryption with a DLEQ proof).
 *   HE_PAILLIER Paillier over GMP (g = n+1, CRT decryption with mpz_powm_sec), 2048-bit n,
 *               512 B ciphertexts, any sum below n; single key holder (threshold Paillier needs
 *               a distributed modulus generation that is out of scope).
 * he_encrypt / he_add / he_decrypt work for both; he_partial / he_partial_verify / he_combine
 * are the threshold path of ElGamal. A sum at or beyond the bound is reported as CR_ERANGE,
 * never as a wrong number.
 *
 * Randomness only from the caller's cp_rng (Paillier primes included).
 * Ownership: he_*_new returns a context freed by he_free; ciphertexts are caller-owned values.
 * Must not touch: sim/. */
#ifndef HE_H
#define HE_H

#include <stddef.h>
#include <stdint.h>

#include "core/crypto/cr.h"

typedef enum he_scheme { HE_ELGAMAL = 1, HE_PAILLIER = 2 } he_scheme;

#define HE_CT_MAX 512
#define HE_EG_CT_BYTES 64
#define HE_DEFAULT_BOUND_LOG2 32
#define HE_DEFAULT_BABY_LOG2 16

typedef struct he_ct {
    uint8_t scheme;  /* he_scheme */
    uint16_t len;    /* bytes used in b */
    uint8_t b[HE_CT_MAX];
} he_ct;

/* One key holder's Shamir share of the ElGamal secret, and its public verification key. */
typedef struct he_share {
    uint16_t index;  /* 1..n */
    uint8_t sk[32];
    uint8_t vk[32];  /* sk * G */
} he_share;

/* A partial decryption D = sk_i * C1 with a proof (c, z) that log_G(vk_i) = log_C1(D). */
typedef struct he_pdec {
    uint16_t index;
    uint8_t d[32], c[32], z[32];
} he_pdec;

typedef struct he_ctx he_ctx;

/* ElGamal with a dealer: a fresh secret (kept in the context so he_decrypt works) and, if
 * shares != NULL, n Shamir shares of it with threshold t. bound_log2 <= 48; baby_log2 <= 24. */
he_ctx *he_elgamal_new(cp_rng *rng, size_t t, size_t n, he_share *shares, unsigned bound_log2,
                       unsigned baby_log2);
/* ElGamal for encryptors and combiners only: the public key, no secret. */
he_ctx *he_elgamal_public(const uint8_t pk[32], unsigned bound_log2, unsigned baby_log2);
/* Paillier with a fresh key of `bits` (>= 512, multiple of 64). */
he_ctx *he_paillier_new(cp_rng *rng, unsigned bits);
void he_free(he_ctx *c);

he_scheme he_scheme_of(const he_ctx *c);
const uint8_t *he_elgamal_pk(const he_ctx *c);
uint64_t he_bound(const he_ctx *c); /* decryptable sums are < this (ElGamal); UINT64_MAX for Paillier */

int he_encrypt(he_ctx *c, uint64_t m, cp_rng *rng, he_ct *out);
int he_add(he_ctx *c, const he_ct *a, const he_ct *b, he_ct *out);
/* With the context's secret key. */
int he_decrypt(he_ctx *c, const he_ct *ct, uint64_t *m);

/* ElGamal threshold path. */
int he_partial(const he_share *s, const he_ct *ct, cp_rng *rng, he_pdec *out);
int he_partial_verify(const uint8_t vk[32], const he_ct *ct, const he_pdec *p);
/* Combine t partial decryptions (distinct indices; verified by the caller) into the sum. */
int he_combine(he_ctx *c, const he_ct *ct, const he_pdec *p, size_t t, uint64_t *m);

/* Giant steps the last dlog took (for CPU accounting). */
uint64_t he_last_dlog_steps(const he_ctx *c);

#endif
