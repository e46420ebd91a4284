/* core/wire.c: the bounds-checked byte writer and strict reader of core/wire.h. Integers are
 * little-endian; an overrun poisons the writer or reader for good (`bad`), so a codec writes or
 * reads a whole message and checks once. */
#include "core/wire.h"

#include <string.h>

void wire_w_init(wire_w *w, uint8_t *buf, size_t cap)
{
    w->p = buf, w->n = 0, w->cap = cap, w->bad = 0;
}

void wire_put_bytes(wire_w *w, const void *b, size_t len)
{
    if (w->bad || len > w->cap - w->n) {
        w->bad = 1;
        return;
    }
    if (len) memcpy(w->p + w->n, b, len);
    w->n += len;
}

static void put_le(wire_w *w, uint64_t v, int n)
{
    uint8_t b[8];
    for (int k = 0; k < n; k++) b[k] = (uint8_t)(v >> (8 * k));
    wire_put_bytes(w, b, (size_t)n);
}

void wire_put_u8(wire_w *w, uint8_t v) { put_le(w, v, 1); }
void wire_put_u16(wire_w *w, uint16_t v) { put_le(w, v, 2); }
void wire_put_u32(wire_w *w, uint32_t v) { put_le(w, v, 4); }
void wire_put_u64(wire_w *w, uint64_t v) { put_le(w, v, 8); }

void wire_r_init(wire_r *r, const uint8_t *p, size_t n)
{
    r->p = p, r->n = n, r->off = 0, r->bad = 0;
}

const uint8_t *wire_get_bytes(wire_r *r, size_t len)
{
    if (r->bad || len > r->n - r->off) {
        r->bad = 1;
        return NULL;
    }
    const uint8_t *p = r->p + r->off;
    r->off += len;
    return p;
}

static uint64_t get_le(wire_r *r, int n)
{
    const uint8_t *p = wire_get_bytes(r, (size_t)n);
    uint64_t v = 0;
    for (int k = 0; p && k < n; k++) v |= (uint64_t)p[k] << (8 * k);
    return v;
}

uint8_t wire_get_u8(wire_r *r) { return (uint8_t)get_le(r, 1); }
uint16_t wire_get_u16(wire_r *r) { return (uint16_t)get_le(r, 2); }
uint32_t wire_get_u32(wire_r *r) { return (uint32_t)get_le(r, 4); }
uint64_t wire_get_u64(wire_r *r) { return get_le(r, 8); }
int wire_done(const wire_r *r) { return !r->bad && r->off == r->n; }
