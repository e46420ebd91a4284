/* Unit tests for core/crypto/he: the sum of thousands of encrypted readings equals the plain
 * sum; any t of n partial decryptions work and t-1 do not; a bad proof is rejected; sums past
 * the bound are errors, never wrong numbers; Paillier round trips and additions. */
#include "core/crypto/he.h"
#include "tests/harness.h"

static void t_elgamal_sum_of_thousands(void)
{
    REQUIRE(cr_init() == CR_OK);
    cp_rng r;
    rng_seed(&r, 3, 0, 0);
    he_ctx *c = he_elgamal_new(&r, 0, 0, NULL, 24, 12);
    REQUIRE(c);
    he_ct acc, ct;
    uint64_t sum = 0;
    REQUIRE(he_encrypt(c, 0, &r, &acc) == CR_OK);
    for (int i = 0; i < 2000; i++) {
        uint64_t m = rng_below(&r, 1000);
        sum += m;
        REQUIRE(he_encrypt(c, m, &r, &ct) == CR_OK);
        REQUIRE(he_add(c, &acc, &ct, &acc) == CR_OK);
    }
    uint64_t got = 0;
    CHECK(he_decrypt(c, &acc, &got) == CR_OK);
    CHECK_EQ_U64(got, sum);
    he_free(c);
}

static void t_threshold_any_t_of_n(void)
{
    cp_rng r;
    rng_seed(&r, 4, 0, 0);
    he_share sh[5];
    he_ctx *c = he_elgamal_new(&r, 3, 5, sh, 20, 10);
    REQUIRE(c);
    he_ct a, b, s;
    REQUIRE(he_encrypt(c, 1234, &r, &a) == CR_OK);
    REQUIRE(he_encrypt(c, 4321, &r, &b) == CR_OK);
    REQUIRE(he_add(c, &a, &b, &s) == CR_OK);
    he_pdec p[5];
    for (int i = 0; i < 5; i++) {
        REQUIRE(he_partial(&sh[i], &s, &r, &p[i]) == CR_OK);
        CHECK(he_partial_verify(sh[i].vk, &s, &p[i]) == CR_OK);
        CHECK(he_partial_verify(sh[(i + 1) % 5].vk, &s, &p[i]) != CR_OK); /* someone else's key */
    }
    for (unsigned mask = 1; mask < 32; mask++) {
        he_pdec pick[5];
        size_t k = 0;
        for (int i = 0; i < 5; i++)
            if (mask & (1u << i)) pick[k++] = p[i];
        uint64_t m = 0;
        int rc = he_combine(c, &s, pick, k, &m);
        if (k >= 3) CHECK(rc == CR_OK && m == 5555);
        else CHECK(rc != CR_OK || m != 5555);
    }
    he_pdec bad = p[0];
    bad.z[0] ^= 1;
    CHECK(he_partial_verify(sh[0].vk, &s, &bad) != CR_OK);
    bad = p[0];
    bad.d[0] ^= 1;
    CHECK(he_partial_verify(sh[0].vk, &s, &bad) != CR_OK);
    he_free(c);
}

static void t_bound_enforced(void)
{
    cp_rng r;
    rng_seed(&r, 5, 0, 0);
    he_ctx *c = he_elgamal_new(&r, 0, 0, NULL, 12, 6); /* sums < 4096 */
    REQUIRE(c);
    he_ct a, b, s;
    CHECK(he_encrypt(c, 4096, &r, &a) == CR_ERANGE);
    REQUIRE(he_encrypt(c, 4000, &r, &a) == CR_OK);
    REQUIRE(he_encrypt(c, 95, &r, &b) == CR_OK);
    REQUIRE(he_add(c, &a, &b, &s) == CR_OK);
    uint64_t m = 0;
    CHECK(he_decrypt(c, &s, &m) == CR_OK && m == 4095);
    REQUIRE(he_add(c, &s, &b, &s) == CR_OK); /* 4190: past the bound */
    CHECK(he_decrypt(c, &s, &m) == CR_ERANGE);
    he_free(c);
}

static void t_paillier_round_trip_and_add(void)
{
    cp_rng r;
    rng_seed(&r, 6, 0, 0);
    he_ctx *c = he_paillier_new(&r, 1024);
    REQUIRE(c);
    he_ct acc, ct;
    uint64_t sum = 0, m = 0;
    REQUIRE(he_encrypt(c, 0, &r, &acc) == CR_OK);
    for (int i = 0; i < 200; i++) {
        uint64_t v = rng_u64(&r) >> 12;
        sum += v;
        REQUIRE(he_encrypt(c, v, &r, &ct) == CR_OK);
        REQUIRE(he_add(c, &acc, &ct, &acc) == CR_OK);
    }
    CHECK(he_decrypt(c, &acc, &m) == CR_OK);
    CHECK_EQ_U64(m, sum);
    he_free(c);
    he_ctx *big = he_paillier_new(&r, 2048); /* the production size, once */
    REQUIRE(big);
    REQUIRE(he_encrypt(big, 123456789012345ull, &r, &ct) == CR_OK);
    CHECK(ct.len == 512);
    CHECK(he_decrypt(big, &ct, &m) == CR_OK && m == 123456789012345ull);
    he_free(big);
}

TEST_MAIN(TEST(t_elgamal_sum_of_thousands), TEST(t_threshold_any_t_of_n), TEST(t_bound_enforced),
          TEST(t_paillier_round_trip_and_add))
