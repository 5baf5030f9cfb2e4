/* ConfigOptions and the environment contract: suffixed names, overrides, the hpcsim names
 * before the SmartRedis ones, timeouts in seconds or milliseconds, and a client built for a
 * named database. */
#include "transport_test.h"

#include <stdint.h>

static void expect_text(void* client, const char* needle) {
    const char* text = client_to_string(client);
    CHECK(strstr(text, needle) != NULL, "the description lacks '%s':\n%s", needle, text);
}

int main(void) {
    const char* variable;
    char* address = strdup(test_address(&variable));
    bool cluster = test_is_cluster();
    const char* type = cluster ? "cluster" : "standalone";
    void* options = NULL;
    int64_t number = 0;
    char* text = NULL;
    size_t len = 0;
    bool configured = true;

    /* ---- options read through a suffix ---- */
    OK(create_configoptions_from_environment(S("feat"), &options));
    setenv("TC_INT_feat", " -42 ", 1);
    setenv("TC_INT", "7", 1); /* the plain name is not the named database's */
    OK(get_integer_option(options, S("TC_INT"), &number));
    CHECK(number == -42, "TC_INT_feat read as %lld", (long long)number);
    setenv("TC_INT_feat", "5", 1); /* values are cached after the first read */
    OK(get_integer_option(options, S("TC_INT"), &number));
    CHECK(number == -42, "the cached value changed to %lld", (long long)number);
    OK(override_integer_option(options, S("TC_INT"), 99));
    OK(get_integer_option(options, S("TC_INT"), &number));
    CHECK(number == 99, "override_integer_option ignored: %lld", (long long)number);

    setenv("TC_STR_feat", "hello", 1);
    OK(get_string_option(options, S("TC_STR"), &text, &len));
    CHECK(len == 5 && strcmp(text, "hello") == 0, "TC_STR_feat read as '%.*s'", (int)len, text);
    OK(override_string_option(options, S("TC_STR"), S("bye!")));
    OK(get_string_option(options, S("TC_STR"), &text, &len));
    CHECK(len == 4 && memcmp(text, "bye!", 4) == 0, "override_string_option ignored");

    OK(is_configured(options, S("TC_UNSET"), &configured));
    CHECK(!configured, "TC_UNSET is configured");
    setenv("TC_EMPTY_feat", "", 1);
    OK(is_configured(options, S("TC_EMPTY"), &configured));
    CHECK(!configured, "an empty variable counts as configured");
    OK(override_integer_option(options, S("TC_UNSET"), 1));
    OK(is_configured(options, S("TC_UNSET"), &configured));
    CHECK(configured, "an override does not count as configured");

    void* copy = NULL;
    OK(hpcsim_configoptions_clone(options, &copy));
    OK(get_integer_option(copy, S("TC_INT"), &number));
    CHECK(number == 99, "the clone lost an override: %lld", (long long)number);
    OK(hpcsim_configoptions_free(&copy));
    OK(hpcsim_configoptions_free(&options));

    /* ---- a named database: HPCSIM_DB_feat only; the plain address is ignored ---- */
    unsetenv("HPCSIM_DB");
    unsetenv("SSDB");
    unsetenv("HPCSIM_DB_TYPE");
    unsetenv("SR_DB_TYPE");
    setenv("HPCSIM_DB_feat", address, 1);
    setenv("HPCSIM_DB_TYPE_feat", type, 1);
    setenv("SR_CONN_TIMEOUT", "7", 1);                /* plain SmartRedis name, seconds */
    setenv("SR_CMD_INTERVAL", "250", 1);              /* milliseconds */
    setenv("SR_CMD_TIMEOUT", "9", 1);
    setenv("HPCSIM_CMD_TIMEOUT", "3", 1);             /* the hpcsim name wins */
    setenv("HPCSIM_SOCKET_TIMEOUT_feat", "2", 1);     /* the suffixed name wins */
    setenv("HPCSIM_SOCKET_TIMEOUT", "8", 1);
    setenv("SR_MODEL_TIMEOUT", "1500", 1);            /* milliseconds */
    setenv("SSKEYOUT_feat", "producer", 1);
    setenv("SSKEYIN", "a,,b", 1);                     /* inherited, empty entries skipped */
    void* client = NULL;
    OK(create_configoptions_from_environment(S("feat"), &options));
    OK(CreateClient(options, S("named"), &client));
    expect_text(client, "(from HPCSIM_DB_feat)");
    expect_text(client, cluster ? "Redis Cluster" : "standalone server");
    expect_text(client, "connect 7 s (retry every 0.1 s), command 3 s (retry every 0.25 s), socket 2 s, model 1.5 s");
    expect_text(client, "put prefix 'producer.', get prefix 'a.' (sources: a, b)");
    bool exists = true;
    OK(key_exists(client, S("transport_config_missing"), &exists));
    CHECK(!exists, "a missing key exists");
    OK(DeleteCClient(&client));
    OK(hpcsim_configoptions_free(&options));

    /* SmartRedis's names for a named database. */
    unsetenv("HPCSIM_DB_feat");
    unsetenv("HPCSIM_DB_TYPE_feat");
    setenv("SSDB_feat", address, 1);
    setenv("SR_DB_TYPE_feat", cluster ? "Clustered" : "Standalone", 1);
    OK(create_configoptions_from_environment(S("feat"), &options));
    OK(CreateClient(options, S("named"), &client));
    expect_text(client, "(from SSDB_feat)");
    expect_text(client, cluster ? "Redis Cluster" : "standalone server");
    OK(DeleteCClient(&client));
    OK(hpcsim_configoptions_free(&options));

    /* Overrides of the contract's variables steer the client built from the options. */
    unsetenv("SSDB_feat");
    unsetenv("SR_DB_TYPE_feat");
    OK(create_configoptions_from_environment(S("other"), &options));
    OK(override_string_option(options, S("HPCSIM_DB"), S(address)));
    OK(override_string_option(options, S("HPCSIM_DB_TYPE"), S(type)));
    OK(override_string_option(options, S("HPCSIM_KEYOUT"), S("over")));
    OK(CreateClient(options, S("overridden"), &client));
    expect_text(client, "(from HPCSIM_DB_other)");
    expect_text(client, "put prefix 'over.'");
    /* The client took a copy: changing the options afterwards does not reach it. */
    OK(override_string_option(options, S("HPCSIM_KEYOUT"), S("later")));
    expect_text(client, "put prefix 'over.'");
    OK(DeleteCClient(&client));
    OK(hpcsim_configoptions_free(&options));

    /* The default database (empty suffix) reads the plain names. */
    setenv("SSDB", address, 1);
    setenv("SR_DB_TYPE", cluster ? "Clustered" : "Standalone", 1);
    OK(SimpleCreateClient(S("plain"), &client));
    expect_text(client, "(from SSDB)");
    expect_text(client, "socket 8 s");
    OK(DeleteCClient(&client));
    free(address);
    printf("transport_config: ok\n");
    return 0;
}
