/* bench/bench_gate.c: `cpsim bench all` and `cpsim bench compare`, the performance
 * regression gate.
 *
 * `bench all` writes one flat JSON object of figures that survive a noisy machine: ratios
 * measured within one run ("ratio." keys: engine vs bare heap, wrapped vs raw libsodium,
 * ElGamal vs Paillier; higher is better; the 4-ary/binary heap ratio is left out: it swings
 * by 30 % between runs on this class of machine) and deterministic counts
 * ("count." keys: events of a seeded PHOLD run, LBFT messages per height and host
 * verifications, events and duplicates of a seeded flooding run; any change is a change of
 * behaviour). `bench compare BASE NEW --threshold P%`
 * fails (exit 1) when a ratio fell by more than P % or a count differs, listing each one.
 * Invariant: the comparison reads only flat objects of "key": number pairs, strictly. */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench/bench.h"
#include "sim/metrics/js.h"

#define MAX_KEYS 64

typedef struct kv {
    char key[64];
    double v;
} kv;

int bench_all_main(int argc, char **argv)
{
    int quick = 0;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--quick")) quick = 1;
        else if (strcmp(argv[i], "--json") != 0) {
            fprintf(stderr, "usage: cpsim bench all [--quick] [--json]\n");
            return 2;
        }
    }
    double phold_ratio, cr[4];
    uint64_t phold_events, msgs, verifs, gev, gdup;
    if (bench_phold_measure(10000, quick ? 1 : 5, 1, &phold_ratio, &phold_events) != 0 ||
        bench_crypto_ratios(quick ? 0.1 : 0.3, cr) != 0 || bench_consensus_counts(16, 5, &msgs, &verifs) != 0 ||
        bench_gossip_counts(2000, &gev, &gdup) != 0)
        return 1;
    js *j = js_open_stream(stdout);
    js_obj_begin(j, NULL);
    js_num(j, "ratio.phold_engine_vs_bare_1e4", phold_ratio);
    js_num(j, "ratio.sign_wrapped_vs_raw", cr[0]);
    js_num(j, "ratio.verify_wrapped_vs_raw", cr[1]);
    js_num(j, "ratio.hash_wrapped_vs_raw", cr[2]);
    js_num(j, "ratio.elgamal_vs_paillier_encrypt", cr[3]);
    js_u64(j, "count.phold_events_1e4", phold_events);
    js_u64(j, "count.lbft16_messages_per_height", msgs);
    js_u64(j, "count.lbft16_host_verifications", verifs);
    js_u64(j, "count.gossip2000_events", gev);
    js_u64(j, "count.gossip2000_duplicates", gdup);
    js_obj_end(j);
    js_close(j);
    putchar('\n');
    return 0;
}

/* Parse {"key": number, ...}; -1 on anything else. */
static int parse_flat(const char *path, kv *out, size_t *n)
{
    FILE *f = fopen(path, "r");
    if (!f) return -1;
    char buf[16384];
    size_t len = fread(buf, 1, sizeof buf - 1, f);
    fclose(f);
    buf[len] = 0;
    const char *p = buf;
    *n = 0;
    while (isspace((unsigned char)*p)) p++;
    if (*p++ != '{') return -1;
    for (;;) {
        while (isspace((unsigned char)*p) || *p == ',') p++;
        if (*p == '}') return 0;
        if (*p++ != '"' || *n == MAX_KEYS) return -1;
        const char *e = strchr(p, '"');
        if (!e || e - p >= 64) return -1;
        memcpy(out[*n].key, p, (size_t)(e - p));
        out[*n].key[e - p] = 0;
        p = e + 1;
        while (isspace((unsigned char)*p)) p++;
        if (*p++ != ':') return -1;
        char *end;
        out[*n].v = strtod(p, &end);
        if (end == p) return -1;
        p = end;
        (*n)++;
    }
}

static const kv *find(const kv *a, size_t n, const char *key)
{
    for (size_t i = 0; i < n; i++)
        if (!strcmp(a[i].key, key)) return &a[i];
    return NULL;
}

int bench_compare_main(int argc, char **argv)
{
    double thr = 0.10;
    const char *files[2] = {NULL, NULL};
    int nf = 0;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--threshold") && i + 1 < argc) thr = atof(argv[++i]) / 100.0;
        else if (nf < 2) files[nf++] = argv[i];
    }
    kv base[MAX_KEYS], cur[MAX_KEYS];
    size_t nb, nc;
    if (nf != 2 || thr <= 0 || thr >= 1) {
        fprintf(stderr, "usage: cpsim bench compare BASE.json NEW.json [--threshold P%%]\n");
        return 2;
    }
    if (parse_flat(files[0], base, &nb) || parse_flat(files[1], cur, &nc)) {
        fprintf(stderr, "cpsim: expected flat JSON objects of numbers from `cpsim bench all`\n");
        return 2;
    }
    int bad = 0;
    for (size_t i = 0; i < nb; i++) {
        const kv *c = find(cur, nc, base[i].key);
        int ratio = !strncmp(base[i].key, "ratio.", 6);
        int fail = !c || (ratio ? c->v < base[i].v * (1 - thr) : c->v != base[i].v);
        printf("%-40s base %-14.10g new %-14.10g %s\n", base[i].key, base[i].v, c ? c->v : 0.0,
               fail ? (c ? "REGRESSION" : "MISSING") : "ok");
        bad |= fail;
    }
    printf("%s\n", bad ? "bench compare: regression" : "bench compare: ok");
    return bad ? 1 : 0;
}
