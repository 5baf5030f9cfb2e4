// SmartRedis::Client: the hpcsim C++ client, with SmartRedis 0.6.1's C++ API (same names,
// signatures and exception classes), over hpcsim's C API. Empty under C, as in SmartRedis.
//
//     #include "client.h"
//     SmartRedis::Client client(__FILE__);          // finds the database through the environment
//     client.put_tensor("u", u.data(), {64, 64}, SRTensorTypeDouble, SRMemLayoutContiguous);
//
// Every failure throws the SmartRedis::Exception subclass that matches the C API's SRError code
// (KeyException for a missing key, DatabaseException for a refused or unreachable server ...),
// with a message naming the key or the server. One Client must not be used by two threads at
// once: give each thread or MPI rank its own. Memory that get_tensor, get_model and get_script
// return belongs to the Client and stays valid until it is destroyed.
//
// Not offered (see docs/native-clients.md): get_db_node_info, get_db_cluster_info,
// get_ai_info, flush_db, config_get, config_set, save, set_model_chunk_size.
#ifndef SMARTREDIS_CLIENT_H
#define SMARTREDIS_CLIENT_H

#ifdef __cplusplus
#include <stdlib.h>
#include <string.h>

#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <iostream>
#include <sstream>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "configoptions.h"
#include "dataset.h"
#include "logger.h"
#include "sr_enums.h"
#include "srexception.h"
#include "srobject.h"

// SmartRedis's reply types of the admin calls (global, as in SmartRedis).
typedef std::unordered_map<std::string, std::string> parsed_reply_map;
typedef std::unordered_map<std::string, std::unordered_map<std::string, std::string>> parsed_reply_nested_map;

namespace SmartRedis {

class Client : public SRObject
{
    public:
        // A client configured from the environment (SSDB / HPCSIM_DB ..., no suffix).
        Client(const char* logger_name);

        Client(const std::string& logger_name = "default") : Client(logger_name.c_str()) {}

        // A client configured by `cfgopts` (copied; the caller keeps it).
        Client(ConfigOptions* cfgopts, const std::string& logger_name = "default");

        // Deprecated (as in SmartRedis): `cluster` overrides the database type.
        Client(bool cluster, const std::string& logger_name = "default");

        Client(const Client& client) = delete;
        Client(Client&& client) noexcept;
        Client& operator=(const Client& client) = delete;
        Client& operator=(Client&& client) noexcept;
        virtual ~Client();

        // ---- datasets
        void put_dataset(DataSet& dataset);
        DataSet get_dataset(const std::string& name);
        void rename_dataset(const std::string& old_name, const std::string& new_name);
        void copy_dataset(const std::string& src_name, const std::string& dest_name);
        void delete_dataset(const std::string& name);

        // ---- tensors
        void put_tensor(const std::string& name, const void* data, const std::vector<size_t>& dims,
                        const SRTensorType type, const SRMemoryLayout mem_layout);
        void get_tensor(const std::string& name, void*& data, std::vector<size_t>& dims, SRTensorType& type,
                        const SRMemoryLayout mem_layout);
        void get_tensor(const std::string& name, void*& data, size_t*& dims, size_t& n_dims, SRTensorType& type,
                        const SRMemoryLayout mem_layout);
        void unpack_tensor(const std::string& name, void* data, const std::vector<size_t>& dims,
                           const SRTensorType type, const SRMemoryLayout mem_layout);
        void rename_tensor(const std::string& old_name, const std::string& new_name);
        void delete_tensor(const std::string& name);
        void copy_tensor(const std::string& src_name, const std::string& dest_name);

        // ---- models and scripts (run by hpcsim's inference worker)
        void set_model_from_file(const std::string& name, const std::string& model_file, const std::string& backend,
                                 const std::string& device, int batch_size = 0, int min_batch_size = 0,
                                 int min_batch_timeout = 0, const std::string& tag = "",
                                 const std::vector<std::string>& inputs = std::vector<std::string>(),
                                 const std::vector<std::string>& outputs = std::vector<std::string>());
        void set_model_from_file_multigpu(const std::string& name, const std::string& model_file,
                                          const std::string& backend, int first_gpu, int num_gpus,
                                          int batch_size = 0, int min_batch_size = 0, int min_batch_timeout = 0,
                                          const std::string& tag = "",
                                          const std::vector<std::string>& inputs = std::vector<std::string>(),
                                          const std::vector<std::string>& outputs = std::vector<std::string>());
        void set_model(const std::string& name, const std::string_view& model, const std::string& backend,
                       const std::string& device, int batch_size = 0, int min_batch_size = 0,
                       int min_batch_timeout = 0, const std::string& tag = "",
                       const std::vector<std::string>& inputs = std::vector<std::string>(),
                       const std::vector<std::string>& outputs = std::vector<std::string>());
        void set_model_multigpu(const std::string& name, const std::string_view& model, const std::string& backend,
                                int first_gpu, int num_gpus, int batch_size = 0, int min_batch_size = 0,
                                int min_batch_timeout = 0, const std::string& tag = "",
                                const std::vector<std::string>& inputs = std::vector<std::string>(),
                                const std::vector<std::string>& outputs = std::vector<std::string>());
        // The stored model bytes, in memory the Client owns.
        std::string_view get_model(const std::string& name);
        void set_script_from_file(const std::string& name, const std::string& device,
                                  const std::string& script_file);
        void set_script_from_file_multigpu(const std::string& name, const std::string& script_file, int first_gpu,
                                           int num_gpus);
        void set_script(const std::string& name, const std::string& device, const std::string_view& script);
        void set_script_multigpu(const std::string& name, const std::string_view& script, int first_gpu,
                                 int num_gpus);
        // The stored script source, in memory the Client owns.
        std::string_view get_script(const std::string& name);
        void run_model(const std::string& name, const std::vector<std::string> inputs,
                       const std::vector<std::string> outputs);
        void run_model_multigpu(const std::string& name, const std::vector<std::string> inputs,
                                const std::vector<std::string> outputs, int offset, int first_gpu, int num_gpus);
        void run_script(const std::string& name, const std::string& function, const std::vector<std::string> inputs,
                        const std::vector<std::string> outputs);
        void run_script_multigpu(const std::string& name, const std::string& function,
                                 const std::vector<std::string> inputs, const std::vector<std::string> outputs,
                                 int offset, int first_gpu, int num_gpus);
        void delete_model(const std::string& name);
        void delete_model_multigpu(const std::string& name, int first_gpu, int num_gpus);
        void delete_script(const std::string& name);
        void delete_script_multigpu(const std::string& name, int first_gpu, int num_gpus);

        // ---- existence, polling, prefixes
        bool key_exists(const std::string& key);  // `key` as is, no prefix
        bool model_exists(const std::string& name);
        bool tensor_exists(const std::string& name);
        bool dataset_exists(const std::string& name);
        bool poll_key(const std::string& key, int poll_frequency_ms, int num_tries);
        bool poll_tensor(const std::string& name, int poll_frequency_ms, int num_tries);
        bool poll_dataset(const std::string& name, int poll_frequency_ms, int num_tries);
        bool poll_model(const std::string& name, int poll_frequency_ms, int num_tries);
        void set_data_source(std::string source_id);
        void use_tensor_ensemble_prefix(bool use_prefix);
        void use_dataset_ensemble_prefix(bool use_prefix);
        void use_model_ensemble_prefix(bool use_prefix);
        void use_list_ensemble_prefix(bool use_prefix);

        // ---- aggregation lists
        void append_to_list(const std::string& list_name, const DataSet& dataset);
        void delete_list(const std::string& list_name);
        void copy_list(const std::string& src_name, const std::string& dest_name);
        void rename_list(const std::string& src_name, const std::string& dest_name);
        int get_list_length(const std::string& list_name);
        bool poll_list_length(const std::string& name, int list_length, int poll_frequency_ms, int num_tries);
        bool poll_list_length_gte(const std::string& name, int list_length, int poll_frequency_ms, int num_tries);
        bool poll_list_length_lte(const std::string& name, int list_length, int poll_frequency_ms, int num_tries);
        std::vector<DataSet> get_datasets_from_list(const std::string& list_name);
        std::vector<DataSet> get_dataset_list_range(const std::string& list_name, int start_index, int end_index);

        // ---- training metrics (an hpcsim extension: SmartRedis has no such call)
        // Appends (step, value) to the stream __hpcsim.metrics.<name> (never prefixed), as the C
        // API's log_metric; a bad name, step or value throws ParameterException, nothing sent.
        void log_metric(const std::string& name, int64_t step, double value);

        std::string to_string() const;

        // hpcsim: the C API handle (to mix C or Fortran calls in), owned by this object.
        void* get_c_pointer() const { return _client; }

    private:
        // Wraps the handles of a list getter's array (and frees the array).
        std::vector<DataSet> _adopt_datasets(void** handles, size_t n);
        static std::string _dataset_name(void* handle);

        void* _client = nullptr;
};

inline std::ostream& operator<<(std::ostream& stream, const Client& client)
{
    stream << client.to_string();
    return stream;
}

}  // namespace SmartRedis

#endif  // __cplusplus
#endif  // SMARTREDIS_CLIENT_H
