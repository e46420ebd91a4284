/* Unit tests for core/crypto/dkg: five members run the joint-Feldman DKG with threshold 3;
 * every share verifies, the verification keys from the summed commitments equal the shares'
 * images, and any 3 of the 5 key shares decrypt a homomorphic sum under the joint public key
 * (2 do not); a tampered share or commitment is rejected; bad parameters are errors. */
#include "core/crypto/dkg.h"
#include "core/crypto/he.h"
#include "tests/harness.h"

#include <string.h>

enum { N = 5, T = 3 };

typedef struct run {
    uint8_t commit[N][T][32], share[N][N][32]; /* share[i][j]: dealer i's share for member j+1 */
    uint8_t sum[T][32], pk[32];
    he_share key[N];
} run;

static void deal_all(run *x, uint64_t seed)
{
    memset(x, 0, sizeof *x);
    for (int i = 0; i < N; i++) {
        cp_rng r;
        rng_seed(&r, seed, (uint64_t)i, 7);
        REQUIRE(dkg_deal(&r, T, N, x->commit[i], x->share[i]) == CR_OK);
    }
    memcpy(x->sum, x->commit[0], sizeof x->sum);
    for (int i = 1; i < N; i++) REQUIRE(dkg_commit_add(x->sum, (const uint8_t(*)[32])x->commit[i], T) == CR_OK);
    memcpy(x->pk, x->sum[0], 32);
    for (int j = 0; j < N; j++) {
        x->key[j].index = (uint16_t)(j + 1);
        for (int i = 0; i < N; i++) {
            CHECK(dkg_verify((const uint8_t(*)[32])x->commit[i], T, (uint64_t)j + 1, x->share[i][j]) == CR_OK);
            dkg_share_add(x->key[j].sk, x->share[i][j]);
        }
        REQUIRE(dkg_eval(x->key[j].vk, (const uint8_t(*)[32])x->sum, T, (uint64_t)j + 1) == CR_OK);
    }
}

static void t_shares_and_keys(void)
{
    REQUIRE(cr_init() == CR_OK);
    static run x;
    deal_all(&x, 1);
    for (int j = 0; j < N; j++) {
        uint8_t img[32];
        REQUIRE(cr_mul_base(img, x.key[j].sk) == CR_OK);
        CHECK(memcmp(img, x.key[j].vk, 32) == 0);
    }
}

static void t_any_three_decrypt_the_sum(void)
{
    static run x;
    deal_all(&x, 2);
    he_ctx *c = he_elgamal_public(x.pk, 20, 10);
    REQUIRE(c);
    cp_rng r;
    rng_seed(&r, 2, 99, 0);
    he_ct a, b, s;
    REQUIRE(he_encrypt(c, 700, &r, &a) == CR_OK && he_encrypt(c, 4321, &r, &b) == CR_OK);
    REQUIRE(he_add(c, &a, &b, &s) == CR_OK);
    he_pdec p[N];
    for (int j = 0; j < N; j++) {
        REQUIRE(he_partial(&x.key[j], &s, &r, &p[j]) == CR_OK);
        CHECK(he_partial_verify(x.key[j].vk, &s, &p[j]) == CR_OK);
    }
    const int pick[3][T] = {{0, 1, 2}, {4, 2, 0}, {1, 3, 4}};
    for (int k = 0; k < 3; k++) {
        he_pdec use[T];
        for (int i = 0; i < T; i++) use[i] = p[pick[k][i]];
        uint64_t m = 0;
        CHECK(he_combine(c, &s, use, T, &m) == CR_OK);
        CHECK_EQ_U64(m, 5021);
    }
    uint64_t m = 0;
    CHECK(he_combine(c, &s, p, T - 1, &m) != CR_OK || m != 5021); /* two shares are not enough */
    he_free(c);
}

static void t_tampering_rejected(void)
{
    static run x;
    deal_all(&x, 3);
    uint8_t bad[32];
    memcpy(bad, x.share[1][2], 32);
    bad[0] ^= 1;
    CHECK(dkg_verify((const uint8_t(*)[32])x.commit[1], T, 3, bad) != CR_OK);
    CHECK(dkg_verify((const uint8_t(*)[32])x.commit[1], T, 4, x.share[1][2]) == CR_EINVALID); /* wrong index */
    x.commit[1][1][5] ^= 0x40;
    CHECK(dkg_verify((const uint8_t(*)[32])x.commit[1], T, 3, x.share[1][2]) != CR_OK);
    uint8_t c[T][32], s[N][32];
    cp_rng r;
    rng_seed(&r, 1, 1, 1);
    CHECK(dkg_deal(&r, 0, N, c, s) == CR_EPARAM);
    CHECK(dkg_deal(&r, N + 1, N, c, s) == CR_EPARAM);
}

static void t_determinism(void)
{
    static run a, b;
    deal_all(&a, 4);
    deal_all(&b, 4);
    CHECK(memcmp(a.pk, b.pk, 32) == 0 && memcmp(a.key, b.key, sizeof a.key) == 0);
    deal_all(&b, 5);
    CHECK(memcmp(a.pk, b.pk, 32) != 0);
}

TEST_MAIN(TEST(t_shares_and_keys), TEST(t_any_three_decrypt_the_sum), TEST(t_tampering_rejected),
          TEST(t_determinism))
