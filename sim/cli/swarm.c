/* sim/cli/swarm.c: `cpsim swarm`, swarm testing of LBFT: every run draws its own fault mix
 * from its seed (a dedicated RNG stream), turns it into scenario overrides, and runs in a child
 * process through the sweep's run function (sw_run_in_dir), writing DIR/runs/sSEED/.
 *
 * A mix: b faulty validators (b <= f = (n-1)/3), each given one validator fault kind; each
 * proposer faulty with probability 1/3 (one always stays correct), given one proposer fault
 * kind; with --unsafe (the checker's self-test) b = f+1 double-signing validators and one more
 * proposer that equivocates, a mix under which LBFT can fork; zero to two timed partitions of a
 * random subset of validators and proposers, healed before the last height. Validator 0 stays
 * correct: it is the observer whose inserted heights the run reports. Fault kinds are rows of
 * swm_kinds: a whole-run list key (consensus.offline, ...) or a timed field of a
 * network.changes entry, so a new kind is one row. The swarm owns these keys: the scenario's
 * own fault lists and network.changes are replaced in every run (they are passed as -p
 * overrides; a sequence override replaces the file's sequence).
 *
 * Invariant: the parent keeps no per-run state but exit statuses; the report redraws each mix
 * from its seed and reads the run's headline.txt, so swarm.json depends only on the arguments. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "core/env.h"
#include "sim/cli/swarm.h"
#include "sim/cli/sweep_int.h"
#include "sim/metrics/js.h"
#include "sim/world/world.h"

#define SWM_PATH 4096
#define SWM_MAX_OVR 64
#define SWM_MAX_PARTS 2
#define SWM_MAX_SET 64              /* nodes in one drawn partition, at most */
#define SWM_STREAM 0x737761726dull  /* "swarm": the mix's RNG stream */
#define SWM_LIVENESS 4              /* internal status: only liveness findings (see swm_classify) */

enum { SWM_VAL = 1, SWM_PROP = 2 };

typedef struct swm_kind {
    const char *name;   /* in the table and swarm.json */
    const char *key;    /* whole-run: the list key it fills; timed: the field of a change entry */
    unsigned roles;     /* SWM_VAL and/or SWM_PROP: who may be given it */
    int timed;          /* 1: a window {at, until, key: [id]} in network.changes */
    int spare;          /* 1: needs a spare node after the proposers (a second instance) */
    int selftest;       /* 1: the kind --unsafe gives (f+1 double-signers, one equivocator) */
} swm_kind;

static const swm_kind swm_kinds[] = {
    {"offline", "consensus.offline", SWM_VAL | SWM_PROP, 0, 0, 0},
    {"byzantine", "consensus.byzantine", SWM_VAL, 0, 0, 1},
    {"twins", "consensus.twins", SWM_VAL | SWM_PROP, 0, 1, 0},
    {"equivocators", "consensus.equivocators", SWM_PROP, 0, 0, 1},
    {"crash", "crash", SWM_VAL | SWM_PROP, 1, 0, 0}, /* down between at and until, then restarted */
};
#define SWM_N_KINDS (sizeof swm_kinds / sizeof swm_kinds[0])

typedef struct swm_window {
    const char *field;  /* "partition", or a timed kind's key */
    uint64_t at, until; /* ns */
    uint32_t *ids;
    size_t n;
} swm_window;

typedef struct swm_mix {
    uint32_t f, b;                   /* the bound, and the faulty validators drawn */
    uint32_t *ids[SWM_N_KINDS];      /* whole-run kinds: node ids, ascending */
    size_t n[SWM_N_KINDS];
    swm_window *win;
    size_t n_win;
    uint32_t spare_used;
} swm_mix;

typedef struct swm_cfg {
    const char *file, *out;
    uint64_t runs, first;
    size_t jobs;
    int unsafe;
    scn_override ovr[SWM_MAX_OVR];
    size_t n_ovr;
    uint32_t v, p, spare;            /* validators, proposers, spare nodes for second instances */
    uint64_t end;                    /* ns: windows close before this */
} swm_cfg;

typedef struct swm_result {
    int status;                      /* the child's exit status (1 if it was killed) */
    int have;                        /* headline read */
    double heights, impeach, violations, safety;
} swm_result;

/* ---- command line and scenario --------------------------------------------------------- */

static int swm_usage(void)
{
    fprintf(stderr, "usage: cpsim swarm FILE --runs N [--first-seed S] [-j N] [--out DIR] [--unsafe] "
                    "[-p key=value]...\n");
    return 2;
}

/* The keys every run sets: a user's -p on them would be silently replaced, so it is refused. */
static int swm_owned(const char *key)
{
    static const char *const other[] = {"network.changes", "seed"};
    size_t len = strcspn(key, "=");
    for (size_t k = 0; k < SWM_N_KINDS; k++)
        if (!swm_kinds[k].timed && strlen(swm_kinds[k].key) == len && !strncmp(key, swm_kinds[k].key, len)) return 1;
    for (size_t i = 0; i < sizeof other / sizeof other[0]; i++)
        if (!strncmp(key, other[i], strlen(other[i])) && (len == strlen(other[i]) || key[strlen(other[i])] == '.'))
            return 1;
    return 0;
}

static int swm_add_override(swm_cfg *c, char *kv)
{
    char *eq = strchr(kv, '=');
    if (!eq || eq == kv || c->n_ovr == SWM_MAX_OVR) return -1;
    if (swm_owned(kv)) {
        fprintf(stderr, "cpsim: swarm: -p %s: the swarm sets this key in every run (use --first-seed for seeds)\n", kv);
        return -1;
    }
    *eq = 0;
    c->ovr[c->n_ovr++] = (scn_override){kv, eq + 1};
    return 0;
}

static int swm_parse(swm_cfg *c, int argc, char **argv)
{
    memset(c, 0, sizeof *c);
    c->first = 1, c->jobs = 1, c->out = "results/swarm";
    for (int i = 2; i < argc; i++) {
        const char *a = argv[i];
        int more = i + 1 < argc;
        if (!strcmp(a, "--runs") && more) c->runs = strtoull(argv[++i], NULL, 10);
        else if (!strcmp(a, "--first-seed") && more) c->first = strtoull(argv[++i], NULL, 10);
        else if (!strcmp(a, "-j") && more) c->jobs = strtoull(argv[++i], NULL, 10);
        else if (!strcmp(a, "--out") && more) c->out = argv[++i];
        else if (!strcmp(a, "--unsafe")) c->unsafe = 1;
        else if (!strcmp(a, "-p") && more) {
            if (swm_add_override(c, argv[++i])) return -1;
        } else if (a[0] != '-' && !c->file) c->file = a;
        else return -1;
    }
    if (!c->file || c->runs < 1 || c->runs > 100000 || c->jobs < 1 || c->jobs > 256) return -1;
    return strlen(c->out) > 1024 ? -1 : 0;
}

/* Committee sizes and the window horizon from the scenario (with the user's overrides). */
static int swm_scenario(swm_cfg *c)
{
    wld_cfg w;
    char err[1024];
    if (scn_load(c->file, &wld_schema, &w, c->ovr, c->n_ovr, NULL, err, sizeof err) != 0) {
        fprintf(stderr, "%s\n", err);
        return -1;
    }
    uint64_t nodes = 0, roles = (uint64_t)w.consensus.validators + w.consensus.proposers;
    for (size_t i = 0; i < w.n_groups; i++) nodes += w.nodes[i].count;
    int rc = w.protocol == WLD_PROTO_LBFT && roles <= nodes ? 0 : -1;
    if (rc) fprintf(stderr, "%s: error: protocol: a swarm needs an LBFT scenario\n", c->file);
    c->v = w.consensus.validators, c->p = w.consensus.proposers;
    uint64_t spare = rc ? 0 : nodes - roles, keep = w.consensus.tx_rate > 0 ? 1 : 0; /* one client */
    c->spare = (uint32_t)(spare > keep ? spare - keep : 0);
    uint64_t last = w.consensus.heights * w.consensus.period;
    c->end = last && last < w.duration ? last : w.duration;
    scn_free(&wld_schema, &w);
    return rc;
}

/* ---- drawing a mix ----------------------------------------------------------------------- */

static int swm_cmp_u32(const void *a, const void *b)
{
    uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
    return (x > y) - (x < y);
}

static int swm_mix_alloc(const swm_cfg *c, swm_mix *m)
{
    memset(m, 0, sizeof *m);
    size_t cap = (size_t)c->v + c->p;
    int ok = (m->win = calloc(cap + SWM_MAX_PARTS, sizeof *m->win)) != NULL;
    for (size_t k = 0; k < SWM_N_KINDS; k++) ok &= (m->ids[k] = calloc(cap, sizeof(uint32_t))) != NULL;
    return ok ? 0 : -1;
}

static void swm_mix_free(swm_mix *m)
{
    for (size_t k = 0; k < SWM_N_KINDS; k++) free(m->ids[k]);
    for (size_t i = 0; m->win && i < m->n_win; i++) free(m->win[i].ids);
    free(m->win);
    memset(m, 0, sizeof *m);
}

/* A window [at, until) inside the run, closing before 90 % of its horizon. */
static void swm_draw_window(const swm_cfg *c, cp_rng *r, swm_window *w)
{
    uint64_t span = c->end;
    w->at = span / 10 + rng_below(r, span / 2 + 1);
    w->until = w->at + span / 20 + 1 + rng_below(r, span / 4 + 1);
}

static int swm_add_window(const swm_cfg *c, cp_rng *r, swm_mix *m, const char *field, const uint32_t *ids,
                          size_t n)
{
    swm_window *w = &m->win[m->n_win];
    if (!(w->ids = malloc((n ? n : 1) * sizeof *w->ids))) return -1;
    memcpy(w->ids, ids, n * sizeof *ids);
    qsort(w->ids, n, sizeof *ids, swm_cmp_u32);
    w->n = n, w->field = field;
    swm_draw_window(c, r, w);
    m->n_win++;
    return 0;
}

/* One fault kind for a node of this role, uniformly among the kinds that fit (selftest: the
 * self-test kind of the role). */
static int swm_pick_kind(const swm_cfg *c, cp_rng *r, const swm_mix *m, unsigned role, int selftest)
{
    size_t fit[SWM_N_KINDS], nf = 0;
    for (size_t k = 0; k < SWM_N_KINDS; k++)
        if ((swm_kinds[k].roles & role) && (!swm_kinds[k].spare || m->spare_used < c->spare) &&
            (!selftest || swm_kinds[k].selftest))
            fit[nf++] = k;
    return (int)fit[rng_below(r, nf)]; /* offline always fits; each role has a self-test kind */
}

static int swm_give(const swm_cfg *c, cp_rng *r, swm_mix *m, uint32_t node, unsigned role, int selftest)
{
    int k = swm_pick_kind(c, r, m, role, selftest);
    m->spare_used += (uint32_t)swm_kinds[k].spare;
    if (swm_kinds[k].timed) return swm_add_window(c, r, m, swm_kinds[k].key, &node, 1);
    m->ids[k][m->n[k]++] = node;
    return 0;
}

/* b distinct validators among 1..n-1 (a partial Fisher-Yates shuffle), one kind each. */
static int swm_draw_validators(const swm_cfg *c, cp_rng *r, swm_mix *m, uint32_t *pool)
{
    m->f = (c->v - 1) / 3;
    m->b = c->unsafe ? m->f + 1 : (uint32_t)rng_below(r, m->f + 1);
    for (uint32_t i = 0; i + 1 < c->v; i++) pool[i] = i + 1;
    for (uint32_t i = 0; i < m->b; i++) {
        uint32_t j = i + (uint32_t)rng_below(r, c->v - 1 - i), t = pool[i];
        pool[i] = pool[j], pool[j] = t;
        if (swm_give(c, r, m, pool[i], SWM_VAL, c->unsafe)) return -1;
    }
    return 0;
}

/* Each proposer faulty with probability 1/3, one always correct; --unsafe: one random proposer
 * is given the self-test kind (it may be the only faulty one with a single proposer). */
static int swm_draw_proposers(const swm_cfg *c, cp_rng *r, swm_mix *m)
{
    uint32_t faulty = 0, forced = c->unsafe ? (uint32_t)rng_below(r, c->p) : UINT32_MAX;
    for (uint32_t i = 0; i < c->p; i++) {
        int draw = rng_below(r, 3) == 0 && faulty + 1 + (forced != UINT32_MAX) < c->p;
        if (i != forced && !draw) continue;
        faulty += i != forced;
        if (swm_give(c, r, m, c->v + i, SWM_PROP, i == forced)) return -1;
    }
    return 0;
}

/* Zero to two partitions, each cutting off a random subset of validators and proposers. */
static int swm_draw_partitions(const swm_cfg *c, cp_rng *r, swm_mix *m, uint32_t *pool)
{
    uint32_t roles = c->v + c->p, parts = (uint32_t)rng_below(r, SWM_MAX_PARTS + 1);
    uint32_t most = roles / 2 < SWM_MAX_SET ? roles / 2 : SWM_MAX_SET;
    for (uint32_t k = 0; k < parts; k++) {
        uint32_t size = 1 + (uint32_t)rng_below(r, most);
        for (uint32_t i = 0; i < roles; i++) pool[i] = i;
        for (uint32_t i = 0; i < size; i++) {
            uint32_t j = i + (uint32_t)rng_below(r, roles - i), t = pool[i];
            pool[i] = pool[j], pool[j] = t;
        }
        if (swm_add_window(c, r, m, "partition", pool, size)) return -1;
    }
    return 0;
}

/* The mix of the run with this seed: a pure function of (seed, scenario, --unsafe). */
static int swm_draw(const swm_cfg *c, uint64_t seed, swm_mix *m)
{
    cp_rng r;
    rng_seed(&r, seed, 0, SWM_STREAM);
    uint32_t *pool = malloc(((size_t)c->v + c->p) * sizeof *pool);
    int rc = pool && swm_mix_alloc(c, m) == 0 ? 0 : -1;
    if (rc == 0) rc = swm_draw_validators(c, &r, m, pool);
    if (rc == 0) rc = swm_draw_proposers(c, &r, m);
    if (rc == 0) rc = swm_draw_partitions(c, &r, m, pool);
    for (size_t k = 0; rc == 0 && k < SWM_N_KINDS; k++) qsort(m->ids[k], m->n[k], sizeof(uint32_t), swm_cmp_u32);
    free(pool);
    return rc;
}

/* ---- a mix as overrides -------------------------------------------------------------------- */

static void swm_put_ids(FILE *f, const uint32_t *ids, size_t n)
{
    fputc('[', f);
    for (size_t i = 0; i < n; i++) fprintf(f, "%s%u", i ? "," : "", ids[i]);
    fputc(']', f);
}

static char *swm_list_text(const uint32_t *ids, size_t n)
{
    char *s = NULL;
    size_t len;
    FILE *f = open_memstream(&s, &len);
    if (!f) return NULL;
    swm_put_ids(f, ids, n);
    return fclose(f) == 0 ? s : (free(s), NULL);
}

static char *swm_changes_text(const swm_mix *m)
{
    char *s = NULL;
    size_t len;
    FILE *f = open_memstream(&s, &len);
    if (!f) return NULL;
    fputc('[', f);
    for (size_t i = 0; i < m->n_win; i++) {
        const swm_window *w = &m->win[i];
        fprintf(f, "%s{at: %lluns, until: %lluns, %s: ", i ? ", " : "", (unsigned long long)w->at,
                (unsigned long long)w->until, w->field);
        swm_put_ids(f, w->ids, w->n);
        fputc('}', f);
    }
    fputc(']', f);
    return fclose(f) == 0 ? s : (free(s), NULL);
}

/* The run's overrides: the user's, then the swarm's keys (which win), then the seed. The values
 * the swarm wrote are malloc'd from index *first on; swm_ovr_free releases them. */
typedef struct swm_ovr {
    scn_override o[SWM_MAX_OVR + SWM_N_KINDS + 2];
    size_t n, first;
    char seed[32];
} swm_ovr;

static void swm_ovr_free(swm_ovr *v)
{
    for (size_t i = v->first; i + 1 < v->n; i++) free((char *)v->o[i].value);
    v->n = 0;
}

static int swm_ovr_build(const swm_cfg *c, const swm_mix *m, uint64_t seed, swm_ovr *v)
{
    memcpy(v->o, c->ovr, c->n_ovr * sizeof *c->ovr);
    v->n = v->first = c->n_ovr;
    int rc = 0;
    for (size_t k = 0; k < SWM_N_KINDS; k++) {
        if (swm_kinds[k].timed) continue;
        char *s = swm_list_text(m->ids[k], m->n[k]);
        rc |= s ? 0 : -1;
        v->o[v->n++] = (scn_override){swm_kinds[k].key, s ? s : strdup("")};
    }
    char *ch = swm_changes_text(m);
    rc |= ch ? 0 : -1;
    v->o[v->n++] = (scn_override){"network.changes", ch ? ch : strdup("")};
    snprintf(v->seed, sizeof v->seed, "%llu", (unsigned long long)seed);
    v->o[v->n++] = (scn_override){"seed", v->seed};
    return rc;
}

/* `cpsim run FILE --seed S -p 'k=v'...`: the exact command that reproduces one run. */
static char *swm_command(const swm_cfg *c, const swm_ovr *v)
{
    char *s = NULL;
    size_t len;
    FILE *f = open_memstream(&s, &len);
    if (!f) return NULL;
    fprintf(f, "cpsim run %s --seed %s", c->file, v->seed);
    for (size_t i = 0; i + 1 < v->n; i++) fprintf(f, " -p '%s=%s'", v->o[i].path, v->o[i].value);
    return fclose(f) == 0 ? s : (free(s), NULL);
}

/* ---- running ------------------------------------------------------------------------------- */

static void swm_run_dir(const swm_cfg *c, uint64_t seed, char *buf)
{
    snprintf(buf, SWM_PATH, "%s/runs/s%llu", c->out, (unsigned long long)seed);
}

/* In the child: the `cpsim run` exit status of run `seed`. */
static int swm_child(const swm_cfg *c, uint64_t seed)
{
    swm_mix m;
    swm_ovr v;
    char dir[SWM_PATH];
    uint64_t bad = 0;
    if (swm_draw(c, seed, &m) != 0 || swm_ovr_build(c, &m, seed, &v) != 0) return 1;
    swm_run_dir(c, seed, dir);
    int rc = sw_run_in_dir(c->file, v.o, v.n, dir, &bad);
    swm_ovr_free(&v);
    swm_mix_free(&m);
    return rc ? rc : bad ? 3 : 0;
}

static size_t swm_slot(const pid_t *pids, size_t n, pid_t pid)
{
    for (size_t i = 0; i < n; i++)
        if (pids[i] == pid) return i;
    return n;
}

/* Every run in its own child process, at most jobs at a time; status[i] per run. */
static int swm_run_all(const swm_cfg *c, int *status)
{
    pid_t *pids = calloc(c->runs, sizeof *pids);
    size_t next = 0, running = 0;
    if (!pids) return -1;
    while (next < c->runs || running) {
        while (running < c->jobs && next < c->runs) {
            fflush(NULL);
            pid_t pid = fork();
            if (pid == 0) _exit(swm_child(c, c->first + next));
            pids[next] = pid, status[next] = 1;
            running += pid > 0;
            next++;
        }
        int st;
        pid_t pid = running ? wait(&st) : -1;
        if (pid <= 0) continue;
        running--;
        size_t i = swm_slot(pids, next, pid);
        if (i < next) status[i] = WIFEXITED(st) ? WEXITSTATUS(st) : 1;
    }
    free(pids);
    return 0;
}

static void swm_read(const swm_cfg *c, uint64_t seed, swm_result *res)
{
    char dir[SWM_PATH], path[SWM_PATH + 16], name[48];
    double x;
    swm_run_dir(c, seed, dir);
    snprintf(path, sizeof path, "%s/headline.txt", dir);
    FILE *f = fopen(path, "r");
    if (!f) return;
    while (fscanf(f, "%47s %lf", name, &x) == 2) {
        if (!strcmp(name, "heights")) res->heights = x, res->have = 1;
        else if (!strcmp(name, "impeach_blocks")) res->impeach = x;
        else if (!strcmp(name, "violations")) res->violations = x;
        else if (!strcmp(name, "safety_violations")) res->safety = x;
    }
    fclose(f);
}

/* A run that exited 3 with no safety violation (fork, short certificate) found only liveness
 * ones (a stall after a healed fault, an honest proposer impeached): SWM_LIVENESS. They are
 * reported, and do not make the swarm fail: CPChain's LBFT has no retransmission, so a height
 * can stall after a partition heals, and finding such runs is what the swarm is for. */
static void swm_classify(const swm_cfg *c, int *status)
{
    for (uint64_t k = 0; k < c->runs; k++) {
        swm_result r = {status[k], 0, 0, 0, 0, 0};
        swm_read(c, c->first + k, &r);
        if (status[k] == 3 && r.have && r.safety == 0) status[k] = SWM_LIVENESS;
    }
}

/* ---- reporting ------------------------------------------------------------------------------ */

static const char *swm_status_name(int st)
{
    return st == 0 ? "ok" : st == 3 ? "violation" : st == SWM_LIVENESS ? "liveness" : st == 2 ? "bad-scenario" : "failed";
}

static void swm_json_ids(js *j, const char *key, const uint32_t *ids, size_t n)
{
    js_arr_begin(j, key);
    for (size_t i = 0; i < n; i++) js_u64(j, NULL, ids[i]);
    js_arr_end(j);
}

static void swm_json_mix(js *j, const swm_mix *m)
{
    js_obj_begin(j, "faults");
    js_u64(j, "f", m->f);
    js_u64(j, "faulty_validators", m->b);
    for (size_t k = 0; k < SWM_N_KINDS; k++)
        if (!swm_kinds[k].timed) swm_json_ids(j, swm_kinds[k].name, m->ids[k], m->n[k]);
    js_arr_begin(j, "windows");
    for (size_t i = 0; i < m->n_win; i++) {
        js_obj_begin(j, NULL);
        js_str(j, "kind", m->win[i].field);
        js_num(j, "at_s", (double)m->win[i].at / 1e9);
        js_num(j, "until_s", (double)m->win[i].until / 1e9);
        swm_json_ids(j, "nodes", m->win[i].ids, m->win[i].n);
        js_obj_end(j);
    }
    js_arr_end(j);
    js_obj_end(j);
}

static void swm_json_run(js *j, uint64_t seed, const swm_mix *m, const swm_result *r, const char *cmd)
{
    js_obj_begin(j, NULL);
    js_u64(j, "seed", seed);
    swm_json_mix(j, m);
    js_i64(j, "exit_status", r->status);
    js_str(j, "status", swm_status_name(r->status));
    if (r->have) {
        js_num(j, "heights", r->heights);
        js_num(j, "impeach_blocks", r->impeach);
        js_num(j, "violations", r->violations);
    } else {
        js_null(j, "heights"), js_null(j, "impeach_blocks"), js_null(j, "violations");
    }
    js_str(j, "reproduce", cmd ? cmd : "");
    js_obj_end(j);
}

/* One line of the stdout table: the counts, then the mix in short. */
static void swm_table_row(FILE *f, uint64_t seed, const swm_mix *m, const swm_result *r)
{
    fprintf(f, "%-8llu %-12s %7.0f %7.0f %10.0f  b=%u/%u", (unsigned long long)seed, swm_status_name(r->status),
            r->have ? r->heights : -1, r->have ? r->impeach : -1, r->have ? r->violations : -1, m->b, m->f);
    for (size_t k = 0; k < SWM_N_KINDS; k++)
        if (!swm_kinds[k].timed && m->n[k]) {
            fprintf(f, " %s=", swm_kinds[k].name);
            swm_put_ids(f, m->ids[k], m->n[k]);
        }
    for (size_t i = 0; i < m->n_win; i++) {
        fprintf(f, " %s@%.1f-%.1fs=", m->win[i].field, (double)m->win[i].at / 1e9, (double)m->win[i].until / 1e9);
        swm_put_ids(f, m->win[i].ids, m->win[i].n);
    }
    fputc('\n', f);
}

typedef struct swm_totals {
    uint64_t ok, violating, failed, violations, liveness;
} swm_totals;

static void swm_json_totals(js *j, const swm_totals *t, uint64_t runs)
{
    js_obj_begin(j, "totals");
    js_u64(j, "runs", runs);
    js_u64(j, "ok", t->ok);
    js_u64(j, "runs_with_violations", t->violating);
    js_u64(j, "runs_with_liveness_findings_only", t->liveness);
    js_u64(j, "failed", t->failed);
    js_u64(j, "violations", t->violations);
    js_obj_end(j);
}

/* One run's record, row and totals; its reproduce command is printed if it found violations. */
static int swm_report_run(const swm_cfg *c, uint64_t k, int status, js *j, swm_totals *t)
{
    uint64_t seed = c->first + k;
    swm_mix m;
    swm_ovr v;
    swm_result r = {status, 0, 0, 0, 0, 0};
    swm_read(c, seed, &r);
    if (swm_draw(c, seed, &m) != 0 || swm_ovr_build(c, &m, seed, &v) != 0) return -1;
    char *cmd = swm_command(c, &v);
    swm_json_run(j, seed, &m, &r, cmd);
    swm_table_row(stdout, seed, &m, &r);
    t->ok += status == 0, t->violating += status == 3, t->liveness += status == SWM_LIVENESS;
    t->failed += status != 0 && status != 3 && status != SWM_LIVENESS;
    t->violations += r.have ? (uint64_t)r.violations : 0;
    free(cmd);
    swm_ovr_free(&v);
    swm_mix_free(&m);
    return 0;
}

static void swm_print_repro(const swm_cfg *c, const int *status)
{
    int shown = 0;
    for (uint64_t k = 0; k < c->runs; k++) {
        if (status[k] != 3) continue;
        printf("%s%llu", shown ? " " : "violations in seeds: ", (unsigned long long)(c->first + k));
        shown = 1;
    }
    for (uint64_t k = 0; k < c->runs; k++) {
        swm_mix m;
        swm_ovr v;
        if (status[k] != 3 || swm_draw(c, c->first + k, &m) != 0) continue;
        char *cmd = swm_ovr_build(c, &m, c->first + k, &v) == 0 ? swm_command(c, &v) : NULL;
        printf("\nreproduce seed %llu with:\n  %s\n", (unsigned long long)(c->first + k), cmd ? cmd : "?");
        free(cmd);
        swm_ovr_free(&v);
        swm_mix_free(&m);
        break;
    }
}

static int swm_report(const swm_cfg *c, const int *status, swm_totals *t)
{
    char path[SWM_PATH];
    snprintf(path, sizeof path, "%s/swarm.json", c->out);
    js *j = js_open_file(path);
    if (!j) return -1;
    js_obj_begin(j, NULL);
    js_str(j, "scenario", c->file);
    js_u64(j, "first_seed", c->first);
    js_bool(j, "unsafe", c->unsafe);
    printf("%-8s %-12s %7s %7s %10s  %s\n", "seed", "status", "heights", "impeach", "violations", "faults");
    js_arr_begin(j, "runs");
    int rc = 0;
    for (uint64_t k = 0; rc == 0 && k < c->runs; k++) rc = swm_report_run(c, k, status[k], j, t);
    js_arr_end(j);
    swm_json_totals(j, t, c->runs);
    js_obj_end(j);
    if (rc != 0) {
        js_abort(j);
        return -1;
    }
    return js_close(j);
}

static int swm_make_dirs(const swm_cfg *c)
{
    for (uint64_t k = 0; k < c->runs; k++) {
        char dir[SWM_PATH];
        swm_run_dir(c, c->first + k, dir);
        if (sw_mkdir_p(dir) != 0) {
            fprintf(stderr, "cpsim: %s: cannot create: %s\n", dir, strerror(errno));
            return -1;
        }
    }
    return 0;
}

int swm_main(int argc, char **argv)
{
    swm_cfg c;
    if (swm_parse(&c, argc, argv) != 0) return swm_usage();
    if (swm_scenario(&c) != 0) return 2;
    if (swm_make_dirs(&c) != 0) return 1;
    int *status = calloc(c.runs, sizeof *status);
    swm_totals t = {0, 0, 0, 0, 0};
    if (!status || swm_run_all(&c, status) != 0) return free(status), 1;
    swm_classify(&c, status);
    int rc = swm_report(&c, status, &t);
    if (rc != 0) fprintf(stderr, "cpsim: %s/swarm.json: cannot write\n", c.out);
    printf("%llu runs: %llu ok, %llu with safety violations, %llu with liveness findings only, %llu failed; "
           "%s/swarm.json\n", (unsigned long long)c.runs, (unsigned long long)t.ok, (unsigned long long)t.violating,
           (unsigned long long)t.liveness, (unsigned long long)t.failed, c.out);
    if (t.violating) swm_print_repro(&c, status);
    free(status);
    return t.violating ? 3 : rc != 0 || t.failed ? 1 : 0;
}
