/* The hpcsim environment contract, resolved from a ConfigOptions exactly as the Python client
 * does (hpcsim/client/options.py and address.py):
 *
 *  - the addresses (HPCSIM_DB, then SSDB) and the database type (HPCSIM_DB_TYPE, then
 *    SR_DB_TYPE) are read under the suffixed names only, so a named database never falls back
 *    to the default one; the password file, key prefixes and timeouts try the suffixed names,
 *    then the plain ones;
 *  - each hpcsim name wins over its SmartRedis synonym; HPCSIM_* timeouts are seconds, the
 *    SR_* intervals and the socket and model timeouts milliseconds;
 *  - durable puts: HPCSIM_DURABLE (replicas, default 0: off) and HPCSIM_DURABLE_TIMEOUT
 *    (seconds, default the command budget), suffixed name first, then the plain one.
 *
 * Error codes: a missing or malformed address is SRRuntimeError (as SmartRedis's SSDB checks),
 * a bad setting SRParameterError, an unusable password file SRDatabaseError. */
#define _POSIX_C_SOURCE 200809L

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "transport_client.h"

/* A timeout: `name` in seconds, or its SmartRedis `synonym` scaled by `scale` (1e-3 for the
 * millisecond ones); must be a positive finite number. */
static SRError read_seconds(hs_config* cfg, const char* name, const char* synonym, double scale, double dflt,
                            hs_timeout* out) {
    const char* names[] = {name, synonym};
    const char* raw = hs_config_lookup(cfg, names, 2, true, out->variable, sizeof out->variable);
    if (raw == NULL) {
        out->seconds = dflt;
        snprintf(out->variable, sizeof out->variable, "%s", name);
        return SRNoError;
    }
    bool is_synonym = strncmp(out->variable, synonym, strlen(synonym)) == 0;
    double factor = is_synonym ? scale : 1.0;
    const char* unit = factor != 1.0 ? "milliseconds" : "seconds";
    char* end = NULL;
    errno = 0;
    double value = strtod(raw, &end);
    while (end != NULL && isspace((unsigned char)*end))
        end++;
    if (end == raw || end == NULL || *end != '\0')
        return hs_fail(SRParameterError, "%s='%s' is not a number of %s", out->variable, raw, unit);
    value *= factor;
    if (!isfinite(value) || value <= 0)
        return hs_fail(SRParameterError, "%s='%s' must be a positive number of %s", out->variable, raw, unit);
    out->seconds = value;
    return SRNoError;
}

static SRError parse_address(const char* text, const char* origin, hs_address* out) {
    const char* raw = text;
    while (isspace((unsigned char)*raw))
        raw++;
    size_t len = strlen(raw);
    while (len > 0 && isspace((unsigned char)raw[len - 1]))
        len--;
    if (len >= 7 && strncmp(raw, "unix://", 7) == 0) {
        if (len == 7 || raw[7] != '/')
            return hs_fail(SRRuntimeError, "%s: '%s' must name an absolute socket path (unix:///path.sock)",
                           origin, text);
        out->path = hs_strndup(raw + 7, len - 7);
        return out->path ? SRNoError : hs_fail(SRBadAllocError, "out of memory");
    }
    if (len >= 6 && strncmp(raw, "tcp://", 6) == 0) {
        raw += 6;
        len -= 6;
    }
    const char* colon = NULL;
    for (size_t i = 0; i < len; i++)
        if (raw[i] == ':')
            colon = raw + i;
    size_t host_len = colon ? (size_t)(colon - raw) : 0;
    const char* host = raw;
    if (host_len >= 2 && host[0] == '[' && host[host_len - 1] == ']') {
        host++;
        host_len -= 2;
    }
    long port = 0;
    bool digits = colon != NULL && colon + 1 < raw + len;
    for (const char* p = colon ? colon + 1 : raw; digits && p < raw + len; p++) {
        if (!isdigit((unsigned char)*p) || port > 65535)
            digits = false;
        else
            port = port * 10 + (*p - '0');
    }
    if (colon == NULL || host_len == 0 || !digits || port <= 0 || port >= 65536)
        return hs_fail(SRRuntimeError, "%s: '%s' is not host:port, tcp://host:port or unix:///path", origin, text);
    out->host = hs_strndup(host, host_len);
    out->port = (int)port;
    return out->host ? SRNoError : hs_fail(SRBadAllocError, "out of memory");
}

static SRError read_addresses(hs_config* cfg, hs_settings* s) {
    const char* names[] = {"HPCSIM_DB", "SSDB"};
    char var[256];
    const char* text = hs_config_lookup(cfg, names, 2, false, var, sizeof var);
    if (text == NULL) {
        char a[256], b[256];
        hs_config_variable(cfg, "HPCSIM_DB", a, sizeof a);
        hs_config_variable(cfg, "SSDB", b, sizeof b);
        return hs_fail(SRRuntimeError,
                       "no database address: %s or %s is not set; run the application from an hpcsim Experiment "
                       "with an Orchestrator, or set it to host:port[,host:port...] or unix:///path",
                       a, b);
    }
    if ((s->origin = hs_strdup(var)) == NULL)
        return hs_fail(SRBadAllocError, "out of memory");
    for (const char* p = text; *p; p++)
        if (!isalnum((unsigned char)*p) && strchr(".:,/_-[] ", *p) == NULL)
            return hs_fail(SRRuntimeError, "%s: '%s' holds characters not allowed in database addresses", var, text);
    s->addresses = calloc(strlen(text) / 2 + 1, sizeof *s->addresses);
    char* copy = hs_strdup(text);
    if (s->addresses == NULL || copy == NULL) {
        free(copy);
        return hs_fail(SRBadAllocError, "out of memory");
    }
    SRError err = SRNoError;
    for (char *part = copy, *next; part != NULL && err == SRNoError; part = next) {
        next = strchr(part, ',');
        if (next != NULL)
            *next++ = '\0';
        if (strspn(part, " ") == strlen(part))
            continue; /* empty entries are skipped */
        err = parse_address(part, var, &s->addresses[s->n_addresses]);
        if (err == SRNoError)
            s->n_addresses++;
    }
    free(copy);
    if (err == SRNoError && s->n_addresses == 0)
        err = hs_fail(SRRuntimeError, "%s is empty; expected host:port[,host:port...] or unix:///path", var);
    return err;
}

static SRError read_db_type(hs_config* cfg, hs_settings* s) {
    char var[256];
    const char* hpcsim[] = {"HPCSIM_DB_TYPE"};
    const char* raw = hs_config_lookup(cfg, hpcsim, 1, false, var, sizeof var);
    if (raw != NULL) {
        char kind[16] = "";
        size_t n = 0;
        for (const char* p = raw; *p && n + 1 < sizeof kind; p++)
            if (!isspace((unsigned char)*p))
                kind[n++] = (char)tolower((unsigned char)*p);
        kind[n] = '\0';
        if (strcmp(kind, "standalone") != 0 && strcmp(kind, "cluster") != 0 && strcmp(kind, "clustered") != 0)
            return hs_fail(SRParameterError, "%s='%s' is not a database type; use standalone or cluster", var, raw);
        s->cluster = strcmp(kind, "standalone") != 0;
        return SRNoError;
    }
    const char* smartsim[] = {"SR_DB_TYPE"};
    raw = hs_config_lookup(cfg, smartsim, 1, false, var, sizeof var);
    if (raw != NULL) {
        while (isspace((unsigned char)*raw))
            raw++;
        s->cluster = strncasecmp(raw, "clustered", 9) == 0 && (raw[9] == '\0' || isspace((unsigned char)raw[9]));
        return SRNoError;
    }
    s->cluster = s->n_addresses > 1;
    return SRNoError;
}

/* The file's content: one line holding PASSWORD (AUTH as Redis's default user) or
 * USERNAME PASSWORD (AUTH as an ACL user, such as hpcsim's application identity). Splits
 * `text` in place; false when it holds anything else. */
static bool split_credential(char* text, char** user, char** password) {
    char* words[3] = {NULL, NULL, NULL};
    size_t n = 0;
    char* p = text;
    while (isspace((unsigned char)*p))
        p++;
    while (*p != '\0' && n < 3) {
        words[n++] = p;
        while (*p != '\0' && !isspace((unsigned char)*p))
            p++;
        char* gap = p;
        bool newline = false;
        while (isspace((unsigned char)*p))
            newline |= *p++ == '\n';
        if (newline && *p != '\0')
            return false; /* a second line */
        *gap = '\0';
    }
    if (n == 0 || n == 3)
        return false;
    *user = n == 2 ? words[0] : NULL;
    *password = words[n - 1];
    return true;
}

static SRError read_password(hs_config* cfg, hs_settings* s) {
    const char* names[] = {"HPCSIM_DB_PASSWORD_FILE"};
    char var[256];
    const char* raw = hs_config_lookup(cfg, names, 1, true, var, sizeof var);
    if (raw == NULL) {
        s->auth = hs_strdup("none");
        return s->auth ? SRNoError : hs_fail(SRBadAllocError, "out of memory");
    }
    char path[4096];
    const char* home = getenv("HOME");
    if (raw[0] == '~' && (raw[1] == '/' || raw[1] == '\0') && home != NULL)
        snprintf(path, sizeof path, "%s%s", home, raw + 1);
    else
        snprintf(path, sizeof path, "%s", raw);
    FILE* f = fopen(path, "rb");
    if (f == NULL)
        return hs_fail(SRDatabaseError, "cannot read the database password file %s (%s): %s", path, var,
                       strerror(errno));
    char buffer[4096];
    size_t n = fread(buffer, 1, sizeof buffer - 1, f);
    int failed = ferror(f);
    fclose(f);
    if (failed)
        return hs_fail(SRDatabaseError, "cannot read the database password file %s (%s): read error", path, var);
    buffer[n] = '\0';
    char* user = NULL;
    char* password = NULL;
    bool empty = strspn(buffer, " \t\r\n\v\f") == n;
    bool parsed = !empty && split_credential(buffer, &user, &password);
    bool oom = false;
    if (parsed) {
        s->username = user != NULL ? hs_strdup(user) : NULL;
        s->password = hs_strdup(password);
        oom = s->password == NULL || (user != NULL && s->username == NULL);
    }
    memset(buffer, 0, sizeof buffer); /* the password does not linger on the stack */
    if (empty)
        return hs_fail(SRDatabaseError, "the database password file %s (%s) is empty", path, var);
    if (!parsed)
        return hs_fail(SRDatabaseError,
                       "the database password file %s (%s) must hold one line: PASSWORD, or USERNAME PASSWORD "
                       "(separated by a space)",
                       path, var);
    size_t auth_len = strlen(path) + 6 + (s->username != NULL ? strlen(s->username) + 8 : 0);
    s->auth = oom ? NULL : malloc(auth_len);
    if (s->auth == NULL)
        return hs_fail(SRBadAllocError, "out of memory");
    if (s->username != NULL)
        snprintf(s->auth, auth_len, "file %s, user %s", path, s->username);
    else
        snprintf(s->auth, auth_len, "file %s", path);
    return SRNoError;
}

static SRError read_keys(hs_config* cfg, hs_settings* s) {
    char var[256];
    const char* out_names[] = {"HPCSIM_KEYOUT", "SSKEYOUT"};
    const char* in_names[] = {"HPCSIM_KEYIN", "SSKEYIN"};
    const char* keyout = hs_config_lookup(cfg, out_names, 2, true, var, sizeof var);
    s->keyout = hs_strdup(keyout ? keyout : "");
    const char* keyin = hs_config_lookup(cfg, in_names, 2, true, var, sizeof var);
    char* copy = hs_strdup(keyin ? keyin : "");
    s->keyin = calloc(copy ? strlen(copy) / 2 + 1 : 1, sizeof *s->keyin);
    if (s->keyout == NULL || copy == NULL || s->keyin == NULL) {
        free(copy);
        return hs_fail(SRBadAllocError, "out of memory");
    }
    for (char *part = copy, *next; part != NULL && *copy; part = next) {
        next = strchr(part, ',');
        if (next != NULL)
            *next++ = '\0';
        while (isspace((unsigned char)*part))
            part++;
        size_t len = strlen(part);
        while (len > 0 && isspace((unsigned char)part[len - 1]))
            len--;
        if (len > 0 && (s->keyin[s->n_keyin++] = hs_strndup(part, len)) == NULL) {
            free(copy);
            return hs_fail(SRBadAllocError, "out of memory");
        }
    }
    free(copy);
    return SRNoError;
}

/* Durable puts, as read_durability in options.py: HPCSIM_DURABLE replicas (default 0, off; an
 * integer override_integer_option("HPCSIM_DURABLE", n) counts too) must acknowledge every
 * write within HPCSIM_DURABLE_TIMEOUT seconds (default: the command budget). */
static SRError read_durability(hs_config* cfg, hs_settings* s) {
    char var[256];
    char shown[32];
    const char* raw = NULL;
    int64_t replicas = -1;
    const hs_option* given = NULL;
    for (size_t i = 0; i < cfg->n_options; i++)
        if (cfg->options[i].has_int && strcmp(cfg->options[i].name, "HPCSIM_DURABLE") == 0)
            given = &cfg->options[i];
    if (given != NULL) {
        hs_config_variable(cfg, "HPCSIM_DURABLE", var, sizeof var);
        snprintf(shown, sizeof shown, "%lld", (long long)given->integer);
        raw = shown;
        replicas = given->integer;
    } else {
        const char* names[] = {"HPCSIM_DURABLE"};
        raw = hs_config_lookup(cfg, names, 1, true, var, sizeof var);
        if (raw == NULL) {
            snprintf(var, sizeof var, "HPCSIM_DURABLE");
            raw = "0";
        }
        /* -?[0-9]+ between blanks, as the Python client's pattern */
        const char* p = raw;
        while (isspace((unsigned char)*p))
            p++;
        bool negative = *p == '-';
        if (negative)
            p++;
        bool digits = isdigit((unsigned char)*p) != 0;
        int64_t value = 0;
        for (; isdigit((unsigned char)*p); p++) {
            if (value > (INT64_MAX - (*p - '0')) / 10) {
                digits = false; /* too large to be a number of replicas */
                break;
            }
            value = value * 10 + (*p - '0');
        }
        while (isspace((unsigned char)*p))
            p++;
        if (digits && *p == '\0')
            replicas = negative ? -value : value;
    }
    if (replicas < 0)
        return hs_fail(SRParameterError, "%s='%s' must be a whole number of replicas >= 0 (0: durable puts off)", var,
                       raw);
    s->durable = replicas;

    hs_timeout* out = &s->durable_timeout;
    const char* names[] = {"HPCSIM_DURABLE_TIMEOUT"};
    raw = hs_config_lookup(cfg, names, 1, true, out->variable, sizeof out->variable);
    if (raw == NULL) {
        out->seconds = s->command.seconds;
        snprintf(out->variable, sizeof out->variable, "HPCSIM_DURABLE_TIMEOUT");
        return SRNoError;
    }
    char* end = NULL;
    double seconds = strtod(raw, &end);
    while (end != NULL && isspace((unsigned char)*end))
        end++;
    if (end == raw || end == NULL || *end != '\0' || !isfinite(seconds) || seconds <= 0)
        return hs_fail(SRParameterError, "%s='%s' must be a positive number of seconds", out->variable, raw);
    out->seconds = seconds;
    return SRNoError;
}

SRError hs_settings_read(hs_config* cfg, hs_settings* s) {
    memset(s, 0, sizeof *s);
    SRError err;
    if ((err = read_seconds(cfg, "HPCSIM_CONN_TIMEOUT", "SR_CONN_TIMEOUT", 1.0, 5.0, &s->connect)) ||
        (err = read_seconds(cfg, "HPCSIM_CONN_INTERVAL", "SR_CONN_INTERVAL", 1e-3, 0.1, &s->connect_interval)) ||
        (err = read_seconds(cfg, "HPCSIM_CMD_TIMEOUT", "SR_CMD_TIMEOUT", 1.0, 10.0, &s->command)) ||
        (err = read_seconds(cfg, "HPCSIM_CMD_INTERVAL", "SR_CMD_INTERVAL", 1e-3, 0.1, &s->command_interval)) ||
        (err = read_seconds(cfg, "HPCSIM_SOCKET_TIMEOUT", "SR_SOCKET_TIMEOUT", 1e-3, 30.0, &s->socket)) ||
        (err = read_seconds(cfg, "HPCSIM_MODEL_TIMEOUT", "SR_MODEL_TIMEOUT", 1e-3, 60.0, &s->model)) ||
        (err = read_addresses(cfg, s)) || (err = read_db_type(cfg, s)) || (err = read_password(cfg, s)) ||
        (err = read_keys(cfg, s)) || (err = read_durability(cfg, s)))
        return err;
    return SRNoError;
}

void hs_settings_free(hs_settings* s) {
    for (size_t i = 0; i < s->n_addresses; i++) {
        free(s->addresses[i].host);
        free(s->addresses[i].path);
    }
    free(s->addresses);
    free(s->origin);
    if (s->password != NULL)
        memset(s->password, 0, strlen(s->password));
    free(s->password);
    free(s->username);
    free(s->auth);
    free(s->keyout);
    for (size_t i = 0; i < s->n_keyin; i++)
        free(s->keyin[i]);
    free(s->keyin);
    memset(s, 0, sizeof *s);
}
