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

/* ---- column-major (Fortran) arrays in row-major blocks ----------------------------------------
 * The wire holds a tensor row-major. A column-major array is rearranged in boxes, each a run of
 * consecutive row-major elements: indices of the dims before `depth` fixed, `step` indices (or
 * fewer, at the end) of dims[depth], the dims after it whole. `depth` is the smallest that keeps
 * a box within max_bytes, so a put or unpack streams the array through one block of memory
 * instead of a whole transposed copy; with no limit the one box is the whole array. */

void hsd_blocks_plan(hsd_blocks* b, const size_t* dims, size_t ndim, size_t itemsize, size_t max_bytes) {
    b->ndim = ndim;
    b->itemsize = itemsize;
    for (size_t k = 0, s = 1; k < ndim; k++) {
        b->dims[k] = dims[k];
        b->strides[k] = s; /* column-major stride of dims[k], in elements */
        s *= dims[k];      /* no overflow: the caller checked the element count */
    }
    size_t max_elems = max_bytes / itemsize ? max_bytes / itemsize : 1, inner = 1, depth = ndim - 1;
    while (depth > 0 && dims[depth] <= max_elems / inner) inner *= dims[depth--];
    b->depth = depth;
    b->inner = inner;
    b->step = dims[depth] < max_elems / inner ? dims[depth] : max_elems / inner;
    b->box_max = b->step * inner * itemsize;
}

/* The box that starts at row-major byte `offset`: its column-major start and its dims[depth] count. */
static size_t box_at(const hsd_blocks* b, size_t offset, size_t* base) {
    size_t e = offset / b->itemsize, dj = b->dims[b->depth], span = dj * b->inner;
    size_t prefix = e / span, a = e % span / b->inner;
    *base = a * b->strides[b->depth];
    for (size_t k = b->depth; k-- > 0; prefix /= b->dims[k]) *base += prefix % b->dims[k] * b->strides[k];
    return dj - a < b->step ? dj - a : b->step;
}

size_t hsd_blocks_len(const hsd_blocks* b, size_t offset) {
    size_t base = 0;
    return box_at(b, offset, &base) * b->inner * b->itemsize;
}

/* For each index m of the dims between depth and the last (m_rows in row-major, m_cols in
 * column-major order), the box is an na x dl matrix, row-major index (i * dm + m_rows) * dl + l,
 * column-major base + i * sj + m_cols + l * sl. It is copied in tiles through `tmp`: each side is
 * read or written one contiguous run at a time (a run along l of the row-major side, along i of
 * the column-major side), so that no cache line has to stay in cache while the tile's other runs
 * are touched; power-of-two dims would make those runs evict each other (the runs of a tile are
 * a power of two apart). */
#define TILE_ROWS(size)                                                                                    \
    for (size_t i = i0; i < i1; i++) {                                                                     \
        const size_t r = ((i * dm + m_rows) * dl + l0) * (size), t = (i - i0) * (size);                    \
        if (to_rows)                                                                                       \
            for (size_t l = 0; l < l1 - l0; l++) memcpy(out + r + l * (size), tmp + t + l * TILE * (size), (size)); \
        else                                                                                               \
            for (size_t l = 0; l < l1 - l0; l++) memcpy(tmp + t + l * TILE * (size), in + r + l * (size), (size)); \
    }

/* The column-major side of a tile: for each l, its run along i into (to_rows) or out of tmp. */
#define TILE_COLS(size)                                                                                    \
    for (size_t l = l0; l < l1; l++) {                                                                     \
        size_t c = base + i0 * sj + m_cols + l * sl;                                                       \
        char* t = tmp + (l - l0) * TILE * (size);                                                          \
        if (sj == 1)                                                                                       \
            memcpy(to_rows ? t : out + c * (size), to_rows ? in + c * (size) : t, (i1 - i0) * (size));     \
        else                                                                                               \
            for (size_t i = 0; i < i1 - i0; i++)                                                           \
                memcpy(to_rows ? t + i * (size) : out + (c + i * sj) * (size),                             \
                       to_rows ? in + (c + i * sj) * (size) : t + i * (size), (size));                     \
    }

size_t hsd_blocks_copy(const hsd_blocks* b, size_t offset, const void* src, void* dst, bool to_rows) {
    enum { TILE = 32 };
    size_t base = 0, na = box_at(b, offset, &base), n = b->ndim, j = b->depth, size = b->itemsize;
    const char* in = src;
    char* out = dst;
    if (j + 1 == n) { /* a run along the last dimension: one strided row */
        size_t sj = b->strides[j];
        if (sj == 1) /* the dims before it are all 1 */
            memcpy(to_rows ? out : out + base * size, to_rows ? in + base * size : in, na * size);
        else
            for (size_t i = 0; i < na; i++)
                memcpy(to_rows ? out + i * size : out + (base + i * sj) * size,
                       to_rows ? in + (base + i * sj) * size : in + i * size, size);
        return na * size;
    }
    size_t sj = b->strides[j], dl = b->dims[n - 1], sl = b->strides[n - 1], dm = b->inner / dl, m_cols = 0;
    size_t idx[HSD_MAX_NDIM] = {0};
    char tmp[TILE * TILE * 16]; /* a tile of the largest dtype */
    for (size_t m_rows = 0; m_rows < dm; m_rows++) {
        for (size_t i0 = 0; i0 < na; i0 += TILE)
            for (size_t l0 = 0; l0 < dl; l0 += TILE) {
                size_t i1 = i0 + TILE < na ? i0 + TILE : na, l1 = l0 + TILE < dl ? l0 + TILE : dl;
                if (to_rows) TILE_COLS(size);
                switch (size) { /* one loop per size, so that each copy is one load and store */
                case 1: TILE_ROWS(1); break;
                case 2: TILE_ROWS(2); break;
                case 4: TILE_ROWS(4); break;
                case 8: TILE_ROWS(8); break;
                case 16: TILE_ROWS(16); break;
                default: TILE_ROWS(size);
                }
                if (!to_rows) TILE_COLS(size);
            }
        for (size_t k = n - 2; k > j; k--) { /* the next middle index, in row-major order */
            if (++idx[k] < b->dims[k]) {
                m_cols += b->strides[k];
                break;
            }
            m_cols -= (b->dims[k] - 1) * b->strides[k];
            idx[k] = 0;
        }
    }
    return na * b->inner * size;
}

void hsd_transpose(const void* src, void* dst, const size_t* dims, size_t ndim, size_t itemsize, bool to_rows) {
    size_t count = 0, nbytes = 0;
    if (!hsd_count(dims, ndim, itemsize, &count, &nbytes) || count == 0) return;
    if (ndim < 2) {
        memcpy(dst, src, nbytes);
        return;
    }
    hsd_blocks b;
    hsd_blocks_plan(&b, dims, ndim, itemsize, SIZE_MAX); /* one box */
    hsd_blocks_copy(&b, 0, src, dst, to_rows);
}

/* ---- nested (pointer tree) arrays ------------------------------------------------------------- */

bool hsd_tree_ok(const void* p, const size_t* dims, size_t ndim) {
    if (p == NULL) return false;
    if (ndim < 2) return true;
    const void* const* rows = p;
    for (size_t i = 0; i < dims[0]; i++)
        if (!hsd_tree_ok(rows[i], dims + 1, ndim - 1)) return false;
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

void hsd_tree_put(void* tree, const size_t* dims, size_t ndim, size_t itemsize, size_t offset, const void* src,
                  size_t len) {
    size_t row = dims[ndim - 1] * itemsize, rows = 1;
    for (size_t k = 0; k + 1 < ndim; k++) rows *= dims[k];
    for (const char* in = src; len > 0;) {
        size_t r = offset / row, at = offset % row, n = row - at < len ? row - at : len;
        void* p = tree; /* down the tree to leaf row r: its indices, most significant first */
        for (size_t k = 0, below = rows; k + 1 < ndim; k++) {
            below /= dims[k];
            p = ((void**)p)[r / below];
            r %= below;
        }
        memcpy((char*)p + at, in, n);
        in += n;
        offset += n;
        len -= n;
    }
}

SRError hsd_gather(const char* what, const char* name, size_t name_len, const void* data, const size_t* dims,
                  size_t ndim, size_t itemsize, size_t nbytes, SRMemoryLayout layout, const void** rows,
                  void** owned) {
    *owned = NULL;
    *rows = data;
    if (layout == SRMemLayoutContiguous || ndim < 2 || nbytes == 0) return SRNoError;
    if (layout == SRMemLayoutNested && !hsd_tree_ok(data, dims, ndim))
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
        if (!hsd_tree_ok(dest, stored->dims, stored->ndim)) return false;
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
