// Helpers shared by the C++ sources (not installed): C error codes to exceptions, and string
// lists in the C API's (pointers, lengths, count) form.
#ifndef HPCSIM_CXX_INTERNAL_HPP
#define HPCSIM_CXX_INTERNAL_HPP

#include <cstddef>
#include <string>
#include <vector>

#include "hpcsim_client.h"
#include "sr_exceptions.hpp"

namespace SmartRedis {
namespace detail {

// Throws the exception class of `code` with the calling thread's last error message and location.
[[noreturn]] void throw_error(SRError code);

inline void check(SRError code)
{
    if (code != SRNoError)
        throw_error(code);
}

// A list of strings as the C API takes it. An empty list passes valid (non-NULL) arrays.
class CStrings
{
    public:
        explicit CStrings(const std::vector<std::string>& strings)
        {
            _ptrs.reserve(strings.size() + 1);
            _lens.reserve(strings.size() + 1);
            for (const std::string& s : strings) {
                _ptrs.push_back(s.data());
                _lens.push_back(s.size());
            }
            _ptrs.push_back("");  // keeps data() non-NULL when the list is empty
            _lens.push_back(0);
            _n = strings.size();
        }

        const char** ptrs() { return _ptrs.data(); }
        const size_t* lens() const { return _lens.data(); }
        size_t size() const { return _n; }

    private:
        std::vector<const char*> _ptrs;
        std::vector<size_t> _lens;
        size_t _n = 0;
};

// A dims vector as the C API takes it (non-NULL even when empty, for 0-d tensors).
inline const size_t* dims_ptr(const std::vector<size_t>& dims)
{
    static const size_t none = 0;
    return dims.empty() ? &none : dims.data();
}

// C string arrays (NUL-terminated entries with lengths) to std::strings.
std::vector<std::string> to_strings(char** data, size_t n, const size_t* lengths);

}  // namespace detail
}  // namespace SmartRedis

#endif
