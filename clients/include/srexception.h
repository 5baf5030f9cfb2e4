/* Error codes of the hpcsim native clients and the calling thread's last error.
 *
 * The codes and names are SmartRedis 0.6.1's. Unlike SmartRedis, the last error is kept per
 * thread, and it is set by every failing call (successful calls leave it unchanged). */
#ifndef SMARTREDIS_SREXCEPTION_H
#define SMARTREDIS_SREXCEPTION_H

typedef enum {
    SRNoError = 0,        /* no error */
    SRBadAllocError = 1,  /* out of memory, or a caller buffer too small */
    SRDatabaseError = 2,  /* the database refused, is unreachable, or the password is wrong */
    SRInternalError = 3,  /* a bug in the client library */
    SRRuntimeError = 4,   /* a runtime failure (bad value, layout mismatch, corrupt data ...) */
    SRParameterError = 5, /* a bad argument (NULL pointer, bad setting ...) */
    SRTimeoutError = 6,   /* a timeout or retry budget ran out */
    SRKeyError = 7,       /* a key or field does not exist */
    SRInvalidError = 8,   /* uninitialized error */
    SRTypeError = 9       /* a type mismatch */
} SRError;

#ifdef __cplusplus
extern "C" {
#endif

/* The message of the calling thread's last error ("no error" before any). The buffer belongs
 * to the library and stays valid until the thread's next failing call. */
const char* SRGetLastError(void);

/* Where the calling thread's last error was raised ("\"file\", line N"), or "unavailable". */
const char* SRGetLastErrorLocation(void);

#ifdef __cplusplus
}
#endif

/* C++: the SmartRedis exception classes. */
#if defined(__cplusplus) && defined(__has_include)
#if __has_include("sr_exceptions.hpp")
#include "sr_exceptions.hpp"
#endif
#endif

#endif /* SMARTREDIS_SREXCEPTION_H */
