/* sim/cli/sweep.h: `cpsim sweep`, parameter grids times seeds on local processes, merged
 * into sweep.json and sweep.h5 (see sweep.c). Exit codes as `cpsim run`; 3 if some runs
 * failed (they are listed as ok = false and `--resume` reruns only them). */
#ifndef SWEEP_H
#define SWEEP_H

int sweep_main(int argc, char **argv);
/* `cpsim tune` (tune.c): a sweep, then the best point under constraints and the frontier. */
int tune_main(int argc, char **argv);

#endif
