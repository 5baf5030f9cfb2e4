/* Shared by the C benchmark programs of scripts/bench/native.py (not part of the clients).
 *
 * Each program serves one side of the benchmark over a line protocol on stdin/stdout, so the
 * driver can alternate rounds between sides while every side keeps its connection and buffers:
 *   "round N"  N puts, then N gets of the same key; answers {"put_s": ..., "get_s": ...}
 *   "check 0"  one get, compared with what was put; answers {"ok": true|false}
 *   "quit 0"   exits 0
 * It answers {"ready": true} once connected and its data is written, and {"error": "..."}
 * (then exits 1) on any failure. `rss` mode puts once, then gets once, and reports the peak
 * RSS (VmHWM of /proc/self/status) before and after each. */
#ifndef BENCH_COMMON_H
#define BENCH_COMMON_H

#define _POSIX_C_SOURCE 200809L

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static double bench_now(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec * 1e-9;
}

/* A field of /proc/self/status in KiB (VmRSS, VmHWM), or -1. */
static long bench_status_kib(const char* field) {
    FILE* f = fopen("/proc/self/status", "r");
    if (!f) return -1;
    char line[256];
    long value = -1;
    size_t n = strlen(field);
    while (fgets(line, sizeof line, f)) {
        if (strncmp(line, field, n) == 0 && line[n] == ':') {
            value = strtol(line + n + 1, NULL, 10);
            break;
        }
    }
    fclose(f);
    return value;
}

/* Prints {"error": "..."} (the message JSON-escaped) and exits 1. */
static void bench_die(const char* fmt, ...) {
    char message[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(message, sizeof message, fmt, ap);
    va_end(ap);
    fputs("{\"error\": \"", stdout);
    for (const char* p = message; *p; p++) {
        if (*p == '"' || *p == '\\') putchar('\\');
        putchar((unsigned char)*p >= 0x20 ? *p : ' ');
    }
    fputs("\"}\n", stdout);
    fflush(stdout);
    exit(1);
}

/* The elements every side writes: element i of a float64 tensor is i / 2 (exact). */
static void bench_fill(double* data, size_t count) {
    for (size_t i = 0; i < count; i++) data[i] = (double)i * 0.5;
}

/* Reads one "CMD N" line; returns 0 at end of input. */
static int bench_command(char* cmd, size_t cmd_size, long* n) {
    char line[128];
    if (!fgets(line, sizeof line, stdin)) return 0;
    char format[32];
    snprintf(format, sizeof format, "%%%zus %%ld", cmd_size - 1);
    *n = 0;
    if (sscanf(line, format, cmd, n) < 1) bench_die("bad command line: %s", line);
    return 1;
}

/* Resets VmHWM to the current VmRSS (Linux 4.0+: "5" into clear_refs), so that the next peak
 * is measured from here; returns VmHWM after the reset (-1 if it could not be reset). */
static long bench_reset_hwm(void) {
    FILE* f = fopen("/proc/self/clear_refs", "w");
    if (!f) return -1;
    int ok = fputs("5", f) >= 0;
    ok = fclose(f) == 0 && ok;
    return ok ? bench_status_kib("VmHWM") : -1;
}

static void bench_rss_report(long rss_before, long hwm_before, long hwm_put, long hwm_reset, long hwm_get) {
    printf("{\"rss_before_kib\": %ld, \"hwm_before_kib\": %ld, \"hwm_after_put_kib\": %ld, "
           "\"hwm_before_get_kib\": %ld, \"hwm_after_get_kib\": %ld}\n",
           rss_before, hwm_before, hwm_put, hwm_reset, hwm_get);
    fflush(stdout);
}

#endif
