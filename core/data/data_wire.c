/* core/data/data_wire.c: the byte writer and the strict reader behind every data message.
 * Integers are little-endian. Invariant: a reader never reads past its message; any
 * overrun sets `bad` and returns zeros, and rd_done() accepts a message only if it was
 * consumed exactly (no trailing bytes), so a handler checks once, before acting. */
#include "core/data/data_int.h"

#include <stdlib.h>
#include <string.h>

void wr_init(wr *w, data *d)
{
    w->p = d->buf, w->n = 0, w->cap = d->buf_cap, w->bad = 0;
}

void wr_bytes(wr *w, const void *b, size_t len)
{
    if (w->bad || w->n + len > w->cap) {
        w->bad = 1;
        return;
    }
    memcpy(w->p + w->n, b, len);
    w->n += len;
}

static void wr_le(wr *w, uint64_t v, int n)
{
    uint8_t b[8];
    for (int k = 0; k < n; k++) b[k] = (uint8_t)(v >> (8 * k));
    wr_bytes(w, b, (size_t)n);
}

void wr_u8(wr *w, uint8_t v) { wr_le(w, v, 1); }
void wr_u16(wr *w, uint16_t v) { wr_le(w, v, 2); }
void wr_u32(wr *w, uint32_t v) { wr_le(w, v, 4); }
void wr_u64(wr *w, uint64_t v) { wr_le(w, v, 8); }

void rd_init(rd *r, const cp_msg *m)
{
    r->p = m->data, r->n = m->len, r->off = 0, r->bad = 0;
}

const uint8_t *rd_bytes(rd *r, size_t len)
{
    if (r->bad || len > r->n - r->off) {
        r->bad = 1;
        return NULL;
    }
    const uint8_t *p = r->p + r->off;
    r->off += len;
    return p;
}

static uint64_t rd_le(rd *r, int n)
{
    const uint8_t *p = rd_bytes(r, (size_t)n);
    uint64_t v = 0;
    for (int k = 0; p && k < n; k++) v |= (uint64_t)p[k] << (8 * k);
    return v;
}

uint8_t rd_u8(rd *r) { return (uint8_t)rd_le(r, 1); }
uint16_t rd_u16(rd *r) { return (uint16_t)rd_le(r, 2); }
uint32_t rd_u32(rd *r) { return (uint32_t)rd_le(r, 4); }
uint64_t rd_u64(rd *r) { return rd_le(r, 8); }

int rd_done(const rd *r) { return !r->bad && r->off == r->n; }

void wr_chunk(wr *w, const data *d, uint32_t ci)
{
    uint32_t len = d->ch[ci].len;
    if (w->bad || w->n + len > w->cap) {
        w->bad = 1;
        return;
    }
    data_chunk_fill(d, ci, w->p + w->n);
    w->n += len;
}
