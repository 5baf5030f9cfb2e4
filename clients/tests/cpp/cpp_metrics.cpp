// Client::log_metric (an hpcsim extension) from C++: points go to the unprefixed stream
// __hpcsim.metrics.<name>; a bad name, step or value throws ParameterException and writes
// nothing; a key of another type throws RuntimeException.
//
// Usage: cpp_metrics [NAME]   log the points of tests/native/test_metrics.py's POINTS to metric
//                             NAME (default: a unique name) with the ensemble put prefix on.
#include "client.h"

#include <cmath>
#include <cstdint>
#include <limits>
#include <string>
#include <utility>
#include <vector>

#include "cpp_test_util.hpp"

using namespace SmartRedis;

int main(int argc, char** argv)
{
    const std::string name = argc > 1 ? argv[1] : "cpp_metric_" + unique_suffix();
    return run_test("cpp_metrics", [&name] {
        const std::string prefix = "__hpcsim.metrics.";
        setenv("SSKEYOUT", "member_0", 1);  // prefixing on: the stream is still unprefixed
        Client client(__FILE__);

        const std::vector<std::pair<int64_t, double>> points = {
            {0, 0.1}, {1, 1.0 / 3.0}, {2, -2.5e-300}, {3, 5e-324}, {INT64_C(4611686018427387904), 1e300}};
        for (const auto& [step, value] : points)
            client.log_metric(name, step, value);
        CHECK(client.key_exists(prefix + name), "no stream " << prefix << name);

        EXPECT_THROW(ParameterException, SRParameterError, client.log_metric("", 0, 1.0), "must not be empty");
        CHECK(!client.key_exists(prefix), "an empty metric name wrote " << prefix);
        for (const std::string space : {" ", "\t", "\xc2\xa0"}) {
            const std::string bad = name + space + "x";
            EXPECT_THROW(ParameterException, SRParameterError, client.log_metric(bad, 0, 1.0), "whitespace");
            CHECK(!client.key_exists(prefix + bad), "a metric name with whitespace was written");
        }
        EXPECT_THROW(ParameterException, SRParameterError, client.log_metric(name + "_neg", -1, 1.0), "step", "-1");
        CHECK(!client.key_exists(prefix + name + "_neg"), "a negative step was written");
        const double inf = std::numeric_limits<double>::infinity();
        for (const double value : {std::nan(""), inf, -inf})
            EXPECT_THROW(ParameterException, SRParameterError, client.log_metric(name + "_nan", 0, value), "finite");
        CHECK(!client.key_exists(prefix + name + "_nan"), "a value that is not finite was written");

        // a key of another type: the server's refusal
        const std::string key = prefix + name + "_str";
        const double x = 1.0;
        client.use_tensor_ensemble_prefix(false);
        client.put_tensor(key, &x, {1}, SRTensorTypeDouble, SRMemLayoutContiguous);
        EXPECT_THROW(RuntimeException, SRRuntimeError, client.log_metric(name + "_str", 0, 1.0), "WRONGTYPE");
        client.delete_tensor(key);
    });
}
