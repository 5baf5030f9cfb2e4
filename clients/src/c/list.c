/* Aggregation lists (as hpcsim/client/_datasets.py), and reading datasets from the database:
 * their metadata hashes and tensors, with one pipeline per shard. A list holds dataset base keys
 * PREFIX{NAME}; a reader takes entry + ".meta" and entry + "." + tensor. */
#define _POSIX_C_SOURCE 200809L

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "c_client.h"
#include "data_internal.h"
#include "hpcsim_client.h"

/* ---- helpers shared with data_store.c --------------------------------------------------------- */

SRError hsd_oom(const char* what) { return hs_fail(SRBadAllocError, "%s: out of memory", what); }

static SRError check_replies(redisReply** replies, size_t n, const char* what) {
    SRError e = SRNoError;
    for (size_t i = 0; i < n && !e; i++) e = hs_check_reply(replies[i], what);
    return e;
}

void hsd_free_replies(redisReply** replies, size_t n) {
    for (size_t i = 0; replies && i < n; i++)
        if (replies[i]) freeReplyObject(replies[i]);
}

bool hsd_is_field(const char* name, size_t len, const char* want) {
    return len == strlen(want) && memcmp(name, want, len) == 0;
}

bool hsd_dataset_name_of(const char* base, size_t len, const char** name, size_t* name_len) {
    const char* open = memchr(base, '{', len);
    const char* close = open ? memchr(open + 1, '}', len - (size_t)(open + 1 - base)) : NULL;
    if (!close) return false;
    *name = open + 1;
    *name_len = (size_t)(close - open - 1);
    return true;
}

/* One command of a pipeline: argv with its lengths (at most `cap` arguments). */

bool hsd_cmd_init(hsd_cmd* c, size_t cap) {
    c->argc = 0;
    c->argv = malloc(cap * sizeof(char*));
    c->lens = malloc(cap * sizeof(size_t));
    return c->argv && c->lens;
}

void hsd_arg(hsd_cmd* c, const char* p, size_t len) {
    c->argv[c->argc] = p;
    c->lens[c->argc++] = len;
}

void hsd_cmds_free(hsd_cmd* cmds, size_t n) {
    for (size_t i = 0; cmds && i < n; i++) free(cmds[i].argv), free(cmds[i].lens);
    free(cmds);
}

/* Runs n commands in one pipeline routed by `route` (shard < 0) or on one shard. */
SRError hsd_pipe(hs_client* c, const char* route, size_t route_len, long shard, hsd_cmd* cmds, size_t n,
                        redisReply** replies, const char* what) {
    if (n == 0) return SRNoError;
    int* argcs = malloc(n * sizeof(int));
    const char*** argvs = malloc(n * sizeof(char**));
    const size_t** lens = malloc(n * sizeof(size_t*));
    SRError e = SRNoError;
    if (!argcs || !argvs || !lens) e = hsd_oom(what);
    for (size_t i = 0; !e && i < n; i++) argcs[i] = cmds[i].argc, argvs[i] = cmds[i].argv, lens[i] = cmds[i].lens;
    if (!e && shard < 0)
        e = hs_pipeline(c, route, route_len, n, argcs, (const char** const*)argvs, (const size_t* const*)lens, replies);
    else if (!e)
        e = hs_pipeline_on(c, (size_t)shard, n, argcs, (const char** const*)argvs, (const size_t* const*)lens, replies);
    if (!e) e = check_replies(replies, n, what);
    free(argcs);
    free((void*)argvs);
    free((void*)lens);
    return e;
}

/* ---- reading ------------------------------------------------------------------------------------ */

/* The field value named `want` in an HGETALL reply, or NULL. */
static const redisReply* hash_field(const redisReply* hash, const char* want) {
    for (size_t i = 0; i + 1 < hash->elements; i += 2) {
        const redisReply* k = hash->element[i];
        if (k->type == REDIS_REPLY_STRING && (size_t)k->len == strlen(want) && memcmp(k->str, want, k->len) == 0)
            return hash->element[i + 1];
    }
    return NULL;
}

void hsd_strings_free(hsd_strings* s) {
    for (size_t i = 0; s->names && i < s->n; i++) free(s->names[i]);
    free(s->names);
    free(s->lens);
}

SRError hsd_tensor_names_of(const redisReply* hash, const char* base, size_t blen, hsd_strings* out) {
    const redisReply* raw = hash_field(hash, HSD_TENSOR_NAMES);
    *out = (hsd_strings){0};
    if (!raw) return SRNoError;
    char field[600];
    snprintf(field, sizeof field, "%.*s %s", HSD_STR(base, blen), HSD_TENSOR_NAMES);
    return hsd_decode_strings(field, strlen(field), raw->str, (size_t)raw->len, &out->names, &out->lens, &out->n);
}

SRError hsd_fetch_datasets(hs_client* c, size_t n, char* const* bases, const size_t* base_lens,
                          const char* list_key, hsd_dataset** out) {
    static const char* what = "reading datasets";
    size_t shards = hs_shard_count(c), total = 0, at = 0;
    char** metas = calloc(n + 1, sizeof(char*));
    size_t* mlens = calloc(n + 1, sizeof(size_t));
    size_t* shard = calloc(n + 1, sizeof(size_t));
    redisReply** hashes = calloc(n + 1, sizeof(redisReply*));
    hsd_strings* names = calloc(n + 1, sizeof(hsd_strings));
    hsd_cmd* cmds = NULL;
    redisReply** values = NULL;
    size_t* owner = NULL;
    SRError e = metas && mlens && shard && hashes && names ? SRNoError : hsd_oom(what);
    for (size_t i = 0; i < n; i++) out[i] = NULL;
    for (size_t i = 0; !e && i < n; i++) {
        metas[i] = hsd_concat(bases[i], base_lens[i], ".meta", 5, &mlens[i]);
        if (!metas[i]) e = hsd_oom(what);
        else shard[i] = hs_shard_of(c, metas[i], mlens[i]);
    }
    /* 1: HGETALL every metadata hash, one pipeline per shard */
    cmds = calloc(n + 1, sizeof(hsd_cmd));
    redisReply** got = calloc(n + 1, sizeof(redisReply*));
    if (!e && (!cmds || !got)) e = hsd_oom(what);
    for (size_t s = 0; !e && s < shards; s++) {
        size_t m = 0;
        for (size_t i = 0; !e && i < n; i++)
            if (shard[i] == s && hsd_cmd_init(&cmds[m], 2)) hsd_arg(&cmds[m], "HGETALL", 7), hsd_arg(&cmds[m++], metas[i], mlens[i]);
            else if (shard[i] == s) e = hsd_oom(what);
        if (!e) e = hsd_pipe(c, NULL, 0, (long)s, cmds, m, got, what);
        for (size_t i = 0, k = 0; i < n && k < m; i++)
            if (shard[i] == s) hashes[i] = got[k], got[k++] = NULL;
        hsd_cmds_free(cmds, m);
        cmds = calloc(n + 1, sizeof(hsd_cmd));
        if (!cmds && !e) e = hsd_oom(what);
    }
    free(got);
    for (size_t i = 0; !e && i < n; i++) {
        if (!hashes[i] || hashes[i]->type != REDIS_REPLY_ARRAY || hashes[i]->elements == 0) {
            if (list_key)
                e = hs_fail(SRKeyError, "list '%s' refers to dataset '%.*s', which is not in the database", list_key,
                            HSD_STR(bases[i], base_lens[i]));
            else e = hsd_missing(c, HS_DATASET, "dataset", bases[i], base_lens[i]);
        } else {
            e = hsd_tensor_names_of(hashes[i], bases[i], base_lens[i], &names[i]);
            total += names[i].n;
        }
    }
    /* 2: GET every tensor, one pipeline per shard */
    char** keys = calloc(total + 1, sizeof(char*));
    size_t* klens = calloc(total + 1, sizeof(size_t));
    values = calloc(total + 1, sizeof(redisReply*));
    owner = calloc(total + 1, sizeof(size_t));
    hsd_cmds_free(cmds, 0);
    cmds = calloc(total + 1, sizeof(hsd_cmd));
    if (!e && (!keys || !klens || !values || !owner || !cmds)) e = hsd_oom(what);
    for (size_t i = 0; !e && i < n; i++)
        for (size_t k = 0; !e && k < names[i].n; k++, at++) {
            char* dot = hsd_concat(bases[i], base_lens[i], ".", 1, NULL);
            keys[at] = dot ? hsd_concat(dot, base_lens[i] + 1, names[i].names[k], names[i].lens[k], &klens[at]) : NULL;
            free(dot);
            owner[at] = i;
            if (!keys[at]) e = hsd_oom(what);
        }
    for (size_t s = 0; !e && s < shards; s++) {
        size_t m = 0;
        redisReply** part = calloc(total + 1, sizeof(redisReply*));
        if (!part) e = hsd_oom(what);
        for (size_t t = 0; !e && t < total; t++)
            if (shard[owner[t]] == s && hsd_cmd_init(&cmds[m], 2)) hsd_arg(&cmds[m], "GET", 3), hsd_arg(&cmds[m++], keys[t], klens[t]);
            else if (shard[owner[t]] == s) e = hsd_oom(what);
        if (!e) e = hsd_pipe(c, NULL, 0, (long)s, cmds, m, part, what);
        for (size_t t = 0, k = 0; part && t < total && k < m; t++)
            if (shard[owner[t]] == s) values[t] = part[k], part[k++] = NULL;
        hsd_free_replies(part, m);
        free(part);
        hsd_cmds_free(cmds, m);
        cmds = calloc(total + 1, sizeof(hsd_cmd));
        if (!cmds && !e) e = hsd_oom(what);
    }
    /* 3: build the datasets */
    at = 0;
    for (size_t i = 0; !e && i < n; i++) {
        const char* name = NULL;
        size_t name_len = 0;
        if (!hsd_dataset_name_of(bases[i], base_lens[i], &name, &name_len))
            e = hs_fail(SRRuntimeError, "'%.*s' is not a dataset key (no {name} part)", HSD_STR(bases[i], base_lens[i]));
        else if (!(out[i] = hsd_dataset_new(name, name_len))) e = hsd_oom(what);
        for (size_t k = 0; !e && k < hashes[i]->elements; k += 2) {
            const redisReply* f = hashes[i]->element[k];
            const redisReply* v = hashes[i]->element[k + 1];
            if (!hsd_is_field(f->str, (size_t)f->len, HSD_TENSOR_NAMES) && !hsd_is_field(f->str, (size_t)f->len, HSD_COMPLETE))
                e = hsd_dataset_take_field(out[i], f->str, (size_t)f->len, v->str, (size_t)v->len);
        }
        for (size_t k = 0; !e && k < names[i].n; k++, at++) {
            redisReply* v = values[at];
            hsd_tinfo info;
            if (!v || v->type != REDIS_REPLY_STRING) {
                e = hs_fail(SRRuntimeError, "dataset '%.*s' lists tensor '%s', but '%s' is missing",
                            HSD_STR(bases[i], base_lens[i]), names[i].names[k], keys[at]);
            } else if (!(e = hsd_tensor_decode(keys[at], klens[at], v->str, (size_t)v->len, &info))) {
                char* value = v->str;
                v->str = NULL;
                e = hsd_dataset_take_tensor(out[i], names[i].names[k], names[i].lens[k], value, (size_t)v->len, &info);
            }
        }
    }
    for (size_t i = 0; e && i < n; i++) hsd_dataset_free(out[i]), out[i] = NULL;
    for (size_t t = 0; keys && t < total; t++) free(keys[t]);
    hsd_free_replies(values, total);
    for (size_t i = 0; metas && names && i < n; i++) free(metas[i]), hsd_strings_free(&names[i]);
    hsd_free_replies(hashes, n);
    free(keys), free(klens), free(values), free(owner), hsd_cmds_free(cmds, 0);
    free(metas), free(mlens), free(shard), free(hashes), free(names);
    return e;
}
/* ---- aggregation lists ------------------------------------------------------------------------ */

static SRError list_key(void* c_client, const char* fn, const char* name, size_t len, bool read, char** key,
                        size_t* key_len) {
    if (!c_client) return hs_fail(SRParameterError, "%s: c_client is NULL", fn);
    if (!name) return hs_fail(SRParameterError, "%s: list name is NULL", fn);
    if (len == 0) return hs_fail(SRParameterError, "%s: the list name must not be empty", fn);
    *key = hsd_key(c_client, HS_LIST, read, name, len, key_len);
    return *key ? SRNoError : hsd_oom(fn);
}

SRError append_to_list(void* c_client, const char* list_name, const size_t list_name_length, const void* dataset) {
    hsd_dataset* d = NULL;
    char *key = NULL, *entry = NULL, what[512];
    size_t kl = 0, el = 0;
    SRError e = list_key(c_client, "append_to_list", list_name, list_name_length, false, &key, &kl);
    if (!e) e = hsd_dataset_check(dataset, "append_to_list", &d);
    if (!e && !(entry = hsd_dataset_base(c_client, false, d->name, d->name_len, &el))) e = hsd_oom("append_to_list");
    const char* argv[] = {"RPUSH", key, entry};
    size_t lens[] = {5, kl, el};
    long long n = 0;
    if (!e) e = hsd_run_int(c_client, hsd_what(what, sizeof what, "append_to_list", key, kl), 3, argv, lens, &n);
    free(key);
    free(entry);
    return e;
}

SRError delete_list(void* c_client, const char* list_name, const size_t list_name_length) {
    char *key = NULL, what[512];
    size_t kl = 0;
    SRError e = list_key(c_client, "delete_list", list_name, list_name_length, true, &key, &kl);
    const char* argv[] = {"DEL", key};
    size_t lens[] = {3, kl};
    long long n = 0;
    if (!e) e = hsd_run_int(c_client, hsd_what(what, sizeof what, "delete_list", key, kl), 2, argv, lens, &n);
    free(key);
    return e;
}

/* LRANGE key start end: the entries as a reply array. */
static SRError range(hs_client* c, const char* what, const char* key, size_t kl, int start, int end, redisReply** out) {
    char a[24], b[24];
    snprintf(a, sizeof a, "%d", start);
    snprintf(b, sizeof b, "%d", end);
    const char* argv[] = {"LRANGE", key, a, b};
    size_t lens[] = {6, kl, strlen(a), strlen(b)};
    SRError e = SRNoError;
    *out = hsd_run(c, what, 4, argv, lens, &e);
    if (*out && (*out)->type != REDIS_REPLY_ARRAY)
        return hsd_drop(*out, hs_fail(SRRuntimeError, "%s: '%.*s' is not a list", what, HSD_STR(key, kl)));
    return e;
}

static SRError copy_list_(void* c_client, const char* fn, const char* src_name, size_t src_len, const char* dest_name,
                          size_t dest_len, bool delete_source) {
    char *src = NULL, *dest = NULL, what[512];
    size_t sl = 0, dl = 0;
    redisReply* entries = NULL;
    SRError e = list_key(c_client, fn, src_name, src_len, true, &src, &sl);
    if (!e) e = list_key(c_client, fn, dest_name, dest_len, false, &dest, &dl);
    if (!e && !(sl == dl && memcmp(src, dest, sl) == 0)) {
        hsd_what(what, sizeof what, fn, src, sl);
        e = range(c_client, what, src, sl, 0, -1, &entries);
        if (!e && entries->elements == 0) e = hsd_missing(c_client, HS_LIST, "list", src, sl);
        hsd_cmd cmds[2] = {{0, NULL, NULL}, {0, NULL, NULL}};
        redisReply* replies[2] = {NULL, NULL};
        if (!e && (!hsd_cmd_init(&cmds[0], 2) || !hsd_cmd_init(&cmds[1], entries->elements + 2))) e = hsd_oom(fn);
        if (!e) {
            hsd_arg(&cmds[0], "DEL", 3), hsd_arg(&cmds[0], dest, dl);
            hsd_arg(&cmds[1], "RPUSH", 5), hsd_arg(&cmds[1], dest, dl);
            for (size_t i = 0; i < entries->elements; i++)
                hsd_arg(&cmds[1], entries->element[i]->str, (size_t)entries->element[i]->len);
            e = hsd_pipe(c_client, dest, dl, -1, cmds, 2, replies, what);
            hsd_free_replies(replies, 2);
        }
        free(cmds[0].argv), free(cmds[0].lens), free(cmds[1].argv), free(cmds[1].lens);
        const char* argv[] = {"DEL", src};
        size_t lens[] = {3, sl};
        long long n = 0;
        if (!e && delete_source) e = hsd_run_int(c_client, what, 2, argv, lens, &n);
    }
    free(src);
    free(dest);
    return hsd_drop(entries, e);
}

SRError copy_list(void* c_client, const char* src_name, const size_t src_name_length, const char* dest_name,
                  const size_t dest_name_length) {
    return copy_list_(c_client, "copy_list", src_name, src_name_length, dest_name, dest_name_length, false);
}

SRError rename_list(void* c_client, const char* src_name, const size_t src_name_length, const char* dest_name,
                    const size_t dest_name_length) {
    return copy_list_(c_client, "rename_list", src_name, src_name_length, dest_name, dest_name_length, true);
}

SRError get_list_length(void* c_client, const char* list_name, const size_t list_name_length, int* result_length) {
    char *key = NULL, what[512];
    size_t kl = 0;
    if (!result_length) return hs_fail(SRParameterError, "get_list_length: result_length is NULL");
    SRError e = list_key(c_client, "get_list_length", list_name, list_name_length, true, &key, &kl);
    const char* argv[] = {"LLEN", key};
    size_t lens[] = {4, kl};
    long long n = 0;
    if (!e) e = hsd_run_int(c_client, hsd_what(what, sizeof what, "get_list_length", key, kl), 2, argv, lens, &n);
    free(key);
    if (!e) *result_length = (int)n;
    return e;
}

typedef struct {
    void* client;
    const char* name;
    size_t len;
    int want, cmp; /* cmp: 0 ==, 1 >=, -1 <= */
} poll_ctx;

static SRError length_check(void* ctx, bool* ok) {
    poll_ctx* p = ctx;
    int n = 0;
    SRError e = get_list_length(p->client, p->name, p->len, &n);
    *ok = p->cmp == 0 ? n == p->want : p->cmp > 0 ? n >= p->want : n <= p->want;
    return e;
}

static SRError poll_length(const char* fn, void* c_client, const char* name, size_t len, int list_length, int ms,
                           int tries, bool* result, int cmp) {
    if (!c_client || !name || !result)
        return hs_fail(SRParameterError, "%s: %s is NULL", fn, !c_client ? "c_client" : !name ? "name" : "poll_result");
    if (list_length < 0) return hs_fail(SRParameterError, "%s: list_length must not be negative, not %d", fn, list_length);
    poll_ctx ctx = {c_client, name, len, list_length, cmp};
    return hsd_poll(fn, ms, tries, result, length_check, &ctx);
}

SRError poll_list_length(void* c_client, const char* name, const size_t name_length, int list_length,
                         int poll_frequency_ms, int num_tries, bool* poll_result) {
    return poll_length("poll_list_length", c_client, name, name_length, list_length, poll_frequency_ms, num_tries,
                       poll_result, 0);
}

SRError poll_list_length_gte(void* c_client, const char* name, const size_t name_length, int list_length,
                             int poll_frequency_ms, int num_tries, bool* poll_result) {
    return poll_length("poll_list_length_gte", c_client, name, name_length, list_length, poll_frequency_ms, num_tries,
                       poll_result, 1);
}

SRError poll_list_length_lte(void* c_client, const char* name, const size_t name_length, int list_length,
                             int poll_frequency_ms, int num_tries, bool* poll_result) {
    return poll_length("poll_list_length_lte", c_client, name, name_length, list_length, poll_frequency_ms, num_tries,
                       poll_result, -1);
}

/* The datasets at list positions start..end (inclusive; negative counts from the end), into a
 * new array (*array) or the caller's (fill, with room for `room`). */
static SRError list_datasets(void* c_client, const char* fn, const char* list_name, size_t len, int start, int end,
                             void*** array, void** fill, size_t room, size_t* count) {
    char *key = NULL, what[512];
    size_t kl = 0;
    redisReply* entries = NULL;
    SRError e = list_key(c_client, fn, list_name, len, true, &key, &kl);
    if (!e && !array && !fill) e = hs_fail(SRParameterError, "%s: datasets is NULL", fn);
    if (!e) e = range(c_client, hsd_what(what, sizeof what, fn, key, kl), key, kl, start, end, &entries);
    size_t n = e ? 0 : entries->elements;
    if (!e && fill && n > room)
        e = hs_fail(SRRuntimeError, "%s '%.*s': %zu datasets in the range, but room for %zu", fn, HSD_STR(key, kl), n, room);
    char** bases = calloc(n + 1, sizeof(char*));
    size_t* lens = calloc(n + 1, sizeof(size_t));
    hsd_dataset** out = calloc(n + 1, sizeof(hsd_dataset*));
    if (!e && (!bases || !lens || !out)) e = hsd_oom(fn);
    for (size_t i = 0; !e && i < n; i++) bases[i] = entries->element[i]->str, lens[i] = (size_t)entries->element[i]->len;
    if (!e && n) e = hsd_fetch_datasets(c_client, n, bases, lens, key, out);
    if (!e && array) {
        *array = n ? malloc(n * sizeof(void*)) : NULL;
        if (n && !*array) {
            for (size_t i = 0; i < n; i++) hsd_dataset_free(out[i]);
            e = hsd_oom(fn);
        }
    }
    for (size_t i = 0; !e && i < n; i++) (array ? *array : fill)[i] = out[i];
    if (!e && count) *count = n;
    free(bases);
    free(lens);
    free(out);
    free(key);
    return hsd_drop(entries, e);
}

SRError get_datasets_from_list(void* c_client, const char* list_name, const size_t list_name_length,
                               void*** datasets, size_t* num_datasets) {
    if (!datasets || !num_datasets) return hs_fail(SRParameterError, "get_datasets_from_list: NULL argument");
    return list_datasets(c_client, "get_datasets_from_list", list_name, list_name_length, 0, -1, datasets, NULL, 0,
                         num_datasets);
}

SRError get_dataset_list_range(void* c_client, const char* list_name, const size_t list_name_length,
                               const int start_index, const int end_index, void*** datasets, size_t* num_datasets) {
    if (!datasets || !num_datasets) return hs_fail(SRParameterError, "get_dataset_list_range: NULL argument");
    return list_datasets(c_client, "get_dataset_list_range", list_name, list_name_length, start_index, end_index,
                         datasets, NULL, 0, num_datasets);
}

SRError _get_dataset_list_range_allocated(void* c_client, const char* list_name, const size_t list_name_length,
                                          const int start_index, const int end_index, void** datasets) {
    if (!datasets) return hs_fail(SRParameterError, "_get_dataset_list_range_allocated: datasets is NULL");
    /* the caller's array holds end-start+1 handles (when both indices count from the same end) */
    long long room = (long long)end_index - start_index + 1;
    size_t fits = (start_index < 0) != (end_index < 0) ? SIZE_MAX : room > 0 ? (size_t)room : 0;
    return list_datasets(c_client, "_get_dataset_list_range_allocated", list_name, list_name_length, start_index,
                         end_index, NULL, datasets, fits, NULL);
}
