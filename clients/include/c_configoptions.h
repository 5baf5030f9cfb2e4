/* ConfigOptions: where a client's settings come from (SmartRedis 0.6.1's C API).
 *
 * create_configoptions_from_environment(suffix) reads each option NAME from the environment
 * variable NAME_<suffix> (plain NAME for an empty suffix); override_*_option replaces a value.
 * A ConfigOptions handle has no free function in C (as in SmartRedis); it is small. */
#ifndef SMARTREDIS_C_CONFIGOPTIONS_H
#define SMARTREDIS_C_CONFIGOPTIONS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sr_enums.h"
#include "srexception.h"

#ifdef __cplusplus
extern "C" {
#endif

SRError create_configoptions_from_environment(const char* db_suffix, const size_t db_suffix_length,
                                              void** new_configoptions);
/* Unset: SRKeyError; not an integer: SRParameterError. */
SRError get_integer_option(void* c_cfgopts, const char* option_name, size_t option_name_len, int64_t* result);
/* *result (NUL-terminated) belongs to the ConfigOptions. Unset: SRKeyError. */
SRError get_string_option(void* c_cfgopts, const char* option_name, size_t option_name_len, char** result,
                          size_t* result_len);
SRError is_configured(void* c_cfgopts, const char* option_name, size_t option_name_len, bool* cfg_result);
SRError override_integer_option(void* c_cfgopts, const char* option_name, size_t option_name_len, int64_t value);
SRError override_string_option(void* c_cfgopts, const char* option_name, size_t option_name_len, const char* value,
                               size_t value_len);

#ifdef __cplusplus
}
#endif

#endif /* SMARTREDIS_C_CONFIGOPTIONS_H */
