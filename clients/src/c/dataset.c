/* The DataSet object (c_dataset.h) and put_dataset/get_dataset/delete_dataset/dataset_exists.
 * A dataset keeps each tensor already encoded (header + elements), so putting it sends those
 * bytes as they are, and each metadata field encoded (type byte + values). */
#define _POSIX_C_SOURCE 200809L

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "c_client.h"
#include "data_internal.h"
#include "hpcsim_client.h"

static const char TENSOR_NAMES[] = ".tensor_names";
static const char COMPLETE[] = ".COMPLETE";

SRError hsd_dataset_check(const void* dataset, const char* what, hsd_dataset** out) {
    if (!dataset) return hs_fail(SRParameterError, "%s: dataset is NULL", what);
    hsd_dataset* d = (hsd_dataset*)dataset;
    if (d->magic != HSD_DATASET_MAGIC) return hs_fail(SRParameterError, "%s: the handle is not a DataSet", what);
    *out = d;
    return SRNoError;
}

hsd_dataset* hsd_dataset_new(const char* name, size_t name_len) {
    hsd_dataset* d = calloc(1, sizeof *d);
    if (!d) return NULL;
    d->magic = HSD_DATASET_MAGIC;
    d->name = hsd_concat(name, name_len, "", 0, &d->name_len);
    if (!d->name) return free(d), NULL;
    return d;
}

static void free_tensor(hsd_dtensor* t) {
    free(t->name);
    free(t->info);
    free(t->value);
}

void hsd_dataset_free(hsd_dataset* d) {
    if (!d) return;
    for (size_t i = 0; i < d->n_tensors; i++) free_tensor(&d->tensors[i]);
    for (size_t i = 0; i < d->n_fields; i++) free(d->fields[i].name), hsd_sb_free(&d->fields[i].value);
    for (size_t i = 0; i < d->n_kept; i++) free(d->kept[i]);
    free(d->tensors);
    free(d->fields);
    free(d->kept);
    free(d->name);
    d->magic = 0;
    free(d);
}

static bool grow(void** items, size_t* cap, size_t n, size_t size) {
    if (n < *cap) return true;
    size_t want = *cap ? *cap * 2 : 4;
    void* p = realloc(*items, want * size);
    if (!p) return false;
    *items = p;
    *cap = want;
    return true;
}

/* Memory handed to the caller, freed with the dataset; false (and freed) when out of memory. */
static bool keep(hsd_dataset* d, void* p) {
    if (!p || !grow((void**)&d->kept, &d->cap_kept, d->n_kept, sizeof(void*))) return free(p), false;
    d->kept[d->n_kept++] = p;
    return true;
}

static hsd_dtensor* find_tensor(hsd_dataset* d, const char* name, size_t len) {
    for (size_t i = 0; i < d->n_tensors; i++)
        if (d->tensors[i].name_len == len && memcmp(d->tensors[i].name, name, len) == 0) return &d->tensors[i];
    return NULL;
}

static hsd_field* find_field(hsd_dataset* d, const char* name, size_t len) {
    for (size_t i = 0; i < d->n_fields; i++)
        if (d->fields[i].name_len == len && memcmp(d->fields[i].name, name, len) == 0) return &d->fields[i];
    return NULL;
}

static SRError no_tensor(hsd_dataset* d, const char* name, size_t len) {
    return hs_fail(SRKeyError, "dataset '%.*s' has no tensor '%.*s'", HSD_STR(d->name, d->name_len), HSD_STR(name, len));
}

static SRError no_field(hsd_dataset* d, const char* name, size_t len) {
    return hs_fail(SRKeyError, "dataset '%.*s' has no metadata field '%.*s'", HSD_STR(d->name, d->name_len),
                   HSD_STR(name, len));
}

SRError hsd_dataset_take_tensor(hsd_dataset* d, const char* name, size_t name_len, char* value, size_t value_len,
                               const hsd_tinfo* info) {
    hsd_dtensor t = {hsd_concat(name, name_len, "", 0, NULL), name_len, malloc(sizeof(hsd_tinfo)), value, value_len};
    hsd_dtensor* old = find_tensor(d, name, name_len);
    if (!t.name || !t.info || (!old && !grow((void**)&d->tensors, &d->cap_tensors, d->n_tensors, sizeof t))) {
        free_tensor(&t);
        return hs_fail(SRBadAllocError, "dataset '%.*s': out of memory for tensor '%.*s'", HSD_STR(d->name, d->name_len),
                       HSD_STR(name, name_len));
    }
    *t.info = *info;
    if (old) free_tensor(old), *old = t;
    else d->tensors[d->n_tensors++] = t;
    return SRNoError;
}

SRError hsd_dataset_take_field(hsd_dataset* d, const char* name, size_t name_len, const char* value, size_t len) {
    hsd_field f = {0};
    SRError e = hsd_meta_check(name, name_len, value, len, &f.count);
    if (e) return e;
    f.type = (unsigned char)value[0];
    f.name = hsd_concat(name, name_len, "", 0, &f.name_len);
    hsd_sb_put(&f.value, value, len);
    if (!f.name || f.value.oom || !grow((void**)&d->fields, &d->cap_fields, d->n_fields, sizeof f)) {
        free(f.name);
        hsd_sb_free(&f.value);
        return hs_fail(SRBadAllocError, "dataset '%.*s': out of memory", HSD_STR(d->name, d->name_len));
    }
    d->fields[d->n_fields++] = f;
    return SRNoError;
}

static SRError check_name(const char* what, const char* name, size_t len) {
    if (!name) return hs_fail(SRParameterError, "%s: name is NULL", what);
    if (len == 0 || memchr(name, '{', len) || memchr(name, '}', len))
        return hs_fail(SRParameterError, "%s: dataset name '%.*s' must be non-empty and contain no braces", what,
                       HSD_STR(name, len));
    return SRNoError;
}

SRError CDataSet(const char* name, size_t name_length, void** new_dataset) {
    SRError e = check_name("CDataSet", name, name_length);
    if (e) return e;
    if (!new_dataset) return hs_fail(SRParameterError, "CDataSet: new_dataset is NULL");
    hsd_dataset* d = hsd_dataset_new(name, name_length);
    if (!d) return hs_fail(SRBadAllocError, "CDataSet '%.*s': out of memory", HSD_STR(name, name_length));
    *new_dataset = d;
    return SRNoError;
}

SRError DeallocateDataSet(void** dataset) {
    if (!dataset) return hs_fail(SRParameterError, "DeallocateDataSet: dataset is NULL");
    hsd_dataset* d = NULL;
    if (*dataset && hsd_dataset_check(*dataset, "DeallocateDataSet", &d)) return SRParameterError;
    hsd_dataset_free(d);
    *dataset = NULL;
    return SRNoError;
}

SRError add_tensor(void* dataset, const char* name, size_t name_length, void* data, const size_t* dims,
                   size_t n_dims, SRTensorType type, SRMemoryLayout mem_layout) {
    hsd_dataset* d = NULL;
    SRError e = hsd_dataset_check(dataset, "add_tensor", &d);
    if (e) return e;
    if (!name) return hs_fail(SRParameterError, "add_tensor: name is NULL");
    if (name_length == 0 || (name_length == 4 && memcmp(name, "meta", 4) == 0))
        return hs_fail(SRParameterError, "add_tensor: tensor name '%.*s' is not allowed in a dataset (empty, or "
                       "clashes with its .meta key)", HSD_STR(name, name_length));
    size_t count = 0, nbytes = 0;
    e = hsd_check_tensor_args("add_tensor", name, name_length, data, dims, n_dims, (int)type, mem_layout, &count, &nbytes);
    if (e) return e;
    uint8_t head[HSD_HEADER_MAX];
    size_t head_len = hsd_tensor_header(head, (int)type, n_dims, dims);
    const void* rows = NULL;
    void* owned = NULL;
    e = hsd_gather("add_tensor", name, name_length, data, dims, n_dims, hsd_dtype_size((int)type), nbytes, mem_layout,
                  &rows, &owned);
    if (e) return e;
    char* value = malloc(head_len + nbytes);
    if (!value) return free(owned), hs_fail(SRBadAllocError, "add_tensor '%.*s': out of memory", HSD_STR(name, name_length));
    memcpy(value, head, head_len);
    if (nbytes) memcpy(value + head_len, rows, nbytes);
    free(owned);
    hsd_tinfo info;
    e = hsd_tensor_decode(name, name_length, value, head_len + nbytes, &info);
    if (e) return free(value), e;
    return hsd_dataset_take_tensor(d, name, name_length, value, head_len + nbytes, &info);
}

static SRError add_meta(const char* what, void* dataset, const char* name, size_t len, int type, const void* data,
                        size_t data_len, bool string) {
    hsd_dataset* d = NULL;
    SRError e = hsd_dataset_check(dataset, what, &d);
    if (e) return e;
    if (!name || !data) return hs_fail(SRParameterError, "%s: %s is NULL", what, !name ? "name" : "data");
    if (len == 0 || (len == sizeof TENSOR_NAMES - 1 && !memcmp(name, TENSOR_NAMES, len)) ||
        (len == sizeof COMPLETE - 1 && !memcmp(name, COMPLETE, len)))
        return hs_fail(SRParameterError, "%s: metadata field name '%.*s' is reserved or empty", what, HSD_STR(name, len));
    hsd_field* f = find_field(d, name, len);
    if (f && f->type != type)
        return hs_fail(SRTypeError, "%s: metadata field '%.*s' holds %s; cannot add %s", what, HSD_STR(name, len),
                       hsd_meta_name(f->type), hsd_meta_name(type));
    if (!f) {
        unsigned char byte = (unsigned char)type;
        e = hsd_dataset_take_field(d, name, len, (const char*)&byte, 1);
        if (e) return e;
        f = &d->fields[d->n_fields - 1];
    }
    size_t before = f->value.n;
    if (string) {
        uint8_t l[8];
        for (int i = 0; i < 8; i++) l[i] = (uint8_t)((uint64_t)data_len >> (8 * i));
        hsd_sb_put(&f->value, l, 8);
    }
    hsd_sb_put(&f->value, data, data_len);
    if (f->value.oom) {
        f->value.oom = false;
        f->value.n = before;
        return hs_fail(SRBadAllocError, "%s '%.*s': out of memory", what, HSD_STR(name, len));
    }
    f->count++;
    return SRNoError;
}

SRError add_meta_scalar(void* dataset, const char* name, size_t name_length, const void* data, SRMetaDataType type) {
    size_t size = hsd_meta_size((int)type);
    if (size == 0)
        return hs_fail(SRTypeError, "add_meta_scalar '%.*s': type %d is not a scalar metadata type (%s)",
                       HSD_STR(name ? name : "", name ? name_length : 0), (int)type,
                       type == SRMetadataTypeString ? "use add_meta_string" : "1-6 are");
    return add_meta("add_meta_scalar", dataset, name, name_length, (int)type, data, size, false);
}

SRError add_meta_string(void* dataset, const char* name, size_t name_length, const char* data, size_t data_length) {
    return add_meta("add_meta_string", dataset, name, name_length, SRMetadataTypeString, data, data_length, true);
}

SRError get_dataset_tensor(void* dataset, const char* name, size_t name_length, void** data, size_t** dims,
                           size_t* n_dims, SRTensorType* type, SRMemoryLayout mem_layout) {
    hsd_dataset* d = NULL;
    SRError e = hsd_dataset_check(dataset, "get_dataset_tensor", &d);
    if (e) return e;
    if (!name || !data || !dims || !n_dims || !type) return hs_fail(SRParameterError, "get_dataset_tensor: NULL argument");
    if (mem_layout == SRMemLayoutFortranNested)
        return hs_fail(SRRuntimeError, "get_dataset_tensor '%.*s': SRMemLayoutFortranNested is not supported",
                       HSD_STR(name, name_length));
    if (mem_layout != SRMemLayoutContiguous && mem_layout != SRMemLayoutNested &&
        mem_layout != SRMemLayoutFortranContiguous)
        return hs_fail(SRParameterError, "get_dataset_tensor '%.*s': invalid memory layout %d", HSD_STR(name, name_length),
                       (int)mem_layout);
    hsd_dtensor* t = find_tensor(d, name, name_length);
    if (!t) return no_tensor(d, name, name_length);
    void *result = NULL, *extra = NULL;
    e = hsd_present("get_dataset_tensor", t->value + t->info->header_len, t->info, mem_layout, &result, &extra);
    if (e) return e;
    size_t* shape = malloc((t->info->ndim ? t->info->ndim : 1) * sizeof(size_t));
    if (shape) memcpy(shape, t->info->dims, t->info->ndim * sizeof(size_t));
    bool ok = extra ? keep(d, extra) : true;
    if (!keep(d, shape) || !ok) return hs_fail(SRBadAllocError, "get_dataset_tensor: out of memory");
    *data = result;
    *dims = shape;
    *n_dims = t->info->ndim;
    *type = (SRTensorType)t->info->type;
    return SRNoError;
}

SRError unpack_dataset_tensor(void* dataset, const char* name, size_t name_length, void* data, const size_t* dims,
                              size_t n_dims, SRTensorType type, SRMemoryLayout mem_layout) {
    static const char* fn = "unpack_dataset_tensor";
    hsd_dataset* d = NULL;
    SRError e = hsd_dataset_check(dataset, fn, &d);
    if (e) return e;
    if (!name) return hs_fail(SRParameterError, "%s: name is NULL", fn);
    size_t count = 0, nbytes = 0;
    e = hsd_check_tensor_args(fn, name, name_length, data, dims, n_dims, (int)type, mem_layout, &count, &nbytes);
    if (e) return e;
    hsd_dtensor* t = find_tensor(d, name, name_length);
    if (!t) return no_tensor(d, name, name_length);
    e = hsd_unpack_check(fn, name, name_length, t->info, data, dims, n_dims, (int)type, mem_layout);
    if (e) return e;
    if (!hsd_scatter(t->value + t->info->header_len, t->info, dims, n_dims, mem_layout, data))
        return hs_fail(SRParameterError, "%s '%.*s': a row pointer of the nested result is NULL", fn,
                       HSD_STR(name, name_length));
    return SRNoError;
}

SRError get_meta_scalars(void* dataset, const char* name, size_t name_length, size_t* length, SRMetaDataType* type,
                         void** scalar_data) {
    hsd_dataset* d = NULL;
    SRError e = hsd_dataset_check(dataset, "get_meta_scalars", &d);
    if (e) return e;
    if (!name || !length || !type || !scalar_data) return hs_fail(SRParameterError, "get_meta_scalars: NULL argument");
    hsd_field* f = find_field(d, name, name_length);
    if (!f) return no_field(d, name, name_length);
    if (f->type == SRMetadataTypeString)
        return hs_fail(SRTypeError, "metadata field '%.*s' holds strings; use get_meta_strings", HSD_STR(name, name_length));
    void* copy = hsd_concat(f->value.p + 1, f->value.n - 1, "", 0, NULL);
    if (!keep(d, copy)) return hs_fail(SRBadAllocError, "get_meta_scalars: out of memory");
    *length = f->count;
    *type = (SRMetaDataType)f->type;
    *scalar_data = copy;
    return SRNoError;
}

/* n strings as one kept block: the char* array, the lengths, then the NUL-terminated text. */
static SRError pack(hsd_dataset* d, size_t n, const char* const* text, const size_t* lens, char*** data,
                    size_t** lengths, size_t* n_strings) {
    *n_strings = n;
    if (n == 0) return (*data = NULL, *lengths = NULL, SRNoError);
    size_t total = n * (sizeof(char*) + sizeof(size_t));
    for (size_t i = 0; i < n; i++) total += lens[i] + 1;
    char* block = malloc(total);
    if (!keep(d, block)) return hs_fail(SRBadAllocError, "dataset '%.*s': out of memory", HSD_STR(d->name, d->name_len));
    char** ptrs = (char**)(void*)block;
    size_t* sizes = (size_t*)(void*)(block + n * sizeof(char*));
    char* at = block + n * (sizeof(char*) + sizeof(size_t));
    for (size_t i = 0; i < n; i++) {
        ptrs[i] = at;
        sizes[i] = lens[i];
        memcpy(at, text[i], lens[i]);
        at[lens[i]] = '\0';
        at += lens[i] + 1;
    }
    *data = ptrs;
    *lengths = sizes;
    return SRNoError;
}

SRError get_meta_strings(void* dataset, const char* name, size_t name_length, char*** data, size_t* n_strings,
                         size_t** lengths) {
    hsd_dataset* d = NULL;
    SRError e = hsd_dataset_check(dataset, "get_meta_strings", &d);
    if (e) return e;
    if (!name || !data || !n_strings || !lengths) return hs_fail(SRParameterError, "get_meta_strings: NULL argument");
    hsd_field* f = find_field(d, name, name_length);
    if (!f) return no_field(d, name, name_length);
    if (f->type != SRMetadataTypeString)
        return hs_fail(SRTypeError, "metadata field '%.*s' holds %s numbers; use get_meta_scalars",
                       HSD_STR(name, name_length), hsd_meta_name(f->type));
    char** strings = NULL;
    size_t *lens = NULL, n = 0;
    e = hsd_decode_strings(name, name_length, f->value.p, f->value.n, &strings, &lens, &n);
    if (e) return e;
    e = pack(d, n, (const char* const*)strings, lens, data, lengths, n_strings);
    for (size_t i = 0; i < n; i++) free(strings[i]);
    free(strings);
    free(lens);
    return e;
}

static SRError names_of(void* dataset, const char* what, bool tensors, char*** data, size_t* n, size_t** lengths) {
    hsd_dataset* d = NULL;
    SRError e = hsd_dataset_check(dataset, what, &d);
    if (e) return e;
    if (!data || !n || !lengths) return hs_fail(SRParameterError, "%s: NULL argument", what);
    size_t count = tensors ? d->n_tensors : d->n_fields;
    const char** text = malloc((count ? count : 1) * sizeof(char*));
    size_t* lens = malloc((count ? count : 1) * sizeof(size_t));
    if (!text || !lens) return free(text), free(lens), hs_fail(SRBadAllocError, "%s: out of memory", what);
    for (size_t i = 0; i < count; i++) {
        text[i] = tensors ? d->tensors[i].name : d->fields[i].name;
        lens[i] = tensors ? d->tensors[i].name_len : d->fields[i].name_len;
    }
    e = pack(d, count, text, lens, data, lengths, n);
    free(text);
    free(lens);
    return e;
}

SRError get_tensor_names(void* dataset, char*** data, size_t* n_strings, size_t** lengths) {
    return names_of(dataset, "get_tensor_names", true, data, n_strings, lengths);
}

SRError get_metadata_field_names(void* dataset, char*** data, size_t* n_strings, size_t** lengths) {
    return names_of(dataset, "get_metadata_field_names", false, data, n_strings, lengths);
}

SRError get_tensor_type(void* dataset, const char* name, size_t name_len, SRTensorType* ttype) {
    hsd_dataset* d = NULL;
    SRError e = hsd_dataset_check(dataset, "get_tensor_type", &d);
    if (e) return e;
    if (!name || !ttype) return hs_fail(SRParameterError, "get_tensor_type: NULL argument");
    hsd_dtensor* t = find_tensor(d, name, name_len);
    if (!t) return no_tensor(d, name, name_len);
    *ttype = (SRTensorType)t->info->type;
    return SRNoError;
}

SRError get_tensor_dims(void* dataset, const char* name, size_t name_len, size_t** dims, size_t* ndims) {
    hsd_dataset* d = NULL;
    SRError e = hsd_dataset_check(dataset, "get_tensor_dims", &d);
    if (e) return e;
    if (!name || !dims || !ndims) return hs_fail(SRParameterError, "get_tensor_dims: NULL argument");
    hsd_dtensor* t = find_tensor(d, name, name_len);
    if (!t) return no_tensor(d, name, name_len);
    if (*ndims < t->info->ndim) {
        size_t room = *ndims;
        *ndims = t->info->ndim;
        return hs_fail(SRBadAllocError, "get_tensor_dims '%.*s': the tensor has %zu dimensions; the buffer holds %zu",
                       HSD_STR(name, name_len), t->info->ndim, room);
    }
    if (t->info->ndim && !*dims) return hs_fail(SRParameterError, "get_tensor_dims: *dims is NULL");
    if (t->info->ndim) memcpy(*dims, t->info->dims, t->info->ndim * sizeof(size_t));
    *ndims = t->info->ndim;
    return SRNoError;
}

SRError get_metadata_field_type(void* dataset, const char* name, size_t name_len, SRMetaDataType* mdtype) {
    hsd_dataset* d = NULL;
    SRError e = hsd_dataset_check(dataset, "get_metadata_field_type", &d);
    if (e) return e;
    if (!name || !mdtype) return hs_fail(SRParameterError, "get_metadata_field_type: NULL argument");
    hsd_field* f = find_field(d, name, name_len);
    if (!f) return no_field(d, name, name_len);
    *mdtype = (SRMetaDataType)f->type;
    return SRNoError;
}

const char* dataset_to_string(void* dataset) {
    static _Thread_local char text[4096];
    hsd_dataset* d = NULL;
    if (hsd_dataset_check(dataset, "dataset_to_string", &d)) return SRGetLastError();
    hsd_sb s = {0};
    hsd_sb_fmt(&s, "DataSet '%.*s': %zu tensor(s)", HSD_STR(d->name, d->name_len), d->n_tensors);
    for (size_t i = 0; i < d->n_tensors; i++) {
        const hsd_tinfo* t = d->tensors[i].info;
        hsd_sb_fmt(&s, "%s%.*s %s [", i ? ", " : " (", HSD_STR(d->tensors[i].name, d->tensors[i].name_len),
                  hsd_dtype_name(t->type));
        for (size_t k = 0; k < t->ndim; k++) hsd_sb_fmt(&s, k ? ", %zu" : "%zu", t->dims[k]);
        hsd_sb_str(&s, i + 1 == d->n_tensors ? "])" : "]");
    }
    hsd_sb_fmt(&s, "; %zu metadata field(s)", d->n_fields);
    for (size_t i = 0; i < d->n_fields; i++)
        hsd_sb_fmt(&s, "%s%.*s %s x %zu%s", i ? ", " : " (", HSD_STR(d->fields[i].name, d->fields[i].name_len),
                  hsd_meta_name(d->fields[i].type), d->fields[i].count, i + 1 == d->n_fields ? ")" : "");
    snprintf(text, sizeof text, "%s", s.p && !s.oom ? s.p : "DataSet (out of memory)");
    hsd_sb_free(&s);
    return text;
}

SRError hpcsim_dataset_clone(const void* dataset, void** copy) {
    hsd_dataset* d = NULL;
    SRError e = hsd_dataset_check(dataset, "hpcsim_dataset_clone", &d);
    if (e) return e;
    if (!copy) return hs_fail(SRParameterError, "hpcsim_dataset_clone: copy is NULL");
    hsd_dataset* out = hsd_dataset_new(d->name, d->name_len);
    for (size_t i = 0; out && !e && i < d->n_tensors; i++) {
        hsd_dtensor* t = &d->tensors[i];
        char* value = hsd_concat(t->value, t->value_len, "", 0, NULL);
        e = value ? hsd_dataset_take_tensor(out, t->name, t->name_len, value, t->value_len, t->info)
                  : hs_fail(SRBadAllocError, "hpcsim_dataset_clone: out of memory");
    }
    for (size_t i = 0; out && !e && i < d->n_fields; i++) {
        hsd_field* f = &d->fields[i];
        e = hsd_dataset_take_field(out, f->name, f->name_len, f->value.p, f->value.n);
    }
    if (!out) e = hs_fail(SRBadAllocError, "hpcsim_dataset_clone: out of memory");
    if (e) return hsd_dataset_free(out), e;
    *copy = out;
    return SRNoError;
}

SRError hpcsim_dataset_get_name(const void* dataset, const char** name, size_t* name_length) {
    hsd_dataset* d = NULL;
    SRError e = hsd_dataset_check(dataset, "hpcsim_dataset_get_name", &d);
    if (e) return e;
    if (!name || !name_length) return hs_fail(SRParameterError, "hpcsim_dataset_get_name: name or name_length is NULL");
    *name = d->name;
    *name_length = d->name_len;
    return SRNoError;
}

const char* hs_dataset_log_context(const void* handle) {
    const hsd_dataset* d = handle;
    return d && d->magic == HSD_DATASET_MAGIC ? d->name : NULL;
}
