/* sim/scenario/scn_md.c: documentation and location helpers of the scenario loader:
 * the Markdown table of a schema (scenarios/README.md is generated from it) and the
 * file:line:column of a key path in a scenario text (so errors found after loading, such as
 * an unknown class name, can still point into the file). Invariant: both only read. */
#include <libfyaml.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sim/scenario/scn.h"
#include "sim/scenario/scn_int.h"

static const char *type_name(scn_type t)
{
    static const char *const names[] = {
        [SCN_BOOL] = "bool", [SCN_INT] = "integer", [SCN_UINT] = "unsigned", [SCN_U32] = "unsigned",
        [SCN_FLOAT] = "number", [SCN_PROB] = "probability", [SCN_STR] = "string", [SCN_ENUM] = "enum",
        [SCN_DURATION] = "duration", [SCN_SIZE] = "size", [SCN_RATE] = "rate", [SCN_MAP] = "section",
        [SCN_SEQ] = "list of sections", [SCN_DICT] = "named sections", [SCN_LIST_U32] = "list of ids",
        [SCN_LIST_STR] = "list of strings", [SCN_NODES] = "list of nodes",
    };
    return names[t];
}

void scn_format_quantity(scn_type t, double v, char *buf, size_t len)
{
    static const struct { const char *u; double f; } dur[] = {
        {"h", 3600e9}, {"min", 60e9}, {"s", 1e9}, {"ms", 1e6}, {"us", 1e3}, {"ns", 1}};
    static const struct { const char *u; double f; } rate[] = {
        {"Tbps", 1e12}, {"Gbps", 1e9}, {"Mbps", 1e6}, {"kbps", 1e3}, {"bps", 1}};
    if (t == SCN_DURATION && v > 0) {
        for (size_t i = 0; i < 6; i++)
            if (fmod(v, dur[i].f) == 0) {
                snprintf(buf, len, "%.15g%s", v / dur[i].f, dur[i].u);
                return;
            }
    }
    if (t == SCN_RATE && v > 0) {
        for (size_t i = 0; i < 5; i++)
            if (fmod(v, rate[i].f) == 0) {
                snprintf(buf, len, "%.15g%s", v / rate[i].f, rate[i].u);
                return;
            }
    }
    snprintf(buf, len, "%.15g%s", v, t == SCN_SIZE ? " B" : "");
}

static void cell_range(const scn_field *f, FILE *out)
{
    if (f->type == SCN_ENUM) {
        for (int i = 0; f->enum_names[i]; i++) fprintf(out, "%s`%s`", i ? ", " : "", f->enum_names[i]);
        return;
    }
    if (!(f->min <= f->max)) return;
    char lo[64], hi[64];
    scn_format_quantity(f->type, f->min, lo, sizeof lo);
    scn_format_quantity(f->type, f->max, hi, sizeof hi);
    fprintf(out, "%s .. %s", lo, hi);
}

static void rows(const scn_schema *s, const char *prefix, FILE *out)
{
    for (const scn_field *f = s->fields; f->key; f++) {
        char path[512];
        snprintf(path, sizeof path, "%s%s%s", prefix, *prefix ? "." : "", f->key);
        fprintf(out, "| `%s` | %s | ", path, type_name(f->type));
        if (f->type >= SCN_MAP) fputs(f->required ? "required" : "—", out);
        else if (f->def) fprintf(out, "`%s`", f->def);
        else fputs("required", out);
        fputs(" | ", out);
        cell_range(f, out);
        fprintf(out, " | %s |\n", f->doc ? f->doc : "");
        char sub[520];
        if (f->type == SCN_MAP) rows(f->sub, path, out);
        if (f->type == SCN_SEQ) snprintf(sub, sizeof sub, "%s[]", path), rows(f->sub, sub, out);
        if (f->type == SCN_DICT) snprintf(sub, sizeof sub, "%s.<name>", path), rows(f->sub, sub, out);
    }
}

void scn_schema_markdown(const scn_schema *schema, FILE *f)
{
    fputs("| key | type | default | range | meaning |\n|---|---|---|---|---|\n", f);
    rows(schema, "", f);
}

/* Walk one dotted path from the root; numeric parts index sequences. */
static struct fy_node *walk(struct fy_node *n, const char *path)
{
    char buf[512];
    snprintf(buf, sizeof buf, "%s", path);
    for (char *save = NULL, *part = strtok_r(buf, ".", &save); n && part; part = strtok_r(NULL, ".", &save)) {
        if (fy_node_get_type(n) == FYNT_SEQUENCE) {
            char *end;
            long i = strtol(part, &end, 10);
            n = *end ? NULL : fy_node_sequence_get_by_index(n, (int)i);
        } else if (fy_node_get_type(n) == FYNT_MAPPING) {
            n = fy_node_mapping_lookup_by_string(n, part, FY_NT);
        } else {
            n = NULL;
        }
    }
    return n;
}

int scn_locate(const scn_doc *doc, const char *path, int *line, int *col)
{
    struct fy_parse_cfg cfg = {0};
    cfg.flags = FYPCF_QUIET;
    struct fy_document *d = doc && doc->text ? fy_document_build_from_string(&cfg, doc->text, doc->len) : NULL;
    struct fy_node *n = d ? walk(fy_document_root(d), path) : NULL;
    const struct fy_mark *m = scn_node_mark(n);
    if (m) *line = m->line + 1, *col = m->column + 1;
    if (d) fy_document_destroy(d);
    return m ? 0 : -1;
}

/* libfyaml 0.7 exposes marks only on tokens: a scalar's own token, or for a collection the
 * first scalar inside it (the start of a block mapping's first key). */
const struct fy_mark *scn_node_mark(struct fy_node *n)
{
    for (int depth = 0; n && depth < 64; depth++) {
        void *it = NULL;
        switch (fy_node_get_type(n)) {
        case FYNT_SCALAR: {
            struct fy_token *t = fy_node_get_scalar_token(n);
            return t ? fy_token_start_mark(t) : NULL;
        }
        case FYNT_MAPPING: {
            struct fy_node_pair *p = fy_node_mapping_iterate(n, &it);
            n = p ? fy_node_pair_key(p) : NULL;
            break;
        }
        default:
            n = fy_node_sequence_iterate(n, &it);
            break;
        }
    }
    return NULL;
}
