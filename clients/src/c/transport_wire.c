/* Requests in the Redis protocol (RESP), written to the socket by the library itself.
 *
 * Why not hiredis' writer: it copies every argument into one output buffer (a 1 GiB tensor
 * would be copied once more) and writes with write(2), which raises SIGPIPE when the server has
 * gone away, killing a program that did not ignore SIGPIPE. Here small pieces are copied into
 * one buffer, large ones are referenced where they lie, and everything goes out with
 * sendmsg(MSG_NOSIGNAL) in as few system calls as possible. hiredis still parses the replies. */
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
