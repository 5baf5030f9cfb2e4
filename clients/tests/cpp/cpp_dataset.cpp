// Datasets and aggregation lists from C++, in the style of SmartRedis's
// examples/serial/cpp/smartredis_dataset.cpp (Uint32 meta scalars twice on one field, get_dataset
// by value, DataSet::unpack_tensor, get_meta_scalars), plus the rest of the DataSet API.
#include "client.h"
#include <vector>
#include <string>

#include <algorithm>

#include "cpp_test_util.hpp"

namespace {

bool contains(const std::vector<std::string>& names, const std::string& name)
{
    return std::find(names.begin(), names.end(), name) != names.end();
}

void example_flow(SmartRedis::Client& client, const std::string& suffix)
{
    // Initialize tensor dimensions
    size_t dim1 = 3;
    size_t dim2 = 2;
    size_t dim3 = 5;
    size_t n_values = dim1 * dim2 * dim3;
    std::vector<size_t> dims = {3, 2, 5};

    // Initialize two tensors to random values
    std::vector<double> tensor_1(n_values, 0);
    std::vector<int64_t> tensor_2(n_values, 0);
    for (size_t i = 0; i < n_values; i++) {
        tensor_1[i] = 2.0 * rand() / (double)RAND_MAX - 1.0;
        tensor_2[i] = rand();
    }

    // Initialize three metadata values we will add to the DataSet
    uint32_t meta_scalar_1 = 1;
    uint32_t meta_scalar_2 = 2;
    int64_t meta_scalar_3 = 3;

    // Create a DataSet
    const std::string name = "example_dataset_" + suffix;
    SmartRedis::DataSet dataset(name);

    // Add tensors to the DataSet
    dataset.add_tensor("tensor_1", tensor_1.data(), dims, SRTensorTypeDouble, SRMemLayoutContiguous);
    dataset.add_tensor("tensor_2", tensor_2.data(), dims, SRTensorTypeInt64, SRMemLayoutContiguous);

    // Add metadata scalar values to the DataSet
    dataset.add_meta_scalar("meta_field_1", &meta_scalar_1, SRMetadataTypeUint32);
    dataset.add_meta_scalar("meta_field_1", &meta_scalar_2, SRMetadataTypeUint32);
    dataset.add_meta_scalar("meta_field_2", &meta_scalar_3, SRMetadataTypeInt64);
    dataset.add_meta_string("units", "m/s");
    dataset.add_meta_string("units", "kg");

    // Put the DataSet in the database
    client.put_dataset(dataset);
    CHECK(client.dataset_exists(name), "dataset_exists after put_dataset");
    CHECK(client.poll_dataset(name, 10, 3), "poll_dataset after put_dataset");

    // Retrieve the DataSet from the database
    SmartRedis::DataSet retrieved_dataset = client.get_dataset(name);
    CHECK(retrieved_dataset.get_name() == name, "get_name of the retrieved dataset: " << retrieved_dataset.get_name());

    // Retrieve one of the tensors
    std::vector<int64_t> unpack_dataset_tensor(n_values, 0);
    retrieved_dataset.unpack_tensor("tensor_2", unpack_dataset_tensor.data(), {n_values}, SRTensorTypeInt64,
                                    SRMemLayoutContiguous);
    CHECK(unpack_dataset_tensor == tensor_2, "tensor_2 round trip");

    // Nested get of the other one, cast to double***
    void* nested = nullptr;
    std::vector<size_t> got_dims;
    SRTensorType got_type = SRTensorTypeInvalid;
    retrieved_dataset.get_tensor("tensor_1", nested, got_dims, got_type, SRMemLayoutNested);
    CHECK(got_type == SRTensorTypeDouble && got_dims == dims, "tensor_1 type and dims");
    for (size_t i = 0, c = 0; i < dims[0]; i++)
        for (size_t j = 0; j < dims[1]; j++)
            for (size_t k = 0; k < dims[2]; k++, c++)
                CHECK(((double***)nested)[i][j][k] == tensor_1[c], "tensor_1 (Nested) element " << c);

    // Retrieve a metadata field, from the local and the retrieved dataset
    for (const SmartRedis::DataSet* ds : {&dataset, &retrieved_dataset}) {
        size_t get_n_meta_values;
        void* get_meta_values;
        SRMetaDataType get_type;
        ds->get_meta_scalars("meta_field_1", get_meta_values, get_n_meta_values, get_type);
        CHECK(get_type == SRMetadataTypeUint32, "meta_field_1 type " << get_type);
        CHECK(get_n_meta_values == 2, "meta_field_1 has " << get_n_meta_values << " values");
        CHECK(((uint32_t*)get_meta_values)[0] == 1 && ((uint32_t*)get_meta_values)[1] == 2, "meta_field_1 values");
        ds->get_meta_scalars("meta_field_2", get_meta_values, get_n_meta_values, get_type);
        CHECK(get_type == SRMetadataTypeInt64 && get_n_meta_values == 1 && ((int64_t*)get_meta_values)[0] == 3,
              "meta_field_2");
        CHECK((ds->get_meta_strings("units") == std::vector<std::string>{"m/s", "kg"}), "get_meta_strings");
        char** strings = nullptr;
        size_t n_strings = 0;
        size_t* lengths = nullptr;
        ds->get_meta_strings("units", strings, n_strings, lengths);
        CHECK(n_strings == 2 && lengths[0] == 3 && std::string(strings[1]) == "kg", "get_meta_strings (char**)");

        CHECK((ds->get_tensor_names() == std::vector<std::string>{"tensor_1", "tensor_2"}), "get_tensor_names");
        ds->get_tensor_names(strings, n_strings, lengths);
        CHECK(n_strings == 2 && std::string(strings[0], lengths[0]) == "tensor_1", "get_tensor_names (char**)");
        CHECK(ds->get_tensor_type("tensor_2") == SRTensorTypeInt64, "get_tensor_type");
        CHECK(ds->get_tensor_dims("tensor_1") == dims, "get_tensor_dims");

        const std::vector<std::string> fields = ds->get_metadata_field_names();
        CHECK(fields.size() == 3 && contains(fields, "meta_field_1") && contains(fields, "meta_field_2") &&
                  contains(fields, "units"),
              "get_metadata_field_names: " << fields.size() << " fields");
        ds->get_metadata_field_names(strings, n_strings, lengths);
        CHECK(n_strings == 3, "get_metadata_field_names (char**)");
        CHECK(ds->get_metadata_field_type("units") == SRMetadataTypeString, "get_metadata_field_type (string)");
        CHECK(ds->get_metadata_field_type("meta_field_1") == SRMetadataTypeUint32, "get_metadata_field_type");
        CHECK(ds->has_field("meta_field_2") && !ds->has_field("nothing"), "has_field");
        CHECK(!ds->to_string().empty(), "to_string");
    }
    std::ostringstream printed;
    printed << retrieved_dataset;
    CHECK(printed.str() == retrieved_dataset.to_string(), "operator<<");

    // copy, rename, delete
    const std::string copy_name = name + "_copy", renamed = name + "_renamed";
    client.copy_dataset(name, copy_name);
    CHECK(client.get_dataset(copy_name).get_tensor_dims("tensor_2") == dims, "copy_dataset");
    client.rename_dataset(copy_name, renamed);
    CHECK(!client.dataset_exists(copy_name) && client.dataset_exists(renamed), "rename_dataset");
    client.delete_dataset(renamed);
    CHECK(!client.dataset_exists(renamed), "delete_dataset");
    client.delete_dataset(name);
}

void copies_and_fields(SmartRedis::Client& client, const std::string& suffix)
{
    const std::string name = "fields_" + suffix;
    SmartRedis::DataSet original(name);
    const float values[4] = {1.5f, 2.5f, 3.5f, 4.5f};
    original.add_tensor("v", values, {4}, SRTensorTypeFloat, SRMemLayoutContiguous);
    const double dt = 0.25;
    original.add_meta_scalar("dt", &dt, SRMetadataTypeDouble);
    original.add_meta_string("tag", "first");

    // A copy is deep: changing it leaves the original as it was.
    SmartRedis::DataSet copy(original);
    copy.add_tensor("w", values, {2, 2}, SRTensorTypeFloat, SRMemLayoutContiguous);
    copy.add_meta_string("tag", "second");
    CHECK(original.get_tensor_names().size() == 1 && copy.get_tensor_names().size() == 2, "copy is deep (tensors)");
    CHECK(original.get_meta_strings("tag").size() == 1 && copy.get_meta_strings("tag").size() == 2,
          "copy is deep (fields)");
    SmartRedis::DataSet assigned("placeholder");
    assigned = copy;
    CHECK(assigned.get_name() == name && assigned.get_tensor_names().size() == 2, "copy assignment");

    // Moving hands over the handle.
    SmartRedis::DataSet moved(std::move(assigned));
    CHECK(assigned.get_c_pointer() == nullptr && moved.get_c_pointer() != nullptr, "move construction");
    SmartRedis::DataSet move_assigned("other");
    move_assigned = std::move(moved);
    CHECK(move_assigned.get_tensor_names().size() == 2, "move assignment");

    // clear_field and set_name keep everything else.
    copy.clear_field("tag");
    CHECK(!copy.has_field("tag") && copy.has_field("dt"), "clear_field");
    CHECK(copy.get_tensor_names().size() == 2, "clear_field keeps the tensors");
    copy.clear_field("never_there");
    const std::string new_name = "renamed_fields_" + suffix;
    copy.set_name(new_name);
    CHECK(copy.get_name() == new_name, "set_name");
    void* dt_back = nullptr;
    size_t n_dt = 0;
    SRMetaDataType dt_type = SRMetadataTypeInvalid;
    copy.get_meta_scalars("dt", dt_back, n_dt, dt_type);
    CHECK(n_dt == 1 && *static_cast<double*>(dt_back) == 0.25, "set_name keeps the fields");
    client.put_dataset(copy);
    CHECK(client.dataset_exists(new_name) && !client.dataset_exists(name), "put after set_name uses the new name");
    SmartRedis::DataSet back = client.get_dataset(new_name);
    std::vector<float> w(4);
    back.unpack_tensor("w", w.data(), {2, 2}, SRTensorTypeFloat, SRMemLayoutContiguous);
    CHECK(w[3] == 4.5f, "set_name keeps the tensors");
    CHECK(!back.has_field("tag"), "a cleared field is not stored");
    client.delete_dataset(new_name);

    // An empty dataset (no tensors) can be stored and read back.
    const std::string empty_name = "empty_" + suffix;
    SmartRedis::DataSet empty(empty_name);
    empty.add_meta_string("only", "metadata");
    client.put_dataset(empty);
    SmartRedis::DataSet empty_back = client.get_dataset(empty_name);
    CHECK(empty_back.get_tensor_names().empty(), "a dataset without tensors");
    CHECK(empty_back.get_meta_strings("only") == std::vector<std::string>{"metadata"}, "its field");
    client.delete_dataset(empty_name);
}

void lists(SmartRedis::Client& client, const std::string& suffix)
{
    const std::string list = "list_" + suffix;
    for (int i = 0; i < 3; i++) {
        SmartRedis::DataSet ds("member_" + std::to_string(i) + "_" + suffix);
        const int32_t value = 10 * i;
        ds.add_tensor("value", &value, {1}, SRTensorTypeInt32, SRMemLayoutContiguous);
        ds.add_meta_scalar("index", &value, SRMetadataTypeInt32);
        client.put_dataset(ds);
        client.append_to_list(list, ds);
    }
    CHECK(client.get_list_length(list) == 3, "get_list_length");
    CHECK(client.poll_list_length(list, 3, 10, 3), "poll_list_length");
    CHECK(client.poll_list_length_gte(list, 2, 10, 3), "poll_list_length_gte");
    CHECK(!client.poll_list_length_lte(list, 2, 10, 2), "poll_list_length_lte");
    CHECK(client.get_list_length("no_list_" + suffix) == 0, "a missing list has length 0");

    std::vector<SmartRedis::DataSet> all = client.get_datasets_from_list(list);
    CHECK(all.size() == 3, "get_datasets_from_list: " << all.size());
    for (int i = 0; i < 3; i++) {
        int32_t value = -1;
        all[i].unpack_tensor("value", &value, {1}, SRTensorTypeInt32, SRMemLayoutContiguous);
        CHECK(value == 10 * i, "list entry " << i << " holds " << value);
        CHECK(all[i].get_name() == "member_" + std::to_string(i) + "_" + suffix,
              "list entry " << i << " is called '" << all[i].get_name() << "'");
    }
    std::vector<SmartRedis::DataSet> range = client.get_dataset_list_range(list, 1, -1);
    CHECK(range.size() == 2, "get_dataset_list_range(1, -1): " << range.size());
    CHECK(range[0].get_tensor_names() == std::vector<std::string>{"value"}, "range entry");
    CHECK(client.get_dataset_list_range(list, 2, 1).empty(), "an empty range");
    CHECK(client.get_datasets_from_list("no_list_" + suffix).empty(), "a missing list is empty");

    const std::string copied = list + "_copy", renamed = list + "_renamed";
    client.copy_list(list, copied);
    CHECK(client.get_list_length(copied) == 3, "copy_list");
    client.rename_list(copied, renamed);
    CHECK(client.get_list_length(copied) == 0 && client.get_list_length(renamed) == 3, "rename_list");
    client.delete_list(renamed);
    client.delete_list(list);
    CHECK(client.get_list_length(list) == 0, "delete_list");
    for (int i = 0; i < 3; i++)
        client.delete_dataset("member_" + std::to_string(i) + "_" + suffix);
}

}  // namespace

int main()
{
    return run_test("cpp_dataset", [] {
        // Initialize a SmartRedis client
        SmartRedis::Client client(__FILE__);
        const std::string suffix = unique_suffix();
        example_flow(client, suffix);
        copies_and_fields(client, suffix);
        lists(client, suffix);
    });
}
