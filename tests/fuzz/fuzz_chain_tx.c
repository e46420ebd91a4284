/* libFuzzer target for the transaction decoder (core/chain/tx.c). Property: any input either
 * is rejected or decodes to a transaction whose encoding is exactly the input, and decoding
 * that encoding again gives the same transaction (decode(encode(decode(x))) == decode(x));
 * never a crash or an out-of-bounds read. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/chain/chain.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static chain_tx a, b;
    static uint8_t out[CHAIN_TX_MAX], again[CHAIN_TX_MAX];
    uint8_t *in = malloc(size ? size : 1); /* exact-size copy: ASan sees any overread */
    if (!in) return 0;
    memcpy(in, data, size);
    if (chain_tx_decode(in, size, &a) == CHAIN_OK) {
        size_t n = chain_tx_encode(out, &a);
        if (n != size || memcmp(out, in, n) != 0) abort();
        if (chain_tx_decode(out, n, &b) != CHAIN_OK) abort();
        if (chain_tx_encode(again, &b) != n || memcmp(again, out, n) != 0) abort();
    }
    free(in);
    return 0;
}
