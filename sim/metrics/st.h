/* sim/metrics/st.h: summary statistics of a sample for summary.json and benchmarks.
 *
 * Percentiles use the nearest-rank definition on the sorted sample: pX is the value at rank
 * ceil(X/100 * n) (1-based), so p100 is the maximum and every reported percentile is a value
 * that occurred. An empty sample gives n = 0 and NaN everywhere (written as null).
 * Ownership: st_summarize copies and sorts internally; the caller keeps its array. */
#ifndef ST_H
#define ST_H

#include <stddef.h>

#include "sim/metrics/js.h"

typedef struct st_summary {
    size_t n;
    double min, max, mean, p50, p90, p99;
} st_summary;

/* 0, or -1 if out of memory (then out->n = 0). */
int st_summarize(const double *v, size_t n, st_summary *out);
/* Nearest-rank percentile of an ascending array (0 < pct <= 100). */
double st_percentile_sorted(const double *sorted, size_t n, double pct);
/* {"n":..,"min":..,"p50":..,"p90":..,"p99":..,"max":..,"mean":..} under key. */
void st_write_json(js *j, const char *key, const st_summary *s);

#endif
