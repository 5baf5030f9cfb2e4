/* Tensors: put, get, unpack, delete, copy, rename, exists, poll (as hpcsim/client/client.py). */
#define _POSIX_C_SOURCE 200809L

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "c_client.h"
#include "data_internal.h"

/* ---- helpers shared by the data half ----------------------------------------------------------- */

const char* hsd_what(char* buf, size_t size, const char* op, const char* key, size_t key_len) {
    snprintf(buf, size, "%s '%.*s'", op, HSD_STR(key, key_len));
    return buf;
}

redisReply* hsd_run(hs_client* c, const char* what, int argc, const char** argv, const size_t* lens, SRError* err) {
    redisReply* reply = hs_command(c, argv[1], lens[1], argc, argv, lens, err);
    if (!reply) return NULL;
    *err = hs_check_reply(reply, what);
    if (*err) {
        freeReplyObject(reply);
        return NULL;
    }
    return reply;
}

SRError hsd_run_int(hs_client* c, const char* what, int argc, const char** argv, const size_t* lens, long long* out) {
    SRError e = SRNoError;
    redisReply* reply = hsd_run(c, what, argc, argv, lens, &e);
    if (!reply) return e;
    if (reply->type != REDIS_REPLY_INTEGER)
        return hsd_drop(reply, hs_fail(SRRuntimeError, "%s: unexpected reply type %d", what, reply->type));
    *out = reply->integer;
    freeReplyObject(reply);
    return SRNoError;
}

SRError hsd_missing(const hs_client* c, hs_kind kind, const char* kind_name, const char* key, size_t key_len) {
    const char* prefix = hs_prefix(c, kind, true);
    size_t n = strlen(prefix);
    if (n > 1)
        return hs_fail(SRKeyError, "no %s '%.*s' in the database (data source '%.*s')", kind_name,
                       HSD_STR(key, key_len), (int)(n - 1), prefix);
    return hs_fail(SRKeyError, "no %s '%.*s' in the database", kind_name, HSD_STR(key, key_len));
}

static SRError null_arg(const char* fn, const char* arg) { return hs_fail(SRParameterError, "%s: %s is NULL", fn, arg); }

static SRError check_get_layout(const char* what, const char* name, size_t len, SRMemoryLayout layout) {
    if (layout == SRMemLayoutFortranNested)
        return hs_fail(SRRuntimeError, "%s '%.*s': SRMemLayoutFortranNested is not supported", what, HSD_STR(name, len));
    if (layout != SRMemLayoutContiguous && layout != SRMemLayoutNested && layout != SRMemLayoutFortranContiguous)
        return hs_fail(SRParameterError, "%s '%.*s': invalid memory layout %d", what, HSD_STR(name, len), (int)layout);
    return SRNoError;
}

/* A GET answer that is not a value: an error reply, nil (SRKeyError) or another type. Frees it. */
static SRError not_a_value(hs_client* c, const char* what, const char* key, size_t key_len, redisReply* reply) {
    SRError e = hs_check_reply(reply, what);
    if (!e && reply->type == REDIS_REPLY_NIL) e = hsd_missing(c, HS_TENSOR, "tensor", key, key_len);
    else if (!e) e = hs_fail(SRRuntimeError, "%s: unexpected reply type %d", what, reply->type);
    return hsd_drop(reply, e);
}

/* GET key: the string reply, or SRKeyError when missing. */
static SRError get_value(hs_client* c, const char* op, const char* key, size_t key_len, redisReply** out) {
    char what[512];
    const char* argv[] = {"GET", key};
    size_t lens[] = {3, key_len};
    SRError e = SRNoError;
    redisReply* reply = hsd_run(c, hsd_what(what, sizeof what, op, key, key_len), 2, argv, lens, &e);
    if (!reply) return e;
    if (reply->type != REDIS_REPLY_STRING) return not_a_value(c, what, key, key_len, reply);
    *out = reply;
    return SRNoError;
}

/* ---- a tensor's value read from the socket (hs_get_into) ------------------------------------------
 * The elements go straight to their final place when the wire order is the memory order (a
 * contiguous or 1-D result, get_tensor's own block); a Fortran array (rank >= 2) is received one
 * box at a time into a block and transposed from there, and so is a Nested tree (copied row by
 * row): the memory added is one block, not a copy of the tensor, and the block stays in cache
 * between receiving and rearranging it. */
_Static_assert(HS_SINK_PEEK >= HSD_HEADER_MAX, "the sink must see the whole tensor header");

typedef struct {
    const char* fn; /* "unpack_tensor" or "get_tensor" */
    const char* key;
    size_t key_len;
    bool unpack;
    void* result; /* unpack: the caller's buffer, dims, type and layout */
    const size_t* dims;
    size_t n_dims;
    int type;
    SRMemoryLayout layout;
    hsd_tinfo info; /* the stored header */
    char* dest;     /* where the elements go in wire order, or NULL: through `scratch` */
    char* owned;    /* get_tensor: the elements (returned to the caller, kept by the client) */
    char* scratch;  /* one block */
    hsd_blocks* blocks; /* a Fortran array in boxes */
} tensor_sink;

/* Frees the block and the plan, and the elements too when `owned_too` (a failure, a retry). */
static void sink_release(tensor_sink* t, bool owned_too) {
    free(t->scratch);
    free(t->blocks);
    t->scratch = NULL;
    t->blocks = NULL;
    if (owned_too) {
        free(t->owned);
        t->dest = t->owned = NULL;
    }
}

static SRError sink_oom(const tensor_sink* t, size_t n) {
    return hs_fail(SRBadAllocError, "%s '%.*s': out of memory for %zu bytes", t->fn, HSD_STR(t->key, t->key_len), n);
}

static SRError sink_start(void* ctx, size_t len, const void* head, size_t head_len, size_t* used) {
    tensor_sink* t = ctx;
    (void)head_len; /* min(len, HS_SINK_PEEK): the whole header when len holds one */
    sink_release(t, true); /* a retried GET starts again */
    hsd_tinfo* info = &t->info;
    SRError e = hsd_tensor_decode(t->key, t->key_len, head, len, info);
    if (!e && t->unpack) e = hsd_unpack_check(t->fn, t->key, t->key_len, info, t->result, t->dims, t->n_dims, t->type, t->layout);
    if (e) return e;
    *used = info->header_len;
    bool nested = t->unpack && t->layout == SRMemLayoutNested && info->ndim >= 2 && info->nbytes > 0;
    if (nested && !hsd_tree_ok(t->result, info->dims, info->ndim))
        return hs_fail(SRParameterError, "unpack_tensor '%.*s': a row pointer of the nested result is NULL",
                       HSD_STR(t->key, t->key_len));
    const size_t* fdims = t->unpack ? t->dims : info->dims; /* a Fortran array's shape */
    size_t fn_dims = t->unpack ? t->n_dims : info->ndim;
    bool fortran = t->layout == SRMemLayoutFortranContiguous && fn_dims >= 2 && info->nbytes > 0;
    if (!t->unpack && !(t->owned = malloc(info->nbytes ? info->nbytes : 1))) return sink_oom(t, info->nbytes);
    if (fortran) {
        if (!(t->blocks = malloc(sizeof *t->blocks))) return sink_oom(t, sizeof *t->blocks);
        hsd_blocks_plan(t->blocks, fdims, fn_dims, info->itemsize, HSD_BLOCK_BYTES);
    }
    size_t block = fortran ? t->blocks->box_max : info->nbytes < HSD_BLOCK_BYTES ? info->nbytes : HSD_BLOCK_BYTES;
    if ((fortran || nested) && !(t->scratch = malloc(block))) return sink_oom(t, block);
    if (!fortran && !nested) t->dest = t->unpack ? t->result : t->owned;
    return SRNoError;
}

static void* sink_into(void* ctx, size_t offset, size_t* cap) {
    tensor_sink* t = ctx;
    size_t at = offset - t->info.header_len, left = t->info.nbytes - at;
    if (t->dest) {
        *cap = left;
        return t->dest + at;
    }
    *cap = t->blocks ? hsd_blocks_len(t->blocks, at) : left < HSD_BLOCK_BYTES ? left : HSD_BLOCK_BYTES;
    return t->scratch;
}

static void sink_got(void* ctx, size_t offset, size_t n) {
    tensor_sink* t = ctx;
    size_t at = offset - t->info.header_len;
    if (t->dest) return;
    if (t->blocks) hsd_blocks_copy(t->blocks, at, t->scratch, t->unpack ? t->result : t->owned, false);
    else hsd_tree_put(t->result, t->info.dims, t->info.ndim, t->info.itemsize, at, t->scratch, n);
}

/* Reads tensor `key` into the sink t; the messages name t->fn as get_value's did. */
static SRError read_tensor(hs_client* c, tensor_sink* t) {
    hs_sink sink = {sink_start, sink_into, sink_got, t};
    redisReply* other = NULL;
    SRError e = hs_get_into(c, t->key, t->key_len, &sink, &other);
    char what[512];
    if (!e && other) e = not_a_value(c, hsd_what(what, sizeof what, t->fn, t->key, t->key_len), t->key, t->key_len, other);
    sink_release(t, e != SRNoError);
    return e;
}

/* ---- the C API ------------------------------------------------------------------------------------ */

/* A Fortran array's put: transposed one box at a time into `scratch` as the socket takes it. */
typedef struct {
    hsd_blocks blocks;
    const void* data;
    char* scratch;
} fortran_put;

static const void* fortran_piece(void* ctx, size_t offset, size_t* len) {
    fortran_put* f = ctx;
    *len = hsd_blocks_copy(&f->blocks, offset, f->data, f->scratch, true);
    return f->scratch;
}

SRError put_tensor(void* c_client, const char* name, const size_t name_length, void* data, const size_t* dims,
                   const size_t n_dims, SRTensorType type, SRMemoryLayout mem_layout) {
    if (!c_client) return null_arg("put_tensor", "c_client");
    if (!name) return null_arg("put_tensor", "name");
    hs_client* c = c_client;
    size_t count = 0, nbytes = 0;
    SRError e = hsd_check_tensor_args("put_tensor", name, name_length, data, dims, n_dims, (int)type, mem_layout,
                                     &count, &nbytes);
    if (e) return e;
    size_t key_len = 0;
    char* key = hsd_key(c, HS_TENSOR, false, name, name_length, &key_len);
    if (!key) return hs_fail(SRBadAllocError, "put_tensor '%.*s': out of memory", HSD_STR(name, name_length));
    uint8_t head[HSD_HEADER_MAX];
    size_t head_len = hsd_tensor_header(head, (int)type, n_dims, dims);
    if (mem_layout == SRMemLayoutFortranContiguous && n_dims >= 2 && nbytes > 0) {
        fortran_put* f = malloc(sizeof *f);
        if (f) hsd_blocks_plan(&f->blocks, dims, n_dims, hsd_dtype_size((int)type), HSD_BLOCK_BYTES);
        if (f && (f->data = data, f->scratch = malloc(f->blocks.box_max)))
            e = hs_set_pieces(c, key, key_len, head, head_len, nbytes, fortran_piece, f);
        else
            e = hs_fail(SRBadAllocError, "put_tensor '%.*s': out of memory", HSD_STR(key, key_len));
        if (f) free(f->scratch);
        free(f);
        free(key);
        return e;
    }
    const void* rows = NULL;
    void* owned = NULL;
    e = hsd_gather("put_tensor", key, key_len, data, dims, n_dims, hsd_dtype_size((int)type), nbytes, mem_layout, &rows,
                  &owned);
    if (!e) e = hs_set_parts(c, key, key_len, head, head_len, rows, nbytes);
    free(owned);
    free(key);
    return e;
}

SRError get_tensor(void* c_client, const char* name, const size_t name_length, void** data, size_t** dims,
                   size_t* n_dims, SRTensorType* type, SRMemoryLayout mem_layout) {
    static const char* fn = "get_tensor";
    if (!c_client) return null_arg(fn, "c_client");
    if (!name) return null_arg(fn, "name");
    if (!data || !dims || !n_dims || !type) return null_arg(fn, !data ? "data" : !dims ? "dims" : !n_dims ? "n_dims" : "type");
    hs_client* c = c_client;
    SRError e = check_get_layout(fn, name, name_length, mem_layout);
    if (e) return e;
    size_t key_len = 0;
    char* key = hsd_key(c, HS_TENSOR, true, name, name_length, &key_len);
    if (!key) return hs_fail(SRBadAllocError, "get_tensor '%.*s': out of memory", HSD_STR(name, name_length));
    tensor_sink t = {.fn = fn, .key = key, .key_len = key_len, .layout = mem_layout};
    e = read_tensor(c, &t);
    free(key);
    if (e) return e;
    /* t.owned holds the elements in the caller's order, except Nested's, which need row pointers */
    const hsd_tinfo* info = &t.info;
    void *result = t.owned, *extra = NULL;
    if (mem_layout == SRMemLayoutNested) e = hsd_present(fn, t.owned, info, mem_layout, &result, &extra);
    if (e) return free(t.owned), e;
    size_t* shape = malloc((info->ndim ? info->ndim : 1) * sizeof(size_t));
    if (shape) {
        shape[0] = 0;
        memcpy(shape, info->dims, info->ndim * sizeof(size_t));
    }
    bool kept = hs_keep(c, t.owned);
    kept = (extra ? hs_keep(c, extra) : true) && kept;
    kept = shape && hs_keep(c, shape) && kept;
    if (!kept) return hs_fail(SRBadAllocError, "get_tensor '%.*s': out of memory", HSD_STR(name, name_length));
    *data = result;
    *dims = shape;
    *n_dims = info->ndim;
    *type = (SRTensorType)info->type;
    return SRNoError;
}

SRError unpack_tensor(void* c_client, const char* name, const size_t name_length, void* result, const size_t* dims,
                      const size_t n_dims, SRTensorType type, SRMemoryLayout mem_layout) {
    static const char* fn = "unpack_tensor";
    if (!c_client) return null_arg(fn, "c_client");
    if (!name) return null_arg(fn, "name");
    hs_client* c = c_client;
    size_t count = 0, nbytes = 0;
    SRError e = hsd_check_tensor_args(fn, name, name_length, result, dims, n_dims, (int)type, mem_layout, &count, &nbytes);
    if (e) return e;
    size_t key_len = 0;
    char* key = hsd_key(c, HS_TENSOR, true, name, name_length, &key_len);
    if (!key) return hs_fail(SRBadAllocError, "unpack_tensor '%.*s': out of memory", HSD_STR(name, name_length));
    tensor_sink t = {.fn = fn, .key = key, .key_len = key_len, .unpack = true, .result = result, .dims = dims,
                     .n_dims = n_dims, .type = (int)type, .layout = mem_layout};
    e = read_tensor(c, &t);
    free(key);
    return e;
}

SRError delete_tensor(void* c_client, const char* name, const size_t name_length) {
    if (!c_client) return null_arg("delete_tensor", "c_client");
    if (!name) return null_arg("delete_tensor", "name");
    size_t key_len = 0;
    char* key = hsd_key(c_client, HS_TENSOR, true, name, name_length, &key_len);
    if (!key) return hs_fail(SRBadAllocError, "delete_tensor: out of memory");
    char what[512];
    const char* argv[] = {"DEL", key};
    size_t lens[] = {3, key_len};
    long long n = 0;
    SRError e = hsd_run_int(c_client, hsd_what(what, sizeof what, "delete_tensor", key, key_len), 2, argv, lens, &n);
    free(key);
    return e;
}

/* copy_tensor / rename_tensor: same slot COPY/RENAME on the server, else GET + SET (+ DEL). */
static SRError move(void* c_client, const char* fn, const char* src_name, size_t src_len, const char* dest_name,
                    size_t dest_len, bool delete_source) {
    if (!c_client) return null_arg(fn, "c_client");
    if (!src_name || !dest_name) return null_arg(fn, !src_name ? "src_name" : "dest_name");
    hs_client* c = c_client;
    size_t sl = 0, dl = 0;
    char* src = hsd_key(c, HS_TENSOR, true, src_name, src_len, &sl);
    char* dest = hsd_key(c, HS_TENSOR, false, dest_name, dest_len, &dl);
    char what[512];
    hsd_what(what, sizeof what, fn, src ? src : "", sl);
    SRError e = SRNoError;
    bool found = true;
    long long n = 0;
    redisReply* reply = NULL;
    if (!src || !dest) {
        e = hs_fail(SRBadAllocError, "%s: out of memory", fn);
    } else if (sl == dl && memcmp(src, dest, sl) == 0) {
        const char* argv[] = {"EXISTS", src};
        size_t lens[] = {6, sl};
        e = hsd_run_int(c, what, 2, argv, lens, &n);
        found = n > 0;
    } else if (!hs_is_cluster(c) || hs_key_slot(src, sl) == hs_key_slot(dest, dl)) {
        const char* argv[] = {delete_source ? "RENAME" : "COPY", src, dest, "REPLACE"};
        size_t lens[] = {delete_source ? 6u : 4u, sl, dl, 7};
        reply = hs_command(c, src, sl, delete_source ? 3 : 4, argv, lens, &e);
        if (reply && reply->type == REDIS_REPLY_ERROR && strstr(reply->str, "no such key")) found = false;
        else if (reply && !(e = hs_check_reply(reply, what)) && !delete_source) found = reply->integer == 1;
    } else if (!(e = get_value(c, fn, src, sl, &reply))) {
        const char* argv[] = {"SET", dest, reply->str};
        size_t lens[] = {3, dl, (size_t)reply->len};
        SRError set_error = SRNoError;
        redisReply* set = hsd_run(c, hsd_what(what, sizeof what, fn, dest, dl), 3, argv, lens, &set_error);
        e = set ? hsd_drop(set, SRNoError) : set_error;
        if (!e && delete_source) {
            const char* del[] = {"DEL", src};
            size_t del_lens[] = {3, sl};
            e = hsd_run_int(c, what, 2, del, del_lens, &n);
        }
    }
    if (e == SRKeyError) found = true; /* get_value already said so */
    if (!e && !found) e = hsd_missing(c, HS_TENSOR, "tensor", src, sl);
    free(src);
    free(dest);
    return hsd_drop(reply, e);
}

SRError copy_tensor(void* c_client, const char* src_name, const size_t src_name_length, const char* dest_name,
                    const size_t dest_name_length) {
    return move(c_client, "copy_tensor", src_name, src_name_length, dest_name, dest_name_length, false);
}

SRError rename_tensor(void* c_client, const char* old_name, const size_t old_name_length, const char* new_name,
                      const size_t new_name_length) {
    return move(c_client, "rename_tensor", old_name, old_name_length, new_name, new_name_length, true);
}

SRError tensor_exists(void* c_client, const char* name, const size_t name_length, bool* exists) {
    if (!c_client || !name || !exists)
        return null_arg("tensor_exists", !c_client ? "c_client" : !name ? "name" : "exists");
    size_t key_len = 0;
    char* key = hsd_key(c_client, HS_TENSOR, true, name, name_length, &key_len);
    if (!key) return hs_fail(SRBadAllocError, "tensor_exists: out of memory");
    char what[512];
    const char* argv[] = {"EXISTS", key};
    size_t lens[] = {6, key_len};
    long long n = 0;
    SRError e = hsd_run_int(c_client, hsd_what(what, sizeof what, "tensor_exists", key, key_len), 2, argv, lens, &n);
    free(key);
    if (!e) *exists = n > 0;
    return e;
}

typedef struct {
    void* client;
    const char* name;
    size_t len;
} poll_ctx;

static SRError tensor_check(void* ctx, bool* ok) {
    poll_ctx* p = ctx;
    return tensor_exists(p->client, p->name, p->len, ok);
}

SRError poll_tensor(void* c_client, const char* name, const size_t name_length, const int poll_frequency_ms,
                    const int num_tries, bool* exists) {
    if (!c_client || !name || !exists) return null_arg("poll_tensor", !c_client ? "c_client" : !name ? "name" : "exists");
    poll_ctx ctx = {c_client, name, name_length};
    return hsd_poll("poll_tensor", poll_frequency_ms, num_tries, exists, tensor_check, &ctx);
}
