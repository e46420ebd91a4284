/* The invariant checker must be able to fail. n = 4 (f = 1), one double-signing validator and
 * an equivocating proposer at every height, over many seeds with jitter:
 *   - the real quorum (2f+1): never a fork among the honest validators, and the chain grows;
 *   - built with LBFT_BROKEN_QUORUM (a normal quorum of 2f, test-only): the checker finds a
 *     fork within the seeds tried. The same source is compiled into both test programs. */
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

static void t_fork_search(void)
{
    uint64_t forks = 0, heights = 0, seeds = 0;
    for (int seed = 1; seed <= 20; seed++) {
        char sb[16], err[512];
        snprintf(sb, sizeof sb, "%d", seed);
        scn_override o = {"seed", sb};
        wld_cfg cfg;
        REQUIRE(scn_load_string("fork.yaml", base, sizeof base - 1, &wld_schema, &cfg, &o, 1, err, sizeof err) == 0);
        wld *w = wld_new(&cfg, err, sizeof err);
        REQUIRE(w);
        wld_run_info info;
        REQUIRE(wld_run(w, 0, &info) == 0);
        uint64_t n;
        lbft_blocks(w->lbft, &n);
        heights += n;
        forks += lbft_violations(w->lbft);
        seeds++;
        wld_free(w);
        scn_free(&wld_schema, &cfg);
#ifdef LBFT_BROKEN_QUORUM
        if (forks) break;
#endif
    }
    printf("# %llu seeds, %llu heights inserted, %llu violations\n", (unsigned long long)seeds,
           (unsigned long long)heights, (unsigned long long)forks);
#ifdef LBFT_BROKEN_QUORUM
    CHECK(forks > 0);
#else
    CHECK(forks == 0);
    CHECK(heights >= 20 * 9); /* double signing and equivocation do not stop the chain */
#endif
}

TEST_MAIN(TEST(t_fork_search))
