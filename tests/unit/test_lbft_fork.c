/* The invariant checker must be able to fail. n = 4 (f = 1), over many seeds with jitter:
 *   - one double-signing validator and an equivocating proposer at every height;
 *   - Twins: one twin, of the proposer of every height (its two instances, each honest, build
 *     their blocks from what each has received, and each talks to one side of a seeded split
 *     of the validators and clients), clients submitting transactions so the blocks differ.
 * With the real quorum (2f+1): never a fork among the honest validators, and the chain grows.
 * Built with LBFT_BROKEN_QUORUM (a normal quorum of 2f, test-only): the checker finds a fork
 * within the seeds tried. The same source is compiled into both test programs. */
#include <stdio.h>
#include <string.h>

#include "sim/world/world_int.h"
#include "tests/harness.h"

static const char base[] =
    "name: fork\nseed: 1\nduration: 200s\nprotocol: lbft\n"
    "network: {table: uniform, uniform_rtt: 4ms, jitter_dist: uniform, jitter: 3ms}\n"
    "nodes:\n  - {count: 8, class: server}\n"
    "consensus: {validators: 4, proposers: 4, term_len: 4, view_len: 1, default_proposers: 4,\n"
    "            period: 10s, impeach_timeout: 10s, heights: 10, byzantine: [3], equivocators: [4-7]}\n"
    "plots: false\n";

static const char twins[] =
    "name: twins\nseed: 1\nduration: 300s\nprotocol: lbft\n"
    "network: {table: uniform, uniform_rtt: 4ms, jitter_dist: uniform, jitter: 3ms}\n"
    "nodes:\n  - {count: 10, class: server}\n"
    "consensus: {validators: 4, proposers: 1, term_len: 1, view_len: 1, default_proposers: 1,\n"
    "            period: 10s, impeach_timeout: 10s, heights: 10, tx_rate: 10, twins: [4]}\n"
    "plots: false\n";

/* Seeds 1..20 of a scenario (stopping at the first violation in the broken build). */
static void search(const char *yaml, size_t len, uint64_t *forks, uint64_t *heights, uint64_t *seeds)
{
    *forks = *heights = *seeds = 0;
    for (int seed = 1; seed <= 20; seed++) {
        char sb[16], err[512];
        snprintf(sb, sizeof sb, "%d", seed);
        scn_override o = {"seed", sb};
        wld_cfg cfg;
        REQUIRE(scn_load_string("fork.yaml", yaml, len, &wld_schema, &cfg, &o, 1, err, sizeof err) == 0);
        wld *w = wld_new(&cfg, err, sizeof err);
        REQUIRE(w);
        wld_run_info info;
        REQUIRE(wld_run(w, 0, &info) == 0);
        uint64_t n;
        lbft_blocks(w->lbft, &n);
        *heights += n;
        *forks += lbft_violations(w->lbft);
        (*seeds)++;
        wld_free(w);
        scn_free(&wld_schema, &cfg);
#ifdef LBFT_BROKEN_QUORUM
        if (*forks) break;
#endif
    }
}

static void t_fork_search(void)
{
    uint64_t forks, heights, seeds;
    search(base, sizeof base - 1, &forks, &heights, &seeds);
    printf("# %llu seeds, %llu heights inserted, %llu violations\n", (unsigned long long)seeds,
           (unsigned long long)heights, (unsigned long long)forks);
#ifdef LBFT_BROKEN_QUORUM
    CHECK(forks > 0);
#else
    CHECK(forks == 0);
    CHECK(heights >= 20 * 9); /* double signing and equivocation do not stop the chain */
#endif
}

static void t_twins(void)
{
    uint64_t forks, heights, seeds;
    search(twins, sizeof twins - 1, &forks, &heights, &seeds);
    printf("# twins: %llu seeds, %llu heights inserted, %llu violations\n", (unsigned long long)seeds,
           (unsigned long long)heights, (unsigned long long)forks);
#ifdef LBFT_BROKEN_QUORUM
    CHECK(forks > 0);
#else
    CHECK(forks == 0);
    CHECK(heights >= 20 * 9);
#endif
}

TEST_MAIN(TEST(t_fork_search), TEST(t_twins))
