/* One side of scripts/bench/native.py: hpcsim's C client, put_tensor and unpack_tensor of a
 * float64 vector (SRMemLayoutContiguous). The database comes from the environment
 * (HPCSIM_DB, HPCSIM_DB_TYPE, HPCSIM_DB_PASSWORD_FILE), as for any program.
 *
 *   bench_hpcsim serve KEY BYTES   line protocol of bench_common.h
 *   bench_hpcsim rss KEY BYTES     one put and one unpack; VmRSS/VmHWM before and after */
#include "bench_common.h"

#include "hpcsim_client.h"

static void* client;
static const char* key;
static size_t key_len, count;
static double *data, *result;

static void check(SRError e, const char* what) {
    if (e != SRNoError) bench_die("%s: error %d: %s", what, (int)e, SRGetLastError());
}

static void put(void) {
    size_t dims[1] = {count};
    check(put_tensor(client, key, key_len, data, dims, 1, SRTensorTypeDouble, SRMemLayoutContiguous), "put_tensor");
}

static void unpack(double* into) {
    size_t dims[1] = {count};
    check(unpack_tensor(client, key, key_len, into, dims, 1, SRTensorTypeDouble, SRMemLayoutContiguous),
          "unpack_tensor");
}

int main(int argc, char** argv) {
    if (argc != 4) bench_die("usage: bench_hpcsim serve|rss KEY BYTES");
    key = argv[2];
    key_len = strlen(key);
    count = (size_t)strtoull(argv[3], NULL, 10) / sizeof(double);
    data = malloc(count * sizeof(double));
    if (!data) bench_die("out of memory for %zu doubles", count);
    bench_fill(data, count);
    check(SimpleCreateClient("bench", 5, &client), "SimpleCreateClient");

    if (strcmp(argv[1], "rss") == 0) {
        long rss = bench_status_kib("VmRSS"), hwm = bench_status_kib("VmHWM");
        put();
        long hwm_put = bench_status_kib("VmHWM");
        long hwm_reset = bench_reset_hwm();
        unpack(data); /* into the same buffer: only what the library itself allocates counts */
        long hwm_get = bench_status_kib("VmHWM");
        check(delete_tensor(client, key, key_len), "delete_tensor");
        bench_rss_report(rss, hwm, hwm_put, hwm_reset, hwm_get);
        DeleteCClient(&client);
        free(data);
        return 0;
    }
    if (strcmp(argv[1], "serve") != 0) bench_die("unknown mode %s", argv[1]);
    result = malloc(count * sizeof(double));
    if (!result) bench_die("out of memory for %zu doubles", count);
    memset(result, 0, count * sizeof(double));
    put();
    puts("{\"ready\": true}");
    fflush(stdout);
    char cmd[16];
    long n = 0;
    while (bench_command(cmd, sizeof cmd, &n)) {
        if (strcmp(cmd, "round") == 0) {
            double t0 = bench_now();
            for (long i = 0; i < n; i++) put();
            double t1 = bench_now();
            for (long i = 0; i < n; i++) unpack(result);
            double t2 = bench_now();
            printf("{\"put_s\": %.9f, \"get_s\": %.9f}\n", t1 - t0, t2 - t1);
        } else if (strcmp(cmd, "check") == 0) {
            memset(result, 0, count * sizeof(double));
            unpack(result);
            printf("{\"ok\": %s}\n", memcmp(result, data, count * sizeof(double)) == 0 ? "true" : "false");
        } else if (strcmp(cmd, "quit") == 0) {
            break;
        } else {
            bench_die("unknown command %s", cmd);
        }
        fflush(stdout);
    }
    DeleteCClient(&client);
    free(result);
    free(data);
    return 0;
}
