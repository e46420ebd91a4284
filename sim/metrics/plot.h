/* sim/metrics/plot.h: gnuplot plots written atomically next to the results.
 *
 * plot_run() writes the data file(s) it is given and a gnuplot script into the output folder,
 * runs gnuplot (path from configure, or $CPSIM_GNUPLOT) with the pngcairo terminal (falling
 * back to png), writing OUT.png.tmp and renaming it to OUT.png on success. A missing gnuplot
 * is reported once (return PLOT_ENOGNUPLOT) and is not an error for the run.
 *
 * The data and the script stay in the folder (NAME.dat, NAME.gp) so a researcher can restyle.
 * Must not touch: anything outside sim/metrics. */
#ifndef PLOT_H
#define PLOT_H

#include <stddef.h>

enum { PLOT_OK = 0, PLOT_EIO = -1, PLOT_EGNUPLOT = -2, PLOT_ENOGNUPLOT = -3 };

typedef struct plot_series {
    const char *title;  /* legend */
    const double *x, *y;
    size_t n;
    const double *err;  /* half-width of an error bar per point, or NULL */
} plot_series;

typedef struct plot_spec {
    const char *dir;      /* output folder */
    const char *name;     /* base name: NAME.dat, NAME.gp, NAME.png */
    const char *title;
    const char *xlabel, *ylabel;
    int logx, logy;
    int steps;            /* draw as steps (CDFs) instead of lines */
    const char *style;    /* gnuplot style overriding lines/steps, e.g. "points pt 7", or NULL */
} plot_spec;

/* Draw the series as lines (or steps) on one chart. */
int plot_lines(const plot_spec *spec, const plot_series *s, size_t n_series);
/* Helper for CDFs: sorts a copy of v[n] and draws fraction vs value for each series, from a
 * first point at fraction 0 under the smallest value (so one value draws a visible step). Empty
 * series are left out; with none left nothing is drawn (PLOT_OK). */
int plot_cdf(const plot_spec *spec, const char *const *titles, const double *const *v,
             const size_t *n, size_t n_series);

#endif
