/* Read-back test of the results schema: a small flood world is run and written, then run.h5
 * is opened with the HDF5 C API and every documented object is checked against the values
 * the world holds; summary.json is checked for its headline keys. */
#include <hdf5.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "sim/world/world_int.h"
#include "tests/harness.h"

static const char yaml[] =
    "name: readback\nseed: 5\nduration: 30s\n"
    "nodes:\n  - {count: 40, class: server}\n  - {count: 60, class: gateway, regions: [europe, china]}\n"
    "flood: {degree: 4, blocks: 3, block_size: 100kB, interval: 5s}\nplots: false\n";

static uint64_t attr_u64(hid_t f, const char *name)
{
    uint64_t v = 0;
    hid_t a = H5Aopen(f, name, H5P_DEFAULT);
    if (a >= 0) H5Aread(a, H5T_NATIVE_UINT64, &v), H5Aclose(a);
    return v;
}

static char *attr_str(hid_t f, const char *obj, const char *name)
{
    hid_t a = H5Aopen_by_name(f, obj, name, H5P_DEFAULT, H5P_DEFAULT);
    if (a < 0) return NULL;
    hid_t t = H5Aget_type(a);
    char *out = NULL;
    if (H5Tis_variable_str(t) > 0) {
        char *p = NULL;
        hid_t mt = H5Tcopy(H5T_C_S1);
        H5Tset_size(mt, H5T_VARIABLE);
        H5Tset_cset(mt, H5T_CSET_UTF8);
        if (H5Aread(a, mt, &p) >= 0 && p) out = strdup(p);
        H5free_memory(p);
        H5Tclose(mt);
    } else {
        size_t len = H5Tget_size(t);
        out = calloc(len + 1, 1);
        H5Aread(a, t, out);
    }
    H5Tclose(t);
    H5Aclose(a);
    return out;
}

static uint64_t *read_u64_col(hid_t f, const char *table, const char *field, size_t n)
{
    hid_t d = H5Dopen2(f, table, H5P_DEFAULT);
    if (d < 0) return NULL;
    hid_t mt = H5Tcreate(H5T_COMPOUND, sizeof(uint64_t));
    H5Tinsert(mt, field, 0, H5T_NATIVE_UINT64);
    uint64_t *v = calloc(n, sizeof *v);
    if (H5Dread(d, mt, H5S_ALL, H5S_ALL, H5P_DEFAULT, v) < 0) {
        free(v);
        v = NULL;
    }
    H5Tclose(mt);
    H5Dclose(d);
    return v;
}

static void t_run_h5_schema_read_back(void)
{
    wld_cfg cfg;
    memset(&cfg, 0, sizeof cfg);
    char err[512], dir[] = "/tmp/cpsim-rb-XXXXXX", path[600];
    REQUIRE(scn_load_string("readback", yaml, sizeof yaml - 1, &wld_schema, &cfg, NULL, 0, err,
                            sizeof err) == 0);
    wld *w = wld_new(&cfg, err, sizeof err);
    REQUIRE(w);
    wld_run_info info;
    REQUIRE(wld_run(w, 0, &info) == 0);
    REQUIRE(mkdtemp(dir));
    wld_out o = {dir, "readback.yaml", yaml, "", "des", 0};
    REQUIRE(wld_write_results(w, &o, &info, err, sizeof err) == 0);
    snprintf(path, sizeof path, "%s/run.h5", dir);
    H5Eset_auto2(H5E_DEFAULT, NULL, NULL);
    hid_t f = H5Fopen(path, H5F_ACC_RDONLY, H5P_DEFAULT);
    REQUIRE(f >= 0);
    CHECK_EQ_U64(attr_u64(f, "seed"), 5);
    CHECK_EQ_U64(attr_u64(f, "n_nodes"), 100);
    char *scn = attr_str(f, "/", "scenario"), *eng = attr_str(f, "/", "engine");
    CHECK(scn && strcmp(scn, yaml) == 0);
    CHECK(eng && strcmp(eng, "des") == 0);
    free(scn), free(eng);

    hid_t d = H5Dopen2(f, "/flood/arrival_ns", H5P_DEFAULT);
    REQUIRE(d >= 0);
    hid_t sp = H5Dget_space(d);
    hsize_t dims[2] = {0, 0};
    CHECK(H5Sget_simple_extent_ndims(sp) == 2);
    H5Sget_simple_extent_dims(sp, dims, NULL);
    CHECK_EQ_U64(dims[0], 3);
    CHECK_EQ_U64(dims[1], 100);
    uint64_t arr[300];
    CHECK(H5Dread(d, H5T_NATIVE_UINT64, H5S_ALL, H5S_ALL, H5P_DEFAULT, arr) >= 0);
    for (uint32_t b = 0; b < 3; b++)
        for (cp_node v = 0; v < 100; v++) CHECK_EQ_U64(arr[b * 100 + v], flood_arrival(w->flood, b, v));
    H5Sclose(sp), H5Dclose(d);

    uint64_t *up = read_u64_col(f, "/nodes", "bytes_up", 100);
    REQUIRE(up);
    for (cp_node v = 0; v < 100; v++) CHECK_EQ_U64(up[v], net_stats(w->net, v)->bytes_up);
    free(up);
    uint64_t *depl = read_u64_col(f, "/nodes", "depleted_ns", 100);
    REQUIRE(depl);
    for (cp_node v = 0; v < 100; v++) CHECK_EQ_U64(depl[v], CP_TIME_NEVER);
    free(depl);
    hid_t nd = H5Dopen2(f, "/nodes", H5P_DEFAULT);
    hid_t et = H5Tcreate(H5T_COMPOUND, sizeof(double));
    H5Tinsert(et, "energy_idle_j", 0, H5T_NATIVE_DOUBLE);
    double idle[100];
    CHECK(H5Dread(nd, et, H5S_ALL, H5S_ALL, H5P_DEFAULT, idle) >= 0);
    for (cp_node v = 0; v < 100; v++) {
        nrg_joules j;
        wld_energy_node(w, v, &j);
        CHECK(idle[v] == j.idle && j.idle > 0);
    }
    H5Tclose(et), H5Dclose(nd);
    uint64_t *t90 = read_u64_col(f, "/flood/blocks", "t90_ns", 3);
    REQUIRE(t90);
    for (int b = 0; b < 3; b++) CHECK(t90[b] > 0 && t90[b] < CP_S(10));
    free(t90);
    uint64_t *sent = read_u64_col(f, "/messages", "sent", 1);
    REQUIRE(sent);
    CHECK_EQ_U64(sent[0], des_type_stats_get(w->des)[0].sent);
    free(sent);
    H5Fclose(f);

    snprintf(path, sizeof path, "%s/summary.json", dir);
    FILE *jf = fopen(path, "r");
    REQUIRE(jf);
    char buf[8192] = {0};
    size_t got = fread(buf, 1, sizeof buf - 1, jf);
    fclose(jf);
    CHECK(got > 0 && strstr(buf, "\"time_to_90pct\"") && strstr(buf, "\"p99\"") && strstr(buf, "\"energy\""));
    wld_free(w);
    scn_free(&wld_schema, &cfg);
    char cmd[700];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    CHECK(system(cmd) == 0);
}

/* Run the scenario with the memo on or off into dir; returns the world's host verifications. */
static uint64_t run_into(const char *dir, int memo)
{
    wld_cfg cfg;
    char err[512];
    if (scn_load_string("readback", yaml, sizeof yaml - 1, &wld_schema, &cfg, NULL, 0, err, sizeof err)) return 0;
    cfg.crypto.memo = memo;
    wld *w = wld_new(&cfg, err, sizeof err);
    wld_run_info info;
    uint64_t v = 0;
    if (w && wld_run(w, 0, &info) == 0) {
        wld_out o = {dir, "readback.yaml", yaml, "", "des", 0};
        if (wld_write_results(w, &o, &info, err, sizeof err) == 0) v = info.verifications;
    }
    wld_free(w);
    scn_free(&wld_schema, &cfg);
    return v;
}

static void t_memo_on_off_identical(void)
{
    char a[] = "/tmp/cpsim-memo-XXXXXX", b[] = "/tmp/cpsim-memo-XXXXXX", pa[64], pb[64];
    REQUIRE(mkdtemp(a) && mkdtemp(b));
    uint64_t von = run_into(a, 1), voff = run_into(b, 0);
    CHECK(von > 0 && voff > 10 * von); /* the memo saved host work... */
    const char *files[] = {"run.h5", "summary.json"};
    for (int i = 0; i < 2; i++) { /* ...and changed nothing */
        size_t la = 0, lb = 0;
        snprintf(pa, sizeof pa, "%s/%s", a, files[i]);
        snprintf(pb, sizeof pb, "%s/%s", b, files[i]);
        char *x = test_slurp(pa, &la), *y = test_slurp(pb, &lb);
        CHECK(x && y && la == lb && memcmp(x, y, la) == 0);
        free(x), free(y);
    }
    char cmd[200];
    snprintf(cmd, sizeof cmd, "rm -rf '%s' '%s'", a, b);
    CHECK(system(cmd) == 0);
}

/* Every duration and time in the schema has a range within one year (so a sum of a few
 * cannot wrap a uint64 of nanoseconds); at the top level (outside sequences), its maximum
 * is accepted or refused with a located message, and a microsecond more is refused. */
#define ONE_YEAR_NS 31536000e9
static void walk_durations(const scn_schema *sc, const char *prefix, int in_seq, int *n)
{
    for (const scn_field *f = sc->fields; f->key; f++) {
        char path[256];
        snprintf(path, sizeof path, "%s%s%s", prefix, *prefix ? "." : "", f->key);
        if (f->sub && (f->type == SCN_MAP || f->type == SCN_SEQ || f->type == SCN_DICT))
            walk_durations(f->sub, path, in_seq || f->type != SCN_MAP, n);
        if (f->type != SCN_DURATION) continue;
        (*n)++;
        if (!(f->min <= f->max && f->max <= ONE_YEAR_NS)) fprintf(stderr, "# %s: no range within a year\n", path);
        CHECK(f->min <= f->max && f->max <= ONE_YEAR_NS);
        if (in_seq) continue;
        char v[2][64], err[512];
        snprintf(v[0], sizeof v[0], "%lluns", (unsigned long long)f->max);
        snprintf(v[1], sizeof v[1], "%lluns", (unsigned long long)f->max + 1000); /* a double above 2^53 has no unit place */
        for (int k = 0; k < 2; k++) {
            wld_cfg cfg;
            memset(&cfg, 0, sizeof cfg);
            scn_override ov = {path, v[k]};
            int rc = scn_load_string("max", yaml, sizeof yaml - 1, &wld_schema, &cfg, &ov, 1, err, sizeof err);
            if (k == 1 && rc == 0) fprintf(stderr, "# %s=%s accepted\n", path, v[k]);
            CHECK(k == 0 ? rc == 0 || strstr(err, path) != NULL : rc != 0 && strstr(err, path) != NULL);
            if (rc == 0) scn_free(&wld_schema, &cfg);
        }
    }
}

static void t_every_time_has_a_range(void)
{
    int n = 0;
    walk_durations(&wld_schema, "", 0, &n);
    CHECK(n > 50);
}

TEST_MAIN(TEST(t_run_h5_schema_read_back), TEST(t_memo_on_off_identical), TEST(t_every_time_has_a_range))
