/* Log contexts: named handles for log_data and friends (SmartRedis 0.6.1's C API). */
#ifndef SMARTREDIS_C_LOGCONTEXT_H
#define SMARTREDIS_C_LOGCONTEXT_H

#include <stddef.h>

#include "sr_enums.h"
#include "srexception.h"

#ifdef __cplusplus
extern "C" {
#endif

SRError SmartRedisCLogContext(const char* context, const size_t context_length, void** new_logcontext);
/* Frees the log context and sets *logcontext = NULL. */
SRError DeallocateLogContext(void** logcontext);

#ifdef __cplusplus
}
#endif

#endif /* SMARTREDIS_C_LOGCONTEXT_H */
