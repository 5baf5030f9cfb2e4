// SmartRedis::SRObject: the base of the C++ objects that can log (Client, DataSet, LogContext).
// Empty under C, as in SmartRedis.
#ifndef SMARTREDIS_SROBJECT_H
#define SMARTREDIS_SROBJECT_H

#ifdef __cplusplus
#include <stdlib.h>

#include <string>
#include <vector>

#include "sr_enums.h"

namespace SmartRedis {

class SRObject
{
    public:
        // `logging_name` is the context of this object's log lines.
        SRObject(const std::string& logging_name);

        virtual ~SRObject() = default;

        // Writes "<context>@<HH-MM-SS>:<data>" when `level` is at most the configured level
        // (SR_LOG_LEVEL / HPCSIM_LOG_LEVEL); nothing is written unless logging was configured.
        virtual void log_data(SRLoggingLevel level, const std::string& data) const;

        virtual void log_warning(SRLoggingLevel level, const std::string& data) const
        {
            log_data(level, "WARNING: " + data);
        }

        virtual void log_error(SRLoggingLevel level, const std::string& data) const
        {
            log_data(level, "ERROR: " + data);
        }

        virtual std::string get_context() const { return _lname; }

    protected:
        std::string _lname;
};

}  // namespace SmartRedis

#endif  // __cplusplus
#endif  // SMARTREDIS_SROBJECT_H
