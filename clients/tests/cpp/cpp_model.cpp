// Models and scripts from C++, in the style of SmartRedis's examples/serial/cpp/smartredis_model.cpp
// and smartredis_mnist.cpp: set_model_from_file(k, f, "TORCH", "CPU", 20), set_script_from_file,
// run_script "pre_process", run_model, unpack, get_model/get_script.
//
// It needs a database with hpcsim's inference worker and these variables (else it exits 77,
// "skipped"):
//   HPCSIM_TEST_MODEL_FILE   a TorchScript model taking (1,1,28,28) float32 to (1,10)
//   HPCSIM_TEST_SCRIPT_FILE  TorchScript source with a function pre_process(x)
//   HPCSIM_TEST_IMAGE_FILE   784 raw float32 values
// With HPCSIM_TEST_PRELOADED=1 the model and script are already stored (by the driver, under
// the keys "mnist_model" and "mnist_script") and only run. The results are printed as
// "Result[i] = value" lines and left in the tensor "mnist_output".
#include "client.h"
#include <vector>
#include <fstream>

#include <cstdio>

#include "cpp_test_util.hpp"

namespace {

std::string read_file(const std::string& path)
{
    std::ifstream fin(path, std::ios::binary);
    std::ostringstream ostream;
    ostream << fin.rdbuf();
    CHECK(fin.good() || fin.eof(), "cannot read " << path);
    return ostream.str();
}

void run(const std::string& model_file, const std::string& script_file, const std::string& image_file,
         bool preloaded)
{
    // Initialize a vector that will hold input image tensor
    size_t n_values = 1 * 1 * 28 * 28;
    std::vector<float> img(n_values, 0);

    // Load the mnist image from a file
    const std::string tmp = read_file(image_file);
    CHECK(tmp.size() == img.size() * sizeof(float), image_file << " holds " << tmp.size() << " bytes");
    std::memcpy(img.data(), tmp.data(), img.size() * sizeof(float));

    // Initialize a SmartRedis client to connect to the Redis database
    SmartRedis::Client client(__FILE__);

    std::string model_key = "mnist_model";
    std::string script_key = "mnist_script";
    if (preloaded) {
        CHECK(client.poll_model(model_key, 100, 100), "the driver's model is not there");
        CHECK(client.model_exists(script_key), "the driver's script is not there");
    } else {
        // Use the client to set a model in the database from a file
        client.set_model_from_file(model_key, model_file, "TORCH", "CPU", 20);

        // Use the client to set a script from the database form a file
        client.set_script_from_file(script_key, "CPU", script_file);

        // Get model and script (client-owned memory)
        std::string_view model = client.get_model(model_key);
        std::string_view script = client.get_script(script_key);
        CHECK(model == read_file(model_file), "get_model differs from the file");
        CHECK(script == read_file(script_file), "get_script differs from the file");
        CHECK(client.model_exists(model_key) && client.model_exists(script_key), "model_exists");
    }

    // Declare keys that we will use in forthcoming client commands
    std::string in_key = "mnist_input";
    std::string script_out_key = "mnist_processed_input";
    std::string out_key = "mnist_output";

    // Put the tensor into the database that was loaded from file
    client.put_tensor(in_key, img.data(), {1, 1, 28, 28}, SRTensorTypeFloat, SRMemLayoutContiguous);

    // Run the preprocessing script on the input tensor
    client.run_script(script_key, "pre_process", {in_key}, {script_out_key});

    // Run the model using the output of the preprocessing script
    client.run_model(model_key, {script_out_key}, {out_key});

    // Retrieve the output of the model
    std::vector<float> result(10, 0);
    client.unpack_tensor(out_key, result.data(), {10}, SRTensorTypeFloat, SRMemLayoutContiguous);

    // Print out the results of the model evaluation
    for (size_t i = 0; i < result.size(); i++) {
        char line[64];
        std::snprintf(line, sizeof line, "Result[%zu] = %.9g", i, static_cast<double>(result[i]));
        std::cout << line << std::endl;
    }

    if (preloaded)
        return;

    // The same model stored from memory (set_model) gives the same results.
    const std::string blob = read_file(model_file);
    client.set_model("mnist_model_copy", blob, "TORCH", "CPU");
    client.run_model("mnist_model_copy", {script_out_key}, {"mnist_output_copy"});
    std::vector<float> again(10, 0);
    client.unpack_tensor("mnist_output_copy", again.data(), {10}, SRTensorTypeFloat, SRMemLayoutContiguous);
    CHECK(again == result, "set_model gives other results than set_model_from_file");

    // A script from a string, one function of it run under its name.
    client.set_script("negate_script", "CPU", "def negate(x):\n\treturn torch.neg(x)\n");
    client.run_script("negate_script", "negate", {in_key}, {"negated"});
    std::vector<float> negated(n_values, 0);
    client.unpack_tensor("negated", negated.data(), {n_values}, SRTensorTypeFloat, SRMemLayoutContiguous);
    for (size_t i = 0; i < n_values; i++)
        CHECK(negated[i] == -img[i], "negate element " << i);

    client.delete_model("mnist_model_copy");
    client.delete_script("negate_script");
    CHECK(!client.model_exists("mnist_model_copy") && !client.model_exists("negate_script"),
          "delete_model / delete_script");
}

}  // namespace

int main()
{
    const char* model_file = std::getenv("HPCSIM_TEST_MODEL_FILE");
    const char* script_file = std::getenv("HPCSIM_TEST_SCRIPT_FILE");
    const char* image_file = std::getenv("HPCSIM_TEST_IMAGE_FILE");
    const char* preloaded = std::getenv("HPCSIM_TEST_PRELOADED");
    if (image_file == nullptr || ((model_file == nullptr || script_file == nullptr) && preloaded == nullptr)) {
        std::cout << "SKIP cpp_model: needs HPCSIM_TEST_MODEL_FILE, HPCSIM_TEST_SCRIPT_FILE and "
                     "HPCSIM_TEST_IMAGE_FILE and a database with an inference worker"
                  << std::endl;
        return 77;
    }
    return run_test("cpp_model", [&] {
        run(model_file != nullptr ? model_file : "", script_file != nullptr ? script_file : "", image_file,
            preloaded != nullptr && std::string(preloaded) == "1");
    });
}
