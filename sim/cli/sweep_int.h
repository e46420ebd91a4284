/* sim/cli/sweep_int.h: the sweep's plan and merged rows, shared by sweep.c and tune.c. */
#ifndef SWEEP_INT_H
#define SWEEP_INT_H

#include <stddef.h>
#include <stdint.h>

#include "sim/world/world.h"

#define MAX_GRID 8
#define MAX_VALUES 1024
#define MAX_OVR 128

typedef struct sw_grid {
    char *key;
    char *values[MAX_VALUES];   /* grid: the listed values; random: one drawn value per point */
    size_t n;
    char *range;                /* random designs: "lo:hi" as given */
} sw_grid;

typedef struct sw_plan {
    const char *file, *out;
    sw_grid g[MAX_GRID];
    size_t n_grid, points, jobs;
    uint64_t seeds;
    int resume, no_plots;
    int random;                 /* a random design: points = samples, values drawn per point */
    int mpi, rank, nranks;      /* under mpirun: this rank runs runs i with i % nranks == rank */
    size_t samples;
    uint64_t design_seed;
    scn_override ovr[MAX_OVR];
    size_t n_ovr;
} sw_plan;

typedef struct sw_row {
    size_t point;
    uint64_t seed;
    int ok;
    size_t n;
    char name[WLD_HEADLINE_MAX][48];
    double value[WLD_HEADLINE_MAX];
} sw_row;


/* The value of grid dimension k at point pt (last dimension varies fastest). */
const char *sw_value_at(const sw_plan *p, size_t pt, size_t k);
/* Parse a sweep command line (argv[0] = "sweep" or "tune", argv[1] ignored), run every run not
 * yet finished, merge, write sweep.json, sweep.h5 and plots; *rows: points x seeds rows
 * (malloc'd, the caller frees). Returns 0, 1 (I/O), 2 (usage) or 3 (some runs failed). */
int sw_execute(int argc, char **argv, sw_plan *p, sw_row **rows);
/* One run in the calling (child) process: load file with the overrides, run it, write its
 * results and headline.txt into dir (which exists). Returns 0, 1 (run or I/O failure) or 2 (bad
 * scenario); *violations: what the invariant checker found (0 if the run did not finish). */
int sw_run_in_dir(const char *file, const scn_override *o, size_t n, const char *dir, uint64_t *violations);
/* mkdir -p; 0 or -1 (errno set). */
int sw_mkdir_p(const char *dir);
/* Release the values a random design drew. */
void sw_plan_free(sw_plan *p);

#endif
