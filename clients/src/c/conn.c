/* Connections and commands: hiredis blocking contexts over TCP or a Unix socket, AUTH, the
 * retry loop bounded by the connect/command budgets (as hpcsim/client/connection.py) and
 * cluster redirections. Requests are written by transport_wire.c (no copy of large values, no
 * SIGPIPE); hiredis reads the replies, except a tensor's value, which transport_recv.c reads
 * from the socket into the caller's memory. Every kind of request (commands, SET of a value
 * in parts, GET into a sink) is an hs_op run by the same retry loop.
 *
 * Retry rule (connection.py's _retrying): an attempt that fails with a lost connection, a
 * timeout, TRYAGAIN, CLUSTERDOWN or LOADING is retried after the interval while the next try
 * would still start within the budget; a cluster then re-reads its layout. MOVED and ASK are
 * followed at once (a few times) before they count as a failed attempt. Authentication and
 * other error replies are never retried.
 *
 * Durable puts (HPCSIM_DURABLE > 0): after an attempt that sent a write (hs_is_write) succeeds,
 * WAIT follows on the same connection, as in connection.py: on the standalone server, or on the
 * cluster node that took the write (after MOVED and ASK, the node that finally answered). */
#define _POSIX_C_SOURCE 200809L

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "transport_client.h"

#define HS_MAX_REDIRECTS 16

double hs_now(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

void hs_sleep(double seconds) {
    if (!(seconds > 0))
        return;
    struct timespec ts = {(time_t)seconds, (long)((seconds - floor(seconds)) * 1e9)};
    while (nanosleep(&ts, &ts) != 0 && errno == EINTR) {
    }
}

static struct timeval timeval_of(double seconds) {
    struct timeval tv = {(time_t)seconds, (long)((seconds - floor(seconds)) * 1e6)};
    if (tv.tv_sec == 0 && tv.tv_usec == 0)
        tv.tv_usec = 1000;
    return tv;
}

/* ---- one node ------------------------------------------------------------------------------ */

void hs_node_close(hs_node* node) {
    if (node->ctx != NULL)
        redisFree(node->ctx);
    node->ctx = NULL;
}

static void set_why(hs_attempt* a, hs_outcome outcome, const char* fmt, const char* node, const char* text) {
    a->outcome = outcome;
    snprintf(a->why, sizeof a->why, fmt, node, text);
}

void hs_io_failure(hs_client* c, hs_node* node, hs_attempt* a) {
    const redisContext* ctx = node->ctx;
    const char* text = ctx && ctx->errstr[0] ? ctx->errstr : "connection lost";
    char buffer[300];
    if (strstr(text, "temporarily unavailable") != NULL || strstr(text, "timed out") != NULL) {
        snprintf(buffer, sizeof buffer, "timed out after %s=%g s", c->settings.socket.variable,
                 c->settings.socket.seconds);
        text = buffer;
    } else if (ctx && ctx->err == REDIS_ERR_EOF) {
        text = "the server closed the connection";
    }
    set_why(a, HS_RETRY, "%s: %s", node->label, text);
    hs_node_close(node);
}

/* A fatal error reply while connecting (AUTH, PING). */
static void connect_refused(hs_client* c, hs_node* node, const redisReply* r, hs_attempt* a) {
    a->outcome = HS_FATAL;
    a->code = SRDatabaseError;
    if (c->settings.password == NULL && strncmp(r->str, "NOAUTH", 6) == 0)
        snprintf(a->why, sizeof a->why,
                 "the database at %s requires a password (%s); set HPCSIM_DB_PASSWORD_FILE to a file holding it",
                 node->label, r->str);
    else if (hs_is_auth_error(r->str))
        snprintf(a->why, sizeof a->why,
                 "authentication to the database at %s failed (%s); the password from %s is wrong: check "
                 "HPCSIM_DB_PASSWORD_FILE (one line: PASSWORD, or USERNAME PASSWORD)",
                 node->label, r->str, c->settings.auth);
    else
        snprintf(a->why, sizeof a->why, "the database at %s refused the connection: %s", node->label, r->str);
    hs_node_close(node);
}

static void free_replies(redisReply** replies, size_t n) {
    for (size_t i = 0; i < n; i++) {
        if (replies[i] != NULL)
            freeReplyObject(replies[i]);
        replies[i] = NULL;
    }
}

void hs_io_errno(hs_client* c, hs_node* node, int error, hs_attempt* a) {
    node->ctx->err = error == 0 ? REDIS_ERR_EOF : REDIS_ERR_IO;
    snprintf(node->ctx->errstr, sizeof node->ctx->errstr, "%s",
             error == 0 ? "Server closed the connection" : strerror(error));
    hs_io_failure(c, node, a);
}

bool hs_exchange(hs_client* c, hs_node* node, const hs_wire* w, size_t skip, size_t n, redisReply** replies,
                 hs_attempt* a) {
    if (w->oom) {
        a->outcome = HS_FATAL;
        a->code = SRBadAllocError;
        snprintf(a->why, sizeof a->why, "out of memory preparing a request to %s", node->label);
        return false;
    }
    int error = hs_wire_send(w, node->ctx->fd);
    if (error != 0) {
        hs_io_errno(c, node, error, a);
        return false;
    }
    return hs_receive(c, node, skip, n, replies, a);
}

bool hs_receive(hs_client* c, hs_node* node, size_t skip, size_t n, redisReply** replies, hs_attempt* a) {
    for (size_t i = 0; i < skip + n; i++) {
        void* r = NULL;
        if (redisGetReply(node->ctx, &r) != REDIS_OK || r == NULL) {
            hs_io_failure(c, node, a);
            free_replies(replies, i > skip ? i - skip : 0);
            return false;
        }
        if (i < skip)
            freeReplyObject(r);
        else
            replies[i - skip] = r;
    }
    return true;
}

/* Runs one command on a fresh connection; false (failure in *a) if it did not succeed. */
static bool handshake(hs_client* c, hs_node* node, int argc, const char** argv, const size_t* lens, hs_attempt* a) {
    hs_wire w = {0};
    redisReply* r = NULL;
    hs_wire_command(&w, argc, argv, lens);
    bool sent = hs_exchange(c, node, &w, 0, 1, &r, a);
    hs_wire_free(&w);
    if (!sent)
        return false;
    bool ok = r->type != REDIS_REPLY_ERROR;
    if (!ok && strncmp(r->str, "LOADING", 7) == 0) {
        set_why(a, HS_RETRY, "%s: %s", node->label, r->str);
        hs_node_close(node);
    } else if (!ok) {
        connect_refused(c, node, r, a);
    }
    freeReplyObject(r);
    return ok;
}

void hs_node_connect(hs_client* c, hs_node* node, hs_attempt* a) {
    a->outcome = HS_OK;
    if (node->ctx != NULL && node->ctx->err == 0)
        return;
    hs_node_close(node);
    const hs_settings* s = &c->settings;
    struct timeval tv = timeval_of(fmin(s->socket.seconds, s->connect.seconds));
    if (node->address.path != NULL)
        node->ctx = redisConnectUnixWithTimeout(node->address.path, tv);
    else
        node->ctx = redisConnectWithTimeout(node->address.host, node->address.port, tv);
    if (node->ctx == NULL) {
        set_why(a, HS_RETRY, "%s: %s", node->label, "out of memory");
        return;
    }
    if (node->ctx->err) {
        hs_io_failure(c, node, a);
        return;
    }
    redisSetTimeout(node->ctx, timeval_of(s->socket.seconds)); /* every later read and send */
    if (node->address.path == NULL)
        redisEnableKeepAlive(node->ctx);
    if (s->password != NULL) { /* AUTH [username] password; without a username, Redis's default user */
        const char* argv[3] = {"AUTH"};
        size_t lens[3] = {4};
        int argc = 1;
        if (s->username != NULL) {
            argv[argc] = s->username;
            lens[argc++] = strlen(s->username);
        }
        argv[argc] = s->password;
        lens[argc++] = strlen(s->password);
        if (!handshake(c, node, argc, argv, lens, a))
            return;
    }
    /* PING proves that the server answers and needs no (other) password. */
    const char* ping[] = {"PING"};
    size_t ping_len[] = {4};
    handshake(c, node, 1, ping, ping_len, a);
}

redisReply* hs_node_command(hs_client* c, hs_node* node, int argc, const char** argv, const size_t* lens,
                            hs_attempt* a) {
    hs_node_connect(c, node, a);
    if (a->outcome != HS_OK)
        return NULL;
    hs_wire w = {0};
    redisReply* r = NULL;
    hs_wire_command(&w, argc, argv, lens);
    bool ok = hs_exchange(c, node, &w, 0, 1, &r, a);
    hs_wire_free(&w);
    return ok ? r : NULL;
}

/* ---- one attempt of an operation ------------------------------------------------------------ */

/* The arguments of n commands sent in one pipeline. */
typedef struct {
    const int* argcs;
    const char** const* argvs;
    const size_t* const* argvlens;
} hs_commands;

static bool commands_exchange(hs_client* c, hs_node* node, hs_op* op, hs_wire* w, bool asking, hs_attempt* a) {
    const hs_commands* cmd = op->args;
    for (size_t i = 0; i < op->n; i++)
        hs_wire_command(w, cmd->argcs[i], cmd->argvs[i], cmd->argvlens[i]);
    return hs_exchange(c, node, w, asking ? 1 : 0, op->n, op->replies, a);
}

/* Classifies an error reply: redirections and transient cluster states are not answers. */
static hs_outcome redirect_of(const redisReply* r, hs_attempt* a) {
    if (r->type != REDIS_REPLY_ERROR || r->str == NULL)
        return HS_OK;
    unsigned slot = 0;
    char target[300];
    if (sscanf(r->str, "MOVED %u %299s", &slot, target) == 2 || sscanf(r->str, "ASK %u %299s", &slot, target) == 2) {
        a->slot = (uint16_t)slot;
        snprintf(a->target, sizeof a->target, "%s", target);
        return r->str[0] == 'M' ? HS_MOVED : HS_ASK;
    }
    if (strncmp(r->str, "TRYAGAIN", 8) == 0 || strncmp(r->str, "CLUSTERDOWN", 11) == 0 ||
        strncmp(r->str, "LOADING", 7) == 0)
        return HS_RETRY;
    return HS_OK;
}

/* ---- durable puts ---------------------------------------------------------------------------- */

bool hs_is_write(const char* command, size_t len) {
    static const char* const writes[] = {"SET",  "DEL",  "RENAME", "COPY", "RPUSH",  "LPUSH", "HSET",
                                         "HDEL", "LREM", "LPOP",   "RPOP", "EXPIRE", "XADD"};
    for (size_t i = 0; command != NULL && i < sizeof writes / sizeof writes[0]; i++)
        if (strlen(writes[i]) == len && strncasecmp(command, writes[i], len) == 0)
            return true;
    return false;
}

/* WAIT <replicas> <timeout ms> on the connection that just took a write; HS_OK when at least
 * HPCSIM_DURABLE replicas acknowledged. Fewer (or an error reply) is HS_FATAL SRRuntimeError, as
 * the Python client's ClientError (RedisRuntimeError): the write may be applied but is not known
 * to be replicated, so it is not retried. A lost connection is retried as any other. While WAIT
 * blocks, the socket timeout is extended by the time WAIT may take, so that a durable timeout
 * longer than HPCSIM_SOCKET_TIMEOUT does not look like a dead server. */
static void durable_wait(hs_client* c, hs_node* node, hs_attempt* a) {
    const hs_settings* s = &c->settings;
    double seconds = s->durable_timeout.seconds;
    double ms = floor(seconds * 1000.0 + 0.5);
    char replicas[32], timeout[32];
    snprintf(replicas, sizeof replicas, "%lld", (long long)s->durable);
    snprintf(timeout, sizeof timeout, "%.0f", ms < 1.0 ? 1.0 : ms);
    const char* argv[] = {"WAIT", replicas, timeout};
    size_t lens[] = {4, strlen(replicas), strlen(timeout)};
    hs_wire w = {0};
    hs_wire_command(&w, 3, argv, lens);
    redisSetTimeout(node->ctx, timeval_of(s->socket.seconds + seconds));
    redisReply* r = NULL;
    bool answered = hs_exchange(c, node, &w, 0, 1, &r, a);
    hs_wire_free(&w);
    if (!answered)
        return; /* the connection is dropped (and with it the longer timeout): retried */
    redisSetTimeout(node->ctx, timeval_of(s->socket.seconds));
    a->outcome = HS_OK;
    if (r->type != REDIS_REPLY_INTEGER || r->integer < s->durable) {
        char got[300];
        if (r->type == REDIS_REPLY_ERROR)
            snprintf(got, sizeof got, "failed: %.250s", r->str != NULL ? r->str : "");
        else if (r->type == REDIS_REPLY_INTEGER)
            snprintf(got, sizeof got, "%lld of %lld", (long long)r->integer, (long long)s->durable);
        else
            snprintf(got, sizeof got, "an unexpected reply (type %d) of %lld", r->type, (long long)s->durable);
        a->outcome = HS_FATAL;
        a->code = SRRuntimeError;
        snprintf(a->why, sizeof a->why,
                 "durable put not acknowledged by the database at %s: replicas that acknowledged within %s=%g s: "
                 "%s; the write may be on the server but is not known to be replicated (does this shard have a "
                 "live replica?)",
                 node->label, s->durable_timeout.variable, seconds, got);
    }
    freeReplyObject(r);
}

/* Whether a reply refuses a command to this client's identity: that is reported (by the caller)
 * before a durable put's acknowledgement, as in the Python client. */
static bool refused(const redisReply* r) {
    return r != NULL && r->type == REDIS_REPLY_ERROR && r->str != NULL && strncmp(r->str, "NOPERM", 6) == 0;
}

static void attempt_on(hs_client* c, hs_node* node, hs_op* op, bool asking, hs_attempt* a) {
    hs_node_connect(c, node, a);
    if (a->outcome != HS_OK)
        return;
    hs_wire w = {0};
    if (asking) {
        const char* argv[] = {"ASKING"};
        size_t lens[] = {6};
        hs_wire_command(&w, 1, argv, lens);
    }
    bool ok = op->exchange(c, node, op, &w, asking, a);
    hs_wire_free(&w);
    if (!ok)
        return;
    a->outcome = HS_OK;
    for (size_t i = 0; i < op->n && a->outcome == HS_OK; i++) {
        const redisReply* r = op->replies[i];
        if (r == NULL)
            continue;
        a->outcome = redirect_of(r, a);
        if (a->outcome != HS_OK) {
            snprintf(a->why, sizeof a->why, "%s: %s", node->label, r->str);
        } else if (r->type == REDIS_REPLY_ERROR && strncmp(r->str, "NOAUTH", 6) == 0) {
            a->outcome = HS_FATAL;
            a->code = SRDatabaseError;
            snprintf(a->why, sizeof a->why, "the database at %s requires a password (%s); set HPCSIM_DB_PASSWORD_FILE",
                     node->label, r->str);
        }
    }
    if (a->outcome == HS_OK && op->writes && c->settings.durable > 0) {
        bool any_refused = false;
        for (size_t i = 0; i < op->n; i++)
            any_refused |= refused(op->replies[i]);
        if (!any_refused)
            durable_wait(c, node, a);
    }
    if (a->outcome != HS_OK)
        free_replies(op->replies, op->n);
}

/* ---- the retry loop ------------------------------------------------------------------------ */

/* One attempt, following MOVED and ASK at once. `shard` >= 0 pins the node. */
static void attempt(hs_client* c, const char* route, size_t route_len, long shard, hs_op* op, hs_attempt* a,
                    char* label, size_t label_size) {
    hs_node* ask = NULL;
    for (int redirects = 0;; redirects++) {
        hs_node* node = ask;
        if (node == NULL && shard >= 0)
            node = (size_t)shard < c->n_nodes ? c->nodes[shard] : NULL;
        else if (node == NULL)
            node = route != NULL ? hs_route(c, route, route_len) : (c->n_nodes ? c->nodes[0] : NULL);
        if (node == NULL) {
            a->outcome = HS_RETRY;
            if (shard >= 0)
                snprintf(a->why, sizeof a->why, "shard %ld is not part of the database any more", shard);
            else
                snprintf(a->why, sizeof a->why, "no server of the cluster serves hash slot %u yet",
                         (unsigned)hs_key_slot(route, route_len));
            snprintf(label, label_size, "%s", c->settings.origin);
            return;
        }
        snprintf(label, label_size, "%s", node->label);
        attempt_on(c, node, op, ask != NULL, a);
        ask = NULL;
        if (a->outcome != HS_MOVED && a->outcome != HS_ASK)
            return;
        if (c->slots == NULL) {
            /* A cluster node configured as a standalone server: say which setting is wrong. */
            char why[400];
            snprintf(why, sizeof why, "%.399s", a->why);
            a->outcome = HS_FATAL;
            a->code = SRDatabaseError;
            snprintf(a->why, sizeof a->why,
                     "the database at %s is a Redis Cluster (%s); set HPCSIM_DB_TYPE=cluster (or "
                     "SR_DB_TYPE=Clustered)",
                     node->label, why);
            return;
        }
        if (redirects >= HS_MAX_REDIRECTS || shard >= 0) {
            a->outcome = HS_RETRY; /* a pinned shard lost the slot: re-read the layout and retry */
            return;
        }
        if (a->outcome == HS_ASK) {
            ask = hs_node_for_label(c, a->target, true);
        } else {
            hs_attempt refresh;
            hs_cluster_refresh(c, &refresh);
            hs_node* target = hs_node_for_label(c, a->target, true);
            if (target != NULL && route != NULL && c->slots != NULL && hs_route(c, route, route_len) != target) {
                for (size_t i = 0; i < c->n_nodes; i++)
                    if (c->nodes[i] == target)
                        c->slots[a->slot] = (int16_t)i;
            }
        }
    }
}

SRError hs_run_op(hs_client* c, const char* route, size_t route_len, long shard, hs_op* op, const char* what) {
    const hs_timeout* budget = &c->settings.command;
    double interval = c->settings.command_interval.seconds;
    double deadline = hs_now() + budget->seconds;
    char label[300] = "";
    hs_attempt a;
    for (int attempts = 1;; attempts++) {
        memset(&a, 0, sizeof a);
        attempt(c, route, route_len, shard, op, &a, label, sizeof label);
        if (a.outcome == HS_OK)
            return SRNoError;
        if (a.outcome == HS_FATAL)
            return hs_fail(a.code, "%s: %s", what, a.why);
        if (hs_now() + interval > deadline)
            return hs_fail(SRTimeoutError,
                           "%s: no answer from the database at %s within %s=%g s (%d attempts); last error: %s", what,
                           label, budget->variable, budget->seconds, attempts, a.why);
        hs_log(c, LLDebug, "retrying in %g s: %s", interval, a.why);
        hs_sleep(interval);
        if (c->slots != NULL && (hs_now() - c->last_refresh > 1.0 || a.outcome != HS_RETRY ||
                                 strstr(a.why, "CLUSTERDOWN") || strstr(a.why, "TRYAGAIN") ||
                                 strstr(a.why, "hash slot"))) {
            hs_attempt refresh;
            hs_cluster_refresh(c, &refresh);
            if (refresh.outcome != HS_OK)
                hs_log(c, LLDebug, "cannot re-read the cluster layout yet: %s", refresh.why);
        }
    }
}

/* "GET 'key'" for messages. */
static void describe_command(char* out, size_t size, int argc, const char** argv, const size_t* lens) {
    int cmd_len = argc > 0 ? (int)(lens[0] < 32 ? lens[0] : 32) : 0;
    if (argc > 1)
        snprintf(out, size, "%.*s '%.*s'", cmd_len, argv[0], (int)(lens[1] < 200 ? lens[1] : 200), argv[1]);
    else
        snprintf(out, size, "%.*s", cmd_len, argc > 0 ? argv[0] : "");
}

static SRError check_args(int argc, const char** argv, const size_t* argvlen, SRError* err) {
    if (argc <= 0 || argv == NULL || argvlen == NULL)
        return *err = hs_fail(SRInternalError, "an empty command was sent to the transport");
    return SRNoError;
}

static redisReply* one_command(hs_client* c, const char* route, size_t route_len, long shard, int argc,
                               const char** argv, const size_t* argvlen, SRError* err) {
    redisReply* reply = NULL;
    if (check_args(argc, argv, argvlen, err) != SRNoError)
        return NULL;
    char what[300];
    describe_command(what, sizeof what, argc, argv, argvlen);
    const char** argvs[] = {argv};
    const size_t* lens[] = {argvlen};
    hs_commands cmd = {&argc, argvs, lens};
    hs_op op = {.exchange = commands_exchange,
                .args = &cmd,
                .n = 1,
                .replies = &reply,
                .writes = hs_is_write(argv[0], argvlen[0])};
    *err = hs_run_op(c, route, route_len, shard, &op, what);
    return *err == SRNoError ? reply : NULL;
}

redisReply* hs_command(hs_client* c, const char* route, size_t route_len, int argc, const char** argv,
                       const size_t* argvlen, SRError* err) {
    return one_command(c, route, route_len, -1, argc, argv, argvlen, err);
}

redisReply* hs_command_on(hs_client* c, size_t shard, int argc, const char** argv, const size_t* argvlen,
                          SRError* err) {
    return one_command(c, NULL, 0, (long)shard, argc, argv, argvlen, err);
}

static SRError pipeline(hs_client* c, const char* route, size_t route_len, long shard, size_t n, const int* argcs,
                        const char** const* argvs, const size_t* const* argvlens, redisReply** replies) {
    for (size_t i = 0; i < n; i++)
        replies[i] = NULL;
    if (n == 0)
        return SRNoError;
    char what[300];
    describe_command(what, sizeof what, argcs[0], argvs[0], argvlens[0]);
    char batch[400];
    snprintf(batch, sizeof batch, "%s (in a batch of %zu commands)", what, n);
    hs_commands cmd = {argcs, argvs, argvlens};
    hs_op op = {.exchange = commands_exchange, .args = &cmd, .n = n, .replies = replies};
    for (size_t i = 0; i < n && !op.writes; i++)
        op.writes = argcs[i] > 0 && hs_is_write(argvs[i][0], argvlens[i][0]);
    return hs_run_op(c, route, route_len, shard, &op, n > 1 ? batch : what);
}

SRError hs_pipeline(hs_client* c, const char* route, size_t route_len, size_t n, const int* argcs,
                    const char** const* argvs, const size_t* const* argvlens, redisReply** replies) {
    return pipeline(c, route, route_len, -1, n, argcs, argvs, argvlens, replies);
}

SRError hs_pipeline_on(hs_client* c, size_t shard, size_t n, const int* argcs, const char** const* argvs,
                       const size_t* const* argvlens, redisReply** replies) {
    return pipeline(c, NULL, 0, (long)shard, n, argcs, argvs, argvlens, replies);
}
