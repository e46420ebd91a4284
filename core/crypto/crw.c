/* core/crypto/crw.c: encoders and strict decoders of the crypto wire forms (contract in
 * crw.h). Invariant: a decoder writes its output only after every check passed, and never
 * reads outside [in, in + len). */
#include "core/crypto/crw.h"

#include <string.h>

static int header_ok(const uint8_t *in, size_t len, size_t want, uint8_t tag)
{
    return in && len == want && in[0] == tag && in[1] == CRW_VERSION;
}

static void header(uint8_t *out, uint8_t tag)
{
    out[0] = tag;
    out[1] = CRW_VERSION;
}

static int points_ok(const uint8_t *p, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (!cr_point_ok(p + 32 * i)) return 0;
    return 1;
}

size_t crw_capsule_encode(uint8_t *out, const pre_capsule *c)
{
    header(out, CRW_CAPSULE);
    memcpy(out + 2, c, PRE_CAPSULE_BYTES);
    return CRW_CAPSULE_LEN;
}

int crw_capsule_decode(const uint8_t *in, size_t len, pre_capsule *c)
{
    pre_capsule t;
    if (!header_ok(in, len, CRW_CAPSULE_LEN, CRW_CAPSULE)) return CR_EDECODE;
    memcpy(&t, in + 2, sizeof t);
    if (pre_capsule_check(&t) != CR_OK) return CR_EDECODE;
    *c = t;
    return CR_OK;
}

size_t crw_kfrag_encode(uint8_t *out, const pre_kfrag *k)
{
    header(out, CRW_KFRAG);
    memcpy(out + 2, k, PRE_KFRAG_BYTES);
    return CRW_KFRAG_LEN;
}

int crw_kfrag_decode(const uint8_t *in, size_t len, pre_kfrag *k)
{
    pre_kfrag t;
    if (!header_ok(in, len, CRW_KFRAG_LEN, CRW_KFRAG)) return CR_EDECODE;
    memcpy(&t, in + 2, sizeof t);
    if (!cr_scalar_ok(t.rk) || !cr_point_ok(t.xa) || !cr_point_ok(t.u1)) return CR_EDECODE;
    *k = t;
    return CR_OK;
}

size_t crw_cfrag_encode(uint8_t *out, const pre_cfrag *c)
{
    header(out, CRW_CFRAG);
    memcpy(out + 2, c, PRE_CFRAG_BYTES);
    return CRW_CFRAG_LEN;
}

int crw_cfrag_decode(const uint8_t *in, size_t len, pre_cfrag *c)
{
    pre_cfrag t;
    if (!header_ok(in, len, CRW_CFRAG_LEN, CRW_CFRAG)) return CR_EDECODE;
    memcpy(&t, in + 2, sizeof t);
    if (!points_ok(t.e1, 2) || !cr_point_ok(t.xa) || !points_ok(t.e2, 4) || !cr_scalar_ok(t.z))
        return CR_EDECODE;
    *c = t;
    return CR_OK;
}

size_t crw_ct_encode(uint8_t *out, const he_ct *ct)
{
    header(out, ct->scheme == HE_ELGAMAL ? CRW_EG_CT : CRW_PAI_CT);
    memcpy(out + 2, ct->b, ct->len);
    return 2u + ct->len;
}

int crw_ct_decode(const uint8_t *in, size_t len, size_t paillier_len, he_ct *ct)
{
    if (header_ok(in, len, CRW_EG_CT_LEN, CRW_EG_CT)) {
        /* C1 must be a real point; C2 may be the identity only if the plaintext sum is 0 and
         * r*PK cancels, which is negligible: require valid encodings, allow neither identity */
        if (!points_ok(in + 2, 2)) return CR_EDECODE;
        ct->scheme = HE_ELGAMAL;
        ct->len = HE_EG_CT_BYTES;
        memcpy(ct->b, in + 2, HE_EG_CT_BYTES);
        return CR_OK;
    }
    if (paillier_len && paillier_len <= HE_CT_MAX && header_ok(in, len, 2 + paillier_len, CRW_PAI_CT)) {
        int zero = 1;
        for (size_t i = 0; i < paillier_len; i++) zero &= in[2 + i] == 0;
        if (zero) return CR_EDECODE;
        ct->scheme = HE_PAILLIER;
        ct->len = (uint16_t)paillier_len;
        memcpy(ct->b, in + 2, paillier_len);
        return CR_OK;
    }
    return CR_EDECODE;
}

size_t crw_pdec_encode(uint8_t *out, const he_pdec *p)
{
    header(out, CRW_PDEC);
    out[2] = (uint8_t)(p->index >> 8);
    out[3] = (uint8_t)p->index;
    memcpy(out + 4, p->d, 32), memcpy(out + 36, p->c, 32), memcpy(out + 68, p->z, 32);
    return CRW_PDEC_LEN;
}

int crw_pdec_decode(const uint8_t *in, size_t len, he_pdec *p)
{
    if (!header_ok(in, len, CRW_PDEC_LEN, CRW_PDEC)) return CR_EDECODE;
    uint16_t idx = (uint16_t)(in[2] << 8 | in[3]);
    if (idx == 0 || !cr_point_ok(in + 4) || !cr_scalar_ok(in + 36) || !cr_scalar_ok(in + 68)) return CR_EDECODE;
    p->index = idx;
    memcpy(p->d, in + 4, 32), memcpy(p->c, in + 36, 32), memcpy(p->z, in + 68, 32);
    return CR_OK;
}

size_t crw_sig_encode(uint8_t *out, const uint8_t sig[CR_SIG_BYTES])
{
    header(out, CRW_SIG);
    memcpy(out + 2, sig, CR_SIG_BYTES);
    return CRW_SIG_LEN;
}

int crw_sig_decode(const uint8_t *in, size_t len, uint8_t sig[CR_SIG_BYTES])
{
    /* S (the second half) must be a canonical scalar (S < L), as RFC 8032 requires */
    if (!header_ok(in, len, CRW_SIG_LEN, CRW_SIG) || !cr_scalar_ok(in + 2 + 32)) return CR_EDECODE;
    memcpy(sig, in + 2, CR_SIG_BYTES);
    return CR_OK;
}
