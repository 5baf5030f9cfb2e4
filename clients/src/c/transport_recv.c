/* GET with the value read from the socket straight into memory the data half names
 * (hs_get_into, hs_internal.h).
 *
 * Why: hiredis reads a reply into its own buffer (grown to the whole value), then copies it into
 * the reply object, and unpack_tensor used to copy it a third time into the caller's array: a
 * large get ran at about 0.8x of a raw hiredis GET and held two extra copies of the tensor. Here
 * the library sends GET, reads the bulk header `$<len>\r\n` and the value's first bytes itself,
 * lets the data half check them (the tensor header) and say where the rest goes, and receives
 * the rest with recv(2) there. Any other answer (nil, an error reply, MOVED/ASK) is handed to
 * hiredis' reader as read so far, so that it becomes the same reply object as on every other
 * path and the retry loop (conn.c) treats it as it treats every answer.
 *
 * The socket is read only while hiredis' reader holds no unread bytes (always so, as every
 * request waits for its answers); otherwise the GET goes through hiredis and the value is copied
 * to the sink from the reply. */
#define _POSIX_C_SOURCE 200809L

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include "transport_client.h"

/* Bytes read before the value's destination is known: the answer's first line and up to
 * HS_SINK_PEEK bytes of the value (a small value arrives whole with the first read). */
#define HS_INBOX (2 * HS_SINK_PEEK)
/* A value the sink refuses is read and dropped up to this size, keeping the connection; a larger
 * one closes the connection instead (the next command reconnects) rather than read it all. */
#define HS_DRAIN_MAX ((size_t)1 << 20)
/* The most one recv(2) of a value's bytes asks for (see receive_all). */
#define HS_RECV_STEP ((size_t)16 << 10)

typedef struct {
    const char* key;
    size_t key_len;
    const hs_sink* sink;
    SRError refused; /* the sink's refusal of the value, with the last error set */
} hs_get_args;

typedef struct {
    char buf[HS_INBOX];
    size_t at, len; /* unread: buf[at .. len) */
} hs_inbox;

static size_t min_size(size_t a, size_t b) { return a < b ? a : b; }

/* recv(2) on a blocking socket with hiredis' SO_RCVTIMEO: > 0 bytes, or 0 and *error (0: the
 * server closed the connection; EAGAIN: the socket timeout passed with nothing to read). */
static size_t receive(int fd, void* p, size_t n, int flags, int* error) {
    for (;;) {
        ssize_t got = recv(fd, p, n, flags);
        if (got > 0)
            return (size_t)got;
        if (got < 0 && errno == EINTR)
            continue;
        *error = got == 0 ? 0 : errno;
        return 0;
    }
}

/* Receives exactly n bytes into p; false (connection dropped, failure in *a) on an error.
 * In steps of HS_RECV_STEP: one long recv(2) holds the socket while it copies, and TCP sends
 * the window updates that keep the server sending only between calls; at 1 MiB over loopback
 * a single recv per value ran at 0.85x of hiredis' 16 KiB reads, 16 KiB steps at 1.2x. */
static bool receive_all(hs_client* c, hs_node* node, char* p, size_t n, hs_attempt* a) {
    while (n > 0) {
        int error = 0;
        size_t got = receive(node->ctx->fd, p, min_size(n, HS_RECV_STEP), MSG_WAITALL, &error);
        if (got == 0) {
            hs_io_errno(c, node, error, a);
            return false;
        }
        p += got;
        n -= got;
    }
    return true;
}

/* An answer that breaks the protocol, as hiredis reports one; the connection is dropped. */
static bool protocol_error(hs_client* c, hs_node* node, const char* text, hs_attempt* a) {
    node->ctx->err = REDIS_ERR_PROTOCOL;
    snprintf(node->ctx->errstr, sizeof node->ctx->errstr, "Protocol error: %s", text);
    hs_io_failure(c, node, a);
    return false;
}

/* Reads at least one more byte into the inbox (its unread bytes moved to the front first). */
static bool more(hs_client* c, hs_node* node, hs_inbox* in, hs_attempt* a) {
    memmove(in->buf, in->buf + in->at, in->len - in->at);
    in->len -= in->at;
    in->at = 0;
    if (in->len == sizeof in->buf)
        return protocol_error(c, node, "an answer line is too long", a);
    int error = 0;
    size_t got = receive(node->ctx->fd, in->buf + in->len, sizeof in->buf - in->len, 0, &error);
    if (got == 0) {
        hs_io_errno(c, node, error, a);
        return false;
    }
    in->len += got;
    return true;
}

/* Waits until the inbox holds a whole line; *n: its length without the CRLF. */
static bool line(hs_client* c, hs_node* node, hs_inbox* in, size_t* n, hs_attempt* a) {
    for (;;) {
        const char* start = in->buf + in->at;
        const char* lf = memchr(start, '\n', in->len - in->at);
        if (lf != NULL && lf > start && lf[-1] == '\r') {
            *n = (size_t)(lf - 1 - start);
            return true;
        }
        if (lf != NULL)
            return protocol_error(c, node, "a line does not end with CRLF", a);
        if (!more(c, node, in, a))
            return false;
    }
}

/* The length of a bulk string header "$<digits>"; false for anything else ("$-1" included). */
static bool bulk_length(const char* p, size_t n, size_t* len) {
    if (n < 2 || n > 20 || p[0] != '$')
        return false;
    size_t v = 0;
    for (size_t i = 1; i < n; i++) {
        if (p[i] < '0' || p[i] > '9' || v > (SIZE_MAX - 2 - (size_t)(p[i] - '0')) / 10)
            return false;
        v = v * 10 + (size_t)(p[i] - '0');
    }
    *len = v;
    return true;
}

static bool sink_failed(hs_node* node, const char* text, hs_attempt* a) {
    a->outcome = HS_FATAL;
    a->code = SRInternalError;
    snprintf(a->why, sizeof a->why, "%s (reading a value from %s)", text, node->label);
    hs_node_close(node); /* the rest of the value is still on the way: the connection is unusable */
    return false;
}

/* After the sink refused the value: `left` more bytes of the answer (the rest of the value and
 * its CRLF) follow what the inbox holds. Drops them, or the connection when they are many. */
static void skip_value(hs_node* node, hs_inbox* in, size_t left) {
    size_t buffered = in->len - in->at;
    if (buffered > left || left - buffered > HS_DRAIN_MAX) {
        hs_node_close(node);
        return;
    }
    for (left -= buffered; left > 0;) {
        int error = 0;
        size_t got = receive(node->ctx->fd, in->buf, min_size(left, sizeof in->buf), 0, &error);
        if (got == 0) {
            hs_node_close(node);
            return;
        }
        left -= got;
    }
}

/* A value already in memory (read by hiredis) given to the sink. */
static void deliver(hs_get_args* g, const char* value, size_t len) {
    const hs_sink* s = g->sink;
    size_t off = 0;
    g->refused = s->start(s->ctx, len, value, min_size(len, HS_SINK_PEEK), &off);
    while (!g->refused && off < len) {
        size_t cap = 0;
        char* dst = s->into(s->ctx, off, &cap);
        size_t n = min_size(cap, len - off);
        if (dst == NULL || n == 0) {
            g->refused = hs_fail(SRInternalError, "a sink took no bytes of a value");
            return;
        }
        memcpy(dst, value + off, n);
        if (s->got)
            s->got(s->ctx, off, n);
        off += n;
    }
}

/* The value of `len` bytes whose first inbox->len - inbox->at bytes are read, into the sink. */
static bool receive_value(hs_client* c, hs_node* node, hs_get_args* g, hs_inbox* in, size_t len, hs_attempt* a) {
    const hs_sink* s = g->sink;
    size_t peek = min_size(len, HS_SINK_PEEK), off = 0;
    while (in->len - in->at < peek)
        if (!more(c, node, in, a))
            return false;
    g->refused = s->start(s->ctx, len, in->buf + in->at, peek, &off);
    if (g->refused != SRNoError) {
        skip_value(node, in, len + 2);
        return true;
    }
    if (off > peek)
        return sink_failed(node, "a sink took more of a value than it was shown", a);
    in->at += off;
    while (off < len) {
        size_t cap = 0;
        char* dst = s->into(s->ctx, off, &cap);
        size_t n = min_size(cap, len - off);
        if (dst == NULL || n == 0)
            return sink_failed(node, "a sink took no bytes of a value", a);
        size_t have = min_size(n, in->len - in->at);
        memcpy(dst, in->buf + in->at, have);
        in->at += have;
        if (have < n && !receive_all(c, node, dst + have, n - have, a))
            return false;
        if (s->got)
            s->got(s->ctx, off, n);
        off += n;
    }
    while (in->len - in->at < 2)
        if (!more(c, node, in, a))
            return false;
    if (in->len - in->at != 2 || memcmp(in->buf + in->at, "\r\n", 2) != 0)
        return protocol_error(c, node, "a value is not followed by CRLF alone", a);
    return true;
}

static bool get_exchange(hs_client* c, hs_node* node, hs_op* op, hs_wire* w, bool asking, hs_attempt* a) {
    hs_get_args* g = op->args;
    g->refused = SRNoError;
    const char* argv[] = {"GET", g->key};
    size_t lens[] = {3, g->key_len};
    hs_wire_command(w, 2, argv, lens);
    redisReader* reader = node->ctx->reader;
    if (w->oom || reader->pos < reader->len) {
        /* hiredis reports the failure, or reads the answer behind the bytes it holds */
        if (!hs_exchange(c, node, w, asking ? 1 : 0, 1, op->replies, a))
            return false;
        redisReply* r = op->replies[0];
        if (r->type == REDIS_REPLY_STRING) {
            deliver(g, r->str, (size_t)r->len);
            freeReplyObject(r);
            op->replies[0] = NULL;
        }
        return true;
    }
    int error = hs_wire_send(w, node->ctx->fd);
    if (error != 0) {
        hs_io_errno(c, node, error, a);
        return false;
    }
    hs_inbox in;
    in.at = in.len = 0;
    size_t n = 0, len = 0;
    if (asking) { /* ASKING's answer, dropped as hs_exchange drops it */
        if (!line(c, node, &in, &n, a))
            return false;
        if (in.buf[in.at] != '+' && in.buf[in.at] != '-')
            return protocol_error(c, node, "ASKING was not answered with a status", a);
        in.at += n + 2;
    }
    if (!line(c, node, &in, &n, a))
        return false;
    if (!bulk_length(in.buf + in.at, n, &len)) {
        /* nil, an error reply or a redirection: hiredis makes the reply from here on */
        if (redisReaderFeed(reader, in.buf + in.at, in.len - in.at) != REDIS_OK)
            return protocol_error(c, node, "out of memory", a);
        return hs_receive(c, node, 0, 1, op->replies, a);
    }
    in.at += n + 2;
    op->replies[0] = NULL;
    return receive_value(c, node, g, &in, len, a);
}

SRError hs_get_into(hs_client* c, const char* key, size_t key_len, const hs_sink* sink, redisReply** other) {
    *other = NULL;
    hs_get_args g = {key, key_len, sink, SRNoError};
    redisReply* reply = NULL;
    hs_op op = {.exchange = get_exchange, .args = &g, .n = 1, .replies = &reply};
    char what[300];
    snprintf(what, sizeof what, "GET '%.*s'", (int)(key_len < 200 ? key_len : 200), key);
    SRError e = hs_run_op(c, key, key_len, -1, &op, what);
    if (e != SRNoError)
        return e;
    if (g.refused != SRNoError)
        return g.refused; /* a refused value leaves no reply */
    *other = reply;
    return SRNoError;
}
