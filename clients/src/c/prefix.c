/* Key prefixing, as SmartRedis and hpcsim/client/keys.py do it: a write uses "<KEYOUT>.", a
 * read "<data source>.", where the data source is one of the KEYIN entries (the first one
 * until set_data_source); each kind applies its prefix only while its switch is on (tensors,
 * datasets and lists on by default, models off). key_exists and poll_key never prefix. */
#define _POSIX_C_SOURCE 200809L

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "c_client.h"
#include "transport_client.h"

/* "<name>." or "" for an empty name. */
static char* dotted(const char* name) {
    size_t len = strlen(name);
    char* text = malloc(len + 2);
    if (text != NULL)
        snprintf(text, len + 2, len ? "%s." : "%s", name);
    return text;
}

SRError hs_prefix_init(hs_client* c) {
    c->use_tensor = c->use_dataset = c->use_list = true;
    c->use_model = false;
    c->source = hs_strdup(c->settings.n_keyin ? c->settings.keyin[0] : "");
    c->put_prefix = dotted(c->settings.keyout);
    c->get_prefix = c->source ? dotted(c->source) : NULL;
    if (c->source == NULL || c->put_prefix == NULL || c->get_prefix == NULL)
        return hs_fail(SRBadAllocError, "out of memory setting up key prefixes");
    return SRNoError;
}

const char* hs_prefix(const hs_client* c, hs_kind kind, bool read) {
    bool on = kind == HS_TENSOR ? c->use_tensor
              : kind == HS_DATASET ? c->use_dataset
              : kind == HS_LIST ? c->use_list
                                : c->use_model;
    if (!on)
        return "";
    return read ? c->get_prefix : c->put_prefix;
}

SRError set_data_source(void* c_client, const char* source_id, const size_t source_id_length) {
    hs_client* c = hs_client_of(c_client, "set_data_source");
    if (c == NULL)
        return SRParameterError;
    if (source_id == NULL)
        return hs_fail(SRParameterError, "set_data_source: source_id is NULL");
    const hs_settings* s = &c->settings;
    for (size_t i = 0; i < s->n_keyin; i++) {
        if (strlen(s->keyin[i]) == source_id_length && memcmp(s->keyin[i], source_id, source_id_length) == 0) {
            char* source = hs_strdup(s->keyin[i]);
            char* prefix = source ? dotted(source) : NULL;
            if (prefix == NULL) {
                free(source);
                return hs_fail(SRBadAllocError, "set_data_source: out of memory");
            }
            free(c->source);
            free(c->get_prefix);
            c->source = source;
            c->get_prefix = prefix;
            return SRNoError;
        }
    }
    char allowed[1024] = "";
    for (size_t i = 0; i < s->n_keyin; i++) {
        size_t used = strlen(allowed);
        snprintf(allowed + used, sizeof allowed - used, "%s'%s'", i ? ", " : "", s->keyin[i]);
    }
    return hs_fail(SRRuntimeError, "set_data_source: unknown data source '%.*s'; allowed: %s",
                   (int)(source_id_length < 200 ? source_id_length : 200), source_id,
                   s->n_keyin ? allowed : "none: HPCSIM_KEYIN/SSKEYIN is unset");
}

static SRError set_switch(void* c_client, bool use_prefix, hs_kind kind, const char* function) {
    hs_client* c = hs_client_of(c_client, function);
    if (c == NULL)
        return SRParameterError;
    switch (kind) {
    case HS_TENSOR:
        c->use_tensor = use_prefix;
        break;
    case HS_DATASET:
        c->use_dataset = use_prefix;
        break;
    case HS_LIST:
        c->use_list = use_prefix;
        break;
    case HS_MODEL:
        c->use_model = use_prefix;
        break;
    }
    return SRNoError;
}

SRError use_tensor_ensemble_prefix(void* c_client, bool use_prefix) {
    return set_switch(c_client, use_prefix, HS_TENSOR, "use_tensor_ensemble_prefix");
}

SRError use_dataset_ensemble_prefix(void* c_client, bool use_prefix) {
    return set_switch(c_client, use_prefix, HS_DATASET, "use_dataset_ensemble_prefix");
}

SRError use_list_ensemble_prefix(void* c_client, bool use_prefix) {
    return set_switch(c_client, use_prefix, HS_LIST, "use_list_ensemble_prefix");
}

SRError use_model_ensemble_prefix(void* c_client, bool use_prefix) {
    return set_switch(c_client, use_prefix, HS_MODEL, "use_model_ensemble_prefix");
}
