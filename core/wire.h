/* core/wire.h: a bounds-checked little-endian byte writer and a strict reader, shared by the
 * message codecs of core/data and core/iot.
 *
 * Contract: a writer writes into a caller-owned buffer of cap bytes; a write that does not fit
 * sets `bad` and writes nothing more. A reader never reads past its n bytes: an overrun sets
 * `bad` and yields zeros (NULL for bytes); wire_done() is true only if nothing overran and every
 * byte was consumed, so a handler checks once, after reading, before acting. No allocation, no
 * global state. */
#ifndef CP_WIRE_H
#define CP_WIRE_H

#include <stddef.h>
#include <stdint.h>

typedef struct wire_w {
    uint8_t *p;
    size_t n, cap;
    int bad;
} wire_w;

typedef struct wire_r {
    const uint8_t *p;
    size_t n, off;
    int bad;
} wire_r;

void wire_w_init(wire_w *w, uint8_t *buf, size_t cap);
void wire_put_bytes(wire_w *w, const void *b, size_t len);
void wire_put_u8(wire_w *w, uint8_t v);
void wire_put_u16(wire_w *w, uint16_t v);
void wire_put_u32(wire_w *w, uint32_t v);
void wire_put_u64(wire_w *w, uint64_t v);

void wire_r_init(wire_r *r, const uint8_t *p, size_t n);
const uint8_t *wire_get_bytes(wire_r *r, size_t len);
uint8_t wire_get_u8(wire_r *r);
uint16_t wire_get_u16(wire_r *r);
uint32_t wire_get_u32(wire_r *r);
uint64_t wire_get_u64(wire_r *r);
int wire_done(const wire_r *r);

#endif
