/* core/vec.h: growth of a caller-owned array.
 *
 * Contract: vec_reserve makes *p hold at least `need` elements of `elem` bytes, doubling *cap
 * (from 16) and reallocating when it must; the first *cap elements keep their values. Returns 0,
 * or -1 when out of memory, with *p and *cap unchanged. */
#ifndef CP_VEC_H
#define CP_VEC_H

#include <stddef.h>

int vec_reserve(void **p, size_t *cap, size_t need, size_t elem);

#endif
