/* core/dpor/dpor.h: DPoR, CPChain's proposer election (the project's reference notes, sections
 * 3 and 4): terms of TermLen x ViewLen heights, RPT reputation ranked over the candidates, and
 * the election at each checkpoint of the proposers of a future term: a low-RPT and a high-RPT
 * part drawn by weighted sampling without replacement, padded with default proposers, and
 * (for TermLen > 4) four default-proposer seats inserted evenly. Seeded by the checkpoint
 * block's hash, so every node computes the same list; the random source is cpsim's per-seed
 * stream, not Go's math/rand (so lists differ from CPChain's bit for bit, not in law).
 *
 * Pure functions over caller-provided arrays: no allocation beyond what is stated, no state.
 * Must not touch: sim/. */
#ifndef DPOR_H
#define DPOR_H

#include <stddef.h>
#include <stdint.h>

/* ---- schedule ---------------------------------------------------------------------- */

uint64_t dpor_term_of(uint64_t height, uint32_t term_len, uint32_t view_len);   /* 0-based */
int dpor_is_checkpoint(uint64_t height, uint32_t term_len, uint32_t view_len);  /* last of a term */
uint32_t dpor_seat_of(uint64_t height, uint32_t term_len, uint32_t view_len);   /* proposer index */

/* ---- reputation -------------------------------------------------------------------- */

typedef struct dpor_cand {
    uint32_t node;
    uint64_t balance;        /* AB: account balance */
    uint64_t txs;            /* TX: transactions sent in the window */
    uint64_t blocks;         /* BM: blocks proposed in the window */
    uint64_t impeached;      /* impeached blocks in the penalty window */
} dpor_cand;

typedef struct dpor_weights {
    uint32_t ab, tx, bm, dc, pr;  /* CPChain: 50, 15, 10, 15, 10 (DC and PR are 0 in its code) */
    int penalty;                  /* apply the impeachment penalty (1 - k/9, 0 past 9) */
    int64_t floor;                /* minimum RPT (1000) */
} dpor_weights;

extern const dpor_weights dpor_cpchain_weights;

/* RPT of every candidate: rank of each dimension (top = 100, int((1 - idx/len) * 100) with idx
 * the first position in the descending order), weighted, penalised, floored. */
void dpor_rpt(const dpor_cand *c, size_t n, const dpor_weights *w, int64_t *rpt);

/* ---- election ---------------------------------------------------------------------- */

/* Elect(): sort by (rpt, node) ascending; the first low_count are the low group; draw
 * low_seats from it and total - low_seats from the rest, each by RPT-weighted sampling without
 * replacement (all of a group if it is small enough). Returns the number written to out
 * (total at most), or 0 when total > n, as CPChain does. Needs n <= 4096. */
size_t dpor_elect(const uint32_t *nodes, const int64_t *rpt, size_t n, uint64_t seed, size_t total,
                  size_t low_count, size_t low_seats, uint32_t *out);

/* The proposers of one term (term_len seats) from the candidates and the default proposers,
 * as updateProposers does: for term_len > 4, 8 elected seats (2 low, 6 high; low group = the
 * lower half by RPT), padded with defaults if fewer, and 4 default seats chosen at random
 * among the defaults not elected, one inserted at a random place in each quarter of the
 * list; otherwise Elect(term_len, 2, 2). out has term_len entries; returns 0, or -1 if there
 * are not enough defaults to fill the seats. */
int dpor_proposers(const uint32_t *nodes, const int64_t *rpt, size_t n, const uint32_t *defaults,
                   size_t n_defaults, uint64_t seed, uint32_t term_len, uint32_t *out);

#endif
