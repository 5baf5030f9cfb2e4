/* Logging: SR_LOG_FILE / HPCSIM_LOG_FILE and the levels, the three contexts (client, dataset,
 * log context) and a string context, the line format, and bad settings, which set the last
 * error instead of printing. Without a log file, a user's log_data goes to stdout (checked by
 * tests/native/test_c_transport.py, which also checks that the library prints nothing else). */
#include "transport_test.h"

#include <unistd.h>

static char path[] = "/tmp/transport_logging_XXXXXX";

/* The log file's content (static buffer). */
static const char* log_text(void) {
    static char text[65536];
    FILE* f = fopen(path, "r");
    size_t n = f ? fread(text, 1, sizeof text - 1, f) : 0;
    if (f)
        fclose(f);
    text[n] = '\0';
    return text;
}

static void truncate_log(void) {
    FILE* f = fopen(path, "w");
    CHECK(f != NULL, "cannot truncate %s", path);
    fclose(f);
}

static bool has_line(const char* context, const char* data) {
    /* "<context>@HH-MM-SS:<data>\n" */
    const char* text = log_text();
    for (const char* p = strstr(text, context); p != NULL; p = strstr(p + 1, context)) {
        if ((p != text && p[-1] != '\n') || p[strlen(context)] != '@')
            continue;
        const char* stamp = p + strlen(context) + 1;
        bool ok = strlen(stamp) > 9 && stamp[2] == '-' && stamp[5] == '-' && stamp[8] == ':';
        if (ok && strncmp(stamp + 9, data, strlen(data)) == 0 && stamp[9 + strlen(data)] == '\n')
            return true;
    }
    return false;
}

int main(void) {
    const char* variable;
    test_address(&variable);
    /* A user's log_data with nothing configured goes to stdout, as in SmartRedis. */
    unsetenv("SR_LOG_FILE");
    unsetenv("SR_LOG_LEVEL");
    unsetenv("HPCSIM_LOG_FILE");
    unsetenv("HPCSIM_LOG_LEVEL");
    log_data_string(S("stdout_context"), LLInfo, S("to stdout"));
    void* quiet_client = test_client("quiet_client"); /* and the library says nothing */

    int fd = mkstemp(path);
    CHECK(fd >= 0, "mkstemp");
    close(fd);
    setenv("SR_LOG_FILE", path, 1);
    setenv("SR_LOG_LEVEL", "info", 1);

    void* client = test_client("logging_client");
    log_data(client, LLInfo, S("hello from C"));
    log_data(client, LLDebug, S("too detailed"));
    log_warning(client, LLInfo, S("careful"));
    log_error(client, LLQuiet, S("broken"));
    CHECK(has_line("logging_client", "hello from C"), "no info line in:\n%s", log_text());
    CHECK(!strstr(log_text(), "too detailed"), "a debug line was written at info:\n%s", log_text());
    CHECK(has_line("logging_client", "WARNING: careful"), "no warning line in:\n%s", log_text());
    CHECK(has_line("logging_client", "ERROR: broken"), "no error line in:\n%s", log_text());

    void* context = NULL;
    OK(SmartRedisCLogContext(S("my_context"), &context));
    log_data(context, LLInfo, S("from a log context"));
    CHECK(has_line("my_context", "from a log context"), "no log-context line in:\n%s", log_text());
    OK(DeallocateLogContext(&context));
    CHECK(context == NULL, "DeallocateLogContext did not set the handle to NULL");

    void* dataset = NULL;
    OK(CDataSet(S("my_dataset"), &dataset));
    log_data(dataset, LLInfo, S("from a dataset"));
    CHECK(has_line("my_dataset", "from a dataset"), "no dataset line (%s) in:\n%s", SRGetLastError(), log_text());
    OK(DeallocateDataSet(&dataset));

    log_data_string(S("string_context"), LLInfo, S("from a string"));
    log_warning_string(S("string_context"), LLInfo, S("w"));
    log_error_string(S("string_context"), LLInfo, S("e"));
    CHECK(has_line("string_context", "from a string") && has_line("string_context", "WARNING: w") &&
              has_line("string_context", "ERROR: e"),
          "string-context lines missing in:\n%s", log_text());

    /* The hpcsim names win; debug shows the library's own messages. */
    truncate_log();
    setenv("SR_LOG_FILE", "/nonexistent-dir/never.log", 1);
    setenv("HPCSIM_LOG_FILE", path, 1);
    setenv("HPCSIM_LOG_LEVEL", "DEBUG", 1);
    void* verbose = test_client("verbose_client");
    CHECK(strstr(log_text(), "verbose_client@") && strstr(log_text(), ":New client created: "),
          "no creation message at debug:\n%s", log_text());
    log_data(verbose, LLDebug, S("now visible"));
    CHECK(has_line("verbose_client", "now visible"), "no debug line in:\n%s", log_text());
    OK(DeleteCClient(&verbose));

    /* hpcsim's driver-side names mean quiet: only LLQuiet messages are written. */
    truncate_log();
    setenv("HPCSIM_LOG_LEVEL", "warning", 1);
    log_data(client, LLInfo, S("info when quiet"));
    log_data(client, LLQuiet, S("quiet when quiet"));
    CHECK(!strstr(log_text(), "info when quiet") && has_line("logging_client", "quiet when quiet"),
          "quiet filtering wrong:\n%s", log_text());

    /* Bad settings and arguments: nothing is written, the last error says why. */
    truncate_log();
    setenv("HPCSIM_LOG_LEVEL", "loud", 1);
    log_data(client, LLQuiet, S("never"));
    CHECK(strstr(SRGetLastError(), "HPCSIM_LOG_LEVEL='loud' is not a log level"), "message: %s", SRGetLastError());
    setenv("HPCSIM_LOG_LEVEL", "info", 1);
    log_data(client, (SRLoggingLevel)9, S("never"));
    CHECK(strstr(SRGetLastError(), "log level must be one of"), "message: %s", SRGetLastError());
    log_data(NULL, LLInfo, S("never"));
    CHECK(strstr(SRGetLastError(), "log_data: context is NULL"), "message: %s", SRGetLastError());
    log_data_string(S("ctx"), LLInfo, NULL, 5);
    CHECK(strstr(SRGetLastError(), "data is NULL"), "message: %s", SRGetLastError());
    CHECK(!strstr(log_text(), "never"), "a refused message was written:\n%s", log_text());
    unsetenv("HPCSIM_LOG_FILE");
    log_data(client, LLInfo, S("unwritable"));
    CHECK(strstr(SRGetLastError(), "SR_LOG_FILE='/nonexistent-dir/never.log' cannot be written"), "message: %s",
          SRGetLastError());
    EXPECT_ERROR(SRParameterError, SmartRedisCLogContext(NULL, 3, &context), "context is NULL");
    EXPECT_ERROR(SRParameterError, DeallocateLogContext(NULL), "logcontext is NULL");

    unsetenv("SR_LOG_FILE");
    unsetenv("SR_LOG_LEVEL");
    unsetenv("HPCSIM_LOG_LEVEL");
    OK(DeleteCClient(&client));
    OK(DeleteCClient(&quiet_client));
    unlink(path);
    printf("transport_logging: ok\n");
    return 0;
}
