/* libFuzzer target for the flood block decoder (core/flood): any input either decodes to a
 * header consistent with its length or is rejected; never a crash or an out-of-bounds read. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "core/flood/flood.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    uint8_t *copy = malloc(size ? size : 1); /* exact-size buffer so ASan sees overreads */
    if (!copy) return 0;
    for (size_t i = 0; i < size; i++) copy[i] = data[i];
    flood_hdr h;
    if (flood_decode(copy, size, &h) == FLOOD_OK && h.size != size) abort();
    free(copy);
    return 0;
}
