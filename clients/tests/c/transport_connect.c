/* Connecting from the environment: the three constructors, the description, key_exists and
 * poll_key on a missing key, and DeleteCClient. */
#include "transport_test.h"

#include <time.h>

static double now(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

int main(void) {
    const char* variable;
    const char* address = test_address(&variable);
    bool cluster = test_is_cluster();

    void* client = test_client("transport_connect");
    const char* text = client_to_string(client);
    CHECK(strstr(text, "logger 'transport_connect'") != NULL, "no logger name in: %s", text);
    CHECK(strstr(text, variable) != NULL, "the description does not name %s: %s", variable, text);
    if (cluster) {
        CHECK(strstr(text, "Redis Cluster of") != NULL && strstr(text, "slots 0-") != NULL, "not a cluster: %s", text);
    } else if (strncmp(address, "unix://", 7) == 0) {
        CHECK(strstr(text, "standalone server unix:///") != NULL && strstr(text, "(Unix socket)") != NULL,
              "not a Unix socket: %s", text);
    } else {
        CHECK(strstr(text, "standalone server ") != NULL && strstr(text, "(TCP)") != NULL, "not TCP: %s", text);
    }
    if (getenv("HPCSIM_DB_PASSWORD_FILE") != NULL)
        CHECK(strstr(text, "authentication: file ") != NULL, "no password file in: %s", text);
    CHECK(strstr(text, "put prefix none, get prefix none") != NULL, "unexpected prefixes: %s", text);
    CHECK(strstr(text, "prefixing tensors on, datasets on, lists on, models off") != NULL, "bad switches: %s", text);

    /* Keys that hash to every shard: none exists in a fresh database. */
    char key[64];
    for (int i = 0; i < 50; i++) {
        bool exists = true;
        snprintf(key, sizeof key, "transport_connect_missing_%d", i);
        OK(key_exists(client, S(key), &exists));
        CHECK(!exists, "key %s should not exist", key);
    }
    bool exists = true;
    OK(key_exists(client, S("{tag}missing"), &exists));
    CHECK(!exists, "{tag}missing should not exist");

    /* poll_key: num_tries checks, poll_frequency_ms apart, then false without an error. */
    double start = now();
    exists = true;
    OK(poll_key(client, S("transport_connect_never"), 20, 3, &exists));
    double took = now() - start;
    CHECK(!exists, "poll_key found a missing key");
    CHECK(took >= 0.055 && took < 5.0, "poll_key(20 ms, 3 tries) took %.3f s", took);
    OK(poll_key(client, S("transport_connect_never"), 10, 0, &exists));
    CHECK(!exists, "poll_key with 0 tries must say false");

    /* A key written through the client becomes visible to key_exists and poll_key. */
    double value = 1.5;
    size_t dims[1] = {1};
    OK(put_tensor(client, S("transport_connect_t"), &value, dims, 1, SRTensorTypeDouble, SRMemLayoutContiguous));
    OK(key_exists(client, S("transport_connect_t"), &exists));
    CHECK(exists, "key_exists does not see a tensor just put");
    OK(poll_key(client, S("transport_connect_t"), 10, 5, &exists));
    CHECK(exists, "poll_key does not see a tensor just put");
    OK(delete_tensor(client, S("transport_connect_t")));
    OK(key_exists(client, S("transport_connect_t"), &exists));
    CHECK(!exists, "the tensor is still there after delete_tensor");

    OK(DeleteCClient(&client));
    CHECK(client == NULL, "DeleteCClient did not set the handle to NULL");
    OK(DeleteCClient(&client)); /* deleting NULL is harmless */

    /* CreateClient from a ConfigOptions over the same environment. */
    void* options = NULL;
    OK(create_configoptions_from_environment("", 0, &options));
    OK(CreateClient(options, S("transport_connect_options"), &client));
    OK(key_exists(client, S("transport_connect_missing_0"), &exists));
    CHECK(!exists, "CreateClient: key should not exist");
    CHECK(strstr(client_to_string(client), "logger 'transport_connect_options'") != NULL, "wrong logger name");
    OK(DeleteCClient(&client));
    OK(hpcsim_configoptions_free(&options));
    CHECK(options == NULL, "hpcsim_configoptions_free did not set the handle to NULL");

    /* The deprecated constructor: its flag decides the type. */
    OK(SmartRedisCClient(cluster, S("transport_connect_legacy"), &client));
    CHECK(strstr(client_to_string(client), cluster ? "Redis Cluster" : "standalone server") != NULL,
          "SmartRedisCClient(%d) made: %s", (int)cluster, client_to_string(client));
    OK(DeleteCClient(&client));
    if (!cluster && strncmp(address, "unix://", 7) != 0) {
        /* A standalone server is not a cluster: the error says which type to set. */
        EXPECT_ERROR(SRDatabaseError, SmartRedisCClient(true, S("x"), &client), "is not a Redis Cluster",
                     "HPCSIM_DB_TYPE=standalone");
        CHECK(client == NULL, "a failed constructor left a handle");
    }
    printf("transport_connect: ok\n");
    return 0;
}
