/* An application of the durable-put tests (tests/native/test_c_durable.py). It creates a client
 * from the environment (HPCSIM_DURABLE, HPCSIM_DURABLE_TIMEOUT, ...) and prints its
 * "Durable puts:" line. With -s SUFFIX (create_configoptions_from_environment(SUFFIX)) or
 * -o REPLICAS (override_integer_option("HPCSIM_DURABLE", REPLICAS)) it makes the client with
 * CreateClient from a ConfigOptions, else with SimpleCreateClient. Then:
 *
 *   durable_app [-s SUFFIX] [-o REPLICAS] describe
 *       nothing more;
 *   durable_app [-s SUFFIX] [-o REPLICAS] roundtrip N
 *       puts N tensors t.0 .. t.<N-1>, a dataset and a list of one; copies, renames and deletes
 *       a tensor; then reads every one of them back and checks it ("ok put N", "ok verified N");
 *   durable_app [-s SUFFIX] [-o REPLICAS] each
 *       tries every kind of write once, whatever the previous one did, printing
 *       "write NAME CODE MESSAGE" for each (CODE 0: it succeeded), then reads the tensor that
 *       the first write put ("read CODE same|changed|MESSAGE").
 *
 * The first failure of describe or roundtrip prints "error CODE MESSAGE" and exits with 1. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "c_client.h"
#include "c_configoptions.h"
#include "c_dataset.h"
#include "hpcsim_client.h"
#include "sr_enums.h"

#define WIDTH 16

static int fail(SRError code) {
    printf("error %d %s\n", (int)code, SRGetLastError());
    return 1;
}

static void fill(double* values, long i) {
    for (int k = 0; k < WIDTH; k++)
        values[k] = (double)i * 1000.0 + (double)k * 0.5;
}

static SRError put(void* client, const char* name, long i) {
    double values[WIDTH];
    size_t dims[1] = {WIDTH};
    fill(values, i);
    return put_tensor(client, name, strlen(name), values, dims, 1, SRTensorTypeDouble, SRMemLayoutContiguous);
}

/* SRNoError and *same when tensor `name` holds the values of fill(i). */
static SRError check(void* client, const char* name, long i, bool* same) {
    double values[WIDTH], expected[WIDTH];
    size_t dims[1] = {WIDTH};
    fill(expected, i);
    SRError code = unpack_tensor(client, name, strlen(name), values, dims, 1, SRTensorTypeDouble,
                                 SRMemLayoutContiguous);
    *same = code == SRNoError && memcmp(values, expected, sizeof values) == 0;
    return code;
}

/* Puts dataset `name` (one tensor, "field"); *ds is the dataset (free it with DeallocateDataSet). */
static SRError put_a_dataset(void* client, const char* name, void** ds) {
    SRError code = CDataSet(name, strlen(name), ds);
    double values[WIDTH];
    size_t dims[1] = {WIDTH};
    fill(values, 7);
    if (code == SRNoError)
        code = add_tensor(*ds, "field", 5, values, dims, 1, SRTensorTypeDouble, SRMemLayoutContiguous);
    if (code == SRNoError)
        code = put_dataset(client, *ds);
    return code;
}

static int roundtrip(void* client, long n) {
    char name[64];
    for (long i = 0; i < n; i++) {
        snprintf(name, sizeof name, "t.%ld", i);
        SRError code = put(client, name, i);
        if (code != SRNoError)
            return fail(code);
    }
    void* members = NULL;
    SRError code = delete_list(client, "members", 7); /* a list left by an earlier run */
    if (code == SRNoError)
        code = put_a_dataset(client, "ds", &members);
    if (code == SRNoError)
        code = append_to_list(client, "members", 7, members);
    if (members != NULL)
        DeallocateDataSet(&members);
    if (code == SRNoError)
        code = put(client, "moved.src", -1);
    if (code == SRNoError)
        code = copy_tensor(client, "moved.src", 9, "moved.copy", 10);
    if (code == SRNoError)
        code = rename_tensor(client, "moved.src", 9, "moved.dest", 10);
    if (code == SRNoError)
        code = put(client, "gone", -2);
    if (code == SRNoError)
        code = delete_tensor(client, "gone", 4);
    if (code != SRNoError)
        return fail(code);
    printf("ok put %ld\n", n);

    long verified = 0;
    for (long i = 0; i < n; i++) {
        bool same = false;
        snprintf(name, sizeof name, "t.%ld", i);
        if ((code = check(client, name, i, &same)) != SRNoError)
            return fail(code);
        if (!same) {
            printf("error 0 tensor %s came back changed\n", name);
            return 1;
        }
        verified++;
    }
    bool same_copy = false, same_dest = false, exists_src = true, exists_gone = true;
    if ((code = check(client, "moved.copy", -1, &same_copy)) != SRNoError ||
        (code = check(client, "moved.dest", -1, &same_dest)) != SRNoError ||
        (code = tensor_exists(client, "moved.src", 9, &exists_src)) != SRNoError ||
        (code = tensor_exists(client, "gone", 4, &exists_gone)) != SRNoError)
        return fail(code);
    void* ds = NULL;
    if ((code = get_dataset(client, "ds", 2, &ds)) != SRNoError)
        return fail(code);
    DeallocateDataSet(&ds);
    int length = 0;
    if ((code = get_list_length(client, "members", 7, &length)) != SRNoError)
        return fail(code);
    if (!same_copy || !same_dest || exists_src || exists_gone || length != 1) {
        printf("error 0 copy %d, rename %d, source left %d, deleted left %d, list length %d\n", (int)same_copy,
               (int)same_dest, (int)exists_src, (int)exists_gone, length);
        return 1;
    }
    printf("ok verified %ld\n", verified);
    return 0;
}

static void report(const char* what, SRError code) {
    printf("write %s %d %s\n", what, (int)code, code == SRNoError ? "" : SRGetLastError());
}

static int each(void* client) {
    report("put_tensor", put(client, "e.tensor", 3));
    void* ds = NULL;
    report("put_dataset", put_a_dataset(client, "e.ds", &ds));
    report("append_to_list", ds != NULL ? append_to_list(client, "e.list", 6, ds) : SRBadAllocError);
    if (ds != NULL)
        DeallocateDataSet(&ds);
    report("copy_tensor", copy_tensor(client, "e.tensor", 8, "e.copy", 6));
    report("rename_tensor", rename_tensor(client, "e.copy", 6, "e.renamed", 9));
    report("delete_tensor", delete_tensor(client, "e.renamed", 9));
    report("log_metric", log_metric(client, "e.metric", 8, 0, 1.0));
    bool same = false;
    SRError code = check(client, "e.tensor", 3, &same);
    printf("read %d %s\n", (int)code, code != SRNoError ? SRGetLastError() : same ? "same" : "changed");
    return 0;
}

int main(int argc, char** argv) {
    int first = 1;
    const char* suffix = NULL;
    const char* override = NULL;
    while (argc > first + 1 && (strcmp(argv[first], "-s") == 0 || strcmp(argv[first], "-o") == 0)) {
        if (argv[first][1] == 's')
            suffix = argv[first + 1];
        else
            override = argv[first + 1];
        first += 2;
    }
    if (argc <= first) {
        fprintf(stderr, "usage: durable_app [-s SUFFIX] [-o REPLICAS] describe|roundtrip N|each\n");
        return 2;
    }
    void* client = NULL;
    SRError code;
    if (suffix != NULL || override != NULL) {
        void* options = NULL;
        const char* name = suffix != NULL ? suffix : "";
        code = create_configoptions_from_environment(name, strlen(name), &options);
        if (code == SRNoError && override != NULL)
            code = override_integer_option(options, "HPCSIM_DURABLE", 14, strtoll(override, NULL, 10));
        if (code == SRNoError)
            code = CreateClient(options, "durable_app", strlen("durable_app"), &client);
        if (options != NULL)
            hpcsim_configoptions_free(&options);
    } else {
        code = SimpleCreateClient("durable_app", strlen("durable_app"), &client);
    }
    if (code != SRNoError)
        return fail(code);
    const char* description = client_to_string(client);
    const char* line = strstr(description, "Durable puts:");
    printf("%.*s\n", line ? (int)strcspn(line, "\n") : 7, line ? line : "no line");
    int status = 0;
    if (strcmp(argv[first], "roundtrip") == 0 && argc > first + 1)
        status = roundtrip(client, strtol(argv[first + 1], NULL, 10));
    else if (strcmp(argv[first], "each") == 0)
        status = each(client);
    else if (strcmp(argv[first], "describe") != 0)
        status = 2;
    code = DeleteCClient(&client);
    return status != 0 ? status : code == SRNoError ? 0 : fail(code);
}
