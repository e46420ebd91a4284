/* sim/des/evl.h: the engine's pending-event set: a small heap for the near future in front of
 * a one-rung ladder of time buckets and an unsorted far list (prefix evl_).
 *
 * Order: exactly the order of evq.h (time, then key), so an engine gives the same results with
 * either. Tiers: `near` (an evq heap) holds every event with time < bound; bucket j of the rung
 * holds, unsorted, the events with time in [base + j * 2^shift, base + (j + 1) * 2^shift) for
 * j >= cur (bound = base + cur * 2^shift); `top` holds, unsorted, everything at or after the
 * rung's end. Invariant: near is non-empty whenever the set is, so its root is the minimum. When
 * near runs empty the next non-empty bucket becomes the heap (its array, heapified); when the
 * rung runs out, it is rebuilt from top with about EVL_PER_BUCKET events per bucket.
 *
 * Why: a simulation with many far-future events (a workload's timers drawn at start, retry
 * timers) would otherwise keep them all in one heap, whose lower levels miss the cache on
 * every push and pop; here they wait in buckets and only the near future is a heap.
 * Ownership: the set owns its arrays; events are plain values. Must not touch: anything outside
 * sim/des. */
#ifndef EVL_H
#define EVL_H

#include <stdint.h>
#include <stdlib.h>

#include "sim/des/evq.h"

#define EVL_PER_BUCKET 32u
#define EVL_MAX_BUCKETS (1u << 22)

typedef struct evl_bucket {
    des_ev *a;
    uint32_t n, cap;
} evl_bucket;

typedef struct evl {
    evq near;
    evl_bucket *b;
    uint32_t nb, cur, cap_b;
    unsigned shift;
    uint64_t base, bound;
    des_ev *top;
    size_t n_top, cap_top;
    uint64_t top_min, top_max;
    size_t n;     /* events in all tiers */
    int oom;      /* an allocation failed: events may have been lost */
} evl;

static inline void evl_init(evl *q)
{
    *q = (evl){{NULL, 0, 0}, NULL, 0, 0, 0, 0, 0, 0, NULL, 0, 0, UINT64_MAX, 0, 0, 0};
}

static inline int evl_append(des_ev **a, uint32_t *n, uint32_t *cap, const des_ev *e)
{
    if (*n == *cap) {
        uint32_t nc = *cap ? *cap * 2 : 16;
        des_ev *p = realloc(*a, (size_t)nc * sizeof *p);
        if (!p) return -1;
        *a = p;
        *cap = nc;
    }
    (*a)[(*n)++] = *e;
    return 0;
}

/* Bottom-up heapify of the near heap (after a bucket became its array). */
static inline void evl_heapify(evq *h)
{
    const size_t d = EVQ_ARITY, n = h->n;
    if (n < 2) return;
    for (size_t s = (n - 2) / d + 1; s-- > 0;) {
        des_ev x = h->a[s];
        size_t i = s;
        for (;;) {
            size_t c = i * d + 1;
            if (c >= n) break;
            size_t best = c, end = c + d < n ? c + d : n;
            for (size_t k = c + 1; k < end; k++)
                if (evq_less(&h->a[k], &h->a[best])) best = k;
            if (!evq_less(&h->a[best], &x)) break;
            h->a[i] = h->a[best];
            i = best;
        }
        h->a[i] = x;
    }
}

/* Rebuild the rung from top: base = the earliest time, bucket width the smallest power of two
 * that needs at most about n_top / EVL_PER_BUCKET buckets. */
static inline int evl_rebuild(evl *q)
{
    uint64_t span = q->top_max - q->top_min, want = q->n_top / EVL_PER_BUCKET;
    if (want < 1) want = 1;
    if (want > EVL_MAX_BUCKETS) want = EVL_MAX_BUCKETS;
    unsigned s = 0;
    while (s < 63 && (span >> s) >= want) s++;
    uint32_t nb = (uint32_t)(span >> s) + 1;
    if (nb > q->cap_b) {
        evl_bucket *p = realloc(q->b, (size_t)nb * sizeof *p);
        if (!p) return -1;
        for (uint32_t j = q->cap_b; j < nb; j++) p[j] = (evl_bucket){NULL, 0, 0};
        q->b = p;
        q->cap_b = nb;
    }
    for (uint32_t j = 0; j < nb; j++) q->b[j].n = 0;
    q->base = q->top_min;
    q->shift = s;
    q->nb = nb;
    q->cur = 0;
    q->bound = q->base;
    for (size_t i = 0; i < q->n_top; i++) {
        evl_bucket *bk = &q->b[(q->top[i].time - q->base) >> s];
        if (evl_append(&bk->a, &bk->n, &bk->cap, &q->top[i])) return -1;
    }
    q->n_top = 0;
    q->top_min = UINT64_MAX;
    q->top_max = 0;
    return 0;
}

/* Restore the invariant: refill an empty near heap from the next bucket (rebuilding the rung
 * from top when it ran out). */
static inline void evl_settle(evl *q)
{
    while (q->near.n == 0 && q->n) {
        while (q->cur < q->nb && q->b[q->cur].n == 0) q->cur++;
        if (q->cur == q->nb) {
            if (evl_rebuild(q)) {
                q->oom = 1;
                return;
            }
            continue;
        }
        evl_bucket *bk = &q->b[q->cur++];
        free(q->near.a); /* not kept for the bucket: every bucket would end up heap-sized */
        q->near.a = bk->a;
        q->near.n = bk->n;
        q->near.cap = bk->cap;
        *bk = (evl_bucket){NULL, 0, 0};
        uint64_t cur = q->cur, off = cur << q->shift; /* saturated when past the largest time */
        q->bound = (cur >> (63 - q->shift)) == 0 && off <= UINT64_MAX - q->base ? q->base + off : UINT64_MAX;
        evl_heapify(&q->near);
    }
}

static inline int evl_push(evl *q, const des_ev *e)
{
    int rc;
    if (e->time < q->bound) {
        rc = evq_push(&q->near, e);
    } else {
        uint64_t j = (e->time - q->base) >> q->shift;
        if (j < q->cur) { /* only when bound saturated: below the true bound */
            rc = evq_push(&q->near, e);
        } else if (j < q->nb) {
            evl_bucket *bk = &q->b[j];
            rc = evl_append(&bk->a, &bk->n, &bk->cap, e);
        } else {
            if (q->n_top == q->cap_top) {
                size_t nc = q->cap_top ? q->cap_top * 2 : 1024;
                des_ev *p = realloc(q->top, nc * sizeof *p);
                if (!p) return -1;
                q->top = p;
                q->cap_top = nc;
            }
            q->top[q->n_top++] = *e;
            if (e->time < q->top_min) q->top_min = e->time;
            if (e->time > q->top_max) q->top_max = e->time;
            rc = 0;
        }
    }
    if (rc) return rc;
    q->n++;
    if (q->near.n == 0) evl_settle(q);
    return q->oom ? -1 : 0;
}

/* The earliest event, or NULL when empty. */
static inline const des_ev *evl_peek(const evl *q) { return q->near.n ? &q->near.a[0] : NULL; }

/* Remove the earliest event into *out; the set must not be empty. */
static inline void evl_pop(evl *q, des_ev *out)
{
    evq_pop(&q->near, out);
    q->n--;
    if (q->near.n == 0) evl_settle(q);
}

/* Call fn(ctx, e) for every pending event, in no particular order. */
static inline void evl_each(const evl *q, void (*fn)(void *ctx, const des_ev *e), void *ctx)
{
    for (size_t i = 0; i < q->near.n; i++) fn(ctx, &q->near.a[i]);
    for (uint32_t j = q->cur; j < q->nb; j++)
        for (uint32_t i = 0; i < q->b[j].n; i++) fn(ctx, &q->b[j].a[i]);
    for (size_t i = 0; i < q->n_top; i++) fn(ctx, &q->top[i]);
}

static inline void evl_free(evl *q)
{
    evq_free(&q->near);
    for (uint32_t j = 0; j < q->cap_b; j++) free(q->b[j].a);
    free(q->b);
    free(q->top);
    evl_init(q);
}

#endif
