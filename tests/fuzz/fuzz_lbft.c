/* libFuzzer target for the LBFT message decoder (core/lbft): any input is accepted only if
 * its lengths, counts, indices and padding are consistent; never a crash or an overread. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/lbft/lbft.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    uint8_t *copy = malloc(size ? size : 1);
    if (!copy) return 0;
    memcpy(copy, data, size);
    (void)lbft_decode_check(copy, size, 7);
    (void)lbft_decode_check(copy, size, 1000);
    free(copy);
    return 0;
}
