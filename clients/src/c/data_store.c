/* Datasets in the database: put, get, delete, copy, rename, exists, poll (as
 * hpcsim/client/_datasets.py). A dataset NAME lives at PREFIX{NAME}.meta (a hash) and
 * PREFIX{NAME}.<tensor>; it is written in one pipeline on its shard that ends with
 * HSET .meta .COMPLETE 1, so dataset_exists turns true only once all of it is there. */
#define _POSIX_C_SOURCE 200809L

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "c_client.h"
#include "data_internal.h"

/* ---- writing ------------------------------------------------------------------------------------ */

typedef struct {
    const char* name;
    size_t name_len;
    const char* value;
    size_t len;
} item;

/* DEL meta; HSET meta fields; SET each tensor; HSET meta .COMPLETE 1. Values larger than
 * HSD_PIPELINE_VALUE_MAX go out with hs_set_parts (no copy), before .COMPLETE. */
static SRError write_dataset(hs_client* c, const char* what, const char* base, size_t blen, size_t nf,
                             const item* fields, size_t nt, const item* tensors) {
    size_t mlen = 0;
    char* meta = hsd_concat(base, blen, ".meta", 5, &mlen);
    char** keys = calloc(nt ? nt : 1, sizeof(char*));
    size_t* klens = calloc(nt ? nt : 1, sizeof(size_t));
    hsd_cmd* cmds = calloc(nt + 3, sizeof(hsd_cmd));
    redisReply** replies = calloc(nt + 3, sizeof(redisReply*));
    size_t n = 0, big = 0;
    SRError e = meta && keys && klens && cmds && replies ? SRNoError : hsd_oom(what);
    for (size_t i = 0; !e && i < nt; i++) {
        char* dot = hsd_concat(base, blen, ".", 1, NULL);
        keys[i] = dot ? hsd_concat(dot, blen + 1, tensors[i].name, tensors[i].name_len, &klens[i]) : NULL;
        free(dot);
        if (!keys[i]) e = hsd_oom(what);
    }
    if (!e && hsd_cmd_init(&cmds[n], 2)) hsd_arg(&cmds[n], "DEL", 3), hsd_arg(&cmds[n++], meta, mlen);
    else if (!e) e = hsd_oom(what);
    if (!e && nf) {
        if (!hsd_cmd_init(&cmds[n], 2 + 2 * nf)) e = hsd_oom(what);
        for (size_t i = 0; !e && i <= nf; i++) {
            if (i == 0) hsd_arg(&cmds[n], "HSET", 4), hsd_arg(&cmds[n], meta, mlen);
            else hsd_arg(&cmds[n], fields[i - 1].name, fields[i - 1].name_len), hsd_arg(&cmds[n], fields[i - 1].value, fields[i - 1].len);
        }
        n++;
    }
    for (size_t i = 0; !e && i < nt; i++) {
        if (tensors[i].len > HSD_PIPELINE_VALUE_MAX) {
            big++;
            continue;
        }
        if (!hsd_cmd_init(&cmds[n], 3)) e = hsd_oom(what);
        else hsd_arg(&cmds[n], "SET", 3), hsd_arg(&cmds[n], keys[i], klens[i]), hsd_arg(&cmds[n++], tensors[i].value, tensors[i].len);
    }
    if (!e && !big) {
        if (!hsd_cmd_init(&cmds[n], 4)) e = hsd_oom(what);
        else hsd_arg(&cmds[n], "HSET", 4), hsd_arg(&cmds[n], meta, mlen), hsd_arg(&cmds[n], HSD_COMPLETE, 9), hsd_arg(&cmds[n++], "1", 1);
    }
    if (!e) e = hsd_pipe(c, meta, mlen, -1, cmds, n, replies, what);
    for (size_t i = 0; !e && big && i < nt; i++) {
        const item* t = &tensors[i];
        if (t->len > HSD_PIPELINE_VALUE_MAX) e = hs_set_parts(c, keys[i], klens[i], t->value, 8, t->value + 8, t->len - 8);
    }
    if (!e && big) {
        const char* argv[] = {"HSET", meta, HSD_COMPLETE, "1"};
        size_t lens[] = {4, mlen, 9, 1};
        long long added = 0;
        e = hsd_run_int(c, what, 4, argv, lens, &added);
    }
    hsd_free_replies(replies, n);
    for (size_t i = 0; keys && i < nt; i++) free(keys[i]);
    free(keys);
    free(klens);
    hsd_cmds_free(cmds, n);
    free(replies);
    free(meta);
    return e;
}

SRError put_dataset(void* c_client, void* dataset) {
    hsd_dataset* d = NULL;
    if (!c_client) return hs_fail(SRParameterError, "put_dataset: c_client is NULL");
    SRError e = hsd_dataset_check(dataset, "put_dataset", &d);
    if (e) return e;
    if (d->n_tensors == 0 && d->n_fields == 0)
        return hs_fail(SRRuntimeError, "put_dataset: dataset '%.*s' is empty; add a tensor or a metadata field first",
                       HSD_STR(d->name, d->name_len));
    size_t blen = 0;
    char* base = hsd_dataset_base(c_client, false, d->name, d->name_len, &blen);
    item* fields = calloc(d->n_fields + 1, sizeof(item));
    item* tensors = calloc(d->n_tensors + 1, sizeof(item));
    hsd_sb names = {0};
    char what[512];
    if (!base || !fields || !tensors) e = hsd_oom("put_dataset");
    for (size_t i = 0; !e && i < d->n_fields; i++)
        fields[i] = (item){d->fields[i].name, d->fields[i].name_len, d->fields[i].value.p, d->fields[i].value.n};
    for (size_t i = 0; !e && i < d->n_tensors; i++) {
        hsd_dtensor* t = &d->tensors[i];
        tensors[i] = (item){t->name, t->name_len, t->value, t->value_len};
        if (i == 0) hsd_sb_put(&names, "\x07", 1);
        uint8_t l[8];
        for (int k = 0; k < 8; k++) l[k] = (uint8_t)((uint64_t)t->name_len >> (8 * k));
        hsd_sb_put(&names, l, 8);
        hsd_sb_put(&names, t->name, t->name_len);
    }
    if (!e && names.oom) e = hsd_oom("put_dataset");
    size_t nf = d->n_fields;
    if (!e && d->n_tensors) fields[nf++] = (item){HSD_TENSOR_NAMES, sizeof HSD_TENSOR_NAMES - 1, names.p, names.n};
    if (!e)
        e = write_dataset(c_client, hsd_what(what, sizeof what, "put_dataset", base, blen), base, blen, nf, fields,
                          d->n_tensors, tensors);
    hsd_sb_free(&names);
    free(fields);
    free(tensors);
    free(base);
    return e;
}

/* ---- datasets through the client ------------------------------------------------------------------ */

static SRError check_name(const char* what, const char* name, size_t len) {
    if (!name) return hs_fail(SRParameterError, "%s: name is NULL", what);
    if (len == 0 || memchr(name, '{', len) || memchr(name, '}', len))
        return hs_fail(SRParameterError, "%s: dataset name '%.*s' must be non-empty and contain no braces", what,
                       HSD_STR(name, len));
    return SRNoError;
}

SRError get_dataset(void* c_client, const char* name, const size_t name_length, void** dataset) {
    if (!c_client || !dataset) return hs_fail(SRParameterError, "get_dataset: %s is NULL", !c_client ? "c_client" : "dataset");
    SRError e = check_name("get_dataset", name, name_length);
    if (e) return e;
    size_t blen = 0;
    char* base = hsd_dataset_base(c_client, true, name, name_length, &blen);
    if (!base) return hsd_oom("get_dataset");
    hsd_dataset* d = NULL;
    e = hsd_fetch_datasets(c_client, 1, &base, &blen, NULL, &d);
    free(base);
    if (!e) *dataset = d;
    return e;
}

/* HGETALL of the dataset's metadata; SRKeyError when it does not exist. */
static SRError existing(hs_client* c, const char* what, const char* base, size_t blen, redisReply** hash) {
    size_t mlen = 0;
    char* meta = hsd_concat(base, blen, ".meta", 5, &mlen);
    if (!meta) return hsd_oom(what);
    const char* argv[] = {"HGETALL", meta};
    size_t lens[] = {7, mlen};
    SRError e = SRNoError;
    *hash = hsd_run(c, what, 2, argv, lens, &e);
    free(meta);
    if (*hash && ((*hash)->type != REDIS_REPLY_ARRAY || (*hash)->elements == 0)) {
        freeReplyObject(*hash);
        *hash = NULL;
        return hsd_missing(c, HS_DATASET, "dataset", base, blen);
    }
    return e;
}

/* DEL of the metadata and every tensor key of the dataset at base. */
static SRError remove_dataset(hs_client* c, const char* what, const char* base, size_t blen, const hsd_strings* names) {
    hsd_cmd del;
    char** keys = calloc(names->n + 2, sizeof(char*));
    SRError e = keys && hsd_cmd_init(&del, names->n + 2) ? SRNoError : hsd_oom(what);
    if (!e) {
        size_t mlen = 0;
        keys[names->n] = hsd_concat(base, blen, ".meta", 5, &mlen);
        hsd_arg(&del, "DEL", 3), hsd_arg(&del, keys[names->n], mlen);
        for (size_t i = 0; i < names->n; i++) {
            char* dot = hsd_concat(base, blen, ".", 1, NULL);
            size_t klen = 0;
            keys[i] = dot ? hsd_concat(dot, blen + 1, names->names[i], names->lens[i], &klen) : NULL;
            free(dot);
            hsd_arg(&del, keys[i] ? keys[i] : "", klen);
        }
        for (size_t i = 0; i <= names->n; i++)
            if (!keys[i]) e = hsd_oom(what);
        long long gone = 0;
        if (!e) e = hsd_run_int(c, what, del.argc, del.argv, del.lens, &gone);
        free(del.argv), free(del.lens);
    }
    for (size_t i = 0; keys && i <= names->n; i++) free(keys[i]);
    free(keys);
    return e;
}

SRError delete_dataset(void* c_client, const char* name, const size_t name_length) {
    if (!c_client) return hs_fail(SRParameterError, "delete_dataset: c_client is NULL");
    SRError e = check_name("delete_dataset", name, name_length);
    if (e) return e;
    size_t blen = 0;
    char* base = hsd_dataset_base(c_client, true, name, name_length, &blen);
    char what[512];
    redisReply* hash = NULL;
    hsd_strings names = {0};
    e = base ? existing(c_client, hsd_what(what, sizeof what, "delete_dataset", base, blen), base, blen, &hash)
             : hsd_oom("delete_dataset");
    if (!e) e = hsd_tensor_names_of(hash, base, blen, &names);
    if (!e) e = remove_dataset(c_client, what, base, blen, &names);
    hsd_strings_free(&names);
    free(base);
    return hsd_drop(hash, e);
}

static SRError transfer(void* c_client, const char* fn, const char* src_name, size_t src_len, const char* dest_name,
                        size_t dest_len, bool delete_source) {
    if (!c_client) return hs_fail(SRParameterError, "%s: c_client is NULL", fn);
    SRError e = check_name(fn, src_name, src_len);
    if (!e) e = check_name(fn, dest_name, dest_len);
    if (e) return e;
    hs_client* c = c_client;
    size_t sl = 0, dl = 0, n = 0;
    char* src = hsd_dataset_base(c, true, src_name, src_len, &sl);
    char* dest = hsd_dataset_base(c, false, dest_name, dest_len, &dl);
    char what[512];
    hsd_what(what, sizeof what, fn, src ? src : "", sl);
    redisReply* hash = NULL;
    redisReply** replies = NULL;
    hsd_cmd* cmds = NULL;
    hsd_strings names = {0};
    char** keys = NULL;
    e = src && dest ? existing(c, what, src, sl, &hash) : hsd_oom(fn);
    if (!e) e = hsd_tensor_names_of(hash, src, sl, &names);
    bool same = sl == dl && memcmp(src, dest, sl) == 0;
    if (!e && !same) {
        /* keys[2i], keys[2i+1]: source and destination of tensor i; the last pair: the metadata */
        keys = calloc(2 * names.n + 2, sizeof(char*));
        size_t* klens = calloc(2 * names.n + 2, sizeof(size_t));
        cmds = calloc(names.n + 2, sizeof(hsd_cmd));
        replies = calloc(names.n + 2, sizeof(redisReply*));
        if (!keys || !klens || !cmds || !replies) e = hsd_oom(fn);
        for (size_t i = 0; !e && i <= names.n; i++) {
            for (int side = 0; side < 2; side++) {
                const char* b = side ? dest : src;
                size_t bl = side ? dl : sl;
                char* dot = hsd_concat(b, bl, ".", 1, NULL);
                keys[2 * i + side] = !dot ? NULL
                                     : i < names.n ? hsd_concat(dot, bl + 1, names.names[i], names.lens[i], &klens[2 * i + side])
                                                   : hsd_concat(dot, bl + 1, "meta", 4, &klens[2 * i + side]);
                free(dot);
                if (!keys[2 * i + side]) e = hsd_oom(fn);
            }
        }
        size_t meta = 2 * names.n;
        if (!e && (!hs_is_cluster(c) || hs_key_slot(src, sl) == hs_key_slot(dest, dl))) {
            if (hsd_cmd_init(&cmds[n], 2)) hsd_arg(&cmds[n], "DEL", 3), hsd_arg(&cmds[n++], keys[meta + 1], klens[meta + 1]);
            for (size_t i = 0; i <= names.n && n == i + 1; i++)
                if (hsd_cmd_init(&cmds[n], 4)) {
                    hsd_arg(&cmds[n], delete_source ? "RENAME" : "COPY", delete_source ? 6 : 4);
                    hsd_arg(&cmds[n], keys[2 * i], klens[2 * i]), hsd_arg(&cmds[n], keys[2 * i + 1], klens[2 * i + 1]);
                    if (!delete_source) hsd_arg(&cmds[n], "REPLACE", 7);
                    n++;
                }
            e = n == names.n + 2 ? hsd_pipe(c, keys[meta + 1], klens[meta + 1], -1, cmds, n, replies, what) : hsd_oom(fn);
            for (size_t i = 1; !e && !delete_source && i < n; i++)
                if (replies[i]->type == REDIS_REPLY_INTEGER && replies[i]->integer == 0)
                    e = hs_fail(SRRuntimeError, "%s: dataset '%.*s' changed while it was copied; some of its keys are "
                                "missing", fn, HSD_STR(src, sl));
        } else if (!e) {
            for (size_t i = 0; i < names.n && n == i; i++)
                if (hsd_cmd_init(&cmds[n], 2)) hsd_arg(&cmds[n], "GET", 3), hsd_arg(&cmds[n], keys[2 * i], klens[2 * i]), n++;
            e = n == names.n ? hsd_pipe(c, src, sl, -1, cmds, n, replies, what) : hsd_oom(fn);
            item* fields = calloc(hash->elements / 2 + 1, sizeof(item));
            item* tensors = calloc(names.n + 1, sizeof(item));
            size_t nf = 0;
            if (!e && (!fields || !tensors)) e = hsd_oom(fn);
            for (size_t i = 0; !e && i + 1 < hash->elements; i += 2) {
                const redisReply* f = hash->element[i];
                if (!hsd_is_field(f->str, (size_t)f->len, HSD_COMPLETE))
                    fields[nf++] = (item){f->str, (size_t)f->len, hash->element[i + 1]->str, (size_t)hash->element[i + 1]->len};
            }
            for (size_t i = 0; !e && i < names.n; i++) {
                if (replies[i]->type != REDIS_REPLY_STRING || replies[i]->len < 8)
                    e = hs_fail(SRRuntimeError, "%s: dataset '%.*s' lists tensors that are missing", fn, HSD_STR(src, sl));
                else tensors[i] = (item){names.names[i], names.lens[i], replies[i]->str, (size_t)replies[i]->len};
            }
            if (!e) e = write_dataset(c, what, dest, dl, nf, fields, names.n, tensors);
            if (!e && delete_source) e = remove_dataset(c, what, src, sl, &names);
            free(fields);
            free(tensors);
        }
        for (size_t i = 0; keys && i < 2 * names.n + 2; i++) free(keys[i]);
        free(klens);
    }
    hsd_free_replies(replies, n);
    free(replies);
    hsd_cmds_free(cmds, n);
    free(keys);
    hsd_strings_free(&names);
    free(src);
    free(dest);
    return hsd_drop(hash, e);
}

SRError copy_dataset(void* c_client, const char* src_name, const size_t src_name_length, const char* dest_name,
                     const size_t dest_name_length) {
    return transfer(c_client, "copy_dataset", src_name, src_name_length, dest_name, dest_name_length, false);
}

SRError rename_dataset(void* c_client, const char* old_name, const size_t old_name_length, const char* new_name,
                       const size_t new_name_length) {
    return transfer(c_client, "rename_dataset", old_name, old_name_length, new_name, new_name_length, true);
}

SRError dataset_exists(void* c_client, const char* name, const size_t name_length, bool* exists) {
    if (!c_client || !exists) return hs_fail(SRParameterError, "dataset_exists: %s is NULL", !c_client ? "c_client" : "exists");
    SRError e = check_name("dataset_exists", name, name_length);
    if (e) return e;
    size_t blen = 0, mlen = 0;
    char* base = hsd_dataset_base(c_client, true, name, name_length, &blen);
    char* meta = base ? hsd_concat(base, blen, ".meta", 5, &mlen) : NULL;
    char what[512];
    long long n = 0;
    const char* argv[] = {"HEXISTS", meta, HSD_COMPLETE};
    size_t lens[] = {7, mlen, 9};
    e = meta ? hsd_run_int(c_client, hsd_what(what, sizeof what, "dataset_exists", base, blen), 3, argv, lens, &n)
             : hsd_oom("dataset_exists");
    free(base);
    free(meta);
    if (!e) *exists = n == 1;
    return e;
}

typedef struct {
    void* client;
    const char* name;
    size_t len;
} poll_ctx;

static SRError dataset_check(void* ctx, bool* ok) {
    poll_ctx* p = ctx;
    return dataset_exists(p->client, p->name, p->len, ok);
}

SRError poll_dataset(void* c_client, const char* name, const size_t name_length, const int poll_frequency_ms,
                     const int num_tries, bool* exists) {
    if (!c_client || !exists) return hs_fail(SRParameterError, "poll_dataset: %s is NULL", !c_client ? "c_client" : "exists");
    SRError e = check_name("poll_dataset", name, name_length);
    if (e) return e;
    poll_ctx ctx = {c_client, name, name_length};
    return hsd_poll("poll_dataset", poll_frequency_ms, num_tries, exists, dataset_check, &ctx);
}
