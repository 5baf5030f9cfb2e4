/* Memory layouts of caller data (SmartRedis' rules, with Fortran arrays transposed so that
 * Fortran a(i,j) is numpy a[i-1, j-1]):
 *   SRMemLayoutContiguous        one row-major buffer, used as is (no copy on put)
 *   SRMemLayoutNested            T* (1-D), T** (2-D: dims[0] row pointers), T*** ...; rows may
 *                                be separate allocations
 *   SRMemLayoutFortranContiguous one column-major buffer with dims = shape(a); stored transposed
 *                                to row-major with the same dims
 *   SRMemLayoutFortranNested     not supported */
#define _POSIX_C_SOURCE 200809L

#include <stdlib.h>
#include <string.h>

#include "data_internal.h"

/* Column-major index c = i0 + d0 * (m_cols + dm * l) and row-major index r = (i0 * dm + m_rows) * dl + l,
 * where i0 runs along dims[0], l along the last dimension and m over the ones between (dm of them,
 * m_cols and m_rows their column- and row-major ranks): for each m, a d0 x dl transposition done
 * in tiles so that reads and writes both stay in cache. */
#define TILE_LOOP(size)                                                                                      \
    for (size_t i = a; i < a_end; i++) {                                                                     \
        const size_t c0 = i + d0 * m_cols, r0 = (i * dm + m_rows) * dl, cs = d0 * dm;                      \
        if (to_rows)                                                                                         \
            for (size_t l = b; l < b_end; l++) memcpy(out + (r0 + l) * (size), in + (c0 + cs * l) * (size), (size)); \
        else                                                                                                 \
            for (size_t l = b; l < b_end; l++) memcpy(out + (c0 + cs * l) * (size), in + (r0 + l) * (size), (size)); \
    }

void hsd_transpose(const void* src, void* dst, const size_t* dims, size_t ndim, size_t itemsize, bool to_rows) {
    size_t count = 0, nbytes = 0;
    if (!hsd_count(dims, ndim, itemsize, &count, &nbytes) || count == 0) return;
    if (ndim < 2) {
        memcpy(dst, src, nbytes);
        return;
    }
    enum { TILE = 32 };
    const char* in = src;
    char* out = dst;
    size_t d0 = dims[0], dl = dims[ndim - 1], dm = count / d0 / dl;
    size_t idx[HSD_MAX_NDIM] = {0}, stride[HSD_MAX_NDIM];
    for (size_t k = 1, s = 1; k + 1 < ndim; k++) {
        stride[k] = s; /* column-major stride of middle dimension k */
        s *= dims[k];
    }
    size_t m_cols = 0;
    for (size_t m_rows = 0; m_rows < dm; m_rows++) {
        for (size_t a = 0; a < d0; a += TILE)
            for (size_t b = 0; b < dl; b += TILE) {
                size_t a_end = a + TILE < d0 ? a + TILE : d0, b_end = b + TILE < dl ? b + TILE : dl;
                switch (itemsize) { /* one loop per size, so that each copy is one load and store */
                case 1: TILE_LOOP(1); break;
                case 2: TILE_LOOP(2); break;
                case 4: TILE_LOOP(4); break;
                case 8: TILE_LOOP(8); break;
                case 16: TILE_LOOP(16); break;
                default: TILE_LOOP(itemsize);
                }
            }
        for (size_t k = ndim - 2; k >= 1; k--) { /* the next middle index, in row-major order */
            if (++idx[k] < dims[k]) {
                m_cols += stride[k];
                break;
            }
            m_cols -= (dims[k] - 1) * stride[k];
            idx[k] = 0;
        }
    }
}

/* Whether every pointer of the tree at p (ndim >= 2) is non-NULL. */
static bool tree_ok(const void* p, const size_t* dims, size_t ndim) {
    if (p == NULL) return false;
    if (ndim < 2) return true;
    const void* const* rows = p;
    for (size_t i = 0; i < dims[0]; i++)
        if (!tree_ok(rows[i], dims + 1, ndim - 1)) return false;
    return true;
}

static void tree_read(const void* p, const size_t* dims, size_t ndim, size_t itemsize, char** out) {
    if (ndim == 1) {
        memcpy(*out, p, dims[0] * itemsize);
        *out += dims[0] * itemsize;
        return;
    }
    const void* const* rows = p;
    for (size_t i = 0; i < dims[0]; i++) tree_read(rows[i], dims + 1, ndim - 1, itemsize, out);
}

static void tree_write(void* p, const size_t* dims, size_t ndim, size_t itemsize, const char** in) {
    if (ndim == 1) {
        memcpy(p, *in, dims[0] * itemsize);
        *in += dims[0] * itemsize;
        return;
    }
    void* const* rows = p;
    for (size_t i = 0; i < dims[0]; i++) tree_write(rows[i], dims + 1, ndim - 1, itemsize, in);
}

SRError hsd_gather(const char* what, const char* name, size_t name_len, const void* data, const size_t* dims,
                  size_t ndim, size_t itemsize, size_t nbytes, SRMemoryLayout layout, const void** rows,
                  void** owned) {
    *owned = NULL;
    *rows = data;
    if (layout == SRMemLayoutContiguous || ndim < 2 || nbytes == 0) return SRNoError;
    if (layout == SRMemLayoutNested && !tree_ok(data, dims, ndim))
        return hs_fail(SRParameterError, "%s '%.*s': a row pointer of the nested (SRMemLayoutNested) data is NULL",
                       what, HSD_STR(name, name_len));
    char* buf = malloc(nbytes);
    if (!buf)
        return hs_fail(SRBadAllocError, "%s '%.*s': out of memory for %zu bytes", what, HSD_STR(name, name_len),
                       nbytes);
    if (layout == SRMemLayoutNested) {
        char* at = buf;
        tree_read(data, dims, ndim, itemsize, &at);
    } else {
        hsd_transpose(data, buf, dims, ndim, itemsize, true);
    }
    *rows = buf;
    *owned = buf;
    return SRNoError;
}

static void shape(hsd_sb* s, const size_t* dims, size_t ndim) {
    hsd_sb_str(s, "[");
    for (size_t i = 0; i < ndim; i++) hsd_sb_fmt(s, i ? ", %zu" : "%zu", dims[i]);
    hsd_sb_str(s, "]");
}

SRError hsd_unpack_check(const char* what, const char* key, size_t key_len, const hsd_tinfo* stored,
                        const void* result, const size_t* dims, size_t n_dims, int type, SRMemoryLayout layout) {
    (void)result;
    if (type != stored->type)
        return hs_fail(SRRuntimeError, "%s '%.*s': the tensor is %s, not %s as asked", what, HSD_STR(key, key_len),
                       hsd_dtype_name(stored->type), hsd_dtype_name(type));
    bool ok;
    if (layout == SRMemLayoutNested) {
        ok = n_dims == stored->ndim && (n_dims == 0 || memcmp(dims, stored->dims, n_dims * sizeof(size_t)) == 0);
    } else {
        size_t count = 0, nbytes = 0;
        ok = hsd_count(dims, n_dims, 1, &count, &nbytes) && count == stored->count;
    }
    if (ok) return SRNoError;
    hsd_sb a = {0}, b = {0};
    shape(&a, stored->dims, stored->ndim);
    shape(&b, dims, n_dims);
    SRError e = hs_fail(SRRuntimeError,
                        "%s '%.*s': the tensor has dims %s (%zu elements) but the result buffer has dims %s (%s)",
                        what, HSD_STR(key, key_len), a.p ? a.p : "?", stored->count, b.p ? b.p : "?",
                        layout == SRMemLayoutNested ? "a nested buffer needs the same dims"
                                                    : "a contiguous buffer needs the same number of elements");
    hsd_sb_free(&a);
    hsd_sb_free(&b);
    return e;
}

bool hsd_scatter(const void* src, const hsd_tinfo* stored, const size_t* dims, size_t n_dims, SRMemoryLayout layout,
                void* dest) {
    if (stored->nbytes == 0) return true;
    if (layout == SRMemLayoutNested && stored->ndim >= 2) {
        if (!tree_ok(dest, stored->dims, stored->ndim)) return false;
        const char* at = src;
        tree_write(dest, stored->dims, stored->ndim, stored->itemsize, &at);
    } else if (layout == SRMemLayoutFortranContiguous && n_dims >= 2) {
        hsd_transpose(src, dest, dims, n_dims, stored->itemsize, false);
    } else {
        memcpy(dest, src, stored->nbytes);
    }
    return true;
}

SRError hsd_present(const char* what, void* buf, const hsd_tinfo* stored, SRMemoryLayout layout, void** result,
                   void** extra) {
    *result = buf;
    *extra = NULL;
    size_t n = stored->ndim;
    if (layout == SRMemLayoutContiguous || n < 2) return SRNoError;
    if (layout == SRMemLayoutFortranContiguous) {
        void* out = malloc(stored->nbytes ? stored->nbytes : 1);
        if (!out) return hs_fail(SRBadAllocError, "%s: out of memory for %zu bytes", what, stored->nbytes);
        hsd_transpose(buf, out, stored->dims, n, stored->itemsize, false);
        *result = *extra = out;
        return SRNoError;
    }
    /* Nested: levels 0 .. n-2 of pointers, one array after the other, over buf */
    size_t total = 0, level = 1;
    for (size_t k = 0; k + 1 < n; k++) {
        if (stored->dims[k] && level > SIZE_MAX / stored->dims[k]) goto oom;
        level *= stored->dims[k];
        if (total > SIZE_MAX / sizeof(void*) - level - 1) goto oom;
        total += level;
    }
    void** ptrs = malloc((total ? total : 1) * sizeof(void*));
    if (!ptrs) goto oom;
    size_t start = 0, width = stored->dims[0];
    for (size_t k = 0; k + 1 < n; k++) {
        size_t next = start + width, inner = stored->dims[k + 1];
        for (size_t i = 0; i < width; i++) {
            if (k + 2 < n) ptrs[start + i] = &ptrs[next + i * inner];
            else ptrs[start + i] = (char*)buf + i * inner * stored->itemsize;
        }
        start = next;
        width *= inner;
    }
    *result = *extra = ptrs;
    return SRNoError;
oom:
    return hs_fail(SRBadAllocError, "%s: out of memory for the row pointers of a nested tensor", what);
}
