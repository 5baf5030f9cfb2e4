// SmartRedis::Client over hpcsim's C API (c_client.h).
#include <cstring>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "client.h"
#include "cxx_internal.hpp"

namespace SmartRedis {

using detail::check;
using detail::CStrings;
using detail::dims_ptr;

namespace {

size_t length_of(const char* s)
{
    return s != nullptr ? std::strlen(s) : 0;
}

}  // namespace

Client::Client(const char* logger_name) : SRObject(logger_name != nullptr ? logger_name : "")
{
    check(SimpleCreateClient(logger_name, length_of(logger_name), &_client));
}

Client::Client(ConfigOptions* cfgopts, const std::string& logger_name) : SRObject(logger_name)
{
    check(CreateClient(cfgopts != nullptr ? cfgopts->_handle : nullptr, logger_name.data(), logger_name.size(),
                       &_client));
}

Client::Client(bool cluster, const std::string& logger_name) : SRObject(logger_name)
{
    check(SmartRedisCClient(cluster, logger_name.data(), logger_name.size(), &_client));
}

Client::Client(Client&& client) noexcept : SRObject(std::move(client)), _client(client._client)
{
    client._client = nullptr;
}

Client& Client::operator=(Client&& client) noexcept
{
    if (this != &client) {
        if (_client != nullptr)
            DeleteCClient(&_client);
        SRObject::operator=(std::move(client));
        _client = client._client;
        client._client = nullptr;
    }
    return *this;
}

Client::~Client()
{
    if (_client != nullptr)
        DeleteCClient(&_client);
}

// ---- datasets

void Client::put_dataset(DataSet& dataset)
{
    check(::put_dataset(_client, dataset._dataset));
}

DataSet Client::get_dataset(const std::string& name)
{
    void* handle = nullptr;
    check(::get_dataset(_client, name.data(), name.size(), &handle));
    return DataSet(handle, name);
}

void Client::rename_dataset(const std::string& old_name, const std::string& new_name)
{
    check(::rename_dataset(_client, old_name.data(), old_name.size(), new_name.data(), new_name.size()));
}

void Client::copy_dataset(const std::string& src_name, const std::string& dest_name)
{
    check(::copy_dataset(_client, src_name.data(), src_name.size(), dest_name.data(), dest_name.size()));
}

void Client::delete_dataset(const std::string& name)
{
    check(::delete_dataset(_client, name.data(), name.size()));
}

// ---- tensors

void Client::put_tensor(const std::string& name, const void* data, const std::vector<size_t>& dims,
                        const SRTensorType type, const SRMemoryLayout mem_layout)
{
    check(::put_tensor(_client, name.data(), name.size(), const_cast<void*>(data), dims_ptr(dims), dims.size(), type,
                       mem_layout));
}

void Client::get_tensor(const std::string& name, void*& data, std::vector<size_t>& dims, SRTensorType& type,
                        const SRMemoryLayout mem_layout)
{
    size_t* c_dims = nullptr;
    size_t n_dims = 0;
    get_tensor(name, data, c_dims, n_dims, type, mem_layout);
    dims.assign(c_dims, c_dims + n_dims);
}

void Client::get_tensor(const std::string& name, void*& data, size_t*& dims, size_t& n_dims, SRTensorType& type,
                        const SRMemoryLayout mem_layout)
{
    check(::get_tensor(_client, name.data(), name.size(), &data, &dims, &n_dims, &type, mem_layout));
}

void Client::unpack_tensor(const std::string& name, void* data, const std::vector<size_t>& dims,
                           const SRTensorType type, const SRMemoryLayout mem_layout)
{
    check(::unpack_tensor(_client, name.data(), name.size(), data, dims_ptr(dims), dims.size(), type, mem_layout));
}

void Client::rename_tensor(const std::string& old_name, const std::string& new_name)
{
    check(::rename_tensor(_client, old_name.data(), old_name.size(), new_name.data(), new_name.size()));
}

void Client::delete_tensor(const std::string& name)
{
    check(::delete_tensor(_client, name.data(), name.size()));
}

void Client::copy_tensor(const std::string& src_name, const std::string& dest_name)
{
    check(::copy_tensor(_client, src_name.data(), src_name.size(), dest_name.data(), dest_name.size()));
}

// ---- models and scripts

void Client::set_model_from_file(const std::string& name, const std::string& model_file, const std::string& backend,
                                 const std::string& device, int batch_size, int min_batch_size,
                                 int min_batch_timeout, const std::string& tag,
                                 const std::vector<std::string>& inputs, const std::vector<std::string>& outputs)
{
    CStrings in(inputs), out(outputs);
    check(::set_model_from_file(_client, name.data(), name.size(), model_file.data(), model_file.size(),
                                backend.data(), backend.size(), device.data(), device.size(), batch_size,
                                min_batch_size, min_batch_timeout, tag.data(), tag.size(), in.ptrs(), in.lens(),
                                in.size(), out.ptrs(), out.lens(), out.size()));
}

void Client::set_model_from_file_multigpu(const std::string& name, const std::string& model_file,
                                          const std::string& backend, int first_gpu, int num_gpus, int batch_size,
                                          int min_batch_size, int min_batch_timeout, const std::string& tag,
                                          const std::vector<std::string>& inputs,
                                          const std::vector<std::string>& outputs)
{
    CStrings in(inputs), out(outputs);
    check(::set_model_from_file_multigpu(_client, name.data(), name.size(), model_file.data(), model_file.size(),
                                         backend.data(), backend.size(), first_gpu, num_gpus, batch_size,
                                         min_batch_size, min_batch_timeout, tag.data(), tag.size(), in.ptrs(),
                                         in.lens(), in.size(), out.ptrs(), out.lens(), out.size()));
}

void Client::set_model(const std::string& name, const std::string_view& model, const std::string& backend,
                       const std::string& device, int batch_size, int min_batch_size, int min_batch_timeout,
                       const std::string& tag, const std::vector<std::string>& inputs,
                       const std::vector<std::string>& outputs)
{
    CStrings in(inputs), out(outputs);
    check(::set_model(_client, name.data(), name.size(), model.data(), model.size(), backend.data(), backend.size(),
                      device.data(), device.size(), batch_size, min_batch_size, min_batch_timeout, tag.data(),
                      tag.size(), in.ptrs(), in.lens(), in.size(), out.ptrs(), out.lens(), out.size()));
}

void Client::set_model_multigpu(const std::string& name, const std::string_view& model, const std::string& backend,
                                int first_gpu, int num_gpus, int batch_size, int min_batch_size,
                                int min_batch_timeout, const std::string& tag, const std::vector<std::string>& inputs,
                                const std::vector<std::string>& outputs)
{
    CStrings in(inputs), out(outputs);
    check(::set_model_multigpu(_client, name.data(), name.size(), model.data(), model.size(), backend.data(),
                               backend.size(), first_gpu, num_gpus, batch_size, min_batch_size, min_batch_timeout,
                               tag.data(), tag.size(), in.ptrs(), in.lens(), in.size(), out.ptrs(), out.lens(),
                               out.size()));
}

std::string_view Client::get_model(const std::string& name)
{
    size_t length = 0;
    const char* model = nullptr;
    check(::get_model(_client, name.data(), name.size(), &length, &model));
    return model != nullptr ? std::string_view(model, length) : std::string_view();
}

void Client::set_script_from_file(const std::string& name, const std::string& device, const std::string& script_file)
{
    check(::set_script_from_file(_client, name.data(), name.size(), device.data(), device.size(), script_file.data(),
                                 script_file.size()));
}

void Client::set_script_from_file_multigpu(const std::string& name, const std::string& script_file, int first_gpu,
                                           int num_gpus)
{
    check(::set_script_from_file_multigpu(_client, name.data(), name.size(), script_file.data(), script_file.size(),
                                          first_gpu, num_gpus));
}

void Client::set_script(const std::string& name, const std::string& device, const std::string_view& script)
{
    check(::set_script(_client, name.data(), name.size(), device.data(), device.size(), script.data(),
                       script.size()));
}

void Client::set_script_multigpu(const std::string& name, const std::string_view& script, int first_gpu,
                                 int num_gpus)
{
    check(::set_script_multigpu(_client, name.data(), name.size(), script.data(), script.size(), first_gpu,
                                num_gpus));
}

std::string_view Client::get_script(const std::string& name)
{
    const char* script = nullptr;
    size_t length = 0;
    check(::get_script(_client, name.data(), name.size(), &script, &length));
    return script != nullptr ? std::string_view(script, length) : std::string_view();
}

void Client::run_model(const std::string& name, const std::vector<std::string> inputs,
                       const std::vector<std::string> outputs)
{
    CStrings in(inputs), out(outputs);
    check(::run_model(_client, name.data(), name.size(), in.ptrs(), in.lens(), in.size(), out.ptrs(), out.lens(),
                      out.size()));
}

void Client::run_model_multigpu(const std::string& name, const std::vector<std::string> inputs,
                                const std::vector<std::string> outputs, int offset, int first_gpu, int num_gpus)
{
    CStrings in(inputs), out(outputs);
    check(::run_model_multigpu(_client, name.data(), name.size(), in.ptrs(), in.lens(), in.size(), out.ptrs(),
                               out.lens(), out.size(), offset, first_gpu, num_gpus));
}

void Client::run_script(const std::string& name, const std::string& function, const std::vector<std::string> inputs,
                        const std::vector<std::string> outputs)
{
    CStrings in(inputs), out(outputs);
    check(::run_script(_client, name.data(), name.size(), function.data(), function.size(), in.ptrs(), in.lens(),
                       in.size(), out.ptrs(), out.lens(), out.size()));
}

void Client::run_script_multigpu(const std::string& name, const std::string& function,
                                 const std::vector<std::string> inputs, const std::vector<std::string> outputs,
                                 int offset, int first_gpu, int num_gpus)
{
    CStrings in(inputs), out(outputs);
    check(::run_script_multigpu(_client, name.data(), name.size(), function.data(), function.size(), in.ptrs(),
                                in.lens(), in.size(), out.ptrs(), out.lens(), out.size(), offset, first_gpu,
                                num_gpus));
}

void Client::delete_model(const std::string& name)
{
    check(::delete_model(_client, name.data(), name.size()));
}

void Client::delete_model_multigpu(const std::string& name, int first_gpu, int num_gpus)
{
    check(::delete_model_multigpu(_client, name.data(), name.size(), first_gpu, num_gpus));
}

void Client::delete_script(const std::string& name)
{
    check(::delete_script(_client, name.data(), name.size()));
}

void Client::delete_script_multigpu(const std::string& name, int first_gpu, int num_gpus)
{
    check(::delete_script_multigpu(_client, name.data(), name.size(), first_gpu, num_gpus));
}

// ---- existence, polling, prefixes

bool Client::key_exists(const std::string& key)
{
    bool exists = false;
    check(::key_exists(_client, key.data(), key.size(), &exists));
    return exists;
}

bool Client::model_exists(const std::string& name)
{
    bool exists = false;
    check(::model_exists(_client, name.data(), name.size(), &exists));
    return exists;
}

bool Client::tensor_exists(const std::string& name)
{
    bool exists = false;
    check(::tensor_exists(_client, name.data(), name.size(), &exists));
    return exists;
}

bool Client::dataset_exists(const std::string& name)
{
    bool exists = false;
    check(::dataset_exists(_client, name.data(), name.size(), &exists));
    return exists;
}

bool Client::poll_key(const std::string& key, int poll_frequency_ms, int num_tries)
{
    bool exists = false;
    check(::poll_key(_client, key.data(), key.size(), poll_frequency_ms, num_tries, &exists));
    return exists;
}

bool Client::poll_tensor(const std::string& name, int poll_frequency_ms, int num_tries)
{
    bool exists = false;
    check(::poll_tensor(_client, name.data(), name.size(), poll_frequency_ms, num_tries, &exists));
    return exists;
}

bool Client::poll_dataset(const std::string& name, int poll_frequency_ms, int num_tries)
{
    bool exists = false;
    check(::poll_dataset(_client, name.data(), name.size(), poll_frequency_ms, num_tries, &exists));
    return exists;
}

bool Client::poll_model(const std::string& name, int poll_frequency_ms, int num_tries)
{
    bool exists = false;
    check(::poll_model(_client, name.data(), name.size(), poll_frequency_ms, num_tries, &exists));
    return exists;
}

void Client::set_data_source(std::string source_id)
{
    check(::set_data_source(_client, source_id.data(), source_id.size()));
}

void Client::use_tensor_ensemble_prefix(bool use_prefix)
{
    check(::use_tensor_ensemble_prefix(_client, use_prefix));
}

void Client::use_dataset_ensemble_prefix(bool use_prefix)
{
    check(::use_dataset_ensemble_prefix(_client, use_prefix));
}

void Client::use_model_ensemble_prefix(bool use_prefix)
{
    check(::use_model_ensemble_prefix(_client, use_prefix));
}

void Client::use_list_ensemble_prefix(bool use_prefix)
{
    check(::use_list_ensemble_prefix(_client, use_prefix));
}

// ---- aggregation lists

void Client::append_to_list(const std::string& list_name, const DataSet& dataset)
{
    check(::append_to_list(_client, list_name.data(), list_name.size(), dataset._dataset));
}

void Client::delete_list(const std::string& list_name)
{
    check(::delete_list(_client, list_name.data(), list_name.size()));
}

void Client::copy_list(const std::string& src_name, const std::string& dest_name)
{
    check(::copy_list(_client, src_name.data(), src_name.size(), dest_name.data(), dest_name.size()));
}

void Client::rename_list(const std::string& src_name, const std::string& dest_name)
{
    check(::rename_list(_client, src_name.data(), src_name.size(), dest_name.data(), dest_name.size()));
}

int Client::get_list_length(const std::string& list_name)
{
    int length = 0;
    check(::get_list_length(_client, list_name.data(), list_name.size(), &length));
    return length;
}

bool Client::poll_list_length(const std::string& name, int list_length, int poll_frequency_ms, int num_tries)
{
    bool result = false;
    check(::poll_list_length(_client, name.data(), name.size(), list_length, poll_frequency_ms, num_tries, &result));
    return result;
}

bool Client::poll_list_length_gte(const std::string& name, int list_length, int poll_frequency_ms, int num_tries)
{
    bool result = false;
    check(::poll_list_length_gte(_client, name.data(), name.size(), list_length, poll_frequency_ms, num_tries,
                                 &result));
    return result;
}

bool Client::poll_list_length_lte(const std::string& name, int list_length, int poll_frequency_ms, int num_tries)
{
    bool result = false;
    check(::poll_list_length_lte(_client, name.data(), name.size(), list_length, poll_frequency_ms, num_tries,
                                 &result));
    return result;
}

std::string Client::_dataset_name(void* handle)
{
    const char* name = nullptr;
    size_t length = 0;
    check(hpcsim_dataset_get_name(handle, &name, &length));
    return std::string(name, length);
}

std::vector<DataSet> Client::_adopt_datasets(void** handles, size_t n)
{
    // Every handle is freed exactly once: adopted by a DataSet, or here if adopting fails.
    std::vector<DataSet> datasets;
    size_t adopted = 0;
    try {
        datasets.reserve(n);
        for (; adopted < n; adopted++) {
            DataSet dataset(handles[adopted], _dataset_name(handles[adopted]));
            handles[adopted] = nullptr;  // owned by `dataset` now
            datasets.push_back(std::move(dataset));
        }
    } catch (...) {
        for (size_t i = adopted; i < n; i++)
            if (handles[i] != nullptr)
                DeallocateDataSet(&handles[i]);
        hpcsim_free(handles);
        throw;
    }
    hpcsim_free(handles);
    return datasets;
}

std::vector<DataSet> Client::get_datasets_from_list(const std::string& list_name)
{
    void** handles = nullptr;
    size_t n = 0;
    check(::get_datasets_from_list(_client, list_name.data(), list_name.size(), &handles, &n));
    return _adopt_datasets(handles, n);
}

std::vector<DataSet> Client::get_dataset_list_range(const std::string& list_name, int start_index, int end_index)
{
    void** handles = nullptr;
    size_t n = 0;
    check(::get_dataset_list_range(_client, list_name.data(), list_name.size(), start_index, end_index, &handles,
                                   &n));
    return _adopt_datasets(handles, n);
}

// ---- training metrics

void Client::log_metric(const std::string& name, int64_t step, double value)
{
    check(::log_metric(_client, name.data(), name.size(), step, value));
}

std::string Client::to_string() const
{
    const char* text = client_to_string(_client);
    return text != nullptr ? std::string(text) : std::string();
}

}  // namespace SmartRedis
