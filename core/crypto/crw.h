/* core/crypto/crw.h: wire forms of every crypto object that crosses the network, with strict
 * decoders.
 *
 * Layout: tag u8, version u8 (= 1), then the fixed fields. Sizes with the 2-byte header:
 *   capsule 98, kfrag 194, cfrag 354, ElGamal ciphertext 66, partial decryption 100
 *   (+ index u16), Paillier ciphertext 2 + n^2 bytes, signature 66.
 * A decoder accepts only the exact length, its tag and version, canonical scalars and
 * canonical non-identity points where the object has them (a capsule must also pass its self
 * check; a Paillier ciphertext must be a unit mod n^2). Signatures and proofs are checked by the
 * verify functions of pre_/he_, which reject every bit flip a decoder lets through.
 * Ownership: caller-provided buffers; decoders never read past len. Must not touch: sim/. */
#ifndef CRW_H
#define CRW_H

#include <stddef.h>
#include <stdint.h>

#include "core/crypto/he.h"
#include "core/crypto/pre.h"

enum {
    CRW_CAPSULE = 0x31, CRW_KFRAG = 0x32, CRW_CFRAG = 0x33, CRW_EG_CT = 0x34, CRW_PDEC = 0x35,
    CRW_PAI_CT = 0x36, CRW_SIG = 0x37,
};
#define CRW_VERSION 1
#define CRW_CAPSULE_LEN (2 + PRE_CAPSULE_BYTES)
#define CRW_KFRAG_LEN (2 + PRE_KFRAG_BYTES)
#define CRW_CFRAG_LEN (2 + PRE_CFRAG_BYTES)
#define CRW_EG_CT_LEN (2 + HE_EG_CT_BYTES)
#define CRW_PDEC_LEN (2 + 2 + 96)
#define CRW_SIG_LEN (2 + CR_SIG_BYTES)

size_t crw_capsule_encode(uint8_t *out, const pre_capsule *c);
int crw_capsule_decode(const uint8_t *in, size_t len, pre_capsule *c);
size_t crw_kfrag_encode(uint8_t *out, const pre_kfrag *k);
int crw_kfrag_decode(const uint8_t *in, size_t len, pre_kfrag *k);
size_t crw_cfrag_encode(uint8_t *out, const pre_cfrag *c);
int crw_cfrag_decode(const uint8_t *in, size_t len, pre_cfrag *c);
/* ElGamal or Paillier ciphertext; paillier_len = bytes of a Paillier ciphertext (n^2). */
size_t crw_ct_encode(uint8_t *out, const he_ct *ct);
int crw_ct_decode(const uint8_t *in, size_t len, size_t paillier_len, he_ct *ct);
size_t crw_pdec_encode(uint8_t *out, const he_pdec *p);
int crw_pdec_decode(const uint8_t *in, size_t len, he_pdec *p);
size_t crw_sig_encode(uint8_t *out, const uint8_t sig[CR_SIG_BYTES]);
int crw_sig_decode(const uint8_t *in, size_t len, uint8_t sig[CR_SIG_BYTES]);

#endif
