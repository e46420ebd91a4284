/* libFuzzer target for the DHT wire decoder (core/dht): any input either is rejected or
 * decodes to a message whose re-encoding is byte-identical to the input (the format has one
 * encoding per message); never a crash or an out-of-bounds read. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/dht/dht.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    uint8_t *copy = malloc(size ? size : 1); /* exact-size buffer so ASan sees overreads */
    if (!copy) return 0;
    if (size) memcpy(copy, data, size);
    dht_msg m;
    if (dht_decode(copy, size, &m) == DHT_OK) {
        uint8_t *out = malloc(size);
        if (!out || dht_encoded_len(&m) != size || dht_encode(out, size, &m) != size ||
            memcmp(out, copy, size) != 0)
            abort();
        free(out);
    }
    free(copy);
    return 0;
}
