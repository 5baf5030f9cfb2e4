/* A client driven line by line from stdin, for tests that change the database while a client
 * is connected (a slot moved or migrating in a cluster, a server restarted or stopped):
 * tests/native/test_c_transport.py runs it as `transport_probe --serve`. Without --serve (as
 * under ctest) it skips.
 *
 * Requests and answers, one line each:
 *   exists KEY     -> ok 0|1            key_exists
 *   put KEY VALUE  -> ok                put_tensor of one float
 *   get KEY        -> ok VALUE          unpack_tensor of one float
 *   describe       -> ok TEXT           client_to_string, newlines as " | "
 *   quit
 * A failure answers "error CODE MESSAGE". */
#include "transport_test.h"

static void answer_error(SRError err) {
    printf("error %d %s\n", (int)err, SRGetLastError());
}

int main(int argc, char** argv) {
    if (argc < 2 || strcmp(argv[1], "--serve") != 0) {
        printf("SKIP: transport_probe is driven by tests/native/test_c_transport.py\n");
        return SKIP;
    }
    void* client = NULL;
    SRError err = SimpleCreateClient(S("transport_probe"), &client);
    if (err != SRNoError) {
        answer_error(err);
        return 1;
    }
    printf("ready\n");
    fflush(stdout);
    char line[1024];
    while (fgets(line, sizeof line, stdin) != NULL) {
        line[strcspn(line, "\r\n")] = '\0';
        char command[16] = "", key[512] = "";
        float value = 0.0f;
        size_t dims[1] = {1};
        int n = sscanf(line, "%15s %511s %f", command, key, &value);
        if (n >= 1 && strcmp(command, "quit") == 0)
            break;
        if (n >= 2 && strcmp(command, "exists") == 0) {
            bool exists = false;
            err = key_exists(client, S(key), &exists);
            if (err == SRNoError)
                printf("ok %d\n", (int)exists);
        } else if (n >= 3 && strcmp(command, "put") == 0) {
            err = put_tensor(client, S(key), &value, dims, 1, SRTensorTypeFloat, SRMemLayoutContiguous);
            if (err == SRNoError)
                printf("ok\n");
        } else if (n >= 2 && strcmp(command, "get") == 0) {
            err = unpack_tensor(client, S(key), &value, dims, 1, SRTensorTypeFloat, SRMemLayoutContiguous);
            if (err == SRNoError)
                printf("ok %g\n", (double)value);
        } else if (n >= 1 && strcmp(command, "describe") == 0) {
            err = SRNoError;
            printf("ok ");
            for (const char* p = client_to_string(client); *p; p++)
                fputs(*p == '\n' ? " | " : (char[]){*p, '\0'}, stdout);
            printf("\n");
        } else {
            err = SRParameterError;
            printf("error %d unknown request: %s\n", (int)err, line);
            err = SRNoError;
        }
        if (err != SRNoError)
            answer_error(err);
        fflush(stdout);
    }
    DeleteCClient(&client);
    return 0;
}
