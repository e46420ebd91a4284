/* sim/cli/sweep.c: `cpsim sweep FILE --grid key=v1,v2,... [--grid ...] --seeds N [-j N]
 * [--out DIR] [--resume] [-p key=value]...`: a grid of scenario parameters times seeds, run
 * on up to N local processes, merged into DIR/sweep.json and DIR/sweep.h5.
 *
 * Each run is its own child process (a crash or an out-of-memory kill is one failed run, not a
 * failed sweep) writing DIR/runs/pPOINT-sSEED/ (the run's results) and a headline.txt renamed
 * into place when complete, so `--resume` skips exactly the finished runs. Invariant: the
 * merged tables are ordered by (point, seed) and contain only what the runs wrote, so the same
 * sweep gives the same tables whatever the number of workers. */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "sim/cli/sweep.h"
#include "sim/cli/sweep_int.h"
#include "core/env.h"
#include "sim/metrics/h5w.h"
#include "sim/metrics/js.h"
#include "sim/metrics/plot.h"
#include "sim/world/world.h"

#include "config.h"
#ifdef HAVE_MPI
#include <mpi.h>
#endif

#define PATHLEN 4096

static int sw_usage(void)
{
    fprintf(stderr, "usage: cpsim sweep FILE (--grid key=v1,v2,... | --random key=lo:hi --samples N "
                    "[--design-seed S])... [--seeds N] [-j N] [--out DIR] [--resume] [--no-plots] "
                    "[-p key=value]...\n");
    return 2;
}

static int add_grid(sw_plan *p, char *spec)
{
    char *eq = strchr(spec, '=');
    if (!eq || p->n_grid == MAX_GRID) return -1;
    *eq = 0;
    sw_grid *g = &p->g[p->n_grid++];
    g->key = spec;
    for (char *save = NULL, *v = strtok_r(eq + 1, ",", &save); v; v = strtok_r(NULL, ",", &save)) {
        if (g->n == MAX_VALUES) return -1;
        g->values[g->n++] = v;
    }
    return g->n ? 0 : -1;
}

static int add_random(sw_plan *p, char *spec)
{
    char *eq = strchr(spec, '=');
    if (!eq || !strchr(eq, ':') || p->n_grid == MAX_GRID) return -1;
    *eq = 0;
    sw_grid *g = &p->g[p->n_grid++];
    g->key = spec, g->range = eq + 1;
    p->random = 1;
    return 0;
}

/* One value uniformly drawn in lo:hi: integers, decimals, durations or sizes (by the form of
 * the bounds); NULL if the range is not understood. */
static char *draw(const char *range, cp_rng *r)
{
    char lo[64], hi[64], out[64];
    const char *c = strchr(range, ':');
    if ((size_t)(c - range) >= sizeof lo || strlen(c + 1) >= sizeof hi) return NULL;
    memcpy(lo, range, (size_t)(c - range)), lo[c - range] = 0;
    strcpy(hi, c + 1);
    uint64_t a, b;
    char *e1, *e2;
    long long ia = strtoll(lo, &e1, 10), ib = strtoll(hi, &e2, 10);
    if (!*e1 && !*e2 && ia <= ib) snprintf(out, sizeof out, "%lld", ia + (long long)rng_below(r, (uint64_t)(ib - ia) + 1));
    else if (scn_parse_duration(lo, &a) == 0 && scn_parse_duration(hi, &b) == 0 && a <= b)
        snprintf(out, sizeof out, "%lluns", (unsigned long long)(a + rng_below(r, b - a + 1)));
    else if (scn_parse_size(lo, &a) == 0 && scn_parse_size(hi, &b) == 0 && a <= b)
        snprintf(out, sizeof out, "%llu", (unsigned long long)(a + rng_below(r, b - a + 1)));
    else {
        double x = strtod(lo, &e1), y = strtod(hi, &e2);
        if (*e1 || *e2 || !(x <= y)) return NULL;
        snprintf(out, sizeof out, "%.6g", x + (y - x) * rng_unit(r));
    }
    return strdup(out);
}

static int draw_design(sw_plan *p)
{
    if (p->samples < 1 || p->samples > MAX_VALUES) return -1;
    for (size_t k = 0; k < p->n_grid; k++) {
        if (!p->g[k].range) return -1; /* grid and random dimensions do not mix */
        cp_rng r;
        rng_seed(&r, p->design_seed, k, 0x64657369676eull /* "design" */);
        for (size_t i = 0; i < p->samples; i++)
            if (!(p->g[k].values[p->g[k].n++] = draw(p->g[k].range, &r))) return -1;
    }
    p->points = p->samples;
    return 0;
}

void sw_plan_free(sw_plan *p)
{
    for (size_t k = 0; k < p->n_grid; k++) /* drawn values only: grid values are argv's */
        for (size_t i = 0; p->g[k].range && i < p->g[k].n; i++) free(p->g[k].values[i]);
    p->n_grid = 0;
}

static int parse(sw_plan *p, int argc, char **argv)
{
    memset(p, 0, sizeof *p);
    p->design_seed = 1;
    p->seeds = 1, p->jobs = 1, p->out = NULL;
    for (int i = 2; i < argc; i++) {
        const char *a = argv[i];
        int more = i + 1 < argc;
        if (!strcmp(a, "--grid") && more) {
            if (add_grid(p, argv[++i])) return -1;
        } else if (!strcmp(a, "--random") && more) {
            if (add_random(p, argv[++i])) return -1;
        } else if (!strcmp(a, "--samples") && more) p->samples = strtoull(argv[++i], NULL, 10);
        else if (!strcmp(a, "--design-seed") && more) p->design_seed = strtoull(argv[++i], NULL, 10); else if (!strcmp(a, "--seeds") && more) p->seeds = strtoull(argv[++i], NULL, 10);
        else if (!strcmp(a, "-j") && more) p->jobs = strtoull(argv[++i], NULL, 10);
        else if (!strcmp(a, "--out") && more) p->out = argv[++i];
        else if (!strcmp(a, "--resume")) p->resume = 1;
        else if (!strcmp(a, "--no-plots")) p->no_plots = 1;
        else if (!strcmp(a, "-p") && more && p->n_ovr < MAX_OVR) {
            char *eq = strchr(argv[++i], '=');
            if (!eq) return -1;
            *eq = 0;
            p->ovr[p->n_ovr++] = (scn_override){argv[i], eq + 1};
        } else if (a[0] != '-' && !p->file) p->file = a;
        else return -1;
    }
    if (!p->file || !p->n_grid || p->seeds < 1 || p->seeds > 100000 || p->jobs < 1 || p->jobs > 256) return -1;
    if (p->random) return draw_design(p);
    p->points = 1;
    for (size_t k = 0; k < p->n_grid; k++) p->points *= p->g[k].n;
    return p->points <= 100000 ? 0 : -1;
}

/* The value of grid dimension k at point pt (last dimension varies fastest). */
const char *sw_value_at(const sw_plan *p, size_t pt, size_t k)
{
    if (p->random) return p->g[k].values[pt];
    size_t stride = 1;
    for (size_t j = p->n_grid; j-- > k + 1;) stride *= p->g[j].n;
    return p->g[k].values[(pt / stride) % p->g[k].n];
}

static void run_dir(const sw_plan *p, size_t pt, uint64_t seed, char *buf)
{
    snprintf(buf, PATHLEN, "%s/runs/p%zu-s%llu", p->out, pt, (unsigned long long)seed);
}

/* ---- one run, in a child process ------------------------------------------------------ */

static int write_headline(const char *dir, wld *w)
{
    char path[PATHLEN + 16], tmp[PATHLEN + 32];
    snprintf(path, sizeof path, "%s/headline.txt", dir);
    snprintf(tmp, sizeof tmp, "%s.tmp", path);
    wld_headline h;
    wld_headline_get(w, &h);
    FILE *f = fopen(tmp, "w");
    if (!f) return -1;
    for (size_t i = 0; i < h.n; i++) fprintf(f, "%s %.17g\n", h.name[i], h.value[i]);
    if (fclose(f) != 0) return -1;
    return rename(tmp, path);
}

int sw_run_in_dir(const char *file, const scn_override *o, size_t n, const char *dir, uint64_t *violations)
{
    char err[1024];
    wld_cfg cfg;
    scn_doc doc = {0};
    *violations = 0;
    if (scn_load(file, &wld_schema, &cfg, o, n, &doc, err, sizeof err) != 0) {
        fprintf(stderr, "%s\n", err);
        return 2;
    }
    wld *w = wld_new(&cfg, err, sizeof err);
    wld_run_info info;
    int rc = 1;
    if (!w) fprintf(stderr, "%s: error: %s\n", file, err);
    else if (wld_run(w, 0, &info) != 0) fprintf(stderr, "cpsim: %s\n", wld_run_error(w));
    else {
        wld_out out = {dir, file, doc.text, "", wld_engine_names[cfg.engine], 0};
        if (wld_write_results(w, &out, &info, err, sizeof err) == 0 && write_headline(dir, w) == 0) rc = 0;
        else fprintf(stderr, "cpsim: %s\n", err);
        *violations = wld_violations(w);
    }
    wld_free(w);
    scn_free(&wld_schema, &cfg);
    scn_doc_free(&doc);
    return rc;
}

static int run_one(const sw_plan *p, size_t pt, uint64_t seed)
{
    scn_override o[MAX_OVR + MAX_GRID + 1];
    size_t n = 0;
    char sb[32], dir[PATHLEN];
    uint64_t bad;
    for (size_t i = 0; i < p->n_ovr; i++) o[n++] = p->ovr[i];
    for (size_t k = 0; k < p->n_grid; k++) o[n++] = (scn_override){p->g[k].key, sw_value_at(p, pt, k)};
    snprintf(sb, sizeof sb, "%llu", (unsigned long long)seed);
    o[n++] = (scn_override){"seed", sb};
    run_dir(p, pt, seed, dir);
    return sw_run_in_dir(p->file, o, n, dir, &bad);
}

/* ---- scheduling ---------------------------------------------------------------------- */

static int done_already(const sw_plan *p, size_t pt, uint64_t seed)
{
    char dir[PATHLEN], path[PATHLEN + 16];
    run_dir(p, pt, seed, dir);
    snprintf(path, sizeof path, "%s/headline.txt", dir);
    return access(path, F_OK) == 0;
}

static void progress(size_t done, size_t failed, size_t total, time_t t0)
{
    if (!isatty(2) && !getenv("CPSIM_PROGRESS")) return;
    double el = difftime(time(NULL), t0), eta = done ? el * (double)(total - done) / (double)done : 0;
    fprintf(stderr, "\r[sweep] %zu/%zu runs done, %zu failed, ETA %.0f s   ", done, total, failed, eta);
}

/* Run every (point, seed) not yet finished, at most jobs at a time; returns failures. */
static size_t run_all(const sw_plan *p)
{
    size_t total = p->points * p->seeds, next = 0, running = 0, done = 0, failed = 0;
    time_t t0 = time(NULL);
    while (next < total || running) {
        while (running < p->jobs && next < total) {
            size_t pt = next / p->seeds;
            uint64_t seed = 1 + next % p->seeds;
            int mine = next % (size_t)p->nranks == (size_t)p->rank;
            next++;
            if (!mine || (p->resume && done_already(p, pt, seed))) {
                done++;
                continue;
            }
            if (p->mpi) { /* no fork under MPI: runs execute in the rank, one after another */
                failed += run_one(p, pt, seed) != 0;
                done++;
                continue;
            }
            fflush(NULL);
            pid_t pid = fork();
            if (pid == 0) _exit(run_one(p, pt, seed));
            if (pid < 0) failed++, done++;
            else running++;
        }
        int st;
        if (running && wait(&st) > 0) {
            running--, done++;
            if (!WIFEXITED(st) || WEXITSTATUS(st) != 0) failed++;
        }
        progress(done, failed, total, t0);
    }
    fputc('\n', stderr);
    return failed;
}

/* ---- merging ------------------------------------------------------------------------- */

static void read_row(const sw_plan *p, size_t pt, uint64_t seed, sw_row *r)
{
    char dir[PATHLEN], path[PATHLEN + 16];
    memset(r, 0, sizeof *r);
    r->point = pt, r->seed = seed;
    run_dir(p, pt, seed, dir);
    snprintf(path, sizeof path, "%s/headline.txt", dir);
    FILE *f = fopen(path, "r");
    if (!f) return;
    while (r->n < WLD_HEADLINE_MAX && fscanf(f, "%47s %lf", r->name[r->n], &r->value[r->n]) == 2) r->n++;
    fclose(f);
    r->ok = r->n > 0;
}

static void json_rows(const sw_plan *p, const sw_row *rows, size_t n, js *j)
{
    js_arr_begin(j, "runs");
    for (size_t i = 0; i < n; i++) {
        js_obj_begin(j, NULL);
        js_u64(j, "point", rows[i].point);
        js_u64(j, "seed", rows[i].seed);
        js_bool(j, "ok", rows[i].ok);
        js_obj_begin(j, "params");
        for (size_t k = 0; k < p->n_grid; k++) js_str(j, p->g[k].key, sw_value_at(p, rows[i].point, k));
        js_obj_end(j);
        js_obj_begin(j, "metrics");
        for (size_t m = 0; m < rows[i].n; m++) js_num(j, rows[i].name[m], rows[i].value[m]);
        js_obj_end(j);
        js_obj_end(j);
    }
    js_arr_end(j);
}

static int write_json(const sw_plan *p, const sw_row *rows, size_t n)
{
    char path[PATHLEN];
    snprintf(path, sizeof path, "%s/sweep.json", p->out);
    js *j = js_open_file(path);
    if (!j) return -1;
    js_obj_begin(j, NULL);
    js_str(j, "scenario", p->file);
    js_u64(j, "points", p->points);
    js_u64(j, "seeds", p->seeds);
    js_arr_begin(j, "grid");
    for (size_t k = 0; k < p->n_grid; k++) js_str(j, NULL, p->g[k].key);
    js_arr_end(j);
    json_rows(p, rows, n, j);
    js_obj_end(j);
    return js_close(j);
}

/* sweep.h5: /runs table (point, seed, ok, one f64 column per metric of the first good row),
 * /params/<k> string attribute per point as "v0,v1,..." and the grid as attributes. */
static int write_h5(const sw_plan *p, const sw_row *rows, size_t n)
{
    char path[PATHLEN], err[256];
    snprintf(path, sizeof path, "%s/sweep.h5", p->out);
    const sw_row *ref = NULL;
    for (size_t i = 0; i < n && !ref; i++)
        if (rows[i].ok) ref = &rows[i];
    size_t nm = ref ? ref->n : 0, nc = 3 + p->n_grid + nm;
    h5w *h = h5w_open(path, err, sizeof err);
    uint64_t *pt = malloc(n * 8), *sd = malloc(n * 8);
    uint8_t *ok = malloc(n);
    double *v = malloc(n * (p->n_grid + nm) * sizeof *v);
    h5w_col *cols = malloc(nc * sizeof *cols);
    int rc = h && pt && sd && ok && v && cols ? 0 : -1;
    for (size_t i = 0; rc == 0 && i < n; i++) {
        pt[i] = rows[i].point, sd[i] = rows[i].seed, ok[i] = (uint8_t)rows[i].ok;
        for (size_t k = 0; k < p->n_grid; k++) {
            char *end;
            const char *s = sw_value_at(p, rows[i].point, k);
            double x = strtod(s, &end);
            v[k * n + i] = *end ? (double)(rows[i].point) : x; /* non-numeric values: see attribute */
        }
        for (size_t m = 0; m < nm; m++) v[(p->n_grid + m) * n + i] = rows[i].ok && m < rows[i].n ? rows[i].value[m] : 0;
    }
    if (rc == 0) {
        cols[0] = (h5w_col){"point", H5W_U64, pt};
        cols[1] = (h5w_col){"seed", H5W_U64, sd};
        cols[2] = (h5w_col){"ok", H5W_U8, ok};
        for (size_t k = 0; k < p->n_grid; k++) cols[3 + k] = (h5w_col){p->g[k].key, H5W_F64, v + k * n};
        for (size_t m = 0; m < nm; m++) cols[3 + p->n_grid + m] = (h5w_col){ref->name[m], H5W_F64, v + (p->n_grid + m) * n};
        rc = h5w_table(h, "/runs", n, cols, nc);
        rc |= h5w_attr_str(h, "/", "scenario_path", p->file);
        rc |= h5w_attr_u64(h, "/", "seeds", p->seeds);
        for (size_t k = 0; k < p->n_grid; k++) {
            char vals[4096] = "";
            for (size_t i = 0; i < p->g[k].n; i++) {
                size_t l = strlen(vals);
                snprintf(vals + l, sizeof vals - l, "%s%s", i ? "," : "", p->g[k].values[i]);
            }
            rc |= h5w_attr_str(h, "/runs", p->g[k].key, vals);
        }
    }
    free(pt), free(sd), free(ok), free(v), free(cols);
    if (!h) return -1;
    if (rc != 0) {
        h5w_abort(h);
        return -1;
    }
    return h5w_commit(h);
}

/* A grid value as a number for a plot axis: a plain number, a duration (in seconds) or a size
 * (in bytes); otherwise its index among the dimension's values. */
static double axis_value(const sw_grid *g, size_t i)
{
    char *end;
    uint64_t u;
    double v = strtod(g->values[i], &end);
    if (*end == 0 && end != g->values[i]) return v;
    if (scn_parse_duration(g->values[i], &u) == 0) return (double)u / 1e9;
    if (scn_parse_size(g->values[i], &u) == 0) return (double)u;
    return (double)i;
}

/* Two-sided 95 % Student t quantile for df degrees of freedom (normal beyond 30). */
static double t95(double df)
{
    static const double t[] = {0, 12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228,
                               2.201, 2.179, 2.160, 2.145, 2.131, 2.120, 2.110, 2.101, 2.093, 2.086,
                               2.080, 2.074, 2.069, 2.064, 2.060, 2.056, 2.052, 2.048, 2.045, 2.042};
    return df >= 1 && df <= 30 ? t[(int)df] : 1.96;
}

/* Mean over the seeds of point pt's metric m, and the half-width of its 95 % t interval. */
static double seed_mean(const sw_plan *p, const sw_row *rows, size_t pt, size_t m, double *err)
{
    double sum = 0, sq = 0, k = 0;
    for (uint64_t s = 0; s < p->seeds; s++) {
        const sw_row *r = &rows[pt * p->seeds + s];
        if (!r->ok || m >= r->n) continue;
        sum += r->value[m], sq += r->value[m] * r->value[m], k++;
    }
    double mean = k ? sum / k : 0, var = k > 1 ? (sq - k * mean * mean) / (k - 1) : 0;
    *err = k > 1 && var > 0 ? t95(k - 1) * sqrt(var / k) : 0;
    return mean;
}

/* The series of a plot against dimension dim: points that agree on every other dimension
 * form one line (grid designs); a random design is one cloud of points. */
static size_t series_of(const sw_plan *p, size_t pt, size_t dim, size_t *pos)
{
    if (p->random) return *pos = pt, 0;
    size_t stride = 1, line = 0, mul = 1;
    for (size_t j = p->n_grid; j-- > 0;) {
        size_t digit = (pt / stride) % p->g[j].n;
        if (j == dim) *pos = digit;
        else line += digit * mul, mul *= p->g[j].n;
        stride *= p->g[j].n;
    }
    return line;
}

static void series_title(const sw_plan *p, size_t dim, size_t pt, const char *name, char *t, size_t len)
{
    size_t l = 0;
    t[0] = 0;
    for (size_t k = 0; !p->random && k < p->n_grid; k++)
        if (k != dim && l < len)
            l += (size_t)snprintf(t + l, len - l, "%s%s=%s", l ? ", " : "", p->g[k].key, sw_value_at(p, pt, k));
    if (!t[0]) snprintf(t, len, "%s", name);
}

/* One plot per (metric, swept parameter): mean over seeds with its 95 % interval. */
static void plot_metric(const sw_plan *p, const sw_row *rows, size_t m, const char *name, size_t dim)
{
    size_t per = p->random ? p->points : p->g[dim].n, lines = p->points / per;
    double *x = calloc(per * lines * 3, sizeof *x);
    plot_series *ser = calloc(lines, sizeof *ser);
    char(*titles)[128] = calloc(lines, sizeof *titles);
    for (size_t pt = 0; x && ser && titles && pt < p->points; pt++) {
        size_t i = 0, c = series_of(p, pt, dim, &i);
        double *xs = x + c * per * 3, *ys = xs + per, *es = ys + per;
        xs[i] = axis_value(&p->g[dim], p->random ? pt : i);
        ys[i] = seed_mean(p, rows, pt, m, &es[i]);
        if (i == 0) series_title(p, dim, pt, name, titles[c], sizeof titles[c]);
        ser[c] = (plot_series){titles[c], xs, ys, per, es};
    }
    char fname[160], title[256];
    snprintf(fname, sizeof fname, "sweep_%s_vs_%s", name, p->g[dim].key);
    snprintf(title, sizeof title, "%s against %s (mean over %llu seeds, 95%% t interval)", name, p->g[dim].key,
             (unsigned long long)p->seeds);
    plot_spec sp = {p->out, fname, title, p->g[dim].key, name, 0, 0, 0, p->random ? "yerrorbars pt 7" : NULL};
    if (x && ser && titles) plot_lines(&sp, ser, lines);
    free(x), free(ser), free(titles);
}

static void plot_all(const sw_plan *p, const sw_row *rows, size_t n)
{
    const sw_row *ref = NULL;
    for (size_t i = 0; i < n && !ref; i++)
        if (rows[i].ok) ref = &rows[i];
    for (size_t m = 0; ref && m < ref->n; m++)
        for (size_t dim = 0; dim < p->n_grid; dim++) plot_metric(p, rows, m, ref->name[m], dim);
}

int sw_mkdir_p(const char *dir)
{
    char tmp[PATHLEN];
    snprintf(tmp, sizeof tmp, "%s", dir);
    for (char *q = tmp + 1; *q; q++)
        if (*q == '/') {
            *q = 0;
            if (mkdir(tmp, 0777) != 0 && errno != EEXIST) return -1;
            *q = '/';
        }
    return mkdir(tmp, 0777) != 0 && errno != EEXIST ? -1 : 0;
}

/* Under mpirun (OpenMPI sets OMPI_COMM_WORLD_SIZE), ranks share the runs; rank 0 merges. */
static void mpi_begin(sw_plan *p)
{
    p->rank = 0, p->nranks = 1, p->mpi = 0;
#ifdef HAVE_MPI
    if (getenv("OMPI_COMM_WORLD_SIZE")) {
        MPI_Init(NULL, NULL);
        MPI_Comm_rank(MPI_COMM_WORLD, &p->rank);
        MPI_Comm_size(MPI_COMM_WORLD, &p->nranks);
        p->mpi = 1;
    }
#endif
}

/* Each rank read the rows of its own runs (zeros elsewhere); OR them together on rank 0. */
static void mpi_gather(sw_plan *p, sw_row *rows, size_t n, size_t *failed)
{
#ifdef HAVE_MPI
    if (!p->mpi) return;
    size_t bytes = n * sizeof *rows;
    unsigned char *all = p->rank == 0 ? calloc(bytes ? bytes : 1, 1) : NULL;
    MPI_Reduce(rows, all, (int)bytes, MPI_BYTE, MPI_BOR, 0, MPI_COMM_WORLD);
    unsigned long long f = *failed, total = 0;
    MPI_Reduce(&f, &total, 1, MPI_UNSIGNED_LONG_LONG, MPI_SUM, 0, MPI_COMM_WORLD);
    if (all) memcpy(rows, all, bytes), *failed = (size_t)total;
    free(all);
    MPI_Finalize();
#else
    (void)p, (void)rows, (void)n, (void)failed;
#endif
}

int sw_execute(int argc, char **argv, sw_plan *pp, sw_row **rows_out)
{
    sw_plan *p = pp;
    *rows_out = NULL;
    if (parse(p, argc, argv) != 0) {
        sw_plan_free(p);
        return sw_usage();
    }
    mpi_begin(p);
    if (!p->out) p->out = "results/sweep";
    if (strlen(p->out) > 1024) return sw_usage();
    for (size_t i = 0; i < p->points * p->seeds; i++) { /* make every run folder before forking */
        char dir[PATHLEN];
        run_dir(p, i / p->seeds, 1 + i % p->seeds, dir);
        if (sw_mkdir_p(dir) != 0) {
            fprintf(stderr, "cpsim: %s: cannot create: %s\n", dir, strerror(errno));
            return 1;
        }
    }
    size_t failed = run_all(p), n = p->points * p->seeds;
    sw_row *rows = calloc(n ? n : 1, sizeof *rows);
    if (!rows) return 1;
    for (size_t i = 0; i < n; i++)
        if (i % (size_t)p->nranks == (size_t)p->rank) read_row(p, i / p->seeds, 1 + i % p->seeds, &rows[i]);
    mpi_gather(p, rows, n, &failed);
    if (p->rank != 0) { /* only rank 0 writes the merged results */
        free(rows);
        return 0;
    }
    int rc = write_json(p, rows, n) | write_h5(p, rows, n);
    if (!p->no_plots) plot_all(p, rows, n);
    *rows_out = rows;
    fprintf(stderr, "cpsim: sweep of %zu points x %llu seeds: %zu failed; %s/sweep.json, %s/sweep.h5\n",
            p->points, (unsigned long long)p->seeds, failed, p->out, p->out);
    return rc ? 1 : failed ? 3 : 0;
}

int sweep_main(int argc, char **argv)
{
    sw_plan p;
    sw_row *rows;
    int rc = sw_execute(argc, argv, &p, &rows);
    free(rows);
    sw_plan_free(&p);
    return rc;
}
