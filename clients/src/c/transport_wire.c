/* Requests in the Redis protocol (RESP), written to the socket by the library itself.
 *
 * Why not hiredis' writer: it copies every argument into one output buffer (a 1 GiB tensor
 * would be copied once more) and writes with write(2), which raises SIGPIPE when the server has
 * gone away, killing a program that did not ignore SIGPIPE. Here small pieces are copied into
 * one buffer, large ones are referenced where they lie, and everything goes out with
 * sendmsg(MSG_NOSIGNAL) in as few system calls as possible. hiredis still parses the replies.
 *
 * Also here: SET of a value given as a header and a body (hs_set_parts), or as a header and a
 * body produced in pieces (hs_set_pieces: a Fortran array transposed one block at a time, so
 * that a put never holds a second copy of the array). */
#define _POSIX_C_SOURCE 200809L

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/uio.h>

#include "transport_client.h"

/* Pieces at least this large are sent from the caller's memory instead of being copied. */
#define HS_WIRE_BY_REFERENCE 4096
/* iovecs per sendmsg (well under every system's IOV_MAX). */
#define HS_WIRE_IOV 64

static bool add_segment(hs_wire* w, size_t off, size_t len, const void* ext) {
    /* Bytes appended to the buffer extend the previous buffer segment when it ends there. */
    if (ext == NULL && w->nseg > 0) {
        hs_segment* last = &w->seg[w->nseg - 1];
        if (last->ext == NULL && last->off + last->len == off) {
            last->len += len;
            return true;
        }
    }
    if (w->nseg == w->capseg) {
        size_t cap = w->capseg ? 2 * w->capseg : 8;
        hs_segment* grown = realloc(w->seg, cap * sizeof *grown);
        if (grown == NULL)
            return false;
        w->seg = grown;
        w->capseg = cap;
    }
    w->seg[w->nseg++] = (hs_segment){off, len, ext};
    return true;
}

static void copy_in(hs_wire* w, const void* data, size_t len) {
    if (w->oom || len == 0)
        return;
    if (w->len + len > w->cap) {
        size_t cap = w->cap ? w->cap : 256;
        while (cap < w->len + len)
            cap *= 2;
        char* grown = realloc(w->buf, cap);
        if (grown == NULL) {
            w->oom = true;
            return;
        }
        w->buf = grown;
        w->cap = cap;
    }
    memcpy(w->buf + w->len, data, len);
    if (!add_segment(w, w->len, len, NULL))
        w->oom = true;
    w->len += len;
}

void hs_wire_data(hs_wire* w, const void* data, size_t len) {
    if (len < HS_WIRE_BY_REFERENCE)
        copy_in(w, data, len);
    else if (!w->oom && !add_segment(w, 0, len, data))
        w->oom = true;
}

void hs_wire_format(hs_wire* w, const char* fmt, ...) {
    char text[128];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(text, sizeof text, fmt, ap);
    va_end(ap);
    if (n < 0 || (size_t)n >= sizeof text)
        w->oom = true;
    else
        copy_in(w, text, (size_t)n);
}

void hs_wire_command(hs_wire* w, int argc, const char** argv, const size_t* lens) {
    hs_wire_format(w, "*%d\r\n", argc);
    for (int i = 0; i < argc; i++) {
        hs_wire_format(w, "$%zu\r\n", lens[i]);
        hs_wire_data(w, argv[i], lens[i]);
        copy_in(w, "\r\n", 2);
    }
}

void hs_wire_clear(hs_wire* w) {
    w->len = 0;
    w->nseg = 0;
}

void hs_wire_free(hs_wire* w) {
    free(w->buf);
    free(w->seg);
    memset(w, 0, sizeof *w);
}

int hs_wire_send(const hs_wire* w, int fd) {
    size_t seg = 0, done = 0; /* the next byte to send: w->seg[seg], `done` bytes in */
    while (seg < w->nseg) {
        struct iovec iov[HS_WIRE_IOV];
        int count = 0;
        for (size_t i = seg; i < w->nseg && count < HS_WIRE_IOV; i++, count++) {
            const hs_segment* s = &w->seg[i];
            const char* base = s->ext != NULL ? (const char*)s->ext : w->buf + s->off;
            size_t skip = i == seg ? done : 0;
            iov[count].iov_base = (void*)(base + skip);
            iov[count].iov_len = s->len - skip;
        }
        struct msghdr msg;
        memset(&msg, 0, sizeof msg);
        msg.msg_iov = iov;
        msg.msg_iovlen = (size_t)count;
        ssize_t sent = sendmsg(fd, &msg, MSG_NOSIGNAL);
        if (sent < 0) {
            if (errno == EINTR)
                continue;
            return errno;
        }
        size_t left = (size_t)sent;
        while (seg < w->nseg && left >= w->seg[seg].len - done) {
            left -= w->seg[seg].len - done;
            seg++;
            done = 0;
        }
        done += left;
    }
    return 0;
}

/* ---- SET key head ++ body --------------------------------------------------------------------- */

typedef struct {
    const char* key;
    size_t key_len;
    const void* head;
    size_t head_len;
    const void* body; /* the whole body, or NULL: from `piece` */
    size_t body_len;
    hs_piece_fn piece;
    void* ctx;
} hs_set_args;

static bool set_exchange(hs_client* c, hs_node* node, hs_op* op, hs_wire* w, bool asking, hs_attempt* a) {
    const hs_set_args* s = op->args;
    hs_wire_format(w, "*3\r\n$3\r\nSET\r\n$%zu\r\n", s->key_len);
    hs_wire_data(w, s->key, s->key_len);
    hs_wire_format(w, "\r\n$%zu\r\n", s->head_len + s->body_len);
    hs_wire_data(w, s->head, s->head_len);
    if (s->body != NULL || s->body_len == 0) {
        hs_wire_data(w, s->body, s->body_len);
        hs_wire_data(w, "\r\n", 2);
        return hs_exchange(c, node, w, asking ? 1 : 0, 1, op->replies, a);
    }
    /* One sendmsg per piece, the request's start going out with the first and the final CRLF
     * with the last: the piece's memory is reused by the next call of s->piece. */
    for (size_t offset = 0; offset < s->body_len;) {
        size_t len = 0;
        const void* piece = s->piece(s->ctx, offset, &len);
        if (piece == NULL || len == 0 || len > s->body_len - offset) {
            a->outcome = HS_FATAL;
            a->code = SRInternalError;
            snprintf(a->why, sizeof a->why, "a value sent to %s in pieces did not add up to its length", node->label);
            hs_node_close(node); /* the request is incomplete: the connection is unusable */
            return false;
        }
        hs_wire_data(w, piece, len);
        offset += len;
        if (offset == s->body_len)
            hs_wire_data(w, "\r\n", 2);
        int error = w->oom ? ENOMEM : hs_wire_send(w, node->ctx->fd);
        if (error != 0) {
            hs_io_errno(c, node, error, a);
            return false;
        }
        hs_wire_clear(w);
    }
    return hs_receive(c, node, asking ? 1 : 0, 1, op->replies, a);
}

static SRError set_value(hs_client* c, hs_set_args* args) {
    redisReply* reply = NULL;
    hs_op op = {.exchange = set_exchange, .args = args, .n = 1, .replies = &reply, .writes = true};
    char what[300];
    snprintf(what, sizeof what, "SET '%.*s'", (int)(args->key_len < 200 ? args->key_len : 200), args->key);
    SRError err = hs_run_op(c, args->key, args->key_len, -1, &op, what);
    if (err != SRNoError)
        return err;
    err = hs_check_reply(reply, what);
    freeReplyObject(reply);
    return err;
}

SRError hs_set_parts(hs_client* c, const char* key, size_t key_len, const void* head, size_t head_len,
                     const void* body, size_t body_len) {
    hs_set_args args = {key, key_len, head, head_len, body ? body : "", body ? body_len : 0, NULL, NULL};
    return set_value(c, &args);
}

SRError hs_set_pieces(hs_client* c, const char* key, size_t key_len, const void* head, size_t head_len,
                      size_t body_len, hs_piece_fn piece, void* ctx) {
    hs_set_args args = {key, key_len, head, head_len, NULL, body_len, piece, ctx};
    return set_value(c, &args);
}
