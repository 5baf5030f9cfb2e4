// SmartRedis::LogContext: a named context for log lines that is neither a Client nor a DataSet.
// Empty under C, as in SmartRedis.
#ifndef SMARTREDIS_LOGCONTEXT_H
#define SMARTREDIS_LOGCONTEXT_H

#ifdef __cplusplus
#include <string>

#include "srobject.h"

namespace SmartRedis {

class LogContext : public SRObject
{
    public:
        LogContext(const std::string& logging_name) : SRObject(logging_name)
        {
            log_data(LLDebug, "New LogContext created");
        }

        virtual ~LogContext() = default;
};

}  // namespace SmartRedis

#endif  // __cplusplus
#endif  // SMARTREDIS_LOGCONTEXT_H
