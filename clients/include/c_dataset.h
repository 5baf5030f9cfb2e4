/* hpcsim native client: the DataSet C API, source-compatible with SmartRedis 0.6.1's c_dataset.h.
 *
 * A dataset handle (`void* dataset`) comes from CDataSet (or get_dataset and the list getters of
 * c_client.h) and is freed with DeallocateDataSet. add_tensor and add_meta_* copy the caller's
 * data at once. Memory returned by the get_* functions below belongs to the dataset and stays
 * valid until DeallocateDataSet; dataset_to_string returns a per-thread buffer that the next call
 * overwrites. Every function returns SRNoError or an error code, with SRGetLastError() naming
 * the dataset, tensor or field. Tensor types 9-14 of hpcsim_types.h are accepted as well. */
#ifndef HPCSIM_C_DATASET_H
#define HPCSIM_C_DATASET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdlib.h>

#include "sr_enums.h"
#include "srexception.h"

#ifdef __cplusplus
extern "C" {
#endif

/* A new empty dataset called `name` (no braces allowed: they are the Redis Cluster hash tag). */
SRError CDataSet(const char* name, size_t name_length, void** new_dataset);

/* Frees the dataset and everything it returned, and sets *dataset = NULL. */
SRError DeallocateDataSet(void** dataset);

/* Adds (or replaces) tensor `name`, copying `data` laid out as `mem_layout` says. */
SRError add_tensor(void* dataset, const char* name, size_t name_length, void* data, const size_t* dims,
                   size_t n_dims, SRTensorType type, SRMemoryLayout mem_layout);

/* Appends one number (*data of `type`) to metadata field `name`. */
SRError add_meta_scalar(void* dataset, const char* name, size_t name_length, const void* data, SRMetaDataType type);

/* Appends one string to metadata field `name`. */
SRError add_meta_string(void* dataset, const char* name, size_t name_length, const char* data, size_t data_length);

/* The tensor `name` in dataset-owned memory laid out as `mem_layout` (Nested: a pointer tree). */
SRError get_dataset_tensor(void* dataset, const char* name, size_t name_length, void** data, size_t** dims,
                           size_t* n_dims, SRTensorType* type, SRMemoryLayout mem_layout);

/* Copies tensor `name` into the caller's `data`; the type and element count must match. */
SRError unpack_dataset_tensor(void* dataset, const char* name, size_t name_length, void* data, const size_t* dims,
                              size_t n_dims, SRTensorType type, SRMemoryLayout mem_layout);

/* The numbers of metadata field `name` (dataset-owned). */
SRError get_meta_scalars(void* dataset, const char* name, size_t name_length, size_t* length, SRMetaDataType* type,
                         void** scalar_data);

/* The strings of metadata field `name` (dataset-owned, NUL-terminated, with their lengths). */
SRError get_meta_strings(void* dataset, const char* name, size_t name_length, char*** data, size_t* n_strings,
                         size_t** lengths);

/* The dataset's tensor names, in the order they were added (none: NULL, 0, NULL). */
SRError get_tensor_names(void* dataset, char*** data, size_t* n_strings, size_t** lengths);

SRError get_tensor_type(void* dataset, const char* name, size_t name_len, SRTensorType* ttype);

/* In/out: *dims is the caller's buffer of *ndims entries; *ndims receives the rank. A buffer that
 * is too small gives SRBadAllocError with *ndims set to the size needed. */
SRError get_tensor_dims(void* dataset, const char* name, size_t name_len, size_t** dims, size_t* ndims);

SRError get_metadata_field_names(void* dataset, char*** data, size_t* n_strings, size_t** lengths);

SRError get_metadata_field_type(void* dataset, const char* name, size_t name_len, SRMetaDataType* mdtype);

/* One-line description of the dataset (per-thread buffer, overwritten by the next call). */
const char* dataset_to_string(void* dataset);

#ifdef __cplusplus
}
#endif

#endif
