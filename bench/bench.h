/* bench/bench.h: the benchmark commands behind `cpsim bench NAME` and `make bench`.
 *
 * Every benchmark measures its subject and a bare baseline in the same process and reports
 * the ratio, since wall-clock figures on a shared machine are noisy: PHOLD through the engine
 * and network model against a bare binary-heap loop; the event heap arities against each
 * other; flooding with its wall time, events/s and memory per node.
 * Each entry point parses its own options and returns a process exit code. */
#ifndef BENCH_H
#define BENCH_H

#include <stdint.h>

int bench_phold_main(int argc, char **argv);
int bench_heap_main(int argc, char **argv);
int bench_gossip_main(int argc, char **argv);
int bench_crypto_main(int argc, char **argv);
int bench_calibrate_main(int argc, char **argv);
int bench_consensus_main(int argc, char **argv);

/* Shared helpers (bench.c). */
double bench_wall(void);              /* monotonic seconds */
uint64_t bench_peak_rss_kb(void);     /* VmHWM of this process */
void bench_reset_peak_rss(void);      /* best effort: resets VmHWM (Linux clear_refs) */
int bench_parse_u64(const char *s, uint64_t *out);
#endif
