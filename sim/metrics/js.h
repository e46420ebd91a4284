/* sim/metrics/js.h: a small streaming JSON writer for summary.json and bench output.
 *
 * Emits pretty-printed, deterministic JSON (keys in call order, doubles with "%.17g" trimmed to
 * the shortest form that round-trips, NaN/Inf as null, strings escaped per RFC 8259).
 * The caller nests objects and arrays; the writer inserts commas and indentation.
 * Ownership: js_open_file writes to PATH.tmp and js_close renames it to PATH (atomic);
 * js_open_stream writes to a caller-owned FILE (not closed).
 * Must not touch: anything outside sim/metrics. */
#ifndef JS_H
#define JS_H

#include <stdint.h>
#include <stdio.h>

typedef struct js js;

js *js_open_file(const char *path);  /* NULL on error (errno set) */
js *js_open_stream(FILE *f);
void js_obj_begin(js *j, const char *key);   /* key NULL inside arrays / at top level */
void js_obj_end(js *j);
void js_arr_begin(js *j, const char *key);
void js_arr_end(js *j);
void js_str(js *j, const char *key, const char *v);
void js_num(js *j, const char *key, double v);
void js_u64(js *j, const char *key, uint64_t v);
void js_i64(js *j, const char *key, int64_t v);
void js_bool(js *j, const char *key, int v);
void js_null(js *j, const char *key);
int js_close(js *j);   /* 0 on success; file mode: fsync + rename; frees j */
void js_abort(js *j);  /* file mode: remove PATH.tmp; frees j */

#endif
