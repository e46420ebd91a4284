/* core/vec.c: doubling growth for the dynamic arrays of core/data and core/iot (records, chunks,
 * transactions, sessions, traces): amortised O(1) appends, one realloc per doubling. */
#include "core/vec.h"

#include <stdint.h>
#include <stdlib.h>

int vec_reserve(void **p, size_t *cap, size_t need, size_t elem)
{
    if (need <= *cap) return 0;
    size_t nc = *cap ? *cap : 16;
    while (nc < need) {
        if (nc > SIZE_MAX / 2) return -1;
        nc *= 2;
    }
    if (elem && nc > SIZE_MAX / elem) return -1;
    void *q = realloc(*p, nc * elem);
    if (!q) return -1;
    *p = q, *cap = nc;
    return 0;
}
