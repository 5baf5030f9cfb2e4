/* Internal interface between the two halves of the C core. Not installed.
 *
 * Transport half (client.c, config.c, conn.c, cluster.c, error.c, log.c, prefix.c):
 *   the client object, the environment contract, connections (TCP, Unix socket, Redis
 *   Cluster with CRC16 routing and MOVED/ASK), retries within the SR_* budgets, the last
 *   error, logging and key prefixing.
 * Data half (codec.c, layout.c, tensor.c, dataset.c, list.c, model.c):
 *   the wire format, memory layouts, tensors, datasets, aggregation lists, models and scripts.
 *
 * The data half reaches Redis only through the functions below. */
#ifndef HPCSIM_HS_INTERNAL_H
#define HPCSIM_HS_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <hiredis/hiredis.h>

#include "sr_enums.h"
#include "srexception.h"

typedef struct hs_client hs_client; /* what a `void* c_client` points to */

/* ---- errors ------------------------------------------------------------------------------
 * Records `code` and the formatted message as the calling thread's last error (what
 * SRGetLastError returns) and returns `code`. Messages name the key or the server. */
SRError hs_fail(SRError code, const char* fmt, ...) __attribute__((format(printf, 2, 3)));
/* hs_fail that also records where (SRGetLastErrorLocation); the macro below makes every
 * hs_fail(...) call record its own file and line. */
SRError hs_fail_at(const char* file, int line, SRError code, const char* fmt, ...)
    __attribute__((format(printf, 4, 5)));
#define hs_fail(...) hs_fail_at(__FILE__, __LINE__, __VA_ARGS__)
/* The code of a Redis error reply or a NULL reply, with `what` (e.g. "put_tensor 'u'") in the
 * message; SRNoError for any other reply. */
SRError hs_check_reply(const redisReply* reply, const char* what);

/* ---- logging ------------------------------------------------------------------------------ */
void hs_log(const hs_client* c, SRLoggingLevel level, const char* fmt, ...) __attribute__((format(printf, 3, 4)));

/* The loggers accept a client, dataset or log-context handle and name its context; the data
 * half says which handles are datasets: the dataset's name (NUL-terminated), or NULL when
 * `handle` is not a dataset. Implemented in dataset.c. */
const char* hs_dataset_log_context(const void* handle);

/* ---- key prefixing ----------------------------------------------------------------------- */
typedef enum { HS_TENSOR, HS_DATASET, HS_LIST, HS_MODEL } hs_kind;
/* The prefix (with its trailing '.', or "") the client applies to `kind` when writing
 * (`read` false) or reading (`read` true), per the use_*_ensemble_prefix switches. */
const char* hs_prefix(const hs_client* c, hs_kind kind, bool read);

/* ---- commands ---------------------------------------------------------------------------
 * `route`/`route_len`: the key whose hash slot picks the shard in a cluster (NULL: any shard).
 * A reply is freed by the caller with freeReplyObject. Redis error replies are returned as
 * replies (check them with hs_check_reply), except MOVED/ASK/TRYAGAIN/CLUSTERDOWN, which the
 * transport resolves. Lost connections are retried within SR_CMD_TIMEOUT/SR_CMD_INTERVAL.
 * NULL: failed; the last error is set and *err (never NULL) holds its code. */
redisReply* hs_command(hs_client* c, const char* route, size_t route_len, int argc, const char** argv,
                       const size_t* argvlen, SRError* err);

/* n commands pipelined to the one shard that owns route's slot; replies[i] answers command i
 * (all NULL on failure). Retried as a whole. */
SRError hs_pipeline(hs_client* c, const char* route, size_t route_len, size_t n, const int* argcs,
                    const char** const* argvs, const size_t* const* argvlens, redisReply** replies);

/* SET key (head ++ body) without copying body: header and body go out with writev on the
 * socket. For values of any size; the data half uses it for every tensor put. */
SRError hs_set_parts(hs_client* c, const char* key, size_t key_len, const void* head, size_t head_len,
                     const void* body, size_t body_len);

/* SET key (head ++ body) where the body_len bytes of the body are produced in pieces, so that a
 * value the data half must rearrange first (a Fortran array) needs one piece of memory, not a
 * whole copy. piece(ctx, offset, &len) returns the body's bytes from `offset` on, len >= 1 of
 * them (at most body_len - offset), valid until the next call. Offsets run from 0 upwards, and
 * again from 0 when the command is retried. */
typedef const void* (*hs_piece_fn)(void* ctx, size_t offset, size_t* len);
SRError hs_set_pieces(hs_client* c, const char* key, size_t key_len, const void* head, size_t head_len,
                      size_t body_len, hs_piece_fn piece, void* ctx);

/* GET key with the value read from the socket into memory the data half picks, instead of
 * into hiredis' buffer and then a reply (two copies of a large tensor). The transport calls,
 * per attempt (again when the GET is retried after a lost connection):
 *   start(ctx, len, head, head_len, &used): the value has len bytes, head holds its first
 *     head_len = min(len, HS_SINK_PEEK); SRNoError with *used (<= head_len) the bytes it took
 *     from head, or an error code with the last error set to refuse the value (then returned
 *     by hs_get_into; the connection stays usable);
 *   into(ctx, offset, &cap): where the value's bytes from `offset` go, at most cap of them;
 *     offsets start at `used` and each range is filled before the next is asked for;
 *   got(ctx, offset, n) (may be NULL): bytes [offset, offset + n) have arrived.
 * SRNoError with *other NULL: the value went to the sink. SRNoError with *other a reply: the
 * answer was not a string (nil for a missing key, an error reply): the caller frees it. */
#define HS_SINK_PEEK 2048
typedef struct {
    SRError (*start)(void* ctx, size_t len, const void* head, size_t head_len, size_t* used);
    void* (*into)(void* ctx, size_t offset, size_t* cap);
    void (*got)(void* ctx, size_t offset, size_t n);
    void* ctx;
} hs_sink;
SRError hs_get_into(hs_client* c, const char* key, size_t key_len, const hs_sink* sink, redisReply** other);

/* ---- shards (inference needs a copy of each model on every shard) ------------------------ */
bool hs_is_cluster(const hs_client* c);
size_t hs_shard_count(hs_client* c);                     /* 1 on a standalone server */
size_t hs_shard_of(hs_client* c, const char* key, size_t key_len);
const char* hs_shard_label(hs_client* c, size_t shard);  /* "host:port" or "unix:///path" */
uint16_t hs_key_slot(const char* key, size_t key_len);   /* CRC16 with hash tags, as Redis */
bool hs_shard_owns(hs_client* c, size_t shard, uint16_t slot);
/* A command on one shard, same rules as hs_command. */
redisReply* hs_command_on(hs_client* c, size_t shard, int argc, const char** argv, const size_t* argvlen,
                          SRError* err);
SRError hs_pipeline_on(hs_client* c, size_t shard, size_t n, const int* argcs, const char** const* argvs,
                       const size_t* const* argvlens, redisReply** replies);

/* ---- budgets ------------------------------------------------------------------------------ */
/* HPCSIM_MODEL_TIMEOUT / SR_MODEL_TIMEOUT in milliseconds (as the Python client reads it). */
int64_t hs_model_timeout_ms(const hs_client* c);
/* The socket timeout in milliseconds (SR_SOCKET_TIMEOUT), for blocking waits in slices. */
int64_t hs_socket_timeout_ms(const hs_client* c);

/* ---- memory the client owns until DeleteCClient (get_tensor, get_model, get_script) ------- */
/* Takes ownership of `allocation` (from malloc); false (and frees it) when out of memory. */
bool hs_keep(hs_client* c, void* allocation);

#endif
