/* core/chain/merkle.c: the binary BLAKE2b Merkle tree over a block's transaction hashes and
 * its inclusion proofs (rule in chain.h: parent = H(0x01 || left || right), an odd last node
 * is promoted, one leaf is its own root, no leaf is H("")). Invariant: root, proof and verify
 * walk the same level sequence (n, ceil(n/2), ...), so a proof checks against the root for
 * exactly one (index, n). Cost: n - 1 hashes of 65 bytes; one scratch array of n/2 hashes. */
#include "core/chain/chain.h"

#include <stdlib.h>
#include <string.h>

static void parent(uint8_t out[CR_HASH_BYTES], const uint8_t l[CR_HASH_BYTES], const uint8_t r[CR_HASH_BYTES])
{
    uint8_t b[1 + 2 * CR_HASH_BYTES];
    b[0] = 0x01;
    memcpy(b + 1, l, CR_HASH_BYTES), memcpy(b + 1 + CR_HASH_BYTES, r, CR_HASH_BYTES);
    cr_hash(out, b, sizeof b);
}

/* One level up, in place allowed (out may equal in): returns the new count. */
static size_t level_up(uint8_t (*out)[CR_HASH_BYTES], const uint8_t (*in)[CR_HASH_BYTES], size_t m)
{
    size_t k = 0;
    for (size_t i = 0; i + 1 < m; i += 2) parent(out[k++], in[i], in[i + 1]);
    if (m & 1) memmove(out[k++], in[m - 1], CR_HASH_BYTES);
    return k;
}

/* Runs the tree over leaves; if path is set, records the sibling of index at each level. */
static int walk(uint8_t root[CR_HASH_BYTES], const uint8_t (*leaves)[CR_HASH_BYTES], size_t n,
                size_t index, uint8_t (*path)[CR_HASH_BYTES], size_t *depth)
{
    if (n == 0) return cr_hash(root, NULL, 0), CHAIN_OK;
    if (n == 1) return memcpy(root, leaves[0], CR_HASH_BYTES), CHAIN_OK;
    uint8_t (*s)[CR_HASH_BYTES] = malloc((n + 1) / 2 * CR_HASH_BYTES);
    if (!s) return CHAIN_ENOMEM;
    const uint8_t (*cur)[CR_HASH_BYTES] = leaves;
    size_t m = n, d = 0;
    while (m > 1) {
        size_t sib = index ^ 1;
        if (path && sib < m) memcpy(path[d++], cur[sib], CR_HASH_BYTES);
        m = level_up(s, cur, m);
        cur = (const uint8_t(*)[CR_HASH_BYTES])s;
        index >>= 1;
    }
    memcpy(root, s[0], CR_HASH_BYTES);
    if (depth) *depth = d;
    free(s);
    return CHAIN_OK;
}

int chain_merkle_root(uint8_t root[CR_HASH_BYTES], const uint8_t (*leaves)[CR_HASH_BYTES], size_t n)
{
    return walk(root, leaves, n, 0, NULL, NULL);
}

int chain_merkle_proof(uint8_t (*path)[CR_HASH_BYTES], size_t *depth,
                       const uint8_t (*leaves)[CR_HASH_BYTES], size_t n, size_t index)
{
    uint8_t root[CR_HASH_BYTES];
    if (index >= n || n > UINT32_MAX) return CHAIN_EPARAM;
    *depth = 0;
    return walk(root, leaves, n, index, path, depth);
}

int chain_merkle_verify(const uint8_t root[CR_HASH_BYTES], const uint8_t leaf[CR_HASH_BYTES],
                        size_t index, size_t n, const uint8_t (*path)[CR_HASH_BYTES], size_t depth)
{
    uint8_t h[CR_HASH_BYTES];
    size_t d = 0;
    if (index >= n || n > UINT32_MAX || depth > CHAIN_MERKLE_DEPTH_MAX) return CHAIN_EINVALID;
    memcpy(h, leaf, CR_HASH_BYTES);
    for (size_t m = n; m > 1; m = (m + 1) / 2, index >>= 1) {
        if ((index & 1) == 0 && index + 1 >= m) continue; /* promoted */
        if (d == depth) return CHAIN_EINVALID;
        if (index & 1) parent(h, path[d], h);
        else parent(h, h, path[d]);
        d++;
    }
    return d == depth && memcmp(h, root, CR_HASH_BYTES) == 0 ? CHAIN_OK : CHAIN_EINVALID;
}
