/* Logging from C and Fortran (SmartRedis 0.6.1's C API).
 *
 * A line "<context>@<HH-MM-SS>:<data>" is appended to SR_LOG_FILE (HPCSIM_LOG_FILE; stdout
 * when only a level is set) when `level` is at most the configured level (SR_LOG_LEVEL /
 * HPCSIM_LOG_LEVEL: quiet, info, debug, developer). Nothing is written unless logging was
 * configured. These functions never fail: a problem is reported through SRGetLastError. */
#ifndef SMARTREDIS_C_LOGGER_H
#define SMARTREDIS_C_LOGGER_H

#include <stddef.h>
#include <stdlib.h>

#include "sr_enums.h"

#ifdef __cplusplus
extern "C" {
#endif

/* In C the short names are the exception-free functions, as in SmartRedis. */
#ifndef __cplusplus
#define log_data log_data_noexcept
#define log_warning log_warning_noexcept
#define log_error log_error_noexcept
#define log_data_string log_data_noexcept_string
#define log_warning_string log_warning_noexcept_string
#define log_error_string log_error_noexcept_string
#endif

/* `context` is a client, dataset or log-context handle; its name is the line's context. */
void log_data_noexcept(const void* context, SRLoggingLevel level, const char* data, size_t data_len);
void log_warning_noexcept(const void* context, SRLoggingLevel level, const char* data, size_t data_len);
void log_error_noexcept(const void* context, SRLoggingLevel level, const char* data, size_t data_len);
/* The context given as a string. */
void log_data_noexcept_string(const char* context, size_t context_len, SRLoggingLevel level, const char* data,
                              size_t data_len);
void log_warning_noexcept_string(const char* context, size_t context_len, SRLoggingLevel level, const char* data,
                                 size_t data_len);
void log_error_noexcept_string(const char* context, size_t context_len, SRLoggingLevel level, const char* data,
                               size_t data_len);

#ifdef __cplusplus
}
#endif

#endif /* SMARTREDIS_C_LOGGER_H */
