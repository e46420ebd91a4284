/* core/graph/graph.h: random peer graphs for gossip (flooding blocks, civilians' block
 * relay). Each node draws `degree` distinct random peers other than itself from its own
 * stream (seed, node, stream); links are bidirectional and merged, so a node has about
 * 2 * degree neighbours. Stored as CSR with each neighbour list sorted.
 * Ownership: graph_random fills a caller-owned struct; graph_free releases its arrays.
 * Must not touch: sim/. */
#ifndef GRAPH_H
#define GRAPH_H

#include <stdint.h>

typedef struct graph {
    uint32_t n;
    uint32_t *off;  /* n + 1 offsets into adj */
    uint32_t *adj;
} graph;

/* 0, or -1 on bad parameters (n < 2, degree >= n) or memory. */
int graph_random(graph *g, uint32_t n, uint32_t degree, uint64_t seed, uint64_t stream);
void graph_free(graph *g);
static inline const uint32_t *graph_neighbors(const graph *g, uint32_t v, uint32_t *count)
{
    *count = g->off[v + 1] - g->off[v];
    return g->adj + g->off[v];
}

#endif
