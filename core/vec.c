/* core/vec.c: doubling growth for the dynamic arrays of core/data and core/iot (records, chunks,
 * transactions, sessions, traces): amortised O(1) appends, one realloc per doubling; and the
 * large, randomly touched arrays of the DHT and the engine, on huge pages where the host
 * allows it. */
#include "core/vec.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

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

void *vec_big(size_t bytes, int zero)
{
    const size_t huge = (size_t)2 << 20;
    size_t len = bytes < huge ? (bytes + 63) & ~(size_t)63 : (bytes + huge - 1) & ~(huge - 1);
    void *p;
    if (len < bytes || posix_memalign(&p, len < huge ? 64 : huge, len ? len : 64)) return NULL;
#ifdef MADV_HUGEPAGE
    if (len >= huge) madvise(p, len, MADV_HUGEPAGE);
#endif
    if (zero) memset(p, 0, len);
    return p;
}
