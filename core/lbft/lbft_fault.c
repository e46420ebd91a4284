/* core/lbft/lbft_fault.c: LBFT's fault injection (contract in lbft.h): Twins (a second
 * instance with the same key, seeded sides per height), double-signing validators that lend
 * their signatures to another block of the height, equivocating proposers, and who counts as
 * faulty for the checker (nodes offline for the whole run are down in the engine from t = 0;
 * LBFT reads their list only here).
 *
 * Invariant: a faulty node acts only through the same messages and signatures as an honest
 * one; the checker watches the honest validators only. */
#include "core/lbft/lbft_int.h"

int lbft_twinned(const lbft *l, uint32_t role)
{
    for (uint32_t i = 0; i < l->cfg.n_twins; i++)
        if (l->cfg.twins[i] == role) return 1;
    return 0;
}

/* Twins' partitions: per height, every validator instance is on side 0 or 1 (a seeded coin;
 * a twinned node's original on 0, its twin on 1). A twin pair's instances send only to their
 * own side; everyone else sends to all. */
int lbft_side_of(const lbft *l, uint32_t node, uint64_t height)
{
    if (node >= l->tw0 && node < l->base) return 1;
    if (lbft_twinned(l, node)) return 0;
    uint64_t x = l->cfg.seed ^ (height * 0x9e3779b97f4a7c15ull) ^ ((uint64_t)node << 32);
    x ^= x >> 31, x *= 0xbf58476d1ce4e5b9ull, x ^= x >> 29;
    return (int)(x & 1);
}

int lbft_in_list(const uint32_t *list, uint32_t n, uint32_t node)
{
    for (uint32_t i = 0; i < n; i++)
        if (list[i] == node) return 1;
    return 0;
}

int lbft_offline(const lbft *l, uint32_t node) { return lbft_in_list(l->cfg.offline, l->cfg.n_offline, node); }
int lbft_byzantine(const lbft *l, uint32_t node) { return lbft_in_list(l->cfg.byzantine, l->cfg.n_byzantine, node); }

/* A double-signing validator lends its prepare and commit signatures to another block of the
 * height, broadcast on their own. */
void lbft_double_sign(lbft *l, cp_env *env, const uint8_t *hdr, const uint8_t *seal, const uint8_t hash[32])
{
    sigset one = {0, NULL, NULL};
    if (lbft_set_alloc(&one, l->n) != 0) {
        lbft_set_free(&one);
        return;
    }
    uint8_t pm[39], sig[64];
    lbft_prepare_msg(pm, hash);
    lbft_sign_as(l, env, sig, pm, sizeof pm);
    lbft_set_add(&one, ME, sig);
    lbft_bcast(l, env, LBFT_MSG_PREPARE, hdr, seal, &one, NULL, 0);
    lbft_set_clear(&one, l->n);
    lbft_sign_as(l, env, sig, hash, 32);
    lbft_set_add(&one, ME, sig);
    lbft_bcast(l, env, LBFT_MSG_COMMIT, hdr, seal, &one, NULL, 0);
    lbft_set_free(&one);
}

/* Twins name distinct validators or proposers. */
int lbft_twins_ok(const lbft_cfg *cfg)
{
    for (uint32_t i = 0; i < cfg->n_twins; i++) {
        if (cfg->twins[i] >= cfg->validators + cfg->proposers) return 0;
        for (uint32_t j = 0; j < i; j++)
            if (cfg->twins[j] == cfg->twins[i]) return 0;
    }
    return 1;
}

/* Validators that cannot be counted on (offline, double-signing, twinned). */
uint32_t lbft_faulty_validators(const lbft *l)
{
    uint32_t k = 0;
    for (uint32_t v = 0; v < l->n; v++) k += lbft_offline(l, v) || lbft_byzantine(l, v) || lbft_twinned(l, v);
    return k;
}


/* An equivocating proposer's two blocks for one height: A (hdr, sealed) to the even
 * validators, B (1 ns later) to the odd. */
void lbft_equivocate(lbft *l, cp_env *env, const pstate *p, const uint8_t hdr[HDR], const uint8_t seal[SEAL],
                     const uint64_t *ids, uint32_t ntx)
{
    uint8_t hb[HDR], hashb[32], sealb[SEAL];
    lbft_make_hdr(l, hb, hdr_height(hdr), p->head, hdr_time(hdr) + 1, ME, 0, ids, ntx);
    cr_hash(hashb, hb, HDR);
    lbft_sign_as(l, env, sealb, hashb, 32);
    cp_msg *a = lbft_build(l, env, LBFT_MSG_PREPREPARE, hdr, seal, NULL, ids, ntx);
    cp_msg *bm = lbft_build(l, env, LBFT_MSG_PREPREPARE, hb, sealb, NULL, ids, ntx);
    for (uint32_t i = 0; a && bm && i < l->n; i++) env_send(env, i, i % 2 ? bm : a);
    if (a) env_msg_unref(env, a);
    if (bm) env_msg_unref(env, bm);
}
