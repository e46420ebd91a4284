/* sim/metrics/h5w.c: deterministic HDF5 writer (contract in h5w.h).
 *
 * Determinism: object modification/creation times are off on every group and dataset we
 * create (and the root group's creation list at file creation), the file format bounds are
 * fixed, datasets are contiguous, strings are variable-length UTF-8, and everything is written
 * in call order. Atomicity: the file lives at PATH.tmp until h5w_commit closes it, fsyncs it and
 * renames it. HDF5's automatic error printing is switched off while a writer is open and the
 * previous handler is restored when it closes. */
#include "sim/metrics/h5w.h"

#include <fcntl.h>
#include <hdf5.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

struct h5w {
    hid_t file, gcpl, dcpl;
    char *path, *tmp;
    H5E_auto2_t old_func;
    void *old_data;
};

static hid_t native(h5w_type t)
{
    switch (t) {
    case H5W_U8: return H5T_NATIVE_UINT8;
    case H5W_U16: return H5T_NATIVE_UINT16;
    case H5W_U32: return H5T_NATIVE_UINT32;
    case H5W_U64: return H5T_NATIVE_UINT64;
    case H5W_I64: return H5T_NATIVE_INT64;
    default: return H5T_NATIVE_DOUBLE;
    }
}

static size_t type_size(h5w_type t)
{
    static const size_t sz[] = {1, 2, 4, 8, 8, 8};
    return sz[t];
}

static void restore_errors(h5w *w) { H5Eset_auto2(H5E_DEFAULT, w->old_func, w->old_data); }

static void h5w_release(h5w *w)
{
    if (w->gcpl >= 0) H5Pclose(w->gcpl);
    if (w->dcpl >= 0) H5Pclose(w->dcpl);
    restore_errors(w);
    free(w->path);
    free(w->tmp);
    free(w);
}

static hid_t create_file(const char *tmp)
{
    hid_t fcpl = H5Pcreate(H5P_FILE_CREATE), fapl = H5Pcreate(H5P_FILE_ACCESS);
    hid_t f = -1;
    if (fcpl >= 0 && fapl >= 0 && H5Pset_obj_track_times(fcpl, 0) >= 0 &&
        H5Pset_libver_bounds(fapl, H5F_LIBVER_V18, H5F_LIBVER_V18) >= 0)
        f = H5Fcreate(tmp, H5F_ACC_TRUNC, fcpl, fapl);
    if (fcpl >= 0) H5Pclose(fcpl);
    if (fapl >= 0) H5Pclose(fapl);
    return f;
}

h5w *h5w_open(const char *path, char *err, size_t errlen)
{
    h5w *w = calloc(1, sizeof *w);
    if (!w) return NULL;
    w->gcpl = w->dcpl = -1;
    H5Eget_auto2(H5E_DEFAULT, &w->old_func, &w->old_data);
    H5Eset_auto2(H5E_DEFAULT, NULL, NULL);
    size_t len = strlen(path);
    w->path = strdup(path);
    w->tmp = malloc(len + 5);
    if (w->tmp) memcpy(w->tmp, path, len), memcpy(w->tmp + len, ".tmp", 5);
    w->gcpl = H5Pcreate(H5P_GROUP_CREATE);
    w->dcpl = H5Pcreate(H5P_DATASET_CREATE);
    if (!w->path || !w->tmp || w->gcpl < 0 || w->dcpl < 0 || H5Pset_obj_track_times(w->gcpl, 0) < 0 ||
        H5Pset_obj_track_times(w->dcpl, 0) < 0 || (w->file = create_file(w->tmp)) < 0) {
        snprintf(err, errlen, "%s: cannot create the HDF5 file", w->tmp ? w->tmp : path);
        h5w_release(w);
        return NULL;
    }
    return w;
}

/* Create every missing group on the way to the parent of `path`. */
static int make_parents(h5w *w, const char *path)
{
    char buf[1024];
    if (strlen(path) >= sizeof buf) return -1;
    strcpy(buf, path);
    for (char *p = buf + 1; *p; p++) {
        if (*p != '/') continue;
        *p = 0;
        if (H5Lexists(w->file, buf, H5P_DEFAULT) <= 0 && h5w_group(w, buf) != 0) return -1;
        *p = '/';
    }
    return 0;
}

int h5w_group(h5w *w, const char *path)
{
    if (H5Lexists(w->file, path, H5P_DEFAULT) > 0) return 0;
    if (make_parents(w, path) != 0) return -1;
    hid_t g = H5Gcreate2(w->file, path, H5P_DEFAULT, w->gcpl, H5P_DEFAULT);
    if (g < 0) return -1;
    H5Gclose(g);
    return 0;
}

static int write_dataset(h5w *w, const char *path, hid_t ftype, hid_t mtype, int rank,
                         const hsize_t *dims, const void *data)
{
    if (make_parents(w, path) != 0) return -1;
    hid_t sp = H5Screate_simple(rank, dims, NULL);
    if (sp < 0) return -1;
    hid_t d = H5Dcreate2(w->file, path, ftype, sp, H5P_DEFAULT, w->dcpl, H5P_DEFAULT);
    int rc = d >= 0 ? 0 : -1;
    hsize_t total = 1;
    for (int i = 0; i < rank; i++) total *= dims[i];
    if (rc == 0 && total > 0 && H5Dwrite(d, mtype, H5S_ALL, H5S_ALL, H5P_DEFAULT, data) < 0) rc = -1;
    if (d >= 0) H5Dclose(d);
    H5Sclose(sp);
    return rc;
}

int h5w_dataset(h5w *w, const char *path, h5w_type t, int rank, const uint64_t *dims, const void *data)
{
    hsize_t hd[8];
    if (rank < 1 || rank > 8) return -1;
    for (int i = 0; i < rank; i++) hd[i] = dims[i];
    return write_dataset(w, path, native(t), native(t), rank, hd, data);
}

int h5w_table(h5w *w, const char *path, size_t nrows, const h5w_col *cols, size_t ncols)
{
    size_t row = 0;
    for (size_t c = 0; c < ncols; c++) row += type_size(cols[c].type);
    hid_t ct = H5Tcreate(H5T_COMPOUND, row ? row : 1);
    uint8_t *buf = malloc(nrows * row > 0 ? nrows * row : 1);
    int rc = ct >= 0 && buf ? 0 : -1;
    size_t off = 0;
    for (size_t c = 0; rc == 0 && c < ncols; c++) {
        size_t sz = type_size(cols[c].type);
        if (H5Tinsert(ct, cols[c].name, off, native(cols[c].type)) < 0) rc = -1;
        const uint8_t *src = cols[c].data;
        for (size_t r = 0; src && r < nrows; r++) memcpy(buf + r * row + off, src + r * sz, sz);
        off += sz;
    }
    hsize_t dims[1] = {nrows};
    if (rc == 0) rc = write_dataset(w, path, ct, ct, 1, dims, buf);
    if (ct >= 0) H5Tclose(ct);
    free(buf);
    return rc;
}

static int write_attr(h5w *w, const char *obj, const char *name, hid_t type, const void *v)
{
    if (strcmp(obj, "/") != 0 && H5Lexists(w->file, obj, H5P_DEFAULT) <= 0 && h5w_group(w, obj) != 0)
        return -1;
    hid_t sp = H5Screate(H5S_SCALAR);
    hid_t a = H5Acreate_by_name(w->file, obj, name, type, sp, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
    int rc = a >= 0 && H5Awrite(a, type, v) >= 0 ? 0 : -1;
    if (a >= 0) H5Aclose(a);
    H5Sclose(sp);
    return rc;
}

int h5w_attr_str(h5w *w, const char *obj, const char *name, const char *value)
{
    hid_t t = H5Tcopy(H5T_C_S1);
    if (t < 0) return -1;
    int rc = H5Tset_size(t, H5T_VARIABLE) >= 0 && H5Tset_cset(t, H5T_CSET_UTF8) >= 0
                 ? write_attr(w, obj, name, t, &value)
                 : -1;
    H5Tclose(t);
    return rc;
}

int h5w_attr_u64(h5w *w, const char *obj, const char *name, uint64_t v)
{
    return write_attr(w, obj, name, H5T_NATIVE_UINT64, &v);
}

int h5w_attr_f64(h5w *w, const char *obj, const char *name, double v)
{
    return write_attr(w, obj, name, H5T_NATIVE_DOUBLE, &v);
}

static int fsync_path(const char *path)
{
    int fd = open(path, O_RDONLY);
    if (fd < 0) return -1;
    int rc = fsync(fd);
    close(fd);
    return rc;
}

int h5w_commit(h5w *w)
{
    int rc = H5Fclose(w->file) >= 0 ? 0 : -1;
    if (rc == 0) rc = fsync_path(w->tmp);
    if (rc == 0) rc = rename(w->tmp, w->path);
    if (rc != 0) unlink(w->tmp);
    h5w_release(w);
    return rc;
}

void h5w_abort(h5w *w)
{
    if (!w) return;
    H5Fclose(w->file);
    unlink(w->tmp);
    h5w_release(w);
}
