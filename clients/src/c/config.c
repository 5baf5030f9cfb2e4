/* ConfigOptions over the environment, as hpcsim/client/options.py: option NAME of a
 * ConfigOptions with suffix S is the variable NAME_S (plain NAME when S is empty); empty values
 * count as unset; overrides win; values are cached after their first use. The environment
 * contract built on it is in transport_settings.c. */
#define _POSIX_C_SOURCE 200809L

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "c_configoptions.h"
#include "hpcsim_client.h"
#include "transport_client.h"

/* ---- the ConfigOptions object -------------------------------------------------------------- */

hs_config* hs_config_new(const char* suffix, size_t suffix_len) {
    hs_config* cfg = calloc(1, sizeof *cfg);
    if (cfg == NULL || (cfg->suffix = hs_strndup(suffix, suffix_len)) == NULL) {
        free(cfg);
        return NULL;
    }
    cfg->magic = HS_MAGIC_CONFIG;
    return cfg;
}

void hs_config_free(hs_config* cfg) {
    if (cfg == NULL)
        return;
    for (size_t i = 0; i < cfg->n_options; i++) {
        free(cfg->options[i].name);
        free(cfg->options[i].string);
    }
    free(cfg->options);
    free(cfg->suffix);
    cfg->magic = HS_MAGIC_DEAD;
    free(cfg);
}

hs_config* hs_config_clone(const hs_config* cfg) {
    hs_config* copy = hs_config_new(cfg->suffix, strlen(cfg->suffix));
    if (copy == NULL)
        return NULL;
    copy->options = calloc(cfg->n_options ? cfg->n_options : 1, sizeof *copy->options);
    if (copy->options == NULL) {
        hs_config_free(copy);
        return NULL;
    }
    for (size_t i = 0; i < cfg->n_options; i++) {
        const hs_option* o = &cfg->options[i];
        hs_option* d = &copy->options[copy->n_options++];
        *d = *o;
        d->name = hs_strdup(o->name);
        d->string = o->string ? hs_strdup(o->string) : NULL;
        if (d->name == NULL || (o->string && d->string == NULL)) {
            hs_config_free(copy);
            return NULL;
        }
    }
    return copy;
}

static hs_option* find_option(hs_config* cfg, const char* name, bool add) {
    for (size_t i = 0; i < cfg->n_options; i++)
        if (strcmp(cfg->options[i].name, name) == 0)
            return &cfg->options[i];
    if (!add)
        return NULL;
    hs_option* grown = realloc(cfg->options, (cfg->n_options + 1) * sizeof *grown);
    if (grown == NULL)
        return NULL;
    cfg->options = grown;
    hs_option* o = &cfg->options[cfg->n_options];
    memset(o, 0, sizeof *o);
    if ((o->name = hs_strdup(name)) == NULL)
        return NULL;
    cfg->n_options++;
    return o;
}

/* The environment variable that holds `name` for this database. */
static void variable_of(const hs_config* cfg, const char* name, char* out, size_t size) {
    if (cfg->suffix[0] != '\0')
        snprintf(out, size, "%s_%s", name, cfg->suffix);
    else
        snprintf(out, size, "%s", name);
}

static const char* raw_value(const hs_config* cfg, const char* name) {
    char var[256];
    variable_of(cfg, name, var, sizeof var);
    const char* value = getenv(var);
    return value != NULL && value[0] != '\0' ? value : NULL;
}

/* The string option (cached), or NULL with the last error set (SRKeyError when unset). */
static const char* string_option(hs_config* cfg, const char* name, SRError* err) {
    hs_option* o = find_option(cfg, name, false);
    if (o != NULL && o->string != NULL)
        return o->string;
    const char* raw = raw_value(cfg, name);
    if (raw == NULL) {
        char var[256];
        variable_of(cfg, name, var, sizeof var);
        *err = hs_fail(SRKeyError, "configuration option %s is not set", var);
        return NULL;
    }
    if ((o = find_option(cfg, name, true)) == NULL || (o->string = hs_strdup(raw)) == NULL) {
        *err = hs_fail(SRBadAllocError, "out of memory reading configuration option %s", name);
        return NULL;
    }
    return o->string;
}

static SRError integer_option(hs_config* cfg, const char* name, int64_t* result) {
    hs_option* o = find_option(cfg, name, false);
    if (o != NULL && o->has_int) {
        *result = o->integer;
        return SRNoError;
    }
    char var[256];
    variable_of(cfg, name, var, sizeof var);
    const char* raw = raw_value(cfg, name);
    if (raw == NULL)
        return hs_fail(SRKeyError, "configuration option %s is not set", var);
    /* Digits with an optional leading '-', surrounding blanks allowed (as the Python client). */
    const char* p = raw;
    while (isspace((unsigned char)*p))
        p++;
    const char* digits = *p == '-' ? p + 1 : p;
    char* end = NULL;
    errno = 0;
    long long value = strtoll(p, &end, 10);
    while (end != NULL && isspace((unsigned char)*end))
        end++;
    if (!isdigit((unsigned char)*digits) || end == NULL || *end != '\0' || errno == ERANGE)
        return hs_fail(SRParameterError, "%s='%s' is not an integer", var, raw);
    if ((o = find_option(cfg, name, true)) == NULL)
        return hs_fail(SRBadAllocError, "out of memory reading configuration option %s", var);
    o->has_int = true;
    o->integer = value;
    *result = value;
    return SRNoError;
}

/* ---- the C API --------------------------------------------------------------------------- */

static hs_config* config_of(void* handle, const char* function) {
    hs_config* cfg = handle;
    if (cfg == NULL || cfg->magic != HS_MAGIC_CONFIG) {
        hs_fail(SRParameterError, "%s: c_cfgopts is %s", function,
                cfg == NULL ? "NULL" : "not a ConfigOptions from create_configoptions_from_environment");
        return NULL;
    }
    return cfg;
}

/* The option name as a NUL-terminated copy (freed by the caller), or NULL with the error set. */
static char* option_name(const char* name, size_t len, const char* function) {
    if (name == NULL || len == 0) {
        hs_fail(SRParameterError, "%s: option_name is %s", function, name == NULL ? "NULL" : "empty");
        return NULL;
    }
    char* copy = hs_strndup(name, len);
    if (copy == NULL)
        hs_fail(SRBadAllocError, "%s: out of memory", function);
    return copy;
}

SRError create_configoptions_from_environment(const char* db_suffix, const size_t db_suffix_length,
                                              void** new_configoptions) {
    if (new_configoptions == NULL)
        return hs_fail(SRParameterError, "create_configoptions_from_environment: new_configoptions is NULL");
    if (db_suffix == NULL && db_suffix_length > 0)
        return hs_fail(SRParameterError, "create_configoptions_from_environment: db_suffix is NULL");
    hs_config* cfg = hs_config_new(db_suffix ? db_suffix : "", db_suffix ? db_suffix_length : 0);
    if (cfg == NULL)
        return hs_fail(SRBadAllocError, "create_configoptions_from_environment: out of memory");
    *new_configoptions = cfg;
    return SRNoError;
}

SRError get_integer_option(void* c_cfgopts, const char* option_name_, size_t option_name_len, int64_t* result) {
    hs_config* cfg = config_of(c_cfgopts, "get_integer_option");
    if (cfg == NULL)
        return SRParameterError;
    if (result == NULL)
        return hs_fail(SRParameterError, "get_integer_option: result is NULL");
    char* name = option_name(option_name_, option_name_len, "get_integer_option");
    if (name == NULL)
        return SRParameterError;
    SRError err = integer_option(cfg, name, result);
    free(name);
    return err;
}

SRError get_string_option(void* c_cfgopts, const char* option_name_, size_t option_name_len, char** result,
                          size_t* result_len) {
    hs_config* cfg = config_of(c_cfgopts, "get_string_option");
    if (cfg == NULL)
        return SRParameterError;
    if (result == NULL || result_len == NULL)
        return hs_fail(SRParameterError, "get_string_option: %s is NULL", result == NULL ? "result" : "result_len");
    char* name = option_name(option_name_, option_name_len, "get_string_option");
    if (name == NULL)
        return SRParameterError;
    SRError err = SRNoError;
    const char* value = string_option(cfg, name, &err);
    free(name);
    if (value == NULL)
        return err;
    *result = (char*)value;
    *result_len = strlen(value);
    return SRNoError;
}

SRError is_configured(void* c_cfgopts, const char* option_name_, size_t option_name_len, bool* cfg_result) {
    hs_config* cfg = config_of(c_cfgopts, "is_configured");
    if (cfg == NULL)
        return SRParameterError;
    if (cfg_result == NULL)
        return hs_fail(SRParameterError, "is_configured: cfg_result is NULL");
    char* name = option_name(option_name_, option_name_len, "is_configured");
    if (name == NULL)
        return SRParameterError;
    hs_option* o = find_option(cfg, name, false);
    *cfg_result = (o != NULL && (o->has_int || o->string != NULL)) || raw_value(cfg, name) != NULL;
    free(name);
    return SRNoError;
}

SRError override_integer_option(void* c_cfgopts, const char* option_name_, size_t option_name_len, int64_t value) {
    hs_config* cfg = config_of(c_cfgopts, "override_integer_option");
    if (cfg == NULL)
        return SRParameterError;
    char* name = option_name(option_name_, option_name_len, "override_integer_option");
    if (name == NULL)
        return SRParameterError;
    hs_option* o = find_option(cfg, name, true);
    free(name);
    if (o == NULL)
        return hs_fail(SRBadAllocError, "override_integer_option: out of memory");
    o->has_int = true;
    o->integer = value;
    return SRNoError;
}

SRError override_string_option(void* c_cfgopts, const char* option_name_, size_t option_name_len, const char* value,
                               size_t value_len) {
    hs_config* cfg = config_of(c_cfgopts, "override_string_option");
    if (cfg == NULL)
        return SRParameterError;
    if (value == NULL && value_len > 0)
        return hs_fail(SRParameterError, "override_string_option: value is NULL");
    char* name = option_name(option_name_, option_name_len, "override_string_option");
    if (name == NULL)
        return SRParameterError;
    hs_option* o = find_option(cfg, name, true);
    free(name);
    char* copy = hs_strndup(value ? value : "", value ? value_len : 0);
    if (o == NULL || copy == NULL) {
        free(copy);
        return hs_fail(SRBadAllocError, "override_string_option: out of memory");
    }
    free(o->string);
    o->string = copy;
    return SRNoError;
}

SRError hpcsim_configoptions_free(void** c_cfgopts) {
    if (c_cfgopts == NULL)
        return hs_fail(SRParameterError, "hpcsim_configoptions_free: c_cfgopts is NULL");
    if (*c_cfgopts == NULL)
        return SRNoError;
    hs_config* cfg = config_of(*c_cfgopts, "hpcsim_configoptions_free");
    if (cfg == NULL)
        return SRParameterError;
    hs_config_free(cfg);
    *c_cfgopts = NULL;
    return SRNoError;
}

SRError hpcsim_configoptions_clone(const void* c_cfgopts, void** copy) {
    hs_config* cfg = config_of((void*)c_cfgopts, "hpcsim_configoptions_clone");
    if (cfg == NULL)
        return SRParameterError;
    if (copy == NULL)
        return hs_fail(SRParameterError, "hpcsim_configoptions_clone: copy is NULL");
    if ((*copy = hs_config_clone(cfg)) == NULL)
        return hs_fail(SRBadAllocError, "hpcsim_configoptions_clone: out of memory");
    return SRNoError;
}

/* ---- lookups for the environment contract (transport_settings.c) ---------------------------- */

const char* hs_config_lookup(hs_config* cfg, const char* const* names, size_t n, bool inherit, char* var,
                             size_t var_size) {
    for (size_t i = 0; i < n; i++) {
        hs_option* o = find_option(cfg, names[i], false);
        if ((o != NULL && o->string != NULL) || raw_value(cfg, names[i]) != NULL) {
            SRError ignored;
            variable_of(cfg, names[i], var, var_size);
            return string_option(cfg, names[i], &ignored);
        }
    }
    if (inherit && cfg->suffix[0] != '\0') {
        for (size_t i = 0; i < n; i++) {
            const char* value = getenv(names[i]);
            if (value != NULL && value[0] != '\0') {
                snprintf(var, var_size, "%s", names[i]);
                return value;
            }
        }
    }
    return NULL;
}

void hs_config_variable(const hs_config* cfg, const char* name, char* out, size_t size) {
    variable_of(cfg, name, out, size);
}
