/* Models and scripts (as hpcsim/client/_models.py): stored as hashes (kind, backend, device,
 * version, batching fields, inputs, outputs, tag, blob) on every shard under its hash tag;
 * each store goes to a temporary key, is loaded once by the worker ('load' request) and only
 * then renamed over the named key. Runs go through data_infer.c.
 *
 * Error codes: bad arguments SRParameterError; a missing model or input SRKeyError; a worker that
 * is not running or stopped, or that reports the backend's error (hpcsim's InferenceError),
 * SRRuntimeError with the server or the backend's message; no answer within the model timeout
 * SRTimeoutError. Unlike SmartRedis, inputs/outputs of set_model are kept for TF only (the
 * other backends do not name their tensors) and multi-GPU stores make num_gpus + 1 copies. */
#define _POSIX_C_SOURCE 200809L

#include <ctype.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "c_client.h"
#include "data_internal.h"

static const char* FIELDS[] = {"kind", "backend", "device", "version", "batch_size", "min_batch_size",
                               "min_batch_timeout", "inputs", "outputs", "tag"};
#define N_FIELDS 10

typedef struct {
    const char* kind; /* "model" or "script" */
    char backend[8], device[64], sizes[3][24];
    const char* tag;
    size_t tag_len;
    hsd_sb inputs, outputs; /* JSON lists, as json.dumps writes them */
} stored;

/* An argument list: NULL, n == 0 or (Fortran's absent argument) one empty string mean none. */
static SRError list_of(const char* what, const char* which, const char** items, const size_t* lens, size_t n,
                       size_t* count) {
    *count = 0;
    if (!items || n == 0 || (n == 1 && lens && lens[0] == 0)) return SRNoError;
    if (!lens) return hs_fail(SRParameterError, "%s: the lengths of %s are NULL", what, which);
    for (size_t i = 0; i < n; i++)
        if (!items[i]) return hs_fail(SRParameterError, "%s: %s[%zu] is NULL", what, which, i);
    *count = n;
    return SRNoError;
}

static bool upper(char* out, size_t size, const char* text, size_t len) {
    if (!text || len >= size) return false;
    for (size_t i = 0; i < len; i++) out[i] = (char)toupper((unsigned char)text[i]);
    out[len] = '\0';
    return true;
}

static SRError check_device(const char* what, stored* s, const char* device, size_t len) {
    if (!upper(s->device, sizeof s->device, device, len) || (strncmp(s->device, "CPU", 3) && strncmp(s->device, "GPU", 3)))
        return hs_fail(SRParameterError, "%s: device '%.*s' must be CPU, GPU or GPU:<n>", what,
                       HSD_STR(device ? device : "", device ? len : 0));
    return SRNoError;
}

static void json_names(hsd_sb* s, const char** items, const size_t* lens, size_t n, bool* ok) {
    hsd_sb_put(s, "[", 1);
    for (size_t i = 0; i < n; i++) {
        if (i) hsd_sb_put(s, ", ", 2);
        *ok = hsd_json_string(s, items[i], lens[i]) && *ok;
    }
    hsd_sb_put(s, "]", 1);
}

static SRError check_model(const char* what, stored* s, const char* backend, size_t backend_len, int batch_size,
                           int min_batch_size, int min_batch_timeout, const char* tag, size_t tag_len,
                           const char** inputs, const size_t* input_lengths, size_t n_inputs, const char** outputs,
                           const size_t* output_lengths, size_t n_outputs) {
    s->kind = "model";
    if (!upper(s->backend, sizeof s->backend, backend, backend_len) ||
        (strcmp(s->backend, "TF") && strcmp(s->backend, "TFLITE") && strcmp(s->backend, "TORCH") && strcmp(s->backend, "ONNX")))
        return hs_fail(SRParameterError, "%s: backend '%.*s' is not one of TF, TFLITE, TORCH, ONNX", what,
                       HSD_STR(backend ? backend : "", backend ? backend_len : 0));
    if (batch_size < 0 || min_batch_size < 0 || min_batch_timeout < 0)
        return hs_fail(SRParameterError, "%s: batch_size, min_batch_size and min_batch_timeout must not be negative", what);
    if (batch_size == 0 && (min_batch_size > 0 || min_batch_timeout > 0))
        return hs_fail(SRParameterError, "%s: min_batch_size and min_batch_timeout need batch_size > 0", what);
    snprintf(s->sizes[0], sizeof s->sizes[0], "%d", batch_size);
    snprintf(s->sizes[1], sizeof s->sizes[1], "%d", min_batch_size);
    snprintf(s->sizes[2], sizeof s->sizes[2], "%d", min_batch_timeout);
    s->tag = tag ? tag : "";
    s->tag_len = tag ? tag_len : 0;
    size_t n_in = 0, n_out = 0;
    SRError e = list_of(what, "inputs", inputs, input_lengths, n_inputs, &n_in);
    if (!e) e = list_of(what, "outputs", outputs, output_lengths, n_outputs, &n_out);
    if (e) return e;
    bool tf = strcmp(s->backend, "TF") == 0, ok = true;
    if (tf && (!n_in || !n_out)) return hs_fail(SRParameterError, "%s: a TF model needs the names of its inputs and outputs", what);
    json_names(&s->inputs, inputs, input_lengths, tf ? n_in : 0, &ok);
    json_names(&s->outputs, outputs, output_lengths, tf ? n_out : 0, &ok);
    if (s->inputs.oom || s->outputs.oom) return hsd_oom(what);
    if (!ok) return hs_fail(SRParameterError, "%s: an input or output name is not valid UTF-8", what);
    return SRNoError;
}

static void stored_init(stored* s, const char* kind) {
    memset(s, 0, sizeof *s);
    s->kind = kind;
    strcpy(s->backend, "TORCH");
    for (int i = 0; i < 3; i++) strcpy(s->sizes[i], "0");
    s->tag = "";
    hsd_sb_str(&s->inputs, "[]");
    hsd_sb_str(&s->outputs, "[]");
}

static SRError store(hs_client* c, const char* fn, const char* name, size_t name_len, stored* s, const char* blob,
                     size_t blob_len) {
    char what[512];
    hsd_what(what, sizeof what, fn, name, name_len);
    size_t key_len = 0;
    char* key = hsd_key(c, HS_MODEL, false, name, name_len, &key_len);
    SRError e = key ? SRNoError : hsd_oom(what);
    for (size_t shard = 0; !e && shard < hs_shard_count(c); shard++) {
        char tag[HSD_TAG_MAX], version[17], staged[HSD_TAG_MAX + 40], reply[HSD_TAG_MAX + 40];
        if ((e = hsd_ai_tag(c, shard, tag))) break;
        hsd_token(version);
        snprintf(staged, sizeof staged, "%s__hpcsim.ai.tmp.%s", tag, version);
        snprintf(reply, sizeof reply, "%s__hpcsim.ai.reply.%s", tag, version);
        const char* values[] = {s->kind, s->backend, s->device, version, s->sizes[0], s->sizes[1], s->sizes[2],
                                s->inputs.p, s->outputs.p, s->tag};
        size_t value_lens[N_FIELDS];
        for (int i = 0; i < N_FIELDS - 1; i++) value_lens[i] = strlen(values[i]);
        value_lens[N_FIELDS - 1] = s->tag_len; /* the tag need not be NUL-terminated */
        const char* argv[2 + 2 * (N_FIELDS + 1)] = {"HSET", staged};
        size_t lens[2 + 2 * (N_FIELDS + 1)] = {4, strlen(staged)};
        for (int i = 0; i < N_FIELDS; i++) {
            argv[2 + 2 * i] = FIELDS[i], lens[2 + 2 * i] = strlen(FIELDS[i]);
            argv[3 + 2 * i] = values[i], lens[3 + 2 * i] = value_lens[i];
        }
        argv[2 + 2 * N_FIELDS] = "blob", lens[2 + 2 * N_FIELDS] = 4;
        argv[3 + 2 * N_FIELDS] = blob, lens[3 + 2 * N_FIELDS] = blob_len;
        redisReply* r = hs_command_on(c, shard, 4 + 2 * N_FIELDS, argv, lens, &e);
        if (r) e = hs_check_reply(r, what), freeReplyObject(r);
        if (e) break;
        hsd_sb body = {0};
        e = hsd_ai_request(&body, what, "load", staged, strlen(staged), reply, "", 0, 0, NULL, NULL, 0, NULL, NULL);
        if (!e) e = hsd_ai_ask(c, shard, tag, &body, reply, what);
        hsd_sb_free(&body);
        size_t final_len = 0;
        char* final = hsd_concat(tag, strlen(tag), key, key_len, &final_len);
        const char* move[] = {e ? "DEL" : "RENAME", staged, final};
        size_t move_lens[] = {e ? 3u : 6u, strlen(staged), final_len};
        SRError move_error = final ? SRNoError : hsd_oom(what);
        r = final ? hs_command_on(c, shard, e ? 2 : 3, move, move_lens, &move_error) : NULL;
        if (r && !e) move_error = hs_check_reply(r, what);
        hsd_drop(r, SRNoError);
        free(final);
        if (!e) e = move_error;
    }
    free(key);
    hsd_sb_free(&s->inputs);
    hsd_sb_free(&s->outputs);
    return e;
}

static SRError read_file(const char* what, const char* which, const char* path, size_t len, char** data, size_t* n) {
    if (!path) return hs_fail(SRParameterError, "%s: %s is NULL", what, which);
    char* name = hsd_concat(path, len, "", 0, NULL);
    hsd_sb text = {0};
    FILE* f = name ? fopen(name, "rb") : NULL;
    if (!f) {
        char cwd[PATH_MAX] = "";
        bool relative = name && name[0] != '/' && getcwd(cwd, sizeof cwd);
        SRError e = hs_fail(SRParameterError, "%s: %s '%.*s' does not exist or cannot be read (looked for %s%s%.*s)",
                            what, which, HSD_STR(path, len), relative ? cwd : "", relative ? "/" : "", HSD_STR(path, len));
        return free(name), e;
    }
    char chunk[65536];
    size_t got;
    while ((got = fread(chunk, 1, sizeof chunk, f)) > 0) hsd_sb_put(&text, chunk, got);
    bool failed = ferror(f) != 0;
    fclose(f);
    free(name);
    if (failed || text.oom) {
        hsd_sb_free(&text);
        return hs_fail(failed ? SRRuntimeError : SRBadAllocError, "%s: cannot read %s '%.*s'", what, which,
                       HSD_STR(path, len));
    }
    *data = text.p ? text.p : calloc(1, 1);
    *n = text.n;
    return *data ? SRNoError : hsd_oom(what);
}

static SRError check_gpus(const char* what, int first_gpu, int num_gpus) {
    if (first_gpu < 0 || num_gpus < 1)
        return hs_fail(SRParameterError, "%s: first_gpu must be >= 0 and num_gpus >= 1, got %d and %d", what, first_gpu,
                       num_gpus);
    return SRNoError;
}

/* "<name>.GPU:<i>" into buf; false when it does not fit. */
static bool gpu_key(char* buf, size_t size, const char* name, size_t len, int gpu, size_t* out_len) {
    int n = snprintf(buf, size, "%.*s.GPU:%d", (int)(len > INT_MAX ? INT_MAX : len), name, gpu);
    *out_len = n > 0 ? (size_t)n : 0;
    return n > 0 && (size_t)n < size;
}

/* ---- set --------------------------------------------------------------------------------------- */

#define MODEL_ARGS                                                                                                    \
    void *c_client, const char *name, const size_t name_length, const char *model, const size_t model_length,         \
        const char *backend, const size_t backend_length
#define BATCH_ARGS                                                                                                    \
    const int batch_size, const int min_batch_size, const int min_batch_timeout, const char *tag,                    \
        const size_t tag_length, const char **inputs, const size_t *input_lengths, const size_t n_inputs,            \
        const char **outputs, const size_t *output_lengths, const size_t n_outputs
#define BATCH_PASS                                                                                                    \
    batch_size, min_batch_size, min_batch_timeout, tag, tag_length, inputs, input_lengths, n_inputs, outputs,        \
        output_lengths, n_outputs

SRError set_model(MODEL_ARGS, const char* device, const size_t device_length, BATCH_ARGS) {
    static const char* fn = "set_model";
    if (!c_client || !name || !model) return hs_fail(SRParameterError, "%s: %s is NULL", fn, !c_client ? "c_client" : !name ? "name" : "model");
    stored s;
    stored_init(&s, "model");
    hsd_sb_free(&s.inputs), hsd_sb_free(&s.outputs);
    SRError e = check_device(fn, &s, device, device_length);
    if (!e) e = check_model(fn, &s, backend, backend_length, BATCH_PASS);
    if (e) return hsd_sb_free(&s.inputs), hsd_sb_free(&s.outputs), e;
    if (min_batch_size > 0 && min_batch_timeout == 0)
        hs_log(c_client, LLInfo, "WARNING: min_batch_size is set without min_batch_timeout; the worker will not wait "
               "for a minimum batch");
    return store(c_client, fn, name, name_length, &s, model, model_length);
}

SRError set_model_from_file(void* c_client, const char* name, const size_t name_length, const char* model_file,
                            const size_t model_file_length, const char* backend, const size_t backend_length,
                            const char* device, const size_t device_length, BATCH_ARGS) {
    char* blob = NULL;
    size_t n = 0;
    SRError e = read_file("set_model_from_file", "model_file", model_file, model_file_length, &blob, &n);
    if (!e) e = set_model(c_client, name, name_length, blob, n, backend, backend_length, device, device_length, BATCH_PASS);
    free(blob);
    return e;
}

SRError set_model_multigpu(MODEL_ARGS, const int first_gpu, const int num_gpus, BATCH_ARGS) {
    SRError e = check_gpus("set_model_multigpu", first_gpu, num_gpus);
    if (!e && !name) e = hs_fail(SRParameterError, "set_model_multigpu: name is NULL");
    for (int gpu = first_gpu; !e && gpu - first_gpu <= num_gpus; gpu++) {
        char key[1024], device[32];
        size_t key_len = name_length;
        bool last = gpu - first_gpu == num_gpus; /* the copy under `name` itself, on "GPU" */
        if (!last && !gpu_key(key, sizeof key, name, name_length, gpu, &key_len))
            return hs_fail(SRParameterError, "set_model_multigpu: name is too long");
        snprintf(device, sizeof device, last ? "GPU" : "GPU:%d", gpu);
        e = set_model(c_client, last ? name : key, key_len, model, model_length, backend, backend_length, device,
                      strlen(device), BATCH_PASS);
    }
    return e;
}

SRError set_model_from_file_multigpu(void* c_client, const char* name, const size_t name_length,
                                     const char* model_file, const size_t model_file_length, const char* backend,
                                     const size_t backend_length, const int first_gpu, const int num_gpus, BATCH_ARGS) {
    char* blob = NULL;
    size_t n = 0;
    SRError e = read_file("set_model_from_file_multigpu", "model_file", model_file, model_file_length, &blob, &n);
    if (!e)
        e = set_model_multigpu(c_client, name, name_length, blob, n, backend, backend_length, first_gpu, num_gpus,
                               BATCH_PASS);
    free(blob);
    return e;
}

SRError set_script(void* c_client, const char* name, const size_t name_length, const char* device,
                   const size_t device_length, const char* script, const size_t script_length) {
    if (!c_client || !name || !script)
        return hs_fail(SRParameterError, "set_script: %s is NULL", !c_client ? "c_client" : !name ? "name" : "script");
    stored s;
    stored_init(&s, "script");
    SRError e = check_device("set_script", &s, device, device_length);
    if (e) return hsd_sb_free(&s.inputs), hsd_sb_free(&s.outputs), e;
    return store(c_client, "set_script", name, name_length, &s, script, script_length);
}

SRError set_script_from_file(void* c_client, const char* name, const size_t name_length, const char* device,
                             const size_t device_length, const char* script_file, const size_t script_file_length) {
    char* text = NULL;
    size_t n = 0;
    SRError e = read_file("set_script_from_file", "script_file", script_file, script_file_length, &text, &n);
    if (!e) e = set_script(c_client, name, name_length, device, device_length, text, n);
    free(text);
    return e;
}

SRError set_script_multigpu(void* c_client, const char* name, const size_t name_length, const char* script,
                            const size_t script_length, const int first_gpu, const int num_gpus) {
    SRError e = check_gpus("set_script_multigpu", first_gpu, num_gpus);
    if (!e && !name) e = hs_fail(SRParameterError, "set_script_multigpu: name is NULL");
    for (int gpu = first_gpu; !e && gpu - first_gpu <= num_gpus; gpu++) {
        char key[1024], device[32];
        size_t key_len = name_length;
        bool last = gpu - first_gpu == num_gpus;
        if (!last && !gpu_key(key, sizeof key, name, name_length, gpu, &key_len))
            return hs_fail(SRParameterError, "set_script_multigpu: name is too long");
        snprintf(device, sizeof device, last ? "GPU" : "GPU:%d", gpu);
        e = set_script(c_client, last ? name : key, key_len, device, strlen(device), script, script_length);
    }
    return e;
}

SRError set_script_from_file_multigpu(void* c_client, const char* name, const size_t name_length,
                                      const char* script_file, const size_t script_file_length, const int first_gpu,
                                      const int num_gpus) {
    char* text = NULL;
    size_t n = 0;
    SRError e = read_file("set_script_from_file_multigpu", "script_file", script_file, script_file_length, &text, &n);
    if (!e) e = set_script_multigpu(c_client, name, name_length, text, n, first_gpu, num_gpus);
    free(text);
    return e;
}

/* ---- get, delete, exists ------------------------------------------------------------------------ */

/* The stored object `name` of `kind` on the first shard: its blob reply (or SRKeyError). */
static SRError fetch(hs_client* c, const char* fn, const char* kind, const char* name, size_t name_len,
                     redisReply** blob, char** full_key, size_t* full_len) {
    char tag[HSD_TAG_MAX], what[512];
    size_t key_len = 0;
    *blob = NULL;
    *full_key = NULL;
    SRError e = hsd_ai_tag(c, 0, tag);
    if (e) return e;
    char* key = hsd_key(c, HS_MODEL, true, name, name_len, &key_len);
    char* full = key ? hsd_concat(tag, strlen(tag), key, key_len, full_len) : NULL;
    if (!full) return free(key), hsd_oom(fn);
    hsd_what(what, sizeof what, fn, key, key_len);
    const char* hmget[2 + N_FIELDS] = {"HMGET", full};
    size_t hmget_lens[2 + N_FIELDS] = {5, *full_len};
    for (int i = 0; i < N_FIELDS; i++) hmget[2 + i] = FIELDS[i], hmget_lens[2 + i] = strlen(FIELDS[i]);
    const char* hget[] = {"HGET", full, "blob"};
    size_t hget_lens[] = {4, *full_len, 4};
    int argcs[] = {2 + N_FIELDS, 3};
    const char** argvs[] = {hmget, hget};
    const size_t* lens[] = {hmget_lens, hget_lens};
    redisReply* r[2] = {NULL, NULL};
    e = hs_pipeline_on(c, 0, 2, argcs, argvs, lens, r);
    /* a key of another type answers WRONGTYPE: no such model either */
    bool found = !e && r[0] && r[0]->type == REDIS_REPLY_ARRAY && r[0]->elements == N_FIELDS &&
                 r[0]->element[0]->type == REDIS_REPLY_STRING && strcmp(r[0]->element[0]->str, kind) == 0 &&
                 r[1] && r[1]->type == REDIS_REPLY_STRING;
    if (!e && !found) e = hs_fail(SRKeyError, "no %s '%.*s' in the database", kind, HSD_STR(key, key_len));
    if (!e) *blob = r[1], r[1] = NULL, *full_key = full, full = NULL;
    hsd_free_replies(r, 2);
    free(key);
    free(full);
    return e;
}

static SRError get_object(void* c_client, const char* fn, const char* kind, const char* name, size_t len,
                          const char** data, size_t* n) {
    if (!c_client || !name || !data || !n) return hs_fail(SRParameterError, "%s: NULL argument", fn);
    redisReply* blob = NULL;
    char* full = NULL;
    size_t full_len = 0;
    SRError e = fetch(c_client, fn, kind, name, len, &blob, &full, &full_len);
    free(full);
    if (e) return e;
    char* bytes = blob->str; /* the reply's buffer becomes the client's */
    size_t size = (size_t)blob->len;
    blob->str = NULL;
    freeReplyObject(blob);
    if (!hs_keep(c_client, bytes)) return hsd_oom(fn);
    *data = bytes;
    *n = size;
    return SRNoError;
}

SRError get_model(void* c_client, const char* name, const size_t name_length, size_t* model_length, const char** model) {
    return get_object(c_client, "get_model", "model", name, name_length, model, model_length);
}

SRError get_script(void* c_client, const char* name, const size_t name_length, const char** script,
                   size_t* script_length) {
    return get_object(c_client, "get_script", "script", name, name_length, script, script_length);
}

static SRError delete_object(void* c_client, const char* fn, const char* kind, const char* name, size_t len) {
    if (!c_client || !name) return hs_fail(SRParameterError, "%s: %s is NULL", fn, !c_client ? "c_client" : "name");
    hs_client* c = c_client;
    redisReply* blob = NULL;
    char* full = NULL;
    size_t full_len = 0, key_len = 0;
    SRError e = fetch(c, fn, kind, name, len, &blob, &full, &full_len);
    hsd_drop(blob, SRNoError);
    free(full);
    char* key = e ? NULL : hsd_key(c, HS_MODEL, true, name, len, &key_len);
    if (!e && !key) e = hsd_oom(fn);
    for (size_t shard = 0; !e && shard < hs_shard_count(c); shard++) {
        char tag[HSD_TAG_MAX], what[512];
        if ((e = hsd_ai_tag(c, shard, tag))) break;
        hsd_sb k = {0}, stats = {0};
        hsd_sb_str(&k, tag), hsd_sb_put(&k, key, key_len);
        hsd_sb_fmt(&stats, "%s__hpcsim.ai.stats.%s", tag, tag), hsd_sb_put(&stats, key, key_len);
        const char* argv[] = {"DEL", k.p, stats.p};
        size_t lens[] = {3, k.n, stats.n};
        redisReply* r = k.oom || stats.oom ? NULL : hs_command_on(c, shard, 3, argv, lens, &e);
        if (k.oom || stats.oom) e = hsd_oom(fn);
        if (r) e = hs_check_reply(r, hsd_what(what, sizeof what, fn, key, key_len)), freeReplyObject(r);
        hsd_sb_free(&k), hsd_sb_free(&stats);
    }
    free(key);
    return e;
}

SRError delete_model(void* c_client, const char* name, const size_t name_length) {
    return delete_object(c_client, "delete_model", "model", name, name_length);
}

SRError delete_script(void* c_client, const char* name, const size_t name_length) {
    return delete_object(c_client, "delete_script", "script", name, name_length);
}

static SRError delete_multigpu(void* c_client, const char* fn, const char* kind, const char* name, size_t len,
                               int first_gpu, int num_gpus) {
    SRError e = check_gpus(fn, first_gpu, num_gpus);
    if (!e && !name) e = hs_fail(SRParameterError, "%s: name is NULL", fn);
    for (int gpu = first_gpu; !e && gpu - first_gpu <= num_gpus; gpu++) {
        char key[1024];
        size_t key_len = len;
        bool last = gpu - first_gpu == num_gpus;
        if (!last && !gpu_key(key, sizeof key, name, len, gpu, &key_len))
            return hs_fail(SRParameterError, "%s: name is too long", fn);
        e = delete_object(c_client, fn, kind, last ? name : key, key_len);
    }
    return e;
}

SRError delete_model_multigpu(void* c_client, const char* name, const size_t name_length, const int first_gpu,
                              const int num_gpus) {
    return delete_multigpu(c_client, "delete_model_multigpu", "model", name, name_length, first_gpu, num_gpus);
}

SRError delete_script_multigpu(void* c_client, const char* name, const size_t name_length, const int first_gpu,
                               const int num_gpus) {
    return delete_multigpu(c_client, "delete_script_multigpu", "script", name, name_length, first_gpu, num_gpus);
}

SRError model_exists(void* c_client, const char* name, const size_t name_length, bool* exists) {
    if (!c_client || !name || !exists)
        return hs_fail(SRParameterError, "model_exists: %s is NULL", !c_client ? "c_client" : !name ? "name" : "exists");
    char tag[HSD_TAG_MAX], what[512];
    SRError e = hsd_ai_tag(c_client, 0, tag);
    if (e) return e;
    size_t key_len = 0;
    char* key = hsd_key(c_client, HS_MODEL, true, name, name_length, &key_len);
    hsd_sb full = {0};
    hsd_sb_str(&full, tag), hsd_sb_put(&full, key ? key : "", key_len);
    const char* argv[] = {"HEXISTS", full.p, "kind"};
    size_t lens[] = {7, full.n, 4};
    redisReply* r = !key || full.oom ? NULL : hs_command_on(c_client, 0, 3, argv, lens, &e);
    if (!key || full.oom) e = hsd_oom("model_exists");
    /* a key of another type (WRONGTYPE) holds no model */
    if (r) *exists = r->type == REDIS_REPLY_INTEGER && r->integer == 1;
    if (r && r->type == REDIS_REPLY_ERROR && !strstr(r->str, "WRONGTYPE"))
        e = hs_check_reply(r, hsd_what(what, sizeof what, "model_exists", key, key_len));
    hsd_drop(r, SRNoError);
    free(key);
    hsd_sb_free(&full);
    return e;
}

typedef struct {
    void* client;
    const char* name;
    size_t len;
} poll_ctx;

static SRError model_check(void* ctx, bool* ok) {
    poll_ctx* p = ctx;
    return model_exists(p->client, p->name, p->len, ok);
}

SRError poll_model(void* c_client, const char* name, const size_t name_length, const int poll_frequency_ms,
                   const int num_tries, bool* exists) {
    if (!c_client || !name || !exists)
        return hs_fail(SRParameterError, "poll_model: %s is NULL", !c_client ? "c_client" : !name ? "name" : "exists");
    poll_ctx ctx = {c_client, name, name_length};
    return hsd_poll("poll_model", poll_frequency_ms, num_tries, exists, model_check, &ctx);
}
