/* Training metrics: log_metric, an hpcsim extension (as hpcsim/client/_metrics.py). A point is
 * appended to the stream "__hpcsim.metrics.<name>" (protocol.METRICS_PREFIX, never key-prefixed)
 * with XADD <key> MAXLEN ~ 100000 * step <step> value <value>, both fields in decimal text. */
#define _POSIX_C_SOURCE 200809L

#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "c_client.h"
#include "data_internal.h"

#define METRICS_PREFIX "__hpcsim.metrics."

/* The characters Python's str.isspace() accepts, as UTF-8: the Python client refuses a name
 * holding any of them, so the C client refuses the same names. */
static const char* const WHITESPACE[] = {
    "\t", "\n", "\v", "\f", "\r", "\x1c", "\x1d", "\x1e", "\x1f", " ",
    "\xc2\x85", "\xc2\xa0", "\xe1\x9a\x80", "\xe2\x80\xa8", "\xe2\x80\xa9", "\xe2\x80\xaf", "\xe2\x81\x9f",
    "\xe3\x80\x80"};

static bool has_whitespace(const char* name, size_t len) {
    for (size_t i = 0; i < len; i++) {
        const unsigned char* at = (const unsigned char*)name + i;
        if (len - i >= 3 && at[0] == 0xe2 && at[1] == 0x80 && at[2] >= 0x80 && at[2] <= 0x8a)
            return true; /* U+2000 to U+200A */
        for (size_t w = 0; w < sizeof WHITESPACE / sizeof WHITESPACE[0]; w++) {
            size_t n = strlen(WHITESPACE[w]);
            if (len - i >= n && memcmp(name + i, WHITESPACE[w], n) == 0)
                return true;
        }
    }
    return false;
}

/* The shortest "%.Ng" text that reads back as exactly `value` (17 digits always do). */
static void round_trip_text(double value, char out[32]) {
    for (int digits = 15; digits <= 17; digits++) {
        snprintf(out, 32, "%.*g", digits, value);
        if (strtod(out, NULL) == value)
            return;
    }
}

SRError log_metric(void* c_client, const char* name, const size_t name_length, const int64_t step,
                   const double value) {
    if (!c_client) return hs_fail(SRParameterError, "log_metric: c_client is NULL");
    if (!name) return hs_fail(SRParameterError, "log_metric: name is NULL");
    if (name_length == 0) return hs_fail(SRParameterError, "log_metric: the metric name must not be empty");
    if (has_whitespace(name, name_length))
        return hs_fail(SRParameterError, "log_metric: metric name '%.*s' must not contain whitespace",
                       HSD_STR(name, name_length));
    if (step < 0)
        return hs_fail(SRParameterError, "log_metric '%.*s': step must not be negative, got %" PRId64,
                       HSD_STR(name, name_length), step);
    if (!isfinite(value))
        return hs_fail(SRParameterError, "log_metric '%.*s': the value must be a finite number, got %g",
                       HSD_STR(name, name_length), value);
    size_t key_len = 0;
    char* key = hsd_concat(METRICS_PREFIX, strlen(METRICS_PREFIX), name, name_length, &key_len);
    if (!key) return hsd_oom("log_metric");
    char step_text[24], value_text[32], what[512];
    snprintf(step_text, sizeof step_text, "%" PRId64, step);
    round_trip_text(value, value_text);
    const char* argv[] = {"XADD", key, "MAXLEN", "~", "100000", "*", "step", step_text, "value", value_text};
    size_t lens[] = {4, key_len, 6, 1, 6, 1, 4, strlen(step_text), 5, strlen(value_text)};
    SRError e = SRNoError;
    /* hsd_run routes by the key, so the point lands on the shard that owns the stream */
    redisReply* reply = hsd_run(c_client, hsd_what(what, sizeof what, "log_metric", key, key_len), 10, argv, lens, &e);
    free(key);
    return hsd_drop(reply, e);
}
