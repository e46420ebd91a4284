/* sim/scenario/scn.c: schema-driven, strict loading of a YAML scenario (contract in scn.h).
 *
 * The document is parsed whole by libfyaml (diagnostics collected, never printed), then the
 * schema is walked: every mapping is first checked for keys the schema does not know, then
 * each field is taken from a command-line override, the file, or its default, in that order,
 * and converted with its type's rules. Invariant: on any error the output struct is released
 * and zeroed, exactly one located message is written, and no override is silently ignored
 * (an override that matched no field is itself an error). */
#include <ctype.h>
#include <errno.h>
#include <libfyaml.h>
#include <math.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <sys/wait.h>
#include <unistd.h>

#include "sim/scenario/scn.h"
#include "sim/scenario/scn_int.h"

#define PATHLEN 512
#define SCN_PARSE_LIMIT_S 10 /* wall-clock limit for the guarded parse of one document */

/* A sequence met in the document, remembered to explain an override that matched nothing. */
typedef struct seq_seen {
    char *path;
    size_t count;
    char **names;           /* per entry: its `name` key, or NULL */
} seq_seen;
#define SEQ_SEEN_MAX 32

/* An item of an SCN_NODES list, kept as text until the groups are known. */
typedef struct pending {
    uint32_t **arr;
    size_t *cnt;
    char *text, *path;
    int line, col;          /* in the file; 0 for an override */
    const scn_override *o;
} pending;

typedef struct scn_check ctx;
struct scn_check {
    const char *file;
    char *err;
    size_t errlen;
    const scn_override *ovr;
    size_t n_ovr;
    unsigned char *used; /* per override: matched a field */
    char **opath;        /* per override: its path with entry names replaced by indices */
    const scn_schema *top;
    seq_seen seqs[SEQ_SEEN_MAX];
    size_t n_seqs;
    struct fy_node *root;
    struct pending *refs;  /* SCN_NODES items, resolved against the groups after finish */
    size_t n_refs, cap_refs;
    const scn_group *groups;
    size_t n_groups;
    int n_err;           /* errors written (at most SCN_MAX_ERRORS, one per line) */
    int oom;
    int rc;
};

/* ---- errors ----------------------------------------------------------------------- */

/* Room for one more error line: its start in c->err (after a newline if not the first), or
 * NULL when SCN_MAX_ERRORS are written or the buffer is full. */
static char *err_line(ctx *c, size_t *room)
{
    if (c->n_err >= SCN_MAX_ERRORS) return NULL;
    size_t used = c->n_err ? strlen(c->err) : 0;
    if (used + 2 >= c->errlen) return NULL;
    if (c->n_err) c->err[used++] = '\n';
    c->n_err++;
    *room = c->errlen - used;
    return c->err + used;
}

static void node_pos(struct fy_node *n, int *line, int *col)
{
    const struct fy_mark *m = scn_node_mark(n);
    *line = m ? m->line + 1 : 1;
    *col = m ? m->column + 1 : 1;
}

static void vfail_pos(ctx *c, int line, int col, const char *path, const char *fmt, va_list ap)
{
    if (!c->rc) c->rc = SCN_ESCHEMA;
    size_t room;
    char *e = err_line(c, &room);
    if (!e) return;
    int k = snprintf(e, room, "%s:%d:%d: error: %s: ", c->file, line, col, path);
    if (k >= 0 && (size_t)k < room) vsnprintf(e + k, room - (size_t)k, fmt, ap);
}

static void __attribute__((format(printf, 5, 6)))
fail_pos(ctx *c, int line, int col, const char *path, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vfail_pos(c, line, col, path, fmt, ap);
    va_end(ap);
}

static void __attribute__((format(printf, 4, 5)))
fail_at(ctx *c, struct fy_node *n, const char *path, const char *fmt, ...)
{
    int line, col;
    node_pos(n, &line, &col);
    va_list ap;
    va_start(ap, fmt);
    vfail_pos(c, line, col, path, fmt, ap);
    va_end(ap);
}

static void vfail_ovr(ctx *c, const scn_override *o, const char *fmt, va_list ap)
{
    if (!c->rc || c->rc == SCN_ESCHEMA) c->rc = SCN_EOVERRIDE;
    size_t room;
    char *e = err_line(c, &room);
    if (!e) return;
    int k = snprintf(e, room, "-p %s=%s: error: ", o->path, o->value);
    if (k >= 0 && (size_t)k < room) vsnprintf(e + k, room - (size_t)k, fmt, ap);
}

static void __attribute__((format(printf, 3, 4)))
fail_ovr(ctx *c, const scn_override *o, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vfail_ovr(c, o, fmt, ap);
    va_end(ap);
}

/* ---- small helpers ---------------------------------------------------------------- */

static const scn_override *find_ovr(ctx *c, const char *path)
{
    for (size_t i = c->n_ovr; i-- > 0;) /* the last one given wins */
        if (strcmp(c->opath[i], path) == 0) {
            for (size_t k = 0; k < c->n_ovr; k++)
                if (strcmp(c->opath[k], path) == 0) c->used[k] = 1;
            return &c->ovr[i];
        }
    return NULL;
}

static void join(char *out, const char *prefix, const char *key)
{
    if (*prefix) snprintf(out, PATHLEN, "%s.%s", prefix, key);
    else snprintf(out, PATHLEN, "%s", key);
}

static const char *scalar(struct fy_node *n, size_t *len)
{
    if (!n || fy_node_get_type(n) != FYNT_SCALAR) return NULL;
    const char *s = fy_node_get_scalar(n, len);
    return s ? s : "";
}

static char *scalar_dup(struct fy_node *n)
{
    size_t len;
    const char *s = scalar(n, &len);
    return s ? strndup(s, len) : NULL;
}

static const char *kind_name(struct fy_node *n)
{
    if (!n) return "nothing";
    switch (fy_node_get_type(n)) {
    case FYNT_SEQUENCE: return "a sequence";
    case FYNT_MAPPING: return "a mapping";
    default: return "a scalar";
    }
}

static void *at(void *base, size_t off) { return (char *)base + off; }

/* ---- scalar conversion ------------------------------------------------------------ */

static int parse_number(const char *s, bool integer, double *v)
{
    char *end;
    while (*s == ' ') s++;
    if (!*s || !(isdigit((unsigned char)*s) || *s == '-' || *s == '+' || *s == '.')) return -1;
    errno = 0;
    *v = strtod(s, &end);
    while (*end == ' ') end++;
    if (*end || errno || !isfinite(*v)) return -1;
    return integer && *v != nearbyint(*v) ? -1 : 0;
}

static const char *type_expect(const scn_field *f)
{
    switch (f->type) {
    case SCN_BOOL: return "a boolean (true or false)";
    case SCN_INT: return "an integer";
    case SCN_UINT: case SCN_U32: return "a non-negative integer";
    case SCN_FLOAT: return "a number";
    case SCN_PROB: return "a probability (0..1 or N%)";
    case SCN_STR: return "a string";
    case SCN_ENUM: return "one of the names listed";
    case SCN_DURATION: return "a duration with a unit (ns, us, ms, s, min, h)";
    case SCN_SIZE: return "a size (B, kB, MB, GB, KiB, MiB, GiB)";
    case SCN_RATE: return "a rate with a unit (bps, kbps, Mbps, Gbps)";
    default: return "a value";
    }
}

static int parse_bool(const char *s, bool *b)
{
    static const char *const t[] = {"true", "yes", "on", "True", "TRUE", NULL};
    static const char *const f[] = {"false", "no", "off", "False", "FALSE", NULL};
    for (int i = 0; t[i]; i++)
        if (!strcmp(s, t[i])) return *b = true, 0;
    for (int i = 0; f[i]; i++)
        if (!strcmp(s, f[i])) return *b = false, 0;
    return -1;
}

static int parse_prob(const char *s, double *v)
{
    size_t len = strlen(s);
    if (len > 1 && s[len - 1] == '%') {
        char buf[64];
        if (len >= sizeof buf) return -1;
        memcpy(buf, s, len - 1);
        buf[len - 1] = 0;
        if (parse_number(buf, false, v) != 0) return -1;
        *v /= 100;
        return 0;
    }
    return parse_number(s, false, v);
}

static int parse_enum(const scn_field *f, const char *s, int *out)
{
    for (int i = 0; f->enum_names[i]; i++)
        if (!strcmp(s, f->enum_names[i])) return *out = i, 0;
    return -1;
}

static void enum_list(const scn_field *f, char *buf, size_t len)
{
    buf[0] = 0;
    for (int i = 0; f->enum_names[i]; i++) {
        size_t k = strlen(buf);
        snprintf(buf + k, len - k, "%s%s", i ? ", " : "", f->enum_names[i]);
    }
}

/* Convert text for field f into *dst. Returns 0, -1 (malformed), -2 (out of range) or -3 (a
 * bare 1 for a probability: certainty, more often meant as 1 %). */
static int convert(const scn_field *f, const char *s, void *dst)
{
    double v = 0;
    uint64_t u = 0;
    bool b;
    int e;
    switch (f->type) {
    case SCN_BOOL:
        if (parse_bool(s, &b)) return -1;
        *(bool *)dst = b;
        return 0;
    case SCN_STR:
        return (*(char **)dst = strdup(s)) ? 0 : -1;
    case SCN_ENUM:
        if (parse_enum(f, s, &e)) return -1;
        *(int *)dst = e;
        return 0;
    case SCN_INT: case SCN_UINT: case SCN_U32:
        if (parse_number(s, true, &v)) return -1;
        if (f->type != SCN_INT && v < 0) return -2;
        if (f->type == SCN_U32 && v > 4294967295.0) return -2;
        if (fabs(v) >= 9.2e18 && f->type == SCN_INT) return -2;
        break;
    case SCN_FLOAT:
        if (parse_number(s, false, &v)) return -1;
        break;
    case SCN_PROB:
        if (parse_prob(s, &v)) return -1;
        if (v < 0 || v > 1) return -2;
        if (v == 1 && !strchr(s, '%')) return -3; /* 1 meant as 1 %? */
        break;
    case SCN_DURATION:
        if (scn_parse_duration(s, &u)) return -1;
        v = (double)u;
        break;
    case SCN_SIZE:
        if (scn_parse_size(s, &u)) return -1;
        v = (double)u;
        break;
    case SCN_RATE:
        if (scn_parse_rate(s, &u)) return -1;
        v = (double)u;
        break;
    default:
        return -1;
    }
    if (f->min <= f->max && (v < f->min || v > f->max)) return -2;
    /* a duration, size or rate past 2^53 loses its last units as a double: compare exactly */
    if (f->min <= f->max && (f->type == SCN_DURATION || f->type == SCN_SIZE || f->type == SCN_RATE) &&
        f->max < 18446744073709551615.0 && u > (uint64_t)f->max)
        return -2;
    switch (f->type) {
    case SCN_INT: *(int64_t *)dst = (int64_t)v; break;
    case SCN_UINT: *(uint64_t *)dst = (uint64_t)v; break;
    case SCN_U32: *(uint32_t *)dst = (uint32_t)v; break;
    case SCN_FLOAT: case SCN_PROB: *(double *)dst = v; break;
    default: *(uint64_t *)dst = u; break;
    }
    return 0;
}

static void range_text(const scn_field *f, char *buf, size_t len)
{
    char lo[64], hi[64];
    if (f->type == SCN_PROB && !(f->min <= f->max)) {
        snprintf(buf, len, "0 .. 1");
        return;
    }
    scn_format_quantity(f->type, f->min, lo, sizeof lo);
    scn_format_quantity(f->type, f->max, hi, sizeof hi);
    snprintf(buf, len, "%s .. %s", lo, hi);
}

/* Report a conversion failure for a value from the file (n) or from an override (o). */
static void bad_value(ctx *c, const scn_field *f, struct fy_node *n, const scn_override *o,
                      const char *path, const char *text, int why)
{
    char extra[256];
    if (why == -3) {
#define SCN_BARE_ONE "expected a probability: a bare 1 means always; write 100%% if you mean it (1%% is one in a hundred)"
        if (o) fail_ovr(c, o, "%s: " SCN_BARE_ONE ", got \"%s\"", path, text);
        else fail_at(c, n, path, SCN_BARE_ONE ", got \"%s\"", text);
        return;
    }
    if (why == -2 && f->type == SCN_PROB && !strchr(text, '%')) {
        double v;
        if (parse_number(text, false, &v) == 0 && v > 1 && v <= 100) {
            if (o) fail_ovr(c, o, "%s: expected a probability in 0 .. 1 or N%%, got \"%s\" (did you mean %s%%?)", path, text, text);
            else fail_at(c, n, path, "expected a probability in 0 .. 1 or N%%, got \"%s\" (did you mean %s%%?)", text, text);
            return;
        }
    }
    if (why == -2) range_text(f, extra, sizeof extra);
    else if (f->type == SCN_ENUM) enum_list(f, extra, sizeof extra);
    const char *what = why == -2 ? "a value in" : f->type == SCN_ENUM ? "one of" : type_expect(f);
    const char *tail = why == -2 || f->type == SCN_ENUM ? extra : "";
    if (o) fail_ovr(c, o, "%s: expected %s%s%s, got \"%s\"", path, what, *tail ? " " : "", tail, text);
    else fail_at(c, n, path, "expected %s%s%s, got \"%s\"", what, *tail ? " " : "", tail, text);
}

/* ---- guarded parsing ------------------------------------------------------------ */

/* libfyaml reports problems through its diagnostic output as "NAME:LINE:COL: error: MSG"
 * lines; the first such line is kept (never printed) and re-issued in our format. */
typedef struct diag_capture {
    int line, col;
    char msg[200];
} diag_capture;

static void capture_output(struct fy_diag *diag, void *user, const char *buf, size_t len)
{
    diag_capture *cap = user;
    if (cap->line || len == 0) return;
    char tmp[400];
    snprintf(tmp, sizeof tmp, "%.*s", (int)(len < 399 ? len : 399), buf);
    const char *e = strstr(tmp, ": error: ");
    if (!e) return;
    const char *p = e;
    int colon = 0;
    while (p > tmp && colon < 2) /* back over ":LINE:COL" */
        if (*--p == ':') colon++;
    int line, col;
    if (colon == 2 && sscanf(p, ":%d:%d:", &line, &col) == 2) {
        cap->line = line, cap->col = col;
        snprintf(cap->msg, sizeof cap->msg, "%s", e + 9);
        cap->msg[strcspn(cap->msg, "\n")] = 0;
    }
}

/* Length of the valid UTF-8 sequence at p (1..4), or 0 if invalid (overlongs, surrogates and
 * code points above U+10FFFF included). */
static size_t utf8_len(const unsigned char *p, size_t left)
{
    unsigned char b = p[0];
    if (b < 0x80) return 1;
    size_t n = b > 0xf4 ? 0 : b >= 0xf0 ? 4 : b >= 0xe0 ? 3 : b >= 0xc2 ? 2 : 0;
    if (n == 0 || n > left) return 0;
    for (size_t i = 1; i < n; i++)
        if ((p[i] & 0xc0) != 0x80) return 0;
    if (n == 3 && ((b == 0xe0 && p[1] < 0xa0) || (b == 0xed && p[1] >= 0xa0))) return 0;
    if (n == 4 && ((b == 0xf0 && p[1] < 0x90) || (b == 0xf4 && p[1] >= 0x90))) return 0;
    return n;
}

/* Scenario files are UTF-8 text without NUL or other control bytes (tab, CR, LF allowed).
 * Checked before libfyaml sees the bytes: its 0.7 scanner can loop forever on some invalid
 * input (found by fuzzing). */
static int check_text(ctx *c, const char *text, size_t len)
{
    int line = 1, col = 1;
    for (size_t i = 0; i < len;) {
        const unsigned char *p = (const unsigned char *)text + i;
        size_t n = utf8_len(p, len - i);
        if (n == 0 || (*p < 0x20 && *p != '\t' && *p != '\n' && *p != '\r') || *p == 0x7f) {
            snprintf(c->err, c->errlen, "%s:%d:%d: error: expected UTF-8 text, got byte 0x%02x", c->file, line,
                     col, *p);
            c->rc = SCN_ESYNTAX;
            return -1;
        }
        if (*p == '\n') line++, col = 1;
        else col++;
        i += n;
    }
    return 0;
}

static struct fy_document *fy_build(const char *text, size_t len, diag_capture *cap)
{
    struct fy_diag_cfg dc;
    fy_diag_cfg_default(&dc);
    dc.fp = NULL;
    dc.output_fn = capture_output;
    dc.user = cap;
    dc.colorize = false;
    struct fy_diag *diag = fy_diag_create(&dc);
    if (!diag) return NULL;
    struct fy_parse_cfg pc = {0};
    pc.flags = FYPCF_QUIET | FYPCF_RESOLVE_DOCUMENT;
    pc.diag = diag;
    struct fy_document *d = fy_document_build_from_string(&pc, text, len);
    fy_diag_destroy(diag);
    return d;
}

/* libfyaml 0.7.12 (Debian 12) can crash or loop forever on some malformed input (found by
 * fuzzing, see tests/fuzz/README.md). So the text is first parsed in a child process with a
 * time limit; only if the library survives it there does this process parse it (parsing is
 * deterministic, so the second parse survives too). 0 = safe to parse, -1 = the library
 * failed (signal or time-out), -2 = no child could be started. */
static int parse_survives(const char *text, size_t len)
{
    pid_t pid = fork();
    if (pid < 0) return -2;
    if (pid == 0) {
        int fd = open("/dev/null", O_WRONLY);
        if (fd >= 0) dup2(fd, 2);
        alarm(SCN_PARSE_LIMIT_S);
        diag_capture cap = {0, 0, ""};
        struct fy_document *d = fy_build(text, len, &cap);
        if (d) fy_document_destroy(d);
        _exit(0);
    }
    int st;
    while (waitpid(pid, &st, 0) < 0)
        if (errno != EINTR) return -2;
    return WIFEXITED(st) && WEXITSTATUS(st) == 0 ? 0 : -1;
}

/* ---- the walk --------------------------------------------------------------------- */

static void fill(ctx *c, const scn_schema *s, struct fy_node *map, struct fy_node *parent,
                 void *out, const char *prefix);

static void fill_scalar(ctx *c, const scn_field *f, struct fy_node *n, struct fy_node *parent,
                        void *dst, const char *path)
{
    const scn_override *o = find_ovr(c, path);
    char *text = NULL;
    if (o) text = strdup(o->value);
    else if (n && fy_node_get_type(n) != FYNT_SCALAR) {
        fail_at(c, n, path, "expected %s, got %s", type_expect(f), kind_name(n));
        return;
    } else if (n) text = scalar_dup(n);
    else if (f->def) text = strdup(f->def);
    else {
        fail_at(c, parent, path, "missing required key (%s)", type_expect(f));
        return;
    }
    if (!text) {
        c->rc = SCN_ESCHEMA;
        return;
    }
    /* defaults are YAML text too: strip the quotes of a quoted empty default */
    if (!o && !n && !strcmp(text, "\"\"")) text[0] = 0;
    int why = convert(f, text, dst);
    if (why) bad_value(c, f, o ? NULL : n, o, path, text, why);
    free(text);
}

/* Parse an override value as a YAML node (for list types). */
static struct fy_document *ovr_doc(const scn_override *o)
{
    size_t len = strlen(o->value);
    diag_capture cap = {0, 0, ""};
    if (parse_survives(o->value, len) != 0) return NULL;
    return fy_build(o->value, len, &cap);
}

static int list_item_u32(const char *s, uint32_t *lo, uint32_t *hi)
{
    double a, b;
    const char *dash = strchr(s, '-');
    if (dash && dash != s) {
        char buf[64];
        size_t k = (size_t)(dash - s);
        if (k >= sizeof buf) return -1;
        memcpy(buf, s, k), buf[k] = 0;
        if (parse_number(buf, true, &a) || parse_number(dash + 1, true, &b)) return -1;
    } else {
        if (parse_number(s, true, &a)) return -1;
        b = a;
    }
    if (a < 0 || b < a || b > 4294967295.0) return -1;
    *lo = (uint32_t)a, *hi = (uint32_t)b;
    return 0;
}

/* Append the items of one scalar to the growing list; 0 or -1. */
static int list_push(const scn_field *f, const char *s, void **arr, size_t *n, size_t *cap)
{
    uint32_t lo = 0, hi = 0;
    if (f->type == SCN_LIST_U32 && list_item_u32(s, &lo, &hi)) return -1;
    size_t add = f->type == SCN_LIST_U32 ? (size_t)hi - lo + 1 : 1;
    if (*n + add > 16000000) return -1; /* no scenario has more nodes */
    size_t esz = f->type == SCN_LIST_U32 ? sizeof(uint32_t) : sizeof(char *);
    if (*n + add > *cap) {
        size_t nc = (*n + add) * 2;
        void *p = realloc(*arr, nc * esz);
        if (!p) return -1;
        *arr = p, *cap = nc;
    }
    if (f->type == SCN_LIST_STR) {
        char *d = strdup(s);
        if (!d) return -1;
        ((char **)*arr)[(*n)++] = d;
    } else {
        for (uint64_t v = lo; v <= hi; v++) ((uint32_t *)*arr)[(*n)++] = (uint32_t)v;
    }
    return 0;
}

/* Keep an SCN_NODES item (text owned by the pending entry from here on). */
static void defer_ref(ctx *c, uint32_t **arr, size_t *cnt, char *text, const char *path, struct fy_node *item,
                      const scn_override *o)
{
    if (c->n_refs == c->cap_refs) {
        size_t nc = c->cap_refs ? 2 * c->cap_refs : 16;
        pending *p = realloc(c->refs, nc * sizeof *p);
        if (!p) {
            free(text);
            c->rc = SCN_ESCHEMA, c->oom = 1;
            return;
        }
        c->refs = p, c->cap_refs = nc;
    }
    pending *r = &c->refs[c->n_refs++];
    *r = (pending){arr, cnt, text, strdup(path), 0, 0, o};
    if (item) node_pos(item, &r->line, &r->col);
}

static void fill_list(ctx *c, const scn_field *f, struct fy_node *n, struct fy_node *parent,
                      void *out, const char *path)
{
    const scn_override *o = find_ovr(c, path);
    struct fy_document *od = o ? ovr_doc(o) : NULL;
    if (o && !od) {
        fail_ovr(c, o, "%s: expected a list like [1, 2-5] or [a, b]", path);
        return;
    }
    if (od) n = fy_document_root(od);
    void **arr = at(out, f->offset);
    size_t *cnt = at(out, f->count_offset), cap = 0;
    if (!n && f->required) fail_at(c, parent, path, "missing required key (a list)");
    struct fy_node *item = NULL;
    void *iter = NULL;
    bool seq = n && fy_node_get_type(n) == FYNT_SEQUENCE;
    int bad = 0;
    if (n && !seq && fy_node_get_type(n) != FYNT_SCALAR) {
        fail_at(c, n, path, "expected a list or a single value, got %s", kind_name(n));
        bad = 1;
    }
    while (!bad && n && (item = seq ? fy_node_sequence_iterate(n, &iter) : (iter ? NULL : n))) {
        iter = seq ? iter : (void *)1;
        size_t len;
        const char *s = scalar(item, &len);
        char *t = s ? strndup(s, len) : NULL;
        if (t && f->type == SCN_NODES) {
            defer_ref(c, (uint32_t **)arr, cnt, t, path, o ? NULL : item, o);
            continue;
        }
        if (!t || list_push(f, t, arr, cnt, &cap)) {
            const char *exp = f->type == SCN_LIST_U32 ? "node ids or ranges a-b" : "strings";
            if (o) fail_ovr(c, o, "%s: expected %s", path, exp);
            else fail_at(c, item, path, "expected %s, got %s", exp, t ? t : kind_name(item));
            bad = 1;
        }
        free(t);
    }
    if (od) fy_document_destroy(od);
}

static void fill_map(ctx *c, const scn_field *f, struct fy_node *n, struct fy_node *parent,
                     void *out, const char *path)
{
    if (find_ovr(c, path)) {
        fail_ovr(c, find_ovr(c, path), "%s: names a section, not a value", path);
        return;
    }
    if (n && fy_node_get_type(n) != FYNT_MAPPING && !(fy_node_get_type(n) == FYNT_SCALAR && !*scalar(n, &(size_t){0}))) {
        fail_at(c, n, path, "expected a mapping, got %s", kind_name(n));
        return;
    }
    if (n && fy_node_get_type(n) != FYNT_MAPPING) n = NULL; /* an empty value: all defaults */
    if (!n && f->required) {
        fail_at(c, parent, path, "missing required section");
        return;
    }
    fill(c, f->sub, n, n ? n : parent, at(out, f->offset), path);
}

static void fill_seq_items(ctx *c, const scn_field *f, struct fy_node *n, struct fy_node *parent,
                           void *out, const char *path);

/* A whole sequence given on the command line ("-p network.changes=[{at: 1s, partition: [0]}]")
 * replaces the file's; errors inside it are located in the override text. */
static void fill_seq(ctx *c, const scn_field *f, struct fy_node *n, struct fy_node *parent,
                     void *out, const char *path)
{
    const scn_override *o = find_ovr(c, path);
    if (!o) {
        fill_seq_items(c, f, n, parent, out, path);
        return;
    }
    struct fy_document *od = ovr_doc(o);
    struct fy_node *root = od ? fy_document_root(od) : NULL;
    if (!root || fy_node_get_type(root) != FYNT_SEQUENCE) {
        fail_ovr(c, o, "%s: expected a list of mappings like [{key: value}, ...]", path);
    } else {
        char label[PATHLEN + 8];
        const char *file = c->file;
        snprintf(label, sizeof label, "-p %s", o->path);
        c->file = label;
        fill_seq_items(c, f, root, root, out, path);
        c->file = file;
    }
    if (od) fy_document_destroy(od);
}

static bool all_digits(const char *s, size_t len)
{
    for (size_t i = 0; i < len; i++)
        if (!isdigit((unsigned char)s[i])) return false;
    return len > 0;
}

/* Overrides that address entry i by its name ("nodes.validators.count") now address it by
 * index ("nodes.0.count"), the form the walk matches. */
static void alias_entry(ctx *c, const char *path, size_t i, const char *name, size_t len)
{
    size_t pl = strlen(path);
    for (size_t k = 0; k < c->n_ovr; k++) {
        const char *p = c->opath[k], *rest = p + pl + 1 + len;
        if (strncmp(p, path, pl) || p[pl] != '.' || strncmp(p + pl + 1, name, len) || (*rest && *rest != '.'))
            continue;
        char buf[PATHLEN + 32];
        snprintf(buf, sizeof buf, "%s.%zu%s", path, i, rest);
        char *d = strdup(buf);
        if (!d) continue;
        free(c->opath[k]);
        c->opath[k] = d;
    }
}

/* Remember the sequence at path (its entries' names, checked unique) and alias overrides. */
static void seq_names(ctx *c, struct fy_node *n, const char *path)
{
    size_t len = (size_t)fy_node_sequence_item_count(n);
    seq_seen *q = c->n_seqs < SEQ_SEEN_MAX ? &c->seqs[c->n_seqs++] : NULL;
    if (q) q->path = strdup(path), q->count = len, q->names = calloc(len + 1, sizeof *q->names);
    void *iter = NULL;
    struct fy_node *item;
    for (size_t i = 0; (item = fy_node_sequence_iterate(n, &iter)); i++) {
        struct fy_node *nm = fy_node_get_type(item) == FYNT_MAPPING ? fy_node_mapping_lookup_by_string(item, "name", FY_NT) : NULL;
        size_t l;
        const char *s = scalar(nm, &l);
        if (!s || !l || all_digits(s, l)) continue;
        for (size_t j = 0; q && q->names && j < i; j++)
            if (q->names[j] && strlen(q->names[j]) == l && !strncmp(q->names[j], s, l)) {
                char p[PATHLEN + 32];
                snprintf(p, sizeof p, "%.*s.%zu.name", PATHLEN - 1, path, i);
                fail_at(c, nm, p, "expected a name no other entry has; \"%.*s\" is also the name of %s.%zu "
                        "(names address entries in overrides and node references)", (int)l, s, path, j);
            }
        if (q && q->names) q->names[i] = strndup(s, l);
        alias_entry(c, path, i, s, l);
    }
}

static void fill_seq_items(ctx *c, const scn_field *f, struct fy_node *n, struct fy_node *parent,
                           void *out, const char *path)
{
    void **arr = at(out, f->offset);
    size_t *cnt = at(out, f->count_offset);
    if (!n) {
        if (f->required) fail_at(c, parent, path, "missing required key (a list of mappings)");
        return;
    }
    if (fy_node_get_type(n) != FYNT_SEQUENCE) {
        fail_at(c, n, path, "expected a list of mappings, got %s", kind_name(n));
        return;
    }
    seq_names(c, n, path);
    int len = fy_node_sequence_item_count(n);
    if (f->required && len == 0) fail_at(c, n, path, "expected at least one entry");
    *arr = calloc(len > 0 ? (size_t)len : 1, f->sub->size);
    if (!*arr) c->rc = SCN_ESCHEMA, c->oom = 1;
    void *iter = NULL;
    struct fy_node *item;
    for (size_t i = 0; *arr && (item = fy_node_sequence_iterate(n, &iter)); i++) {
        char p[PATHLEN + 24];
        snprintf(p, sizeof p, "%.*s.%zu", PATHLEN - 1, path, i);
        *cnt = i + 1;
        if (fy_node_get_type(item) != FYNT_MAPPING)
            fail_at(c, item, p, "expected a mapping, got %s", kind_name(item));
        else
            fill(c, f->sub, item, item, (char *)*arr + i * f->sub->size, p);
    }
}

/* Names of dict entries created only by overrides ("classes.NEW.key=..."). */
static size_t dict_new_names(ctx *c, const char *path, struct fy_node *n, char names[][64], size_t max)
{
    size_t k = 0, plen = strlen(path);
    for (size_t i = 0; i < c->n_ovr && k < max; i++) {
        const char *p = c->opath[i];
        if (strncmp(p, path, plen) || p[plen] != '.') continue;
        const char *nm = p + plen + 1, *dot = strchr(nm, '.');
        size_t len = dot ? (size_t)(dot - nm) : strlen(nm);
        if (!dot || len == 0 || len >= 64) continue;
        char name[64];
        memcpy(name, nm, len), name[len] = 0;
        bool seen = n && fy_node_mapping_lookup_by_string(n, name, len) != NULL;
        for (size_t j = 0; j < k; j++) seen |= !strcmp(names[j], name);
        if (!seen) strcpy(names[k++], name);
    }
    return k;
}

static void dict_entry(ctx *c, const scn_field *f, struct fy_node *val, struct fy_node *at_node,
                       const char *name, void *elem, const char *path)
{
    char p[PATHLEN];
    join(p, path, name);
    *(char **)elem = strdup(name);
    if (val && fy_node_get_type(val) != FYNT_MAPPING && !(fy_node_get_type(val) == FYNT_SCALAR && !*scalar(val, &(size_t){0})))
        fail_at(c, val, p, "expected a mapping, got %s", kind_name(val));
    else
        fill(c, f->sub, val && fy_node_get_type(val) == FYNT_MAPPING ? val : NULL, at_node, elem, p);
}

static void fill_dict(ctx *c, const scn_field *f, struct fy_node *n, struct fy_node *parent,
                      void *out, const char *path)
{
    void **arr = at(out, f->offset);
    size_t *cnt = at(out, f->count_offset);
    if (n && fy_node_get_type(n) != FYNT_MAPPING) {
        fail_at(c, n, path, "expected a mapping of names, got %s", kind_name(n));
        return;
    }
    char extra[32][64];
    size_t ne = dict_new_names(c, path, n, extra, 32);
    size_t nf = n ? (size_t)fy_node_mapping_item_count(n) : 0;
    if (!n && !ne && f->required) fail_at(c, parent, path, "missing required section");
    *arr = calloc(nf + ne + 1, f->sub->size);
    if (!*arr) c->rc = SCN_ESCHEMA, c->oom = 1;
    void *iter = NULL;
    struct fy_node_pair *pr;
    size_t i = 0;
    while (*arr && n && (pr = fy_node_mapping_iterate(n, &iter))) {
        char *key = scalar_dup(fy_node_pair_key(pr));
        *cnt = i + 1;
        if (!key) fail_at(c, fy_node_pair_key(pr), path, "expected a name as key");
        else dict_entry(c, f, fy_node_pair_value(pr), fy_node_pair_value(pr) ? fy_node_pair_value(pr) : n,
                        key, (char *)*arr + i * f->sub->size, path);
        free(key);
        i++;
    }
    for (size_t k = 0; *arr && k < ne; k++, i++) {
        *cnt = i + 1;
        dict_entry(c, f, NULL, parent, extra[k], (char *)*arr + i * f->sub->size, path);
    }
}

static const scn_field *field_of(const scn_schema *s, const char *key, size_t len)
{
    for (const scn_field *f = s->fields; f->key; f++)
        if (strlen(f->key) == len && !strncmp(f->key, key, len)) return f;
    return NULL;
}

static void check_unknown(ctx *c, const scn_schema *s, struct fy_node *map, const char *prefix)
{
    void *iter = NULL;
    struct fy_node_pair *pr;
    while (map && (pr = fy_node_mapping_iterate(map, &iter))) {
        struct fy_node *k = fy_node_pair_key(pr);
        size_t len;
        const char *key = scalar(k, &len);
        char p[PATHLEN], known[400] = "";
        if (key && field_of(s, key, len)) continue;
        const char *keys[128];
        size_t n = 0;
        for (const scn_field *f = s->fields; f->key; f++) {
            size_t m = strlen(known);
            snprintf(known + m, sizeof known - m, "%s%s", m ? ", " : "", f->key);
            if (n < 128) keys[n++] = f->key;
        }
        const char *near = scn_nearest(key, key ? len : 0, keys, n);
        snprintf(p, sizeof p, "%s%s%.*s", prefix, *prefix ? "." : "", key ? (int)len : 1, key ? key : "?");
        fail_at(c, k, p, "unknown key%s%s%s; expected one of: %s", near ? " (did you mean " : "", near ? near : "",
                near ? "?)" : "", known);
    }
}

static void fill(ctx *c, const scn_schema *s, struct fy_node *map, struct fy_node *parent,
                 void *out, const char *prefix)
{
    check_unknown(c, s, map, prefix);
    for (const scn_field *f = s->fields; !c->oom && f->key; f++) {
        char path[PATHLEN];
        join(path, prefix, f->key);
        struct fy_node *n = map ? fy_node_mapping_lookup_by_string(map, f->key, FY_NT) : NULL;
        switch (f->type) {
        case SCN_MAP: fill_map(c, f, n, parent, out, path); break;
        case SCN_SEQ: fill_seq(c, f, n, parent, out, path); break;
        case SCN_DICT: fill_dict(c, f, n, parent, out, path); break;
        case SCN_LIST_U32: case SCN_LIST_STR: case SCN_NODES: fill_list(c, f, n, parent, out, path); break;
        default: fill_scalar(c, f, n, parent, at(out, f->offset), path); break;
        }
    }
}

/* ---- parsing ---------------------------------------------------------------------- */

static struct fy_document *parse_text(ctx *c, const char *text, size_t len)
{
    if (check_text(c, text, len) != 0) return NULL;
    int safe = parse_survives(text, len);
    if (safe == -1) {
        snprintf(c->err, c->errlen, "%s:1:1: error: YAML syntax: the YAML library could not parse this "
                 "file (it failed or ran over %d s); check the syntax", c->file, SCN_PARSE_LIMIT_S);
        c->rc = SCN_ESYNTAX;
        return NULL;
    }
    diag_capture cap = {0, 0, ""};
    struct fy_document *d = fy_build(text, len, &cap);
    if (!d) {
        snprintf(c->err, c->errlen, "%s:%d:%d: error: YAML syntax: %s", c->file, cap.line ? cap.line : 1,
                 cap.line ? cap.col : 1, cap.line ? cap.msg : "cannot parse the document");
        c->rc = SCN_ESYNTAX;
    }
    return d;
}

static const seq_seen *seq_at(const ctx *c, const char *path, size_t len)
{
    for (size_t i = 0; i < c->n_seqs; i++)
        if (c->seqs[i].path && strlen(c->seqs[i].path) == len && !strncmp(c->seqs[i].path, path, len))
            return &c->seqs[i];
    return NULL;
}

/* The entries of a sequence, for a message: "0..2, or by name: a, b, c". */
static void seq_entries(const seq_seen *q, char *buf, size_t len)
{
    int k = snprintf(buf, len, q->count ? "0..%zu" : "none", q->count ? q->count - 1 : 0);
    for (size_t i = 0, named = 0; q->names && i < q->count && k > 0 && (size_t)k < len; i++)
        if (q->names[i]) k += snprintf(buf + k, len - (size_t)k, "%s%s", named++ ? ", " : ", or by name: ", q->names[i]);
}

/* An entry component of an override path that matches no entry of the sequence q. */
static void bad_entry(ctx *c, const scn_override *o, const seq_seen *q, const char *comp, size_t len)
{
    char list[400];
    seq_entries(q, list, sizeof list);
    if (all_digits(comp, len)) {
        fail_ovr(c, o, "%s.%.*s: index out of range: %s has %zu entr%s (%s)", q->path, (int)len, comp, q->path,
                 q->count, q->count == 1 ? "y" : "ies", list);
        return;
    }
    const char *near = q->names ? scn_nearest(comp, len, (const char *const *)q->names, q->count) : NULL;
    fail_ovr(c, o, "%s.%.*s: no entry of %s is named \"%.*s\"%s%s%s (entries: %s)", q->path, (int)len, comp, q->path,
             (int)len, comp, near ? "; did you mean " : "", near ? near : "", near ? "?" : "", list);
}

/* Length of the first components of path as many as end at opath[0..upto) (the two differ
 * only in entry names against indices). */
static int orig_prefix(const char *path, const char *opath, size_t upto)
{
    size_t dots = 0, i = 0;
    for (size_t k = 0; k < upto; k++) dots += opath[k] == '.';
    for (; path[i] && (dots || path[i] != '.'); i++) dots -= path[i] == '.';
    return (int)i;
}

/* Why override o matched no field: the first path component that names nothing. */
static void explain_override(ctx *c, const scn_override *o)
{
    const scn_schema *s = c->top;
    const char *p = c->opath[o - c->ovr], *comp = p;
    while (s && *comp) {
        size_t len = strcspn(comp, ".");
        const scn_field *f = field_of(s, comp, len);
        if (!f) {
            const char *keys[128];
            size_t n = 0;
            for (const scn_field *g = s->fields; g->key && n < 128; g++) keys[n++] = g->key;
            const char *near = scn_nearest(comp, len, keys, n);
            fail_ovr(c, o, "%.*s: unknown key%s%s%s (see `cpsim schema`)", orig_prefix(o->path, p, (size_t)(comp - p + len)), o->path,
                     near ? "; did you mean " : "", near ? near : "", near ? "?" : "");
            return;
        }
        const char *next = comp[len] ? comp + len + 1 : comp + len;
        if ((f->type == SCN_SEQ || f->type == SCN_DICT) && *next) {
            size_t l2 = strcspn(next, ".");
            const seq_seen *q = f->type == SCN_SEQ ? seq_at(c, p, (size_t)(next - 1 - p)) : NULL;
            char *end;
            unsigned long idx = strtoul(next, &end, 10);
            if (f->type == SCN_SEQ && (!q || !all_digits(next, l2) || idx >= q->count)) {
                char here[PATHLEN];
                snprintf(here, sizeof here, "%.*s", (int)(next - 1 - p), p);
                seq_seen none = {here, 0, NULL};
                bad_entry(c, o, q ? q : &none, next, l2);
                return;
            }
            next = next[l2] ? next + l2 + 1 : next + l2;
        }
        if (f->type != SCN_MAP && f->type != SCN_SEQ && f->type != SCN_DICT && *next) {
            fail_ovr(c, o, "%.*s: a value, it has no key \"%s\"", orig_prefix(o->path, p, (size_t)(comp - p + len)), o->path, next);
            return;
        }
        s = f->sub, comp = next;
    }
    fail_ovr(c, o, "%s names no scenario value (see `cpsim schema`)", o->path);
}

static void check_overrides_used(ctx *c)
{
    for (size_t i = 0; i < c->n_ovr; i++)
        if (!c->used[i]) explain_override(c, &c->ovr[i]);
}

/* ---- checks across fields (the schema's finish hook) and node references ---------------- */

/* The node at a dotted path in the document (entries by index), or NULL. */
static struct fy_node *node_at(struct fy_node *n, const char *path)
{
    for (const char *p = path; n && *p;) {
        size_t len = strcspn(p, ".");
        if (fy_node_get_type(n) == FYNT_MAPPING) n = fy_node_mapping_lookup_by_string(n, p, len);
        else if (fy_node_get_type(n) == FYNT_SEQUENCE && all_digits(p, len)) n = fy_node_sequence_get_by_index(n, atoi(p));
        else n = NULL;
        p += len + (p[len] == '.');
    }
    return n;
}

static const scn_override *ovr_at(const ctx *c, const char *path)
{
    size_t len = strlen(path);
    for (size_t i = c->n_ovr; i-- > 0;)
        if (!strncmp(c->opath[i], path, len) && (!c->opath[i][len] || c->opath[i][len] == '.')) return &c->ovr[i];
    return NULL;
}

int scn_check_given(scn_check *c, const char *path)
{
    return ovr_at(c, path) || (*path && node_at(c->root, path));
}

void scn_check_error(scn_check *c, const char *path, const char *fmt, ...)
{
    const scn_override *o = ovr_at(c, path);
    struct fy_node *n = node_at(c->root, path);
    char p[PATHLEN + 8];
    snprintf(p, sizeof p, "%s", path);
    va_list ap;
    va_start(ap, fmt);
    if (o) {
        char msg[1024];
        vsnprintf(msg, sizeof msg, fmt, ap);
        fail_ovr(c, o, "%s: %s", path, msg);
    } else {
        int line, col;
        node_pos(n ? n : c->root, &line, &col);
        vfail_pos(c, line, col, p, fmt, ap);
    }
    va_end(ap);
}

int scn_check_line(scn_check *c, const char *path)
{
    int line, col;
    struct fy_node *n = node_at(c->root, path);
    if (!n) return 0;
    node_pos(n, &line, &col);
    return line;
}

const char *scn_check_file(const scn_check *c) { return c->file; }

int scn_check_groups(scn_check *c, const scn_group *g, size_t n)
{
    scn_group *copy = n ? malloc(n * sizeof *copy) : NULL;
    if (n && !copy) return -1;
    if (n) memcpy(copy, g, n * sizeof *copy);
    free((void *)c->groups);
    c->groups = copy, c->n_groups = n;
    return 0;
}

static void __attribute__((format(printf, 3, 4))) ref_fail(ctx *c, const pending *r, const char *fmt, ...)
{
    char msg[600];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    if (r->o) fail_ovr(c, r->o, "%s: %s", r->path, msg);
    else fail_pos(c, r->line, r->col, r->path, "%s", msg);
}

/* "name", "name.i" or "name.a-b" against the groups: the absolute range, 0 or -1 (reported). */
static int ref_group(ctx *c, const pending *r, uint32_t *lo, uint32_t *hi)
{
    const char *t = r->text, *dot = strchr(t, '.');
    size_t len = dot ? (size_t)(dot - t) : strlen(t);
    const scn_group *g = NULL;
    const char *names[256];
    size_t nn = 0;
    for (size_t i = 0; i < c->n_groups; i++) {
        if (c->groups[i].name && strlen(c->groups[i].name) == len && !strncmp(c->groups[i].name, t, len)) g = &c->groups[i];
        if (nn < 256 && c->groups[i].name && *c->groups[i].name) names[nn++] = c->groups[i].name;
    }
    if (!g) {
        const char *near = scn_nearest(t, len, names, nn);
        ref_fail(c, r, "expected node ids (3, 0-4) or group references (validators.0, proposers.2-5, gateways); "
                 "\"%s\" names no group%s%s%s", t, near ? " (did you mean " : "", near ? near : "", near ? "?)" : "");
        return -1;
    }
    uint32_t a = 0, b = g->count ? (uint32_t)g->count - 1 : 0;
    if (dot && list_item_u32(dot + 1, &a, &b)) {
        ref_fail(c, r, "expected %.*s.INDEX or %.*s.A-B after the group name, got \"%s\"", (int)len, t, (int)len, t, t);
        return -1;
    }
    if (g->count == 0 || b >= g->count) {
        ref_fail(c, r, "%s: out of range: group %s has %llu node%s%s", t, g->name, (unsigned long long)g->count,
                 g->count == 1 ? "" : "s", g->count ? " (index 0 .. count-1)" : "");
        return -1;
    }
    *lo = (uint32_t)g->first + a, *hi = (uint32_t)g->first + b;
    return 0;
}

static void resolve_refs(ctx *c)
{
    uint64_t total = 0;
    for (size_t i = 0; i < c->n_groups; i++) total += c->groups[i].count;
    for (size_t i = 0; i < c->n_refs; i++) {
        pending *r = &c->refs[i];
        uint32_t lo, hi;
        if (list_item_u32(r->text, &lo, &hi) == 0) {
            if (c->n_groups && hi >= total) {
                ref_fail(c, r, "node id %u out of range: the scenario has %llu nodes (0 .. %llu)", hi,
                         (unsigned long long)total, (unsigned long long)(total ? total - 1 : 0));
                continue;
            }
        } else if (ref_group(c, r, &lo, &hi) != 0) {
            continue;
        }
        size_t add = (size_t)hi - lo + 1;
        uint32_t *p = *r->cnt + add <= 16000000 ? realloc(*r->arr, (*r->cnt + add) * sizeof *p) : NULL;
        if (!p) {
            ref_fail(c, r, "too many nodes in the list");
            continue;
        }
        *r->arr = p;
        for (uint64_t v = lo; v <= hi; v++) p[(*r->cnt)++] = (uint32_t)v;
    }
}

static void ctx_free(ctx *c)
{
    for (size_t i = 0; i < c->n_refs; i++) free(c->refs[i].text), free(c->refs[i].path);
    free(c->refs);
    free((void *)c->groups);
    for (size_t i = 0; c->opath && i < c->n_ovr; i++) free(c->opath[i]);
    free(c->opath);
    for (size_t i = 0; i < c->n_seqs; i++) {
        for (size_t k = 0; c->seqs[i].names && k < c->seqs[i].count; k++) free(c->seqs[i].names[k]);
        free(c->seqs[i].names);
        free(c->seqs[i].path);
    }
    free(c->used);
}

int scn_load_string(const char *name, const char *text, size_t len, const scn_schema *schema, void *out,
                    const scn_override *ovr, size_t n_ovr, char *err, size_t errlen)
{
    ctx c = {name, err, errlen, ovr, n_ovr, calloc(n_ovr + 1, 1), calloc(n_ovr + 1, sizeof(char *)), schema,
             {{0}}, 0, NULL, NULL, 0, 0, NULL, 0, 0, 0, 0};
    memset(out, 0, schema->size);
    for (size_t i = 0; c.opath && i < n_ovr; i++)
        if (!(c.opath[i] = strdup(ovr[i].path ? ovr[i].path : ""))) c.rc = SCN_EIO;
    if (!c.used || !c.opath || c.rc) {
        ctx_free(&c);
        return SCN_EIO;
    }
    for (size_t i = 0; i < n_ovr; i++)
        if (!ovr[i].path || !*ovr[i].path || !ovr[i].value) fail_ovr(&c, &ovr[i], "expected key.path=value");
    struct fy_document *d = c.rc ? NULL : parse_text(&c, text, len);
    struct fy_node *root = d ? fy_document_root(d) : NULL;
    if (d && root && fy_node_get_type(root) != FYNT_MAPPING)
        fail_at(&c, root, schema->name, "expected a mapping of keys at the top level, got %s", kind_name(root));
    c.root = root;
    if (!c.rc) fill(&c, schema, root, root, out, "");
    check_overrides_used(&c);
    if (!c.rc && schema->finish) schema->finish(out, &c);
    if (!c.rc) resolve_refs(&c);
    if (d) fy_document_destroy(d);
    ctx_free(&c);
    if (c.rc) {
        scn_free(schema, out);
        memset(out, 0, schema->size);
    }
    return c.rc;
}

static char *read_file(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f) return NULL;
    size_t cap = 4096, n = 0;
    char *b = malloc(cap);
    for (size_t got; b && (got = fread(b + n, 1, cap - n - 1, f)) > 0;) {
        n += got;
        if (n + 1 == cap) {
            char *nb = realloc(b, cap *= 2);
            if (!nb) free(b);
            b = nb;
        }
    }
    if (b && ferror(f)) free(b), b = NULL;
    fclose(f);
    if (b) b[n] = 0, *len = n;
    return b;
}

int scn_load(const char *path, const scn_schema *schema, void *out, const scn_override *ovr, size_t n_ovr,
             scn_doc *doc_out, char *err, size_t errlen)
{
    size_t len = 0;
    char *text = read_file(path, &len);
    if (!text) {
        snprintf(err, errlen, "%s: error: cannot read the file: %s", path, strerror(errno ? errno : EIO));
        return SCN_EIO;
    }
    int rc = scn_load_string(path, text, len, schema, out, ovr, n_ovr, err, errlen);
    if (rc == 0 && doc_out) {
        doc_out->path = strdup(path);
        doc_out->text = text;
        doc_out->len = len;
        return 0;
    }
    free(text);
    return rc;
}

/* ---- release ---------------------------------------------------------------------- */

void scn_free(const scn_schema *s, void *obj)
{
    for (const scn_field *f = s->fields; obj && f->key; f++) {
        void *p = at(obj, f->offset);
        size_t *cnt = f->count_offset ? at(obj, f->count_offset) : NULL;
        switch (f->type) {
        case SCN_STR: free(*(char **)p), *(char **)p = NULL; break;
        case SCN_MAP: scn_free(f->sub, p); break;
        case SCN_SEQ: case SCN_DICT:
            for (size_t i = 0; *(void **)p && i < *cnt; i++) {
                char *e = (char *)*(void **)p + i * f->sub->size;
                if (f->type == SCN_DICT) free(*(char **)e);
                scn_free(f->sub, e);
            }
            free(*(void **)p), *(void **)p = NULL, *cnt = 0;
            break;
        case SCN_LIST_STR:
            for (size_t i = 0; *(char ***)p && i < *cnt; i++) free((*(char ***)p)[i]);
            free(*(void **)p), *(void **)p = NULL, *cnt = 0;
            break;
        case SCN_LIST_U32: case SCN_NODES: free(*(void **)p), *(void **)p = NULL, *cnt = 0; break;
        default: break;
        }
    }
}

void scn_doc_free(scn_doc *doc)
{
    if (!doc) return;
    free(doc->path);
    free(doc->text);
    memset(doc, 0, sizeof *doc);
}
