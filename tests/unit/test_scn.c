/* Unit tests for sim/scenario: units, every type, defaults, each error class with its exact
 * line:column, overrides of every kind, and a deterministic mutation run over valid documents
 * (the fuzz replay that CI runs without clang; tests/fuzz/fuzz_scn.c is the libFuzzer target). */
#include <stdbool.h>
#include <stddef.h>

#include "core/env.h"
#include "sim/scenario/scn.h"
#include "tests/harness.h"

typedef struct item { char *name; uint64_t n; double w; } item;
typedef struct pair { char *name; uint32_t k; } pair;
typedef struct sub { uint64_t rate; bool on; } sub;
typedef struct cfg {
    int64_t i; uint64_t u; uint32_t u32; double f, p; char *s; int e;
    uint64_t dur, size; sub m;
    item *items; size_t n_items;
    pair *pairs; size_t n_pairs;
    uint32_t *ids; size_t n_ids;
    char **strs; size_t n_strs;
} cfg;

static const char *const colours[] = {"red", "green", NULL};
#define NR 1.0, 0.0
static const scn_field item_f[] = {
    {"name", SCN_STR, offsetof(item, name), "\"\"", NR, NULL, NULL, 0, 0, "name"},
    {"n", SCN_UINT, offsetof(item, n), NULL, 1, 100, NULL, NULL, 0, 0, "n"},
    {"w", SCN_FLOAT, offsetof(item, w), "0.5", NR, NULL, NULL, 0, 0, "w"},
    {NULL, 0, 0, NULL, NR, NULL, NULL, 0, 0, NULL},
};
static const scn_schema item_s = {"item", sizeof(item), item_f, NULL};
static const scn_field pair_f[] = {
    {"k", SCN_U32, offsetof(pair, k), "7", NR, NULL, NULL, 0, 0, "k"},
    {NULL, 0, 0, NULL, NR, NULL, NULL, 0, 0, NULL},
};
static const scn_schema pair_s = {"pair", sizeof(pair), pair_f, NULL};
static const scn_field sub_f[] = {
    {"rate", SCN_RATE, offsetof(sub, rate), "1Mbps", NR, NULL, NULL, 0, 0, "rate"},
    {"on", SCN_BOOL, offsetof(sub, on), "false", NR, NULL, NULL, 0, 0, "on"},
    {NULL, 0, 0, NULL, NR, NULL, NULL, 0, 0, NULL},
};
static const scn_schema sub_s = {"m", sizeof(sub), sub_f, NULL};
static const scn_field top_f[] = {
    {"i", SCN_INT, offsetof(cfg, i), "-3", -10, 10, NULL, NULL, 0, 0, "i"},
    {"u", SCN_UINT, offsetof(cfg, u), NULL, NR, NULL, NULL, 0, 0, "required u"},
    {"u32", SCN_U32, offsetof(cfg, u32), "5", NR, NULL, NULL, 0, 0, "u32"},
    {"f", SCN_FLOAT, offsetof(cfg, f), "1.5", NR, NULL, NULL, 0, 0, "f"},
    {"p", SCN_PROB, offsetof(cfg, p), "0", 0, 1, NULL, NULL, 0, 0, "p"},
    {"s", SCN_STR, offsetof(cfg, s), "\"\"", NR, NULL, NULL, 0, 0, "s"},
    {"e", SCN_ENUM, offsetof(cfg, e), "red", NR, colours, NULL, 0, 0, "e"},
    {"dur", SCN_DURATION, offsetof(cfg, dur), "1s", 0, 1e12, NULL, NULL, 0, 0, "dur"},
    {"size", SCN_SIZE, offsetof(cfg, size), "1MB", NR, NULL, NULL, 0, 0, "size"},
    {"m", SCN_MAP, offsetof(cfg, m), NULL, NR, NULL, &sub_s, 0, 0, "m"},
    {"items", SCN_SEQ, offsetof(cfg, items), NULL, NR, NULL, &item_s, offsetof(cfg, n_items), 0, "items"},
    {"pairs", SCN_DICT, offsetof(cfg, pairs), NULL, NR, NULL, &pair_s, offsetof(cfg, n_pairs), 0, "pairs"},
    {"ids", SCN_LIST_U32, offsetof(cfg, ids), NULL, NR, NULL, NULL, offsetof(cfg, n_ids), 0, "ids"},
    {"strs", SCN_LIST_STR, offsetof(cfg, strs), NULL, NR, NULL, NULL, offsetof(cfg, n_strs), 0, "strs"},
    {NULL, 0, 0, NULL, NR, NULL, NULL, 0, 0, NULL},
};
static const scn_schema top_s = {"scenario", sizeof(cfg), top_f, NULL};

static int load(const char *text, cfg *c, const scn_override *o, size_t no, char *err)
{
    memset(c, 0, sizeof *c);
    return scn_load_string("t.yaml", text, strlen(text), &top_s, c, o, no, err, 512);
}

static void t_units(void)
{
    uint64_t v;
    CHECK(scn_parse_duration("10s", &v) == 0 && v == CP_S(10));
    CHECK(scn_parse_duration("250ms", &v) == 0 && v == CP_MS(250));
    CHECK(scn_parse_duration("1.5us", &v) == 0 && v == 1500);
    CHECK(scn_parse_duration("20ns", &v) == 0 && v == 20);
    CHECK(scn_parse_duration("2min", &v) == 0 && v == CP_S(120));
    CHECK(scn_parse_duration("1h", &v) == 0 && v == CP_S(3600));
    CHECK(scn_parse_duration("0", &v) == 0 && v == 0);
    CHECK(scn_parse_duration("10", &v) != 0);
    CHECK(scn_parse_duration("10 parsecs", &v) != 0);
    CHECK(scn_parse_duration("-1s", &v) != 0);
    CHECK(scn_parse_duration("1.5ns", &v) != 0);
    CHECK(scn_parse_size("1MB", &v) == 0 && v == 1000000);
    CHECK(scn_parse_size("1MiB", &v) == 0 && v == 1048576);
    CHECK(scn_parse_size("4KiB", &v) == 0 && v == 4096);
    CHECK(scn_parse_size("512", &v) == 0 && v == 512);
    CHECK(scn_parse_size("1.5kB", &v) == 0 && v == 1500);
    CHECK(scn_parse_size("1 GB", &v) == 0 && v == 1000000000);
    CHECK(scn_parse_size("1XB", &v) != 0);
    CHECK(scn_parse_rate("10Mbps", &v) == 0 && v == 10000000);
    CHECK(scn_parse_rate("1Gbps", &v) == 0 && v == 1000000000);
    CHECK(scn_parse_rate("250kbps", &v) == 0 && v == 250000);
    CHECK(scn_parse_rate("0", &v) == 0 && v == 0);
    CHECK(scn_parse_rate("10", &v) != 0);
}

static void t_all_types_and_defaults(void)
{
    cfg c;
    char err[512];
    const char *y = "u: 12\np: 5%\ns: hello\ne: green\ndur: 250ms\nsize: 2KiB\n"
                    "m: {rate: 10Mbps}\nitems:\n  - {n: 3}\n  - {n: 4, w: 2}\n"
                    "pairs:\n  a: {k: 1}\n  b: {}\nids: [1, 5-7]\nstrs: [x, y]\n";
    REQUIRE(load(y, &c, NULL, 0, err) == 0);
    CHECK(c.i == -3 && c.u == 12 && c.u32 == 5 && c.f == 1.5);
    CHECK_NEAR(c.p, 0.05, 1e-15);
    CHECK(!strcmp(c.s, "hello") && c.e == 1);
    CHECK(c.dur == CP_MS(250) && c.size == 2048);
    CHECK(c.m.rate == 10000000 && c.m.on == false);
    REQUIRE(c.n_items == 2);
    CHECK(c.items[0].n == 3 && c.items[0].w == 0.5 && c.items[1].w == 2);
    REQUIRE(c.n_pairs == 2);
    CHECK(!strcmp(c.pairs[0].name, "a") && c.pairs[0].k == 1 && c.pairs[1].k == 7);
    REQUIRE(c.n_ids == 4);
    CHECK(c.ids[0] == 1 && c.ids[1] == 5 && c.ids[3] == 7);
    CHECK(c.n_strs == 2 && !strcmp(c.strs[1], "y"));
    scn_free(&top_s, &c);
}

/* Each error: the document, and the exact start of the message. */
static void expect_err(const char *y, int code, const char *want)
{
    cfg c;
    char err[512] = "";
    int rc = load(y, &c, NULL, 0, err);
    CHECK(rc == code);
    if (strncmp(err, want, strlen(want)) != 0) {
        printf("# want: %s\n#  got: %s\n", want, err);
        CHECK(0);
    }
    scn_free(&top_s, &c);
}

static void t_error_classes_located(void)
{
    expect_err("u: 1\ncolour: 3\n", SCN_ESCHEMA, "t.yaml:2:1: error: colour: unknown key; expected one of");
    expect_err("u: 1\nsize: 1B\nsise: 3\n", SCN_ESCHEMA, "t.yaml:3:1: error: sise: unknown key (did you mean size?)");
    expect_err("u: abc\n", SCN_ESCHEMA, "t.yaml:1:4: error: u: expected a non-negative integer");
    expect_err("u: 1\ni: 11\n", SCN_ESCHEMA, "t.yaml:2:4: error: i: expected a value in -10 .. 10");
    expect_err("i: 1\ns: x\n", SCN_ESCHEMA, "t.yaml:1:1: error: u: missing required key");
    expect_err("u: 1\ndur: 10 parsecs\n", SCN_ESCHEMA, "t.yaml:2:6: error: dur: expected a duration");
    expect_err("u: 1\nm: [1]\n", SCN_ESCHEMA, "t.yaml:2:5: error: m: expected a mapping, got a sequence");
    expect_err("u: 1\nitems:\n  - {w: 1}\n", SCN_ESCHEMA, "t.yaml:3:6: error: items.0.n: missing required key");
    expect_err("u: 1\nitems:\n  - {n: 1, x: 2}\n", SCN_ESCHEMA, "t.yaml:3:12: error: items.0.x: unknown key");
    expect_err("u: 1\ne: blue\n", SCN_ESCHEMA, "t.yaml:2:4: error: e: expected one of red, green");
    expect_err("u: 1\nu32: 4294967296\n", SCN_ESCHEMA, "t.yaml:2:6: error: u32: expected a value in");
    expect_err("u: 1\np: 1.5\n", SCN_ESCHEMA, "t.yaml:2:4: error: p: expected a probability in 0 .. 1 or N%, got \"1.5\" (did you mean 1.5%?)");
    expect_err("u: 1\np: 1\n", SCN_ESCHEMA, "t.yaml:2:4: error: p: expected a probability: a bare 1 means always; write 100%");
    expect_err("u: 1\np: 1.7\ni: 12\n", SCN_ESCHEMA, "t.yaml:3:4: error: i: expected a value in -10 .. 10, got \"12\"\nt.yaml:2:4: error: p: expected a probability in 0 .. 1 or N%, got \"1.7\" (did you mean 1.7%?)");
    expect_err("u: 1\nids: [3-1]\n", SCN_ESCHEMA, "t.yaml:2:7: error: ids: expected node ids");
    expect_err("u: [1\n", SCN_ESYNTAX, "t.yaml:");
    expect_err("u: 1\nu: 2\n", SCN_ESYNTAX, "t.yaml:2:1: error: YAML syntax");
    expect_err("- 1\n", SCN_ESCHEMA, "t.yaml:1:3: error: scenario: expected a mapping");
}

static void t_overrides(void)
{
    cfg c;
    char err[512];
    const char *y = "u: 1\nitems:\n  - {n: 3}\npairs:\n  a: {k: 1}\n";
    scn_override o[] = {{"u", "9"}, {"m.on", "true"}, {"items.0.w", "4"}, {"pairs.a.k", "2"},
                        {"pairs.zz.k", "3"}, {"ids", "[2, 4-5]"}, {"u", "10"}};
    REQUIRE(load(y, &c, o, 7, err) == 0);
    CHECK(c.u == 10 && c.m.on && c.items[0].w == 4);
    REQUIRE(c.n_pairs == 2);
    CHECK(c.pairs[0].k == 2 && !strcmp(c.pairs[1].name, "zz") && c.pairs[1].k == 3);
    CHECK(c.n_ids == 3 && c.ids[2] == 5);
    scn_free(&top_s, &c);
    scn_override bad_path = {"items.5.n", "3"};
    CHECK(load(y, &c, &bad_path, 1, err) == SCN_EOVERRIDE && strstr(err, "-p items.5.n=3: error"));
    scn_override bad_val = {"m.rate", "fast"};
    CHECK(load(y, &c, &bad_val, 1, err) == SCN_EOVERRIDE && strstr(err, "m.rate: expected a rate"));
    scn_override section = {"m", "1"};
    CHECK(load(y, &c, &section, 1, err) == SCN_EOVERRIDE);
    CHECK(c.items == NULL && c.s == NULL); /* nothing half-filled */
    /* a whole sequence replaces the file's; its items still take item overrides */
    scn_override seq[] = {{"items", "[{n: 5}, {n: 6, w: 2}]"}, {"items.0.w", "3"}};
    REQUIRE(load(y, &c, seq, 2, err) == 0);
    CHECK(c.n_items == 2 && c.items[0].n == 5 && c.items[0].w == 3 && c.items[1].n == 6 && c.items[1].w == 2);
    scn_free(&top_s, &c);
    scn_override empty = {"items", "[]"};
    REQUIRE(load(y, &c, &empty, 1, err) == 0);
    CHECK(c.n_items == 0);
    scn_free(&top_s, &c);
    scn_override not_seq = {"items", "3"};
    CHECK(load(y, &c, &not_seq, 1, err) == SCN_EOVERRIDE && strstr(err, "items: expected a list of mappings"));
    scn_override bad_item = {"items", "[{n: 500}]"};
    CHECK(load(y, &c, &bad_item, 1, err) < 0 && strstr(err, "-p items:") && strstr(err, "items.0.n"));
    CHECK(c.items == NULL);
}

/* Sequence entries addressed by their name; an index out of range, an unknown name and a
 * mistyped key each say what is wrong with which override. */
static void t_overrides_by_name(void)
{
    cfg c;
    char err[512];
    const char *y = "u: 1\nitems:\n  - {name: alpha, n: 3}\n  - {name: beta, n: 4}\n";
    scn_override o[] = {{"items.beta.n", "9"}, {"items.alpha.w", "2"}, {"items.0.n", "5"}};
    REQUIRE(load(y, &c, o, 3, err) == 0);
    CHECK(c.items[1].n == 9 && c.items[0].w == 2 && c.items[0].n == 5);
    scn_free(&top_s, &c);
    scn_override range = {"items.5.n", "3"};
    CHECK(load(y, &c, &range, 1, err) == SCN_EOVERRIDE);
    CHECK(strstr(err, "-p items.5.n=3: error: items.5: index out of range: items has 2 entries (0..1, or by name: alpha, beta)") != NULL);
    scn_override typo = {"items.betta.n", "3"};
    CHECK(load(y, &c, &typo, 1, err) == SCN_EOVERRIDE && strstr(err, "no entry of items is named \"betta\"; did you mean beta?"));
    scn_override key = {"items.beta.nn", "3"};
    CHECK(load(y, &c, &key, 1, err) == SCN_EOVERRIDE && strstr(err, "items.beta.nn: unknown key; did you mean n?"));
    scn_override top = {"dru", "3s"};
    CHECK(load(y, &c, &top, 1, err) == SCN_EOVERRIDE && strstr(err, "-p dru=3s: error: dru: unknown key; did you mean dur?"));
    scn_override deep = {"u.x", "3"};
    CHECK(load(y, &c, &deep, 1, err) == SCN_EOVERRIDE && strstr(err, "u: a value, it has no key \"x\""));
    expect_err("u: 1\nitems:\n  - {name: a, n: 1}\n  - {name: a, n: 2}\n", SCN_ESCHEMA,
               "t.yaml:4:12: error: items.1.name: expected a name no other entry has");
    CHECK(scn_nearest("validaters", 10, (const char *const[]){"proposers", "validators"}, 2) != NULL);
    CHECK(scn_nearest("xyz", 3, (const char *const[]){"validators"}, 1) == NULL);
}

static void t_locate(void)
{
    const char *y = "u: 1\nitems:\n  - {n: 3}\n  - n: 4\n";
    scn_doc d = {NULL, (char *)y, strlen(y)};
    int line = 0, col = 0;
    CHECK(scn_locate(&d, "items.1.n", &line, &col) == 0 && line == 4 && col == 8);
    CHECK(scn_locate(&d, "items.7", &line, &col) != 0);
}

/* Deterministic mutations of valid documents: every load must end in success or a clean error
 * (no crash, no leak under ASan). */
static void t_mutation_replay(void)
{
    static const char *seeds[] = {
        "u: 12\np: 5%\ns: hello\ne: green\ndur: 250ms\nsize: 2KiB\nm: {rate: 10Mbps}\n"
        "items:\n  - {n: 3}\n  - {n: 4, w: 2}\npairs:\n  a: {k: 1}\nids: [1, 5-7]\nstrs: [x, y]\n",
        "u: 1\nitems: [{n: 1}, {n: 2}]\npairs: {b: {k: 3}}\n&a x: *a\n",
    };
    static const char alphabet[] = "{}[]:,-#&*!|>'\"%@` \n\t0123456789.eEabcdefghijklmnopqrstuvwxyz";
    cp_rng r;
    rng_seed(&r, 2026, 0, 0);
    int ok = 0, errs = 0;
    for (int it = 0; it < 4000; it++) {
        const char *s = seeds[it % 2];
        size_t len = strlen(s);
        char buf[1024];
        memcpy(buf, s, len + 1);
        int edits = 1 + (int)rng_below(&r, 4);
        for (int e = 0; e < edits; e++) {
            size_t pos = rng_below(&r, len);
            switch (rng_below(&r, 3)) {
            case 0: buf[pos] = alphabet[rng_below(&r, sizeof alphabet - 1)]; break;
            case 1: memmove(buf + pos, buf + pos + 1, len - pos), len--; break;
            default:
                if (len + 2 < sizeof buf) {
                    memmove(buf + pos + 1, buf + pos, len - pos + 1);
                    buf[pos] = alphabet[rng_below(&r, sizeof alphabet - 1)];
                    len++;
                }
            }
        }
        cfg c;
        char err[512];
        int rc = scn_load_string("m.yaml", buf, len, &top_s, &c, NULL, 0, err, sizeof err);
        if (rc == 0) {
            ok++;
            scn_free(&top_s, &c);
        } else {
            errs++;
            CHECK(strncmp(err, "m.yaml:", 7) == 0);
        }
    }
    printf("# mutations: %d loaded, %d rejected\n", ok, errs);
    CHECK(ok > 0 && errs > 0);
}

/* Inputs on which libfyaml 0.7.12 itself loops forever or crashes (found by fuzz_scn): the
 * loader must turn them into clean, located errors. */
static void t_library_failures_contained(void)
{
    static const char hang[] = "%\x98\n2";         /* scanner loop on invalid UTF-8 */
    static const char crash[] = "? ?: \t\t\t\t:";  /* segfault in the parser's cleanup */
    cfg c;
    char err[512];
    CHECK(load(hang, &c, NULL, 0, err) == SCN_ESYNTAX && strncmp(err, "t.yaml:1:2: error: expected UTF-8", 33) == 0);
    CHECK(load(crash, &c, NULL, 0, err) == SCN_ESYNTAX && strncmp(err, "t.yaml:1:1: error: YAML syntax", 30) == 0);
    scn_override o = {"ids", crash};
    CHECK(load("u: 1\n", &c, &o, 1, err) == SCN_EOVERRIDE);
}

TEST_MAIN(TEST(t_units), TEST(t_library_failures_contained), TEST(t_all_types_and_defaults), TEST(t_error_classes_located), TEST(t_overrides), TEST(t_overrides_by_name),
          TEST(t_locate), TEST(t_mutation_replay))
