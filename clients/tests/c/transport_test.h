/* Helpers shared by the transport test programs (tests/c/transport_*.c).
 *
 * Each program reads the database from the environment like a user program (HPCSIM_DB or
 * SSDB, HPCSIM_DB_TYPE or SR_DB_TYPE, HPCSIM_DB_PASSWORD_FILE); it exits 0 when every check
 * passes, 77 when it does not apply to this database, and otherwise 1 after printing one line
 * "FAIL file:line: reason". */
#ifndef HPCSIM_TRANSPORT_TEST_H
#define HPCSIM_TRANSPORT_TEST_H

#define _POSIX_C_SOURCE 200809L

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "hpcsim_client.h"

#define SKIP 77

#define FAIL(...)                                        \
    do {                                                 \
        printf("FAIL %s:%d: ", __FILE__, __LINE__);      \
        printf(__VA_ARGS__);                             \
        printf("\n");                                    \
        fflush(stdout);                                  \
        exit(1);                                         \
    } while (0)

#define CHECK(cond, ...)          \
    do {                          \
        if (!(cond))              \
            FAIL(__VA_ARGS__);    \
    } while (0)

/* A call that must succeed. */
#define OK(call)                                                                                     \
    do {                                                                                             \
        SRError ok_err_ = (call);                                                                    \
        if (ok_err_ != SRNoError)                                                                    \
            FAIL("%s returned %d: %s (at %s)", #call, (int)ok_err_, SRGetLastError(), SRGetLastErrorLocation()); \
    } while (0)

/* A call that must fail with `code` and a message containing every one of the given texts. */
#define EXPECT_ERROR(code, call, ...)                                                              \
    do {                                                                                           \
        SRError got_ = (call);                                                                     \
        if (got_ != (code))                                                                        \
            FAIL("%s returned %d, expected %d (%s); message: %s", #call, (int)got_, (int)(code), #code, \
                 SRGetLastError());                                                                \
        const char* needles_[] = {__VA_ARGS__, NULL};                                              \
        for (int i_ = 0; needles_[i_] != NULL; i_++)                                               \
            if (strstr(SRGetLastError(), needles_[i_]) == NULL)                                    \
                FAIL("%s: message lacks '%s': %s", #call, needles_[i_], SRGetLastError());         \
    } while (0)

#define S(text) text, strlen(text)

/* Whether the environment names a cluster (HPCSIM_DB_TYPE=cluster or SR_DB_TYPE=Clustered). */
static inline bool test_is_cluster(void) {
    const char* t = getenv("HPCSIM_DB_TYPE");
    if (t != NULL && *t)
        return strcasecmp(t, "standalone") != 0;
    t = getenv("SR_DB_TYPE");
    return t != NULL && strcasecmp(t, "clustered") == 0;
}

/* The database address variable in use and its value. */
static inline const char* test_address(const char** variable) {
    const char* v = getenv("HPCSIM_DB");
    *variable = "HPCSIM_DB";
    if (v == NULL || !*v) {
        v = getenv("SSDB");
        *variable = "SSDB";
    }
    if (v == NULL || !*v) {
        printf("SKIP: no database in the environment (HPCSIM_DB or SSDB)\n");
        exit(SKIP);
    }
    return v;
}

/* A client from the environment, or FAIL. */
static inline void* test_client(const char* name) {
    void* client = NULL;
    OK(SimpleCreateClient(name, strlen(name), &client));
    CHECK(client != NULL, "SimpleCreateClient gave NULL");
    return client;
}

#endif
