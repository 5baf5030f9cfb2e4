// Logging from C++: SmartRedis 0.6.1's logger.h over the C library's logger (c_logger.h).
//
// A line "<context>@<HH-MM-SS>:<data>" goes to SR_LOG_FILE / HPCSIM_LOG_FILE (stdout when only a
// level is set) when its level is at most SR_LOG_LEVEL / HPCSIM_LOG_LEVEL. Nothing is written
// unless logging was configured, and logging never throws.
#ifndef SMARTREDIS_LOGGER_H
#define SMARTREDIS_LOGGER_H

#ifdef __cplusplus
#include <string>
#endif
#include <stdlib.h>

#include "sr_enums.h"
#include "srobject.h"

#ifdef __cplusplus
namespace SmartRedis {

class Logger
{
    private:
        Logger() = default;

    public:
        Logger(const Logger& logger) = delete;
        void operator=(const Logger& logger) = delete;
        void operator=(Logger&& logger) = delete;
        ~Logger() = default;

        static Logger& get_instance()
        {
            static Logger instance;
            return instance;
        }

        // The C library reads the logging variables on its first log call; this does nothing.
        void configure_logging() {}

        void log_data(const std::string& context, SRLoggingLevel level, const std::string& data);

        void log_warning(const std::string& context, SRLoggingLevel level, const std::string& data)
        {
            log_data(context, level, "WARNING: " + data);
        }

        void log_error(const std::string& context, SRLoggingLevel level, const std::string& data)
        {
            log_data(context, level, "ERROR: " + data);
        }
};

inline void log_data(const std::string& context, SRLoggingLevel level, const std::string& data)
{
    Logger::get_instance().log_data(context, level, data);
}

inline void log_data(const SRObject* context, SRLoggingLevel level, const std::string& data)
{
    context->log_data(level, data);
}

inline void log_warning(const std::string& context, SRLoggingLevel level, const std::string& data)
{
    Logger::get_instance().log_warning(context, level, data);
}

inline void log_warning(const SRObject* context, SRLoggingLevel level, const std::string& data)
{
    context->log_warning(level, data);
}

inline void log_error(const std::string& context, SRLoggingLevel level, const std::string& data)
{
    Logger::get_instance().log_error(context, level, data);
}

inline void log_error(const SRObject* context, SRLoggingLevel level, const std::string& data)
{
    context->log_error(level, data);
}

// Logs entry to and exit from the enclosing function at LLDebug (LOG_API_FUNCTION()).
class FunctionLogger
{
    public:
        FunctionLogger(const SRObject* context, const char* function_name)
            : _name(function_name), _context(context)
        {
            _context->log_data(LLDebug, "API Function " + _name + " called");
        }

        ~FunctionLogger() { _context->log_data(LLDebug, "API Function " + _name + " exited"); }

        FunctionLogger(const FunctionLogger&) = delete;
        FunctionLogger& operator=(const FunctionLogger&) = delete;

    private:
        std::string _name;
        const SRObject* _context;
};

#define LOG_API_FUNCTION() FunctionLogger ___function_logger___(this, __func__)

}  // namespace SmartRedis
#endif  // __cplusplus

#endif  // SMARTREDIS_LOGGER_H
