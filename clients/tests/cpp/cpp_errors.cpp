// Bad inputs from C++: each throws the SmartRedis exception class of its SRError code, with a
// message (equal to SRGetLastError()) that names the key, field, file, variable or server.
// Nothing is printed and the program is not stopped.
#include "client.h"

#include <cstdio>
#include <fstream>
#include <memory>
#include <string>
#include <vector>

#include "cpp_test_util.hpp"

using namespace SmartRedis;

namespace {

std::string env(const char* name)
{
    const char* value = std::getenv(name);
    return value != nullptr ? value : "";
}

// Runs `body` with `name` set to `value` (or unset for nullptr), then restores it.
template <typename F>
void with_env(const char* name, const char* value, F body)
{
    const char* old = std::getenv(name);
    const std::string saved = old != nullptr ? old : "";
    const bool had = old != nullptr;
    if (value != nullptr)
        setenv(name, value, 1);
    else
        unsetenv(name);
    body();
    if (had)
        setenv(name, saved.c_str(), 1);
    else
        unsetenv(name);
}

void tensors(Client& client, const std::string& s)
{
    const std::string missing = "missing_" + s;
    void* data = nullptr;
    std::vector<size_t> dims;
    SRTensorType type = SRTensorTypeInvalid;
    EXPECT_THROW(KeyException, SRKeyError, client.get_tensor(missing, data, dims, type, SRMemLayoutContiguous),
                 "no tensor", missing);
    double out[4] = {0};
    EXPECT_THROW(KeyException, SRKeyError,
                 client.unpack_tensor(missing, out, {4}, SRTensorTypeDouble, SRMemLayoutContiguous), "no tensor",
                 missing);
    EXPECT_THROW(KeyException, SRKeyError, client.rename_tensor(missing, missing + "_new"), missing);
    EXPECT_THROW(KeyException, SRKeyError, client.copy_tensor(missing, missing + "_new"), missing);

    const std::string key = "stored_" + s;
    const double values[4] = {1, 2, 3, 4};
    client.put_tensor(key, values, {2, 2}, SRTensorTypeDouble, SRMemLayoutContiguous);
    float wrong_type[4];
    EXPECT_THROW(RuntimeException, SRRuntimeError,
                 client.unpack_tensor(key, wrong_type, {4}, SRTensorTypeFloat, SRMemLayoutContiguous), key.c_str(),
                 "float64", "float32");
    EXPECT_THROW(RuntimeException, SRRuntimeError,
                 client.unpack_tensor(key, out, {5}, SRTensorTypeDouble, SRMemLayoutContiguous), key);
    EXPECT_THROW(TypeException, SRTypeError,
                 client.put_tensor(key, values, {4}, static_cast<SRTensorType>(42), SRMemLayoutContiguous),
                 key.c_str(), "42");
    EXPECT_THROW(TypeException, SRTypeError,
                 client.put_tensor(key, values, {4}, SRTensorTypeInvalid, SRMemLayoutContiguous), key);
    EXPECT_THROW(RuntimeException, SRRuntimeError,
                 client.put_tensor(key, values, {4}, SRTensorTypeDouble, SRMemLayoutFortranNested), key.c_str(),
                 "SRMemLayoutFortranNested");
    EXPECT_THROW(ParameterException, SRParameterError,
                 client.put_tensor(key, values, {4}, SRTensorTypeDouble, static_cast<SRMemoryLayout>(9)),
                 key.c_str(), "layout");
    EXPECT_THROW(ParameterException, SRParameterError,
                 client.put_tensor(key, nullptr, {4}, SRTensorTypeDouble, SRMemLayoutContiguous), key.c_str(),
                 "data is NULL");
    EXPECT_THROW(ParameterException, SRParameterError, client.poll_tensor(key, -1, 3), "poll");
    client.delete_tensor(key);

    // A value that is not an hpcsim tensor (a list under the tensor's key).
    DataSet ds("holder_" + s);
    ds.add_meta_string("f", "v");
    client.use_list_ensemble_prefix(false);
    client.append_to_list("not_a_tensor_" + s, ds);
    client.use_list_ensemble_prefix(true);
    EXPECT_THROW(RuntimeException, SRRuntimeError,
                 client.get_tensor("not_a_tensor_" + s, data, dims, type, SRMemLayoutContiguous),
                 ("not_a_tensor_" + s));
    client.delete_list("not_a_tensor_" + s);
}

void datasets(Client& client, const std::string& s)
{
    const std::string missing = "no_dataset_" + s;
    EXPECT_THROW(KeyException, SRKeyError, client.get_dataset(missing), "dataset", missing);

    EXPECT_THROW(ParameterException, SRParameterError, DataSet("bad{name}"), "bad{name}");
    EXPECT_THROW(ParameterException, SRParameterError, DataSet(""), "name");

    DataSet ds("errors_" + s);
    const int64_t one = 1;
    ds.add_meta_scalar("field", &one, SRMetadataTypeInt64);
    const double half = 0.5;
    EXPECT_THROW(TypeException, SRTypeError, ds.add_meta_scalar("field", &half, SRMetadataTypeDouble), "field");
    EXPECT_THROW(TypeException, SRTypeError, ds.add_meta_scalar("text", &half, SRMetadataTypeString), "text");
    EXPECT_THROW(KeyException, SRKeyError, ds.get_tensor_type("nothing"), "nothing", ("errors_" + s));
    EXPECT_THROW(KeyException, SRKeyError, ds.get_tensor_dims("nothing"), "nothing");
    EXPECT_THROW(KeyException, SRKeyError, ds.get_metadata_field_type("nofield"), "nofield");
    EXPECT_THROW(TypeException, SRTypeError, ds.get_meta_strings("field"), "field");
    void* data = nullptr;
    size_t length = 0;
    SRMetaDataType type = SRMetadataTypeInvalid;
    EXPECT_THROW(KeyException, SRKeyError, ds.get_meta_scalars("nofield", data, length, type), "nofield");
    EXPECT_THROW(ParameterException, SRParameterError, ds.set_name(""), "name");

    // A moved-from DataSet has no handle; using it is a parameter error, not a crash.
    DataSet moved(std::move(ds));
    EXPECT_THROW(ParameterException, SRParameterError, ds.get_tensor_names(), "NULL");
}

void models(Client& client, const std::string& s)
{
    const std::string missing = "no_model_" + s;
    EXPECT_THROW(KeyException, SRKeyError, client.get_model(missing), missing);
    EXPECT_THROW(KeyException, SRKeyError, client.get_script(missing), missing);
    const std::string no_file = "/nonexistent/model_" + s + ".pt";
    EXPECT_THROW(ParameterException, SRParameterError,
                 client.set_model_from_file("m_" + s, no_file, "TORCH", "CPU"), no_file);
    EXPECT_THROW(ParameterException, SRParameterError,
                 client.set_script_from_file("sc_" + s, "CPU", no_file), no_file);
}

void configuration(const std::string& s)
{
    std::unique_ptr<ConfigOptions> co = ConfigOptions::create_from_environment("errsfx");
    EXPECT_THROW(KeyException, SRKeyError, co->get_integer_option("CXX_UNSET_" + s), ("CXX_UNSET_" + s));
    EXPECT_THROW(KeyException, SRKeyError, co->get_string_option("CXX_UNSET_" + s), ("CXX_UNSET_" + s));
    setenv("CXX_NOT_INT_errsfx", "12abc", 1);
    EXPECT_THROW(ParameterException, SRParameterError, co->get_integer_option("CXX_NOT_INT"), "CXX_NOT_INT_errsfx",
                 "12abc");
    EXPECT_THROW(ParameterException, SRParameterError, Client(static_cast<ConfigOptions*>(nullptr), "x"),
                 "config_options");

    // No database configured for a suffix: the variable is named.
    EXPECT_THROW(RuntimeException, SRRuntimeError, Client(co.get(), "no_db"), "errsfx");

    // A wrong password: the server and the password file are named.
    const std::string tmp = env("TMPDIR").empty() ? "/tmp" : env("TMPDIR");
    const std::string wrong = tmp + "/cpp_errors_password_" + s;
    {
        std::ofstream out(wrong);
        out << "not-the-password\n";
    }
    with_env("HPCSIM_DB_PASSWORD_FILE", wrong.c_str(), [&] {
        EXPECT_THROW(DatabaseException, SRDatabaseError, Client("wrong_password"), "password", wrong);
    });
    std::remove(wrong.c_str());
    with_env("HPCSIM_DB_PASSWORD_FILE", "/nonexistent/password_file", [&] {
        EXPECT_THROW(DatabaseException, SRDatabaseError, Client("no_password_file"), "/nonexistent/password_file");
    });

    // Nothing listens there: the address is named (after the connection budget, kept short).
    setenv("HPCSIM_DB_nodb", "127.0.0.1:1", 1);
    setenv("HPCSIM_DB_TYPE_nodb", "standalone", 1);
    setenv("SR_CONN_TIMEOUT_nodb", "1", 1);
    setenv("SR_CONN_INTERVAL_nodb", "100", 1);
    std::unique_ptr<ConfigOptions> unreachable = ConfigOptions::create_from_environment("nodb");
    EXPECT_THROW(DatabaseException, SRDatabaseError, Client(unreachable.get(), "unreachable"), "127.0.0.1:1");

    // A malformed address.
    setenv("HPCSIM_DB_badaddr", "not an address!", 1);
    std::unique_ptr<ConfigOptions> bad = ConfigOptions::create_from_environment("badaddr");
    EXPECT_THROW(RuntimeException, SRRuntimeError, Client(bad.get(), "bad_address"), "HPCSIM_DB_badaddr");

    // A source that is not one of SSKEYIN's.
    Client client("prefix_errors");
    EXPECT_THROW(RuntimeException, SRRuntimeError, client.set_data_source("nowhere_" + s), "nowhere_");
}

}  // namespace

int main()
{
    return run_test("cpp_errors", [] {
        const std::string s = unique_suffix();
        Client client(__FILE__);
        tensors(client, s);
        datasets(client, s);
        models(client, s);
        configuration(s);

        // Exceptions thrown by the user are the same classes, with where(); as in SmartRedis,
        // constructing one makes its message the last error.
        try {
            throw SRKeyException("user's own");
        } catch (const KeyException& e) {
            CHECK(std::string(e.what()) == "user's own" && std::string(e.where()).find("line") != std::string::npos,
                  "SRKeyException macro");
            CHECK(std::string(SRGetLastError()) == "user's own", "SRGetLastError after a user's exception");
        }
        CHECK(KeyException("k").to_error_code() == SRKeyError && Exception("e").to_error_code() == SRInvalidError,
              "to_error_code");
    });
}
