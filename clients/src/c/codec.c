/* The wire format (docs/wire-format.md): tensor headers, metadata fields, the worker's JSON;
 * plus the small helpers the data half shares (string builder, keys, time, tokens, polling). */
#define _POSIX_C_SOURCE 200809L

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "data_internal.h"

/* ---- string builder ------------------------------------------------------------------------ */

static bool sb_reserve(hsd_sb* s, size_t more) {
    if (s->oom) return false;
    if (more > SIZE_MAX - s->n - 1) return (s->oom = true, false);
    size_t need = s->n + more + 1;
    if (need <= s->cap) return true;
    size_t cap = s->cap ? s->cap : 64;
    while (cap < need) cap = cap > SIZE_MAX / 2 ? need : cap * 2;
    char* p = realloc(s->p, cap);
    if (!p) return (s->oom = true, false);
    s->p = p;
    s->cap = cap;
    return true;
}

void hsd_sb_put(hsd_sb* s, const void* data, size_t len) {
    if (!sb_reserve(s, len)) return;
    if (len) memcpy(s->p + s->n, data, len);
    s->n += len;
    s->p[s->n] = '\0';
}

void hsd_sb_str(hsd_sb* s, const char* text) { hsd_sb_put(s, text, strlen(text)); }

void hsd_sb_fmt(hsd_sb* s, const char* fmt, ...) {
    char small[256];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(small, sizeof small, fmt, ap);
    va_end(ap);
    if (n < 0) return;
    if ((size_t)n < sizeof small) {
        hsd_sb_put(s, small, (size_t)n);
        return;
    }
    if (!sb_reserve(s, (size_t)n)) return;
    va_start(ap, fmt);
    vsnprintf(s->p + s->n, (size_t)n + 1, fmt, ap);
    va_end(ap);
    s->n += (size_t)n;
}

void hsd_sb_free(hsd_sb* s) {
    free(s->p);
    *s = (hsd_sb){0};
}

const char* hsd_sb_cstr(hsd_sb* s) {
    if (!sb_reserve(s, 0)) return NULL;
    s->p[s->n] = '\0';
    return s->p;
}

/* ---- tensors --------------------------------------------------------------------------------- */

static const struct {
    const char* name;
    size_t size;
} DTYPES[HPCSIM_TENSOR_TYPE_MAX + 1] = {
    {"invalid", 0}, {"float64", 8}, {"float32", 4},   {"int8", 1},   {"int16", 2},
    {"int32", 4},   {"int64", 8},   {"uint8", 1},     {"uint16", 2}, {"bool", 1},
    {"float16", 2}, {"uint32", 4},  {"uint64", 8},    {"complex64", 8}, {"complex128", 16},
};

size_t hsd_dtype_size(int type) { return type > 0 && type <= HPCSIM_TENSOR_TYPE_MAX ? DTYPES[type].size : 0; }

const char* hsd_dtype_name(int type) {
    return type > 0 && type <= HPCSIM_TENSOR_TYPE_MAX ? DTYPES[type].name : "invalid";
}

bool hsd_count(const size_t* dims, size_t ndim, size_t itemsize, size_t* count, size_t* nbytes) {
    size_t n = 1;
    bool zero = false;
    for (size_t i = 0; i < ndim; i++) {
        if (dims[i] == 0) zero = true;
        else if (!zero && n > SIZE_MAX / dims[i]) return false;
        else if (!zero) n *= dims[i];
    }
    if (zero) n = 0;
    if (itemsize && n > (SIZE_MAX - HSD_HEADER_MAX) / itemsize) return false;
    *count = n;
    *nbytes = n * itemsize;
    return true;
}

static void put_u64(uint8_t* out, uint64_t v) {
    for (int i = 0; i < 8; i++) out[i] = (uint8_t)(v >> (8 * i));
}

static uint64_t get_u64(const uint8_t* in) {
    uint64_t v = 0;
    for (int i = 7; i >= 0; i--) v = (v << 8) | in[i];
    return v;
}

size_t hsd_tensor_header(uint8_t* out, int type, size_t ndim, const size_t* dims) {
    memcpy(out, "HPTN", 4);
    out[4] = 1;
    out[5] = (uint8_t)type;
    out[6] = (uint8_t)ndim;
    out[7] = 0;
    for (size_t i = 0; i < ndim; i++) put_u64(out + 8 + 8 * i, dims[i]);
    return 8 + 8 * ndim;
}

static void shape_text(hsd_sb* s, const size_t* dims, size_t ndim) {
    hsd_sb_str(s, "(");
    for (size_t i = 0; i < ndim; i++) hsd_sb_fmt(s, i ? ", %zu" : "%zu", dims[i]);
    hsd_sb_str(s, ndim == 1 ? ",)" : ")");
}

SRError hsd_tensor_decode(const char* key, size_t key_len, const void* value, size_t len, hsd_tinfo* out) {
    const uint8_t* v = value;
    if (len < 8) return hs_fail(SRRuntimeError, "'%.*s' does not hold an hpcsim tensor (%zu bytes)", HSD_STR(key, key_len), len);
    if (memcmp(v, "HPTN", 4) != 0)
        return hs_fail(SRRuntimeError, "'%.*s' does not hold an hpcsim tensor (no 'HPTN' header)", HSD_STR(key, key_len));
    if (v[4] != 1)
        return hs_fail(SRRuntimeError, "'%.*s' holds tensor format version %d; this client reads version 1",
                       HSD_STR(key, key_len), v[4]);
    if (hsd_dtype_size(v[5]) == 0)
        return hs_fail(SRRuntimeError, "'%.*s' holds a tensor of unknown dtype code %d", HSD_STR(key, key_len), v[5]);
    out->type = v[5];
    out->ndim = v[6];
    out->itemsize = hsd_dtype_size(v[5]);
    out->header_len = 8 + 8 * out->ndim;
    if (len < out->header_len)
        return hs_fail(SRRuntimeError, "'%.*s' holds a truncated tensor header", HSD_STR(key, key_len));
    bool fits = true;
    for (size_t i = 0; i < out->ndim; i++) {
        uint64_t d = get_u64(v + 8 + 8 * i);
        if (d > SIZE_MAX) fits = false;
        out->dims[i] = (size_t)d;
    }
    fits = fits && hsd_count(out->dims, out->ndim, out->itemsize, &out->count, &out->nbytes);
    if (!fits || len != out->header_len + out->nbytes) {
        hsd_sb shape = {0};
        shape_text(&shape, out->dims, out->ndim);
        SRError e = hs_fail(SRRuntimeError, "'%.*s' holds %zu bytes, which does not match shape %s of %s",
                            HSD_STR(key, key_len), len, shape.p ? shape.p : "?", hsd_dtype_name(out->type));
        hsd_sb_free(&shape);
        return e;
    }
    return SRNoError;
}

SRError hsd_check_tensor_args(const char* what, const char* name, size_t name_len, const void* data,
                             const size_t* dims, size_t n_dims, int type, SRMemoryLayout layout, size_t* count,
                             size_t* nbytes) {
    size_t size = hsd_dtype_size(type);
    if (size == 0)
        return hs_fail(SRTypeError, "%s '%.*s': unknown tensor type %d (1-8 are SRTensorType, 9-14 hpcsim_types.h)",
                       what, HSD_STR(name, name_len), type);
    if (layout == SRMemLayoutFortranNested)
        return hs_fail(SRRuntimeError, "%s '%.*s': SRMemLayoutFortranNested is not supported", what,
                       HSD_STR(name, name_len));
    if (layout != SRMemLayoutContiguous && layout != SRMemLayoutNested && layout != SRMemLayoutFortranContiguous)
        return hs_fail(SRParameterError, "%s '%.*s': invalid memory layout %d", what, HSD_STR(name, name_len),
                       (int)layout);
    if (n_dims > HSD_MAX_NDIM)
        return hs_fail(SRParameterError, "%s '%.*s': %zu dimensions; at most %d are supported", what,
                       HSD_STR(name, name_len), n_dims, HSD_MAX_NDIM);
    if (n_dims > 0 && dims == NULL)
        return hs_fail(SRParameterError, "%s '%.*s': dims is NULL but n_dims is %zu", what, HSD_STR(name, name_len),
                       n_dims);
    if (!hsd_count(dims, n_dims, size, count, nbytes))
        return hs_fail(SRParameterError, "%s '%.*s': the dimensions overflow the address space", what,
                       HSD_STR(name, name_len));
    if (data == NULL && *count > 0)
        return hs_fail(SRParameterError, "%s '%.*s': data is NULL", what, HSD_STR(name, name_len));
    return SRNoError;
}

/* ---- metadata ------------------------------------------------------------------------------ */

size_t hsd_meta_size(int type) {
    static const size_t sizes[] = {0, 8, 4, 4, 8, 4, 8};
    return type > 0 && type <= 6 ? sizes[type] : 0;
}

const char* hsd_meta_name(int type) {
    static const char* names[] = {"invalid", "float64", "float32", "int32", "int64", "uint32", "uint64", "string"};
    return type > 0 && type <= 7 ? names[type] : "invalid";
}

SRError hsd_meta_check(const char* field, size_t field_len, const void* value, size_t len, size_t* count) {
    const uint8_t* v = value;
    if (len == 0 || v[0] < 1 || v[0] > 7)
        return hs_fail(SRRuntimeError, "metadata field '%.*s' has an unknown type byte", HSD_STR(field, field_len));
    size_t size = hsd_meta_size(v[0]);
    if (size) {
        if ((len - 1) % size)
            return hs_fail(SRRuntimeError, "metadata field '%.*s' is truncated", HSD_STR(field, field_len));
        *count = (len - 1) / size;
        return SRNoError;
    }
    size_t at = 1, n = 0;
    while (at < len) {
        if (len - at < 8) return hs_fail(SRRuntimeError, "metadata field '%.*s' is truncated", HSD_STR(field, field_len));
        uint64_t l = get_u64(v + at);
        at += 8;
        if (l > len - at) return hs_fail(SRRuntimeError, "metadata field '%.*s' is truncated", HSD_STR(field, field_len));
        at += (size_t)l;
        n++;
    }
    *count = n;
    return SRNoError;
}

SRError hsd_decode_strings(const char* field, size_t field_len, const char* value, size_t len, char*** strings,
                          size_t** lengths, size_t* n) {
    size_t count = 0;
    SRError e = hsd_meta_check(field, field_len, value, len, &count);
    if (e) return e;
    if (value[0] != SRMetadataTypeString)
        return hs_fail(SRRuntimeError, "metadata field '%.*s' does not hold strings", HSD_STR(field, field_len));
    *strings = calloc(count ? count : 1, sizeof(char*));
    *lengths = calloc(count ? count : 1, sizeof(size_t));
    if (!*strings || !*lengths) goto oom;
    size_t at = 1;
    for (size_t i = 0; i < count; i++) {
        size_t l = (size_t)get_u64((const uint8_t*)value + at);
        at += 8;
        (*strings)[i] = malloc(l + 1);
        if (!(*strings)[i]) goto oom;
        memcpy((*strings)[i], value + at, l);
        (*strings)[i][l] = '\0';
        (*lengths)[i] = l;
        at += l;
    }
    *n = count;
    return SRNoError;
oom:
    for (size_t i = 0; *strings && i < count; i++) free((*strings)[i]);
    free(*strings);
    free(*lengths);
    *strings = NULL;
    *lengths = NULL;
    return hs_fail(SRBadAllocError, "out of memory decoding metadata field '%.*s'", HSD_STR(field, field_len));
}

/* ---- JSON ------------------------------------------------------------------------------------- */

bool hsd_json_string(hsd_sb* s, const char* text, size_t len) {
    const unsigned char* t = (const unsigned char*)text;
    hsd_sb_put(s, "\"", 1);
    for (size_t i = 0; i < len;) {
        unsigned c = t[i];
        if (c < 0x80) {
            i++;
            if (c == '"') hsd_sb_str(s, "\\\"");
            else if (c == '\\') hsd_sb_str(s, "\\\\");
            else if (c == '\n') hsd_sb_str(s, "\\n");
            else if (c == '\r') hsd_sb_str(s, "\\r");
            else if (c == '\t') hsd_sb_str(s, "\\t");
            else if (c == '\b') hsd_sb_str(s, "\\b");
            else if (c == '\f') hsd_sb_str(s, "\\f");
            else if (c < 0x20 || c == 0x7f) hsd_sb_fmt(s, "\\u%04x", c);
            else hsd_sb_put(s, &t[i - 1], 1);
            continue;
        }
        size_t n = c >= 0xF0 ? 4 : c >= 0xE0 ? 3 : c >= 0xC0 ? 2 : 0;
        if (n == 0 || c > 0xF4 || i + n > len) return false;
        uint32_t cp = c & (0x7Fu >> n);
        for (size_t k = 1; k < n; k++) {
            if ((t[i + k] & 0xC0) != 0x80) return false;
            cp = (cp << 6) | (t[i + k] & 0x3Fu);
        }
        static const uint32_t least[] = {0, 0, 0x80, 0x800, 0x10000};
        if (cp < least[n] || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return false;
        if (cp >= 0x10000) {
            cp -= 0x10000;
            hsd_sb_fmt(s, "\\u%04x\\u%04x", 0xD800u + (cp >> 10), 0xDC00u + (cp & 0x3FFu));
        } else {
            hsd_sb_fmt(s, "\\u%04x", cp);
        }
        i += n;
    }
    hsd_sb_put(s, "\"", 1);
    return !s->oom;
}

typedef struct {
    const char* p;
    const char* end;
} json_in;

static void ws(json_in* in) {
    while (in->p < in->end && (*in->p == ' ' || *in->p == '\t' || *in->p == '\n' || *in->p == '\r')) in->p++;
}

static int hexval(char c) {
    return c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
}

static bool read_hex4(json_in* in, uint32_t* out) {
    if (in->end - in->p < 4) return false;
    uint32_t v = 0;
    for (int i = 0; i < 4; i++) {
        int h = hexval(in->p[i]);
        if (h < 0) return false;
        v = v * 16 + (uint32_t)h;
    }
    in->p += 4;
    *out = v;
    return true;
}

static void put_utf8(hsd_sb* s, uint32_t cp) {
    char b[4];
    size_t n;
    if (cp < 0x80) b[0] = (char)cp, n = 1;
    else if (cp < 0x800) b[0] = (char)(0xC0 | (cp >> 6)), b[1] = (char)(0x80 | (cp & 0x3F)), n = 2;
    else if (cp < 0x10000)
        b[0] = (char)(0xE0 | (cp >> 12)), b[1] = (char)(0x80 | ((cp >> 6) & 0x3F)), b[2] = (char)(0x80 | (cp & 0x3F)), n = 3;
    else
        b[0] = (char)(0xF0 | (cp >> 18)), b[1] = (char)(0x80 | ((cp >> 12) & 0x3F)),
        b[2] = (char)(0x80 | ((cp >> 6) & 0x3F)), b[3] = (char)(0x80 | (cp & 0x3F)), n = 4;
    hsd_sb_put(s, b, n);
}

/* A JSON string at in->p, decoded into out (when not NULL). */
static bool read_string(json_in* in, hsd_sb* out) {
    if (in->p >= in->end || *in->p != '"') return false;
    in->p++;
    while (in->p < in->end) {
        char c = *in->p++;
        if (c == '"') return true;
        if (c != '\\') {
            if (out) hsd_sb_put(out, &c, 1);
            continue;
        }
        if (in->p >= in->end) return false;
        char e = *in->p++;
        const char* simple = strchr("\"\\/bfnrt", e);
        if (e && simple) {
            static const char map[] = "\"\\/\b\f\n\r\t";
            if (out) hsd_sb_put(out, &map[simple - "\"\\/bfnrt"], 1);
            continue;
        }
        uint32_t cp;
        if (e != 'u' || !read_hex4(in, &cp)) return false;
        if (cp >= 0xD800 && cp < 0xDC00 && in->end - in->p >= 6 && in->p[0] == '\\' && in->p[1] == 'u') {
            json_in save = *in;
            uint32_t low;
            in->p += 2;
            if (read_hex4(in, &low) && low >= 0xDC00 && low <= 0xDFFF) cp = 0x10000 + ((cp - 0xD800) << 10) + (low - 0xDC00);
            else *in = save;
        }
        if (out) put_utf8(out, cp);
    }
    return false;
}

static bool skip_value(json_in* in, int depth) {
    ws(in);
    if (in->p >= in->end || depth > 64) return false;
    char c = *in->p;
    if (c == '"') return read_string(in, NULL);
    if (c == '{' || c == '[') {
        char close = c == '{' ? '}' : ']';
        in->p++;
        ws(in);
        if (in->p < in->end && *in->p == close) return in->p++, true;
        for (;;) {
            if (c == '{') {
                ws(in);
                if (!read_string(in, NULL)) return false;
                ws(in);
                if (in->p >= in->end || *in->p++ != ':') return false;
            }
            if (!skip_value(in, depth + 1)) return false;
            ws(in);
            if (in->p >= in->end) return false;
            char d = *in->p++;
            if (d == close) return true;
            if (d != ',') return false;
        }
    }
    const char* start = in->p;
    while (in->p < in->end && strchr("+-.0123456789eEtrufalsn", *in->p)) in->p++;
    return in->p > start;
}

bool hsd_json_error(const char* json, size_t len, char** error) {
    json_in in = {json, json + len};
    *error = NULL;
    ws(&in);
    if (in.p >= in.end || *in.p++ != '{') return false;
    ws(&in);
    if (in.p < in.end && *in.p == '}') return true;
    for (;;) {
        hsd_sb key = {0};
        ws(&in);
        bool ok = read_string(&in, &key);
        bool is_error = ok && key.n == 5 && memcmp(key.p, "error", 5) == 0;
        hsd_sb_free(&key);
        ws(&in);
        if (!ok || in.p >= in.end || *in.p++ != ':') return false;
        ws(&in);
        if (is_error && in.p < in.end && *in.p == '"' && !*error) {
            hsd_sb text = {0};
            if (!read_string(&in, &text) || !hsd_sb_cstr(&text)) return hsd_sb_free(&text), false;
            *error = text.p;
        } else if (!skip_value(&in, 0)) {
            return free(*error), *error = NULL, false;
        }
        ws(&in);
        if (in.p >= in.end) return free(*error), *error = NULL, false;
        char d = *in.p++;
        if (d == '}') return true;
        if (d != ',') return free(*error), *error = NULL, false;
    }
}

/* ---- helpers ---------------------------------------------------------------------------------- */

char* hsd_concat(const char* a, size_t a_len, const char* b, size_t b_len, size_t* len) {
    char* out = malloc(a_len + b_len + 1);
    if (!out) return NULL;
    if (a_len) memcpy(out, a, a_len);
    if (b_len) memcpy(out + a_len, b, b_len);
    out[a_len + b_len] = '\0';
    if (len) *len = a_len + b_len;
    return out;
}

char* hsd_key(const hs_client* c, hs_kind kind, bool read, const char* name, size_t name_len, size_t* key_len) {
    const char* prefix = hs_prefix(c, kind, read);
    return hsd_concat(prefix, strlen(prefix), name, name_len, key_len);
}

char* hsd_dataset_base(const hs_client* c, bool read, const char* name, size_t name_len, size_t* key_len) {
    hsd_sb s = {0};
    hsd_sb_str(&s, hs_prefix(c, HS_DATASET, read));
    hsd_sb_put(&s, "{", 1);
    hsd_sb_put(&s, name, name_len);
    hsd_sb_put(&s, "}", 1);
    if (s.oom) return hsd_sb_free(&s), NULL;
    *key_len = s.n;
    return s.p;
}

void hsd_sleep_ms(int ms) {
    if (ms <= 0) return;
    struct timespec t = {ms / 1000, (long)(ms % 1000) * 1000000L};
    while (nanosleep(&t, &t) != 0 && errno == EINTR) {
    }
}

double hsd_now(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec * 1e-9;
}

void hsd_token(char out[17]) {
    unsigned char raw[8];
    int fd = open("/dev/urandom", O_RDONLY);
    ssize_t got = fd >= 0 ? read(fd, raw, sizeof raw) : -1;
    if (fd >= 0) close(fd);
    if (got != (ssize_t)sizeof raw) {
        static unsigned long counter;
        struct timespec t;
        clock_gettime(CLOCK_REALTIME, &t);
        uint64_t x = (uint64_t)t.tv_nsec ^ ((uint64_t)t.tv_sec << 20) ^ ((uint64_t)getpid() << 40) ^ ++counter;
        for (int i = 0; i < 8; i++) x = x * 6364136223846793005ULL + 1442695040888963407ULL, raw[i] = (unsigned char)(x >> 56);
    }
    for (int i = 0; i < 8; i++) snprintf(out + 2 * i, 3, "%02x", raw[i]);
}

SRError hsd_poll(const char* what, int poll_frequency_ms, int num_tries, bool* result,
                SRError (*check)(void* ctx, bool* ok), void* ctx) {
    if (poll_frequency_ms < 0 || num_tries < 0)
        return hs_fail(SRParameterError, "%s: poll_frequency_ms and num_tries must not be negative (got %d and %d)",
                       what, poll_frequency_ms, num_tries);
    *result = false;
    for (int i = 0; i < num_tries; i++) {
        bool ok = false;
        SRError e = check(ctx, &ok);
        if (e) return e;
        if (ok) return (*result = true, SRNoError);
        if (i + 1 < num_tries) hsd_sleep_ms(poll_frequency_ms);
    }
    return SRNoError;
}

SRError hsd_drop(redisReply* reply, SRError code) {
    if (reply) freeReplyObject(reply);
    return code;
}
