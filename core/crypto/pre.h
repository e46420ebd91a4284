/* core/crypto/pre.h: threshold proxy re-encryption, Umbral-style, on ristretto255.
 *
 * Our own construction after the Umbral design (see the reference notes; not wire-compatible
 * with NuCypher's): a KEM (capsule + symmetric key) with XChaCha20-Poly1305 as the DEM; the
 * delegator A splits a re-encryption key for receiver B into n key fragments, any t of which
 * suffice, each signed (Ed25519) by A's signing key and committed (U1 = rk*U); a proxy turns a
 * capsule into a capsule fragment with a Chaum-Pedersen proof that it used its fragment; B
 * verifies fragments and decrypts from any t of them. Per-stream delegating keys
 * (pre_stream_key) bound what B and t colluding proxies can learn to one stream.
 *
 * Sizes: capsule 96 B, key fragment 192 B, capsule fragment 352 B, DEM overhead 40 B.
 * Every received point is checked (canonical, not the identity); every random value comes
 * from the caller's cp_rng. Errors: CR_* codes from cr.h.
 * Ownership: plain caller-allocated structs; no heap memory.
 * Must not touch: sim/. */
#ifndef PRE_H
#define PRE_H

#include <stddef.h>
#include <stdint.h>

#include "core/crypto/cr.h"

#define PRE_CAPSULE_BYTES 96
#define PRE_KFRAG_BYTES 192
#define PRE_CFRAG_BYTES 352
#define PRE_DEM_OVERHEAD 40 /* 24-byte nonce + 16-byte tag */
#define PRE_KEY_BYTES 32

typedef struct pre_keypair {
    uint8_t sk[CR_SCALAR_BYTES];
    uint8_t pk[CR_POINT_BYTES];
} pre_keypair;

typedef struct pre_capsule {
    uint8_t e[32], v[32], s[32];
} pre_capsule;

typedef struct pre_kfrag {
    uint8_t id[32], rk[32], xa[32], u1[32], sig[64];
} pre_kfrag;

typedef struct pre_cfrag {
    uint8_t e1[32], v1[32], id[32], xa[32];
    uint8_t e2[32], v2[32], u2[32], u1[32], z[32]; /* proof of correct re-encryption */
    uint8_t sig[64];                               /* the kfrag's signature, for the receiver */
} pre_cfrag;

void pre_keypair_new(pre_keypair *kp, cp_rng *rng);
/* A delegating key for one data stream, derived from a master secret and a label. */
int pre_stream_key(pre_keypair *out, const uint8_t master_sk[CR_SCALAR_BYTES], const void *label, size_t len);

/* KEM: a fresh capsule for pk and the symmetric key it hides. */
int pre_encapsulate(pre_capsule *cap, uint8_t key[PRE_KEY_BYTES], const uint8_t pk[32], cp_rng *rng);
/* Capsule self-check (s*G == V + h*E, points valid): CR_OK or CR_EINVALID/CR_EPOINT. */
int pre_capsule_check(const pre_capsule *cap);
/* The owner's own decapsulation (of a checked capsule: see pre_capsule_check). */
int pre_decapsulate(uint8_t key[PRE_KEY_BYTES], const pre_capsule *cap, const uint8_t sk[32]);

/* DEM: out = nonce || ciphertext || tag (len + PRE_DEM_OVERHEAD bytes), AAD = the capsule. */
void pre_dem_encrypt(uint8_t *out, const uint8_t *msg, size_t len, const uint8_t key[PRE_KEY_BYTES],
                     const pre_capsule *cap, cp_rng *rng);
int pre_dem_decrypt(uint8_t *msg, const uint8_t *in, size_t inlen, const uint8_t key[PRE_KEY_BYTES],
                    const pre_capsule *cap);

/* n key fragments (threshold t) re-encrypting from delegator a to receiver pk_b, signed with
 * the delegator's Ed25519 key. 1 <= t <= n <= 255. */
int pre_kfrags(pre_kfrag *out, size_t t, size_t n, const pre_keypair *a, const uint8_t pk_b[32],
               const cr_keypair *signer, cp_rng *rng);
/* A proxy checks its fragment: commitment and signature. */
int pre_kfrag_verify(const pre_kfrag *kf, const uint8_t verify_pk[CR_PK_BYTES], const uint8_t pk_a[32],
                     const uint8_t pk_b[32]);
/* A proxy re-encrypts a capsule with its fragment, with a proof. */
int pre_reencrypt(pre_cfrag *out, const pre_capsule *cap, const pre_kfrag *kf, cp_rng *rng);
/* The receiver checks a capsule fragment: signature, shared points, and the proof. */
int pre_cfrag_verify(const pre_cfrag *cf, const pre_capsule *cap, const uint8_t verify_pk[CR_PK_BYTES],
                     const uint8_t pk_a[32], const uint8_t pk_b[32]);
/* The receiver opens the capsule from t verified fragments (distinct ids, same precursor). */
int pre_decrypt_frags(uint8_t key[PRE_KEY_BYTES], const pre_keypair *b, const uint8_t pk_a[32],
                      const pre_capsule *cap, const pre_cfrag *cf, size_t t);

/* Self-test: the embedded second generator U equals its hash-to-point derivation. */
int pre_point_u_check(void);

#endif
