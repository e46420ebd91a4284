/* sim/world/report_flood.c: results of the flooding protocol: per-block time to reach 50%,
 * 90% and 100% of the nodes, the raw arrival matrix, duplicates per node; summary numbers
 * and the propagation CDF plot. Invariant: a block that never reached a fraction of the nodes
 * reports UINT64_MAX (HDF5) / null (JSON) for it, never a made-up time. */
#include "sim/world/world_int.h"

#include <stdlib.h>
#include <string.h>

#include "sim/metrics/plot.h"
#include "sim/metrics/st.h"

#define PLOT_BLOCKS 10
#define PLOT_POINTS 500

static int cmp_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return (x > y) - (x < y);
}

/* Sorted delays since creation of the nodes a block reached; returns how many reached. */
static size_t block_delays(wld *w, uint32_t b, uint64_t *out)
{
    cp_time c = flood_created(w->flood, b);
    size_t k = 0;
    if (c == CP_TIME_NEVER) return 0;
    for (cp_node v = 0; v < w->n_nodes; v++) {
        cp_time a = flood_arrival(w->flood, b, v);
        if (a != CP_TIME_NEVER) out[k++] = a - c;
    }
    qsort(out, k, sizeof *out, cmp_u64);
    return k;
}

/* Delay by which ceil(frac * n) nodes had the block, or UINT64_MAX. */
static uint64_t reach_time(const uint64_t *d, size_t reached, uint32_t n, double frac)
{
    size_t need = (size_t)((double)n * frac + 0.999999);
    if (need == 0) need = 1;
    return need <= reached ? d[need - 1] : UINT64_MAX;
}

typedef struct block_tab {
    uint32_t *index, *origin;
    uint64_t *created, *t50, *t90, *t100, *reached;
} block_tab;

static void tab_free(block_tab *t)
{
    free(t->index), free(t->origin), free(t->created), free(t->t50), free(t->t90);
    free(t->t100), free(t->reached);
}

static int tab_fill(wld *w, block_tab *t)
{
    uint32_t nb = flood_n_blocks(w->flood);
    size_t m = nb ? nb : 1;
    t->index = malloc(m * 4), t->origin = malloc(m * 4), t->created = malloc(m * 8);
    t->t50 = malloc(m * 8), t->t90 = malloc(m * 8), t->t100 = malloc(m * 8), t->reached = malloc(m * 8);
    uint64_t *d = malloc((size_t)w->n_nodes * sizeof *d);
    int ok = t->index && t->origin && t->created && t->t50 && t->t90 && t->t100 && t->reached && d;
    for (uint32_t b = 0; ok && b < nb; b++) {
        size_t r = block_delays(w, b, d);
        t->index[b] = b, t->origin[b] = flood_origin(w->flood, b);
        t->created[b] = flood_created(w->flood, b), t->reached[b] = r;
        t->t50[b] = reach_time(d, r, w->n_nodes, 0.5);
        t->t90[b] = reach_time(d, r, w->n_nodes, 0.9);
        t->t100[b] = reach_time(d, r, w->n_nodes, 1.0);
    }
    free(d);
    return ok ? 0 : -1;
}

int wld_flood_h5(wld *w, h5w *h)
{
    uint32_t nb = flood_n_blocks(w->flood);
    block_tab t = {0};
    int rc = tab_fill(w, &t);
    if (rc == 0) {
        h5w_col cols[] = {{"index", H5W_U32, t.index}, {"origin", H5W_U32, t.origin},
                          {"created_ns", H5W_U64, t.created}, {"t50_ns", H5W_U64, t.t50},
                          {"t90_ns", H5W_U64, t.t90}, {"t100_ns", H5W_U64, t.t100},
                          {"reached", H5W_U64, t.reached}};
        rc = h5w_table(h, "/flood/blocks", nb, cols, 7);
        uint64_t dims[2] = {nb, w->n_nodes};
        rc |= h5w_dataset(h, "/flood/arrival_ns", H5W_U64, 2, dims, flood_arrivals(w->flood));
        uint32_t *dups = malloc((size_t)w->n_nodes * 4);
        if (!dups) rc = -1;
        for (cp_node v = 0; dups && v < w->n_nodes; v++) dups[v] = flood_dups(w->flood, v);
        uint64_t nd = w->n_nodes;
        if (dups) rc |= h5w_dataset(h, "/flood/duplicates", H5W_U32, 1, &nd, dups);
        free(dups);
        rc |= h5w_attr_u64(h, "/flood", "malformed", flood_malformed(w->flood));
        rc |= h5w_attr_u64(h, "/flood", "bad_signatures", flood_bad_signatures(w->flood));
    }
    tab_free(&t);
    return rc;
}

/* Summary over blocks of one reach-time column, in seconds; unreached blocks are counted. */
static void json_reach(js *j, const char *key, const uint64_t *t, uint32_t nb)
{
    double *s = malloc((nb ? nb : 1) * sizeof *s);
    size_t k = 0;
    for (uint32_t b = 0; s && b < nb; b++)
        if (t[b] != UINT64_MAX) s[k++] = (double)t[b] / 1e9;
    st_summary sum;
    st_summarize(s, k, &sum);
    js_obj_begin(j, key);
    js_u64(j, "blocks_not_reaching", nb - k);
    st_write_json(j, "seconds", &sum);
    js_obj_end(j);
    free(s);
}

void wld_flood_json(wld *w, js *j)
{
    uint32_t nb = flood_n_blocks(w->flood);
    block_tab t = {0};
    if (tab_fill(w, &t) != 0) {
        tab_free(&t);
        return;
    }
    uint64_t reached = 0;
    for (uint32_t b = 0; b < nb; b++) reached += t.reached[b];
    js_obj_begin(j, "flood");
    js_u64(j, "blocks", nb);
    js_num(j, "coverage", nb ? (double)reached / ((double)nb * w->n_nodes) : 0);
    json_reach(j, "time_to_50pct", t.t50, nb);
    json_reach(j, "time_to_90pct", t.t90, nb);
    json_reach(j, "time_to_100pct", t.t100, nb);
    double *dups = malloc((size_t)w->n_nodes * sizeof *dups);
    for (cp_node v = 0; dups && v < w->n_nodes; v++) dups[v] = flood_dups(w->flood, v);
    st_summary s;
    st_summarize(dups, dups ? w->n_nodes : 0, &s);
    st_write_json(j, "duplicates_per_node", &s);
    js_u64(j, "malformed", flood_malformed(w->flood));
    js_u64(j, "bad_signatures", flood_bad_signatures(w->flood));
    js_obj_end(j);
    free(dups);
    tab_free(&t);
}

/* One CDF series per block (at most PLOT_BLOCKS), downsampled to PLOT_POINTS points. */
void wld_flood_plots(wld *w, const char *dir)
{
    uint32_t nb = flood_n_blocks(w->flood);
    if (nb > PLOT_BLOCKS) nb = PLOT_BLOCKS;
    uint64_t *d = malloc((size_t)w->n_nodes * sizeof *d);
    double *xy = malloc((size_t)nb * PLOT_POINTS * 2 * sizeof *xy);
    plot_series *s = calloc(nb ? nb : 1, sizeof *s);
    char(*titles)[32] = calloc(nb ? nb : 1, sizeof *titles);
    size_t ns = 0;
    for (uint32_t b = 0; d && xy && s && titles && b < nb; b++) {
        size_t r = block_delays(w, b, d);
        if (!r) continue;
        double *x = xy + (size_t)ns * PLOT_POINTS * 2, *y = x + PLOT_POINTS;
        size_t pts = r < PLOT_POINTS ? r : PLOT_POINTS;
        for (size_t i = 0; i < pts; i++) {
            size_t k = pts == 1 ? r - 1 : i * (r - 1) / (pts - 1);
            x[i] = (double)d[k] / 1e9;
            y[i] = (double)(k + 1) / w->n_nodes;
        }
        snprintf(titles[ns], sizeof titles[ns], "block %u", b);
        s[ns] = (plot_series){titles[ns], x, y, pts, NULL};
        ns++;
    }
    plot_spec spec = {dir, "propagation", "Block propagation: fraction of nodes reached",
                      "time since block creation (s)", "fraction of nodes", 0, 0, 1, NULL};
    if (ns) plot_lines(&spec, s, ns);
    free(d), free(xy), free(s), free(titles);
}
