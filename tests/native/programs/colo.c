/* A C application beside a colocated database: the address comes from the environment that
 * hpcsim's colocation prologue sets (HPCSIM_DB, and the password file). It puts a 3-D double
 * tensor, checks it exists, reads it back with get_tensor and unpack_tensor, deletes it, and
 * prints one JSON line: {"db": ADDRESS, "dims": [...], "sum": S, "same": true|false,
 * "exists_after_delete": true|false}. Errors: the message on stderr, exit status 1.
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "c_client.h"
#include "sr_enums.h"

#define D0 2
#define D1 3
#define D2 4
#define COUNT (D0 * D1 * D2)

static int fail(const char* what, SRError code, void** client) {
    fprintf(stderr, "colo: %s failed (error %d): %s\n", what, (int)code, SRGetLastError());
    if (client != NULL && *client != NULL) DeleteCClient(client);
    return 1;
}

int main(void) {
    static const char key[] = "colo_tensor";
    const size_t key_length = strlen(key);
    double sent[D0][D1][D2];
    double unpacked[COUNT];
    for (size_t i = 0; i < COUNT; i++) (&sent[0][0][0])[i] = 0.5 * (double)i - 3.0;

    void* client = NULL;
    SRError code = SimpleCreateClient("colo", strlen("colo"), &client);
    if (code != SRNoError) return fail("SimpleCreateClient", code, &client);

    const size_t dims[3] = {D0, D1, D2};
    code = put_tensor(client, key, key_length, sent, dims, 3, SRTensorTypeDouble, SRMemLayoutContiguous);
    if (code != SRNoError) return fail("put_tensor", code, &client);
    bool exists = false;
    code = tensor_exists(client, key, key_length, &exists);
    if (code != SRNoError) return fail("tensor_exists", code, &client);
    if (!exists) {
        fprintf(stderr, "colo: %s does not exist after put_tensor\n", key);
        DeleteCClient(&client);
        return 1;
    }

    void* data = NULL;
    size_t* got_dims = NULL;
    size_t n_dims = 0;
    SRTensorType type = SRTensorTypeInvalid;
    code = get_tensor(client, key, key_length, &data, &got_dims, &n_dims, &type, SRMemLayoutContiguous);
    if (code != SRNoError) return fail("get_tensor", code, &client);
    const size_t flat[1] = {COUNT};
    code = unpack_tensor(client, key, key_length, unpacked, flat, 1, SRTensorTypeDouble, SRMemLayoutContiguous);
    if (code != SRNoError) return fail("unpack_tensor", code, &client);

    bool same = type == SRTensorTypeDouble && n_dims == 3 && memcmp(data, sent, sizeof sent) == 0 &&
                memcmp(unpacked, sent, sizeof sent) == 0;
    double sum = 0.0;
    for (size_t i = 0; i < COUNT; i++) sum += unpacked[i];

    code = delete_tensor(client, key, key_length);
    if (code != SRNoError) return fail("delete_tensor", code, &client);
    code = tensor_exists(client, key, key_length, &exists);
    if (code != SRNoError) return fail("tensor_exists", code, &client);

    const char* address = getenv("HPCSIM_DB");
    printf("{\"db\": \"%s\", \"dims\": [", address != NULL ? address : "");
    for (size_t i = 0; i < n_dims; i++) printf("%s%zu", i ? ", " : "", got_dims[i]);
    printf("], \"sum\": %.17g, \"same\": %s, \"exists_after_delete\": %s}\n", sum, same ? "true" : "false",
           exists ? "true" : "false");

    code = DeleteCClient(&client);
    if (code != SRNoError) return fail("DeleteCClient", code, NULL);
    return 0;
}
