/* Internal interface of the data half of the C core: codec.c (wire format, JSON, helpers),
 * layout.c (memory layouts), tensor.c, dataset.c (the DataSet object), data_store.c (datasets in
 * the database), list.c (aggregation lists, reading datasets), data_infer.c (the inference
 * worker's protocol, run_model/run_script), model.c (storing models and scripts) and metrics.c
 * (log_metric). Not installed. Redis is reached only through hs_internal.h; every name here
 * starts with hsd_/HSD_ so that it cannot clash with the transport half's. */
#ifndef HPCSIM_DATA_INTERNAL_H
#define HPCSIM_DATA_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "c_dataset.h"
#include "hpcsim_types.h"
#include "hs_internal.h"

/* The wire format is little-endian; the encoder writes host memory as is. */
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ != __ORDER_LITTLE_ENDIAN__
#error "the hpcsim C client supports little-endian hosts only"
#endif

#define HSD_MAX_NDIM 255
#define HSD_HEADER_MAX (8 + 8 * HSD_MAX_NDIM)
/* A dataset tensor value larger than this is sent with hs_set_parts instead of in the pipeline. */
#define HSD_PIPELINE_VALUE_MAX ((size_t)1 << 20)

/* "%.*s" arguments for a (pointer, length) string in messages. */
#define HSD_STR(p, n) (int)((n) > 400 ? 400 : (n)), (const char*)(p)

/* ---- growable byte string (codec.c) -------------------------------------------------------- */
typedef struct {
    char* p;
    size_t n, cap;
    bool oom;
} hsd_sb;
void hsd_sb_put(hsd_sb* s, const void* data, size_t len);
void hsd_sb_str(hsd_sb* s, const char* text);
void hsd_sb_fmt(hsd_sb* s, const char* fmt, ...) __attribute__((format(printf, 2, 3)));
void hsd_sb_free(hsd_sb* s);
/* The string, NUL-terminated (its length in s->n); NULL when out of memory. Owned by s. */
const char* hsd_sb_cstr(hsd_sb* s);

/* ---- tensors on the wire (codec.c) -------------------------------------------------------- */
size_t hsd_dtype_size(int type); /* 0: not a tensor type */
const char* hsd_dtype_name(int type);
/* Element count and byte size of dims; false on overflow. */
bool hsd_count(const size_t* dims, size_t ndim, size_t itemsize, size_t* count, size_t* nbytes);
/* Writes the header into out (HSD_HEADER_MAX bytes); returns its length. */
size_t hsd_tensor_header(uint8_t* out, int type, size_t ndim, const size_t* dims);
typedef struct {
    int type;
    size_t ndim;
    size_t dims[HSD_MAX_NDIM];
    size_t header_len, count, nbytes, itemsize;
} hsd_tinfo;
/* Checks a stored value (magic, version, dtype, exact length); SRRuntimeError naming `key`. */
SRError hsd_tensor_decode(const char* key, size_t key_len, const void* value, size_t len, hsd_tinfo* out);
/* Argument checks shared by put_tensor/add_tensor: type, layout, rank, dims, data. */
SRError hsd_check_tensor_args(const char* what, const char* name, size_t name_len, const void* data,
                             const size_t* dims, size_t n_dims, int type, SRMemoryLayout layout, size_t* count,
                             size_t* nbytes);

/* ---- metadata fields (codec.c) -------------------------------------------------------------- */
size_t hsd_meta_size(int type); /* 1-6: the scalar size; 7 (string) and others: 0 */
const char* hsd_meta_name(int type);
/* Checks an encoded field value (type byte + payload); *count receives the number of values. */
SRError hsd_meta_check(const char* field, size_t field_len, const void* value, size_t len, size_t* count);

/* ---- JSON (codec.c) --------------------------------------------------------------------------- */
/* Appends text as a JSON string, non-ASCII as \uXXXX (like Python's json.dumps); false if text
 * is not valid UTF-8. */
bool hsd_json_string(hsd_sb* s, const char* text, size_t len);
/* Reads the worker's answer: true and *error = NULL for success, true and *error = a malloc'ed
 * message for {"error": "..."}, false if the answer is not a JSON object. */
bool hsd_json_error(const char* json, size_t len, char** error);

/* ---- small utilities (codec.c) -------------------------------------------------------------- */
/* prefix + name (+ suffix), malloc'ed and NUL-terminated; NULL when out of memory. */
char* hsd_key(const hs_client* c, hs_kind kind, bool read, const char* name, size_t name_len, size_t* key_len);
/* "<prefix>{name}", the base key of a dataset. */
char* hsd_dataset_base(const hs_client* c, bool read, const char* name, size_t name_len, size_t* key_len);
char* hsd_concat(const char* a, size_t a_len, const char* b, size_t b_len, size_t* len);
void hsd_sleep_ms(int ms);
double hsd_now(void); /* monotonic seconds */
void hsd_token(char out[17]); /* 16 random hex digits */
/* Checks `n` pointers and `ms`/`tries` of a poll; SRParameterError naming `what`. */
SRError hsd_poll(const char* what, int poll_frequency_ms, int num_tries, bool* result,
                SRError (*check)(void* ctx, bool* ok), void* ctx);
/* "op 'key'" for messages, cut to fit `size` bytes. */
const char* hsd_what(char* buf, size_t size, const char* op, const char* key, size_t key_len);
/* A command routed by argv[1]; NULL (and *err) on failure or a Redis error reply naming `what`. */
redisReply* hsd_run(hs_client* c, const char* what, int argc, const char** argv, const size_t* lens, SRError* err);
/* The same for a command answering an integer. */
SRError hsd_run_int(hs_client* c, const char* what, int argc, const char** argv, const size_t* lens, long long* out);
/* SRKeyError "no <kind_name> 'key' in the database (data source 'x')". */
SRError hsd_missing(const hs_client* c, hs_kind kind, const char* kind_name, const char* key, size_t key_len);
/* Frees a reply and returns `code` (for one-line error exits). */
SRError hsd_drop(redisReply* reply, SRError code);

/* ---- memory layouts (layout.c) -------------------------------------------------------------- */
/* The row-major bytes of caller data: `data` itself for Contiguous, else a new buffer in *owned. */
SRError hsd_gather(const char* what, const char* name, size_t name_len, const void* data, const size_t* dims,
                  size_t ndim, size_t itemsize, size_t nbytes, SRMemoryLayout layout, const void** rows,
                  void** owned);
/* Checks an unpack request against the stored tensor (type, dims per layout). */
SRError hsd_unpack_check(const char* what, const char* key, size_t key_len, const hsd_tinfo* stored,
                        const void* result, const size_t* dims, size_t n_dims, int type, SRMemoryLayout layout);
/* Copies the row-major `src` of `stored` into the caller's `dest` laid out as `layout`; false
 * (nothing else written) when a row pointer of a Nested `dest` is NULL. */
bool hsd_scatter(const void* src, const hsd_tinfo* stored, const size_t* dims, size_t n_dims, SRMemoryLayout layout,
                void* dest);
/* Presents the row-major `buf` as `layout`: *result is what the caller gets; *extra (NULL if
 * none) is a new allocation the owner must keep (a pointer tree, or a transposed copy). */
SRError hsd_present(const char* what, void* buf, const hsd_tinfo* stored, SRMemoryLayout layout, void** result,
                   void** extra);
/* The transposition of a column-major (Fortran) buffer with `dims` into row-major (to_rows) or back. */
void hsd_transpose(const void* src, void* dst, const size_t* dims, size_t ndim, size_t itemsize, bool to_rows);
/* The same in boxes of at most HSD_BLOCK_BYTES (or one element, if larger), one at a time: the
 * memory a put or an unpack of a Fortran array adds is one box (layout.c says how they are cut). */
#define HSD_BLOCK_BYTES ((size_t)8 << 20)
typedef struct {
    size_t dims[HSD_MAX_NDIM], strides[HSD_MAX_NDIM]; /* strides: column-major, in elements */
    size_t ndim, itemsize;
    size_t depth, step, inner; /* a box: `step` indices of dims[depth], `inner` elements each */
    size_t box_max;            /* bytes of the largest box */
} hsd_blocks;
/* Plans the boxes of a non-empty array with ndim >= 1 whose element count fits in size_t. */
void hsd_blocks_plan(hsd_blocks* b, const size_t* dims, size_t ndim, size_t itemsize, size_t max_bytes);
/* The length in bytes of the box at row-major byte `offset` (the start of a box). */
size_t hsd_blocks_len(const hsd_blocks* b, size_t offset);
/* Copies the box at `offset` from the column-major array `src` into its row-major bytes `dst`
 * (to_rows), or from its row-major bytes `src` into the column-major array `dst`; its length. */
size_t hsd_blocks_copy(const hsd_blocks* b, size_t offset, const void* src, void* dst, bool to_rows);
/* Whether every pointer of a Nested tree (ndim >= 2) is non-NULL. */
bool hsd_tree_ok(const void* p, const size_t* dims, size_t ndim);
/* Writes bytes [offset, offset + len) of a tensor's row-major elements into the Nested tree. */
void hsd_tree_put(void* tree, const size_t* dims, size_t ndim, size_t itemsize, size_t offset, const void* src,
                  size_t len);

/* ---- datasets (dataset.c) ------------------------------------------------------------------- */
#define HSD_DATASET_MAGIC 0x48534453u /* "HSDS" */
typedef struct {
    char* name;
    size_t name_len;
    hsd_tinfo* info; /* malloc'ed (large) */
    char* value;    /* the encoded tensor: header + elements */
    size_t value_len;
} hsd_dtensor;
typedef struct {
    char* name;
    size_t name_len;
    int type;    /* SRMetaDataType */
    size_t count; /* number of values */
    hsd_sb value; /* the encoded field: type byte, then the payload */
} hsd_field;
typedef struct hsd_dataset {
    uint32_t magic;
    char* name;
    size_t name_len;
    hsd_dtensor* tensors;
    size_t n_tensors, cap_tensors;
    hsd_field* fields;
    size_t n_fields, cap_fields;
    void** kept; /* memory returned to the caller, freed with the dataset */
    size_t n_kept, cap_kept;
} hsd_dataset;
SRError hsd_dataset_check(const void* dataset, const char* what, hsd_dataset** out);
hsd_dataset* hsd_dataset_new(const char* name, size_t name_len);
void hsd_dataset_free(hsd_dataset* d);
/* Takes `value` (malloc'ed, already checked into *info) as tensor `name`; frees it on failure. */
SRError hsd_dataset_take_tensor(hsd_dataset* d, const char* name, size_t name_len, char* value, size_t value_len,
                               const hsd_tinfo* info);
/* Adds an encoded field read from the database (type byte + payload). */
SRError hsd_dataset_take_field(hsd_dataset* d, const char* name, size_t name_len, const char* value, size_t len);
/* The tensor names listed in an encoded .tensor_names field. */
SRError hsd_decode_strings(const char* field, size_t field_len, const char* value, size_t len, char*** strings,
                          size_t** lengths, size_t* n);

/* ---- pipelines and dataset reading (list.c) -------------------------------------------------- */
#define HSD_TENSOR_NAMES ".tensor_names"
#define HSD_COMPLETE ".COMPLETE"
SRError hsd_oom(const char* what);
void hsd_free_replies(redisReply** replies, size_t n);
bool hsd_is_field(const char* name, size_t len, const char* want);
/* One command of a pipeline: argv with its lengths. */
typedef struct {
    int argc;
    const char** argv;
    size_t* lens;
} hsd_cmd;
bool hsd_cmd_init(hsd_cmd* c, size_t cap);
void hsd_arg(hsd_cmd* c, const char* p, size_t len);
void hsd_cmds_free(hsd_cmd* cmds, size_t n); /* frees the argv arrays of n commands and cmds */
/* n commands in one pipeline routed by `route` (shard < 0) or on one shard; every reply is
 * checked for a Redis error naming `what`. */
SRError hsd_pipe(hs_client* c, const char* route, size_t route_len, long shard, hsd_cmd* cmds, size_t n,
                redisReply** replies, const char* what);
typedef struct {
    char** names;
    size_t* lens;
    size_t n;
} hsd_strings;
void hsd_strings_free(hsd_strings* s);
/* The tensor names in an HGETALL reply of a dataset's metadata (none: n = 0). */
SRError hsd_tensor_names_of(const redisReply* hash, const char* base, size_t blen, hsd_strings* out);
/* The datasets at base keys bases[0..n-1], read with one pipeline per shard for the metadata and
 * one for the tensors. A missing one: SRKeyError naming it (and `list_key` when given). */
SRError hsd_fetch_datasets(hs_client* c, size_t n, char* const* bases, const size_t* base_lens,
                          const char* list_key, hsd_dataset** out);
bool hsd_dataset_name_of(const char* base, size_t len, const char** name, size_t* name_len);

/* ---- the inference worker's protocol (data_infer.c) ------------------------------------------- */
#define HSD_TAG_MAX 16
/* The hash tag "{t}." of `shard` (protocol.cluster_tag); "" on a standalone server. */
SRError hsd_ai_tag(hs_client* c, size_t shard, char out[HSD_TAG_MAX]);
/* A request as protocol.Request.encode writes it. */
SRError hsd_ai_request(hsd_sb* body, const char* what, const char* op, const char* key, size_t key_len,
                       const char* reply, const char* fn, size_t fn_len, size_t n_in, char* const* in,
                       const size_t* in_lens, size_t n_out, char* const* out, const size_t* out_lens);
/* Queues `body` with the worker beside `shard` and waits for its answer on `reply`: SRRuntimeError
 * naming the server when no worker runs or it stopped, SRTimeoutError after the model timeout
 * (the request withdrawn), SRRuntimeError with the worker's message when it failed. */
SRError hsd_ai_ask(hs_client* c, size_t shard, const char* tag, const hsd_sb* body, const char* reply,
                   const char* what);
/* Runs the model or script at `key` (untagged) on tensors `in` into `out` (full keys) beside the
 * shard holding in[0]; inputs and outputs on other shards are copied there and back. */
SRError hsd_ai_execute(hs_client* c, const char* what, const char* key, size_t key_len, const char* fn, size_t fn_len,
                       size_t n_in, char* const* in, const size_t* in_lens, size_t n_out, char* const* out,
                       const size_t* out_lens);

#endif
