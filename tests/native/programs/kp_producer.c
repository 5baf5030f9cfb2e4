/* A producer of the seed's key-prefixing example (model.rst, "Data Collision Prevention") in C:
 * puts the int64 tensor "tensor" holding its arguments. Run as an entity with key prefixing on,
 * the key becomes "<entity name>.tensor", so two producers of the same name do not collide.
 *
 * Usage: kp_producer V1 V2 ...   (the database comes from HPCSIM_DB/SSDB)
 * Prints nothing unless something fails: then the error on stderr, and exit status 1.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "c_client.h"
#include "sr_enums.h"

#define MAX_VALUES 64

static int fail(const char* what, SRError code) {
    fprintf(stderr, "kp_producer: %s failed (error %d): %s\n", what, (int)code, SRGetLastError());
    return 1;
}

int main(int argc, char** argv) {
    int64_t values[MAX_VALUES];
    size_t count = (size_t)argc - 1;
    if (argc < 2 || count > MAX_VALUES) {
        fprintf(stderr, "usage: kp_producer V1 [V2 ... V%d]\n", MAX_VALUES);
        return 2;
    }
    for (size_t i = 0; i < count; i++) {
        char* end = NULL;
        values[i] = (int64_t)strtoll(argv[i + 1], &end, 10);
        if (end == argv[i + 1] || *end != '\0') {
            fprintf(stderr, "kp_producer: %s is not an integer\n", argv[i + 1]);
            return 2;
        }
    }

    void* client = NULL;
    SRError code = SimpleCreateClient("producer", strlen("producer"), &client);
    if (code != SRNoError) return fail("SimpleCreateClient", code);
    size_t dims[1] = {count};
    code = put_tensor(client, "tensor", strlen("tensor"), values, dims, 1, SRTensorTypeInt64, SRMemLayoutContiguous);
    if (code != SRNoError) {
        DeleteCClient(&client);
        return fail("put_tensor", code);
    }
    code = DeleteCClient(&client);
    if (code != SRNoError) return fail("DeleteCClient", code);
    return 0;
}
