/* SmartRedis-style logging, as hpcsim/client/log.py does it: lines "<context>@<HH-MM-SS>:<text>"
 * appended to HPCSIM_LOG_FILE (else SR_LOG_FILE, else stdout), written when the message's
 * level is at most HPCSIM_LOG_LEVEL (else SR_LOG_LEVEL; default info). Both variables are
 * read on every message, and the file is opened per message, so processes can share it.
 *
 * The library's own messages (creation, retries: hs_log) are written only when one of those
 * variables is set, so that a program that did not ask for logging prints nothing. */
#define _POSIX_C_SOURCE 200809L

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "c_logcontext.h"
#include "c_logger.h"
#include "transport_client.h"

typedef struct {
    uint32_t magic;
    char* name;
} hs_logcontext;

/* The first non-empty of two variables, and its name. */
static const char* setting(const char* first, const char* second, const char** name) {
    const char* value = getenv(first);
    *name = first;
    if (value == NULL || value[0] == '\0') {
        value = getenv(second);
        *name = second;
    }
    return value != NULL && value[0] != '\0' ? value : NULL;
}

bool hs_log_configured(void) {
    const char* name;
    return setting("HPCSIM_LOG_FILE", "SR_LOG_FILE", &name) != NULL ||
           setting("HPCSIM_LOG_LEVEL", "SR_LOG_LEVEL", &name) != NULL;
}

/* The configured level, or LLInvalid (with the last error set when `report`) for a bad name. */
static SRLoggingLevel configured_level(bool report) {
    static const struct {
        const char* name;
        SRLoggingLevel level;
    } names[] = {{"quiet", LLQuiet},    {"warning", LLQuiet}, {"error", LLQuiet},
                 {"critical", LLQuiet}, {"info", LLInfo},     {"debug", LLDebug},
                 {"developer", LLDeveloper}};
    const char* variable;
    const char* value = setting("HPCSIM_LOG_LEVEL", "SR_LOG_LEVEL", &variable);
    if (value == NULL)
        return LLInfo;
    const char* start = value;
    while (*start == ' ' || *start == '\t')
        start++;
    size_t len = strlen(start);
    while (len > 0 && (start[len - 1] == ' ' || start[len - 1] == '\t' || start[len - 1] == '\n'))
        len--;
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
        if (strlen(names[i].name) == len && strncasecmp(start, names[i].name, len) == 0)
            return names[i].level;
    if (report)
        hs_fail(SRParameterError, "%s='%s' is not a log level; use quiet, info, debug or developer", variable, value);
    return LLInvalid;
}

/* Writes one line; `report` says whether failures become the last error (user calls) or are
 * ignored (the library's own messages must not overwrite the error being reported). */
static void write_line(const char* context, size_t context_len, SRLoggingLevel level, const char* prefix,
                       const char* data, size_t data_len, bool report) {
    if (level < LLQuiet || level > LLDeveloper) {
        if (report)
            hs_fail(SRParameterError, "log level must be one of LLQuiet, LLInfo, LLDebug, LLDeveloper, not %d",
                    (int)level);
        return;
    }
    SRLoggingLevel configured = configured_level(report);
    if (configured == LLInvalid || level > configured)
        return;
    char stamp[16] = "";
    time_t now = time(NULL);
    struct tm local;
    if (localtime_r(&now, &local) != NULL)
        strftime(stamp, sizeof stamp, "%H-%M-%S", &local);
    size_t size = context_len + strlen(stamp) + strlen(prefix) + data_len + 4;
    char* line = malloc(size);
    if (line == NULL) {
        if (report)
            hs_fail(SRBadAllocError, "out of memory while logging");
        return;
    }
    int n = snprintf(line, size, "%.*s@%s:%s%.*s\n", (int)context_len, context, stamp, prefix, (int)data_len, data);
    const char* variable;
    const char* path = setting("HPCSIM_LOG_FILE", "SR_LOG_FILE", &variable);
    if (path == NULL) {
        fwrite(line, 1, (size_t)n, stdout);
        fflush(stdout);
    } else {
        FILE* f = fopen(path, "a");
        /* One write per line, so lines of processes sharing the file do not interleave. */
        if (f == NULL || fwrite(line, 1, (size_t)n, f) != (size_t)n) {
            if (report)
                hs_fail(SRRuntimeError, "%s='%s' cannot be written: %s", variable, path, strerror(errno));
        }
        if (f != NULL)
            fclose(f);
    }
    free(line);
}

void hs_log(const hs_client* c, SRLoggingLevel level, const char* fmt, ...) {
    if (!hs_log_configured())
        return;
    char text[2048];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(text, sizeof text, fmt, ap);
    va_end(ap);
    if (n < 0)
        return;
    const char* context = c != NULL ? c->name : "hpcsim";
    write_line(context, strlen(context), level, "", text, strlen(text), false);
}

/* The context name of a client, dataset or log-context handle; NULL (error set) otherwise. */
static const char* context_of(const void* handle, const char* function) {
    if (handle == NULL) {
        hs_fail(SRParameterError, "%s: context is NULL", function);
        return NULL;
    }
    const uint32_t magic = *(const uint32_t*)handle;
    if (magic == HS_MAGIC_CLIENT)
        return ((const hs_client*)handle)->name;
    if (magic == HS_MAGIC_LOGCONTEXT)
        return ((const hs_logcontext*)handle)->name;
    const char* name = hs_dataset_log_context(handle);
    if (name == NULL)
        hs_fail(SRParameterError, "%s: context is not a client, dataset or log context", function);
    return name;
}

static void log_handle(const void* context, SRLoggingLevel level, const char* prefix, const char* data,
                       size_t data_len, const char* function) {
    const char* name = context_of(context, function);
    if (name == NULL)
        return;
    if (data == NULL && data_len > 0) {
        hs_fail(SRParameterError, "%s: data is NULL", function);
        return;
    }
    write_line(name, strlen(name), level, prefix, data ? data : "", data_len, true);
}

static void log_named(const char* context, size_t context_len, SRLoggingLevel level, const char* prefix,
                      const char* data, size_t data_len, const char* function) {
    if ((context == NULL && context_len > 0) || (data == NULL && data_len > 0)) {
        hs_fail(SRParameterError, "%s: %s is NULL", function, data == NULL && data_len > 0 ? "data" : "context");
        return;
    }
    write_line(context ? context : "", context_len, level, prefix, data ? data : "", data_len, true);
}

void log_data_noexcept(const void* context, SRLoggingLevel level, const char* data, size_t data_len) {
    log_handle(context, level, "", data, data_len, "log_data");
}

void log_warning_noexcept(const void* context, SRLoggingLevel level, const char* data, size_t data_len) {
    log_handle(context, level, "WARNING: ", data, data_len, "log_warning");
}

void log_error_noexcept(const void* context, SRLoggingLevel level, const char* data, size_t data_len) {
    log_handle(context, level, "ERROR: ", data, data_len, "log_error");
}

void log_data_noexcept_string(const char* context, size_t context_len, SRLoggingLevel level, const char* data,
                              size_t data_len) {
    log_named(context, context_len, level, "", data, data_len, "log_data_string");
}

void log_warning_noexcept_string(const char* context, size_t context_len, SRLoggingLevel level, const char* data,
                                 size_t data_len) {
    log_named(context, context_len, level, "WARNING: ", data, data_len, "log_warning_string");
}

void log_error_noexcept_string(const char* context, size_t context_len, SRLoggingLevel level, const char* data,
                               size_t data_len) {
    log_named(context, context_len, level, "ERROR: ", data, data_len, "log_error_string");
}

SRError SmartRedisCLogContext(const char* context, const size_t context_length, void** new_logcontext) {
    if (new_logcontext == NULL)
        return hs_fail(SRParameterError, "SmartRedisCLogContext: new_logcontext is NULL");
    if (context == NULL)
        return hs_fail(SRParameterError, "SmartRedisCLogContext: context is NULL");
    hs_logcontext* lc = calloc(1, sizeof *lc);
    if (lc == NULL || (lc->name = hs_strndup(context, context_length)) == NULL) {
        free(lc);
        return hs_fail(SRBadAllocError, "SmartRedisCLogContext: out of memory");
    }
    lc->magic = HS_MAGIC_LOGCONTEXT;
    *new_logcontext = lc;
    return SRNoError;
}

SRError DeallocateLogContext(void** logcontext) {
    if (logcontext == NULL)
        return hs_fail(SRParameterError, "DeallocateLogContext: logcontext is NULL");
    hs_logcontext* lc = *logcontext;
    if (lc == NULL)
        return SRNoError;
    if (lc->magic != HS_MAGIC_LOGCONTEXT)
        return hs_fail(SRParameterError, "DeallocateLogContext: not a log context from SmartRedisCLogContext");
    lc->magic = HS_MAGIC_DEAD;
    free(lc->name);
    free(lc);
    *logcontext = NULL;
    return SRNoError;
}
