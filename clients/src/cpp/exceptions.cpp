// C API error codes to the SmartRedis exception classes.
#include <string>

#include "cxx_internal.hpp"

namespace SmartRedis {
namespace detail {

void throw_error(SRError code)
{
    const char* message = SRGetLastError();
    const char* location = SRGetLastErrorLocation();
    const std::string what = message != nullptr ? message : "";
    const std::string where = location != nullptr ? location : "unavailable";
    switch (code) {
        case SRBadAllocError:
            throw BadAllocException(what, where);
        case SRDatabaseError:
            throw DatabaseException(what, where);
        case SRInternalError:
            throw InternalException(what, where);
        case SRRuntimeError:
            throw RuntimeException(what, where);
        case SRParameterError:
            throw ParameterException(what, where);
        case SRTimeoutError:
            throw TimeoutException(what, where);
        case SRKeyError:
            throw KeyException(what, where);
        case SRTypeError:
            throw TypeException(what, where);
        case SRInvalidError:
            throw Exception(what, where);
        case SRNoError:
        default:
            throw InternalException("unexpected error code " + std::to_string(static_cast<int>(code)) + ": " + what,
                                    __FILE__, __LINE__);
    }
}

std::vector<std::string> to_strings(char** data, size_t n, const size_t* lengths)
{
    std::vector<std::string> out;
    out.reserve(n);
    for (size_t i = 0; i < n; i++)
        out.emplace_back(data[i], lengths != nullptr ? lengths[i] : std::char_traits<char>::length(data[i]));
    return out;
}

}  // namespace detail
}  // namespace SmartRedis
