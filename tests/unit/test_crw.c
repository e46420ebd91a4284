/* Unit tests for core/crypto/crw: every wire form round-trips; every truncation, extension and
 * header change is rejected by the decoder; every single-bit flip is rejected by the decoder or
 * by the object's verification; thousands of random inputs never decode to something that
 * verifies. This is also the replay of the fuzz targets that CI runs without clang. */
#include "core/crypto/crw.h"
#include "tests/harness.h"

typedef struct objs {
    pre_keypair a, b;
    cr_keypair signer;
    pre_capsule cap;
    pre_kfrag kf;
    pre_cfrag cf;
    he_share sh[2];
    he_ctx *eg;
    he_ct ct;
    he_pdec pd;
    uint8_t sig[64], msg[8];
} objs;

static void make(objs *o)
{
    cp_rng r;
    uint8_t key[32];
    REQUIRE(cr_init() == CR_OK);
    rng_seed(&r, 11, 0, 0);
    pre_keypair_new(&o->a, &r), pre_keypair_new(&o->b, &r);
    cr_keypair_derive(&o->signer, 11, 1);
    REQUIRE(pre_encapsulate(&o->cap, key, o->a.pk, &r) == CR_OK);
    REQUIRE(pre_kfrags(&o->kf, 1, 1, &o->a, o->b.pk, &o->signer, &r) == CR_OK);
    REQUIRE(pre_reencrypt(&o->cf, &o->cap, &o->kf, &r) == CR_OK);
    o->eg = he_elgamal_new(&r, 2, 2, o->sh, 16, 8);
    REQUIRE(o->eg && he_encrypt(o->eg, 42, &r, &o->ct) == CR_OK);
    REQUIRE(he_partial(&o->sh[0], &o->ct, &r, &o->pd) == CR_OK);
    memcpy(o->msg, "cpsim!!!", 8);
    cr_sign(o->sig, o->msg, 8, &o->signer);
}

/* Decode buf as kind k and verify the result; CR_OK only if both pass. */
static int decode_verify(objs *o, int k, const uint8_t *buf, size_t len)
{
    pre_capsule c;
    pre_kfrag kf;
    pre_cfrag cf;
    he_ct ct;
    he_pdec pd;
    uint8_t sig[64];
    switch (k) {
    case 0: return crw_capsule_decode(buf, len, &c) ? -1 : memcmp(&c, &o->cap, sizeof c) ? -1 : 0;
    case 1: return crw_kfrag_decode(buf, len, &kf) ? -1 : pre_kfrag_verify(&kf, o->signer.pk, o->a.pk, o->b.pk);
    case 2: return crw_cfrag_decode(buf, len, &cf) ? -1 : pre_cfrag_verify(&cf, &o->cap, o->signer.pk, o->a.pk, o->b.pk);
    case 3: return crw_ct_decode(buf, len, 0, &ct) ? -1 : memcmp(ct.b, o->ct.b, 64) ? -1 : 0;
    case 4: return crw_pdec_decode(buf, len, &pd) ? -1 : he_partial_verify(o->sh[pd.index == 1 ? 0 : 1].vk, &o->ct, &pd);
    default: return crw_sig_decode(buf, len, sig) ? -1 : cr_verify_raw(sig, o->msg, 8, o->signer.pk);
    }
}

static size_t encode(objs *o, int k, uint8_t *buf)
{
    switch (k) {
    case 0: return crw_capsule_encode(buf, &o->cap);
    case 1: return crw_kfrag_encode(buf, &o->kf);
    case 2: return crw_cfrag_encode(buf, &o->cf);
    case 3: return crw_ct_encode(buf, &o->ct);
    case 4: return crw_pdec_encode(buf, &o->pd);
    default: return crw_sig_encode(buf, o->sig);
    }
}

static void t_round_trip_truncation_bitflip(void)
{
    objs o;
    make(&o);
    for (int k = 0; k < 6; k++) {
        uint8_t buf[400];
        size_t len = encode(&o, k, buf);
        CHECK(decode_verify(&o, k, buf, len) == CR_OK);
        for (size_t l = 0; l < len; l++) CHECK(decode_verify(&o, k, buf, l) != CR_OK);
        CHECK(decode_verify(&o, k, buf, len + 1) != CR_OK);
        for (size_t bit = 0; bit < len * 8; bit++) {
            buf[bit / 8] ^= (uint8_t)(1u << (bit % 8));
            int rc = decode_verify(&o, k, buf, len);
            if (rc == CR_OK) printf("# kind %d: flip of bit %zu accepted\n", k, bit);
            CHECK(rc != CR_OK);
            buf[bit / 8] ^= (uint8_t)(1u << (bit % 8));
        }
    }
    he_free(o.eg);
}

static void t_random_inputs_rejected(void)
{
    objs o;
    make(&o);
    cp_rng r;
    rng_seed(&r, 12, 0, 0);
    for (int i = 0; i < 3000; i++) {
        int k = i % 6;
        uint8_t buf[400];
        size_t len = encode(&o, k, buf);
        rng_bytes(&r, buf + 2, len - 2); /* right header, random body */
        CHECK(decode_verify(&o, k, buf, len) != CR_OK);
    }
    he_free(o.eg);
}

TEST_MAIN(TEST(t_round_trip_truncation_bitflip), TEST(t_random_inputs_rejected))
