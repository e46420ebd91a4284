/* core/crypto/he_elgamal.c: exponential ElGamal on ristretto255 with dealer-based threshold
 * decryption and a baby-step giant-step discrete log (contract in he.h); the scheme-neutral
 * entry points dispatch to Paillier (he_paillier.c) where needed.
 *
 * Invariant: a discrete log is returned only if m*G equals the decrypted point and m is below
 * the bound; the table is built once per context, on first use. The identity point (m = 0 or
 * an all-zero encoding) is handled explicitly, since libsodium's scalar multiplication refuses
 * to return it. */
#include <sodium.h>
#include <stdlib.h>
#include <string.h>

#include "core/crypto/he.h"
#include "core/crypto/he_int.h"

#define H_DLEQ "cpsim-he-dleq"

/* ---- context ---------------------------------------------------------------------- */

static he_ctx *eg_alloc(unsigned bound_log2, unsigned baby_log2)
{
    if (bound_log2 < 1 || bound_log2 > 48 || baby_log2 < 1 || baby_log2 > 24 || baby_log2 > bound_log2)
        return NULL;
    he_ctx *c = calloc(1, sizeof *c);
    if (!c) return NULL;
    c->scheme = HE_ELGAMAL;
    c->bound = (uint64_t)1 << bound_log2;
    c->baby = (uint64_t)1 << baby_log2;
    return c;
}

he_ctx *he_elgamal_public(const uint8_t pk[32], unsigned bound_log2, unsigned baby_log2)
{
    if (!cr_point_ok(pk)) return NULL;
    he_ctx *c = eg_alloc(bound_log2, baby_log2);
    if (c) memcpy(c->pk, pk, 32);
    return c;
}

static void deal_shares(const uint8_t sk[32], size_t t, size_t n, he_share *shares, cp_rng *rng)
{
    uint8_t coef[256][32];
    memcpy(coef[0], sk, 32);
    for (size_t k = 1; k < t; k++) cr_scalar_random(coef[k], rng);
    for (size_t i = 0; i < n; i++) {
        uint8_t x[32], acc[32];
        cr_scalar_from_u64(x, i + 1);
        memcpy(acc, coef[t - 1], 32);
        for (size_t k = t - 1; k-- > 0;) {
            crypto_core_ristretto255_scalar_mul(acc, acc, x);
            crypto_core_ristretto255_scalar_add(acc, acc, coef[k]);
        }
        shares[i].index = (uint16_t)(i + 1);
        memcpy(shares[i].sk, acc, 32);
        if (cr_mul_base(shares[i].vk, acc) != CR_OK) memset(shares[i].vk, 0, 32); /* prob. 2^-252 */
    }
    sodium_memzero(coef, sizeof coef);
}

he_ctx *he_elgamal_new(cp_rng *rng, size_t t, size_t n, he_share *shares, unsigned bound_log2,
                       unsigned baby_log2)
{
    if (shares && (t < 1 || t > n || n > 255)) return NULL;
    he_ctx *c = eg_alloc(bound_log2, baby_log2);
    if (!c) return NULL;
    do cr_scalar_random(c->sk, rng);
    while (cr_mul_base(c->pk, c->sk) != CR_OK);
    c->has_sk = 1;
    if (shares) deal_shares(c->sk, t, n, shares, rng);
    return c;
}

void he_free(he_ctx *c)
{
    if (!c) return;
    free(c->table);
    he_paillier_release(c);
    sodium_memzero(c->sk, sizeof c->sk);
    free(c);
}

he_scheme he_scheme_of(const he_ctx *c) { return (he_scheme)c->scheme; }
const uint8_t *he_elgamal_pk(const he_ctx *c) { return c->pk; }
uint64_t he_bound(const he_ctx *c) { return c->scheme == HE_ELGAMAL ? c->bound : UINT64_MAX; }
uint64_t he_last_dlog_steps(const he_ctx *c) { return c->last_steps; }

/* ---- encryption ------------------------------------------------------------------- */

/* m*G, with the all-zero encoding for the identity (m = 0). */
static int mul_base_u64(uint8_t out[32], uint64_t m)
{
    uint8_t s[32];
    if (m == 0) {
        memset(out, 0, 32);
        return CR_OK;
    }
    cr_scalar_from_u64(s, m);
    return cr_mul_base(out, s);
}

static int eg_encrypt(he_ctx *c, uint64_t m, cp_rng *rng, he_ct *out)
{
    if (m >= c->bound) return CR_ERANGE;
    uint8_t r[32], mg[32], rpk[32];
    cr_scalar_random(r, rng);
    if (cr_mul_base(out->b, r) || mul_base_u64(mg, m) || cr_mul(rpk, r, c->pk) || cr_add(out->b + 32, mg, rpk))
        return CR_EPARAM;
    out->scheme = HE_ELGAMAL;
    out->len = HE_EG_CT_BYTES;
    sodium_memzero(r, 32);
    return CR_OK;
}

int he_encrypt(he_ctx *c, uint64_t m, cp_rng *rng, he_ct *out)
{
    return c->scheme == HE_ELGAMAL ? eg_encrypt(c, m, rng, out) : he_paillier_encrypt(c, m, rng, out);
}

static int ct_ok(const he_ctx *c, const he_ct *ct)
{
    return ct->scheme == c->scheme && ct->len == (c->scheme == HE_ELGAMAL ? HE_EG_CT_BYTES : c->ct_len);
}

int he_add(he_ctx *c, const he_ct *a, const he_ct *b, he_ct *out)
{
    if (!ct_ok(c, a) || !ct_ok(c, b)) return CR_EPARAM;
    if (c->scheme == HE_PAILLIER) return he_paillier_add(c, a, b, out);
    he_ct r = {HE_ELGAMAL, HE_EG_CT_BYTES, {0}};
    if (cr_add(r.b, a->b, b->b) || cr_add(r.b + 32, a->b + 32, b->b + 32)) return CR_EPOINT;
    *out = r;
    return CR_OK;
}

/* ---- baby-step giant-step --------------------------------------------------------- */

static uint64_t key8(const uint8_t p[32])
{
    uint64_t k;
    memcpy(&k, p, 8);
    return k;
}

static int build_table(he_ctx *c)
{
    size_t cap = (size_t)c->baby * 2;
    c->table = calloc(cap, sizeof *c->table);
    if (!c->table) return CR_ENOMEM;
    c->table_cap = cap;
    uint8_t p[32] = {0}, g[32];
    if (mul_base_u64(g, 1)) return CR_EPARAM;
    for (uint64_t j = 0; j < c->baby; j++) {
        uint64_t k = key8(p);
        size_t i = (size_t)(k * 0x9e3779b97f4a7c15ull) & (cap - 1);
        while (c->table[i].used) i = (i + 1) & (cap - 1);
        c->table[i] = (he_bsgs_slot){k, (uint32_t)j, 1};
        if (cr_add(p, p, g)) return CR_EPARAM;
    }
    return mul_base_u64(c->giant, c->baby);
}

/* If q = j*G for a baby step j, set *j. Candidates are confirmed by the caller. */
static int lookup(const he_ctx *c, const uint8_t q[32], uint64_t start, uint64_t *j)
{
    uint64_t k = key8(q);
    size_t i = (size_t)(k * 0x9e3779b97f4a7c15ull) & (c->table_cap - 1);
    for (; c->table[i].used; i = (i + 1) & (c->table_cap - 1)) {
        uint8_t check[32];
        if (c->table[i].key != k || mul_base_u64(check, start + c->table[i].j)) continue;
        *j = c->table[i].j;
        return 1;
    }
    return 0;
}

int he_dlog(he_ctx *c, const uint8_t mpt[32], uint64_t *m)
{
    if (!c->table && build_table(c) != CR_OK) return CR_ENOMEM;
    uint8_t q[32], target[32];
    memcpy(q, mpt, 32);
    memcpy(target, mpt, 32);
    c->last_steps = 0;
    for (uint64_t i = 0; i * c->baby < c->bound; i++) {
        uint64_t j, base = i * c->baby, check_m;
        uint8_t mg[32];
        c->last_steps++;
        if (lookup(c, q, 0, &j) && (check_m = base + j) < c->bound && mul_base_u64(mg, check_m) == CR_OK &&
            sodium_memcmp(mg, target, 32) == 0) {
            *m = check_m;
            return CR_OK;
        }
        if (cr_sub(q, q, c->giant)) return CR_EINVALID;
    }
    return CR_ERANGE;
}

int he_decrypt(he_ctx *c, const he_ct *ct, uint64_t *m)
{
    if (!ct_ok(c, ct)) return CR_EPARAM;
    if (c->scheme == HE_PAILLIER) return he_paillier_decrypt(c, ct, m);
    if (!c->has_sk) return CR_EPARAM;
    uint8_t s[32], mpt[32];
    if (!crypto_core_ristretto255_is_valid_point(ct->b) || !crypto_core_ristretto255_is_valid_point(ct->b + 32))
        return CR_EPOINT;
    if (cr_point_is_identity(ct->b)) memset(s, 0, 32);
    else if (cr_mul(s, c->sk, ct->b)) return CR_EPOINT;
    if (cr_sub(mpt, ct->b + 32, s)) return CR_EPOINT;
    return he_dlog(c, mpt, m);
}

/* ---- threshold decryption --------------------------------------------------------- */

static int dleq_challenge(uint8_t c[32], const uint8_t vk[32], const uint8_t c1[32], const uint8_t d[32],
                          const uint8_t a1[32], const uint8_t a2[32])
{
    const uint8_t *parts[5] = {vk, c1, d, a1, a2};
    size_t lens[5] = {32, 32, 32, 32, 32};
    return cr_hash_to_scalar(c, H_DLEQ, parts, lens, 5);
}

int he_partial(const he_share *s, const he_ct *ct, cp_rng *rng, he_pdec *out)
{
    if (ct->scheme != HE_ELGAMAL || ct->len != HE_EG_CT_BYTES || !cr_point_ok(ct->b)) return CR_EPOINT;
    uint8_t t[32], a1[32], a2[32];
    cr_scalar_random(t, rng);
    if (cr_mul(out->d, s->sk, ct->b) || cr_mul_base(a1, t) || cr_mul(a2, t, ct->b) ||
        dleq_challenge(out->c, s->vk, ct->b, out->d, a1, a2))
        return CR_EPARAM;
    crypto_core_ristretto255_scalar_mul(out->z, out->c, s->sk);
    crypto_core_ristretto255_scalar_add(out->z, out->z, t);
    out->index = s->index;
    sodium_memzero(t, 32);
    return CR_OK;
}

/* A = z*P - c*Q */
static int recommit(uint8_t a[32], const uint8_t z[32], const uint8_t p[32], const uint8_t c[32],
                    const uint8_t q[32], int p_is_base)
{
    uint8_t zp[32], cq[32];
    if ((p_is_base ? cr_mul_base(zp, z) : cr_mul(zp, z, p)) || cr_mul(cq, c, q)) return CR_EINVALID;
    return cr_sub(a, zp, cq) ? CR_EINVALID : CR_OK;
}

int he_partial_verify(const uint8_t vk[32], const he_ct *ct, const he_pdec *p)
{
    if (ct->scheme != HE_ELGAMAL || ct->len != HE_EG_CT_BYTES) return CR_EPARAM;
    if (!cr_point_ok(vk) || !cr_point_ok(ct->b) || !cr_point_ok(p->d)) return CR_EPOINT;
    if (!cr_scalar_ok(p->c) || !cr_scalar_ok(p->z)) return CR_EPOINT;
    uint8_t a1[32], a2[32], c[32];
    if (recommit(a1, p->z, NULL, p->c, vk, 1) || recommit(a2, p->z, ct->b, p->c, p->d, 0) ||
        dleq_challenge(c, vk, ct->b, p->d, a1, a2))
        return CR_EINVALID;
    return sodium_memcmp(c, p->c, 32) == 0 ? CR_OK : CR_EINVALID;
}

int he_combine(he_ctx *c, const he_ct *ct, const he_pdec *p, size_t t, uint64_t *m)
{
    if (c->scheme != HE_ELGAMAL || !ct_ok(c, ct) || t < 1 || t > 255) return CR_EPARAM;
    uint8_t x[255][32], s[32], mpt[32];
    for (size_t i = 0; i < t; i++) cr_scalar_from_u64(x[i], p[i].index);
    for (size_t i = 0; i < t; i++) {
        uint8_t lam[32], ld[32];
        if (cr_lagrange0(lam, (const uint8_t(*)[32])x, t, i) || cr_mul(ld, lam, p[i].d)) return CR_EPARAM;
        if (i == 0) memcpy(s, ld, 32);
        else if (cr_add(s, s, ld)) return CR_EPOINT;
    }
    if (cr_sub(mpt, ct->b + 32, s)) return CR_EPOINT;
    return he_dlog(c, mpt, m);
}
