// SmartRedis::ConfigOptions: where a client's settings come from (SmartRedis 0.6.1's C++ API,
// over the C API of c_configoptions.h).
//
//     auto co = SmartRedis::ConfigOptions::create_from_environment("feat");
//     SmartRedis::Client client(co.get(), "my_app");   // reads SSDB_feat / HPCSIM_DB_feat ...
//
// Option NAME is read from the variable NAME_<suffix> (plain NAME for an empty suffix);
// override_*_option replaces a value. A client copies the options it is built from.
#ifndef SMARTREDIS_CONFIGOPTIONS_H
#define SMARTREDIS_CONFIGOPTIONS_H

#ifndef __cplusplus
#error C users should include c_configoptions.h, not configoptions.h
#endif

#ifdef __cplusplus
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "sr_enums.h"
#include "srexception.h"
#include "srobject.h"

namespace SmartRedis {

enum cfgSrc {
    cs_envt,  // configuration from environment variables
};

class Client;

class ConfigOptions
{
    private:
        ConfigOptions(cfgSrc source, const std::string& db_suffix);

    public:
        ConfigOptions(const ConfigOptions& cfgopts);
        ConfigOptions& operator=(const ConfigOptions& cfgopts);
        ConfigOptions(ConfigOptions&& cfgopts) noexcept;
        ConfigOptions& operator=(ConfigOptions&& cfgopts) noexcept;
        virtual ~ConfigOptions();

        // A new copy (the caller deletes it).
        ConfigOptions* clone();

        static std::unique_ptr<ConfigOptions> create_from_environment(const std::string& db_suffix);
        // NULL is treated as "".
        static std::unique_ptr<ConfigOptions> create_from_environment(const char* db_suffix);

        // Unset: KeyException; not an integer: ParameterException.
        int64_t get_integer_option(const std::string& option_name);
        // Unset: KeyException.
        std::string get_string_option(const std::string& option_name);
        bool is_configured(const std::string& option_name);

        void override_integer_option(const std::string& option_name, int64_t value);
        void override_string_option(const std::string& option_name, const std::string& value);

        // hpcsim: the C API handle (for the C and Fortran APIs), owned by this object.
        void* get_c_pointer() const { return _handle; }

    private:
        friend class Client;

        void* _handle = nullptr;  // the C API's ConfigOptions
        cfgSrc _source = cs_envt;
};

}  // namespace SmartRedis

#endif  // __cplusplus
#endif  // SMARTREDIS_CONFIGOPTIONS_H
