/* sim/metrics/h5w.h: deterministic HDF5 results writer (run.h5).
 *
 * Writes groups, numeric datasets (any rank up to 8, contiguous, uncompressed),
 * compound "tables" (columns of equal length), and string (variable-length UTF-8) / numeric attributes, with every
 * HDF5 object timestamp turned off and the file's free-space and metadata settings fixed, so
 * the same calls produce a byte-identical file. The file is written to "PATH.tmp" and renamed
 * to PATH by h5w_commit(); h5w_abort() removes the temporary file. A killed run therefore
 * never leaves a half-written PATH.
 *
 * Paths are absolute HDF5 paths ("/flood/arrival_ns"); missing parent groups are created.
 * Ownership: the writer copies everything it is given; the caller keeps its buffers.
 * Must not touch: anything outside sim/metrics; no global state beyond what libhdf5 keeps. */
#ifndef H5W_H
#define H5W_H

#include <stddef.h>
#include <stdint.h>

typedef struct h5w h5w;

typedef enum h5w_type { H5W_U8, H5W_U16, H5W_U32, H5W_U64, H5W_I64, H5W_F64 } h5w_type;

typedef struct h5w_col {
    const char *name;
    h5w_type type;
    const void *data; /* n elements of type */
} h5w_col;

h5w *h5w_open(const char *path, char *err, size_t errlen);   /* NULL on error */
int h5w_group(h5w *w, const char *path);
int h5w_dataset(h5w *w, const char *path, h5w_type t, int rank, const uint64_t *dims,
                const void *data);
int h5w_table(h5w *w, const char *path, size_t nrows, const h5w_col *cols, size_t ncols);
int h5w_attr_str(h5w *w, const char *obj_path, const char *name, const char *value);
int h5w_attr_u64(h5w *w, const char *obj_path, const char *name, uint64_t value);
int h5w_attr_f64(h5w *w, const char *obj_path, const char *name, double value);
int h5w_commit(h5w *w);  /* close, fsync, rename PATH.tmp -> PATH; frees w */
void h5w_abort(h5w *w);  /* close and remove PATH.tmp; frees w */

#endif
