// SmartRedis::ConfigOptions over the C API of c_configoptions.h (with hpcsim_client.h's
// hpcsim_configoptions_clone and hpcsim_configoptions_free).
#include <memory>
#include <string>
#include <utility>

#include "configoptions.h"
#include "cxx_internal.hpp"

namespace SmartRedis {

using detail::check;

ConfigOptions::ConfigOptions(cfgSrc source, const std::string& db_suffix) : _source(source)
{
    check(create_configoptions_from_environment(db_suffix.data(), db_suffix.size(), &_handle));
}

ConfigOptions::ConfigOptions(const ConfigOptions& cfgopts) : _source(cfgopts._source)
{
    check(hpcsim_configoptions_clone(cfgopts._handle, &_handle));
}

ConfigOptions& ConfigOptions::operator=(const ConfigOptions& cfgopts)
{
    if (this != &cfgopts) {
        ConfigOptions copy(cfgopts);
        *this = std::move(copy);
    }
    return *this;
}

ConfigOptions::ConfigOptions(ConfigOptions&& cfgopts) noexcept : _handle(cfgopts._handle), _source(cfgopts._source)
{
    cfgopts._handle = nullptr;
}

ConfigOptions& ConfigOptions::operator=(ConfigOptions&& cfgopts) noexcept
{
    if (this != &cfgopts) {
        if (_handle != nullptr)
            hpcsim_configoptions_free(&_handle);
        _handle = cfgopts._handle;
        _source = cfgopts._source;
        cfgopts._handle = nullptr;
    }
    return *this;
}

ConfigOptions::~ConfigOptions()
{
    if (_handle != nullptr)
        hpcsim_configoptions_free(&_handle);
}

ConfigOptions* ConfigOptions::clone()
{
    return new ConfigOptions(*this);
}

std::unique_ptr<ConfigOptions> ConfigOptions::create_from_environment(const std::string& db_suffix)
{
    return std::unique_ptr<ConfigOptions>(new ConfigOptions(cs_envt, db_suffix));
}

std::unique_ptr<ConfigOptions> ConfigOptions::create_from_environment(const char* db_suffix)
{
    return create_from_environment(std::string(db_suffix != nullptr ? db_suffix : ""));
}

int64_t ConfigOptions::get_integer_option(const std::string& option_name)
{
    int64_t result = 0;
    check(::get_integer_option(_handle, option_name.data(), option_name.size(), &result));
    return result;
}

std::string ConfigOptions::get_string_option(const std::string& option_name)
{
    char* result = nullptr;
    size_t length = 0;
    check(::get_string_option(_handle, option_name.data(), option_name.size(), &result, &length));
    return result != nullptr ? std::string(result, length) : std::string();
}

bool ConfigOptions::is_configured(const std::string& option_name)
{
    bool result = false;
    check(::is_configured(_handle, option_name.data(), option_name.size(), &result));
    return result;
}

void ConfigOptions::override_integer_option(const std::string& option_name, int64_t value)
{
    check(::override_integer_option(_handle, option_name.data(), option_name.size(), value));
}

void ConfigOptions::override_string_option(const std::string& option_name, const std::string& value)
{
    check(::override_string_option(_handle, option_name.data(), option_name.size(), value.data(), value.size()));
}

}  // namespace SmartRedis
