/* Unit tests for core/crypto/pre: round trips, every t-subset of n fragments decrypts and t-1
 * do not, tampered capsule / fragment / proof / wrong receiver / wrong delegator are rejected,
 * and stream keys isolate streams. */
#include "core/crypto/pre.h"
#include "tests/harness.h"

typedef struct world {
    pre_keypair a, b;
    cr_keypair signer;
    pre_capsule cap;
    uint8_t key[32];
    cp_rng rng;
} world;

static void setup(world *w, uint64_t seed)
{
    REQUIRE(cr_init() == CR_OK);
    rng_seed(&w->rng, seed, 0, 0);
    pre_keypair_new(&w->a, &w->rng);
    pre_keypair_new(&w->b, &w->rng);
    cr_keypair_derive(&w->signer, seed, 0);
    REQUIRE(pre_encapsulate(&w->cap, w->key, w->a.pk, &w->rng) == CR_OK);
}

static void t_generator_u_derivation(void)
{
    REQUIRE(cr_init() == CR_OK);
    CHECK(pre_point_u_check() == CR_OK);
}

static void t_kem_dem_round_trip(void)
{
    world w;
    setup(&w, 1);
    uint8_t k2[32], msg[100], ct[100 + PRE_DEM_OVERHEAD], back[100];
    CHECK(pre_decapsulate(k2, &w.cap, w.a.sk) == CR_OK && memcmp(k2, w.key, 32) == 0);
    for (int i = 0; i < 100; i++) msg[i] = (uint8_t)i;
    pre_dem_encrypt(ct, msg, 100, w.key, &w.cap, &w.rng);
    CHECK(pre_dem_decrypt(back, ct, sizeof ct, w.key, &w.cap) == CR_OK && memcmp(back, msg, 100) == 0);
    ct[50] ^= 1;
    CHECK(pre_dem_decrypt(back, ct, sizeof ct, w.key, &w.cap) == CR_EINVALID);
}

/* Decrypt with the fragments selected by mask; returns the result code. */
static int decrypt_subset(world *w, const pre_cfrag *cf, size_t n, unsigned mask, uint8_t key[32])
{
    pre_cfrag pick[8];
    size_t k = 0;
    for (size_t i = 0; i < n; i++)
        if (mask & (1u << i)) pick[k++] = cf[i];
    return pre_decrypt_frags(key, &w->b, w->a.pk, &w->cap, pick, k);
}

static void check_threshold(size_t t, size_t n)
{
    world w;
    setup(&w, 10 + t * 10 + n);
    pre_kfrag kf[8];
    pre_cfrag cf[8];
    REQUIRE(pre_kfrags(kf, t, n, &w.a, w.b.pk, &w.signer, &w.rng) == CR_OK);
    for (size_t i = 0; i < n; i++) {
        CHECK(pre_kfrag_verify(&kf[i], w.signer.pk, w.a.pk, w.b.pk) == CR_OK);
        REQUIRE(pre_reencrypt(&cf[i], &w.cap, &kf[i], &w.rng) == CR_OK);
        CHECK(pre_cfrag_verify(&cf[i], &w.cap, w.signer.pk, w.a.pk, w.b.pk) == CR_OK);
    }
    for (unsigned mask = 1; mask < (1u << n); mask++) {
        uint8_t key[32];
        int bits = __builtin_popcount(mask);
        int rc = decrypt_subset(&w, cf, n, mask, key);
        if (bits >= (int)t) CHECK(rc == CR_OK && memcmp(key, w.key, 32) == 0);
        if (bits < (int)t) CHECK(rc != CR_OK);
    }
}

static void t_every_t_subset_decrypts(void)
{
    check_threshold(1, 1);
    check_threshold(2, 3);
    check_threshold(3, 5);
}

static void t_tampering_rejected(void)
{
    world w;
    setup(&w, 99);
    pre_kfrag kf[3];
    pre_cfrag cf[3];
    REQUIRE(pre_kfrags(kf, 2, 3, &w.a, w.b.pk, &w.signer, &w.rng) == CR_OK);
    for (int i = 0; i < 3; i++) REQUIRE(pre_reencrypt(&cf[i], &w.cap, &kf[i], &w.rng) == CR_OK);
    pre_capsule bad = w.cap;
    bad.s[0] ^= 1;
    CHECK(pre_capsule_check(&bad) != CR_OK);
    pre_cfrag badf[2];
    uint8_t bkey[32];
    REQUIRE(pre_reencrypt(&badf[0], &bad, &kf[0], &w.rng) == CR_OK); /* proxies trust checked capsules */
    REQUIRE(pre_reencrypt(&badf[1], &bad, &kf[1], &w.rng) == CR_OK);
    CHECK(pre_decrypt_frags(bkey, &w.b, w.a.pk, &bad, badf, 2) != CR_OK); /* the receiver does not */
    pre_kfrag k2 = kf[0];
    k2.rk[3] ^= 1;
    CHECK(pre_kfrag_verify(&k2, w.signer.pk, w.a.pk, w.b.pk) != CR_OK);
    pre_cfrag c2 = cf[0];
    c2.z[1] ^= 2;
    CHECK(pre_cfrag_verify(&c2, &w.cap, w.signer.pk, w.a.pk, w.b.pk) != CR_OK);
    c2 = cf[0];
    memcpy(c2.e1, cf[1].e1, 32); /* a wrong re-encryption */
    CHECK(pre_cfrag_verify(&c2, &w.cap, w.signer.pk, w.a.pk, w.b.pk) != CR_OK);
    pre_keypair other;
    pre_keypair_new(&other, &w.rng);
    CHECK(pre_cfrag_verify(&cf[0], &w.cap, w.signer.pk, w.a.pk, other.pk) != CR_OK); /* wrong receiver */
    CHECK(pre_cfrag_verify(&cf[0], &w.cap, w.signer.pk, other.pk, w.b.pk) != CR_OK); /* wrong delegator */
    cr_keypair imp;
    cr_keypair_derive(&imp, 5, 5);
    CHECK(pre_kfrag_verify(&kf[0], imp.pk, w.a.pk, w.b.pk) != CR_OK); /* wrong signer */
    uint8_t key[32];
    pre_keypair eve = w.b;
    memcpy(eve.sk, other.sk, 32);
    CHECK(pre_decrypt_frags(key, &eve, w.a.pk, &w.cap, cf, 2) != CR_OK); /* wrong receiver key */
}

static void t_stream_keys_isolate(void)
{
    world w;
    setup(&w, 7);
    pre_keypair s1, s2;
    REQUIRE(pre_stream_key(&s1, w.a.sk, "vehicle-17/speed/2026-11", 24) == CR_OK);
    REQUIRE(pre_stream_key(&s2, w.a.sk, "vehicle-17/speed/2026-12", 24) == CR_OK);
    CHECK(memcmp(s1.sk, s2.sk, 32) != 0);
    /* B with t proxies of stream 1 can reconstruct only s1's key (f(0)*d = s1.sk): it opens
     * stream 1 capsules, and a stream 2 capsule stays closed to fragments of stream 1 */
    pre_capsule c2;
    uint8_t k2[32], key[32];
    REQUIRE(pre_encapsulate(&c2, k2, s2.pk, &w.rng) == CR_OK);
    pre_kfrag kf[2];
    pre_cfrag cf[2];
    REQUIRE(pre_kfrags(kf, 2, 2, &s1, w.b.pk, &w.signer, &w.rng) == CR_OK);
    for (int i = 0; i < 2; i++) REQUIRE(pre_reencrypt(&cf[i], &c2, &kf[i], &w.rng) == CR_OK);
    CHECK(pre_decrypt_frags(key, &w.b, s2.pk, &c2, cf, 2) != CR_OK);
    int rc = pre_decrypt_frags(key, &w.b, s1.pk, &c2, cf, 2); /* consistent, but the wrong key */
    CHECK(rc != CR_OK || memcmp(key, k2, 32) != 0);
}

TEST_MAIN(TEST(t_generator_u_derivation), TEST(t_kem_dem_round_trip), TEST(t_every_t_subset_decrypts), TEST(t_tampering_rejected),
          TEST(t_stream_keys_isolate))
