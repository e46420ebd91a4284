/* libFuzzer targets for the crypto wire decoders (core/crypto/crw): compiled once per decoder
 * (CRW_FUZZ_<KIND>). Any input must decode to an object that re-encodes to the same bytes, or
 * be rejected; never a crash or an out-of-bounds read. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/crypto/crw.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static int init;
    if (!init) init = cr_init() == CR_OK;
    uint8_t *in = malloc(size ? size : 1), out[600];
    if (!in) return 0;
    memcpy(in, data, size);
    size_t n = 0;
    int ok;
#if defined(CRW_FUZZ_CAPSULE)
    pre_capsule v;
    if ((ok = crw_capsule_decode(in, size, &v) == CR_OK)) n = crw_capsule_encode(out, &v);
#elif defined(CRW_FUZZ_KFRAG)
    pre_kfrag v;
    if ((ok = crw_kfrag_decode(in, size, &v) == CR_OK)) n = crw_kfrag_encode(out, &v);
#elif defined(CRW_FUZZ_CFRAG)
    pre_cfrag v;
    if ((ok = crw_cfrag_decode(in, size, &v) == CR_OK)) n = crw_cfrag_encode(out, &v);
#elif defined(CRW_FUZZ_CT)
    he_ct v;
    if ((ok = crw_ct_decode(in, size, 512, &v) == CR_OK)) n = crw_ct_encode(out, &v);
#elif defined(CRW_FUZZ_PDEC)
    he_pdec v;
    if ((ok = crw_pdec_decode(in, size, &v) == CR_OK)) n = crw_pdec_encode(out, &v);
#else
    uint8_t v[64];
    if ((ok = crw_sig_decode(in, size, v) == CR_OK)) n = crw_sig_encode(out, v);
#endif
    if (ok && (n != size || memcmp(out, in, n) != 0)) abort();
    free(in);
    return 0;
}
