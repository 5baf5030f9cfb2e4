// Helpers of the C++ test programs (each *.cpp here is one program; exit 0 = pass). A failure
// prints one line, "FAIL <file>:<line>: <reason>", and exits 1.
#ifndef HPCSIM_CPP_TEST_UTIL_HPP
#define HPCSIM_CPP_TEST_UTIL_HPP

#include <cstdlib>
#include <exception>
#include <initializer_list>
#include <iostream>
#include <random>
#include <sstream>
#include <string>
#include <typeinfo>
#include <vector>

#include "client.h"
#include "hpcsim_types.h"

#define CHECK(cond, reason)                                                                            \
    do {                                                                                               \
        if (!(cond)) {                                                                                 \
            std::ostringstream why_;                                                                   \
            why_ << reason;                                                                            \
            std::cout << "FAIL " << __FILE__ << ":" << __LINE__ << ": " << why_.str() << std::endl;    \
            std::exit(1);                                                                              \
        }                                                                                              \
    } while (0)

// Runs `body`, which must throw exactly `Expected` (not a subclass of it: the classes are
// siblings) with error code `code` and a message containing each of `parts`; SRGetLastError()
// must say the same.
#define EXPECT_THROW(Expected, code, body, ...)                                                        \
    do {                                                                                               \
        bool thrown_ = false;                                                                          \
        try {                                                                                          \
            body;                                                                                      \
        } catch (const Expected& e_) {                                                                 \
            thrown_ = true;                                                                            \
            CHECK(typeid(e_) == typeid(Expected), #body << ": threw a subclass of " #Expected);      \
            CHECK(e_.to_error_code() == (code), #body << ": code " << e_.to_error_code());          \
            CHECK(std::string(e_.what()) == SRGetLastError(),                                          \
                  #body << ": what() '" << e_.what() << "' != SRGetLastError() '" << SRGetLastError() \
                        << "'");                                                                       \
            for (const std::string& part_ : std::initializer_list<std::string>{__VA_ARGS__})                \
                CHECK(std::string(e_.what()).find(part_) != std::string::npos,                         \
                      #body << ": message '" << e_.what() << "' lacks '" << part_ << "'");            \
        } catch (const SmartRedis::Exception& e_) {                                                    \
            CHECK(false, #body << ": threw " << typeid(e_).name() << " (code " << e_.to_error_code()   \
                               << ", '" << e_.what() << "') instead of " #Expected);                  \
        } catch (const std::exception& e_) {                                                           \
            CHECK(false, #body << ": threw std::exception '" << e_.what() << "'");                    \
        }                                                                                              \
        CHECK(thrown_, #body << ": threw nothing, expected " #Expected);                              \
    } while (0)

// The test's main: runs `test()` and turns an unexpected exception into a one-line failure.
template <typename F>
int run_test(const char* name, F test)
{
    try {
        test();
    } catch (const SmartRedis::Exception& e) {
        std::cout << "FAIL " << name << ": unexpected " << typeid(e).name() << " (code " << e.to_error_code()
                  << "): " << e.what() << " at " << e.where() << std::endl;
        return 1;
    } catch (const std::exception& e) {
        std::cout << "FAIL " << name << ": unexpected std::exception: " << e.what() << std::endl;
        return 1;
    }
    std::cout << "PASS " << name << std::endl;
    return 0;
}

// A unique suffix for this run's keys (tests may share a database).
inline std::string unique_suffix()
{
    std::random_device device;
    std::ostringstream s;
    s << std::hex << device() << device();
    return s.str();
}

// Byte pattern of n elements of `size` bytes: deterministic and different per element, finite for
// the float types (tests/native/test_cpp.py builds the same bytes in Python).
inline std::vector<unsigned char> pattern(size_t n, size_t size, SRTensorType type)
{
    std::vector<unsigned char> out(n * size);
    for (size_t i = 0; i < out.size(); i++)
        out[i] = static_cast<unsigned char>((i * 37 + 11) & 0xff);
    if (type == HPCSIM_TENSOR_BOOL)
        for (size_t i = 0; i < n; i++)
            out[i] = static_cast<unsigned char>(i % 3 == 0);
    if (type == HPCSIM_TENSOR_FLOAT16)  // finite halves only: clear the top exponent bit
        for (size_t i = 0; i < n; i++)
            out[2 * i + 1] &= 0x3f;
    if (type == SRTensorTypeFloat || type == HPCSIM_TENSOR_COMPLEX64)  // finite floats
        for (size_t i = 0; i < out.size(); i += 4)
            out[i + 3] &= 0x3f;
    if (type == SRTensorTypeDouble || type == HPCSIM_TENSOR_COMPLEX128)  // finite doubles
        for (size_t i = 0; i < out.size(); i += 8)
            out[i + 7] &= 0x3f;
    return out;
}

#endif
