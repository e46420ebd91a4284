/* sim/metrics/js.c: streaming JSON writer (contract in js.h).
 *
 * Invariant: the output is a pure function of the call sequence: keys in call order, fixed
 * indentation, numbers printed in their shortest round-trip form, so identical calls give
 * identical bytes. In file mode nothing appears under the final name until js_close succeeds. */
#include "sim/metrics/js.h"

#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define JS_DEPTH 64

struct js {
    FILE *f;
    int own;            /* file mode: we opened f and rename on close */
    char *path, *tmp;
    int depth;
    int count[JS_DEPTH];/* items written at each depth */
    int err;
};

static js *js_alloc(FILE *f)
{
    js *j = calloc(1, sizeof *j);
    if (j) j->f = f;
    return j;
}

js *js_open_stream(FILE *f) { return js_alloc(f); }

js *js_open_file(const char *path)
{
    size_t len = strlen(path);
    char *tmp = malloc(len + 5), *p = strdup(path);
    FILE *f = NULL;
    if (tmp && p) {
        memcpy(tmp, path, len);
        memcpy(tmp + len, ".tmp", 5);
        f = fopen(tmp, "w");
    }
    js *j = f ? js_alloc(f) : NULL;
    if (!j) {
        if (f) fclose(f), unlink(tmp);
        free(tmp), free(p);
        return NULL;
    }
    j->own = 1, j->path = p, j->tmp = tmp;
    return j;
}

static void put_str(js *j, const char *s)
{
    fputc('"', j->f);
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        switch (*p) {
        case '"': fputs("\\\"", j->f); break;
        case '\\': fputs("\\\\", j->f); break;
        case '\n': fputs("\\n", j->f); break;
        case '\r': fputs("\\r", j->f); break;
        case '\t': fputs("\\t", j->f); break;
        default:
            if (*p < 0x20) fprintf(j->f, "\\u%04x", *p);
            else fputc(*p, j->f);
        }
    }
    fputc('"', j->f);
}

/* Comma, newline and indentation before an item, then its key if any. */
static void item(js *j, const char *key)
{
    if (j->depth > 0) {
        if (j->count[j->depth]++) fputc(',', j->f);
        fputc('\n', j->f);
        for (int i = 0; i < j->depth; i++) fputs("  ", j->f);
    }
    if (key && j->depth > 0) {
        put_str(j, key);
        fputs(": ", j->f);
    }
}

static void open_(js *j, const char *key, char c)
{
    item(j, key);
    fputc(c, j->f);
    if (j->depth + 1 < JS_DEPTH) j->count[++j->depth] = 0;
    else j->err = 1;
}

static void close_(js *j, char c)
{
    int had = j->count[j->depth];
    if (j->depth > 0) j->depth--;
    if (had) {
        fputc('\n', j->f);
        for (int i = 0; i < j->depth; i++) fputs("  ", j->f);
    }
    fputc(c, j->f);
}

void js_obj_begin(js *j, const char *key) { open_(j, key, '{'); }
void js_obj_end(js *j) { close_(j, '}'); }
void js_arr_begin(js *j, const char *key) { open_(j, key, '['); }
void js_arr_end(js *j) { close_(j, ']'); }

void js_str(js *j, const char *key, const char *v)
{
    item(j, key);
    if (v) put_str(j, v);
    else fputs("null", j->f);
}

void js_num(js *j, const char *key, double v)
{
    item(j, key);
    if (!isfinite(v)) {
        fputs("null", j->f);
        return;
    }
    char buf[40];
    if (v == nearbyint(v) && fabs(v) < 1e15) { /* integers as integers, not "1e+01" */
        fprintf(j->f, "%.0f", v);
        return;
    }
    for (int prec = 1; prec <= 17; prec++) {
        snprintf(buf, sizeof buf, "%.*g", prec, v);
        if (strtod(buf, NULL) == v) break;
    }
    fputs(buf, j->f);
}

void js_u64(js *j, const char *key, uint64_t v)
{
    item(j, key);
    fprintf(j->f, "%" PRIu64, v);
}

void js_i64(js *j, const char *key, int64_t v)
{
    item(j, key);
    fprintf(j->f, "%" PRId64, v);
}

void js_bool(js *j, const char *key, int v)
{
    item(j, key);
    fputs(v ? "true" : "false", j->f);
}

void js_null(js *j, const char *key)
{
    item(j, key);
    fputs("null", j->f);
}

static void js_release(js *j)
{
    free(j->path);
    free(j->tmp);
    free(j);
}

int js_close(js *j)
{
    if (!j) return -1;
    int rc = j->err || j->depth != 0 ? -1 : 0;
    if (!j->own) {
        fflush(j->f);
        js_release(j);
        return rc;
    }
    fputc('\n', j->f);
    if (fflush(j->f) != 0 || fsync(fileno(j->f)) != 0 || ferror(j->f)) rc = -1;
    if (fclose(j->f) != 0) rc = -1;
    if (rc == 0 && rename(j->tmp, j->path) != 0) rc = -1;
    if (rc != 0) unlink(j->tmp);
    js_release(j);
    return rc;
}

void js_abort(js *j)
{
    if (!j) return;
    if (j->own) {
        fclose(j->f);
        unlink(j->tmp);
    }
    js_release(j);
}
