/* Helpers shared by the data test programs (tests/c/data_*.c).
 *
 * Each program reads the database from the environment like a user program (HPCSIM_DB or
 * SSDB, HPCSIM_DB_TYPE or SR_DB_TYPE, HPCSIM_DB_PASSWORD_FILE). Run without arguments it checks
 * itself (what ctest does); tests/native/test_c_data.py also runs it with a mode argument to
 * exchange data with the Python client. Exit 0: every check passed; 77: no database in the
 * environment; 1: a check failed, after one line "FAIL file:line: reason". */
#ifndef HPCSIM_DATA_TEST_H
#define HPCSIM_DATA_TEST_H

#define _POSIX_C_SOURCE 200809L

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hpcsim_client.h"

#define FAIL(...)                                   \
    do {                                            \
        printf("FAIL %s:%d: ", __FILE__, __LINE__); \
        printf(__VA_ARGS__);                        \
        printf("\n");                               \
        fflush(stdout);                             \
        exit(1);                                    \
    } while (0)

#define CHECK(cond, ...)       \
    do {                       \
        if (!(cond))           \
            FAIL(__VA_ARGS__); \
    } while (0)

/* A call that must succeed. */
#define OK(call)                                                                              \
    do {                                                                                      \
        SRError ok_ = (call);                                                                 \
        if (ok_ != SRNoError)                                                                 \
            FAIL("%s returned %d: %s", #call, (int)ok_, SRGetLastError());                    \
    } while (0)

/* A call that must fail with `code` and a message containing each of the given texts. */
#define EXPECT(code, call, ...)                                                                     \
    do {                                                                                            \
        SRError got_ = (call);                                                                      \
        if (got_ != (code))                                                                         \
            FAIL("%s returned %d, expected %s (%d); message: %s", #call, (int)got_, #code, (int)(code), \
                 SRGetLastError());                                                                 \
        const char* needles_[] = {__VA_ARGS__, NULL};                                               \
        for (int i_ = 0; needles_[i_] != NULL; i_++)                                                \
            if (strstr(SRGetLastError(), needles_[i_]) == NULL)                                     \
                FAIL("%s: the message lacks '%s': %s", #call, needles_[i_], SRGetLastError());      \
    } while (0)

#define S(text) text, strlen(text)

/* A client from the environment; exits 77 when the environment names no database. */
static inline void* test_client(const char* name) {
    const char* a = getenv("HPCSIM_DB");
    const char* b = getenv("SSDB");
    if ((a == NULL || !*a) && (b == NULL || !*b)) {
        printf("SKIP: no database in the environment (HPCSIM_DB or SSDB)\n");
        exit(77);
    }
    void* client = NULL;
    OK(SimpleCreateClient(name, strlen(name), &client));
    return client;
}

/* The shared test vectors (the same function is in tests/native/test_c_data.py): element i,
 * byte k of a tensor of type `code`. */
static inline unsigned char vector_byte(int code, size_t i, size_t k) {
    if (code == 9) return (unsigned char)((i * 7 + (size_t)code) % 2);
    return (unsigned char)((i * 37 + k * 11 + (size_t)code * 5) & 0xff);
}

static inline void vector_fill(int code, size_t count, size_t itemsize, unsigned char* out) {
    for (size_t i = 0; i < count; i++)
        for (size_t k = 0; k < itemsize; k++) out[i * itemsize + k] = vector_byte(code, i, k);
}

static const size_t ITEMSIZE[15] = {0, 8, 4, 1, 2, 4, 8, 1, 2, 1, 2, 4, 8, 8, 16};

/* The shapes every type is exchanged in: 0-d, 1-d, 3-d and two empty ones. */
typedef struct {
    size_t ndim;
    size_t dims[3];
} shape_t;
static const shape_t SHAPES[] = {{0, {0, 0, 0}}, {1, {5, 0, 0}}, {3, {2, 3, 4}}, {1, {0, 0, 0}}, {3, {2, 0, 3}}};
#define N_SHAPES (sizeof SHAPES / sizeof SHAPES[0])

static inline size_t shape_count(const shape_t* s) {
    size_t n = 1;
    for (size_t i = 0; i < s->ndim; i++) n *= s->dims[i];
    return n;
}

#endif
