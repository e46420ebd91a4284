/* core/dpor/dpor.c: DPoR schedule, RPT and election (contract in dpor.h). Invariant: every
 * result is a function of the inputs and the seed only; elected lists never repeat a node
 * (except the default padding CPChain itself allows when candidates are few). */
#include "core/dpor/dpor.h"

#include <stdlib.h>
#include <string.h>

#include "core/env.h"

const dpor_weights dpor_cpchain_weights = {50, 15, 10, 15, 10, 1, 1000};

uint64_t dpor_term_of(uint64_t h, uint32_t tl, uint32_t vl) { return h == 0 ? 0 : (h - 1) / ((uint64_t)tl * vl); }
int dpor_is_checkpoint(uint64_t h, uint32_t tl, uint32_t vl) { return h > 0 && h % ((uint64_t)tl * vl) == 0; }
uint32_t dpor_seat_of(uint64_t h, uint32_t tl, uint32_t vl)
{
    return h == 0 ? 0 : (uint32_t)(((h - 1) % ((uint64_t)tl * vl)) % tl);
}

/* ---- reputation -------------------------------------------------------------------- */

static int cmp_desc(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return (x < y) - (x > y);
}

/* rank of v among vals (n): int((1 - idx/n) * 100), idx = first index in descending order */
static int64_t rank_in(uint64_t v, const uint64_t *sorted_desc, size_t n)
{
    size_t idx = 0;
    while (idx < n && sorted_desc[idx] != v) idx++;
    return (int64_t)((1.0 - (double)idx / (double)n) * 100.0);
}

static void dim_ranks(const dpor_cand *c, size_t n, size_t off, int64_t *out, uint64_t *tmp)
{
    for (size_t i = 0; i < n; i++) memcpy(&tmp[i], (const char *)&c[i] + off, sizeof *tmp);
    qsort(tmp, n, sizeof *tmp, cmp_desc);
    for (size_t i = 0; i < n; i++) {
        uint64_t v;
        memcpy(&v, (const char *)&c[i] + off, sizeof v);
        out[i] = rank_in(v, tmp, n);
    }
}

void dpor_rpt(const dpor_cand *c, size_t n, const dpor_weights *w, int64_t *rpt)
{
    uint64_t *tmp = malloc((n ? n : 1) * sizeof *tmp);
    int64_t *ab = malloc((n ? n : 1) * 3 * sizeof *ab);
    if (!tmp || !ab) {
        for (size_t i = 0; i < n; i++) rpt[i] = w->floor;
        free(tmp), free(ab);
        return;
    }
    int64_t *tx = ab + n, *bm = ab + 2 * n;
    dim_ranks(c, n, offsetof(dpor_cand, balance), ab, tmp);
    dim_ranks(c, n, offsetof(dpor_cand, txs), tx, tmp);
    dim_ranks(c, n, offsetof(dpor_cand, blocks), bm, tmp);
    for (size_t i = 0; i < n; i++) {
        int64_t r = (int64_t)w->ab * ab[i] + (int64_t)w->tx * tx[i] + (int64_t)w->bm * bm[i]; /* DC, PR: 0 */
        if (w->penalty && c[i].impeached > 0)
            r = c[i].impeached > 9 ? 0 : (int64_t)((double)r * (1.0 - (double)c[i].impeached / 9.0));
        rpt[i] = r > w->floor ? r : w->floor;
    }
    free(tmp), free(ab);
}

/* ---- election ---------------------------------------------------------------------- */

typedef struct cand_rpt {
    int64_t rpt;
    uint32_t node;
} cand_rpt;

static int cmp_cand(const void *a, const void *b)
{
    const cand_rpt *x = a, *y = b;
    if (x->rpt != y->rpt) return (x->rpt > y->rpt) - (x->rpt < y->rpt);
    return (x->node > y->node) - (x->node < y->node);
}

/* k of list[0..n) by RPT-weighted sampling without replacement (rejection, as CPChain). */
static size_t weighted(const cand_rpt *list, size_t n, size_t k, cp_rng *r, uint32_t *out)
{
    if (n <= k) {
        for (size_t i = 0; i < n; i++) out[i] = list[i].node;
        return n;
    }
    uint64_t sum = 0;
    for (size_t i = 0; i < n; i++) sum += (uint64_t)(list[i].rpt > 0 ? list[i].rpt : 1);
    unsigned char taken[4096] = {0};
    size_t got = 0;
    while (got < k) {
        uint64_t x = rng_below(r, sum), cum = 0;
        size_t i = 0;
        for (; i < n; i++) {
            cum += (uint64_t)(list[i].rpt > 0 ? list[i].rpt : 1);
            if (x <= cum) break; /* election/elect.go findHit: hit <= sum */
        }
        if (!taken[i]) taken[i] = 1, out[got++] = list[i].node;
    }
    return got;
}

size_t dpor_elect(const uint32_t *nodes, const int64_t *rpt, size_t n, uint64_t seed, size_t total,
                  size_t low_count, size_t low_seats, uint32_t *out)
{
    if (total > n || n > 4096 || low_seats > total) return 0;
    cand_rpt *c = malloc(n * sizeof *c);
    if (!c) return 0;
    for (size_t i = 0; i < n; i++) c[i] = (cand_rpt){rpt[i], nodes[i]};
    qsort(c, n, sizeof *c, cmp_cand);
    if (low_count > n) low_count = n;
    cp_rng r;
    rng_seed(&r, seed, 0, 0x656c656374ull /* "elect" */);
    size_t k = weighted(c, low_count, low_seats, &r, out);
    k += weighted(c + low_count, n - low_count, total - low_seats, &r, out + k);
    free(c);
    return k;
}

static int member(const uint32_t *list, size_t n, uint32_t x)
{
    for (size_t i = 0; i < n; i++)
        if (list[i] == x) return 1;
    return 0;
}

/* 4 defaults not already elected, drawn at random (in draw order). */
static size_t choose_defaults(const uint32_t *defs, size_t nd, const uint32_t *elected, size_t ne, cp_rng *r,
                              uint32_t *out)
{
    uint32_t pool[4096];
    size_t np = 0, got = 0;
    for (size_t i = 0; i < nd && np < 4096; i++)
        if (!member(elected, ne, defs[i])) pool[np++] = defs[i];
    while (got < 4 && np > 0) {
        size_t j = (size_t)rng_below(r, np);
        out[got++] = pool[j];
        pool[j] = pool[--np];
    }
    return got;
}

int dpor_proposers(const uint32_t *nodes, const int64_t *rpt, size_t n, const uint32_t *defaults,
                   size_t n_defaults, uint64_t seed, uint32_t term_len, uint32_t *out)
{
    if (term_len <= 4) {
        size_t k = dpor_elect(nodes, rpt, n, seed, term_len, 2, 2, out);
        for (size_t i = k; i < term_len; i++) {
            if (!n_defaults) return -1;
            out[i] = defaults[(i - k) % n_defaults];
        }
        return 0;
    }
    uint32_t elected[4096], chosen[4];
    size_t seats = term_len - 4 < 8 ? term_len - 4 : 8;
    size_t k = dpor_elect(nodes, rpt, n, seed, seats, n / 2, seats / 4, elected);
    for (size_t i = 0; k < term_len - 4; i++) { /* pad with defaults (may repeat, as CPChain) */
        if (!n_defaults) return -1;
        elected[k++] = defaults[i % n_defaults];
    }
    cp_rng r;
    rng_seed(&r, seed, 1, 0x696e73657274ull /* "insert" */);
    if (choose_defaults(defaults, n_defaults, elected, k, &r, chosen) < 4) return -1;
    size_t per = (term_len - 4) / 4, w = 0, e = 0; /* four slices: per elected + one default */
    for (size_t s = 0; s < 4; s++) {
        size_t take = s < 3 ? per : k - e;
        uint32_t slice[4096];
        for (size_t i = 0; i < take; i++) slice[i] = elected[e++];
        size_t pos = (size_t)rng_below(&r, take + 1);
        memmove(slice + pos + 1, slice + pos, (take - pos) * sizeof *slice);
        slice[pos] = chosen[s];
        for (size_t i = 0; i <= take; i++) out[w++] = slice[i];
    }
    return 0;
}
