/* Threads: one client per thread works concurrently, and the last error is per thread. */
#include "transport_test.h"

#include <pthread.h>

#define THREADS 4

typedef struct {
    int index;
    char failure[512]; /* empty when the thread passed */
} job;

static void* work(void* arg) {
    job* j = arg;
    if (strcmp(SRGetLastError(), "no error") != 0) {
        snprintf(j->failure, sizeof j->failure, "a new thread starts with last error '%s'", SRGetLastError());
        return NULL;
    }
    char name[32];
    snprintf(name, sizeof name, "thread_%d", j->index);
    void* client = NULL;
    if (SimpleCreateClient(S(name), &client) != SRNoError) {
        snprintf(j->failure, sizeof j->failure, "SimpleCreateClient: %s", SRGetLastError());
        return NULL;
    }
    /* This thread's own failure, with a message naming the thread. */
    char bad[48];
    snprintf(bad, sizeof bad, "nowhere_%d", j->index);
    set_data_source(client, S(bad));
    for (int i = 0; i < 200; i++) {
        char key[48];
        bool exists = true;
        snprintf(key, sizeof key, "transport_threads_%d_%d", j->index, i);
        if (key_exists(client, S(key), &exists) != SRNoError || exists) {
            snprintf(j->failure, sizeof j->failure, "key_exists(%s): %s", key, SRGetLastError());
            break;
        }
    }
    if (j->failure[0] == '\0' && strstr(SRGetLastError(), bad) == NULL)
        snprintf(j->failure, sizeof j->failure, "thread %d sees another thread's error: %s", j->index,
                 SRGetLastError());
    DeleteCClient(&client);
    return NULL;
}

int main(void) {
    const char* variable;
    test_address(&variable);
    void* client = test_client("transport_threads_main");
    set_data_source(client, S("main_thread_source"));
    pthread_t threads[THREADS];
    job jobs[THREADS];
    memset(jobs, 0, sizeof jobs);
    for (int i = 0; i < THREADS; i++) {
        jobs[i].index = i;
        CHECK(pthread_create(&threads[i], NULL, work, &jobs[i]) == 0, "pthread_create");
    }
    for (int i = 0; i < THREADS; i++)
        pthread_join(threads[i], NULL);
    for (int i = 0; i < THREADS; i++)
        CHECK(jobs[i].failure[0] == '\0', "thread %d: %s", i, jobs[i].failure);
    CHECK(strstr(SRGetLastError(), "main_thread_source") != NULL, "the main thread's error changed: %s",
          SRGetLastError());
    OK(DeleteCClient(&client));
    printf("transport_threads: ok\n");
    return 0;
}
