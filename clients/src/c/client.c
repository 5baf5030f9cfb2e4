/* The client object: construction from the environment or a ConfigOptions, the connection
 * to a standalone server or a cluster within the connect budget, its description, key
 * existence and polling, and the memory it keeps for the caller. */
#define _POSIX_C_SOURCE 200809L

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "c_client.h"
#include "hpcsim_client.h"
#include "transport_client.h"

char* hs_strndup(const char* s, size_t n) {
    char* copy = malloc(n + 1);
    if (copy == NULL)
        return NULL;
    if (n > 0)
        memcpy(copy, s, n);
    copy[n] = '\0';
    return copy;
}

char* hs_strdup(const char* s) {
    return hs_strndup(s, strlen(s));
}

hs_client* hs_client_of(void* handle, const char* function) {
    hs_client* c = handle;
    if (c == NULL) {
        hs_fail(SRParameterError, "%s: c_client is NULL", function);
        return NULL;
    }
    if (c->magic != HS_MAGIC_CLIENT) {
        hs_fail(SRParameterError, "%s: c_client is not a client from SimpleCreateClient or CreateClient", function);
        return NULL;
    }
    return c;
}

void hpcsim_free(void* p) {
    free(p);
}

bool hs_keep(hs_client* c, void* allocation) {
    if (c->n_kept == c->cap_kept) {
        size_t cap = c->cap_kept ? 2 * c->cap_kept : 16;
        void** grown = realloc(c->kept, cap * sizeof *grown);
        if (grown == NULL) {
            free(allocation);
            return false;
        }
        c->kept = grown;
        c->cap_kept = cap;
    }
    c->kept[c->n_kept++] = allocation;
    return true;
}

int64_t hs_model_timeout_ms(const hs_client* c) {
    return (int64_t)(c->settings.model.seconds * 1000.0 + 0.5);
}

int64_t hs_socket_timeout_ms(const hs_client* c) {
    return (int64_t)(c->settings.socket.seconds * 1000.0 + 0.5);
}

/* ---- construction ---------------------------------------------------------------------- */

/* Connects within the connect budget: PING a standalone server, or read a cluster's layout. */
static SRError connect_database(hs_client* c) {
    const hs_timeout* budget = &c->settings.connect;
    double interval = c->settings.connect_interval.seconds;
    double deadline = hs_now() + budget->seconds;
    for (int attempts = 1;; attempts++) {
        hs_attempt a;
        if (c->slots != NULL)
            hs_cluster_refresh(c, &a);
        else
            hs_node_connect(c, c->nodes[0], &a);
        if (a.outcome == HS_OK)
            return SRNoError;
        if (a.outcome == HS_FATAL)
            return hs_fail(a.code, "%s", a.why);
        if (hs_now() + interval > deadline) {
            const char* label = c->slots != NULL ? c->settings.origin : c->nodes[0]->label;
            char addresses[600] = "";
            if (c->slots != NULL) {
                for (size_t i = 0; i < c->settings.n_addresses; i++) {
                    const hs_address* address = &c->settings.addresses[i];
                    size_t used = strlen(addresses);
                    snprintf(addresses + used, sizeof addresses - used, "%s%s:%d", i ? ", " : "", address->host,
                             address->port);
                }
                label = addresses;
            }
            return hs_fail(SRDatabaseError,
                           "could not connect to the database at %s within %s=%g s (%d attempts); last error: %s",
                           label, budget->variable, budget->seconds, attempts, a.why);
        }
        hs_log(c, LLDebug, "retrying in %g s: %s", interval, a.why);
        hs_sleep(interval);
    }
}

static void destroy(hs_client* c) {
    for (size_t i = 0; i < c->n_nodes; i++)
        hs_node_free(c->nodes[i]);
    free(c->nodes);
    free(c->slots);
    for (size_t i = 0; i < c->n_kept; i++)
        free(c->kept[i]);
    free(c->kept);
    hs_settings_free(&c->settings);
    free(c->source);
    free(c->put_prefix);
    free(c->get_prefix);
    free(c->description);
    free(c->name);
    c->magic = HS_MAGIC_DEAD;
    free(c);
}

/* `cluster`: -1 to read the type from the environment, else the deprecated constructor's flag. */
static SRError create(hs_config* cfg, const char* name, size_t name_len, int cluster, void** out,
                      const char* function) {
    if (out == NULL)
        return hs_fail(SRParameterError, "%s: new_client is NULL", function);
    *out = NULL;
    if (name == NULL)
        return hs_fail(SRParameterError, "%s: logger_name is NULL", function);
    hs_client* c = calloc(1, sizeof *c);
    if (c == NULL || (c->name = hs_strndup(name, name_len)) == NULL) {
        free(c);
        return hs_fail(SRBadAllocError, "%s: out of memory", function);
    }
    c->magic = HS_MAGIC_CLIENT;
    SRError err = hs_settings_read(cfg, &c->settings);
    if (err == SRNoError && cluster >= 0)
        c->settings.cluster = cluster != 0;
    if (err == SRNoError)
        err = hs_prefix_init(c);
    const hs_settings* s = &c->settings;
    if (err == SRNoError && s->cluster) {
        for (size_t i = 0; i < s->n_addresses && err == SRNoError; i++)
            if (s->addresses[i].path != NULL)
                err = hs_fail(SRRuntimeError,
                              "%s: a Redis Cluster cannot be reached over a Unix socket (unix://%s); use host:port "
                              "addresses or a standalone database type",
                              s->origin, s->addresses[i].path);
        if (err == SRNoError && (c->slots = malloc(HS_SLOTS * sizeof *c->slots)) == NULL)
            err = hs_fail(SRBadAllocError, "%s: out of memory", function);
        for (size_t i = 0; err == SRNoError && i < HS_SLOTS; i++)
            c->slots[i] = -1;
    } else if (err == SRNoError) {
        /* Several addresses of a standalone database: one at random, as SmartRedis does. */
        size_t pick = (size_t)((unsigned long long)(hs_now() * 1e6) ^ (unsigned long long)getpid()) % s->n_addresses;
        const hs_address* address = &s->addresses[pick];
        hs_node* node = hs_node_new(address->host, address->host ? strlen(address->host) : 0, address->port,
                                    address->path);
        if (node == NULL || (c->nodes = malloc(sizeof *c->nodes)) == NULL) {
            hs_node_free(node);
            err = hs_fail(SRBadAllocError, "%s: out of memory", function);
        } else {
            c->nodes[0] = node;
            c->n_nodes = 1;
        }
    }
    if (err == SRNoError)
        err = connect_database(c);
    if (err != SRNoError) {
        destroy(c);
        return err;
    }
    hs_log(c, LLDebug, "New client created: %s", client_to_string(c));
    *out = c;
    return SRNoError;
}

SRError SimpleCreateClient(const char* logger_name, const size_t logger_name_length, void** new_client) {
    hs_config* cfg = hs_config_new("", 0);
    if (cfg == NULL)
        return hs_fail(SRBadAllocError, "SimpleCreateClient: out of memory");
    SRError err = create(cfg, logger_name, logger_name_length, -1, new_client, "SimpleCreateClient");
    hs_config_free(cfg);
    return err;
}

SRError CreateClient(void* config_options, const char* logger_name, const size_t logger_name_length,
                     void** new_client) {
    hs_config* given = config_options;
    if (given == NULL || given->magic != HS_MAGIC_CONFIG)
        return hs_fail(SRParameterError, "CreateClient: config_options is %s",
                       given == NULL ? "NULL" : "not a ConfigOptions from create_configoptions_from_environment");
    /* The client works on its own copy: later overrides of the caller's do not reach it. */
    hs_config* cfg = hs_config_clone(given);
    if (cfg == NULL)
        return hs_fail(SRBadAllocError, "CreateClient: out of memory");
    SRError err = create(cfg, logger_name, logger_name_length, -1, new_client, "CreateClient");
    hs_config_free(cfg);
    return err;
}

SRError SmartRedisCClient(bool cluster, const char* logger_name, const size_t logger_name_length,
                          void** new_client) {
    hs_config* cfg = hs_config_new("", 0);
    if (cfg == NULL)
        return hs_fail(SRBadAllocError, "SmartRedisCClient: out of memory");
    SRError err = create(cfg, logger_name, logger_name_length, cluster ? 1 : 0, new_client, "SmartRedisCClient");
    hs_config_free(cfg);
    return err;
}

SRError DeleteCClient(void** c_client) {
    if (c_client == NULL)
        return hs_fail(SRParameterError, "DeleteCClient: c_client is NULL");
    if (*c_client == NULL)
        return SRNoError; /* deleting nothing is harmless, as free(NULL) */
    hs_client* c = hs_client_of(*c_client, "DeleteCClient");
    if (c == NULL)
        return SRParameterError;
    destroy(c);
    *c_client = NULL;
    return SRNoError;
}

/* ---- description --------------------------------------------------------------------------- */

typedef struct {
    char* text;
    size_t len, cap;
} text_buffer;

static void add(text_buffer* b, const char* fmt, ...) __attribute__((format(printf, 2, 3)));
static void add(text_buffer* b, const char* fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    va_list again;
    va_copy(again, ap);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (n >= 0 && b->text != NULL) {
        if (b->len + (size_t)n + 1 > b->cap) {
            size_t cap = 2 * (b->len + (size_t)n + 1);
            char* grown = realloc(b->text, cap);
            if (grown == NULL) {
                free(b->text);
                b->text = NULL;
            } else {
                b->text = grown;
                b->cap = cap;
            }
        }
        if (b->text != NULL) {
            vsnprintf(b->text + b->len, b->cap - b->len, fmt, again);
            b->len += (size_t)n;
        }
    }
    va_end(again);
}

static void describe_database(hs_client* c, text_buffer* b) {
    if (c->slots == NULL) {
        const hs_node* node = c->nodes[0];
        add(b, "standalone server %s (%s)", node->label, node->address.path ? "Unix socket" : "TCP");
        return;
    }
    add(b, "Redis Cluster of %zu shards over TCP: ", c->n_nodes);
    for (size_t i = 0; i < c->n_nodes; i++) {
        add(b, "%s%s (slots ", i ? "; " : "", c->nodes[i]->label);
        bool first = true;
        for (size_t s = 0; s < HS_SLOTS; s++) {
            if (c->slots[s] != (int16_t)i || (s > 0 && c->slots[s - 1] == (int16_t)i))
                continue;
            size_t end = s;
            while (end + 1 < HS_SLOTS && c->slots[end + 1] == (int16_t)i)
                end++;
            add(b, "%s%zu-%zu", first ? "" : ", ", s, end);
            first = false;
        }
        add(b, "%s)", first ? "none" : "");
    }
}

const char* client_to_string(void* c_client) {
    hs_client* c = hs_client_of(c_client, "client_to_string");
    if (c == NULL)
        return "(not a client)";
    const hs_settings* s = &c->settings;
    text_buffer b = {malloc(256), 0, 256};
    add(&b, "Client (hpcsim; logger '%s')\n  Database: ", c->name);  /* SmartRedis' text starts "Client" too */
    describe_database(c, &b);
    add(&b, " (from %s)\n", s->origin);
    add(&b, "  Protocol: RESP2 via hiredis %d.%d.%d; authentication: %s\n", HIREDIS_MAJOR, HIREDIS_MINOR,
        HIREDIS_PATCH, s->auth);
    add(&b, "  Timeouts: connect %g s (retry every %g s), command %g s (retry every %g s), socket %g s, model %g s\n",
        s->connect.seconds, s->connect_interval.seconds, s->command.seconds, s->command_interval.seconds,
        s->socket.seconds, s->model.seconds);
    if (s->durable > 0)
        add(&b, "  Durable puts: WAIT for %lld replica(s), %g s\n", (long long)s->durable, s->durable_timeout.seconds);
    else
        add(&b, "  Durable puts: off\n");
    add(&b, "  Keys: put prefix ");
    add(&b, c->put_prefix[0] ? "'%s'" : "%s", c->put_prefix[0] ? c->put_prefix : "none");
    add(&b, ", get prefix ");
    add(&b, c->get_prefix[0] ? "'%s'" : "%s", c->get_prefix[0] ? c->get_prefix : "none");
    for (size_t i = 0; i < s->n_keyin; i++)
        add(&b, "%s%s", i ? ", " : " (sources: ", s->keyin[i]);
    add(&b, "%s; prefixing tensors %s, datasets %s, lists %s, models %s", s->n_keyin ? ")" : "",
        c->use_tensor ? "on" : "off", c->use_dataset ? "on" : "off", c->use_list ? "on" : "off",
        c->use_model ? "on" : "off");
    if (b.text == NULL) {
        hs_fail(SRBadAllocError, "client_to_string: out of memory");
        return "(out of memory)";
    }
    free(c->description);
    c->description = b.text;
    return c->description;
}

/* ---- existence and polling ---------------------------------------------------------------- */

SRError key_exists(void* c_client, const char* key, const size_t key_length, bool* exists) {
    hs_client* c = hs_client_of(c_client, "key_exists");
    if (c == NULL)
        return SRParameterError;
    if (key == NULL || exists == NULL)
        return hs_fail(SRParameterError, "key_exists: %s is NULL", key == NULL ? "key" : "exists");
    const char* argv[] = {"EXISTS", key};
    size_t lens[] = {6, key_length};
    SRError err = SRNoError;
    redisReply* r = hs_command(c, key, key_length, 2, argv, lens, &err);
    if (r == NULL)
        return err;
    char what[300];
    snprintf(what, sizeof what, "key_exists '%.*s'", (int)(key_length < 200 ? key_length : 200), key);
    err = hs_check_reply(r, what);
    if (err == SRNoError && r->type != REDIS_REPLY_INTEGER)
        err = hs_fail(SRRuntimeError, "%s: the database sent an unexpected reply (type %d)", what, r->type);
    if (err == SRNoError)
        *exists = r->integer > 0;
    freeReplyObject(r);
    return err;
}

SRError poll_key(void* c_client, const char* key, const size_t key_length, const int poll_frequency_ms,
                 const int num_tries, bool* exists) {
    hs_client* c = hs_client_of(c_client, "poll_key");
    if (c == NULL)
        return SRParameterError;
    if (key == NULL || exists == NULL)
        return hs_fail(SRParameterError, "poll_key: %s is NULL", key == NULL ? "key" : "exists");
    if (poll_frequency_ms < 0 || num_tries < 0)
        return hs_fail(SRParameterError, "poll_key: poll_frequency_ms (%d) and num_tries (%d) must not be negative",
                       poll_frequency_ms, num_tries);
    *exists = false;
    for (int i = 0; i < num_tries; i++) {
        SRError err = key_exists(c, key, key_length, exists);
        if (err != SRNoError || *exists)
            return err;
        hs_sleep(poll_frequency_ms / 1000.0);
    }
    return SRNoError;
}
