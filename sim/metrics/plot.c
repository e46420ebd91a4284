/* sim/metrics/plot.c: gnuplot charts (contract in plot.h).
 *
 * Writes NAME.dat (one block per series, separated by two blank lines, addressed with
 * `index` in the script) and NAME.gp, runs gnuplot with stdin from /dev/null and its output
 * captured in NAME.gp.log, and renames NAME.png.tmp to NAME.png only when gnuplot succeeded.
 * Invariant: NAME.png is either absent or a complete image. */
#include "sim/metrics/plot.h"

#include <errno.h>
#include <fcntl.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "config.h"

extern char **environ;

#define PLOT_PATH 4096

static void path_of(char *buf, const plot_spec *s, const char *ext)
{
    snprintf(buf, PLOT_PATH, "%s/%s%s", s->dir, s->name, ext);
}

/* A gnuplot string literal: single quotes, with embedded single quotes doubled. */
static void put_quoted(FILE *f, const char *s)
{
    fputc('\'', f);
    for (; s && *s; s++) {
        if (*s == '\'') fputc('\'', f);
        if (*s != '\n') fputc(*s, f);
    }
    fputc('\'', f);
}

static int write_data(const plot_spec *s, const plot_series *ser, size_t n)
{
    char path[PLOT_PATH];
    path_of(path, s, ".dat");
    FILE *f = fopen(path, "w");
    if (!f) return PLOT_EIO;
    for (size_t k = 0; k < n; k++) {
        fprintf(f, "# %s\n", ser[k].title ? ser[k].title : "");
        for (size_t i = 0; i < ser[k].n; i++)
            fprintf(f, "%.9g %.9g %.9g\n", ser[k].x[i], ser[k].y[i], ser[k].err ? ser[k].err[i] : 0.0);
        fputs("\n\n", f);
    }
    return fclose(f) == 0 ? PLOT_OK : PLOT_EIO;
}

static int write_script(const plot_spec *s, const plot_series *ser, size_t n, const char *term)
{
    char path[PLOT_PATH], dat[PLOT_PATH], png[PLOT_PATH];
    path_of(path, s, ".gp");
    snprintf(dat, sizeof dat, "%s.dat", s->name);
    snprintf(png, sizeof png, "%s.png.tmp", s->name);
    FILE *f = fopen(path, "w");
    if (!f) return PLOT_EIO;
    fprintf(f, "# cpsim plot; run from this folder: gnuplot %s.gp\n", s->name);
    fprintf(f, "set terminal %s size 900,600 noenhanced\nset output ", term);
    put_quoted(f, png);
    fputs("\nset title ", f), put_quoted(f, s->title);
    fputs("\nset xlabel ", f), put_quoted(f, s->xlabel);
    fputs("\nset ylabel ", f), put_quoted(f, s->ylabel);
    fputs(n > 3 ? "\nset grid\nset key outside right top\n" : "\nset grid\nset key below\n", f);
    if (s->logx) fputs("set logscale x\n", f);
    if (s->logy) fputs("set logscale y\n", f);
    fputs("plot ", f);
    for (size_t k = 0; k < n; k++) {
        fprintf(f, "%s", k ? ", \\\n     " : "");
        put_quoted(f, dat);
        if (ser[k].err)
            fprintf(f, " index %zu using 1:2:3 with %s title ", k, s->style ? s->style : "yerrorlines lw 2 pt 7");
        else
            fprintf(f, " index %zu using 1:2 with %s title ", k,
                    s->style ? s->style : s->steps ? "steps lw 2" : "lines lw 2");
        put_quoted(f, ser[k].title);
    }
    fputs("\n", f);
    return fclose(f) == 0 ? PLOT_OK : PLOT_EIO;
}

static const char *gnuplot_path(void)
{
    const char *p = getenv("CPSIM_GNUPLOT");
    return p && *p ? p : CPSIM_GNUPLOT;
}

/* Run gnuplot on NAME.gp inside dir (gnuplot's own `cd`, so this process's working folder is
 * never changed); returns its exit status, or -1 if it could not start. */
static int run_gnuplot(const plot_spec *s)
{
    char script[PLOT_PATH], log[PLOT_PATH], cd[PLOT_PATH + 16];
    snprintf(script, sizeof script, "%s.gp", s->name);
    path_of(log, s, ".gp.log");
    FILE *m = fmemopen(cd, sizeof cd, "w");
    if (!m) return -1;
    fputs("cd ", m);
    put_quoted(m, s->dir);
    fclose(m);
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
    posix_spawn_file_actions_addopen(&fa, 1, log, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    posix_spawn_file_actions_adddup2(&fa, 1, 2);
    char *argv[] = {(char *)gnuplot_path(), "-e", cd, script, NULL};
    int status = -1;
    pid_t pid;
    if (posix_spawnp(&pid, argv[0], &fa, NULL, argv, environ) == 0 && waitpid(pid, &status, 0) == pid)
        status = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    posix_spawn_file_actions_destroy(&fa);
    return status;
}

static int have_gnuplot(void)
{
    const char *p = gnuplot_path();
    if (strchr(p, '/')) return access(p, X_OK) == 0;
    const char *path = getenv("PATH");
    char buf[PLOT_PATH];
    for (const char *d = path; d && *d;) {
        const char *e = strchr(d, ':');
        size_t len = e ? (size_t)(e - d) : strlen(d);
        snprintf(buf, sizeof buf, "%.*s/%s", (int)len, d, p);
        if (access(buf, X_OK) == 0) return 1;
        d = e ? e + 1 : NULL;
    }
    return 0;
}

int plot_lines(const plot_spec *s, const plot_series *ser, size_t n)
{
    if (!have_gnuplot()) return PLOT_ENOGNUPLOT;
    int rc = write_data(s, ser, n);
    if (rc != PLOT_OK) return rc;
    static const char *const terms[] = {"pngcairo", "png"};
    char tmp[PLOT_PATH], png[PLOT_PATH];
    path_of(tmp, s, ".png.tmp");
    path_of(png, s, ".png");
    char log[PLOT_PATH];
    path_of(log, s, ".gp.log");
    for (size_t t = 0; t < 2; t++) {
        if ((rc = write_script(s, ser, n, terms[t])) != PLOT_OK) return rc;
        if (run_gnuplot(s) == 0) {
            struct stat st;
            if (stat(log, &st) == 0 && st.st_size == 0) unlink(log); /* keep it only if gnuplot spoke */
            return rename(tmp, png) == 0 ? PLOT_OK : PLOT_EIO;
        }
        unlink(tmp);
    }
    return PLOT_EGNUPLOT;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

int plot_cdf(const plot_spec *s, const char *const *titles, const double *const *v, const size_t *n,
             size_t n_series)
{
    plot_series *ser = calloc(n_series ? n_series : 1, sizeof *ser);
    int rc = ser ? PLOT_OK : PLOT_EIO;
    size_t m = 0; /* non-empty series */
    for (size_t k = 0; rc == PLOT_OK && k < n_series; k++) {
        if (!n[k]) continue;
        /* a first point at fraction 0 under the smallest value: the curve rises there, so even
         * a single value draws a step */
        double *x = malloc((n[k] + 1) * sizeof *x), *y = malloc((n[k] + 1) * sizeof *y);
        ser[m++] = (plot_series){titles[k], x, y, n[k] + 1, NULL};
        if (!x || !y) rc = PLOT_EIO;
        for (size_t i = 0; x && y && i < n[k]; i++) x[i + 1] = v[k][i], y[i + 1] = (double)(i + 1) / (double)n[k];
        if (x && y) qsort(x + 1, n[k], sizeof *x, cmp_double), x[0] = x[1], y[0] = 0;
    }
    if (rc == PLOT_OK && m) {
        plot_spec sp = *s;
        sp.steps = 1;
        rc = plot_lines(&sp, ser, m);
    }
    for (size_t k = 0; ser && k < m; k++) free((void *)ser[k].x), free((void *)ser[k].y);
    free(ser);
    return rc;
}
