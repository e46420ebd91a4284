/* core/lbft/lbft_elect.c: the proposer schedule of LBFT (contract in lbft.h): the proposer
 * of a height from its term's elected list, or the default proposers in rotation; at each
 * checkpoint the DPoR election (core/dpor) of the term three ahead from the candidates' RPT
 * over the chain so far, seeded by the checkpoint's hash.
 *
 * Invariant: the election reads only what every honest validator agreed on (the first
 * inserted block of each height), so every node sees the same schedule. */
#include "core/lbft/lbft_int.h"

/* ---- schedule ----------------------------------------------------------------------- */

uint32_t lbft_proposer_of(const lbft *l, uint64_t height)
{
    uint64_t t = dpor_term_of(height, l->cfg.term_len, l->cfg.view_len);
    uint32_t seat = dpor_seat_of(height, l->cfg.term_len, l->cfg.view_len);
    if (t < l->n_terms && l->term_set[t]) return l->terms[t * l->cfg.term_len + seat];
    uint32_t d = l->cfg.default_proposers && l->cfg.default_proposers < l->cfg.proposers ? l->cfg.default_proposers
                                                                                           : l->cfg.proposers;
    return l->n + seat % d;
}

/* The stake of a candidate: a fixed random balance per node and seed (no token economy yet). */
static uint64_t balance_of(const lbft *l, uint32_t node)
{
    cp_rng r;
    rng_seed(&r, l->cfg.seed, node, 0x62616c616e6365ull /* "balance" */);
    return 200000 + rng_below(&r, 800000);
}

static void candidate_stats(const lbft *l, uint64_t cp, uint32_t node, dpor_cand *c)
{
    *c = (dpor_cand){node, balance_of(l, node), 0, 0, 0};
    for (uint64_t h = cp > 100 ? cp - 99 : 1; h <= cp; h++)
        c->blocks += l->first_set[h] && l->first_prop[h] == node;
    for (uint64_t h = cp > 10000 ? cp - 9999 : 1; h <= cp; h++)
        c->impeached += l->first_set[h] && l->first_prop[h] == NONE && lbft_proposer_of(l, h) == node;
}

/* At checkpoint cp (first inserted anywhere), elect the proposers of term(cp) + 3. */
void lbft_elect_term(lbft *l, uint64_t cp)
{
    uint32_t d = l->cfg.default_proposers < l->cfg.proposers ? l->cfg.default_proposers : l->cfg.proposers;
    uint32_t nc = l->cfg.proposers - d, tl = l->cfg.term_len;
    uint64_t t = dpor_term_of(cp, tl, l->cfg.view_len) + 3;
    if (nc == 0 || nc > 4096) return; /* no candidates: the defaults rotate */
    if (t >= l->n_terms) {
        uint64_t cap = (t + 1) * 2;
        void *a = realloc(l->terms, cap * tl * sizeof *l->terms), *b = realloc(l->term_set, cap);
        if (!a || !b) return;
        l->terms = a, l->term_set = b;
        memset(l->term_set + l->n_terms, 0, cap - l->n_terms);
        l->n_terms = cap;
    }
    dpor_cand *c = malloc(nc * sizeof *c);
    uint32_t *nodes = malloc(nc * sizeof *nodes), *defs = malloc((d ? d : 1) * sizeof *defs);
    int64_t *rpt = malloc(nc * sizeof *rpt);
    if (c && nodes && defs && rpt) {
        for (uint32_t i = 0; i < nc; i++) nodes[i] = l->n + d + i, candidate_stats(l, cp, nodes[i], &c[i]);
        for (uint32_t i = 0; i < d; i++) defs[i] = l->n + i;
        dpor_rpt(c, nc, &dpor_cpchain_weights, rpt);
        if (dpor_proposers(nodes, rpt, nc, defs, d, get64(l->first_hash[cp]), tl, l->terms + t * tl) == 0)
            l->term_set[t] = 1;
    }
    free(c), free(nodes), free(defs), free(rpt);
}

