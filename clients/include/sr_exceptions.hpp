// The exception classes of the hpcsim C++ client: SmartRedis 0.6.1's names, codes and members.
//
// Every C++ call that fails throws the class that matches the C API's SRError code, with the
// C library's message (what(), the same text SRGetLastError() returns, naming the key or the
// server) and its location (where()). Catch SmartRedis::Exception to catch them all.
//
// As in SmartRedis, constructing an exception from a message makes that message the calling
// thread's last error (SRGetLastError). Unlike SmartRedis, it does not log, and
// SRGetLastErrorLocation() then says "unavailable" (where() keeps the location).
#ifndef HPCSIM_SR_EXCEPTIONS_HPP
#define HPCSIM_SR_EXCEPTIONS_HPP

#include "srexception.h"

#ifdef __cplusplus

#include <cstddef>
#include <exception>
#include <string>

// hpcsim_client.h's: records a message as the calling thread's last error.
extern "C" SRError hpcsim_set_last_error(SRError code, const char* message, size_t message_length);

namespace SmartRedis {

class Exception : public std::exception
{
    public:
        Exception(const char* what_arg) : _msg(what_arg != nullptr ? what_arg : ""), _loc("unavailable")
        {
            _record();
        }

        Exception(const char* what_arg, const char* file, int line)
            : _msg(what_arg != nullptr ? what_arg : ""), _loc(_location(file, line))
        {
            _record();
        }

        Exception(const std::string& what_arg, const char* file, int line)
            : _msg(what_arg), _loc(_location(file, line))
        {
            _record();
        }

        // hpcsim: the C API's last error as an exception, with its already formatted location
        // ("\"file\", line N"); the last error is left as it is.
        Exception(const std::string& what_arg, const std::string& where_arg) : _msg(what_arg), _loc(where_arg) {}

        Exception(const Exception& other) = default;

        Exception(const std::exception& other) : _msg(other.what()), _loc("unavailable") {}

        Exception& operator=(const Exception& other) = default;

        Exception(Exception&& other) = default;

        Exception& operator=(Exception&& other) = default;

        ~Exception() override = default;

        // The C API's code for this class.
        virtual SRError to_error_code() const noexcept { return SRInvalidError; }

        virtual std::string exception_class() { return std::string("Exception"); }

        const char* what() const noexcept override { return _msg.c_str(); }

        virtual const char* where() const noexcept { return _loc.c_str(); }

    protected:
        std::string _msg;

        std::string _loc;

    private:
        void _record() const { hpcsim_set_last_error(SRInvalidError, _msg.data(), _msg.size()); }

        static std::string _location(const char* file, int line)
        {
            return std::string("\"") + (file != nullptr ? file : "") + "\", line " + std::to_string(line);
        }
};

#define HPCSIM_SR_EXCEPTION_CLASS(NAME, CODE)                                  \
    class NAME : public Exception                                              \
    {                                                                          \
        public:                                                                \
            using Exception::Exception;                                        \
            SRError to_error_code() const noexcept override { return CODE; }   \
            std::string exception_class() override { return std::string(#NAME); } \
    };

HPCSIM_SR_EXCEPTION_CLASS(BadAllocException, SRBadAllocError)
HPCSIM_SR_EXCEPTION_CLASS(DatabaseException, SRDatabaseError)
HPCSIM_SR_EXCEPTION_CLASS(RuntimeException, SRRuntimeError)
HPCSIM_SR_EXCEPTION_CLASS(ParameterException, SRParameterError)
HPCSIM_SR_EXCEPTION_CLASS(TimeoutException, SRTimeoutError)
HPCSIM_SR_EXCEPTION_CLASS(InternalException, SRInternalError)
HPCSIM_SR_EXCEPTION_CLASS(KeyException, SRKeyError)
HPCSIM_SR_EXCEPTION_CLASS(TypeException, SRTypeError)

#undef HPCSIM_SR_EXCEPTION_CLASS

// SmartRedis's macros: an exception that records where it was thrown.
#define SRBadAllocException(txt) BadAllocException(txt, __FILE__, __LINE__)
#define SRDatabaseException(txt) DatabaseException(txt, __FILE__, __LINE__)
#define SRRuntimeException(txt) RuntimeException(txt, __FILE__, __LINE__)
#define SRParameterException(txt) ParameterException(txt, __FILE__, __LINE__)
#define SRTimeoutException(txt) TimeoutException(txt, __FILE__, __LINE__)
#define SRInternalException(txt) InternalException(txt, __FILE__, __LINE__)
#define SRKeyException(txt) KeyException(txt, __FILE__, __LINE__)
#define SRTypeException(txt) TypeException(txt, __FILE__, __LINE__)

}  // namespace SmartRedis

#endif  // __cplusplus

#endif  // HPCSIM_SR_EXCEPTIONS_HPP
