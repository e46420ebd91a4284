/* core/crypto/dkg.c: joint-Feldman DKG over ristretto255 (see dkg.h). Invariant: a share is
 * accepted only if its image under G equals its dealer's committed polynomial at the holder's
 * index, evaluated by Horner's rule in the group. */
#include "core/crypto/dkg.h"

#include <sodium.h>
#include <string.h>

int dkg_deal(cp_rng *rng, size_t t, size_t n, uint8_t (*commit)[32], uint8_t (*share)[32])
{
    uint8_t a[DKG_MAX_T][32];
    if (!t || t > n || t > DKG_MAX_T) return CR_EPARAM;
    for (size_t k = 0; k < t; k++) {
        cr_scalar_random(a[k], rng);
        if (cr_mul_base(commit[k], a[k]) != CR_OK) return CR_EPOINT;
    }
    for (size_t j = 1; j <= n; j++) { /* Horner: f(j) = (..(a_{t-1} j + a_{t-2}) j + ..) + a_0 */
        uint8_t x[32], acc[32];
        cr_scalar_from_u64(x, j);
        memcpy(acc, a[t - 1], 32);
        for (size_t k = t - 1; k-- > 0;) {
            crypto_core_ristretto255_scalar_mul(acc, acc, x);
            crypto_core_ristretto255_scalar_add(acc, acc, a[k]);
        }
        memcpy(share[j - 1], acc, 32);
    }
    sodium_memzero(a, sizeof a);
    return CR_OK;
}

int dkg_eval(uint8_t out[32], const uint8_t (*commit)[32], size_t t, uint64_t index)
{
    uint8_t x[32], acc[32];
    if (!t || t > DKG_MAX_T) return CR_EPARAM;
    cr_scalar_from_u64(x, index);
    memcpy(acc, commit[t - 1], 32);
    for (size_t k = t - 1; k-- > 0;) {
        if (!cr_point_ok(commit[k]) || cr_mul(acc, x, acc) != CR_OK || cr_add(acc, acc, commit[k]) != CR_OK)
            return CR_EPOINT;
    }
    if (!cr_point_ok(acc)) return CR_EPOINT;
    memcpy(out, acc, 32);
    return CR_OK;
}

int dkg_verify(const uint8_t (*commit)[32], size_t t, uint64_t index, const uint8_t share[32])
{
    uint8_t want[32], got[32];
    if (!cr_scalar_ok(share)) return CR_EPOINT;
    int rc = dkg_eval(want, commit, t, index);
    if (rc != CR_OK) return rc;
    if (cr_mul_base(got, share) != CR_OK) return CR_EINVALID;
    return sodium_memcmp(want, got, 32) == 0 ? CR_OK : CR_EINVALID;
}

int dkg_commit_add(uint8_t (*sum)[32], const uint8_t (*commit)[32], size_t t)
{
    for (size_t k = 0; k < t; k++)
        if (!cr_point_ok(commit[k]) || cr_add(sum[k], sum[k], commit[k]) != CR_OK) return CR_EPOINT;
    return CR_OK;
}

void dkg_share_add(uint8_t acc[32], const uint8_t share[32])
{
    crypto_core_ristretto255_scalar_add(acc, acc, share);
}
