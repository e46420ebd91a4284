/* core/vec.h: growth of a caller-owned array.
 *
 * Contract: vec_reserve makes *p hold at least `need` elements of `elem` bytes, doubling *cap
 * (from 16) and reallocating when it must; the first *cap elements keep their values. Returns 0,
 * or -1 when out of memory, with *p and *cap unchanged.
 *
 * vec_big allocates a large array that is touched at random (ids, node states, routing tables,
 * the engine's per-node records): `bytes` rounded up, aligned to 64 bytes (so a small record
 * never straddles two cache lines) or, from 2 MiB up, to 2 MiB with a transparent-huge-page
 * hint, since with 4 KiB pages nearly every random touch of a large array also misses the TLB.
 * A hint to the host's memory manager only: no I/O, no effect on results. zero: cleared.
 * NULL when out of memory; release with free(). */
#ifndef CP_VEC_H
#define CP_VEC_H

#include <stddef.h>

int vec_reserve(void **p, size_t *cap, size_t need, size_t elem);
void *vec_big(size_t bytes, int zero);

#endif
