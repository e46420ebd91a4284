/* sim/cli/tune.c: `cpsim tune`: a sweep (sweep.c) followed by a search of its merged results
 * for the best point: minimise (or maximise) one headline metric, averaged over seeds, among
 * the points that meet every constraint ("metric<=value", "metric>=value", on the means), and
 * the frontier: the feasible points that no other feasible point beats on the objective and
 * on every constrained metric at once. Printed, and written to DIR/tune.json.
 * Invariant: the result depends only on the merged rows (so not on -j). */
#include <stdio.h>
#include <stdlib.h>
#include <stdint.h>
#include <string.h>

#include "sim/cli/sweep.h"
#include "sim/cli/sweep_int.h"
#include "sim/metrics/js.h"

#define MAX_CONS 8

typedef struct cons {
    char metric[48];
    int le;      /* 1: <=, 0: >= */
    double v;
} cons;

typedef struct goal {
    char metric[48];
    int maximize;
    cons c[MAX_CONS];
    size_t nc;
} goal;

/* Mean over the seeds of a point; NaN-free: returns 0 and *ok = 0 if no seed has it. */
static double point_mean(const sw_plan *p, const sw_row *rows, size_t pt, const char *metric, int *ok)
{
    double sum = 0;
    size_t k = 0;
    for (uint64_t s = 0; s < p->seeds; s++) {
        const sw_row *r = &rows[pt * p->seeds + s];
        for (size_t m = 0; r->ok && m < r->n; m++)
            if (!strcmp(r->name[m], metric)) sum += r->value[m], k++;
    }
    *ok = k == p->seeds;
    return k ? sum / (double)k : 0;
}

static int parse_cons(const char *s, cons *c)
{
    const char *op = strstr(s, "<=");
    c->le = op != NULL;
    if (!op) op = strstr(s, ">=");
    if (!op || op == s || (size_t)(op - s) >= sizeof c->metric) return -1;
    memcpy(c->metric, s, (size_t)(op - s));
    c->metric[op - s] = 0;
    char *end;
    c->v = strtod(op + 2, &end);
    return *end || end == op + 2 ? -1 : 0;
}

/* Better on the objective (strictly) and no worse on every constraint's metric. */
static int dominates(const goal *g, const double *a, const double *b)
{
    int strictly = 0;
    for (size_t i = 0; i <= g->nc; i++) {
        int up = i == 0 ? g->maximize : !g->c[i - 1].le; /* direction in which a value is better */
        double x = up ? a[i] : -a[i], y = up ? b[i] : -b[i];
        if (x < y) return 0;
        strictly |= x > y;
    }
    return strictly;
}

static void emit_point(js *j, const sw_plan *p, size_t pt, const goal *g, const double *v)
{
    js_obj_begin(j, NULL);
    js_u64(j, "point", pt);
    js_obj_begin(j, "params");
    for (size_t k = 0; k < p->n_grid; k++) js_str(j, p->g[k].key, sw_value_at(p, pt, k));
    js_obj_end(j);
    js_num(j, g->metric, v[0]);
    for (size_t i = 0; i < g->nc; i++) js_num(j, g->c[i].metric, v[i + 1]);
    js_obj_end(j);
}

static void print_point(const char *what, const sw_plan *p, size_t pt, const goal *g, const double *v)
{
    printf("%-8s point %3zu:", what, pt);
    for (size_t k = 0; k < p->n_grid; k++) printf(" %s=%s", p->g[k].key, sw_value_at(p, pt, k));
    printf("  %s=%.6g", g->metric, v[0]);
    for (size_t i = 0; i < g->nc; i++) printf(" %s=%.6g", g->c[i].metric, v[i + 1]);
    putchar('\n');
}

static int search(const sw_plan *p, const sw_row *rows, const goal *g)
{
    double *v = calloc(p->points * (g->nc + 1), sizeof *v);
    char *feas = calloc(p->points, 1);
    if (!v || !feas) return 1;
    size_t best = SIZE_MAX;
    for (size_t pt = 0; pt < p->points; pt++) {
        int ok = 1, o;
        double *pv = v + pt * (g->nc + 1);
        pv[0] = point_mean(p, rows, pt, g->metric, &o);
        ok &= o;
        for (size_t i = 0; i < g->nc; i++) {
            pv[i + 1] = point_mean(p, rows, pt, g->c[i].metric, &o);
            ok &= o && (g->c[i].le ? pv[i + 1] <= g->c[i].v : pv[i + 1] >= g->c[i].v);
        }
        feas[pt] = (char)ok;
        if (ok && (best == SIZE_MAX || (g->maximize ? pv[0] > v[best * (g->nc + 1)] : pv[0] < v[best * (g->nc + 1)])))
            best = pt;
    }
    char path[1100];
    snprintf(path, sizeof path, "%s/tune.json", p->out);
    js *j = js_open_file(path);
    if (j) js_obj_begin(j, NULL), js_str(j, g->maximize ? "maximize" : "minimize", g->metric);
    if (best == SIZE_MAX) printf("tune: no point meets the constraints\n");
    else print_point("best", p, best, g, v + best * (g->nc + 1));
    if (j) js_arr_begin(j, "frontier");
    for (size_t a = 0; a < p->points; a++) {
        if (!feas[a]) continue;
        int dominated = 0;
        for (size_t b = 0; b < p->points && !dominated; b++)
            dominated = b != a && feas[b] && dominates(g, v + b * (g->nc + 1), v + a * (g->nc + 1));
        if (dominated) continue;
        print_point("frontier", p, a, g, v + a * (g->nc + 1));
        if (j) emit_point(j, p, a, g, v + a * (g->nc + 1));
    }
    if (j) {
        js_arr_end(j);
        if (best != SIZE_MAX) {
            js_arr_begin(j, "best");
            emit_point(j, p, best, g, v + best * (g->nc + 1));
            js_arr_end(j);
        }
        js_obj_end(j);
        js_close(j);
    }
    free(v), free(feas);
    return best == SIZE_MAX ? 3 : 0;
}

int tune_main(int argc, char **argv)
{
    goal g;
    memset(&g, 0, sizeof g);
    char **rest = calloc((size_t)argc + 1, sizeof *rest);
    int nr = 0;
    if (!rest) return 1;
    for (int i = 0; i < argc; i++) {
        if ((!strcmp(argv[i], "--minimize") || !strcmp(argv[i], "--maximize")) && i + 1 < argc) {
            g.maximize = argv[i][3] == 'a';
            snprintf(g.metric, sizeof g.metric, "%s", argv[++i]);
        } else if (!strcmp(argv[i], "--subject-to") && i + 1 < argc) {
            if (g.nc == MAX_CONS || parse_cons(argv[++i], &g.c[g.nc++]) != 0) {
                fprintf(stderr, "cpsim: --subject-to %s: expected METRIC<=VALUE or METRIC>=VALUE\n", argv[i]);
                free(rest);
                return 2;
            }
        } else {
            rest[nr++] = argv[i];
        }
    }
    if (!g.metric[0]) {
        fprintf(stderr, "usage: cpsim tune FILE --grid key=v1,v2,... [--seeds N] [-j N] [--out DIR] "
                        "(--minimize|--maximize) METRIC [--subject-to METRIC<=VALUE]...\n");
        free(rest);
        return 2;
    }
    sw_plan p;
    sw_row *rows = NULL;
    int rc = sw_execute(nr, rest, &p, &rows);
    if ((rc == 0 || rc == 3) && rows) rc = search(&p, rows, &g); /* rows: rank 0 only */
    free(rows);
    sw_plan_free(&p);
    free(rest);
    return rc;
}
