/* core/crypto/pre.c: Umbral-style threshold proxy re-encryption on ristretto255 (contract in
 * pre.h).
 *
 * Algebra (G the base point, U a fixed second generator from hash-to-point):
 *   capsule (E, V, s): E = rG, V = uG, s = u + r*h(E,V); key K = (r+u)A.
 *   fragments: precursor X = xG, dh = x*B, d = H(X, B, dh); f(0) = a/d with t-1 random
 *   coefficients; fragment i: x_i = H(id_i, X, B, dh), rk_i = f(x_i), U1 = rk_i*U, signed.
 *   re-encryption: E1 = rk*E, V1 = rk*V, proof (E2, V2, U2, z = t + h*rk).
 *   decryption: sum of lambda_i*E1_i = (a/d)E (same for V), K = d*(E' + V'), checked by
 *   (s/d)*A == h*E' + V'.
 * Invariant: nothing decrypts unless t fragments of one delegation agree with the capsule;
 * every point that arrives from outside is checked before use. A capsule's own equation
 * (s*G == V + h*E) is checked once, where it enters: crw_capsule_decode (or
 * pre_capsule_check); the per-operation functions trust a checked capsule, as umbral's
 * verified types do, and the receiver's final check catches any inconsistency anyway. */
#include "core/crypto/pre.h"

#include <sodium.h>
#include <string.h>

#define H_CAPSULE "cpsim-pre-capsule"
#define H_DH "cpsim-pre-dh"
#define H_X "cpsim-pre-x"
#define H_PROOF "cpsim-pre-proof"
#define H_U "cpsim-pre-U"
#define H_KDF "cpsim-pre-kdf"
#define H_STREAM "cpsim-pre-stream"

/* U = cr_hash_to_point("cpsim-pre-U", "POINT_U"): a second generator nobody knows the
 * discrete log of. Precomputed (hash-to-point costs ~14 us); pre_point_u_check() recomputes it. */
static const uint8_t point_u_bytes[32] = {
    0xfc, 0x1a, 0x5d, 0x96, 0xc2, 0xe4, 0xeb, 0x3c, 0x65, 0x91, 0x5c, 0xd1, 0x3e, 0x34, 0xc1, 0x1a,
    0xdc, 0x45, 0x06, 0x3b, 0xd0, 0x6f, 0x89, 0x21, 0x00, 0x5b, 0x01, 0x7b, 0x86, 0xeb, 0x7d, 0x2c,
};

static void point_u(uint8_t u[32]) { memcpy(u, point_u_bytes, 32); }

int pre_point_u_check(void)
{
    uint8_t u[32];
    cr_hash_to_point(u, H_U, "POINT_U", 7);
    return memcmp(u, point_u_bytes, 32) == 0 ? CR_OK : CR_EINVALID;
}

void pre_keypair_new(pre_keypair *kp, cp_rng *rng)
{
    do cr_scalar_random(kp->sk, rng);
    while (cr_mul_base(kp->pk, kp->sk) != CR_OK);
}

int pre_stream_key(pre_keypair *out, const uint8_t master_sk[32], const void *label, size_t len)
{
    const uint8_t *parts[2] = {master_sk, label};
    size_t lens[2] = {32, len};
    if (cr_hash_to_scalar(out->sk, H_STREAM, parts, lens, 2) != CR_OK) return CR_EPARAM;
    return cr_mul_base(out->pk, out->sk);
}

static int capsule_h(uint8_t h[32], const pre_capsule *c)
{
    const uint8_t *parts[2] = {c->e, c->v};
    size_t lens[2] = {32, 32};
    return cr_hash_to_scalar(h, H_CAPSULE, parts, lens, 2);
}

static void kdf(uint8_t key[PRE_KEY_BYTES], const uint8_t k[32], const pre_capsule *c)
{
    crypto_generichash_state st;
    crypto_generichash_init(&st, (const uint8_t *)H_KDF, sizeof H_KDF - 1, PRE_KEY_BYTES);
    crypto_generichash_update(&st, k, 32);
    crypto_generichash_update(&st, (const uint8_t *)c, sizeof *c);
    crypto_generichash_final(&st, key, PRE_KEY_BYTES);
}

int pre_encapsulate(pre_capsule *cap, uint8_t key[PRE_KEY_BYTES], const uint8_t pk[32], cp_rng *rng)
{
    if (!cr_point_ok(pk)) return CR_EPOINT;
    uint8_t r[32], u[32], h[32], ru[32], k[32];
    cr_scalar_random(r, rng);
    cr_scalar_random(u, rng);
    if (cr_mul_base(cap->e, r) || cr_mul_base(cap->v, u) || capsule_h(h, cap)) return CR_EPARAM;
    crypto_core_ristretto255_scalar_mul(cap->s, r, h);
    crypto_core_ristretto255_scalar_add(cap->s, cap->s, u);
    crypto_core_ristretto255_scalar_add(ru, r, u);
    if (cr_mul(k, ru, pk) != CR_OK) return CR_EPARAM;
    kdf(key, k, cap);
    sodium_memzero(r, 32), sodium_memzero(u, 32), sodium_memzero(ru, 32), sodium_memzero(k, 32);
    return CR_OK;
}

int pre_capsule_check(const pre_capsule *cap)
{
    uint8_t h[32], sg[32], he[32], rhs[32];
    if (!cr_point_ok(cap->e) || !cr_point_ok(cap->v) || !cr_scalar_ok(cap->s)) return CR_EPOINT;
    if (capsule_h(h, cap) || cr_mul_base(sg, cap->s) || cr_mul(he, h, cap->e) || cr_add(rhs, cap->v, he))
        return CR_EINVALID;
    return sodium_memcmp(sg, rhs, 32) == 0 ? CR_OK : CR_EINVALID;
}

int pre_decapsulate(uint8_t key[PRE_KEY_BYTES], const pre_capsule *cap, const uint8_t sk[32])
{
    uint8_t ev[32], k[32];
    /* libsodium rejects non-canonical encodings in add and an identity result in mul */
    if (cr_add(ev, cap->e, cap->v) || cr_mul(k, sk, ev)) return CR_EINVALID;
    kdf(key, k, cap);
    return CR_OK;
}

void pre_dem_encrypt(uint8_t *out, const uint8_t *msg, size_t len, const uint8_t key[PRE_KEY_BYTES],
                     const pre_capsule *cap, cp_rng *rng)
{
    rng_bytes(rng, out, crypto_aead_xchacha20poly1305_ietf_NPUBBYTES);
    crypto_aead_xchacha20poly1305_ietf_encrypt(out + 24, NULL, msg, len, (const uint8_t *)cap, sizeof *cap,
                                               NULL, out, key);
}

int pre_dem_decrypt(uint8_t *msg, const uint8_t *in, size_t inlen, const uint8_t key[PRE_KEY_BYTES],
                    const pre_capsule *cap)
{
    if (inlen < PRE_DEM_OVERHEAD) return CR_EDECODE;
    return crypto_aead_xchacha20poly1305_ietf_decrypt(msg, NULL, NULL, in + 24, inlen - 24,
                                                      (const uint8_t *)cap, sizeof *cap, in, key) == 0
               ? CR_OK
               : CR_EINVALID;
}

/* ---- key fragments ---------------------------------------------------------------- */

static int dh_d(uint8_t d[32], const uint8_t xa[32], const uint8_t pk_b[32], const uint8_t dh[32])
{
    const uint8_t *parts[3] = {xa, pk_b, dh};
    size_t lens[3] = {32, 32, 32};
    return cr_hash_to_scalar(d, H_DH, parts, lens, 3);
}

static int frag_x(uint8_t x[32], const uint8_t id[32], const uint8_t xa[32], const uint8_t pk_b[32],
                  const uint8_t dh[32])
{
    const uint8_t *parts[4] = {id, xa, pk_b, dh};
    size_t lens[4] = {32, 32, 32, 32};
    return cr_hash_to_scalar(x, H_X, parts, lens, 4);
}

static void kfrag_message(uint8_t m[160], const uint8_t id[32], const uint8_t u1[32], const uint8_t xa[32],
                          const uint8_t pk_a[32], const uint8_t pk_b[32])
{
    memcpy(m, id, 32), memcpy(m + 32, u1, 32), memcpy(m + 64, xa, 32);
    memcpy(m + 96, pk_a, 32), memcpy(m + 128, pk_b, 32);
}

/* f(x) for coefficients c[0..t-1] (Horner). */
static void poly_eval(uint8_t out[32], const uint8_t (*c)[32], size_t t, const uint8_t x[32])
{
    memcpy(out, c[t - 1], 32);
    for (size_t k = t - 1; k-- > 0;) {
        crypto_core_ristretto255_scalar_mul(out, out, x);
        crypto_core_ristretto255_scalar_add(out, out, c[k]);
    }
}

int pre_kfrags(pre_kfrag *out, size_t t, size_t n, const pre_keypair *a, const uint8_t pk_b[32],
               const cr_keypair *signer, cp_rng *rng)
{
    if (t < 1 || t > n || n > 255 || !cr_point_ok(pk_b)) return CR_EPARAM;
    uint8_t x[32], xa[32], dh[32], d[32], dinv[32], coef[255][32], u[32], m[160];
    point_u(u);
    cr_scalar_random(x, rng);
    if (cr_mul_base(xa, x) || cr_mul(dh, x, pk_b) || dh_d(d, xa, pk_b, dh)) return CR_EPARAM;
    if (crypto_core_ristretto255_scalar_invert(dinv, d) != 0) return CR_EPARAM;
    crypto_core_ristretto255_scalar_mul(coef[0], a->sk, dinv);
    for (size_t k = 1; k < t; k++) cr_scalar_random(coef[k], rng);
    for (size_t i = 0; i < n; i++) {
        pre_kfrag *kf = &out[i];
        uint8_t xi[32];
        rng_bytes(rng, kf->id, 32);
        if (frag_x(xi, kf->id, xa, pk_b, dh)) return CR_EPARAM;
        poly_eval(kf->rk, (const uint8_t(*)[32])coef, t, xi);
        memcpy(kf->xa, xa, 32);
        if (cr_mul(kf->u1, kf->rk, u)) return CR_EPARAM;
        kfrag_message(m, kf->id, kf->u1, xa, a->pk, pk_b);
        cr_sign(kf->sig, m, sizeof m, signer);
    }
    sodium_memzero(coef, sizeof coef), sodium_memzero(x, 32);
    return CR_OK;
}

int pre_kfrag_verify(const pre_kfrag *kf, const uint8_t verify_pk[CR_PK_BYTES], const uint8_t pk_a[32],
                     const uint8_t pk_b[32])
{
    uint8_t u[32], u1[32], m[160];
    if (!cr_scalar_ok(kf->rk) || !cr_point_ok(kf->xa) || !cr_point_ok(kf->u1)) return CR_EPOINT;
    point_u(u);
    if (cr_mul(u1, kf->rk, u) || sodium_memcmp(u1, kf->u1, 32) != 0) return CR_EINVALID;
    kfrag_message(m, kf->id, kf->u1, kf->xa, pk_a, pk_b);
    return cr_verify_raw(kf->sig, m, sizeof m, verify_pk);
}

/* ---- re-encryption and its proof -------------------------------------------------- */

static int proof_h(uint8_t h[32], const pre_capsule *cap, const pre_cfrag *cf, const uint8_t u[32])
{
    const uint8_t *parts[9] = {cap->e, cf->e1, cf->e2, cap->v, cf->v1, cf->v2, u, cf->u1, cf->u2};
    size_t lens[9] = {32, 32, 32, 32, 32, 32, 32, 32, 32};
    return cr_hash_to_scalar(h, H_PROOF, parts, lens, 9);
}

int pre_reencrypt(pre_cfrag *cf, const pre_capsule *cap, const pre_kfrag *kf, cp_rng *rng)
{
    uint8_t u[32], t[32], h[32];
    point_u(u); /* the multiplications below reject invalid or identity capsule points */
    cr_scalar_random(t, rng);
    if (cr_mul(cf->e1, kf->rk, cap->e) || cr_mul(cf->v1, kf->rk, cap->v) || cr_mul(cf->e2, t, cap->e) ||
        cr_mul(cf->v2, t, cap->v) || cr_mul(cf->u2, t, u))
        return CR_EPARAM;
    memcpy(cf->id, kf->id, 32), memcpy(cf->xa, kf->xa, 32), memcpy(cf->u1, kf->u1, 32);
    memcpy(cf->sig, kf->sig, 64);
    if (proof_h(h, cap, cf, u)) return CR_EPARAM;
    crypto_core_ristretto255_scalar_mul(cf->z, h, kf->rk);
    crypto_core_ristretto255_scalar_add(cf->z, cf->z, t);
    sodium_memzero(t, 32);
    return CR_OK;
}

/* z*P == P2 + h*P1 */
static int dleq_leg(const uint8_t z[32], const uint8_t p[32], const uint8_t p2[32], const uint8_t h[32],
                    const uint8_t p1[32])
{
    uint8_t l[32], hp[32], r[32];
    if (cr_mul(l, z, p) || cr_mul(hp, h, p1) || cr_add(r, p2, hp)) return CR_EINVALID;
    return sodium_memcmp(l, r, 32) == 0 ? CR_OK : CR_EINVALID;
}

int pre_cfrag_verify(const pre_cfrag *cf, const pre_capsule *cap, const uint8_t verify_pk[CR_PK_BYTES],
                     const uint8_t pk_a[32], const uint8_t pk_b[32])
{
    /* e1, v1, u1 and the capsule points go through multiplications that reject invalid and
     * identity points; the decoder (crw_cfrag_decode) has checked every encoding already */
    if (!cr_scalar_ok(cf->z)) return CR_EPOINT;
    uint8_t m[160], u[32], h[32];
    kfrag_message(m, cf->id, cf->u1, cf->xa, pk_a, pk_b);
    if (cr_verify_raw(cf->sig, m, sizeof m, verify_pk) != CR_OK) return CR_EINVALID;
    point_u(u);
    if (proof_h(h, cap, cf, u)) return CR_EINVALID;
    if (dleq_leg(cf->z, cap->e, cf->e2, h, cf->e1) || dleq_leg(cf->z, cap->v, cf->v2, h, cf->v1) ||
        dleq_leg(cf->z, u, cf->u2, h, cf->u1))
        return CR_EINVALID;
    return CR_OK;
}

/* ---- decryption by the receiver --------------------------------------------------- */

/* E' = sum lambda_i E1_i and V' likewise. */
static int combine(uint8_t ep[32], uint8_t vp[32], const pre_cfrag *cf, size_t t, const uint8_t (*x)[32])
{
    for (size_t i = 0; i < t; i++) {
        uint8_t lam[32], le[32], lv[32];
        if (cr_lagrange0(lam, x, t, i) || cr_mul(le, lam, cf[i].e1) || cr_mul(lv, lam, cf[i].v1))
            return CR_EPARAM;
        if (i == 0) {
            memcpy(ep, le, 32), memcpy(vp, lv, 32);
        } else if (cr_add(ep, ep, le) || cr_add(vp, vp, lv)) {
            return CR_EINVALID;
        }
    }
    return CR_OK;
}

int pre_decrypt_frags(uint8_t key[PRE_KEY_BYTES], const pre_keypair *b, const uint8_t pk_a[32],
                      const pre_capsule *cap, const pre_cfrag *cf, size_t t)
{
    if (t < 1 || t > 255) return CR_EPARAM;
    uint8_t dh[32], d[32], x[255][32], ep[32], vp[32], h[32], sd[32], dinv[32], l[32], r[32], he[32], k[32];
    if (!cr_point_ok(cf[0].xa) || cr_mul(dh, b->sk, cf[0].xa) || dh_d(d, cf[0].xa, b->pk, dh)) return CR_EINVALID;
    for (size_t i = 0; i < t; i++) {
        if (sodium_memcmp(cf[i].xa, cf[0].xa, 32) != 0) return CR_EPARAM; /* mixed delegations */
        if (frag_x(x[i], cf[i].id, cf[i].xa, b->pk, dh)) return CR_EPARAM;
    }
    int rc = combine(ep, vp, cf, t, (const uint8_t(*)[32])x);
    if (rc) return rc;
    /* check (s/d)*A == h*E' + V' before deriving anything */
    if (capsule_h(h, cap) || crypto_core_ristretto255_scalar_invert(dinv, d) != 0) return CR_EINVALID;
    crypto_core_ristretto255_scalar_mul(sd, cap->s, dinv);
    if (cr_mul(l, sd, pk_a) || cr_mul(he, h, ep) || cr_add(r, he, vp)) return CR_EINVALID;
    if (sodium_memcmp(l, r, 32) != 0) return CR_EINVALID;
    if (cr_add(r, ep, vp) || cr_mul(k, d, r)) return CR_EINVALID;
    kdf(key, k, cap);
    return CR_OK;
}
