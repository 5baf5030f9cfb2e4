/* The transport half's private types: the ConfigOptions object, the resolved settings, the
 * shards, the client object and the operations the retry loop runs. Shared by the transport
 * half's files (client.c, config.c, conn.c, cluster.c, log.c, prefix.c, transport_*.c) only;
 * the data half sees a client only through hs_internal.h. */
#ifndef HPCSIM_TRANSPORT_CLIENT_H
#define HPCSIM_TRANSPORT_CLIENT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <hiredis/hiredis.h>

#include "hs_internal.h"

/* First member of every handle the transport half gives out, so that a `void*` can be
 * checked before use and the loggers can tell a client from a log context. */
#define HS_MAGIC_CLIENT 0x48534331u     /* "HSC1" */
#define HS_MAGIC_CONFIG 0x48534f31u     /* "HSO1" */
#define HS_MAGIC_LOGCONTEXT 0x48534c31u /* "HSL1" */
#define HS_MAGIC_DEAD 0xdeadbeefu       /* a freed handle */

#define HS_SLOTS 16384

/* ---- ConfigOptions (config.c) ------------------------------------------------------------- */
typedef struct {
    char* name;
    char* string;    /* cached or overridden string value, NULL if none */
    bool has_int;    /* cached or overridden integer value */
    int64_t integer;
} hs_option;

typedef struct hs_config {
    uint32_t magic;
    char* suffix; /* "" for the default database */
    hs_option* options;
    size_t n_options;
} hs_config;

hs_config* hs_config_new(const char* suffix, size_t suffix_len);
/* The environment variable that holds option `name` for this database. */
void hs_config_variable(const hs_config* cfg, const char* name, char* out, size_t size);
/* The first of `names` set for this database (an override or a non-empty variable); with
 * `inherit`, a suffixed database then tries the plain names. The value (owned by cfg or the
 * environment), with the variable's name in `var`; NULL when none is set. */
const char* hs_config_lookup(hs_config* cfg, const char* const* names, size_t n, bool inherit, char* var,
                             size_t var_size);
hs_config* hs_config_clone(const hs_config* cfg);
void hs_config_free(hs_config* cfg);

/* ---- settings resolved from a ConfigOptions when a client is built (transport_settings.c) -- */
typedef struct {
    char* host; /* TCP host, or NULL for a Unix socket */
    int port;
    char* path; /* Unix socket path, or NULL */
} hs_address;

typedef struct {
    double seconds;     /* the value */
    char variable[128]; /* the variable it came from (the hpcsim name for a default) */
} hs_timeout;

typedef struct {
    hs_address* addresses; /* from HPCSIM_DB / SSDB */
    size_t n_addresses;
    char* origin;          /* the variable that held them */
    bool cluster;
    char* username;        /* NULL: AUTH as Redis's default user */
    char* password;        /* NULL: no AUTH */
    char* auth;            /* "none", "file <path>" or "file <path>, user <name>", for client_to_string */
    char* keyout;          /* "" when unset */
    char** keyin;          /* the non-empty get prefixes */
    size_t n_keyin;
    hs_timeout connect, connect_interval, command, command_interval, socket, model;
    /* durable puts (HPCSIM_DURABLE, HPCSIM_DURABLE_TIMEOUT): replicas that must acknowledge
     * each write (0: off), and how long WAIT may block for them (default: the command budget) */
    int64_t durable;
    hs_timeout durable_timeout;
} hs_settings;

/* Resolves the environment contract; on failure sets the last error and returns its code. */
SRError hs_settings_read(hs_config* cfg, hs_settings* out);
void hs_settings_free(hs_settings* s);

/* ---- requests in RESP, sent without hiredis' copy (transport_wire.c) ----------------------- */
typedef struct {
    size_t off, len;
    const void* ext; /* the caller's memory, or NULL: buf + off */
} hs_segment;

typedef struct {
    char* buf; /* small pieces, copied */
    size_t len, cap;
    hs_segment* seg;
    size_t nseg, capseg;
    bool oom;
} hs_wire;

void hs_wire_command(hs_wire* w, int argc, const char** argv, const size_t* lens);
void hs_wire_format(hs_wire* w, const char* fmt, ...) __attribute__((format(printf, 2, 3)));
void hs_wire_data(hs_wire* w, const void* data, size_t len); /* large data is referenced, not copied */
void hs_wire_free(hs_wire* w);
void hs_wire_clear(hs_wire* w); /* empties w, keeping its memory for the next request */
int hs_wire_send(const hs_wire* w, int fd); /* 0, or the errno of the failed send */

/* ---- connections (conn.c) ---------------------------------------------------------------- */
typedef struct {
    char label[300];   /* "host:port" or "unix:///path" */
    hs_address address;
    redisContext* ctx; /* NULL while disconnected */
    size_t n_slots;    /* slots it owns (cluster) */
} hs_node;

/* What went wrong in one attempt, for the retry loop and the final message. */
typedef enum { HS_OK, HS_RETRY, HS_MOVED, HS_ASK, HS_FATAL } hs_outcome;

typedef struct {
    hs_outcome outcome;
    SRError code;      /* for HS_FATAL */
    char why[1024];    /* the last failure, for the message when the budget is spent */
    uint16_t slot;     /* MOVED / ASK */
    char target[300];  /* MOVED / ASK: "host:port" */
} hs_attempt;

/* One operation as the retry loop (conn.c) runs it: each attempt picks the node, connects,
 * puts ASKING into `w` after an ASK redirection, then calls `exchange`, which adds the request,
 * sends it and reads the n answers into replies (ASKING's answer dropped); false with the
 * failure in *a and no reply left. A NULL reply is an answer that needs no checking (a value
 * that went straight to a sink); the loop checks the others for MOVED/ASK/TRYAGAIN/NOAUTH. */
typedef struct hs_op hs_op;
struct hs_op {
    bool (*exchange)(hs_client* c, hs_node* node, hs_op* op, hs_wire* w, bool asking, hs_attempt* a);
    void* args; /* the exchange's own */
    size_t n;
    redisReply** replies;
    bool writes; /* it changes data (hs_is_write): with durable puts, WAIT follows it on its node */
};
/* Whether a command changes data, as the Python client's WRITES (connection.py): SET, DEL,
 * RENAME, COPY, RPUSH, LPUSH, HSET, HDEL, LREM, LPOP, RPOP, EXPIRE, XADD. */
bool hs_is_write(const char* command, size_t len);
/* Runs op within the command budget, following redirections; `shard` >= 0 pins the node.
 * SRNoError, or the failure (last error set) naming `what`. */
SRError hs_run_op(hs_client* c, const char* route, size_t route_len, long shard, hs_op* op, const char* what);
/* Sends w (failing at once when it ran out of memory), then reads skip + n replies and drops
 * the first `skip`; false (connection dropped, failure in *a) on an I/O error. */
bool hs_exchange(hs_client* c, hs_node* node, const hs_wire* w, size_t skip, size_t n, redisReply** replies,
                 hs_attempt* a);
/* Reads skip + n replies with hiredis, as hs_exchange after its send. */
bool hs_receive(hs_client* c, hs_node* node, size_t skip, size_t n, redisReply** replies, hs_attempt* a);
/* The context's I/O error (ctx->err, ctx->errstr) as a retryable failure; the connection is
 * dropped. */
void hs_io_failure(hs_client* c, hs_node* node, hs_attempt* a);
/* An I/O error of the library's own reads and writes (errno `error`; 0: the server closed the
 * connection) recorded in the context as hiredis records its own, then handled as hs_io_failure. */
void hs_io_errno(hs_client* c, hs_node* node, int error, hs_attempt* a);

/* Connects (AUTH, PING) if needed; HS_OK or a failure in *a. */
void hs_node_connect(hs_client* c, hs_node* node, hs_attempt* a);
void hs_node_close(hs_node* node);
/* One command on `node`, one attempt (connecting first); NULL with the failure in *a. */
redisReply* hs_node_command(hs_client* c, hs_node* node, int argc, const char** argv, const size_t* lens,
                            hs_attempt* a);
double hs_now(void); /* monotonic seconds */
void hs_sleep(double seconds);

/* ---- the client (client.c) ---------------------------------------------------------------- */
struct hs_client {
    uint32_t magic;
    char* name; /* the logger name */
    hs_settings settings;

    /* shards: standalone has one node; a cluster has its primaries, in slot order */
    hs_node** nodes;
    size_t n_nodes;
    int16_t* slots; /* cluster: owning node index per slot, -1 when unknown */
    double last_refresh;

    /* prefixes (prefix.c) */
    char* source; /* the current data source, "" for none */
    bool use_tensor, use_dataset, use_list, use_model;
    char* put_prefix; /* "<keyout>." or "" */
    char* get_prefix; /* "<source>." or "" */

    void** kept; /* hs_keep */
    size_t n_kept, cap_kept;
    char* description; /* client_to_string */
};

/* The client behind a user's handle, or NULL (and SRParameterError set) when it is not one. */
hs_client* hs_client_of(void* handle, const char* function);

/* cluster.c */
/* Re-reads the slot map (CLUSTER SLOTS from any reachable server); failure in *a. */
void hs_cluster_refresh(hs_client* c, hs_attempt* a);
hs_node* hs_node_new(const char* host, size_t host_len, int port, const char* path);
void hs_node_free(hs_node* node);
hs_node* hs_node_for_label(hs_client* c, const char* label, bool add);
hs_node* hs_route(hs_client* c, const char* key, size_t key_len);

/* prefix.c */
SRError hs_prefix_init(hs_client* c);

/* log.c: whether a log variable is set (the library logs only then). */
bool hs_log_configured(void);

/* error.c: whether an error reply means the password is wrong or missing. */
bool hs_is_auth_error(const char* text);

/* Small helpers (client.c). */
char* hs_strndup(const char* s, size_t n);
char* hs_strdup(const char* s);

#endif
