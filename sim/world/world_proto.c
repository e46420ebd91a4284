/* sim/world/world_proto.c: creates the protocol instance the scenario names and hands its
 * operations table to the engine. Invariant: exactly one of w->flood / w->phold is set, and
 * w->proto points at it. */
#include "sim/world/world_int.h"

#include <stdio.h>
#include <stdlib.h>

static int new_flood(wld *w, const wld_cfg *c, char *err, size_t len)
{
    const wld_flood_cfg *f = &c->flood;
    w->fcrypto = (flood_crypto){w->seed, w->memo, w->costs};
    flood_cfg fc = {f->degree, f->blocks, f->block_size, f->first, f->interval,
                    f->validate, f->validate_per_mb, f->source, c->crypto.sign ? &w->fcrypto : NULL};
    if (f->block_size < FLOOD_HDR) {
        snprintf(err, len, "flood.block_size: expected at least %u bytes", FLOOD_HDR);
        return -1;
    }
    if (f->degree >= w->n_nodes) {
        snprintf(err, len, "flood.degree: expected less than the number of nodes (%u)", w->n_nodes);
        return -1;
    }
    if (f->source >= 0 && (uint64_t)f->source >= w->n_nodes) {
        snprintf(err, len, "flood.source: expected -1 or a node id below %u", w->n_nodes);
        return -1;
    }
    w->flood = flood_new(&fc, w->n_nodes, w->seed);
    w->proto = w->flood;
    w->proto_ops = flood_ops();
    return w->flood ? 0 : -1;
}

static int new_phold(wld *w, const wld_cfg *c)
{
    w->phold = phold_new(w->n_nodes, c->phold.per_node, c->phold.payload);
    w->proto = w->phold;
    w->proto_ops = phold_ops();
    return w->phold ? 0 : -1;
}

static int new_lbft(wld *w, const wld_cfg *c, char *err, size_t len)
{
    const wld_lbft_cfg *k = &c->consensus;
    if ((k->validators - 1) % 3 != 0) {
        snprintf(err, len, "consensus.validators: expected 3f+1 (4, 7, 10, ...), got %u", k->validators);
        return -1;
    }
    if ((uint64_t)k->validators + k->proposers > w->n_nodes) {
        snprintf(err, len, "consensus.proposers: validators + proposers (%u) exceed the %u nodes",
                 k->validators + k->proposers, w->n_nodes);
        return -1;
    }
    if (k->tx_rate > 0 && (uint64_t)k->validators + k->proposers >= w->n_nodes) {
        snprintf(err, len, "consensus.tx_rate: transactions need client nodes after the %u validators and "
                 "proposers", k->validators + k->proposers);
        return -1;
    }
    lbft_cfg lc = {
        .validators = k->validators, .proposers = k->proposers, .term_len = k->term_len,
        .view_len = k->view_len, .period = k->period, .impeach_timeout = k->impeach_timeout,
        .block_delay = k->block_delay, .heights = k->heights, .block_size = (uint32_t)k->block_size,
        .tx_rate = k->tx_rate, .tx_size = (uint32_t)k->tx_size, .max_txs = k->max_txs, .seed = w->seed,
        .default_proposers = k->default_proposers, .byzantine = k->byzantine,
        .n_byzantine = (uint32_t)k->n_byzantine, .equivocators = k->equivocators,
        .n_equivocators = (uint32_t)k->n_equivocators, .civ_degree = k->civ_degree,
        .civ_fanout = k->civ_fanout, .offline = k->offline, .n_offline = (uint32_t)k->n_offline,
        .twins = k->twins, .n_twins = (uint32_t)k->n_twins, .ledger = k->ledger,
        .tx_pattern = k->tx_pattern, .n_bursts = (uint32_t)k->n_tx_bursts,
        .memo = w->memo, .costs = w->costs,
    };
    uint64_t roles = (uint64_t)k->validators + k->proposers + k->n_twins;
    for (size_t i = 0; i < k->n_twins; i++)
        if (k->twins[i] >= (uint64_t)k->validators + k->proposers) {
            snprintf(err, len, "consensus.twins.%zu: expected a validator or proposer id (below %llu), got %u", i,
                     (unsigned long long)k->validators + k->proposers, k->twins[i]);
            return -1;
        }
    if (roles > w->n_nodes) {
        snprintf(err, len, "consensus.twins: the twin instances need %llu nodes after the proposers; the scenario "
                 "has %llu nodes in all", (unsigned long long)k->n_twins, (unsigned long long)w->n_nodes);
        return -1;
    }
    if (k->civ_degree && roles + k->civ_degree >= w->n_nodes) {
        snprintf(err, len, "consensus.civilian_degree: expected fewer than the %llu civilian nodes",
                 (unsigned long long)(w->n_nodes - roles));
        return -1;
    }
    if (k->default_proposers < k->proposers && k->default_proposers < 4 && k->term_len > 4) {
        snprintf(err, len, "consensus.default_proposers: expected at least 4 (the default seats of a term)");
        return -1;
    }
    for (size_t i = 0; i < k->n_tx_bursts; i++)
        if (k->tx_bursts[i].until <= k->tx_bursts[i].at) {
            snprintf(err, len, "consensus.tx_bursts.%zu.until: expected a time later than at", i);
            return -1;
        }
    w->bursts = calloc(k->n_tx_bursts + 1, sizeof *w->bursts);
    if (!w->bursts) return -1;
    for (size_t i = 0; i < k->n_tx_bursts; i++)
        w->bursts[i] = (lbft_burst){k->tx_bursts[i].at, k->tx_bursts[i].until, k->tx_bursts[i].rate};
    lc.bursts = w->bursts;
    w->lbft = lbft_new(&lc, w->n_nodes);
    w->proto = w->lbft;
    w->proto_ops = lbft_ops();
    return w->lbft ? 0 : -1;
}

int wld_proto_new(wld *w, const wld_cfg *c, char *err, size_t len)
{
    switch (c->protocol) {
    case WLD_PROTO_FLOOD:
        return new_flood(w, c, err, len);
    case WLD_PROTO_PHOLD:
        return new_phold(w, c);
    case WLD_PROTO_LBFT:
        return new_lbft(w, c, err, len);
    }
    return -1;
}

void wld_proto_free(wld *w)
{
    flood_free(w->flood);
    phold_free(w->phold);
    lbft_free(w->lbft);
    free(w->bursts);
}
