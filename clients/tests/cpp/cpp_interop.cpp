// Tensors shared with hpcsim's Python client, bit for bit (driven by tests/native/test_cpp.py;
// without HPCSIM_TEST_TAG it exits 77, "skipped").
//
// Python has put py_<type>_<shape>_<tag> for every tensor type and the shapes (), (7,),
// (2,3,4), (2,0,3), holding pattern() bytes; this program checks them, then puts
// cxx_<type>_<shape>_<tag> the same way for Python to check, plus cxx_fortran2d_<tag> (3x4) and
// cxx_fortran3d_<tag> (2x3x4) sent column-major with a(i,j[,k]) = 100i + 10j + k, and reads
// py_fortran3d_<tag> (a (2,3,4) float64 array t[i,j,k] = 100i + 10j + k) into a column-major
// buffer.
#include "client.h"

#include <string>
#include <vector>

#include "cpp_test_util.hpp"

namespace {

struct Kind
{
    SRTensorType type;
    size_t size;
};

const Kind kinds[] = {
    {SRTensorTypeDouble, 8},    {SRTensorTypeFloat, 4},      {SRTensorTypeInt8, 1},   {SRTensorTypeInt16, 2},
    {SRTensorTypeInt32, 4},     {SRTensorTypeInt64, 8},      {SRTensorTypeUint8, 1},  {SRTensorTypeUint16, 2},
    {HPCSIM_TENSOR_BOOL, 1},      {HPCSIM_TENSOR_FLOAT16, 2},    {HPCSIM_TENSOR_UINT32, 4}, {HPCSIM_TENSOR_UINT64, 8},
    {HPCSIM_TENSOR_COMPLEX64, 8}, {HPCSIM_TENSOR_COMPLEX128, 16},
};

const std::vector<std::vector<size_t>> shapes = {{}, {7}, {2, 3, 4}, {2, 0, 3}};

void run(const std::string& tag)
{
    SmartRedis::Client client(__FILE__);
    for (const Kind& kind : kinds) {
        for (size_t s = 0; s < shapes.size(); s++) {
            const std::vector<size_t>& shape = shapes[s];
            size_t n = 1;
            for (size_t d : shape)
                n *= d;
            const std::vector<unsigned char> data = pattern(n, kind.size, kind.type);
            const std::string suffix = std::to_string(kind.type) + "_" + std::to_string(s) + "_" + tag;

            void* got = nullptr;
            std::vector<size_t> dims;
            SRTensorType type = SRTensorTypeInvalid;
            client.get_tensor("py_" + suffix, got, dims, type, SRMemLayoutContiguous);
            CHECK(type == kind.type, "py_" << suffix << ": type " << type);
            CHECK(dims == shape, "py_" << suffix << ": dims");
            CHECK(n == 0 || std::memcmp(got, data.data(), data.size()) == 0, "py_" << suffix << ": bytes");

            client.put_tensor("cxx_" + suffix, data.data(), shape, kind.type, SRMemLayoutContiguous);
        }
    }

    std::vector<int32_t> a2(3 * 4);
    for (size_t i = 0; i < 3; i++)
        for (size_t j = 0; j < 4; j++)
            a2[i + 3 * j] = static_cast<int32_t>(100 * i + 10 * j);
    client.put_tensor("cxx_fortran2d_" + tag, a2.data(), {3, 4}, SRTensorTypeInt32, SRMemLayoutFortranContiguous);
    std::vector<double> a3(2 * 3 * 4);
    for (size_t i = 0; i < 2; i++)
        for (size_t j = 0; j < 3; j++)
            for (size_t k = 0; k < 4; k++)
                a3[i + 2 * (j + 3 * k)] = static_cast<double>(100 * i + 10 * j + k);
    client.put_tensor("cxx_fortran3d_" + tag, a3.data(), {2, 3, 4}, SRTensorTypeDouble, SRMemLayoutFortranContiguous);

    std::vector<double> b3(2 * 3 * 4, -1.0);
    client.unpack_tensor("py_fortran3d_" + tag, b3.data(), {2, 3, 4}, SRTensorTypeDouble,
                         SRMemLayoutFortranContiguous);
    for (size_t i = 0; i < 2; i++)
        for (size_t j = 0; j < 3; j++)
            for (size_t k = 0; k < 4; k++)
                CHECK(b3[i + 2 * (j + 3 * k)] == static_cast<double>(100 * i + 10 * j + k),
                      "py_fortran3d: b(" << i + 1 << "," << j + 1 << "," << k + 1 << ")");
}

}  // namespace

int main()
{
    const char* tag = std::getenv("HPCSIM_TEST_TAG");
    if (tag == nullptr || *tag == '\0') {
        std::cout << "SKIP cpp_interop: run by tests/native/test_cpp.py (needs HPCSIM_TEST_TAG)" << std::endl;
        return 77;
    }
    return run_test("cpp_interop", [&] { run(tag); });
}
