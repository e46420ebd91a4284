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

/* A candidate's RPT inputs at checkpoint cp: the blocks it proposed in [cp - window, cp)
 * (rpt_calc2.go: MaintenanceInfoOf, offset(num, windowSize) .. num - 1) and its impeached
 * heights in the penalty window (impeachPunishmentWindowSize = 10000). */
static void candidate_stats(const lbft *l, uint64_t cp, uint32_t node, dpor_cand *c)
{
    uint64_t win = l->cfg.rpt_window;
    *c = (dpor_cand){node, balance_of(l, node), 0, 0, 0};
    for (uint64_t h = cp > win ? cp - win : 1; h < cp; h++)
        c->blocks += l->first_set[h] && l->first_prop[h] == node;
    for (uint64_t h = cp > 10000 ? cp - 9999 : 1; h <= cp; h++)
        c->impeached += l->first_set[h] && l->first_prop[h] == NONE && lbft_proposer_of(l, h) == node;
}

/* snapshot.go isStartElection: checkpoints from MaxInitBlockNumber - 2 terms on elect. */
static int election_started(const lbft *l, uint64_t cp)
{
    uint64_t span = 2 * (uint64_t)l->cfg.term_len * l->cfg.view_len;
    return cp + span >= l->cfg.max_init_block;
}

/* snapshot.go updateCandidates: this term's campaigners (every RNode candidate) if there are
 * at least term_len of them, else the default candidates (the default proposers); more than
 * max_candidates: that many drawn by the seed, each from those left (choseSomeAddresses).
 * Writes the candidates to out (room for every proposer); returns how many (0: no election). */
static uint32_t candidates_of(const lbft *l, uint32_t d, uint64_t seed, uint32_t *out)
{
    uint32_t nc = l->cfg.proposers - d, tl = l->cfg.term_len, k = 0;
    if (nc >= tl)
        for (uint32_t i = 0; i < nc; i++) out[k++] = l->n + d + i;
    else if (d >= tl)
        for (uint32_t i = 0; i < d; i++) out[k++] = l->n + i;
    else
        return 0; /* too few defaults to stand in: they keep rotating */
    if (k <= l->cfg.max_candidates) return k;
    cp_rng r;
    rng_seed(&r, seed, 0, 0x63616e64ull /* "cand" */);
    for (uint32_t i = 0; i < l->cfg.max_candidates; i++) { /* a partial shuffle, keeping the draw order */
        uint32_t j = i + (uint32_t)rng_below(&r, k - i), x = out[j];
        memmove(out + i + 1, out + i, (size_t)(j - i) * sizeof *out);
        out[i] = x;
    }
    return l->cfg.max_candidates;
}

static int terms_grow(lbft *l, uint64_t t)
{
    if (t < l->n_terms) return 0;
    uint64_t cap = (t + 1) * 2;
    void *a = realloc(l->terms, cap * l->cfg.term_len * sizeof *l->terms), *b = realloc(l->term_set, cap);
    if (a) l->terms = a;
    if (b) l->term_set = b;
    if (!a || !b) return -1;
    memset(l->term_set + l->n_terms, 0, cap - l->n_terms);
    l->n_terms = cap;
    return 0;
}

/* Elect term t's proposers at checkpoint cp from the candidates' RPT (the impeach penalty
 * only from rpt_penalty_from on: rpt.go CalcRptInfo uses the penalty-free collector before
 * NewRptWithImpeachPunishmentPivotBlockNumber). */
static void elect(lbft *l, uint64_t cp, uint64_t t, uint32_t d)
{
    uint64_t seed = get64(l->first_hash[cp]);
    uint32_t *nodes = malloc(((size_t)l->cfg.proposers + 1) * sizeof *nodes), *defs = malloc((d ? d : 1) * sizeof *defs);
    dpor_cand *c = malloc(((size_t)l->cfg.proposers + 1) * sizeof *c);
    int64_t *rpt = malloc(((size_t)l->cfg.proposers + 1) * sizeof *rpt);
    if (nodes && defs && c && rpt) {
        uint32_t nc = candidates_of(l, d, seed, nodes), tl = l->cfg.term_len;
        for (uint32_t i = 0; i < nc; i++) candidate_stats(l, cp, nodes[i], &c[i]);
        for (uint32_t i = 0; i < d; i++) defs[i] = l->n + i;
        dpor_weights w = dpor_cpchain_weights;
        w.penalty = cp >= l->cfg.rpt_penalty_from;
        dpor_rpt(c, nc, &w, rpt);
        if (nc && nc <= 4096 && dpor_proposers(nodes, rpt, nc, defs, d, seed, tl, l->terms + t * tl) == 0) l->term_set[t] = 1;
    }
    free(c), free(nodes), free(defs), free(rpt);
}

/* At checkpoint cp (first inserted anywhere), as snapshot.go updateProposers does: from the
 * election start on, elect the proposers of term(cp) + 3 (FutureTermOf); up to
 * MaxInitBlockNumber, term(cp) + 1 uses the default proposers (isUseDefaultProposers), which
 * overrides an earlier election of that term. So with CPChain's 180 and 36-height terms,
 * checkpoints 108 and 144 elect terms 5 and 6, checkpoint 180 forces term 5 to the defaults,
 * and term 6 is the first elected one. */
void lbft_elect_term(lbft *l, uint64_t cp)
{
    uint32_t d = l->cfg.default_proposers < l->cfg.proposers ? l->cfg.default_proposers : l->cfg.proposers;
    uint64_t term = dpor_term_of(cp, l->cfg.term_len, l->cfg.view_len);
    if (terms_grow(l, term + 3) != 0) return;
    if (election_started(l, cp)) elect(l, cp, term + 3, d);
    if (cp <= l->cfg.max_init_block) l->term_set[term + 1] = 0;
}
