// Inference from C++ (SmartRedis's C++ API): puts an input, runs the TorchScript model that the
// driver stored with add_ml_model, and unpacks the output.
//
// Usage: infer MODEL ROWS COLUMNS OUTPUTS
//   puts "infer_input" (float32, ROWS x COLUMNS, x[i][j] = sin(1 + i*COLUMNS + j)), runs MODEL on it
//   into "infer_output" and reads ROWS x OUTPUTS floats back. Prints one JSON line:
//   {"input": [[...]], "dims": [...], "output": [[...]]}  (floats with 9 significant digits,
//   which round-trip float32 exactly). Errors: the message on stderr, exit status 1.
#include <cmath>
#include <cstdio>
#include <exception>
#include <string>
#include <vector>

#include "client.h"

namespace {

void print_rows(const std::vector<float>& values, size_t rows, size_t columns) {
    std::printf("[");
    for (size_t i = 0; i < rows; i++) {
        std::printf("%s[", i ? ", " : "");
        for (size_t j = 0; j < columns; j++) {
            std::printf("%s%.9g", j ? ", " : "", static_cast<double>(values[i * columns + j]));
        }
        std::printf("]");
    }
    std::printf("]");
}

}  // namespace

int main(int argc, char** argv) {
    if (argc != 5) {
        std::fprintf(stderr, "usage: infer MODEL ROWS COLUMNS OUTPUTS\n");
        return 2;
    }
    try {
        const std::string model = argv[1];
        const size_t rows = std::stoul(argv[2]), columns = std::stoul(argv[3]), outputs = std::stoul(argv[4]);
        SmartRedis::Client client("infer");
        std::vector<float> input(rows * columns);
        for (size_t k = 0; k < input.size(); k++) input[k] = static_cast<float>(std::sin(1.0 + static_cast<double>(k)));
        client.put_tensor("infer_input", input.data(), {rows, columns}, SRTensorTypeFloat, SRMemLayoutContiguous);
        client.run_model(model, {"infer_input"}, {"infer_output"});

        // the output's shape as stored, then its values in the caller's buffer
        void* data = nullptr;
        std::vector<size_t> dims;
        SRTensorType type = SRTensorTypeInvalid;
        client.get_tensor("infer_output", data, dims, type, SRMemLayoutContiguous);
        if (type != SRTensorTypeFloat) {
            std::fprintf(stderr, "infer: infer_output has type %d, not float\n", static_cast<int>(type));
            return 1;
        }
        std::vector<float> output(rows * outputs);
        client.unpack_tensor("infer_output", output.data(), {output.size()}, SRTensorTypeFloat, SRMemLayoutContiguous);

        std::printf("{\"input\": ");
        print_rows(input, rows, columns);
        std::printf(", \"dims\": [");
        for (size_t i = 0; i < dims.size(); i++) std::printf("%s%zu", i ? ", " : "", dims[i]);
        std::printf("], \"output\": ");
        print_rows(output, rows, outputs);
        std::printf("}\n");
    } catch (const std::exception& error) {
        std::fprintf(stderr, "infer: %s\n", error.what());
        return 1;
    }
    return 0;
}
