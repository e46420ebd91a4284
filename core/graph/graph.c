/* core/graph/graph.c: random peer graphs (contract in graph.h). Invariant: the graph is a
 * function of (n, degree, seed, stream) only; no self loops; every link appears in both
 * endpoints' sorted lists exactly once. */
#include "core/graph/graph.h"

#include <stdlib.h>
#include <string.h>

#include "core/env.h"

static int cmp_u32(const void *a, const void *b)
{
    uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
    return (x > y) - (x < y);
}

/* Each node draws `deg` distinct peers; returns the directed edge list (n*deg pairs). */
static uint32_t *draw_edges(uint32_t n, uint32_t deg, uint64_t seed, uint64_t stream)
{
    uint32_t *e = malloc((size_t)n * deg * sizeof *e);
    if (!e) return NULL;
    for (uint32_t v = 0; v < n; v++) {
        cp_rng r;
        rng_seed(&r, seed, v, stream);
        uint32_t *mine = e + (size_t)v * deg;
        for (uint32_t k = 0; k < deg; k++) {
            uint32_t p;
            int dup;
            do {
                p = (uint32_t)rng_below(&r, n - 1);
                if (p >= v) p++;
                dup = 0;
                for (uint32_t j = 0; j < k; j++) dup |= mine[j] == p;
            } while (dup);
            mine[k] = p;
        }
    }
    return e;
}

/* Undirected CSR from the directed list, with duplicates (a->b and b->a) merged. */
static int build_csr(graph *g, const uint32_t *e, uint32_t deg)
{
    uint32_t n = g->n;
    uint32_t *cnt = calloc((size_t)n + 1, sizeof *cnt);
    uint32_t *off = malloc(((size_t)n + 1) * sizeof *off);
    uint32_t *adj = malloc((size_t)n * deg * 2 * sizeof *adj);
    if (!cnt || !off || !adj) {
        free(cnt), free(off), free(adj);
        return -1;
    }
    for (size_t i = 0; i < (size_t)n * deg; i++) cnt[i / deg]++, cnt[e[i]]++;
    off[0] = 0;
    for (uint32_t v = 0; v < n; v++) off[v + 1] = off[v] + cnt[v];
    memset(cnt, 0, (size_t)n * sizeof *cnt);
    for (size_t i = 0; i < (size_t)n * deg; i++) {
        uint32_t a = (uint32_t)(i / deg), b = e[i];
        adj[off[a] + cnt[a]++] = b;
        adj[off[b] + cnt[b]++] = a;
    }
    uint32_t w = 0; /* sort and dedupe each list, compacting in place */
    for (uint32_t v = 0; v < n; v++) {
        uint32_t s = off[v], t = off[v + 1];
        qsort(adj + s, t - s, sizeof *adj, cmp_u32);
        off[v] = w;
        for (uint32_t i = s; i < t; i++)
            if (i == s || adj[i] != adj[i - 1]) adj[w++] = adj[i];
    }
    off[n] = w;
    free(cnt);
    g->off = off;
    g->adj = realloc(adj, (w ? w : 1) * sizeof *adj);
    if (!g->adj) g->adj = adj;
    return 0;
}

int graph_random(graph *g, uint32_t n, uint32_t degree, uint64_t seed, uint64_t stream)
{
    memset(g, 0, sizeof *g);
    if (n < 2 || degree < 1 || degree >= n) return -1;
    g->n = n;
    uint32_t *e = draw_edges(n, degree, seed, stream);
    int rc = e ? build_csr(g, e, degree) : -1;
    free(e);
    return rc;
}

void graph_free(graph *g)
{
    free(g->off);
    free(g->adj);
    memset(g, 0, sizeof *g);
}
