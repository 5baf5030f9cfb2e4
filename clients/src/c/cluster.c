/* Redis Cluster: hash slots (CRC16-XMODEM of the key or of its {hash tag}, as Redis and the
 * Python client compute them), the slot map read with CLUSTER SLOTS, and the shards the data
 * half enumerates (a standalone server is one shard that owns every slot).
 *
 * The map is re-read after a MOVED reply, and after failed attempts (a failover shows up as a
 * lost connection, then CLUSTERDOWN, then a new primary in CLUSTER SLOTS), from any server
 * that still answers: the known primaries first, then the configured entry points. */
#define _POSIX_C_SOURCE 200809L

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "transport_client.h"

/* ---- hash slots ---------------------------------------------------------------------------- */

static uint16_t crc16_xmodem(const char* data, size_t len) {
    uint16_t crc = 0;
    for (size_t i = 0; i < len; i++) {
        crc ^= (uint16_t)((uint16_t)(unsigned char)data[i] << 8);
        for (int bit = 0; bit < 8; bit++)
            crc = (crc & 0x8000) ? (uint16_t)((crc << 1) ^ 0x1021) : (uint16_t)(crc << 1);
    }
    return crc;
}

uint16_t hs_key_slot(const char* key, size_t key_len) {
    if (key == NULL)
        return 0;
    /* Only the part between the first '{' and the next '}' is hashed, if it is not empty. */
    const char* open = memchr(key, '{', key_len);
    if (open != NULL) {
        size_t rest = key_len - (size_t)(open - key) - 1;
        const char* close = memchr(open + 1, '}', rest);
        if (close != NULL && close > open + 1)
            return crc16_xmodem(open + 1, (size_t)(close - open - 1)) & (HS_SLOTS - 1);
    }
    return crc16_xmodem(key, key_len) & (HS_SLOTS - 1);
}

/* ---- nodes --------------------------------------------------------------------------------- */

hs_node* hs_node_new(const char* host, size_t host_len, int port, const char* path) {
    hs_node* node = calloc(1, sizeof *node);
    if (node == NULL)
        return NULL;
    if (path != NULL) {
        node->address.path = hs_strdup(path);
        snprintf(node->label, sizeof node->label, "unix://%s", path);
    } else {
        node->address.host = hs_strndup(host, host_len);
        node->address.port = port;
        bool ipv6 = memchr(host, ':', host_len) != NULL;
        snprintf(node->label, sizeof node->label, ipv6 ? "[%.*s]:%d" : "%.*s:%d", (int)host_len, host, port);
    }
    if (node->address.path == NULL && node->address.host == NULL) {
        free(node);
        return NULL;
    }
    return node;
}

void hs_node_free(hs_node* node) {
    if (node == NULL)
        return;
    hs_node_close(node);
    free(node->address.host);
    free(node->address.path);
    free(node);
}

static bool append_node(hs_client* c, hs_node* node) {
    hs_node** grown = realloc(c->nodes, (c->n_nodes + 1) * sizeof *grown);
    if (grown == NULL)
        return false;
    c->nodes = grown;
    c->nodes[c->n_nodes++] = node;
    return true;
}

/* The node called `label` ("host:port"); with `add`, a new one joins the list if unknown. */
hs_node* hs_node_for_label(hs_client* c, const char* label, bool add) {
    for (size_t i = 0; i < c->n_nodes; i++)
        if (strcmp(c->nodes[i]->label, label) == 0)
            return c->nodes[i];
    if (!add)
        return NULL;
    const char* colon = strrchr(label, ':');
    if (colon == NULL || colon == label)
        return NULL;
    const char* host = label;
    size_t host_len = (size_t)(colon - label);
    if (host_len >= 2 && host[0] == '[' && host[host_len - 1] == ']') {
        host++;
        host_len -= 2;
    }
    hs_node* node = hs_node_new(host, host_len, atoi(colon + 1), NULL);
    if (node == NULL || !append_node(c, node)) {
        hs_node_free(node);
        return NULL;
    }
    return node;
}

hs_node* hs_route(hs_client* c, const char* key, size_t key_len) {
    if (c->slots == NULL)
        return c->n_nodes > 0 ? c->nodes[0] : NULL;
    int16_t index = c->slots[hs_key_slot(key, key_len)];
    return index >= 0 && (size_t)index < c->n_nodes ? c->nodes[index] : NULL;
}

/* ---- the slot map -------------------------------------------------------------------------- */

typedef struct {
    long long start, end;
    const redisReply* primary;
} slot_range;

static int by_start(const void* a, const void* b) {
    const slot_range* x = a;
    const slot_range* y = b;
    return (x->start > y->start) - (x->start < y->start);
}

/* Takes the node called `label` out of `pool` (to keep its connection), or NULL. */
static hs_node* take(hs_node** pool, size_t n, const char* label) {
    for (size_t i = 0; i < n; i++) {
        if (pool[i] != NULL && strcmp(pool[i]->label, label) == 0) {
            hs_node* node = pool[i];
            pool[i] = NULL;
            return node;
        }
    }
    return NULL;
}

/* Rebuilds c->nodes and c->slots from a CLUSTER SLOTS reply given by `asked`; `spare` is a
 * connected node outside c->nodes that may be adopted. Returns the number of slots mapped. */
static size_t rebuild(hs_client* c, const redisReply* r, const hs_node* asked, hs_node** spare) {
    slot_range* ranges = calloc(r->elements ? r->elements : 1, sizeof *ranges);
    int16_t* slots = malloc(HS_SLOTS * sizeof *slots);
    hs_node** nodes = calloc(r->elements ? r->elements : 1, sizeof *nodes);
    if (ranges == NULL || slots == NULL || nodes == NULL) {
        free(ranges);
        free(slots);
        free(nodes);
        return 0;
    }
    size_t n_ranges = 0, n_nodes = 0, mapped = 0;
    for (size_t i = 0; i < r->elements; i++) {
        const redisReply* e = r->element[i];
        if (e->type != REDIS_REPLY_ARRAY || e->elements < 3 || e->element[0]->type != REDIS_REPLY_INTEGER ||
            e->element[1]->type != REDIS_REPLY_INTEGER || e->element[2]->type != REDIS_REPLY_ARRAY ||
            e->element[2]->elements < 2 || e->element[2]->element[1]->type != REDIS_REPLY_INTEGER)
            continue;
        slot_range range = {e->element[0]->integer, e->element[1]->integer, e->element[2]};
        if (range.start < 0 || range.end >= HS_SLOTS || range.start > range.end)
            continue;
        ranges[n_ranges++] = range;
    }
    qsort(ranges, n_ranges, sizeof *ranges, by_start);
    for (size_t i = 0; i < HS_SLOTS; i++)
        slots[i] = -1;
    for (size_t i = 0; i < n_ranges; i++) {
        const redisReply* host = ranges[i].primary->element[0];
        int port = (int)ranges[i].primary->element[1]->integer;
        /* An empty or "?" host means "the server you asked" (Redis 7). */
        const char* h = host->type == REDIS_REPLY_STRING ? host->str : "";
        size_t h_len = host->type == REDIS_REPLY_STRING ? host->len : 0;
        if (h_len == 0 || (h_len == 1 && h[0] == '?')) {
            h = asked->address.host ? asked->address.host : "127.0.0.1";
            h_len = strlen(h);
        }
        hs_node* probe = hs_node_new(h, h_len, port, NULL);
        if (probe == NULL)
            continue;
        size_t index = n_nodes;
        for (size_t j = 0; j < n_nodes; j++)
            if (strcmp(nodes[j]->label, probe->label) == 0)
                index = j;
        if (index == n_nodes) {
            hs_node* node = take(c->nodes, c->n_nodes, probe->label);
            if (node == NULL && spare != NULL)
                node = take(spare, 1, probe->label);
            if (node == NULL) {
                node = probe;
                probe = NULL;
            }
            node->n_slots = 0;
            nodes[n_nodes++] = node;
        }
        hs_node_free(probe);
        for (long long s = ranges[i].start; s <= ranges[i].end; s++)
            slots[s] = (int16_t)index;
        nodes[index]->n_slots += (size_t)(ranges[i].end - ranges[i].start + 1);
        mapped += (size_t)(ranges[i].end - ranges[i].start + 1);
    }
    /* Servers that left the map are closed; the new list replaces the old one. */
    for (size_t i = 0; i < c->n_nodes; i++)
        hs_node_free(c->nodes[i]);
    free(c->nodes);
    c->nodes = nodes;
    c->n_nodes = n_nodes;
    memcpy(c->slots, slots, HS_SLOTS * sizeof *slots);
    free(slots);
    free(ranges);
    return mapped;
}

/* CLUSTER SLOTS from `node`: true when the map was rebuilt. */
static bool refresh_from(hs_client* c, hs_node* node, hs_node** spare, hs_attempt* a) {
    const char* argv[] = {"CLUSTER", "SLOTS"};
    size_t lens[] = {7, 5};
    redisReply* r = hs_node_command(c, node, 2, argv, lens, a);
    if (r == NULL)
        return false;
    if (r->type == REDIS_REPLY_ERROR) {
        a->outcome = strstr(r->str, "cluster support disabled") ? HS_FATAL : HS_RETRY;
        a->code = SRDatabaseError;
        if (a->outcome == HS_FATAL)
            snprintf(a->why, sizeof a->why,
                     "the database at %s is not a Redis Cluster (%s); set HPCSIM_DB_TYPE=standalone (or "
                     "SR_DB_TYPE to anything but Clustered)",
                     node->label, r->str);
        else
            snprintf(a->why, sizeof a->why, "%s: %s", node->label, r->str);
        freeReplyObject(r);
        return false;
    }
    char label[sizeof node->label];
    snprintf(label, sizeof label, "%s", node->label);
    size_t mapped = r->type == REDIS_REPLY_ARRAY ? rebuild(c, r, node, spare) : 0;
    freeReplyObject(r);
    if (mapped == 0) {
        a->outcome = HS_RETRY;
        snprintf(a->why, sizeof a->why, "%s: the cluster has no hash slots assigned yet", label);
        return false;
    }
    c->last_refresh = hs_now();
    a->outcome = HS_OK;
    return true;
}

void hs_cluster_refresh(hs_client* c, hs_attempt* a) {
    memset(a, 0, sizeof *a);
    a->outcome = HS_RETRY;
    snprintf(a->why, sizeof a->why, "%s: no server to ask for the cluster layout", c->settings.origin);
    c->last_refresh = hs_now();
    /* Known primaries first (their labels are copied: a rebuild frees the nodes). */
    size_t n_known = c->n_nodes;
    char(*known)[sizeof(((hs_node*)0)->label)] = calloc(n_known ? n_known : 1, sizeof *known);
    if (known == NULL)
        return;
    for (size_t i = 0; i < n_known; i++)
        memcpy(known[i], c->nodes[i]->label, sizeof known[i]);
    for (size_t i = 0; i < n_known; i++) {
        hs_node* node = hs_node_for_label(c, known[i], false);
        if (node != NULL && refresh_from(c, node, NULL, a))
            break;
        if (a->outcome == HS_FATAL)
            break;
    }
    free(known);
    if (a->outcome == HS_OK || a->outcome == HS_FATAL)
        return;
    for (size_t i = 0; i < c->settings.n_addresses; i++) {
        const hs_address* address = &c->settings.addresses[i];
        hs_node* spare = hs_node_new(address->host, strlen(address->host), address->port, NULL);
        if (spare == NULL)
            continue;
        bool done = refresh_from(c, spare, &spare, a);
        hs_node_free(spare); /* NULL when it joined the map */
        if (done || a->outcome == HS_FATAL)
            return;
    }
}

/* ---- shards -------------------------------------------------------------------------------- */

bool hs_is_cluster(const hs_client* c) {
    return c->slots != NULL;
}

size_t hs_shard_count(hs_client* c) {
    return c->n_nodes;
}

size_t hs_shard_of(hs_client* c, const char* key, size_t key_len) {
    if (c->slots == NULL)
        return 0;
    uint16_t slot = hs_key_slot(key, key_len);
    if (c->slots[slot] < 0) {
        hs_attempt a;
        hs_cluster_refresh(c, &a);
    }
    return c->slots[slot] >= 0 ? (size_t)c->slots[slot] : 0;
}

const char* hs_shard_label(hs_client* c, size_t shard) {
    return shard < c->n_nodes ? c->nodes[shard]->label : "";
}

bool hs_shard_owns(hs_client* c, size_t shard, uint16_t slot) {
    if (c->slots == NULL)
        return shard == 0;
    return slot < HS_SLOTS && c->slots[slot] >= 0 && (size_t)c->slots[slot] == shard;
}
