/* core/flood/flood.h: block propagation by flooding over a random peer graph.
 *
 * The way CPChain civilians receive NewBlock messages, and the workload SimBlock measures:
 * every node keeps `degree` outbound connections to distinct random peers (links are
 * bidirectional, so the mean number of neighbours is about 2*degree); at each block time a
 * source node creates a block of `block_size` bytes and sends it to all its neighbours; a node
 * receiving a block for the first time records the arrival, validates it (virtual CPU:
 * validate + validate_per_mb * MB, times the device's CPU factor) and forwards it to every
 * neighbour but the sender; later copies count as duplicates.
 *
 * Wire form of a block (little endian): magic u32 "CPFB", version u8, pad u8[3], index u32,
 * origin u32, size u64, then filler bytes up to `size` drawn from the source's RNG stream.
 * The decoder (flood_decode) accepts exactly that and nothing else.
 *
 * Sans-IO (core/env.h only). Ownership: flood_new builds the peer graph and owns all arrays;
 * flood_free releases them. Results are read with the accessors after the run. */
#ifndef FLOOD_H
#define FLOOD_H

#include <stddef.h>
#include <stdint.h>

#include "core/crypto/cost.h"
#include "core/crypto/cr.h"
#include "core/env.h"

/* Real signatures on blocks: keys from (seed, node), verification through memo, costs from
 * costs. All three are owned by the caller and must outlive the protocol. */
typedef struct flood_crypto {
    uint64_t seed;
    cr_memo *memo;
    const cost_table *costs;
} flood_crypto;

typedef struct flood_cfg {
    uint32_t degree;        /* outbound connections per node */
    uint32_t blocks;        /* blocks to create */
    uint64_t block_size;    /* bytes per block on the wire (>= FLOOD_HDR) */
    cp_time first;          /* time of the first block */
    cp_time interval;       /* time between blocks */
    cp_time validate;       /* reference-server CPU per block received */
    cp_time validate_per_mb;/* reference-server CPU per MB (10^6 bytes) received */
    int64_t source;         /* fixed source node, or -1: a random node per block */
    const flood_crypto *crypto; /* NULL: unsigned blocks */
} flood_cfg;

#define FLOOD_HDR 120u      /* header 24 + digest 32 + signature 64 */
#define FLOOD_SIGNED 56u    /* bytes covered by the signature: header and digest */
#define FLOOD_MAGIC 0x42465043u /* "CPFB" */

enum { FLOOD_MSG_BLOCK = 0, FLOOD_N_MSG };
enum { FLOOD_OK = 0, FLOOD_EMALFORMED = -1 };

typedef struct flood flood;

typedef struct flood_hdr {
    uint32_t index, origin;
    uint64_t size;
    uint8_t digest[32];
    uint8_t sig[64];
} flood_hdr;

/* Build the graph from (seed, stream "graph") for n nodes. NULL on bad config or memory. */
flood *flood_new(const flood_cfg *cfg, uint32_t n_nodes, uint64_t seed);
void flood_free(flood *f);
const cp_proto_ops *flood_ops(void);

int flood_decode(const uint8_t *buf, size_t len, flood_hdr *out);
void flood_encode_hdr(uint8_t *buf, const flood_hdr *h);

/* Results. */
uint32_t flood_n_blocks(const flood *f);
cp_time flood_created(const flood *f, uint32_t block);      /* CP_TIME_NEVER if not created */
cp_node flood_origin(const flood *f, uint32_t block);
cp_time flood_arrival(const flood *f, uint32_t block, cp_node node); /* CP_TIME_NEVER if never */
const cp_time *flood_arrivals(const flood *f);  /* blocks x nodes, row-major */
uint32_t flood_dups(const flood *f, cp_node node);
uint64_t flood_malformed(const flood *f);
uint64_t flood_bad_signatures(const flood *f);
/* Neighbour list of a node (CSR). */
const uint32_t *flood_neighbors(const flood *f, cp_node node, uint32_t *count);
size_t flood_bytes_per_node(const flood *f);

#endif
