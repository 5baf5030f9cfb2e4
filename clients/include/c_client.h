/* The hpcsim C client, with SmartRedis 0.6.1's C API (same names, signatures and codes).
 *
 * Conventions: a `void* c_client` comes from SimpleCreateClient/CreateClient and is freed by
 * DeleteCClient. Strings are passed as (pointer, length) and need no NUL. Every function
 * except client_to_string returns an SRError; on failure SRGetLastError() says why, naming the
 * key or the server. One client must not be used by two threads at once (give each thread or
 * MPI rank its own client). */
#ifndef SMARTREDIS_C_CLIENT_H
#define SMARTREDIS_C_CLIENT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "sr_enums.h"
#include "srexception.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ---- lifecycle ------------------------------------------------------------------------ */
/* A client configured from the environment (SSDB / HPCSIM_DB ..., no suffix). */
SRError SimpleCreateClient(const char* logger_name, const size_t logger_name_length, void** new_client);
/* A client configured by a ConfigOptions (which is copied; the caller keeps it). */
SRError CreateClient(void* config_options, const char* logger_name, const size_t logger_name_length,
                     void** new_client);
/* Deprecated: `cluster` overrides the database type. */
SRError SmartRedisCClient(bool cluster, const char* logger_name, const size_t logger_name_length,
                          void** new_client);
/* Frees the client and everything it owns (get_tensor buffers ...) and sets *c_client = NULL. */
SRError DeleteCClient(void** c_client);
/* A description of the client; the buffer is overwritten by the next call. */
const char* client_to_string(void* c_client);

/* ---- datasets ----------------------------------------------------------------------------- */
SRError put_dataset(void* c_client, void* dataset);
/* *dataset is a new DataSet; free it with DeallocateDataSet. */
SRError get_dataset(void* c_client, const char* name, const size_t name_length, void** dataset);
SRError rename_dataset(void* c_client, const char* old_name, const size_t old_name_length, const char* new_name,
                       const size_t new_name_length);
SRError copy_dataset(void* c_client, const char* src_name, const size_t src_name_length, const char* dest_name,
                     const size_t dest_name_length);
SRError delete_dataset(void* c_client, const char* name, const size_t name_length);

/* ---- tensors ------------------------------------------------------------------------------ */
SRError put_tensor(void* c_client, const char* name, const size_t name_length, void* data, const size_t* dims,
                   const size_t n_dims, SRTensorType type, SRMemoryLayout mem_layout);
/* *data and *dims belong to the client until DeleteCClient. */
SRError get_tensor(void* c_client, const char* name, const size_t name_length, void** data, size_t** dims,
                   size_t* n_dims, SRTensorType* type, SRMemoryLayout mem_layout);
SRError unpack_tensor(void* c_client, const char* name, const size_t name_length, void* result, const size_t* dims,
                      const size_t n_dims, SRTensorType type, SRMemoryLayout mem_layout);
SRError rename_tensor(void* c_client, const char* old_name, const size_t old_name_length, const char* new_name,
                      const size_t new_name_length);
SRError delete_tensor(void* c_client, const char* name, const size_t name_length);
SRError copy_tensor(void* c_client, const char* src_name, const size_t src_name_length, const char* dest_name,
                    const size_t dest_name_length);

/* ---- models and scripts ------------------------------------------------------------------- */
bool _isTensorFlow(const char* backend);
void _check_params_set_model(void* c_client, const char* name, const char* backend, const char** inputs,
                             const size_t* input_lengths, const size_t n_inputs, const char** outputs,
                             const size_t* output_lengths, const size_t n_outputs);
SRError set_model_from_file(void* c_client, const char* name, const size_t name_length, const char* model_file,
                            const size_t model_file_length, const char* backend, const size_t backend_length,
                            const char* device, const size_t device_length, const int batch_size,
                            const int min_batch_size, const int min_batch_timeout, const char* tag,
                            const size_t tag_length, const char** inputs, const size_t* input_lengths,
                            const size_t n_inputs, const char** outputs, const size_t* output_lengths,
                            const size_t n_outputs);
SRError set_model_from_file_multigpu(void* c_client, const char* name, const size_t name_length,
                                     const char* model_file, const size_t model_file_length, const char* backend,
                                     const size_t backend_length, const int first_gpu, const int num_gpus,
                                     const int batch_size, const int min_batch_size, const int min_batch_timeout,
                                     const char* tag, const size_t tag_length, const char** inputs,
                                     const size_t* input_lengths, const size_t n_inputs, const char** outputs,
                                     const size_t* output_lengths, const size_t n_outputs);
SRError set_model(void* c_client, const char* name, const size_t name_length, const char* model,
                  const size_t model_length, const char* backend, const size_t backend_length, const char* device,
                  const size_t device_length, const int batch_size, const int min_batch_size,
                  const int min_batch_timeout, const char* tag, const size_t tag_length, const char** inputs,
                  const size_t* input_lengths, const size_t n_inputs, const char** outputs,
                  const size_t* output_lengths, const size_t n_outputs);
SRError set_model_multigpu(void* c_client, const char* name, const size_t name_length, const char* model,
                           const size_t model_length, const char* backend, const size_t backend_length,
                           const int first_gpu, const int num_gpus, const int batch_size, const int min_batch_size,
                           const int min_batch_timeout, const char* tag, const size_t tag_length,
                           const char** inputs, const size_t* input_lengths, const size_t n_inputs,
                           const char** outputs, const size_t* output_lengths, const size_t n_outputs);
/* *model (not NUL-terminated) belongs to the client until DeleteCClient. */
SRError get_model(void* c_client, const char* name, const size_t name_length, size_t* model_length,
                  const char** model);
SRError set_script_from_file(void* c_client, const char* name, const size_t name_length, const char* device,
                             const size_t device_length, const char* script_file, const size_t script_file_length);
SRError set_script_from_file_multigpu(void* c_client, const char* name, const size_t name_length,
                                      const char* script_file, const size_t script_file_length,
                                      const int first_gpu, const int num_gpus);
SRError set_script(void* c_client, const char* name, const size_t name_length, const char* device,
                   const size_t device_length, const char* script, const size_t script_length);
SRError set_script_multigpu(void* c_client, const char* name, const size_t name_length, const char* script,
                            const size_t script_length, const int first_gpu, const int num_gpus);
/* *script (not NUL-terminated) belongs to the client until DeleteCClient. */
SRError get_script(void* c_client, const char* name, const size_t name_length, const char** script,
                   size_t* script_length);
void _check_params_run_script(void* c_client, const char* name, const char* function, const char** inputs,
                              const size_t* input_lengths, const size_t n_inputs, const char** outputs,
                              const size_t* output_lengths, const size_t n_outputs);
SRError run_script(void* c_client, const char* name, const size_t name_length, const char* function,
                   const size_t function_length, const char** inputs, const size_t* input_lengths,
                   const size_t n_inputs, const char** outputs, const size_t* output_lengths,
                   const size_t n_outputs);
SRError run_script_multigpu(void* c_client, const char* name, const size_t name_length, const char* function,
                            const size_t function_length, const char** inputs, const size_t* input_lengths,
                            const size_t n_inputs, const char** outputs, const size_t* output_lengths,
                            const size_t n_outputs, const int offset, const int first_gpu, const int num_gpus);
void _check_params_run_model(void* c_client, const char* name, const char** inputs, const size_t* input_lengths,
                             const size_t n_inputs, const char** outputs, const size_t* output_lengths,
                             const size_t n_outputs);
SRError run_model(void* c_client, const char* name, const size_t name_length, const char** inputs,
                  const size_t* input_lengths, const size_t n_inputs, const char** outputs,
                  const size_t* output_lengths, const size_t n_outputs);
SRError run_model_multigpu(void* c_client, const char* name, const size_t name_length, const char** inputs,
                           const size_t* input_lengths, const size_t n_inputs, const char** outputs,
                           const size_t* output_lengths, const size_t n_outputs, const int offset,
                           const int first_gpu, const int num_gpus);
SRError delete_model(void* c_client, const char* name, const size_t name_length);
SRError delete_model_multigpu(void* c_client, const char* name, const size_t name_length, const int first_gpu,
                              const int num_gpus);
SRError delete_script(void* c_client, const char* name, const size_t name_length);
SRError delete_script_multigpu(void* c_client, const char* name, const size_t name_length, const int first_gpu,
                               const int num_gpus);

/* ---- existence, polling, prefixes ------------------------------------------------------ */
/* `key` is used as is (no prefix). */
SRError key_exists(void* c_client, const char* key, const size_t key_length, bool* exists);
SRError tensor_exists(void* c_client, const char* name, const size_t name_length, bool* exists);
SRError model_exists(void* c_client, const char* name, const size_t name_length, bool* exists);
SRError dataset_exists(void* c_client, const char* name, const size_t name_length, bool* exists);
/* Checks up to num_tries times, poll_frequency_ms apart; not found in time: SRNoError and
 * *exists = false. */
SRError poll_key(void* c_client, const char* key, const size_t key_length, const int poll_frequency_ms,
                 const int num_tries, bool* exists);
SRError poll_model(void* c_client, const char* name, const size_t name_length, const int poll_frequency_ms,
                   const int num_tries, bool* exists);
SRError poll_tensor(void* c_client, const char* name, const size_t name_length, const int poll_frequency_ms,
                    const int num_tries, bool* exists);
SRError poll_dataset(void* c_client, const char* name, const size_t name_length, const int poll_frequency_ms,
                     const int num_tries, bool* exists);
/* Reads get keys from the producer `source_id` (one of the entries of SSKEYIN/HPCSIM_KEYIN). */
SRError set_data_source(void* c_client, const char* source_id, const size_t source_id_length);
SRError use_model_ensemble_prefix(void* c_client, bool use_prefix);   /* default off */
SRError use_tensor_ensemble_prefix(void* c_client, bool use_prefix);  /* default on */
SRError use_dataset_ensemble_prefix(void* c_client, bool use_prefix); /* default on */
SRError use_list_ensemble_prefix(void* c_client, bool use_prefix);    /* default on */

/* ---- aggregation lists ------------------------------------------------------------------- */
SRError append_to_list(void* c_client, const char* list_name, const size_t list_name_length, const void* dataset);
SRError delete_list(void* c_client, const char* list_name, const size_t list_name_length);
SRError copy_list(void* c_client, const char* src_name, const size_t src_name_length, const char* dest_name,
                  const size_t dest_name_length);
SRError rename_list(void* c_client, const char* src_name, const size_t src_name_length, const char* dest_name,
                    const size_t dest_name_length);
SRError get_list_length(void* c_client, const char* list_name, const size_t list_name_length,
                        int* result_length);
SRError poll_list_length(void* c_client, const char* name, const size_t name_length, int list_length,
                         int poll_frequency_ms, int num_tries, bool* poll_result);
SRError poll_list_length_gte(void* c_client, const char* name, const size_t name_length, int list_length,
                             int poll_frequency_ms, int num_tries, bool* poll_result);
SRError poll_list_length_lte(void* c_client, const char* name, const size_t name_length, int list_length,
                             int poll_frequency_ms, int num_tries, bool* poll_result);
/* *datasets is a malloc'ed array of new DataSets (NULL when empty): free each with
 * DeallocateDataSet and the array with hpcsim_free. */
SRError get_datasets_from_list(void* c_client, const char* list_name, const size_t list_name_length,
                               void*** datasets, size_t* num_datasets);
SRError get_dataset_list_range(void* c_client, const char* list_name, const size_t list_name_length,
                               const int start_index, const int end_index, void*** datasets,
                               size_t* num_datasets);
/* As get_dataset_list_range, into the caller's array of end-start+1 handles (for Fortran). */
SRError _get_dataset_list_range_allocated(void* c_client, const char* list_name, const size_t list_name_length,
                                          const int start_index, const int end_index, void** datasets);

/* ---- training metrics (an hpcsim extension: SmartRedis has no such call) ------------------ */
/* Appends the point (step, value) to the metric `name`:
 *   XADD __hpcsim.metrics.<name> MAXLEN ~ 100000 * step <step> value <value>
 * with the value printed so that it reads back exactly; the key is never prefixed. `name` must
 * be non-empty without whitespace, step >= 0 and value finite, else SRParameterError and
 * nothing is sent. Read back with XRANGE __hpcsim.metrics.<name> - +. */
SRError log_metric(void* c_client, const char* name, const size_t name_length, const int64_t step,
                   const double value);

#ifdef __cplusplus
}
#endif

#endif /* SMARTREDIS_C_CLIENT_H */
