/* The baseline side of scripts/bench/native.py: hiredis alone, SET and GET of the bytes hpcsim
 * stores for the same tensor (its header, given in hex by the driver, then the float64
 * elements), with redisCommandArgv; every reply is freed. The server and password come from
 * HPCSIM_DB (host:port or unix:///path) and HPCSIM_DB_PASSWORD_FILE.
 *
 *   bench_raw serve KEY BYTES HEADER_HEX   line protocol of bench_common.h
 *   bench_raw rss KEY BYTES HEADER_HEX     one SET and one GET; VmRSS/VmHWM before and after */
#include "bench_common.h"

#include <hiredis/hiredis.h>

static redisContext* ctx;
static const char* key;
static char* value; /* header + elements */
static size_t value_len, header_len;

static redisReply* command(int argc, const char** argv, const size_t* lens, const char* what) {
    redisReply* reply = redisCommandArgv(ctx, argc, argv, lens);
    if (!reply) bench_die("%s: %s", what, ctx->errstr);
    if (reply->type == REDIS_REPLY_ERROR) bench_die("%s: %s", what, reply->str);
    return reply;
}

static void set(void) {
    const char* argv[] = {"SET", key, value};
    size_t lens[] = {3, strlen(key), value_len};
    freeReplyObject(command(3, argv, lens, "SET"));
}

static redisReply* get(void) {
    const char* argv[] = {"GET", key};
    size_t lens[] = {3, strlen(key)};
    redisReply* reply = command(2, argv, lens, "GET");
    if (reply->type != REDIS_REPLY_STRING || (size_t)reply->len != value_len)
        bench_die("GET %s: not the value that was set", key);
    return reply;
}

static void connect_and_auth(void) {
    const char* address = getenv("HPCSIM_DB");
    if (!address || !*address) bench_die("HPCSIM_DB is not set");
    if (strncmp(address, "unix://", 7) == 0) {
        ctx = redisConnectUnix(address + 7);
    } else {
        char host[256];
        const char* colon = strrchr(address, ':');
        if (!colon || (size_t)(colon - address) >= sizeof host) bench_die("bad HPCSIM_DB %s", address);
        memcpy(host, address, (size_t)(colon - address));
        host[colon - address] = '\0';
        ctx = redisConnect(host, atoi(colon + 1));
    }
    if (!ctx || ctx->err) bench_die("connect to %s: %s", address, ctx ? ctx->errstr : "out of memory");
    const char* password_file = getenv("HPCSIM_DB_PASSWORD_FILE");
    if (password_file && *password_file) {
        char password[512] = "";
        FILE* f = fopen(password_file, "r");
        if (!f || !fgets(password, sizeof password, f)) bench_die("cannot read %s", password_file);
        fclose(f);
        password[strcspn(password, "\r\n")] = '\0';
        const char* argv[] = {"AUTH", password};
        size_t lens[] = {4, strlen(password)};
        freeReplyObject(command(2, argv, lens, "AUTH"));
    }
}

int main(int argc, char** argv) {
    if (argc != 5) bench_die("usage: bench_raw serve|rss KEY BYTES HEADER_HEX");
    key = argv[2];
    size_t nbytes = (size_t)strtoull(argv[3], NULL, 10);
    const char* hex = argv[4];
    header_len = strlen(hex) / 2;
    value_len = header_len + nbytes;
    value = malloc(value_len);
    if (!value) bench_die("out of memory for %zu bytes", value_len);
    for (size_t i = 0; i < header_len; i++) {
        unsigned byte = 0;
        if (sscanf(hex + 2 * i, "%2x", &byte) != 1) bench_die("bad header hex %s", hex);
        value[i] = (char)byte;
    }
    /* elements at an 8-byte offset (the header is 8 + 8 * ndim bytes) */
    bench_fill((double*)(void*)(value + header_len), nbytes / sizeof(double));
    connect_and_auth();

    if (strcmp(argv[1], "rss") == 0) {
        long rss = bench_status_kib("VmRSS"), hwm = bench_status_kib("VmHWM");
        set();
        long hwm_put = bench_status_kib("VmHWM");
        long hwm_reset = bench_reset_hwm();
        freeReplyObject(get());
        long hwm_get = bench_status_kib("VmHWM");
        const char* del[] = {"DEL", key};
        size_t del_lens[] = {3, strlen(key)};
        freeReplyObject(command(2, del, del_lens, "DEL"));
        bench_rss_report(rss, hwm, hwm_put, hwm_reset, hwm_get);
        redisFree(ctx);
        free(value);
        return 0;
    }
    if (strcmp(argv[1], "serve") != 0) bench_die("unknown mode %s", argv[1]);
    set();
    puts("{\"ready\": true}");
    fflush(stdout);
    char cmd[16];
    long n = 0;
    while (bench_command(cmd, sizeof cmd, &n)) {
        if (strcmp(cmd, "round") == 0) {
            double t0 = bench_now();
            for (long i = 0; i < n; i++) set();
            double t1 = bench_now();
            for (long i = 0; i < n; i++) freeReplyObject(get());
            double t2 = bench_now();
            printf("{\"put_s\": %.9f, \"get_s\": %.9f}\n", t1 - t0, t2 - t1);
        } else if (strcmp(cmd, "check") == 0) {
            redisReply* reply = get();
            printf("{\"ok\": %s}\n", memcmp(reply->str, value, value_len) == 0 ? "true" : "false");
            freeReplyObject(reply);
        } else if (strcmp(cmd, "quit") == 0) {
            break;
        } else {
            bench_die("unknown command %s", cmd);
        }
        fflush(stdout);
    }
    redisFree(ctx);
    free(value);
    return 0;
}
