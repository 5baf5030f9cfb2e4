/* The calling thread's last error (SRGetLastError) and the mapping of Redis error replies to
 * SRError codes.
 *
 * SmartRedis keeps one process-wide slot; hpcsim keeps one per thread, so that threads with
 * their own clients (the documented model) never see each other's errors. */
#define _POSIX_C_SOURCE 200809L

#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "transport_client.h"

#define HS_MESSAGE_MAX 2048

static _Thread_local char last_message[HS_MESSAGE_MAX] = "no error";
static _Thread_local char last_location[256] = "unavailable";

const char* SRGetLastError(void) {
    return last_message;
}

const char* SRGetLastErrorLocation(void) {
    return last_location;
}

static SRError record(const char* file, int line, SRError code, const char* fmt, va_list ap) {
    /* Format into a scratch buffer first: a message may quote the previous one. */
    char message[HS_MESSAGE_MAX];
    vsnprintf(message, sizeof message, fmt, ap);
    memcpy(last_message, message, sizeof message);
    if (file != NULL) {
        const char* base = strrchr(file, '/');
        snprintf(last_location, sizeof last_location, "\"%s\", line %d", base ? base + 1 : file, line);
    } else {
        snprintf(last_location, sizeof last_location, "unavailable");
    }
    return code;
}

SRError hs_fail_at(const char* file, int line, SRError code, const char* fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    record(file, line, code, fmt, ap);
    va_end(ap);
    return code;
}

/* The plain function behind the hs_fail macro (kept for callers that take its address). */
SRError(hs_fail)(SRError code, const char* fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    record(NULL, 0, code, fmt, ap);
    va_end(ap);
    return code;
}

SRError hpcsim_set_last_error(SRError code, const char* message, size_t message_length) {
    int shown = message_length > HS_MESSAGE_MAX ? HS_MESSAGE_MAX : (int)message_length;
    return hs_fail(code, "%.*s", message == NULL ? 0 : shown, message == NULL ? "" : message);
}

static bool starts_with(const char* text, const char* prefix) {
    return strncasecmp(text, prefix, strlen(prefix)) == 0;
}

/* Whether an error reply means the password is wrong or missing. */
bool hs_is_auth_error(const char* text) {
    return starts_with(text, "NOAUTH") || starts_with(text, "WRONGPASS") ||
           starts_with(text, "ERR invalid password") || strstr(text, "without any password configured") != NULL;
}

SRError hs_check_reply(const redisReply* reply, const char* what) {
    if (reply == NULL)
        return hs_fail(SRDatabaseError, "%s: no reply from the database", what);
    if (reply->type != REDIS_REPLY_ERROR)
        return SRNoError;
    const char* text = reply->str != NULL ? reply->str : "";
    if (hs_is_auth_error(text))
        return hs_fail(SRDatabaseError,
                       "%s: the database refused the password (%s); check HPCSIM_DB_PASSWORD_FILE", what, text);
    if (starts_with(text, "NOPERM"))
        return hs_fail(SRRuntimeError,
                       "%s failed: the database answered %s; the identity this program authenticates as "
                       "(HPCSIM_DB_PASSWORD_FILE) may not run it: hpcsim gives applications least privilege, "
                       "see docs/security.md",
                       what, text);
    if (starts_with(text, "ERR no such key"))
        return hs_fail(SRKeyError, "%s: no such key", what);
    /* The database cannot serve anything right now: its state, not the request, is wrong. */
    if (starts_with(text, "OOM") || starts_with(text, "READONLY") || starts_with(text, "MASTERDOWN") ||
        starts_with(text, "LOADING") || starts_with(text, "BUSY") || starts_with(text, "CLUSTERDOWN"))
        return hs_fail(SRDatabaseError, "%s failed: the database answered %s", what, text);
    /* As SmartRedis: any other error reply is a runtime error. */
    return hs_fail(SRRuntimeError, "%s failed: the database answered %s", what, text);
}
