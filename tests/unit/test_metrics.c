/* Unit tests for sim/metrics: HDF5 files are byte-identical for identical calls (also across
 * a wall-clock second) and read back exactly; no temporary file survives commit or abort;
 * JSON output is exact; nearest-rank percentiles; a plot appears atomically. */
#include <hdf5.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "sim/metrics/h5w.h"
#include "sim/metrics/js.h"
#include "sim/metrics/plot.h"
#include "sim/metrics/st.h"
#include "tests/harness.h"

static char dir[64];

static void mkdir_tmp(void)
{
    strcpy(dir, "/tmp/cpsim-metrics-XXXXXX");
    if (!mkdtemp(dir)) abort();
}

static int write_sample(const char *path)
{
    char err[256];
    h5w *w = h5w_open(path, err, sizeof err);
    if (!w) return -1;
    uint64_t data[6] = {1, 2, 3, 4, 5, UINT64_MAX}, dims[2] = {2, 3};
    uint32_t a[3] = {7, 8, 9};
    double b[3] = {0.5, -1, 1e300};
    h5w_col cols[] = {{"a", H5W_U32, a}, {"b", H5W_F64, b}};
    int rc = h5w_dataset(w, "/g/sub/m", H5W_U64, 2, dims, data);
    rc |= h5w_table(w, "/t", 3, cols, 2);
    rc |= h5w_attr_str(w, "/", "text", "hello\nworld");
    rc |= h5w_attr_u64(w, "/g", "seed", 42);
    rc |= h5w_attr_f64(w, "/t", "x", 2.5);
    if (rc) {
        h5w_abort(w);
        return -1;
    }
    return h5w_commit(w);
}

static void t_h5_identical_bytes_across_time(void)
{
    mkdir_tmp();
    char p1[128], p2[128];
    snprintf(p1, sizeof p1, "%s/a.h5", dir);
    snprintf(p2, sizeof p2, "%s/b.h5", dir);
    REQUIRE(write_sample(p1) == 0);
    sleep(1);
    usleep(100000);
    REQUIRE(write_sample(p2) == 0);
    size_t l1 = 0, l2 = 0;
    char *b1 = test_slurp(p1, &l1), *b2 = test_slurp(p2, &l2);
    REQUIRE(b1 && b2);
    CHECK(l1 == l2 && memcmp(b1, b2, l1) == 0);
    free(b1), free(b2);
    char t[140];
    snprintf(t, sizeof t, "%s.tmp", p1);
    CHECK(access(t, F_OK) != 0);
}

static void t_h5_read_back(void)
{
    char p[128];
    snprintf(p, sizeof p, "%s/a.h5", dir);
    hid_t f = H5Fopen(p, H5F_ACC_RDONLY, H5P_DEFAULT);
    REQUIRE(f >= 0);
    uint64_t m[6];
    hid_t d = H5Dopen2(f, "/g/sub/m", H5P_DEFAULT);
    CHECK(H5Dread(d, H5T_NATIVE_UINT64, H5S_ALL, H5S_ALL, H5P_DEFAULT, m) >= 0);
    CHECK_EQ_U64(m[4], 5);
    CHECK_EQ_U64(m[5], UINT64_MAX);
    H5Dclose(d);
    d = H5Dopen2(f, "/t", H5P_DEFAULT);
    hid_t mt = H5Tcreate(H5T_COMPOUND, sizeof(double));
    H5Tinsert(mt, "b", 0, H5T_NATIVE_DOUBLE);
    double b[3];
    CHECK(H5Dread(d, mt, H5S_ALL, H5S_ALL, H5P_DEFAULT, b) >= 0);
    CHECK(b[0] == 0.5 && b[1] == -1 && b[2] == 1e300);
    H5Tclose(mt), H5Dclose(d);
    hid_t a = H5Aopen_by_name(f, "/g", "seed", H5P_DEFAULT, H5P_DEFAULT);
    uint64_t seed = 0;
    H5Aread(a, H5T_NATIVE_UINT64, &seed);
    CHECK_EQ_U64(seed, 42);
    H5Aclose(a);
    a = H5Aopen(f, "text", H5P_DEFAULT);
    hid_t st = H5Tcopy(H5T_C_S1);
    H5Tset_size(st, H5T_VARIABLE);
    H5Tset_cset(st, H5T_CSET_UTF8);
    char *s = NULL;
    CHECK(H5Aread(a, st, &s) >= 0 && s && strcmp(s, "hello\nworld") == 0);
    H5free_memory(s);
    H5Tclose(st), H5Aclose(a), H5Fclose(f);
}

static void t_h5_abort_leaves_nothing(void)
{
    char p[128], t[140], err[256];
    snprintf(p, sizeof p, "%s/c.h5", dir);
    snprintf(t, sizeof t, "%s.tmp", p);
    h5w *w = h5w_open(p, err, sizeof err);
    REQUIRE(w);
    CHECK(access(t, F_OK) == 0 && access(p, F_OK) != 0);
    h5w_abort(w);
    CHECK(access(t, F_OK) != 0 && access(p, F_OK) != 0);
    CHECK(h5w_open("/nonexistent-dir/x.h5", err, sizeof err) == NULL);
}

static void t_json_exact(void)
{
    char p[128];
    snprintf(p, sizeof p, "%s/s.json", dir);
    js *j = js_open_file(p);
    REQUIRE(j);
    js_obj_begin(j, NULL);
    js_str(j, "s", "a\"b\\c\n\x01");
    js_num(j, "x", 0.1);
    js_num(j, "n", NAN);
    js_u64(j, "u", UINT64_MAX);
    js_arr_begin(j, "a");
    js_i64(j, NULL, -3);
    js_bool(j, NULL, 1);
    js_arr_end(j);
    js_obj_begin(j, "e");
    js_obj_end(j);
    js_obj_end(j);
    REQUIRE(js_close(j) == 0);
    size_t len;
    char *b = test_slurp(p, &len);
    const char *want = "{\n  \"s\": \"a\\\"b\\\\c\\n\\u0001\",\n  \"x\": 0.1,\n  \"n\": null,\n"
                       "  \"u\": 18446744073709551615,\n  \"a\": [\n    -3,\n    true\n  ],\n"
                       "  \"e\": {}\n}\n";
    CHECK(b && strcmp(b, want) == 0);
    if (b && strcmp(b, want)) printf("# got:\n%s", b);
    free(b);
}

static void t_percentiles_nearest_rank(void)
{
    double v[100];
    for (int i = 0; i < 100; i++) v[i] = 100 - i; /* 1..100 reversed */
    st_summary s;
    REQUIRE(st_summarize(v, 100, &s) == 0);
    CHECK(s.p50 == 50 && s.p90 == 90 && s.p99 == 99 && s.max == 100 && s.min == 1);
    CHECK_NEAR(s.mean, 50.5, 1e-12);
    double w[3] = {3, 1, 2};
    st_summarize(w, 3, &s);
    CHECK(s.p50 == 2 && s.p90 == 3 && s.p99 == 3);
    st_summarize(w, 0, &s);
    CHECK(s.n == 0 && isnan(s.p50));
}

static void t_plot_atomic_png(void)
{
    double x[3] = {0, 1, 2}, y[3] = {0, 0.5, 1};
    plot_series s = {"it's a title", x, y, 3, NULL};
    plot_spec sp = {dir, "p", "T", "x", "y", 0, 0, 1, NULL};
    int rc = plot_lines(&sp, &s, 1);
    if (rc == PLOT_ENOGNUPLOT) {
        test_skip("gnuplot not installed");
        return;
    }
    CHECK(rc == PLOT_OK);
    char p[128];
    snprintf(p, sizeof p, "%s/p.png", dir);
    size_t len = 0;
    char *b = test_slurp(p, &len);
    CHECK(b && len > 8 && memcmp(b, "\x89PNG", 4) == 0);
    free(b);
    snprintf(p, sizeof p, "%s/p.png.tmp", dir);
    CHECK(access(p, F_OK) != 0);
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    CHECK(system(cmd) == 0);
}

/* plot_cdf: sorted values with fractions i/n after a first point at fraction 0; an empty
 * series is left out; a single value still draws a step (0 then 1 at that value). */
static void t_plot_cdf_data(void)
{
    double a[3] = {3, 1, 2}, one[1] = {5};
    const double *v[3] = {a, NULL, one};
    const size_t n[3] = {3, 0, 1};
    const char *const titles[3] = {"a", "empty", "one"};
    plot_spec sp = {dir, "c", "T", "x", "y", 0, 0, 0, NULL};
    int rc = plot_cdf(&sp, titles, v, n, 3);
    if (rc == PLOT_ENOGNUPLOT) {
        test_skip("gnuplot not installed");
        return;
    }
    CHECK(rc == PLOT_OK);
    char p[128];
    snprintf(p, sizeof p, "%s/c.dat", dir);
    size_t len = 0;
    char *b = test_slurp(p, &len);
    const char *want = "# a\n1 0 0\n1 0.333333333 0\n2 0.666666667 0\n3 1 0\n\n\n# one\n5 0 0\n5 1 0\n\n\n";
    CHECK(b && len == strlen(want) && memcmp(b, want, len) == 0);
    free(b);
}

TEST_MAIN(TEST(t_h5_identical_bytes_across_time), TEST(t_h5_read_back), TEST(t_h5_abort_leaves_nothing),
          TEST(t_json_exact), TEST(t_percentiles_nearest_rank), TEST(t_plot_cdf_data), TEST(t_plot_atomic_png))
