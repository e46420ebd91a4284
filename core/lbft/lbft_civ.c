/* core/lbft/lbft_civ.c: LBFT's civilians (contract in lbft.h): nodes after the clients'
 * base that relay certified blocks over a random graph; validators hand each inserted block
 * to a few of them.
 *
 * Invariant: a civilian accepts a height once, only with a valid certificate extending its own
 * chain, and records when. */
#include "core/lbft/lbft_int.h"

/* A validator hands an inserted block to `fanout` random civilians (its own stream). */
void lbft_civilians_send(lbft *l, cp_env *env, cp_msg *m)
{
    for (uint32_t k = 0; l->nciv && k < l->cfg.civ_fanout; k++)
        env_send(env, l->civ0 + (uint32_t)rng_below(env->rng, l->nciv), m);
}

/* A civilian accepts a block only with a valid certificate, extending its own chain, then
 * relays it to its neighbours. */
void lbft_on_civ_block(lbft *l, cp_env *env, uint32_t from, cp_msg *m)
{
    const uint8_t *b = m->data, *hdr = b + 1;
    uint32_t c = env->self - l->civ0;
    uint64_t h = hdr_height(hdr);
    uint8_t hash[32];
    if (h != l->civ_height[c] + 1 || memcmp(hdr + 8, l->civ_head[c], 32) != 0 || h > l->cfg.heights + 1) return;
    if (!lbft_cert_ok(l, env, b, hash)) return;
    l->civ_height[c] = h;
    memcpy(l->civ_head[c], hash, 32);
    l->civ_arrival[h * l->nciv + c] = env_now(env);
    uint32_t k;
    const uint32_t *nb = graph_neighbors(&l->civ, c, &k);
    for (uint32_t i = 0; i < k; i++)
        if (l->civ0 + nb[i] != from) env_send(env, l->civ0 + nb[i], m);
}

/* The civilians: every node from the clients' base on, with their relay graph; -1 if too few
 * for the degree or out of memory. */
int lbft_civilians_new(lbft *l)
{
    l->civ0 = l->base;
    l->nciv = l->n_nodes - l->civ0;
    if (l->nciv <= l->cfg.civ_degree) return -1;
    size_t cells = ((size_t)l->cfg.heights + 2) * l->nciv;
    l->civ_height = calloc(l->nciv, sizeof *l->civ_height);
    l->civ_head = calloc(l->nciv, 32);
    l->civ_arrival = malloc(cells * sizeof *l->civ_arrival);
    if (!l->civ_height || !l->civ_head || !l->civ_arrival) return -1;
    for (size_t i = 0; i < cells; i++) l->civ_arrival[i] = CP_TIME_NEVER;
    return graph_random(&l->civ, l->nciv, l->cfg.civ_degree, l->cfg.seed, 0x636976ull /* "civ" */);
}

uint32_t lbft_civilians(const lbft *l) { return l->nciv; }

cp_time lbft_civilian_arrival(const lbft *l, uint64_t height, uint32_t civ)
{
    return height <= l->cfg.heights + 1 && civ < l->nciv ? l->civ_arrival[height * l->nciv + civ] : CP_TIME_NEVER;
}

