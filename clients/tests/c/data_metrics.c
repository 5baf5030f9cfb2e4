/* log_metric (an hpcsim extension): points go to the unprefixed stream __hpcsim.metrics.<name>,
 * bad names, steps and values are refused with SRParameterError and write nothing, and a key
 * that holds something else is a runtime error.
 *
 * Usage: data_metrics [NAME]   log POINTS to metric NAME (default: a unique name) with the
 *                              ensemble put prefix on (SSKEYOUT), then check the refusals;
 *                              tests/native/test_metrics.py reads the streams back. */
#include <math.h>
#include <time.h>
#include <unistd.h>

#include "data_test.h"

#define PREFIX "__hpcsim.metrics."

/* The points tests/native/test_metrics.py expects (POINTS there). */
static const int64_t STEPS[] = {0, 1, 2, 3, INT64_C(4611686018427387904)};
static double value_of(size_t i) {
    const double values[] = {0.1, 1.0 / 3.0, -2.5e-300, 5e-324, 1e300};
    return values[i];
}

static bool metric_exists(void* client, const char* name) {
    char key[512];
    snprintf(key, sizeof key, PREFIX "%s", name);
    bool exists = true;
    OK(key_exists(client, S(key), &exists));
    return exists;
}

int main(int argc, char** argv) {
    char name[256], bad[300];
    if (argc > 1)
        snprintf(name, sizeof name, "%s", argv[1]);
    else
        snprintf(name, sizeof name, "c_metric_%lx_%ld", (long)getpid(), (long)time(NULL));
    /* prefixing on: the stream must still be the unprefixed key */
    setenv("SSKEYOUT", "member_0", 1);
    void* client = test_client("data_metrics");

    for (size_t i = 0; i < sizeof STEPS / sizeof STEPS[0]; i++)
        OK(log_metric(client, S(name), STEPS[i], value_of(i)));
    CHECK(metric_exists(client, name), "no stream " PREFIX "%s", name);

    EXPECT(SRParameterError, log_metric(NULL, S(name), 0, 1.0), "c_client");
    EXPECT(SRParameterError, log_metric(client, NULL, 0, 0, 1.0), "name is NULL");
    EXPECT(SRParameterError, log_metric(client, "", 0, 0, 1.0), "must not be empty");
    CHECK(!metric_exists(client, ""), "an empty metric name wrote " PREFIX);
    const char* spaces[] = {" ", "\t", "\n", "\xc2\xa0", "\xe2\x80\x83", "\xe3\x80\x80"};
    for (size_t i = 0; i < sizeof spaces / sizeof spaces[0]; i++) {
        snprintf(bad, sizeof bad, "%s%sx", name, spaces[i]);
        EXPECT(SRParameterError, log_metric(client, S(bad), 0, 1.0), "whitespace");
        CHECK(!metric_exists(client, bad), "a metric name with whitespace %zu was written", i);
    }
    snprintf(bad, sizeof bad, "%s_neg", name);
    EXPECT(SRParameterError, log_metric(client, S(bad), -1, 1.0), "step", "-1");
    CHECK(!metric_exists(client, bad), "a negative step was written");
    snprintf(bad, sizeof bad, "%s_nan", name);
    EXPECT(SRParameterError, log_metric(client, S(bad), 0, NAN), "finite");
    EXPECT(SRParameterError, log_metric(client, S(bad), 0, INFINITY), "finite");
    EXPECT(SRParameterError, log_metric(client, S(bad), 0, -INFINITY), "finite");
    CHECK(!metric_exists(client, bad), "a value that is not finite was written");

    /* a key of another type: the server's refusal */
    snprintf(bad, sizeof bad, "%s_str", name);
    char key[512];
    snprintf(key, sizeof key, PREFIX "%s", bad);
    double x = 1.0;
    size_t one = 1;
    OK(use_tensor_ensemble_prefix(client, false));
    OK(put_tensor(client, S(key), &x, &one, 1, SRTensorTypeDouble, SRMemLayoutContiguous));
    EXPECT(SRRuntimeError, log_metric(client, S(bad), 0, 1.0), "log_metric", "WRONGTYPE");
    OK(delete_tensor(client, S(key)));

    OK(DeleteCClient(&client));
    printf("ok\n");
    return 0;
}
