// ConfigOptions, the Client constructors, moves, operator<<, logging (free functions, SRObject
// methods, LogContext) and the hpcsim_client.hpp umbrella with its `hpcsim` namespace.
#include "hpcsim_client.hpp"

#include <fstream>
#include <memory>
#include <string>
#include <vector>

#include "cpp_test_util.hpp"

namespace {

std::string env(const char* name)
{
    const char* value = std::getenv(name);
    return value != nullptr ? value : "";
}

std::string first_set(const char* a, const char* b)
{
    return !env(a).empty() ? env(a) : env(b);
}

void config_options()
{
    setenv("CXXTEST_INT_cxxcfg", "42", 1);
    setenv("CXXTEST_STR_cxxcfg", "hello", 1);
    setenv("CXXTEST_INT", "1", 1);  // the unsuffixed one is not read

    std::unique_ptr<SmartRedis::ConfigOptions> co = SmartRedis::ConfigOptions::create_from_environment("cxxcfg");
    CHECK(co->get_integer_option("CXXTEST_INT") == 42, "get_integer_option");
    CHECK(co->get_string_option("CXXTEST_STR") == "hello", "get_string_option");
    CHECK(co->is_configured("CXXTEST_INT") && !co->is_configured("CXXTEST_NOTHING"), "is_configured");
    co->override_integer_option("CXXTEST_INT", 7);
    co->override_string_option("CXXTEST_OTHER", "set here");
    CHECK(co->get_integer_option("CXXTEST_INT") == 7, "override_integer_option");
    CHECK(co->get_string_option("CXXTEST_OTHER") == "set here", "override_string_option");

    // Copies keep the overrides and are independent.
    std::unique_ptr<SmartRedis::ConfigOptions> cloned(co->clone());
    SmartRedis::ConfigOptions copied(*co);
    cloned->override_integer_option("CXXTEST_INT", 8);
    CHECK(cloned->get_integer_option("CXXTEST_INT") == 8 && co->get_integer_option("CXXTEST_INT") == 7,
          "clone is independent");
    CHECK(copied.get_integer_option("CXXTEST_INT") == 7 && copied.get_string_option("CXXTEST_OTHER") == "set here",
          "copy keeps the overrides");
    SmartRedis::ConfigOptions moved(std::move(copied));
    CHECK(moved.get_integer_option("CXXTEST_INT") == 7, "move");

    std::unique_ptr<SmartRedis::ConfigOptions> plain = SmartRedis::ConfigOptions::create_from_environment(nullptr);
    CHECK(plain->get_integer_option("CXXTEST_INT") == 1, "a NULL suffix means none");
}

void clients_from_options()
{
    // A named database "cxxdb" that is the test database under another name.
    setenv("HPCSIM_DB_cxxdb", first_set("HPCSIM_DB", "SSDB").c_str(), 1);
    const std::string type = first_set("HPCSIM_DB_TYPE", "SR_DB_TYPE");
    if (!type.empty())
        setenv("HPCSIM_DB_TYPE_cxxdb", type.c_str(), 1);
    std::unique_ptr<SmartRedis::ConfigOptions> co = SmartRedis::ConfigOptions::create_from_environment("cxxdb");
    SmartRedis::Client client(co.get(), "cfg_client");
    const std::string key = "cfg_" + unique_suffix();
    const int16_t value = -12;
    client.put_tensor(key, &value, {1}, SRTensorTypeInt16, SRMemLayoutContiguous);

    // The client copied the options: changing them later does not change the client.
    co->override_string_option("HPCSIM_DB", "127.0.0.1:1");
    int16_t back = 0;
    client.unpack_tensor(key, &back, {1}, SRTensorTypeInt16, SRMemLayoutContiguous);
    CHECK(back == -12, "round trip through a client built from ConfigOptions");

    // Clients built in the other ways see the same database.
    SmartRedis::Client by_name("literal name binds to const char*, not bool");
    CHECK(by_name.tensor_exists(key), "Client(const char*)");
    SmartRedis::Client by_string(std::string("by_string"));
    CHECK(by_string.tensor_exists(key), "Client(std::string)");
    SmartRedis::Client by_default;
    CHECK(by_default.tensor_exists(key), "Client()");
    const bool cluster = type == "cluster" || type == "Clustered" || type == "clustered";
    SmartRedis::Client legacy(cluster, "legacy");
    CHECK(legacy.tensor_exists(key), "Client(bool cluster)");

    // Moves hand over the connection.
    SmartRedis::Client moved(std::move(by_name));
    CHECK(by_name.get_c_pointer() == nullptr && moved.tensor_exists(key), "Client move construction");
    by_string = std::move(moved);
    CHECK(by_string.tensor_exists(key), "Client move assignment");

    std::ostringstream printed;
    printed << client;
    CHECK(!printed.str().empty() && printed.str() == client.to_string(), "operator<< of a Client");
    client.delete_tensor(key);

    // hpcsim_client.hpp's alias names the same classes.
    hpcsim::DataSet ds("alias_" + unique_suffix());
    SmartRedis::DataSet& same = ds;
    CHECK(same.get_tensor_names().empty(), "hpcsim::DataSet is SmartRedis::DataSet");
}

std::vector<std::string> lines_of(const std::string& path)
{
    std::ifstream in(path);
    std::vector<std::string> lines;
    for (std::string line; std::getline(in, line);)
        lines.push_back(line);
    return lines;
}

// A line "<context>@HH-MM-SS:<data>".
bool logged(const std::vector<std::string>& lines, const std::string& context, const std::string& data)
{
    for (const std::string& line : lines) {
        if (line.size() != context.size() + 10 + data.size())
            continue;
        if (line.compare(0, context.size() + 1, context + "@") != 0)
            continue;
        const std::string time = line.substr(context.size() + 1, 8);
        if (time.size() == 8 && time[2] == '-' && time[5] == '-' && line[context.size() + 9] == ':' &&
            line.compare(context.size() + 10, std::string::npos, data) == 0)
            return true;
    }
    return false;
}

void logging(const std::string& log_file)
{
    SmartRedis::LogContext context("cxx_context");
    context.log_data(LLInfo, "info from a LogContext");
    context.log_warning(LLInfo, "a warning");
    context.log_error(LLDebug, "an error at debug level");
    context.log_data(LLDeveloper, "developer detail, not written at debug level");
    SmartRedis::log_data("cxx_string_context", LLInfo, "from the free function");
    SmartRedis::log_warning("cxx_string_context", LLInfo, "free warning");
    SmartRedis::log_error(&context, LLInfo, "free error through an SRObject");
    SmartRedis::Logger::get_instance().log_data("cxx_logger", LLQuiet, "through the Logger");
    SmartRedis::DataSet ds("logging_dataset");
    ds.log_data(LLInfo, "from a dataset");
    SmartRedis::Client client("cxx_logging_client");
    client.log_data(LLInfo, "from a client");
    CHECK(client.get_context() == "cxx_logging_client", "get_context");

    const std::vector<std::string> lines = lines_of(log_file);
    CHECK(logged(lines, "cxx_context", "info from a LogContext"), "LogContext::log_data line missing");
    CHECK(logged(lines, "cxx_context", "WARNING: a warning"), "log_warning line missing");
    CHECK(logged(lines, "cxx_context", "ERROR: an error at debug level"), "log_error line missing");
    CHECK(logged(lines, "cxx_string_context", "from the free function"), "log_data(string) line missing");
    CHECK(logged(lines, "cxx_string_context", "WARNING: free warning"), "log_warning(string) line missing");
    CHECK(logged(lines, "cxx_context", "ERROR: free error through an SRObject"), "log_error(SRObject*) missing");
    CHECK(logged(lines, "cxx_logger", "through the Logger"), "Logger line missing");
    CHECK(logged(lines, "logging_dataset", "from a dataset"), "DataSet::log_data line missing");
    CHECK(logged(lines, "cxx_logging_client", "from a client"), "Client::log_data line missing");
    for (const std::string& line : lines)
        CHECK(line.find("developer detail") == std::string::npos, "a developer-level line was written");
}

}  // namespace

int main()
{
    // Logging is configured once per process, on the first log call: set it up first.
    const std::string log_file = first_set("TMPDIR", "TMPDIR").empty()
                                     ? "/tmp/cpp_config_log_" + unique_suffix() + ".log"
                                     : env("TMPDIR") + "/cpp_config_log_" + unique_suffix() + ".log";
    unsetenv("HPCSIM_LOG_FILE");
    unsetenv("HPCSIM_LOG_LEVEL");
    setenv("SR_LOG_FILE", log_file.c_str(), 1);
    setenv("SR_LOG_LEVEL", "debug", 1);
    const int rc = run_test("cpp_config_log", [&] {
        config_options();
        clients_from_options();
        logging(log_file);
    });
    std::remove(log_file.c_str());
    return rc;
}
