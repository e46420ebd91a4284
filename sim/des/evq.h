/* sim/des/evq.h: the pending-event set of the built-in engine: a d-ary min-heap of 32-byte
 * events stored inline, ordered by (time, key). key = seq << 8 | kind, and seq is unique and
 * increasing, so the order is total and ties in time are broken by insertion order.
 *
 * The arity is a compile-time argument of the inline functions (2 or 4 are used); the engine
 * uses EVQ_ARITY, chosen by `cpsim bench heap` (see README: 4-ary measured faster than binary
 * at 10^4..10^6 pending events on this class of machine).
 * Ownership: the queue owns its array; events are plain values. Must not touch: anything
 * outside sim/des. */
#ifndef EVQ_H
#define EVQ_H

#include <stdint.h>
#include <stdlib.h>

#ifndef EVQ_ARITY
#define EVQ_ARITY 4
#endif

typedef struct des_ev {
    uint64_t time;
    uint64_t key;  /* seq << 8 | kind */
    uint32_t node; /* the node the event is for */
    uint32_t aux;  /* sender (messages), timer slot (timers), change index (changes) */
    void *ptr;     /* cp_msg* (messages), generation (timers) */
} des_ev;

typedef struct evq {
    des_ev *a;
    size_t n, cap;
} evq;

static inline int evq_less(const des_ev *x, const des_ev *y)
{
    /* one 128-bit comparison: branch-free on x86-64 (cmp + sbb) */
    unsigned __int128 a = (unsigned __int128)x->time << 64 | x->key;
    unsigned __int128 b = (unsigned __int128)y->time << 64 | y->key;
    return a < b;
}

static inline int evq_grow(evq *q)
{
    size_t cap = q->cap ? q->cap * 2 : 1024;
    des_ev *a = realloc(q->a, cap * sizeof *a);
    if (!a) return -1;
    q->a = a;
    q->cap = cap;
    return 0;
}

static inline int evq_push_d(evq *q, const des_ev *e, const unsigned d)
{
    if (q->n == q->cap && evq_grow(q) != 0) return -1;
    size_t i = q->n++;
    while (i > 0) {
        size_t p = (i - 1) / d;
        if (!evq_less(e, &q->a[p])) break;
        q->a[i] = q->a[p];
        i = p;
    }
    q->a[i] = *e;
    return 0;
}

/* Remove the minimum into *out; the queue must not be empty. */
static inline void evq_pop_d(evq *q, des_ev *out, const unsigned d)
{
    *out = q->a[0];
    des_ev last = q->a[--q->n];
    size_t n = q->n, i = 0;
    for (;;) {
        size_t c = i * d + 1;
        if (c >= n) break;
        size_t best = c, end = c + d < n ? c + d : n;
        for (size_t k = c + 1; k < end; k++)
            if (evq_less(&q->a[k], &q->a[best])) best = k;
        if (!evq_less(&q->a[best], &last)) break;
        q->a[i] = q->a[best];
        i = best;
    }
    if (n) q->a[i] = last;
}

static inline int evq_push(evq *q, const des_ev *e) { return evq_push_d(q, e, EVQ_ARITY); }
static inline void evq_pop(evq *q, des_ev *out) { evq_pop_d(q, out, EVQ_ARITY); }
static inline void evq_free(evq *q)
{
    free(q->a);
    q->a = NULL;
    q->n = q->cap = 0;
}

#endif
