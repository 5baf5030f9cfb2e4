/* An application of the least-privilege tests (tests/native/test_c_acl.py): it authenticates
 * with whatever HPCSIM_DB_PASSWORD_FILE holds (PASSWORD, or USERNAME PASSWORD) and puts and
 * gets one float tensor under each KEY it is given.
 *
 * Usage: acl_app KEY...
 * Prints "auth <how the client authenticated>", then "ok KEY" for each key that went there and
 * back; the first failure prints "error CODE MESSAGE" and ends with status 1.
 */
#include <stdio.h>
#include <string.h>

#include "c_client.h"
#include "sr_enums.h"

static int fail(SRError code) {
    printf("error %d %s\n", (int)code, SRGetLastError());
    return 1;
}

int main(int argc, char** argv) {
    void* client = NULL;
    SRError code = SimpleCreateClient("acl_app", strlen("acl_app"), &client);
    if (code != SRNoError)
        return fail(code);
    const char* description = client_to_string(client);
    const char* auth = strstr(description, "authentication");
    printf("auth %.*s\n", auth ? (int)strcspn(auth, "\n") : 4, auth ? auth : "none");
    for (int i = 1; i < argc && code == SRNoError; i++) {
        float value = (float)i;
        float back = 0.0f;
        size_t dims[1] = {1};
        code = put_tensor(client, argv[i], strlen(argv[i]), &value, dims, 1, SRTensorTypeFloat, SRMemLayoutContiguous);
        if (code == SRNoError)
            code = unpack_tensor(client, argv[i], strlen(argv[i]), &back, dims, 1, SRTensorTypeFloat,
                                 SRMemLayoutContiguous);
        if (code == SRNoError && back != value) {
            printf("error 0 %s came back as %g, not %g\n", argv[i], (double)back, (double)value);
            DeleteCClient(&client);
            return 1;
        }
        if (code == SRNoError)
            printf("ok %s\n", argv[i]);
    }
    if (code != SRNoError) {
        int status = fail(code);
        DeleteCClient(&client);
        return status;
    }
    code = DeleteCClient(&client);
    return code == SRNoError ? 0 : fail(code);
}
