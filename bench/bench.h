/* bench/bench.h: the benchmark commands behind `cpsim bench NAME` and `make bench`.
 *
 * Every benchmark measures its subject and a bare baseline in the same process and reports
 * the ratio, since wall-clock figures on a shared machine are noisy: PHOLD through the engine
 * and network model against a bare binary-heap loop; the event heap arities against each
 * other; flooding with its wall time, events/s and memory per node.
 * Each entry point parses its own options and returns a process exit code. */
#ifndef BENCH_H
#define BENCH_H

#include <stddef.h>
#include <stdint.h>

int bench_phold_main(int argc, char **argv);
int bench_heap_main(int argc, char **argv);
int bench_gossip_main(int argc, char **argv);
int bench_crypto_main(int argc, char **argv);
int bench_calibrate_main(int argc, char **argv);
int bench_consensus_main(int argc, char **argv);
int bench_engines_main(int argc, char **argv);
int bench_dht_main(int argc, char **argv);
int bench_data_main(int argc, char **argv);
int bench_apps_main(int argc, char **argv);

/* Measurements shared with `bench all` (each in its benchmark's file). */
int bench_phold_measure(uint32_t nodes, uint64_t secs, uint64_t seed, double *ratio, uint64_t *events);
int bench_crypto_ratios(double secs, double out[4]);
int bench_consensus_counts(uint32_t n, uint64_t heights, uint64_t *msgs_per_height, uint64_t *host_verifications);
int bench_gossip_counts(uint32_t nodes, uint64_t *events, uint64_t *dups);
int bench_all_main(int argc, char **argv);
int bench_compare_main(int argc, char **argv);

/* Shared helpers (bench.c). */
double bench_wall(void);              /* monotonic seconds */
uint64_t bench_peak_rss_kb(void);     /* VmHWM of this process */
void bench_reset_peak_rss(void);      /* best effort: resets VmHWM (Linux clear_refs) */
int bench_parse_u64(const char *s, uint64_t *out);
/* Run fn(arg, out) in a child process (engines with process-wide state, and a peak RSS of the
 * run's own); the child's `size` bytes of out come back through a pipe (zeros if it failed).
 * *rss_kb: the child's peak RSS. */
void bench_in_child(void (*fn)(void *arg, void *out), void *arg, void *out, size_t size, uint64_t *rss_kb);
#endif
