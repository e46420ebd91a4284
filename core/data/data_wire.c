/* core/data/data_wire.c: the data platform's side of core/wire.h: a writer on the data's
 * message buffer, a reader of a message, and a chunk's bytes written in place (regenerated
 * for a lazy record). The invariants are core/wire.h's: a handler reads a whole message and
 * checks rd_done() once, before acting. */
#include "core/data/data_int.h"

#include <stdlib.h>
#include <string.h>

void wr_init(wr *w, data *d) { wire_w_init(w, d->buf, d->buf_cap); }

void rd_init(rd *r, const cp_msg *m) { wire_r_init(r, m->data, m->len); }

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
