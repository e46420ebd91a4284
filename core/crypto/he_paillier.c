/* core/crypto/he_paillier.c: Paillier encryption over GMP (contract in he.h): g = n + 1,
 * Enc(m) = (1 + m n) r^n mod n^2, addition = product mod n^2, CRT decryption with
 * mpz_powm_sec. Primes come from the caller's cp_rng (mpz_import of stream bytes, top two bits
 * set, mpz_nextprime), so a seed gives the same key. Invariant: ciphertexts are fixed-length
 * big-endian encodings of residues mod n^2, and only residues coprime to n are accepted. */
#include <sodium.h>
#include <stdlib.h>
#include <string.h>

#include "core/crypto/he_int.h"

static void random_mpz(mpz_t out, size_t bytes, cp_rng *rng)
{
    uint8_t *b = malloc(bytes);
    if (!b) {
        mpz_set_ui(out, 0);
        return;
    }
    rng_bytes(rng, b, bytes);
    mpz_import(out, bytes, 1, 1, 0, 0, b);
    sodium_memzero(b, bytes);
    free(b);
}

static void random_prime(mpz_t p, unsigned bits, cp_rng *rng)
{
    random_mpz(p, bits / 8, rng);
    mpz_setbit(p, bits - 1);
    mpz_setbit(p, bits - 2);
    mpz_nextprime(p, p);
}

/* h = (L(g^(p-1) mod p^2))^-1 mod p with L(x) = (x-1)/p */
static void crt_h(mpz_t h, const mpz_t n, const mpz_t p, const mpz_t p2)
{
    mpz_t g, e;
    mpz_inits(g, e, NULL);
    mpz_add_ui(g, n, 1);
    mpz_sub_ui(e, p, 1);
    mpz_powm(h, g, e, p2);
    mpz_sub_ui(h, h, 1);
    mpz_divexact(h, h, p);
    mpz_invert(h, h, p);
    mpz_clears(g, e, NULL);
}

he_ctx *he_paillier_new(cp_rng *rng, unsigned bits)
{
    if (bits < 512 || bits % 64 || bits / 4 > HE_CT_MAX) return NULL;
    he_ctx *c = calloc(1, sizeof *c);
    if (!c) return NULL;
    c->scheme = HE_PAILLIER;
    c->has_paillier = 1;
    mpz_inits(c->n, c->n2, c->p, c->q, c->p2, c->q2, c->hp, c->hq, c->pinv, NULL);
    do {
        random_prime(c->p, bits / 2, rng);
        random_prime(c->q, bits / 2, rng);
    } while (mpz_cmp(c->p, c->q) == 0);
    mpz_mul(c->n, c->p, c->q);
    mpz_mul(c->n2, c->n, c->n);
    mpz_mul(c->p2, c->p, c->p);
    mpz_mul(c->q2, c->q, c->q);
    crt_h(c->hp, c->n, c->p, c->p2);
    crt_h(c->hq, c->n, c->q, c->q2);
    mpz_invert(c->pinv, c->p, c->q);
    c->ct_len = (uint16_t)(bits / 4);
    return c;
}

void he_paillier_release(he_ctx *c)
{
    if (!c->has_paillier) return;
    mpz_clears(c->n, c->n2, c->p, c->q, c->p2, c->q2, c->hp, c->hq, c->pinv, NULL);
    c->has_paillier = 0;
}

static void put_ct(const he_ctx *c, const mpz_t v, he_ct *out)
{
    size_t count = 0;
    memset(out->b, 0, c->ct_len);
    size_t need = (mpz_sizeinbase(v, 2) + 7) / 8;
    mpz_export(out->b + (c->ct_len - need), &count, 1, 1, 0, 0, v);
    out->scheme = HE_PAILLIER;
    out->len = c->ct_len;
}

static int get_ct(const he_ctx *c, const he_ct *ct, mpz_t v)
{
    mpz_import(v, ct->len, 1, 1, 0, 0, ct->b);
    mpz_t g;
    mpz_init(g);
    mpz_gcd(g, v, c->n);
    int ok = mpz_sgn(v) > 0 && mpz_cmp(v, c->n2) < 0 && mpz_cmp_ui(g, 1) == 0;
    mpz_clear(g);
    return ok ? CR_OK : CR_EDECODE;
}

int he_paillier_encrypt(he_ctx *c, uint64_t m, cp_rng *rng, he_ct *out)
{
    mpz_t r, gm, ct;
    mpz_inits(r, gm, ct, NULL);
    do {
        random_mpz(r, mpz_sizeinbase(c->n, 256) + 8, rng);
        mpz_mod(r, r, c->n);
        mpz_gcd(gm, r, c->n);
    } while (mpz_sgn(r) == 0 || mpz_cmp_ui(gm, 1) != 0);
    mpz_powm_sec(ct, r, c->n, c->n2);  /* r^n */
    mpz_set_ui(gm, 0);
    mpz_import(gm, 1, 1, sizeof m, 0, 0, &m);
    mpz_mul(gm, gm, c->n);
    mpz_add_ui(gm, gm, 1);              /* 1 + m n = g^m mod n^2 */
    mpz_mul(ct, ct, gm);
    mpz_mod(ct, ct, c->n2);
    put_ct(c, ct, out);
    mpz_clears(r, gm, ct, NULL);
    return CR_OK;
}

int he_paillier_add(he_ctx *c, const he_ct *a, const he_ct *b, he_ct *out)
{
    mpz_t x, y;
    mpz_inits(x, y, NULL);
    int rc = get_ct(c, a, x);
    if (!rc) rc = get_ct(c, b, y);
    if (!rc) {
        mpz_mul(x, x, y);
        mpz_mod(x, x, c->n2);
        put_ct(c, x, out);
    }
    mpz_clears(x, y, NULL);
    return rc;
}

/* m mod p from c: L_p(c^(p-1) mod p^2) * hp mod p */
static void half(mpz_t out, const mpz_t ct, const mpz_t p, const mpz_t p2, const mpz_t h)
{
    mpz_t e;
    mpz_init(e);
    mpz_sub_ui(e, p, 1);
    mpz_mod(out, ct, p2);
    mpz_powm_sec(out, out, e, p2);
    mpz_sub_ui(out, out, 1);
    mpz_divexact(out, out, p);
    mpz_mul(out, out, h);
    mpz_mod(out, out, p);
    mpz_clear(e);
}

int he_paillier_decrypt(he_ctx *c, const he_ct *ct, uint64_t *m)
{
    mpz_t v, mp, mq;
    mpz_inits(v, mp, mq, NULL);
    int rc = get_ct(c, ct, v);
    if (!rc) {
        half(mp, v, c->p, c->p2, c->hp);
        half(mq, v, c->q, c->q2, c->hq);
        mpz_sub(mq, mq, mp);        /* m = mp + p * ((mq - mp) p^-1 mod q) */
        mpz_mul(mq, mq, c->pinv);
        mpz_mod(mq, mq, c->q);
        mpz_mul(mq, mq, c->p);
        mpz_add(mp, mp, mq);
        if (mpz_sizeinbase(mp, 2) > 64) rc = CR_ERANGE;
        else {
            uint64_t out = 0;
            size_t cnt = 0;
            mpz_export(&out, &cnt, -1, sizeof out, 0, 0, mp);
            *m = cnt ? out : 0;
        }
    }
    mpz_clears(v, mp, mq, NULL);
    return rc;
}
