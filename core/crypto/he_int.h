/* core/crypto/he_int.h: internals shared by he_elgamal.c and he_paillier.c. */
#ifndef HE_INT_H
#define HE_INT_H

#include <gmp.h>

#include "core/crypto/he.h"

typedef struct he_bsgs_slot {
    uint64_t key;   /* first 8 bytes of j*G's encoding */
    uint32_t j;
    uint32_t used;
} he_bsgs_slot;

struct he_ctx {
    int scheme;
    /* ElGamal */
    uint8_t sk[32], pk[32];
    int has_sk;
    uint64_t bound, baby, last_steps;
    uint8_t giant[32];       /* baby * G */
    he_bsgs_slot *table;
    size_t table_cap;
    /* Paillier */
    int has_paillier;
    mpz_t n, n2, p, q, p2, q2, hp, hq, pinv; /* pinv = p^-1 mod q */
    uint16_t ct_len;
};

int he_dlog(he_ctx *c, const uint8_t mpt[32], uint64_t *m);
int he_paillier_encrypt(he_ctx *c, uint64_t m, cp_rng *rng, he_ct *out);
int he_paillier_add(he_ctx *c, const he_ct *a, const he_ct *b, he_ct *out);
int he_paillier_decrypt(he_ctx *c, const he_ct *ct, uint64_t *m);
void he_paillier_release(he_ctx *c);

#endif
