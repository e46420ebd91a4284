/* bench/bench_crypto.c: `cpsim bench crypto` and `cpsim calibrate`.
 *
 * bench crypto: each wrapped operation of core/crypto beside the raw libsodium call in the
 * same run (ratio = wrapped ops/s / raw ops/s), the PRE steps beside the umbral-pre (WASM)
 * figures recorded in the project's crypto notes, and exponential-ElGamal encryption beside
 * Paillier-2048 encryption measured in the same run.
 * calibrate: measures this host's cost of every cost-table operation and writes a table file
 * that runs can load; costs inside a run never come from timing. */
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench/bench.h"
#include "core/crypto/cost.h"
#include "core/crypto/he.h"
#include "core/crypto/pre.h"
#include "sim/metrics/js.h"

typedef struct fixture {
    cp_rng rng;
    cr_keypair kp;
    cr_memo *memo_off;
    uint8_t msg[1024], sig[64], scalar[32], point[32], out[32];
    pre_keypair a, b;
    pre_capsule cap;
    uint8_t key[32], ct[1024 + PRE_DEM_OVERHEAD], pt[1024];
    pre_kfrag kf[3];
    pre_cfrag cf[3];
    pre_kfrag kf_tmp[3]; /* outputs of the timed fragment operations */
    pre_cfrag cf_tmp;
    he_ctx *eg, *pai;
    he_share sh[3];
    he_ct ect, pct;
    he_pdec pd;
    int sink; /* results of timed calls, kept so none is ignored */
} fixture;

typedef void (*op_fn)(fixture *f);

/* ops/s of fn over at least `secs` of wall time. */
static double rate(fixture *f, op_fn fn, double secs)
{
    uint64_t n = 0, batch = 1;
    double t0 = bench_wall(), t;
    do {
        for (uint64_t i = 0; i < batch; i++) fn(f);
        n += batch;
        if (batch < 1024) batch *= 2;
        t = bench_wall() - t0;
    } while (t < secs);
    return (double)n / t;
}

/* ---- the operations --------------------------------------------------------------- */

static void w_sign(fixture *f) { cr_sign(f->sig, f->msg, 32, &f->kp); }
static void r_sign(fixture *f) { crypto_sign_detached(f->sig, NULL, f->msg, 32, f->kp.sk); }
static void w_verify(fixture *f) { f->sink += cr_verify(f->memo_off, f->sig, f->msg, 32, f->kp.pk); }
static void r_verify(fixture *f) { f->sink += crypto_sign_verify_detached(f->sig, f->msg, 32, f->kp.pk); }
static void w_hash(fixture *f) { cr_hash(f->out, f->msg, 1024); }
static void r_hash(fixture *f) { crypto_generichash(f->out, 32, f->msg, 1024, NULL, 0); }
static void w_base(fixture *f) { f->sink += cr_mul_base(f->out, f->scalar); }
static void r_base(fixture *f) { f->sink += crypto_scalarmult_ristretto255_base(f->out, f->scalar); }
static void w_mul(fixture *f) { f->sink += cr_mul(f->out, f->scalar, f->point); }
static void r_mul(fixture *f) { f->sink += crypto_scalarmult_ristretto255(f->out, f->scalar, f->point); }
static void x_dh(fixture *f) { f->sink += crypto_box_beforenm(f->out, f->point, f->scalar); }

static void p_encrypt(fixture *f)
{
    pre_capsule c;
    uint8_t k[32];
    f->sink += pre_encapsulate(&c, k, f->a.pk, &f->rng);
    pre_dem_encrypt(f->ct, f->pt, 1024, k, &c, &f->rng);
}
static void p_decrypt_original(fixture *f)
{
    uint8_t k[32];
    f->sink += pre_decapsulate(k, &f->cap, f->a.sk);
    f->sink += pre_dem_decrypt(f->pt, f->ct, sizeof f->ct, k, &f->cap);
}
static void p_kfrags(fixture *f) { f->sink += pre_kfrags(f->kf_tmp, 2, 3, &f->a, f->b.pk, &f->kp, &f->rng); }
static void p_kfrag_verify(fixture *f) { f->sink += pre_kfrag_verify(&f->kf[0], f->kp.pk, f->a.pk, f->b.pk); }
static void p_reencrypt(fixture *f) { f->sink += pre_reencrypt(&f->cf_tmp, &f->cap, &f->kf[0], &f->rng); }
static void p_cfrag_verify(fixture *f) { f->sink += pre_cfrag_verify(&f->cf[0], &f->cap, f->kp.pk, f->a.pk, f->b.pk); }
static void p_decrypt_frags(fixture *f)
{
    uint8_t k[32];
    f->sink += pre_decrypt_frags(k, &f->b, f->a.pk, &f->cap, f->cf, 2);
    f->sink += pre_dem_decrypt(f->pt, f->ct, sizeof f->ct, k, &f->cap);
}
static void h_enc(fixture *f) { f->sink += he_encrypt(f->eg, 1000, &f->rng, &f->ect); }
static void h_add(fixture *f) { f->sink += he_add(f->eg, &f->ect, &f->ect, &f->ect); }
static void h_partial(fixture *f) { f->sink += he_partial(&f->sh[0], &f->ect, &f->rng, &f->pd); }
static void h_partial_verify(fixture *f) { f->sink += he_partial_verify(f->sh[0].vk, &f->ect, &f->pd); }
static void pa_enc(fixture *f) { f->sink += he_encrypt(f->pai, 1000, &f->rng, &f->pct); }
static void pa_add(fixture *f) { f->sink += he_add(f->pai, &f->pct, &f->pct, &f->pct); }
static void pa_dec(fixture *f)
{
    uint64_t m;
    f->sink += he_decrypt(f->pai, &f->pct, &m);
}
static void aead_kib(fixture *f) { pre_dem_encrypt(f->ct, f->pt, 1024, f->key, &f->cap, &f->rng); }

static int setup(fixture *f, int with_paillier)
{
    memset(f, 0, sizeof *f);
    if (cr_init() != CR_OK) return -1;
    rng_seed(&f->rng, 1, 0, 0);
    cr_keypair_derive(&f->kp, 1, 0);
    f->memo_off = cr_memo_new(0, 0);
    rng_bytes(&f->rng, f->msg, sizeof f->msg);
    cr_sign(f->sig, f->msg, 32, &f->kp);
    cr_scalar_random(f->scalar, &f->rng);
    if (cr_mul_base(f->point, f->scalar)) return -1;
    pre_keypair_new(&f->a, &f->rng);
    pre_keypair_new(&f->b, &f->rng);
    if (pre_encapsulate(&f->cap, f->key, f->a.pk, &f->rng)) return -1;
    pre_dem_encrypt(f->ct, f->pt, 1024, f->key, &f->cap, &f->rng);
    if (pre_kfrags(f->kf, 2, 3, &f->a, f->b.pk, &f->kp, &f->rng)) return -1;
    for (int i = 0; i < 3; i++)
        if (pre_reencrypt(&f->cf[i], &f->cap, &f->kf[i], &f->rng)) return -1;
    uint8_t k2[32];
    if (pre_decrypt_frags(k2, &f->b, f->a.pk, &f->cap, f->cf, 2) || memcmp(k2, f->key, 32)) return -1;
    f->eg = he_elgamal_new(&f->rng, 2, 3, f->sh, 32, 16);
    if (!f->eg || he_encrypt(f->eg, 7, &f->rng, &f->ect) || he_partial(&f->sh[0], &f->ect, &f->rng, &f->pd))
        return -1;
    if (with_paillier) {
        f->pai = he_paillier_new(&f->rng, 2048);
        if (!f->pai || he_encrypt(f->pai, 5, &f->rng, &f->pct)) return -1;
    }
    return 0;
}

static void teardown(fixture *f)
{
    cr_memo_free(f->memo_off);
    he_free(f->eg);
    he_free(f->pai);
}

/* ---- bench crypto ----------------------------------------------------------------- */

typedef struct pair_row {
    const char *name;
    op_fn wrapped, raw;
} pair_row;

typedef struct ref_row {
    const char *name;
    op_fn fn;
    double wasm_us; /* umbral-pre WASM us/op from the crypto notes (section 1.3) */
} ref_row;

static void emit(js *j, const char *name, double a, double b, const char *ka, const char *kb, const char *kr)
{
    if (j) {
        js_obj_begin(j, NULL);
        js_str(j, "name", name);
        js_num(j, ka, a);
        js_num(j, kb, b);
        js_num(j, kr, a / b);
        js_obj_end(j);
    } else {
        printf("%-26s %12.0f %12.0f   %6.2f\n", name, a, b, a / b);
    }
}

/* Ratios measured in one run: wrapped / raw for sign, verify, hash; ElGamal / Paillier encrypt. */
int bench_crypto_ratios(double secs, double out[4])
{
    fixture f;
    if (setup(&f, 1) != 0) return -1;
    out[0] = rate(&f, w_sign, secs) / rate(&f, r_sign, secs);
    out[1] = rate(&f, w_verify, secs) / rate(&f, r_verify, secs);
    out[2] = rate(&f, w_hash, secs) / rate(&f, r_hash, secs);
    out[3] = rate(&f, h_enc, secs) / rate(&f, pa_enc, secs);
    teardown(&f);
    return 0;
}

int bench_crypto_main(int argc, char **argv)
{
    int json = 0;
    double secs = 0.3;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--json")) json = 1;
        else if (!strcmp(argv[i], "--seconds") && i + 1 < argc) secs = atof(argv[++i]);
        else {
            fprintf(stderr, "usage: cpsim bench crypto [--seconds S] [--json]\n");
            return 2;
        }
    }
    fixture f;
    if (setup(&f, 1) != 0) {
        fprintf(stderr, "cpsim: crypto set-up failed\n");
        return 1;
    }
    static const pair_row pairs[] = {
        {"ed25519_sign", w_sign, r_sign}, {"ed25519_verify", w_verify, r_verify},
        {"blake2b_256_1kib", w_hash, r_hash}, {"ristretto_mul_base", w_base, r_base},
        {"ristretto_mul", w_mul, r_mul},
    };
    static const ref_row refs[] = {
        {"pre_encrypt_1kib", p_encrypt, 685.7}, {"pre_decrypt_original", p_decrypt_original, 180.6},
        {"pre_kfrags_t2_n3", p_kfrags, 2583.4}, {"pre_kfrag_verify", p_kfrag_verify, 491.1},
        {"pre_reencrypt", p_reencrypt, 797.5}, {"pre_cfrag_verify", p_cfrag_verify, 1300.2},
        {"pre_decrypt_t2", p_decrypt_frags, 1666.0},
    };
    js *j = json ? js_open_stream(stdout) : NULL;
    if (j) js_obj_begin(j, NULL), js_str(j, "bench", "crypto"), js_arr_begin(j, "wrapped_vs_raw");
    else printf("%-26s %12s %12s   %6s\n", "wrapped vs raw libsodium", "ops/s", "raw ops/s", "ratio");
    for (size_t i = 0; i < sizeof pairs / sizeof pairs[0]; i++)
        emit(j, pairs[i].name, rate(&f, pairs[i].wrapped, secs), rate(&f, pairs[i].raw, secs), "ops_per_s",
             "raw_ops_per_s", "ratio");
    if (j) js_arr_end(j), js_arr_begin(j, "pre_vs_umbral_wasm");
    else printf("\n%-26s %12s %12s   %6s\n", "PRE step (1 KiB)", "ops/s", "wasm ops/s", "speedup");
    for (size_t i = 0; i < sizeof refs / sizeof refs[0]; i++)
        emit(j, refs[i].name, rate(&f, refs[i].fn, secs), 1e6 / refs[i].wasm_us, "ops_per_s", "wasm_ops_per_s",
             "speedup");
    double eg = rate(&f, h_enc, secs), pai = rate(&f, pa_enc, secs);
    if (j) js_arr_end(j), js_arr_begin(j, "he");
    else printf("\n%-26s %12s %12s   %6s\n", "HE encrypt", "ops/s", "paillier", "ratio");
    emit(j, "elgamal_vs_paillier2048_encrypt", eg, pai, "elgamal_ops_per_s", "paillier_ops_per_s", "ratio");
    if (j) js_arr_end(j), js_obj_end(j), js_close(j), putchar('\n');
    teardown(&f);
    return 0;
}

/* ---- calibrate -------------------------------------------------------------------- */

static const op_fn calib_fns[COST_N_OPS] = {
    [COST_SIGN] = w_sign, [COST_VERIFY] = w_verify, [COST_HASH_KIB] = w_hash, [COST_AEAD_KIB] = aead_kib,
    [COST_PRE_ENCAP] = p_encrypt, [COST_PRE_DECAP] = p_decrypt_original, [COST_PRE_KFRAG] = p_kfrags,
    [COST_PRE_KFRAG_VERIFY] = p_kfrag_verify, [COST_PRE_REENC] = p_reencrypt,
    [COST_PRE_CFRAG_VERIFY] = p_cfrag_verify, [COST_PRE_DECRYPT_BASE] = p_decrypt_frags,
    [COST_HE_ENC] = h_enc, [COST_HE_ADD] = h_add, [COST_HE_PARTIAL] = h_partial,
    [COST_HE_PARTIAL_VERIFY] = h_partial_verify, [COST_HE_DLOG_STEP] = w_base,
    [COST_PAI_ENC] = pa_enc, [COST_PAI_ADD] = pa_add, [COST_PAI_DEC] = pa_dec,
    [COST_EC_MUL] = w_mul, [COST_EC_MUL_BASE] = w_base, [COST_DH] = x_dh,
};

int bench_calibrate_main(int argc, char **argv)
{
    const char *out = NULL;
    double secs = 0.2;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--out") && i + 1 < argc) out = argv[++i];
        else if (!strcmp(argv[i], "--seconds") && i + 1 < argc) secs = atof(argv[++i]);
        else {
            fprintf(stderr, "usage: cpsim calibrate [--out FILE] [--seconds S]\n");
            return 2;
        }
    }
    fixture f;
    cost_table *t = cost_table_new();
    if (!t || setup(&f, 1) != 0) return 1;
    for (int op = 0; op < COST_N_OPS; op++) {
        if (!calib_fns[op]) continue;
        double per_ns = 1e9 / rate(&f, calib_fns[op], secs);
        if (op == COST_PRE_KFRAG) per_ns /= 3;                   /* one fragment of three */
        if (op == COST_PRE_DECRYPT_BASE) per_ns -= 2 * (double)cost_reference(t, COST_PRE_DECRYPT_PER_FRAG);
        if (op == COST_PRE_DECRYPT_BASE && per_ns < 1) per_ns = 1;
        cost_set_reference(t, (cost_op)op, (cp_time)(per_ns + 0.5));
    }
    FILE *fo = out ? fopen(out, "w") : stdout;
    int rc = fo && cost_table_save(t, fo) == 0 ? 0 : 1;
    if (out && fo) rc |= fclose(fo) != 0;
    if (out && !rc) fprintf(stderr, "cpsim: cost table written to %s\n", out);
    teardown(&f);
    cost_table_free(t);
    return rc;
}
