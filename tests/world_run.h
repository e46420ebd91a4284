/* tests/world_run.h: load a scenario text and run its world on the built-in engine, for the
 * unit tests of protocols that run through sim/world. Include after sim/world/world_int.h. */
#ifndef TESTS_WORLD_RUN_H
#define TESTS_WORLD_RUN_H

#include <stdio.h>

typedef struct run {
    wld_cfg cfg;
    wld *w;
} run;

/* 0 when the scenario loads, builds and runs; errors are printed as TAP comments. */
static inline int run_text(run *r, const char *name, const char *text, size_t len, const scn_override *o, size_t n)
{
    char err[512];
    r->w = NULL;
    if (scn_load_string(name, text, len, &wld_schema, &r->cfg, o, n, err, sizeof err)) {
        printf("# %s\n", err);
        return -1;
    }
    r->w = wld_new(&r->cfg, err, sizeof err);
    if (!r->w) printf("# %s\n", err);
    wld_run_info info;
    return r->w && wld_run(r->w, 0, &info) == 0 ? 0 : -1;
}

static inline void run_stop(run *r)
{
    wld_free(r->w);
    scn_free(&wld_schema, &r->cfg);
}

#endif
