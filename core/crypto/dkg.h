/* core/crypto/dkg.h: distributed key generation for the threshold exponential ElGamal of he.h
 * (prefix dkg_): joint-Feldman (Pedersen 1991) over ristretto255, so that no one ever holds the
 * committee's secret key.
 *
 * Each of n members (indices 1..n) deals: it draws a random polynomial f of degree t-1,
 * publishes the commitments C_k = a_k * G (k = 0..t-1) and gives member j the share f(j)
 * privately. A member checks each share it receives against its dealer's commitments
 * (Feldman: s * G == sum_k j^k C_k). With every dealer's share accepted, member j's key share
 * is x_j = sum_i f_i(j); the public key is sum_i C_i0 and anyone's verification key
 * vk_j = x_j * G follows from the summed commitments (dkg_eval). The secret sum_i a_i0 is never
 * computed. Not done here: the complaint round that disqualifies a dealer whose share failed
 * (the caller sees the failure and decides).
 *
 * Randomness only from the caller's cp_rng. All outputs are caller-owned arrays. */
#ifndef DKG_H
#define DKG_H

#include <stddef.h>
#include <stdint.h>

#include "core/crypto/cr.h"

#define DKG_MAX_T 255

/* Deal: commit[0..t-1] (points) and share[j-1] = f(j) for j = 1..n (scalars). CR_OK, or
 * CR_EPARAM (t = 0, t > n, t > DKG_MAX_T). */
int dkg_deal(cp_rng *rng, size_t t, size_t n, uint8_t (*commit)[32], uint8_t (*share)[32]);
/* CR_OK if share is f(index) for the polynomial committed in commit[0..t-1]; CR_EINVALID if
 * not; CR_EPOINT for a malformed commitment or share. */
int dkg_verify(const uint8_t (*commit)[32], size_t t, uint64_t index, const uint8_t share[32]);
/* sum[k] += commit[k] for k < t (points; sum starts as the first dealer's commitments). */
int dkg_commit_add(uint8_t (*sum)[32], const uint8_t (*commit)[32], size_t t);
/* out = sum_k index^k * commit[k]: a share's public image (vk) from summed commitments. */
int dkg_eval(uint8_t out[32], const uint8_t (*commit)[32], size_t t, uint64_t index);
/* acc += share (scalars mod L). */
void dkg_share_add(uint8_t acc[32], const uint8_t share[32]);

#endif
