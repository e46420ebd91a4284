/* sim/metrics/st.c: nearest-rank percentiles and summaries (contract in st.h). Invariant:
 * the result depends only on the multiset of values (sorting makes the order irrelevant). */
#include "sim/metrics/st.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

double st_percentile_sorted(const double *s, size_t n, double pct)
{
    if (n == 0) return NAN;
    double r = ceil(pct / 100.0 * (double)n);
    size_t k = r < 1 ? 1 : (size_t)r;
    return s[(k > n ? n : k) - 1];
}

int st_summarize(const double *v, size_t n, st_summary *out)
{
    memset(out, 0, sizeof *out);
    out->min = out->max = out->mean = out->p50 = out->p90 = out->p99 = NAN;
    if (n == 0) return 0;
    double *s = malloc(n * sizeof *s);
    if (!s) return -1;
    memcpy(s, v, n * sizeof *s);
    qsort(s, n, sizeof *s, cmp_double);
    double sum = 0;
    for (size_t i = 0; i < n; i++) sum += s[i];
    out->n = n;
    out->min = s[0], out->max = s[n - 1], out->mean = sum / (double)n;
    out->p50 = st_percentile_sorted(s, n, 50);
    out->p90 = st_percentile_sorted(s, n, 90);
    out->p99 = st_percentile_sorted(s, n, 99);
    free(s);
    return 0;
}

void st_write_json(js *j, const char *key, const st_summary *s)
{
    js_obj_begin(j, key);
    js_u64(j, "n", s->n);
    js_num(j, "min", s->min);
    js_num(j, "p50", s->p50);
    js_num(j, "p90", s->p90);
    js_num(j, "p99", s->p99);
    js_num(j, "max", s->max);
    js_num(j, "mean", s->mean);
    js_obj_end(j);
}
