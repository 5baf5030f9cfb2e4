// Key prefixing from C++ (SSKEYOUT / SSKEYIN, set_data_source, use_*_ensemble_prefix): the keys
// in the database are the ones SmartRedis and hpcsim's Python client use.
#include "client.h"

#include <string>
#include <vector>

#include "cpp_test_util.hpp"

int main()
{
    return run_test("cpp_prefix", [] {
        const std::string s = unique_suffix();
        const std::string producer = "prod_a_" + s, other = "prod_b_" + s;
        unsetenv("HPCSIM_KEYOUT");
        unsetenv("HPCSIM_KEYIN");
        setenv("SSKEYOUT", producer.c_str(), 1);
        setenv("SSKEYIN", (producer + "," + other).c_str(), 1);

        SmartRedis::Client client(__FILE__);
        const double value = 2.5;
        client.put_tensor("t", &value, {1}, SRTensorTypeDouble, SRMemLayoutContiguous);
        CHECK(client.key_exists(producer + ".t"), "the tensor is stored under '" << producer << ".t'");
        CHECK(!client.key_exists("t"), "key_exists takes the key as is");
        CHECK(client.tensor_exists("t"), "tensors are read from the first SSKEYIN entry");

        // Another producer's tensor, written without the prefix under its full key.
        client.use_tensor_ensemble_prefix(false);
        const double other_value = -1.0;
        client.put_tensor(other + ".t", &other_value, {1}, SRTensorTypeDouble, SRMemLayoutContiguous);
        CHECK(client.tensor_exists(producer + ".t"), "without the prefix, names are keys");
        client.use_tensor_ensemble_prefix(true);
        client.set_data_source(other);
        double got = 0;
        client.unpack_tensor("t", &got, {1}, SRTensorTypeDouble, SRMemLayoutContiguous);
        CHECK(got == -1.0, "set_data_source reads from the other producer");
        client.set_data_source(producer);

        // Datasets and lists carry the prefix too; the dataset's keys share a hash tag.
        SmartRedis::DataSet ds("d");
        ds.add_tensor("x", &value, {1}, SRTensorTypeDouble, SRMemLayoutContiguous);
        client.put_dataset(ds);
        CHECK(client.key_exists(producer + ".{d}.meta"), "dataset metadata key '" << producer << ".{d}.meta'");
        CHECK(client.key_exists(producer + ".{d}.x"), "dataset tensor key '" << producer << ".{d}.x'");
        CHECK(client.dataset_exists("d"), "dataset_exists with the prefix");
        client.append_to_list("l", ds);
        CHECK(client.key_exists(producer + ".l"), "the list is stored under '" << producer << ".l'");
        CHECK(client.get_list_length("l") == 1, "get_list_length with the prefix");
        client.use_dataset_ensemble_prefix(false);
        CHECK(!client.dataset_exists("d"), "use_dataset_ensemble_prefix(false)");
        client.use_dataset_ensemble_prefix(true);
        client.use_list_ensemble_prefix(false);
        CHECK(client.get_list_length(producer + ".l") == 1, "use_list_ensemble_prefix(false)");
        client.use_list_ensemble_prefix(true);
        client.use_model_ensemble_prefix(true);  // no model here; only that it is accepted

        client.delete_list("l");
        client.delete_dataset("d");
        client.delete_tensor("t");
        client.set_data_source(other);
        client.delete_tensor("t");
        CHECK(!client.key_exists(producer + ".t") && !client.key_exists(other + ".t"), "deleted with prefixes");
    });
}
