// SRObject and Logger: logging through the C library's logger.
#include <string>

#include "cxx_internal.hpp"
#include "logger.h"
#include "srobject.h"

namespace SmartRedis {

SRObject::SRObject(const std::string& logging_name) : _lname(logging_name) {}

void SRObject::log_data(SRLoggingLevel level, const std::string& data) const
{
    log_data_noexcept_string(_lname.data(), _lname.size(), level, data.data(), data.size());
}

void Logger::log_data(const std::string& context, SRLoggingLevel level, const std::string& data)
{
    log_data_noexcept_string(context.data(), context.size(), level, data.data(), data.size());
}

}  // namespace SmartRedis
