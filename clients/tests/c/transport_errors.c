/* Bad inputs to the transport half: each returns the right SRError and a message that names
 * the argument, the variable or the server. The program changes its own environment to
 * produce bad settings, starting from the database the environment names. */
#include "transport_test.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdint.h>
#include <sys/socket.h>
#include <unistd.h>

/* The variables the cases change, saved so that each case starts from the real settings. */
static const char* const NAMES[] = {"HPCSIM_DB", "SSDB", "HPCSIM_DB_TYPE", "SR_DB_TYPE", "HPCSIM_DB_PASSWORD_FILE",
                                    "HPCSIM_CONN_TIMEOUT", "SR_CMD_INTERVAL", "HPCSIM_CMD_TIMEOUT"};
#define N_NAMES (sizeof NAMES / sizeof NAMES[0])
static char* saved[N_NAMES];

static void save_env(void) {
    for (size_t i = 0; i < N_NAMES; i++) {
        const char* v = getenv(NAMES[i]);
        saved[i] = v ? strdup(v) : NULL;
    }
}

static void restore_env(void) {
    for (size_t i = 0; i < N_NAMES; i++) {
        if (saved[i])
            setenv(NAMES[i], saved[i], 1);
        else
            unsetenv(NAMES[i]);
    }
}

/* A database of one TCP server at `address`. */
static void use_address(const char* address) {
    unsetenv("SSDB");
    unsetenv("SR_DB_TYPE");
    setenv("HPCSIM_DB", address, 1);
    setenv("HPCSIM_DB_TYPE", "standalone", 1);
}

/* A loopback port nobody listens on. */
static int closed_port(void) {
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a;
    memset(&a, 0, sizeof a);
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof a;
    CHECK(fd >= 0 && bind(fd, (struct sockaddr*)&a, sizeof a) == 0 && getsockname(fd, (struct sockaddr*)&a, &len) == 0,
          "cannot find a free port");
    close(fd);
    return ntohs(a.sin_port);
}

static void write_file(const char* path, const char* text) {
    FILE* f = fopen(path, "w");
    CHECK(f != NULL, "cannot write %s", path);
    fputs(text, f);
    fclose(f);
}

int main(void) {
    const char* variable;
    test_address(&variable);
    save_env();
    bool cluster = test_is_cluster();
    void* c = test_client("transport_errors");
    void* none = NULL;
    bool flag = false;
    uint32_t not_a_handle[8] = {0};

    /* ---- NULL and bad arguments ---- */
    EXPECT_ERROR(SRParameterError, SimpleCreateClient(S("x"), NULL), "SimpleCreateClient", "new_client is NULL");
    EXPECT_ERROR(SRParameterError, SimpleCreateClient(NULL, 3, &none), "logger_name is NULL");
    CHECK(none == NULL, "a failed constructor left a handle");
    EXPECT_ERROR(SRParameterError, CreateClient(NULL, S("x"), &none), "CreateClient", "config_options is NULL");
    EXPECT_ERROR(SRParameterError, CreateClient(not_a_handle, S("x"), &none), "not a ConfigOptions");
    EXPECT_ERROR(SRParameterError, key_exists(NULL, S("k"), &flag), "key_exists", "c_client is NULL");
    EXPECT_ERROR(SRParameterError, key_exists(not_a_handle, S("k"), &flag), "key_exists", "not a client");
    EXPECT_ERROR(SRParameterError, key_exists(c, NULL, 3, &flag), "key_exists", "key is NULL");
    EXPECT_ERROR(SRParameterError, key_exists(c, S("k"), NULL), "key_exists", "exists is NULL");
    EXPECT_ERROR(SRParameterError, poll_key(c, S("k"), -1, 3, &flag), "poll_key", "must not be negative");
    EXPECT_ERROR(SRParameterError, poll_key(c, S("k"), 10, -3, &flag), "poll_key", "(-3)");
    EXPECT_ERROR(SRParameterError, poll_key(c, NULL, 0, 10, 3, &flag), "poll_key", "key is NULL");
    EXPECT_ERROR(SRRuntimeError, set_data_source(c, S("nowhere")), "unknown data source 'nowhere'",
                 "HPCSIM_KEYIN/SSKEYIN is unset");
    EXPECT_ERROR(SRParameterError, set_data_source(c, NULL, 0), "set_data_source", "source_id is NULL");
    EXPECT_ERROR(SRParameterError, use_tensor_ensemble_prefix(NULL, true), "use_tensor_ensemble_prefix");
    EXPECT_ERROR(SRParameterError, use_model_ensemble_prefix(not_a_handle, true), "use_model_ensemble_prefix");
    EXPECT_ERROR(SRParameterError, DeleteCClient(NULL), "DeleteCClient", "c_client is NULL");
    void* fake = not_a_handle;
    EXPECT_ERROR(SRParameterError, DeleteCClient(&fake), "DeleteCClient", "not a client");
    CHECK(fake == (void*)not_a_handle, "DeleteCClient changed a handle it refused");
    CHECK(strcmp(client_to_string(NULL), "(not a client)") == 0, "client_to_string(NULL)");
    CHECK(strstr(SRGetLastError(), "client_to_string: c_client is NULL") != NULL, "client_to_string(NULL): %s",
          SRGetLastError());
    CHECK(strstr(SRGetLastErrorLocation(), ".c\", line ") != NULL, "location: %s", SRGetLastErrorLocation());

    /* ---- ConfigOptions ---- */
    void* options = NULL;
    int64_t number = 0;
    char* text = NULL;
    size_t text_len = 0;
    EXPECT_ERROR(SRParameterError, create_configoptions_from_environment(S("x"), NULL), "new_configoptions is NULL");
    OK(create_configoptions_from_environment(S("errs"), &options));
    setenv("TRANSPORT_ERRORS_N_errs", "12x", 1);
    EXPECT_ERROR(SRParameterError, get_integer_option(options, S("TRANSPORT_ERRORS_N"), &number),
                 "TRANSPORT_ERRORS_N_errs='12x' is not an integer");
    EXPECT_ERROR(SRKeyError, get_integer_option(options, S("TRANSPORT_ERRORS_UNSET"), &number),
                 "configuration option TRANSPORT_ERRORS_UNSET_errs is not set");
    EXPECT_ERROR(SRKeyError, get_string_option(options, S("TRANSPORT_ERRORS_UNSET"), &text, &text_len),
                 "TRANSPORT_ERRORS_UNSET_errs is not set");
    EXPECT_ERROR(SRParameterError, get_string_option(options, NULL, 0, &text, &text_len), "option_name is NULL");
    EXPECT_ERROR(SRParameterError, get_integer_option(NULL, S("A"), &number), "get_integer_option",
                 "c_cfgopts is NULL");
    EXPECT_ERROR(SRParameterError, is_configured(options, S("A"), NULL), "cfg_result is NULL");
    EXPECT_ERROR(SRParameterError, override_string_option(not_a_handle, S("A"), S("b")), "override_string_option",
                 "not a ConfigOptions");
    /* A named database never falls back to the default one's address. */
    EXPECT_ERROR(SRRuntimeError, CreateClient(options, S("x"), &none), "HPCSIM_DB_errs or SSDB_errs is not set");
    OK(hpcsim_configoptions_free(&options));

    /* ---- the environment contract ---- */
    unsetenv("HPCSIM_DB");
    unsetenv("SSDB");
    EXPECT_ERROR(SRRuntimeError, SimpleCreateClient(S("x"), &none), "no database address",
                 "HPCSIM_DB or SSDB is not set");
    setenv("SSDB", "", 1); /* empty counts as unset */
    EXPECT_ERROR(SRRuntimeError, SimpleCreateClient(S("x"), &none), "HPCSIM_DB or SSDB is not set");
    setenv("SSDB", " , ", 1);
    EXPECT_ERROR(SRRuntimeError, SimpleCreateClient(S("x"), &none), "SSDB is empty");
    setenv("SSDB", "127.0.0.1:6379;reboot", 1);
    EXPECT_ERROR(SRRuntimeError, SimpleCreateClient(S("x"), &none), "SSDB: '127.0.0.1:6379;reboot'",
                 "characters not allowed");
    setenv("SSDB", "localhost", 1);
    EXPECT_ERROR(SRRuntimeError, SimpleCreateClient(S("x"), &none), "'localhost' is not host:port");
    setenv("SSDB", "127.0.0.1:70000", 1);
    EXPECT_ERROR(SRRuntimeError, SimpleCreateClient(S("x"), &none), "'127.0.0.1:70000' is not host:port");
    setenv("SSDB", "unix://relative.sock", 1);
    EXPECT_ERROR(SRRuntimeError, SimpleCreateClient(S("x"), &none), "must name an absolute socket path");
    setenv("SSDB", "unix:///tmp/a.sock", 1);
    unsetenv("HPCSIM_DB_TYPE");
    setenv("SR_DB_TYPE", "Clustered", 1);
    EXPECT_ERROR(SRRuntimeError, SimpleCreateClient(S("x"), &none), "cannot be reached over a Unix socket");
    restore_env();

    setenv("HPCSIM_DB_TYPE", "mesh", 1);
    EXPECT_ERROR(SRParameterError, SimpleCreateClient(S("x"), &none), "HPCSIM_DB_TYPE='mesh' is not a database type");
    restore_env();
    setenv("HPCSIM_CONN_TIMEOUT", "soon", 1);
    EXPECT_ERROR(SRParameterError, SimpleCreateClient(S("x"), &none),
                 "HPCSIM_CONN_TIMEOUT='soon' is not a number of seconds");
    restore_env();
    setenv("SR_CMD_INTERVAL", "-5", 1);
    EXPECT_ERROR(SRParameterError, SimpleCreateClient(S("x"), &none),
                 "SR_CMD_INTERVAL='-5' must be a positive number of milliseconds");
    restore_env();

    /* ---- servers that cannot be used ---- */
    char address[64];
    snprintf(address, sizeof address, "127.0.0.1:%d", closed_port());
    use_address(address);
    setenv("HPCSIM_CONN_TIMEOUT", "0.3", 1);
    EXPECT_ERROR(SRDatabaseError, SimpleCreateClient(S("x"), &none), "could not connect to the database at",
                 address, "HPCSIM_CONN_TIMEOUT=0.3 s", "Connection refused");
    setenv("HPCSIM_DB_TYPE", "cluster", 1);
    EXPECT_ERROR(SRDatabaseError, SimpleCreateClient(S("x"), &none), "could not connect to the database at",
                 address);
    restore_env();

    const char* password_file = getenv("HPCSIM_DB_PASSWORD_FILE");
    if (password_file != NULL && *password_file) {
        char wrong[] = "/tmp/transport_errors_pw_XXXXXX";
        int fd = mkstemp(wrong);
        CHECK(fd >= 0, "mkstemp");
        close(fd);
        write_file(wrong, "not-the-password\n");
        setenv("HPCSIM_DB_PASSWORD_FILE", wrong, 1);
        EXPECT_ERROR(SRDatabaseError, SimpleCreateClient(S("x"), &none), "authentication to the database at",
                     "password", wrong);
        CHECK(strstr(SRGetLastError(), "not-the-password") == NULL, "the message shows the password");
        write_file(wrong, " \n");
        EXPECT_ERROR(SRDatabaseError, SimpleCreateClient(S("x"), &none), "the database password file", wrong,
                     "is empty");
        unlink(wrong);
        EXPECT_ERROR(SRDatabaseError, SimpleCreateClient(S("x"), &none), "cannot read the database password file",
                     wrong, "(HPCSIM_DB_PASSWORD_FILE)", "No such file");
        unsetenv("HPCSIM_DB_PASSWORD_FILE");
        EXPECT_ERROR(SRDatabaseError, SimpleCreateClient(S("x"), &none), "requires a password",
                     "HPCSIM_DB_PASSWORD_FILE");
        restore_env();
    }

    /* The wrong database type for the server. */
    if (cluster) {
        const char* first = getenv(variable);
        char one[256];
        snprintf(one, sizeof one, "%.*s", (int)strcspn(first, ","), first);
        use_address(one);
        void* standalone = test_client("transport_errors_standalone");
        /* Some key hashes to another shard: the server redirects, the error says why. */
        SRError err = SRNoError;
        char key[32];
        for (int i = 0; i < 20 && err == SRNoError; i++) {
            snprintf(key, sizeof key, "k%d", i);
            err = key_exists(standalone, S(key), &flag);
        }
        CHECK(err == SRDatabaseError, "a cluster used as a standalone server gave %d: %s", (int)err, SRGetLastError());
        CHECK(strstr(SRGetLastError(), "is a Redis Cluster") && strstr(SRGetLastError(), "HPCSIM_DB_TYPE=cluster"),
              "message: %s", SRGetLastError());
        OK(DeleteCClient(&standalone));
        restore_env();
    }
    OK(DeleteCClient(&c));
    for (size_t i = 0; i < N_NAMES; i++)
        free(saved[i]);
    printf("transport_errors: ok\n");
    return 0;
}
