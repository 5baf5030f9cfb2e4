/* The inference worker's protocol (hpcsim/ml/protocol.py, hpcsim/client/_inference.py):
 * per-shard hash tags, requests queued only while the worker's heartbeat lives (one Lua step),
 * the answer awaited in slices with heartbeat checks, and run inputs/outputs placed on the
 * worker's shard. */
#define _POSIX_C_SOURCE 200809L

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "c_client.h"
#include "data_internal.h"

static const char PUSH_SCRIPT[] =
    "if redis.call('EXISTS', KEYS[1]) == 0 then return 0 end redis.call('RPUSH', KEYS[2], ARGV[1]) return 1";
/* the first wait for an answer, sent along with the request; a missing heartbeat is waited for this long */
#define FIRST_WAIT 0.1
#define HEARTBEAT_GRACE 1.5

SRError hsd_ai_tag(hs_client* c, size_t shard, char out[HSD_TAG_MAX]) {
    static const char alphabet[] = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
    out[0] = '\0';
    if (!hs_is_cluster(c)) return SRNoError;
    /* protocol.cluster_tag: the first of a..9, aa..99, aaa..999 (itertools.product order) whose slot
     * the shard owns */
    for (size_t size = 1; size <= 3; size++) {
        size_t combos = 1;
        for (size_t k = 0; k < size; k++) combos *= sizeof alphabet - 1;
        for (size_t n = 0; n < combos; n++) {
            char cand[4];
            for (size_t k = size, rest = n; k-- > 0; rest /= sizeof alphabet - 1) cand[k] = alphabet[rest % (sizeof alphabet - 1)];
            if (hs_shard_owns(c, shard, hs_key_slot(cand, size))) {
                snprintf(out, HSD_TAG_MAX, "{%.*s}.", (int)size, cand);
                return SRNoError;
            }
        }
    }
    return hs_fail(SRInternalError, "no hash tag found for the database server %s", hs_shard_label(c, shard));
}

static bool json_list(hsd_sb* s, size_t n, char* const* items, const size_t* lens) {
    bool ok = true;
    hsd_sb_put(s, "[", 1);
    for (size_t i = 0; i < n; i++) {
        if (i) hsd_sb_put(s, ",", 1);
        ok = hsd_json_string(s, items[i], lens[i]) && ok;
    }
    hsd_sb_put(s, "]", 1);
    return ok;
}

SRError hsd_ai_request(hsd_sb* body, const char* what, const char* op, const char* key, size_t key_len,
                       const char* reply, const char* fn, size_t fn_len, size_t n_in, char* const* in,
                       const size_t* in_lens, size_t n_out, char* const* out, const size_t* out_lens) {
    hsd_sb_fmt(body, "{\"op\":\"%s\",\"key\":", op);
    bool ok = hsd_json_string(body, key, key_len);
    hsd_sb_str(body, ",\"reply\":");
    ok = hsd_json_string(body, reply, strlen(reply)) && ok;
    hsd_sb_str(body, ",\"fn\":");
    ok = hsd_json_string(body, fn, fn_len) && ok;
    hsd_sb_str(body, ",\"in\":");
    ok = json_list(body, n_in, in, in_lens) && ok;
    hsd_sb_str(body, ",\"out\":");
    ok = json_list(body, n_out, out, out_lens) && ok;
    hsd_sb_str(body, "}");
    if (body->oom) return hsd_oom(what);
    if (!ok) return hs_fail(SRParameterError, "%s: a key or function name is not valid UTF-8", what);
    return SRNoError;
}

static void seconds(char* buf, size_t size, double s) { snprintf(buf, size, "%.3f", s < 0.001 ? 0.001 : s); }

/* Two commands on `shard`; both replies in r[0], r[1] (checked for errors). */
static SRError two(hs_client* c, size_t shard, const char* what, hsd_cmd* cmds, redisReply** r) {
    r[0] = r[1] = NULL;
    return hsd_pipe(c, NULL, 0, (long)shard, cmds, 2, r, what);
}

static void withdraw(hs_client* c, size_t shard, const char* queue, const hsd_sb* body) {
    const char* argv[] = {"LREM", queue, "1", body->p};
    size_t lens[] = {4, strlen(queue), 1, body->n};
    SRError e;
    redisReply* r = hs_command_on(c, shard, 4, argv, lens, &e);
    if (r) freeReplyObject(r);
}

SRError hsd_ai_ask(hs_client* c, size_t shard, const char* tag, const hsd_sb* body, const char* reply,
                   const char* what) {
    char heartbeat[HSD_TAG_MAX + 32], queue[HSD_TAG_MAX + 32], wait[32];
    snprintf(heartbeat, sizeof heartbeat, "%s__hpcsim.ai.worker", tag);
    snprintf(queue, sizeof queue, "%s__hpcsim.ai.queue", tag);
    double sock = (double)hs_socket_timeout_ms(c) / 1000.0, model = (double)hs_model_timeout_ms(c) / 1000.0;
    double first = sock > 0 && sock / 2 < FIRST_WAIT ? sock / 2 : FIRST_WAIT;
    double slice = sock > 0 && sock / 2 < 1.0 ? sock / 2 : 1.0;
    seconds(wait, sizeof wait, first);
    hsd_cmd cmds[2];
    const char* push[] = {"EVAL", PUSH_SCRIPT, "2", heartbeat, queue, body->p};
    size_t push_lens[] = {4, sizeof PUSH_SCRIPT - 1, 1, strlen(heartbeat), strlen(queue), body->n};
    const char* pop[] = {"BLPOP", reply, wait};
    size_t pop_lens[] = {5, strlen(reply), 0};
    cmds[0] = (hsd_cmd){6, push, push_lens};
    cmds[1] = (hsd_cmd){3, pop, pop_lens};
    redisReply* r[2];
    double missing_since = hsd_now();
    long long pushed = 0;
    for (;;) {
        pop_lens[2] = strlen(wait);
        SRError e = two(c, shard, what, cmds, r);
        if (e) return hsd_free_replies(r, 2), e;
        pushed = r[0]->type == REDIS_REPLY_INTEGER ? r[0]->integer : 0;
        /* a heartbeat also vanishes with FLUSHDB for up to a second: look again before giving up */
        if (pushed == 1 || hsd_now() - missing_since > HEARTBEAT_GRACE) break;
        hsd_free_replies(r, 2);
    }
    if (pushed != 1) {
        hsd_free_replies(r, 2);
        return hs_fail(SRRuntimeError,
                       "%s: no inference worker is running beside the database server %s; hpcsim starts one with "
                       "every server it launches, so this server was started some other way or its worker stopped "
                       "(see the database's log)", what, hs_shard_label(c, shard));
    }
    redisReply* answer = r[1];
    freeReplyObject(r[0]);
    double deadline = hsd_now() + model;
    const char* exists[] = {"EXISTS", heartbeat};
    size_t exists_lens[] = {6, strlen(heartbeat)};
    cmds[0] = (hsd_cmd){3, pop, pop_lens};
    cmds[1] = (hsd_cmd){2, exists, exists_lens};
    while (answer->type != REDIS_REPLY_ARRAY) {
        freeReplyObject(answer);
        double left = deadline - hsd_now();
        if (left <= 0) {
            withdraw(c, shard, queue, body);
            return hs_fail(SRTimeoutError,
                           "%s: no answer from the inference worker beside %s within the model timeout "
                           "(HPCSIM_MODEL_TIMEOUT / SR_MODEL_TIMEOUT) of %g s; the request was withdrawn",
                           what, hs_shard_label(c, shard), model);
        }
        seconds(wait, sizeof wait, left < slice ? left : slice);
        pop_lens[2] = strlen(wait);
        SRError e = two(c, shard, what, cmds, r);
        if (e) return hsd_free_replies(r, 2), e;
        answer = r[0];
        bool alive = r[1]->type == REDIS_REPLY_INTEGER && r[1]->integer > 0;
        freeReplyObject(r[1]);
        if (answer->type != REDIS_REPLY_ARRAY && !alive) {
            freeReplyObject(answer);
            withdraw(c, shard, queue, body);
            return hs_fail(SRRuntimeError, "%s: the inference worker beside %s stopped before answering", what,
                           hs_shard_label(c, shard));
        }
    }
    char* error = NULL;
    bool ok = answer->elements == 2 && answer->element[1]->type == REDIS_REPLY_STRING &&
              hsd_json_error(answer->element[1]->str, (size_t)answer->element[1]->len, &error);
    freeReplyObject(answer);
    if (!ok) return hs_fail(SRRuntimeError, "%s: unreadable answer from the inference worker beside %s", what,
                            hs_shard_label(c, shard));
    if (!error) return SRNoError;
    SRError e = hs_fail(SRRuntimeError, "%s: %s", what, error);
    free(error);
    return e;
}

/* key itself when `shard` holds it, else a temporary copy there. */
static SRError place_input(hs_client* c, size_t shard, const char* tmp, size_t i, char* key, size_t len,
                           char** local, size_t* local_len) {
    *local = NULL;
    if (!hs_is_cluster(c) || hs_shard_owns(c, shard, hs_key_slot(key, len))) return SRNoError;
    const char* get[] = {"GET", key};
    size_t get_lens[] = {3, len};
    char what[512];
    SRError e = SRNoError;
    redisReply* value = hsd_run(c, hsd_what(what, sizeof what, "reading input", key, len), 2, get, get_lens, &e);
    if (!value) return e;
    if (value->type != REDIS_REPLY_STRING)
        return hsd_drop(value, hs_fail(SRKeyError, "input tensor '%.*s' does not exist", HSD_STR(key, len)));
    hsd_sb name = {0};
    hsd_sb_fmt(&name, "%s.in%zu", tmp, i);
    const char* set[] = {"SET", name.p, value->str};
    size_t set_lens[] = {3, name.n, (size_t)value->len};
    redisReply* r = name.oom ? NULL : hs_command_on(c, shard, 3, set, set_lens, &e);
    if (r) e = hs_check_reply(r, hsd_what(what, sizeof what, "copying input next to the worker", key, len));
    else if (name.oom) e = hsd_oom("run");
    hsd_drop(r, SRNoError);
    hsd_drop(value, SRNoError);
    if (e) return hsd_sb_free(&name), e;
    *local = name.p;
    *local_len = name.n;
    return SRNoError;
}

SRError hsd_ai_execute(hs_client* c, const char* what, const char* key, size_t key_len, const char* fn, size_t fn_len,
                       size_t n_in, char* const* in, const size_t* in_lens, size_t n_out, char* const* out,
                       const size_t* out_lens) {
    if (n_in == 0) return hs_fail(SRParameterError, "%s: give at least one input tensor", what);
    if (n_out == 0) return hs_fail(SRParameterError, "%s: give at least one output tensor name", what);
    size_t shard = hs_shard_of(c, in[0], in_lens[0]);
    char tag[HSD_TAG_MAX], token[17], tmp[HSD_TAG_MAX + 48], reply[HSD_TAG_MAX + 48];
    SRError e = hsd_ai_tag(c, shard, tag);
    if (e) return e;
    hsd_token(token);
    snprintf(tmp, sizeof tmp, "%s__hpcsim.ai.tmp.%s", tag, token);
    snprintf(reply, sizeof reply, "%s__hpcsim.ai.reply.%s", tag, token);
    char** local = calloc(n_in + n_out + 1, sizeof(char*)); /* temporary keys (NULL: the key itself) */
    size_t* local_lens = calloc(n_in + n_out + 1, sizeof(size_t));
    char** use = calloc(n_in + n_out + 1, sizeof(char*));
    size_t* use_lens = calloc(n_in + n_out + 1, sizeof(size_t));
    hsd_sb body = {0}, full = {0};
    if (!local || !local_lens || !use || !use_lens) e = hsd_oom(what);
    for (size_t i = 0; !e && i < n_in + n_out; i++) {
        bool input = i < n_in;
        char* k = input ? in[i] : out[i - n_in];
        size_t l = input ? in_lens[i] : out_lens[i - n_in];
        if (input) {
            e = place_input(c, shard, tmp, i, k, l, &local[i], &local_lens[i]);
        } else if (hs_is_cluster(c) && !hs_shard_owns(c, shard, hs_key_slot(k, l))) {
            hsd_sb name = {0};
            hsd_sb_fmt(&name, "%s.out%zu", tmp, i - n_in);
            if (name.oom) e = hsd_oom(what);
            local[i] = name.p, local_lens[i] = name.n;
        }
        use[i] = local[i] ? local[i] : k;
        use_lens[i] = local[i] ? local_lens[i] : l;
    }
    hsd_sb_str(&full, tag);
    hsd_sb_put(&full, key, key_len);
    if (!e && full.oom) e = hsd_oom(what);
    if (!e) e = hsd_ai_request(&body, what, "run", full.p, full.n, reply, fn, fn_len, n_in, use, use_lens, n_out,
                               use + n_in, use_lens + n_in);
    if (!e) e = hsd_ai_ask(c, shard, tag, &body, reply, what);
    for (size_t i = 0; !e && i < n_out; i++) {
        if (!local[n_in + i]) continue;
        const char* get[] = {"GET", local[n_in + i]};
        size_t get_lens[] = {3, local_lens[n_in + i]};
        redisReply* value = hs_command_on(c, shard, 2, get, get_lens, &e);
        if (value && value->type != REDIS_REPLY_STRING)
            e = hs_fail(SRRuntimeError, "%s: the worker wrote no output '%.*s'", what, HSD_STR(out[i], out_lens[i]));
        const char* set[] = {"SET", out[i], value ? value->str : ""};
        size_t set_lens[] = {3, out_lens[i], value ? (size_t)value->len : 0};
        char w[512];
        redisReply* r = e ? NULL : hsd_run(c, hsd_what(w, sizeof w, "writing output", out[i], out_lens[i]), 3, set, set_lens, &e);
        hsd_drop(r, SRNoError);
        hsd_drop(value, SRNoError);
    }
    /* the temporary copies go, whatever happened */
    hsd_cmd del = {0, NULL, NULL};
    if (local && hsd_cmd_init(&del, n_in + n_out + 1)) {
        hsd_arg(&del, "DEL", 3);
        for (size_t i = 0; i < n_in + n_out; i++)
            if (local[i]) hsd_arg(&del, local[i], local_lens[i]);
        SRError ignored;
        redisReply* r = del.argc > 1 ? hs_command_on(c, shard, del.argc, del.argv, del.lens, &ignored) : NULL;
        hsd_drop(r, SRNoError);
    }
    free(del.argv), free(del.lens);
    for (size_t i = 0; local && i < n_in + n_out; i++) free(local[i]);
    free(local), free(local_lens), free(use), free(use_lens);
    hsd_sb_free(&body), hsd_sb_free(&full);
    return e;
}

/* ---- run_model / run_script (the C API) ----------------------------------------------------------- */

/* The keys of a name list (tensor prefix for reading or writing); NULL/empty lists give none. */
static SRError tensor_keys(hs_client* c, const char* what, const char* which, const char** names, const size_t* lens,
                           size_t n, bool read, char*** keys, size_t** key_lens, size_t* count) {
    *count = 0;
    *keys = NULL;
    *key_lens = NULL;
    if (!names || n == 0 || (n == 1 && lens && lens[0] == 0)) return SRNoError;
    if (!lens) return hs_fail(SRParameterError, "%s: the lengths of %s are NULL", what, which);
    *keys = calloc(n, sizeof(char*));
    *key_lens = calloc(n, sizeof(size_t));
    if (!*keys || !*key_lens) return hsd_oom(what);
    *count = n;
    for (size_t i = 0; i < n; i++) {
        if (!names[i]) return hs_fail(SRParameterError, "%s: %s[%zu] is NULL", what, which, i);
        if (!((*keys)[i] = hsd_key(c, HS_TENSOR, read, names[i], lens[i], &(*key_lens)[i]))) return hsd_oom(what);
    }
    return SRNoError;
}

static void free_keys(char** keys, size_t* lens, size_t n) {
    for (size_t i = 0; keys && i < n; i++) free(keys[i]);
    free(keys);
    free(lens);
}

static SRError run(void* c_client, const char* op, const char* name, size_t name_len, const char* fn, size_t fn_len,
                   const char** inputs, const size_t* input_lengths, size_t n_inputs, const char** outputs,
                   const size_t* output_lengths, size_t n_outputs) {
    if (!c_client || !name) return hs_fail(SRParameterError, "%s: %s is NULL", op, !c_client ? "c_client" : "name");
    hs_client* c = c_client;
    size_t key_len = 0, n_in = 0, n_out = 0, *in_lens = NULL, *out_lens = NULL;
    char **in = NULL, **out = NULL, what[600];
    char* key = hsd_key(c, HS_MODEL, true, name, name_len, &key_len);
    if (!key) return hsd_oom(op);
    hsd_what(what, sizeof what, op, key, key_len);
    if (fn) snprintf(what + strlen(what), sizeof what - strlen(what), " %.*s()", HSD_STR(fn, fn_len));
    SRError e = tensor_keys(c, what, "inputs", inputs, input_lengths, n_inputs, true, &in, &in_lens, &n_in);
    if (!e) e = tensor_keys(c, what, "outputs", outputs, output_lengths, n_outputs, false, &out, &out_lens, &n_out);
    if (!e) e = hsd_ai_execute(c, what, key, key_len, fn ? fn : "", fn ? fn_len : 0, n_in, in, in_lens, n_out, out, out_lens);
    free_keys(in, in_lens, n_in);
    free_keys(out, out_lens, n_out);
    free(key);
    return e;
}

SRError run_model(void* c_client, const char* name, const size_t name_length, const char** inputs,
                  const size_t* input_lengths, const size_t n_inputs, const char** outputs,
                  const size_t* output_lengths, const size_t n_outputs) {
    return run(c_client, "run_model", name, name_length, NULL, 0, inputs, input_lengths, n_inputs, outputs,
               output_lengths, n_outputs);
}

SRError run_script(void* c_client, const char* name, const size_t name_length, const char* function,
                   const size_t function_length, const char** inputs, const size_t* input_lengths,
                   const size_t n_inputs, const char** outputs, const size_t* output_lengths, const size_t n_outputs) {
    if (!function) return hs_fail(SRParameterError, "run_script: function is NULL");
    return run(c_client, "run_script", name, name_length, function, function_length, inputs, input_lengths, n_inputs,
               outputs, output_lengths, n_outputs);
}

/* "<name>.GPU:<first_gpu + offset mod num_gpus>" */
static SRError gpu_copy(const char* what, const char* name, size_t len, int offset, int first_gpu, int num_gpus,
                        char* buf, size_t size, size_t* out_len) {
    if (first_gpu < 0 || num_gpus < 1)
        return hs_fail(SRParameterError, "%s: first_gpu must be >= 0 and num_gpus >= 1, got %d and %d", what, first_gpu,
                       num_gpus);
    if (!name) return hs_fail(SRParameterError, "%s: name is NULL", what);
    int gpu = first_gpu + ((offset % num_gpus) + num_gpus) % num_gpus;
    int n = snprintf(buf, size, "%.*s.GPU:%d", (int)(len > 900 ? 900 : len), name, gpu);
    if (n < 0 || (size_t)n >= size || len > 900) return hs_fail(SRParameterError, "%s: name is too long", what);
    *out_len = (size_t)n;
    return SRNoError;
}

SRError run_model_multigpu(void* c_client, const char* name, const size_t name_length, const char** inputs,
                           const size_t* input_lengths, const size_t n_inputs, const char** outputs,
                           const size_t* output_lengths, const size_t n_outputs, const int offset, const int first_gpu,
                           const int num_gpus) {
    char copy[1024];
    size_t len = 0;
    SRError e = gpu_copy("run_model_multigpu", name, name_length, offset, first_gpu, num_gpus, copy, sizeof copy, &len);
    return e ? e : run_model(c_client, copy, len, inputs, input_lengths, n_inputs, outputs, output_lengths, n_outputs);
}

SRError run_script_multigpu(void* c_client, const char* name, const size_t name_length, const char* function,
                            const size_t function_length, const char** inputs, const size_t* input_lengths,
                            const size_t n_inputs, const char** outputs, const size_t* output_lengths,
                            const size_t n_outputs, const int offset, const int first_gpu, const int num_gpus) {
    char copy[1024];
    size_t len = 0;
    SRError e = gpu_copy("run_script_multigpu", name, name_length, offset, first_gpu, num_gpus, copy, sizeof copy, &len);
    return e ? e
             : run_script(c_client, copy, len, function, function_length, inputs, input_lengths, n_inputs, outputs,
                          output_lengths, n_outputs);
}

/* SmartRedis exports these helpers with C linkage; here they record a parameter error (they
 * cannot return one) and are otherwise unused. */
bool _isTensorFlow(const char* backend) {
    if (!backend) return false;
    char up[8];
    size_t n = strlen(backend);
    if (n >= sizeof up) return false;
    for (size_t i = 0; i <= n; i++) up[i] = (char)(backend[i] >= 'a' && backend[i] <= 'z' ? backend[i] - 32 : backend[i]);
    return strcmp(up, "TF") == 0 || strcmp(up, "TFLITE") == 0;
}

static void check_io(const char* fn, const char** inputs, const size_t* input_lengths, const char** outputs,
                     const size_t* output_lengths) {
    if (!inputs || !input_lengths || !outputs || !output_lengths)
        (void)hs_fail(SRParameterError, "%s: inputs, outputs and their lengths must not be NULL", fn);
}

void _check_params_set_model(void* c_client, const char* name, const char* backend, const char** inputs,
                             const size_t* input_lengths, const size_t n_inputs, const char** outputs,
                             const size_t* output_lengths, const size_t n_outputs) {
    (void)n_inputs, (void)n_outputs;
    if (!c_client || !name || !backend) (void)hs_fail(SRParameterError, "set_model: c_client, name and backend must not be NULL");
    else if (_isTensorFlow(backend)) check_io("set_model", inputs, input_lengths, outputs, output_lengths);
}

void _check_params_run_script(void* c_client, const char* name, const char* function, const char** inputs,
                              const size_t* input_lengths, const size_t n_inputs, const char** outputs,
                              const size_t* output_lengths, const size_t n_outputs) {
    (void)n_inputs, (void)n_outputs;
    if (!c_client || !name || !function) (void)hs_fail(SRParameterError, "run_script: c_client, name and function must not be NULL");
    else check_io("run_script", inputs, input_lengths, outputs, output_lengths);
}

void _check_params_run_model(void* c_client, const char* name, const char** inputs, const size_t* input_lengths,
                             const size_t n_inputs, const char** outputs, const size_t* output_lengths,
                             const size_t n_outputs) {
    (void)n_inputs, (void)n_outputs;
    if (!c_client || !name) (void)hs_fail(SRParameterError, "run_model: c_client and name must not be NULL");
    else check_io("run_model", inputs, input_lengths, outputs, output_lengths);
}
