/* sim/scenario/scn.h: strict, schema-driven loading of YAML scenario files (libfyaml).
 *
 * A schema is a static table of fields (scn_field) describing a C struct: each field names
 * a YAML key, its type, its default (as text, parsed like YAML input; NULL = required), its
 * range, and where it lands in the struct (offsetof). scn_load() parses a file, applies
 * command-line overrides ("-p key.path=value"), fills the struct, and on any error returns a
 * negative code and a message naming file:line:column, the key path and what was expected:
 * unknown keys, wrong types, out-of-range values, missing required keys, bad units, bad
 * overrides. Nothing is half-filled on error (the struct is freed with scn_free()).
 *
 * Units: durations "10s", "250ms", "1.5us", "20ns", "2min", "1h" -> cp_time (ns, uint64);
 * sizes "1MB" (10^6), "1MiB" (2^20), "512B", "4KiB", "2GB" -> uint64 bytes;
 * rates "10Mbps", "1Gbps", "250kbps", "100bps" -> uint64 bits/s.
 * A bare number is accepted for duration only when the field's unit is explicit ("0" is fine).
 *
 * Ownership: strings, arrays and dict arrays in the filled struct are heap memory owned by the
 * struct and released by scn_free(schema, struct). The scn_doc keeps the source text (for the
 * results file) and is freed with scn_doc_free().
 *
 * Must not touch: anything outside sim/scenario; no global state (one libfyaml document per
 * load, errors go into the caller's buffer). */
#ifndef SCN_H
#define SCN_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

typedef enum scn_type {
    SCN_BOOL,     /* bool (C: _Bool / bool) */
    SCN_INT,      /* int64_t */
    SCN_UINT,     /* uint64_t */
    SCN_U32,      /* uint32_t */
    SCN_FLOAT,    /* double */
    SCN_PROB,     /* double in [0,1]; also accepts "5%" */
    SCN_STR,      /* char * (heap, owned) */
    SCN_ENUM,     /* int: index into enum_names */
    SCN_DURATION, /* uint64_t nanoseconds */
    SCN_SIZE,     /* uint64_t bytes */
    SCN_RATE,     /* uint64_t bits per second; 0 means unlimited where the doc says so */
    SCN_MAP,      /* a nested struct at offset, described by sub */
    SCN_SEQ,      /* sequence of structs described by sub: void *array at offset,
                     size_t count at count_offset; elements of sub->size bytes */
    SCN_DICT,     /* mapping with free keys whose values are described by sub; stored like
                     SCN_SEQ, each element begins with a `char *name` (the key) */
    SCN_LIST_U32, /* sequence of unsigned ints or ranges "a-b" (inclusive) or a scalar;
                     uint32_t *array at offset, size_t count at count_offset */
    SCN_LIST_STR, /* sequence of strings; char **array at offset, count at count_offset */
    SCN_NODES,    /* a list of nodes, stored like SCN_LIST_U32: node ids, ranges "a-b", and
                     references to the groups the schema's finish hook declares (scn_check_groups):
                     "validators" (the whole group), "proposers.5", "gateways.0-3" */
} scn_type;

typedef struct scn_schema scn_schema;

/* While a finish hook runs: the loaded document, for checks across fields (see scn_schema). */
typedef struct scn_check scn_check;
#define SCN_MAX_ERRORS 20 /* errors reported at once, one per line */

typedef struct scn_field {
    const char *key;          /* YAML key */
    scn_type type;
    size_t offset;            /* offsetof(struct, member) */
    const char *def;          /* default as YAML text; NULL = required (MAP/SEQ/DICT: NULL =
                                 optional and empty/defaults unless `required` is set) */
    double min, max;          /* inclusive range for numbers (after units); min>max = none */
    const char *const *enum_names; /* SCN_ENUM: NULL-terminated */
    const scn_schema *sub;    /* SCN_MAP / SCN_SEQ / SCN_DICT */
    size_t count_offset;      /* SCN_SEQ / SCN_DICT / SCN_LIST_*: where the count goes */
    int required;             /* for MAP/SEQ/DICT/LIST: must be present */
    const char *doc;          /* one line for scenarios/README.md and `cpsim schema` */
} scn_field;

struct scn_schema {
    const char *name;         /* for messages: "scenario", "network", ... */
    size_t size;              /* sizeof the struct */
    const scn_field *fields;  /* terminated by a field with key == NULL */
    /* Top level only, may be NULL: called once the struct is filled without error; checks
     * across fields, fills values derived from others, declares the node groups for SCN_NODES
     * references. Its errors (scn_check_error) make the load fail. */
    void (*finish)(void *obj, scn_check *k);
};

/* A node group as SCN_NODES references see it: nodes first .. first+count-1. */
typedef struct scn_group {
    const char *name;         /* borrowed: must live until scn_load returns */
    uint64_t first, count;
} scn_group;

/* For finish hooks. given: the value or section at the dotted path is in the file or set by
 * an override. error: a located error about it (an override names itself; a path not in the
 * file points at the top). line: its line in the file, 0 if not there. groups: copied. */
int scn_check_given(scn_check *k, const char *path);
void scn_check_error(scn_check *k, const char *path, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
int scn_check_line(scn_check *k, const char *path);
const char *scn_check_file(const scn_check *k);
int scn_check_groups(scn_check *k, const scn_group *g, size_t n);

/* One override given on the command line: "-p network.loss=0.01". Paths use dots; sequence
 * elements are addressed by index ("nodes.0.count") or, when they have a `name` key, by that
 * name ("nodes.validators.count"); dict entries by key ("classes.sensor.cpu");
 * a list or a whole sequence of mappings takes a YAML flow value ("consensus.offline=[1,3]",
 * "network.changes=[{at: 5s, until: 9s, partition: [0,1]}]") that replaces the file's. */
typedef struct scn_override {
    const char *path;
    const char *value;
} scn_override;

typedef struct scn_doc {
    char *path;   /* file name as given */
    char *text;   /* the whole file text */
    size_t len;
} scn_doc;

enum {
    SCN_OK = 0,
    SCN_EIO = -1,       /* cannot read the file */
    SCN_ESYNTAX = -2,   /* YAML syntax error */
    SCN_ESCHEMA = -3,   /* unknown key, wrong type, range, missing key, bad unit */
    SCN_EOVERRIDE = -4, /* a -p override names no field or has a bad value */
};

/* Parse `path` against `schema` into `out` (sizeof = schema->size, zeroed by the caller).
 * On error: returns < 0 and writes up to SCN_MAX_ERRORS lines (newline-separated, no trailing
 * newline) into err[errlen], each of the form "FILE:LINE:COL: error: KEY.PATH: expected ...,
 * got ..." (or "-p KEY=VALUE: error: ..." for an override). doc_out (may be NULL) receives the
 * source text for the results file. */
int scn_load(const char *path, const scn_schema *schema, void *out,
             const scn_override *ovr, size_t n_ovr, scn_doc *doc_out, char *err, size_t errlen);

/* Same from a string (name is used in messages). */
int scn_load_string(const char *name, const char *text, size_t len, const scn_schema *schema,
                    void *out, const scn_override *ovr, size_t n_ovr, char *err, size_t errlen);

void scn_free(const scn_schema *schema, void *obj);
void scn_doc_free(scn_doc *doc);

/* Unit parsers, shared with the CLI. 0 on success, -1 on a malformed value. */
int scn_parse_duration(const char *s, uint64_t *ns);
int scn_parse_size(const char *s, uint64_t *bytes);
int scn_parse_rate(const char *s, uint64_t *bps);

/* Line and column (1-based) of the value at a dotted key path ("nodes.1.class") in a loaded
 * scenario text; 0, or -1 if the path is not in the file. */
int scn_locate(const scn_doc *doc, const char *path, int *line, int *col);

/* The name among names[0..n) a person most likely meant by word[0..wlen) (a small edit
 * distance away), or NULL if none is near; word itself is never suggested. */
const char *scn_nearest(const char *word, size_t wlen, const char *const *names, size_t n);

/* Write the schema as a Markdown table (key path, type, default, range, doc) to f. */
void scn_schema_markdown(const scn_schema *schema, FILE *f);

#endif
