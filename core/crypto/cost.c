/* core/crypto/cost.c: the crypto cost table (contract in cost.h). Invariant: a cost is a
 * pure function of the table, the operation, the class and its CPU factor; the table changes
 * only through the setters, the loader and the calibrator, never during a run. */
#include "core/crypto/cost.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

struct cost_table {
    cp_time ref[COST_N_OPS];
    cp_time cls[COST_MAX_CLASSES][COST_N_OPS]; /* 0 = no override */
};

static const char *const op_names[COST_N_OPS] = {
    "sign", "verify", "hash_kib", "aead_kib",
    "pre_encap", "pre_decap", "pre_kfrag", "pre_kfrag_verify", "pre_reencrypt",
    "pre_cfrag_verify", "pre_decrypt_base", "pre_decrypt_per_frag",
    "he_encrypt", "he_add", "he_partial", "he_partial_verify", "he_combine_per_share",
    "he_dlog_step", "paillier_encrypt", "paillier_add", "paillier_decrypt",
    "ec_mul", "ec_mul_base", "dh",
};

/* Reference costs (ns): the project's crypto notes, section 3, run 1 (libsodium 1.0.18 and
 * GMP 6.2.1 on a 2-core EPYC VM); PRE and HE steps from their sections 1.3 and 2.2; the
 * per-operation splits follow the group-operation counts given there. */
static const cp_time defaults[COST_N_OPS] = {
    15960, 47070, 990, 1880,
    84000, 63000, 98000, 96000, 251200,
    379900, 200000, 167600,
    94680, 26450, 160000, 190000, 62000,
    13200, 9397600, 4760, 2834700,
    48530, 15610, 31680, /* section 3: ristretto255 scalarmult, scalarmult_base; X25519 DH */
};

cost_table *cost_table_new(void)
{
    cost_table *t = calloc(1, sizeof *t);
    if (t) memcpy(t->ref, defaults, sizeof defaults);
    return t;
}

void cost_table_free(cost_table *t) { free(t); }
const char *cost_op_name(cost_op op) { return op < COST_N_OPS ? op_names[op] : "?"; }
cp_time cost_reference(const cost_table *t, cost_op op) { return t->ref[op]; }
void cost_set_reference(cost_table *t, cost_op op, cp_time ns) { t->ref[op] = ns; }

void cost_set_class(cost_table *t, unsigned cls, cost_op op, cp_time ns)
{
    if (cls < COST_MAX_CLASSES && op < COST_N_OPS) t->cls[cls][op] = ns;
}

cp_time cost_of(const cost_table *t, cost_op op, unsigned cls, double f, double units)
{
    cp_time per = cls < COST_MAX_CLASSES && t->cls[cls][op] ? t->cls[cls][op] : cp_time_of((double)t->ref[op] * f + 0.5);
    return cp_time_of((double)per * units + 0.5);
}

void cost_charge(cp_env *env, const cost_table *t, cost_op op, double units)
{
    env_cpu(env, cost_of(t, op, env->dev_class, env->cpu_factor, units));
}

static int find_op(const char *s)
{
    for (int i = 0; i < COST_N_OPS; i++)
        if (!strcmp(s, op_names[i])) return i;
    return -1;
}

static int find_class(const char *s, const char *const *names, size_t n)
{
    if (!strcmp(s, "server")) return -2; /* the reference */
    for (size_t i = 0; i < n; i++)
        if (names[i] && !strcmp(s, names[i])) return (int)i;
    return -1;
}

static int load_line(cost_table *t, char *line, const char *const *names, size_t n, const char **why)
{
    char *hash = strchr(line, '#');
    if (hash) *hash = 0;
    char cls[64], op[64], num[64], extra[8];
    int k = sscanf(line, "%63s %63s %63s %7s", cls, op, num, extra);
    if (k <= 0) return 0;
    if (k != 3) return *why = "expected CLASS OP NANOSECONDS", -1;
    int o = find_op(op), c = find_class(cls, names, n);
    if (o < 0) return *why = "unknown operation", -1;
    if (c == -1 || c >= COST_MAX_CLASSES) return *why = "unknown device class", -1;
    char *end;
    errno = 0;
    unsigned long long v = strtoull(num, &end, 10);
    if (*end || errno || num[0] == '-' || v == 0) return *why = "expected a positive integer of nanoseconds", -1;
    if (c == -2) t->ref[o] = v;
    else t->cls[c][o] = v;
    return 0;
}

int cost_table_load(cost_table *t, const char *path, const char *const *names, size_t n, char *err, size_t errlen)
{
    FILE *f = fopen(path, "r");
    if (!f) {
        snprintf(err, errlen, "%s: cannot read: %s", path, strerror(errno));
        return -1;
    }
    char line[512];
    int rc = 0;
    for (int ln = 1; rc == 0 && fgets(line, sizeof line, f); ln++) {
        const char *why = NULL;
        if (load_line(t, line, names, n, &why) != 0) {
            snprintf(err, errlen, "%s:%d: %s", path, ln, why);
            rc = -1;
        }
    }
    fclose(f);
    return rc;
}

int cost_table_save(const cost_table *t, FILE *f)
{
    fprintf(f, "# cpsim crypto cost table: CLASS OP NANOSECONDS (class server = the reference core)\n");
    for (int o = 0; o < COST_N_OPS; o++) fprintf(f, "server %s %llu\n", op_names[o], (unsigned long long)t->ref[o]);
    return ferror(f) ? -1 : 0;
}
