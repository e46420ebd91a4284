/* core/crypto/cr.c: hashing, deterministic Ed25519 keys, signatures, the verification memo
 * and ristretto255 helpers (contract in cr.h).
 *
 * Invariant of the memo: a lookup returns exactly what crypto_sign_verify_detached returned
 * for the same (pk, sig, msg) bytes; entries are only ever added with that real result, and the
 * table is emptied as a whole (never partially evicted), so its behaviour depends only on the
 * sequence of calls. */
#include "core/crypto/cr.h"

#include <sodium.h>
#include <stdlib.h>
#include <string.h>

int cr_init(void) { return sodium_init() < 0 ? CR_EINIT : CR_OK; }

void cr_hash(uint8_t out[CR_HASH_BYTES], const void *msg, size_t len)
{
    crypto_generichash(out, CR_HASH_BYTES, msg, len, NULL, 0);
}

static void put64(uint8_t *p, uint64_t v)
{
    for (int i = 0; i < 8; i++) p[i] = (uint8_t)(v >> (8 * i));
}

void cr_keypair_derive(cr_keypair *kp, uint64_t seed, uint64_t node)
{
    uint8_t in[16 + 16], s[crypto_sign_SEEDBYTES];
    memcpy(in, "cpsim-ed25519-v1", 16);
    put64(in + 16, seed);
    put64(in + 24, node);
    crypto_generichash(s, sizeof s, in, sizeof in, NULL, 0);
    crypto_sign_seed_keypair(kp->pk, kp->sk, s);
    sodium_memzero(s, sizeof s);
}

void cr_sign(uint8_t sig[CR_SIG_BYTES], const void *msg, size_t len, const cr_keypair *kp)
{
    crypto_sign_detached(sig, NULL, msg, len, kp->sk);
}

int cr_verify_raw(const uint8_t sig[CR_SIG_BYTES], const void *msg, size_t len, const uint8_t pk[CR_PK_BYTES])
{
    return crypto_sign_verify_detached(sig, msg, len, pk) == 0 ? CR_OK : CR_EINVALID;
}

/* ---- memo ------------------------------------------------------------------------- */

typedef struct memo_slot {
    uint8_t key[CR_HASH_BYTES];
    uint8_t used, valid;
} memo_slot;

struct cr_memo {
    int enabled;
    size_t cap, n;
    memo_slot *slots;
    cr_memo_stats st;
};

cr_memo *cr_memo_new(int enabled, unsigned capacity_log2)
{
    cr_memo *m = calloc(1, sizeof *m);
    if (!m) return NULL;
    m->enabled = enabled;
    if (capacity_log2 < 4) capacity_log2 = 4;
    if (capacity_log2 > 28) capacity_log2 = 28;
    m->cap = enabled ? (size_t)1 << capacity_log2 : 0;
    m->slots = enabled ? calloc(m->cap, sizeof *m->slots) : NULL;
    if (enabled && !m->slots) {
        free(m);
        return NULL;
    }
    return m;
}

int cr_memo_enabled(const cr_memo *m) { return m->enabled; }

void cr_memo_free(cr_memo *m)
{
    if (!m) return;
    free(m->slots);
    free(m);
}

const cr_memo_stats *cr_memo_get_stats(const cr_memo *m) { return &m->st; }

static void memo_key(uint8_t key[CR_HASH_BYTES], const uint8_t *sig, const void *msg, size_t len,
                     const uint8_t *pk)
{
    crypto_generichash_state h;
    crypto_generichash_init(&h, NULL, 0, CR_HASH_BYTES);
    crypto_generichash_update(&h, pk, CR_PK_BYTES);
    crypto_generichash_update(&h, sig, CR_SIG_BYTES);
    crypto_generichash_update(&h, msg, len);
    crypto_generichash_final(&h, key, CR_HASH_BYTES);
}

int cr_verify(cr_memo *m, const uint8_t sig[CR_SIG_BYTES], const void *msg, size_t len,
              const uint8_t pk[CR_PK_BYTES])
{
    m->st.lookups++;
    if (!m->enabled) {
        m->st.verifications++;
        return cr_verify_raw(sig, msg, len, pk);
    }
    uint8_t key[CR_HASH_BYTES];
    memo_key(key, sig, msg, len, pk);
    uint64_t h;
    memcpy(&h, key, sizeof h);
    size_t i = (size_t)h & (m->cap - 1);
    while (m->slots[i].used && memcmp(m->slots[i].key, key, CR_HASH_BYTES) != 0) i = (i + 1) & (m->cap - 1);
    if (m->slots[i].used) {
        m->st.hits++;
        return m->slots[i].valid ? CR_OK : CR_EINVALID;
    }
    int rc = cr_verify_raw(sig, msg, len, pk);
    m->st.verifications++;
    if (m->n + 1 > m->cap / 2) { /* keep probes short: start over, deterministically */
        memset(m->slots, 0, m->cap * sizeof *m->slots);
        m->n = 0;
        m->st.clears++;
        i = (size_t)h & (m->cap - 1);
    }
    memcpy(m->slots[i].key, key, CR_HASH_BYTES);
    m->slots[i].used = 1;
    m->slots[i].valid = rc == CR_OK;
    m->n++;
    return rc;
}

/* ---- ristretto255 ----------------------------------------------------------------- */

void cr_scalar_random(uint8_t s[CR_SCALAR_BYTES], cp_rng *rng)
{
    uint8_t wide[64];
    static const uint8_t zero[CR_SCALAR_BYTES];
    do {
        rng_bytes(rng, wide, sizeof wide);
        crypto_core_ristretto255_scalar_reduce(s, wide);
    } while (memcmp(s, zero, CR_SCALAR_BYTES) == 0);
}

static void hash_dst(crypto_generichash_state *h, const char *dst, size_t outlen)
{
    uint32_t n = (uint32_t)strlen(dst);
    uint8_t be[4] = {(uint8_t)(n >> 24), (uint8_t)(n >> 16), (uint8_t)(n >> 8), (uint8_t)n};
    crypto_generichash_init(h, NULL, 0, outlen);
    crypto_generichash_update(h, be, 4);
    crypto_generichash_update(h, (const uint8_t *)dst, n);
}

int cr_hash_to_scalar(uint8_t s[CR_SCALAR_BYTES], const char *dst, const uint8_t *const *parts,
                      const size_t *lens, size_t n)
{
    crypto_generichash_state h;
    uint8_t wide[64];
    static const uint8_t zero[CR_SCALAR_BYTES];
    hash_dst(&h, dst, sizeof wide);
    for (size_t i = 0; i < n; i++) crypto_generichash_update(&h, parts[i], lens[i]);
    crypto_generichash_final(&h, wide, sizeof wide);
    crypto_core_ristretto255_scalar_reduce(s, wide);
    return memcmp(s, zero, CR_SCALAR_BYTES) == 0 ? CR_EPARAM : CR_OK;
}

void cr_hash_to_point(uint8_t p[CR_POINT_BYTES], const char *dst, const void *msg, size_t len)
{
    crypto_generichash_state h;
    uint8_t wide[64];
    hash_dst(&h, dst, sizeof wide);
    crypto_generichash_update(&h, msg, len);
    crypto_generichash_final(&h, wide, sizeof wide);
    crypto_core_ristretto255_from_hash(p, wide);
}

int cr_point_is_identity(const uint8_t p[CR_POINT_BYTES])
{
    static const uint8_t zero[CR_POINT_BYTES];
    return sodium_memcmp(p, zero, CR_POINT_BYTES) == 0;
}

int cr_point_ok(const uint8_t p[CR_POINT_BYTES])
{
    return !cr_point_is_identity(p) && crypto_core_ristretto255_is_valid_point(p);
}

int cr_scalar_ok(const uint8_t s[CR_SCALAR_BYTES])
{
    uint8_t wide[64] = {0}, r[CR_SCALAR_BYTES];
    memcpy(wide, s, CR_SCALAR_BYTES);
    crypto_core_ristretto255_scalar_reduce(r, wide);
    return memcmp(r, s, CR_SCALAR_BYTES) == 0;
}

int cr_mul_base(uint8_t out[CR_POINT_BYTES], const uint8_t s[CR_SCALAR_BYTES])
{
    return crypto_scalarmult_ristretto255_base(out, s) == 0 ? CR_OK : CR_EPOINT;
}

int cr_mul(uint8_t out[CR_POINT_BYTES], const uint8_t s[CR_SCALAR_BYTES], const uint8_t p[CR_POINT_BYTES])
{
    return crypto_scalarmult_ristretto255(out, s, p) == 0 ? CR_OK : CR_EPOINT;
}

int cr_add(uint8_t out[CR_POINT_BYTES], const uint8_t p[CR_POINT_BYTES], const uint8_t q[CR_POINT_BYTES])
{
    return crypto_core_ristretto255_add(out, p, q) == 0 ? CR_OK : CR_EPOINT;
}

int cr_sub(uint8_t out[CR_POINT_BYTES], const uint8_t p[CR_POINT_BYTES], const uint8_t q[CR_POINT_BYTES])
{
    return crypto_core_ristretto255_sub(out, p, q) == 0 ? CR_OK : CR_EPOINT;
}

void cr_scalar_from_u64(uint8_t s[CR_SCALAR_BYTES], uint64_t v)
{
    memset(s, 0, CR_SCALAR_BYTES);
    put64(s, v);
}

int cr_lagrange0(uint8_t out[CR_SCALAR_BYTES], const uint8_t (*x)[CR_SCALAR_BYTES], size_t n, size_t i)
{
    uint8_t num[CR_SCALAR_BYTES], den[CR_SCALAR_BYTES], diff[CR_SCALAR_BYTES], inv[CR_SCALAR_BYTES];
    cr_scalar_from_u64(num, 1);
    cr_scalar_from_u64(den, 1);
    for (size_t j = 0; j < n; j++) {
        if (j == i) continue;
        crypto_core_ristretto255_scalar_mul(num, num, x[j]);
        crypto_core_ristretto255_scalar_sub(diff, x[j], x[i]);
        crypto_core_ristretto255_scalar_mul(den, den, diff);
    }
    if (crypto_core_ristretto255_scalar_invert(inv, den) != 0) return CR_EPARAM;
    crypto_core_ristretto255_scalar_mul(out, num, inv);
    return CR_OK;
}
