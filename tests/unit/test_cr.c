/* Unit tests for core/crypto/cr: RFC 8032 Ed25519 vectors, RFC 9496 ristretto255 vectors,
 * deterministic node keys, and the verification memo's exactness (on/off equivalence). */
#include <sodium.h>

#include "core/crypto/cr.h"
#include "tests/harness.h"

typedef struct vec { const char *sk, *pk, *msg, *sig; } vec;

/* RFC 8032 section 7.1, tests 1-3 (secret key = the 32-byte seed). */
static const vec rfc8032[] = {
    {"9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60",
     "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a", "",
     "e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b"},
    {"4ccd089b28ff96da9db6c346ec114e0f5b8a319f35aba624da8cf6ed4fb8a6fb",
     "3d4017c3e843895a92b70aa74d1b7ebc9c982ccf2ec4968cc0cd55f12af4660c", "72",
     "92a009a9f0d4cab8720e820b5f642540a2b27b5416503f8fb3762223ebdb69da085ac1e43e15996e458f3613d0f11d8c387b2eaeb4302aeeb00d291612bb0c00"},
    {"c5aa8df43f9f837bedb7442f31dcb7b166d38535076f094b85ce3a2e0b4458f7",
     "fc51cd8e6218a1a38da47ed00230f0580816ed13ba3303ac5deb911548908025", "af82",
     "6291d657deec24024827e69c3abe01a30ce548a284743a445e3680d7db5ac3ac18ff9b538d16f290ae67f760984dc6594a7c15e9716ed28dc027beceea1ec40a"},
};

static void t_rfc8032_vectors(void)
{
    REQUIRE(cr_init() == CR_OK);
    for (size_t i = 0; i < 3; i++) {
        unsigned char seed[32], pk[32], want_pk[32], msg[8], want_sig[64];
        cr_keypair kp;
        size_t mlen = strlen(rfc8032[i].msg) / 2;
        test_hex(seed, rfc8032[i].sk), test_hex(want_pk, rfc8032[i].pk);
        test_hex(msg, rfc8032[i].msg), test_hex(want_sig, rfc8032[i].sig);
        crypto_sign_seed_keypair(pk, kp.sk, seed);
        memcpy(kp.pk, pk, 32);
        CHECK(memcmp(pk, want_pk, 32) == 0);
        uint8_t sig[64];
        cr_sign(sig, msg, mlen, &kp);
        CHECK(memcmp(sig, want_sig, 64) == 0);
        CHECK(cr_verify_raw(want_sig, msg, mlen, want_pk) == CR_OK);
        want_sig[5] ^= 1;
        CHECK(cr_verify_raw(want_sig, msg, mlen, want_pk) == CR_EINVALID);
    }
}

/* RFC 9496 appendix A.1 (multiples of the generator) and A.2 (bad encodings). */
static void t_rfc9496_vectors(void)
{
    static const char *mult[] = {
        "e2f2ae0a6abc4e71a884a961c500515f58e30b6aa582dd8db6a65945e08d2d76",
        "6a493210f7499cd17fecb510ae0cea23a110e8d5b901f8acadd3095c73a3b919",
        "94741f5d5d52755ece4f23f044ee27d5d1ea1e2bd196b462166b16152a9d0259",
        "da80862773358b466ffadfe0b3293ab3d9fd53c5ea6c955358f568322daf6a57",
        "e882b131016b52c1d3337080187cf768423efccbb517bb495ab812c4160ff44e",
    };
    static const char *bad[] = {
        "00ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff",
        "ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",
        "f3ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",
        "edffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",
        "0100000000000000000000000000000000000000000000000000000000000000",
        "01ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",
    };
    REQUIRE(cr_init() == CR_OK);
    for (uint64_t k = 1; k <= 5; k++) {
        uint8_t s[32], p[32], want[32];
        cr_scalar_from_u64(s, k);
        REQUIRE(cr_mul_base(p, s) == CR_OK);
        test_hex(want, mult[k - 1]);
        CHECK(memcmp(p, want, 32) == 0);
        CHECK(cr_point_ok(want));
    }
    uint8_t zero[32] = {0};
    CHECK(!cr_point_ok(zero) && cr_point_is_identity(zero));
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        uint8_t p[32];
        test_hex(p, bad[i]);
        CHECK(!cr_point_ok(p));
    }
}

static void t_node_keys_deterministic(void)
{
    cr_keypair a, b, c;
    cr_keypair_derive(&a, 7, 3);
    cr_keypair_derive(&b, 7, 3);
    cr_keypair_derive(&c, 7, 4);
    CHECK(memcmp(&a, &b, sizeof a) == 0);
    CHECK(memcmp(a.pk, c.pk, 32) != 0);
}

/* The memo returns exactly the raw verification result, for valid and invalid signatures,
 * and skips repeated work. */
static void t_memo_exact_and_equivalent(void)
{
    cr_memo *on = cr_memo_new(1, 12), *off = cr_memo_new(0, 0);
    REQUIRE(on && off);
    cp_rng r;
    rng_seed(&r, 1, 0, 0);
    for (int i = 0; i < 400; i++) {
        cr_keypair kp;
        cr_keypair_derive(&kp, 1, (uint64_t)(i % 7));
        uint8_t msg[16], sig[64];
        rng_bytes(&r, msg, sizeof msg);
        msg[0] = (uint8_t)(i % 9); /* many repeats */
        memset(msg + 1, 0, 15);
        cr_sign(sig, msg, sizeof msg, &kp);
        if (i % 5 == 0) sig[10] ^= 4; /* some invalid */
        int a = cr_verify(on, sig, msg, sizeof msg, kp.pk), b = cr_verify(off, sig, msg, sizeof msg, kp.pk);
        CHECK(a == b);
        CHECK(a == cr_verify_raw(sig, msg, sizeof msg, kp.pk));
    }
    const cr_memo_stats *s = cr_memo_get_stats(on);
    CHECK(s->hits > 0 && s->verifications < 400 && s->lookups == 400);
    CHECK(cr_memo_get_stats(off)->verifications == 400);
    cr_memo_free(on);
    cr_memo_free(off);
}

static void t_lagrange_interpolates(void)
{
    /* f(x) = 5 + 3x; f(1) = 8, f(2) = 11: sum lambda_i f(x_i) = f(0) = 5 */
    uint8_t x[2][32], l0[32], l1[32], f1[32], f2[32], acc[32], a[32], b[32], five[32];
    cr_scalar_from_u64(x[0], 1), cr_scalar_from_u64(x[1], 2);
    cr_scalar_from_u64(f1, 8), cr_scalar_from_u64(f2, 11), cr_scalar_from_u64(five, 5);
    REQUIRE(cr_lagrange0(l0, (const uint8_t(*)[32])x, 2, 0) == CR_OK);
    REQUIRE(cr_lagrange0(l1, (const uint8_t(*)[32])x, 2, 1) == CR_OK);
    crypto_core_ristretto255_scalar_mul(a, l0, f1);
    crypto_core_ristretto255_scalar_mul(b, l1, f2);
    crypto_core_ristretto255_scalar_add(acc, a, b);
    CHECK(memcmp(acc, five, 32) == 0);
    memcpy(x[1], x[0], 32);
    CHECK(cr_lagrange0(l0, (const uint8_t(*)[32])x, 2, 0) == CR_EPARAM);
}

TEST_MAIN(TEST(t_rfc8032_vectors), TEST(t_rfc9496_vectors), TEST(t_node_keys_deterministic),
          TEST(t_memo_exact_and_equivalent), TEST(t_lagrange_interpolates))
