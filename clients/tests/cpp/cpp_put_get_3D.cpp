// Tensors from C++, in the style of SmartRedis's examples/serial/cpp/smartredis_put_get_3D.cpp:
// put, unpack and get in every memory layout (get Nested cast to double***), every dtype at
// ranks 0, 1 and 3 and empty, exists/poll/copy/rename/delete.
#include "client.h"
#include <vector>
#include <string>

#include <algorithm>

#include "cpp_test_util.hpp"

namespace {

void put_get_3D(SmartRedis::Client& client, const std::string& suffix)
{
    // Initialize tensor dimensions
    size_t dim1 = 3;
    size_t dim2 = 2;
    size_t dim3 = 5;
    std::vector<size_t> dims = {3, 2, 5};

    size_t n_values = dim1 * dim2 * dim3;
    std::vector<double> input_tensor(n_values, 0);
    for (size_t i = 0; i < n_values; i++)
        input_tensor[i] = 2.0 * rand() / (double)RAND_MAX - 1.0;

    // Put the tensor in the database
    std::string key = "3d_tensor_" + suffix;
    client.put_tensor(key, input_tensor.data(), dims, SRTensorTypeDouble, SRMemLayoutContiguous);

    // Retrieve the tensor from the database using the unpack feature.
    std::vector<double> unpack_tensor(n_values, 0);
    client.unpack_tensor(key, unpack_tensor.data(), {n_values}, SRTensorTypeDouble, SRMemLayoutContiguous);
    CHECK(unpack_tensor == input_tensor, "unpack (Contiguous) differs from what was put");

    // Retrieve the tensor from the database using the get feature.
    SRTensorType get_type;
    std::vector<size_t> get_dims;
    void* get_tensor;
    client.get_tensor(key, get_tensor, get_dims, get_type, SRMemLayoutNested);
    CHECK(get_type == SRTensorTypeDouble, "get_tensor type " << get_type);
    CHECK(get_dims == dims, "get_tensor dims");
    for (size_t i = 0, c = 0; i < dims[0]; i++)
        for (size_t j = 0; j < dims[1]; j++)
            for (size_t k = 0; k < dims[2]; k++, c++)
                CHECK(((double***)get_tensor)[i][j][k] == input_tensor[c],
                      "get (Nested) [" << i << "][" << j << "][" << k << "]");

    // The size_t* dims form, Contiguous.
    void* flat = nullptr;
    size_t* c_dims = nullptr;
    size_t n_dims = 0;
    SRTensorType c_type = SRTensorTypeInvalid;
    client.get_tensor(key, flat, c_dims, n_dims, c_type, SRMemLayoutContiguous);
    CHECK(n_dims == 3 && c_dims[0] == 3 && c_dims[1] == 2 && c_dims[2] == 5, "get (size_t*) dims");
    CHECK(std::memcmp(flat, input_tensor.data(), n_values * sizeof(double)) == 0, "get (Contiguous) values");
    // Memory of an earlier get stays valid after later ones (the Client owns it until destroyed).
    CHECK(((double***)get_tensor)[2][1][4] == input_tensor[n_values - 1], "earlier get's memory changed");

    // Nested input: rows allocated separately.
    std::vector<std::vector<std::vector<double>>> rows(dim1, std::vector<std::vector<double>>(dim2));
    std::vector<std::vector<double*>> mid(dim1, std::vector<double*>(dim2));
    std::vector<double**> top(dim1);
    for (size_t i = 0; i < dim1; i++) {
        for (size_t j = 0; j < dim2; j++) {
            rows[i][j].resize(dim3);
            for (size_t k = 0; k < dim3; k++)
                rows[i][j][k] = 100.0 * i + 10.0 * j + k;
            mid[i][j] = rows[i][j].data();
        }
        top[i] = mid[i].data();
    }
    std::string nested_key = "nested_" + suffix;
    client.put_tensor(nested_key, top.data(), dims, SRTensorTypeDouble, SRMemLayoutNested);
    std::vector<double> nested_flat(n_values);
    client.unpack_tensor(nested_key, nested_flat.data(), {n_values}, SRTensorTypeDouble, SRMemLayoutContiguous);
    for (size_t c = 0; c < n_values; c++)
        CHECK(nested_flat[c] == 100.0 * (c / 10) + 10.0 * ((c / 5) % 2) + c % 5, "Nested put, element " << c);
    // Unpack into a caller's nested tree.
    for (size_t i = 0; i < dim1; i++)
        for (size_t j = 0; j < dim2; j++)
            std::fill(rows[i][j].begin(), rows[i][j].end(), -1.0);
    client.unpack_tensor(nested_key, top.data(), dims, SRTensorTypeDouble, SRMemLayoutNested);
    CHECK(rows[2][1][3] == 213.0 && rows[0][0][0] == 0.0, "Nested unpack");

    // Fortran (column-major) layout: a(i,j,k) sent with dims {3,2,5} reads back as t[i][j][k].
    std::vector<float> column_major(n_values);
    for (size_t i = 0; i < dim1; i++)
        for (size_t j = 0; j < dim2; j++)
            for (size_t k = 0; k < dim3; k++)
                column_major[i + dim1 * (j + dim2 * k)] = static_cast<float>(100 * i + 10 * j + k);
    std::string fortran_key = "fortran_" + suffix;
    client.put_tensor(fortran_key, column_major.data(), dims, SRTensorTypeFloat, SRMemLayoutFortranContiguous);
    std::vector<float> row_major(n_values);
    client.unpack_tensor(fortran_key, row_major.data(), {n_values}, SRTensorTypeFloat, SRMemLayoutContiguous);
    for (size_t i = 0; i < dim1; i++)
        for (size_t j = 0; j < dim2; j++)
            for (size_t k = 0; k < dim3; k++)
                CHECK(row_major[(i * dim2 + j) * dim3 + k] == static_cast<float>(100 * i + 10 * j + k),
                      "FortranContiguous put: t[" << i << "][" << j << "][" << k << "]");
    std::vector<float> back(n_values);
    client.unpack_tensor(fortran_key, back.data(), dims, SRTensorTypeFloat, SRMemLayoutFortranContiguous);
    CHECK(back == column_major, "FortranContiguous unpack");

    // 1-D Nested, as SmartRedis's example_put_unpack_1D.c does.
    float one_d[10];
    for (int i = 0; i < 10; i++)
        one_d[i] = 0.5f * i;
    std::string one_d_key = "one_d_" + suffix;
    client.put_tensor(one_d_key, one_d, {10}, SRTensorTypeFloat, SRMemLayoutNested);
    float one_d_back[10] = {0};
    client.unpack_tensor(one_d_key, one_d_back, {10}, SRTensorTypeFloat, SRMemLayoutNested);
    CHECK(std::memcmp(one_d, one_d_back, sizeof one_d) == 0, "1-D Nested round trip");

    // Existence, polling, copy, rename, delete.
    CHECK(client.tensor_exists(key), "tensor_exists after put");
    CHECK(client.key_exists(key), "key_exists (no prefix configured)");
    CHECK(client.poll_tensor(key, 10, 3), "poll_tensor of a stored tensor");
    CHECK(client.poll_key(key, 10, 3), "poll_key of a stored key");
    CHECK(!client.poll_tensor("absent_" + suffix, 10, 2), "poll_tensor of an absent tensor");
    CHECK(!client.tensor_exists("absent_" + suffix), "tensor_exists of an absent tensor");
    std::string copy_key = key + "_copy";
    client.copy_tensor(key, copy_key);
    std::vector<double> copied(n_values);
    client.unpack_tensor(copy_key, copied.data(), {n_values}, SRTensorTypeDouble, SRMemLayoutContiguous);
    CHECK(copied == input_tensor, "copy_tensor");
    std::string renamed_key = key + "_renamed";
    client.rename_tensor(copy_key, renamed_key);
    CHECK(!client.tensor_exists(copy_key) && client.tensor_exists(renamed_key), "rename_tensor");
    client.delete_tensor(renamed_key);
    CHECK(!client.tensor_exists(renamed_key), "delete_tensor");
    client.delete_tensor(renamed_key);  // deleting a missing tensor is no error (as in SmartRedis)
    for (const std::string& k : {key, nested_key, fortran_key, one_d_key})
        client.delete_tensor(k);
}

void every_dtype(SmartRedis::Client& client, const std::string& suffix)
{
    struct Kind
    {
        SRTensorType type;
        size_t size;
    };
    const Kind kinds[] = {
        {SRTensorTypeDouble, 8}, {SRTensorTypeFloat, 4},   {SRTensorTypeInt8, 1},       {SRTensorTypeInt16, 2},
        {SRTensorTypeInt32, 4},  {SRTensorTypeInt64, 8},   {SRTensorTypeUint8, 1},      {SRTensorTypeUint16, 2},
        {HPCSIM_TENSOR_BOOL, 1},   {HPCSIM_TENSOR_FLOAT16, 2}, {HPCSIM_TENSOR_UINT32, 4},     {HPCSIM_TENSOR_UINT64, 8},
        {HPCSIM_TENSOR_COMPLEX64, 8}, {HPCSIM_TENSOR_COMPLEX128, 16},
    };
    const std::vector<std::vector<size_t>> shapes = {{}, {7}, {2, 3, 4}, {2, 0, 3}};
    for (const Kind& kind : kinds) {
        for (const std::vector<size_t>& shape : shapes) {
            size_t n = 1;
            for (size_t d : shape)
                n *= d;
            const std::vector<unsigned char> data = pattern(n, kind.size, kind.type);
            const std::string key = "dtype_" + std::to_string(kind.type) + "_" + std::to_string(shape.size()) +
                                    "_" + std::to_string(n) + "_" + suffix;
            client.put_tensor(key, data.data(), shape, kind.type, SRMemLayoutContiguous);
            void* got = nullptr;
            std::vector<size_t> got_dims;
            SRTensorType got_type = SRTensorTypeInvalid;
            client.get_tensor(key, got, got_dims, got_type, SRMemLayoutContiguous);
            CHECK(got_type == kind.type, key << ": type " << got_type);
            CHECK(got_dims == shape, key << ": dims");
            CHECK(n == 0 || std::memcmp(got, data.data(), data.size()) == 0, key << ": values");
            if (n > 0) {
                std::vector<unsigned char> unpacked(data.size());
                client.unpack_tensor(key, unpacked.data(), {n}, kind.type, SRMemLayoutContiguous);
                CHECK(unpacked == data, key << ": unpack");
            }
            client.delete_tensor(key);
        }
    }
}

}  // namespace

int main()
{
    return run_test("cpp_put_get_3D", [] {
        // Initialize a SmartRedis client
        SmartRedis::Client client(__FILE__);
        const std::string suffix = unique_suffix();
        put_get_3D(client, suffix);
        every_dtype(client, suffix);
    });
}
