/* core/lbft/lbft_rec.c: LBFT's invariant checker and the observer's records (contract in
 * lbft.h). Each insertion by a validator runs lbft_record's steps in order: its
 * transactions' heights; for honest validators the certificate check and the one-block-per-
 * height registry (a second hash is a fork), the ledger and the DPoR election on a height's
 * first insertion; for validator 0 (the reference observer) the block record, the
 * transactions' commit times and the commit hook. The liveness checks run after the run.
 *
 * Invariant: the registry holds the first hash any honest validator inserted per height;
 * every violation is counted once and kept in the list (unless memory runs out). */
#include "core/lbft/lbft_int.h"

/* ---- violations ---- */

/* Count a violation and record it (the record is skipped only if memory runs out). */
void lbft_add_violation(lbft *l, cp_time t, uint32_t node, uint64_t height, int kind)
{
    l->violations++;
    if (l->n_vlist == l->cap_vlist) {
        uint64_t cap = l->cap_vlist ? l->cap_vlist * 2 : 16;
        void *a = realloc(l->vlist, cap * sizeof *l->vlist);
        if (!a) return;
        l->vlist = a, l->cap_vlist = cap;
    }
    l->vlist[l->n_vlist++] = (lbft_violation){t, node, height, (uint8_t)kind};
}

void lbft_violate(lbft *l, cp_env *env, uint64_t height, int kind)
{
    lbft_add_violation(l, env_now(env), env->self, height, kind);
}

/* ---- the steps of an insertion ---- */

/* Step 1, every validator: a transaction's height is the first block that included it. */
void lbft_mark_txs(lbft *l, const uint64_t *ids, uint32_t ntx, uint64_t height)
{
    for (uint32_t i = 0; i < ntx; i++)
        if (ids[i] < l->n_tx && !l->tx[ids[i]].height) l->tx[ids[i]].height = height;
}

/* The registry covers height h; -1 if memory runs out. */
static int registry_grow(lbft *l, uint64_t h)
{
    if (h < l->hash_cap) return 0;
    uint64_t cap = (h + 1) * 2;
    void *a = realloc(l->first_hash, cap * 32), *b = realloc(l->first_set, cap);
    void *c = realloc(l->first_prop, cap * sizeof *l->first_prop);
    if (!a || !b || !c) return -1;
    l->first_hash = a, l->first_set = b, l->first_prop = c;
    memset(l->first_set + l->hash_cap, 0, cap - l->hash_cap);
    l->hash_cap = cap;
    return 0;
}

/* Step 2, honest validators: a certificate of at least the quorum of distinct validators, and
 * one block per height across all of them. 1 if this is the height's first insertion, 0 if
 * not, -1 if the registry could not grow. */
static int check_insert(lbft *l, cp_env *env, const uint8_t hdr[HDR], const uint8_t hash[32], const sigset *cert)
{
    uint64_t h = hdr_height(hdr);
    if ((int)cert->count < lbft_quorum(l, hdr_impeach(hdr))) lbft_violate(l, env, h, LBFT_V_SHORT_CERT);
    if (registry_grow(l, h) != 0) return -1;
    if (!l->first_set[h]) {
        l->first_set[h] = 1;
        memcpy(l->first_hash[h], hash, 32);
        l->first_prop[h] = hdr_impeach(hdr) ? NONE : hdr_prop(hdr);
        return 1;
    }
    if (memcmp(l->first_hash[h], hash, 32) != 0)
        lbft_violate(l, env, h, LBFT_V_FORK); /* two honest validators, two blocks, one height */
    return 0;
}

/* Step 3, a height's first insertion: the ledger applies it; a checkpoint elects. */
static void on_first_insert(lbft *l, uint64_t h, const uint64_t *ids, uint32_t ntx)
{
    if (l->lg) lbft_lg_apply(l->lg, h, l->first_prop[h], ids, ntx, l->cfg.memo);
    if (dpor_is_checkpoint(h, l->cfg.term_len, l->cfg.view_len)) lbft_elect_term(l, h);
}

/* Step 4, the observer (validator 0): its block record; NULL if memory runs out. */
static lbft_block_rec *observe_block(lbft *l, cp_env *env, const uint8_t hdr[HDR], const uint8_t hash[32],
                                     uint32_t ntx)
{
    if (l->n_blocks == l->cap_blocks) {
        uint64_t cap = l->cap_blocks ? l->cap_blocks * 2 : 256;
        void *a = realloc(l->blocks, cap * sizeof *l->blocks);
        if (!a) return NULL;
        l->blocks = a, l->cap_blocks = cap;
    }
    uint64_t h = hdr_height(hdr);
    lbft_block_rec *r = &l->blocks[l->n_blocks++];
    r->height = h, r->block_time = hdr_time(hdr), r->inserted = env_now(env);
    r->impeach = (uint8_t)hdr_impeach(hdr);
    r->cause = r->impeach ? (l->v[0].cause ? l->v[0].cause : LBFT_CAUSE_NO_BLOCK) : LBFT_CAUSE_NONE;
    r->proposer = r->impeach ? NONE : hdr_prop(hdr);
    r->ntx = ntx;
    memcpy(r->hash, hash, 32);
    const lbft_lg_block *lb = l->lg ? lbft_lg_block_at(l->lg, h) : NULL;
    r->applied = lb ? lb->applied : ntx;
    if (lb) memcpy(r->state_root, lb->root, 32);
    else memset(r->state_root, 0, 32);
    return r;
}

/* Step 5, the observer: its commit time for each transaction, and the commit hook for those
 * another layer submitted, the first time. */
static void observe_commits(lbft *l, cp_env *env, const lbft_block_rec *r, const uint64_t *ids, uint32_t ntx)
{
    for (uint32_t i = 0; i < ntx; i++) {
        if (ids[i] >= l->n_tx) continue;
        int first = l->tx[ids[i]].commit == CP_TIME_NEVER;
        l->tx[ids[i]].commit = r->inserted; /* the observer's commit time */
        if (first && l->hook && l->tx_ext[ids[i]])
            l->hook(l->hook_ctx, env, ids[i] + 1, r->height,
                    l->lg && lbft_lg_tx_reason(l->lg, ids[i]) == CHAIN_R_APPLIED);
    }
}

void lbft_record(lbft *l, cp_env *env, const uint8_t hdr[HDR], const uint8_t hash[32], const sigset *cert,
                 const uint64_t *ids, uint32_t ntx)
{
    lbft_mark_txs(l, ids, ntx, hdr_height(hdr));
    if (lbft_byzantine(l, ME) || lbft_twinned(l, ME)) return; /* the checker watches honest validators only */
    int first = check_insert(l, env, hdr, hash, cert);
    if (first < 0) return;
    if (first) on_first_insert(l, hdr_height(hdr), ids, ntx);
    if (env->self != 0) return;
    const lbft_block_rec *r = observe_block(l, env, hdr, hash, ntx);
    if (r) observe_commits(l, env, r, ids, ntx);
}

const lbft_block_rec *lbft_blocks(const lbft *l, uint64_t *n)
{
    *n = l->n_blocks;
    return l->blocks;
}

uint64_t lbft_violations(const lbft *l) { return l->violations; }

const lbft_tx_rec *lbft_txs(const lbft *l, uint64_t *n)
{
    *n = l->n_tx;
    return l->tx;
}

const lbft_violation *lbft_violation_list(const lbft *l, uint64_t *n)
{
    *n = l->n_vlist;
    return l->vlist;
}
uint64_t lbft_malformed(const lbft *l) { return l->malformed; }

static void check_stall(lbft *l, cp_time healed, cp_time end)
{
    cp_time bound = healed + l->cfg.period + l->cfg.impeach_timeout + CP_S(1);
    if (!healed || bound > end) return;
    uint64_t last = 0;
    for (uint64_t i = 0; i < l->n_blocks; i++) {
        if (l->blocks[i].inserted > healed && l->blocks[i].inserted <= bound) return;
        if (l->blocks[i].inserted <= healed) last = l->blocks[i].height;
    }
    if (last >= l->cfg.heights) return; /* nothing was left to insert */
    lbft_add_violation(l, healed, 0, last + 1, LBFT_V_STALL);
}

void lbft_check_liveness(lbft *l, const lbft_window *w, size_t n, int lossy, cp_time end)
{
    for (size_t i = 0; i < n; i++) check_stall(l, w[i].until, end);
    if (lbft_faulty_validators(l) > l->f || n) return; /* no normal quorum to expect, or not synchronous throughout
                                                     (a healed fault can leave validators behind) */
    for (uint64_t i = 0; !lossy && i < l->n_blocks; i++) {
        const lbft_block_rec *b = &l->blocks[i];
        if (!b->impeach) continue;
        uint32_t p = lbft_proposer_of(l, b->height);
        if (lbft_offline(l, p) || lbft_in_list(l->cfg.equivocators, l->cfg.n_equivocators, p) || lbft_twinned(l, p)) continue;
        lbft_add_violation(l, b->block_time, p, b->height, LBFT_V_HONEST_IMPEACHED);
    }
}

_Static_assert(LBFT_LEDGER_REASONS == CHAIN_R_COUNT - 1, "one invalid count per chain_reason");

int lbft_ledger_totals(const lbft *l, uint64_t *applied, uint64_t invalid[LBFT_LEDGER_REASONS], uint64_t *evicted)
{
    if (!l->lg) return -1;
    const chain_block_stats *t = lbft_lg_totals(l->lg);
    *applied = t->count[CHAIN_R_APPLIED];
    for (int r = 1; r < CHAIN_R_COUNT; r++) invalid[r - 1] = t->count[r];
    *evicted = lbft_lg_evicted(l->lg);
    return 0;
}
uint64_t lbft_bad_signatures(const lbft *l) { return l->bad_sigs; }
uint64_t lbft_resends(const lbft *l) { return l->resends; }
