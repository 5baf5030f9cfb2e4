// SmartRedis::DataSet: named tensors and metadata fields stored and fetched together
// (SmartRedis 0.6.1's C++ API, over the C API of c_dataset.h). Empty under C, as in SmartRedis.
//
// add_tensor and add_meta_* copy the caller's data at once. Memory that get_tensor,
// get_meta_scalars and the char** getters return belongs to the DataSet and stays valid until it
// is destroyed. Copies are deep; a moved-from DataSet can only be destroyed or assigned to.
#ifndef SMARTREDIS_DATASET_H
#define SMARTREDIS_DATASET_H

#ifdef __cplusplus
#include <stdlib.h>

#include <cstddef>
#include <iostream>
#include <string>
#include <vector>

#include "sr_enums.h"
#include "srexception.h"
#include "srobject.h"

namespace SmartRedis {

class Client;

class DataSet : public SRObject
{
    public:
        // Names may not contain braces (they are the Redis Cluster hash tag).
        DataSet(const std::string& name);

        DataSet(const DataSet& dataset);
        DataSet& operator=(const DataSet& dataset);
        DataSet(DataSet&& dataset) noexcept;
        DataSet& operator=(DataSet&& dataset) noexcept;
        virtual ~DataSet();

        void add_tensor(const std::string& name, const void* data, const std::vector<size_t>& dims,
                        const SRTensorType type, const SRMemoryLayout mem_layout);

        // Appends one number (*data, of `type`) to field `name`.
        void add_meta_scalar(const std::string& name, const void* data, const SRMetaDataType type);

        // Appends one string to field `name`.
        void add_meta_string(const std::string& name, const std::string& data);

        void get_tensor(const std::string& name, void*& data, std::vector<size_t>& dims, SRTensorType& type,
                        const SRMemoryLayout mem_layout) const;

        void get_tensor(const std::string& name, void*& data, size_t*& dims, size_t& n_dims, SRTensorType& type,
                        const SRMemoryLayout mem_layout) const;

        void unpack_tensor(const std::string& name, void* data, const std::vector<size_t>& dims,
                           const SRTensorType type, const SRMemoryLayout mem_layout);

        void get_meta_scalars(const std::string& name, void*& data, size_t& length, SRMetaDataType& type) const;

        std::vector<std::string> get_meta_strings(const std::string& name) const;

        void get_meta_strings(const std::string& name, char**& data, size_t& n_strings, size_t*& lengths) const;

        // Whether metadata field `field_name` exists.
        bool has_field(const std::string& field_name) const;

        // Removes metadata field `field_name` (nothing when there is none).
        void clear_field(const std::string& field_name);

        std::string get_name() const { return _dsname; }

        // "" gives ParameterException.
        void set_name(std::string name);

        std::vector<std::string> get_tensor_names() const;

        void get_tensor_names(char**& data, size_t& n_strings, size_t*& lengths) const;

        // Unknown tensor: KeyException.
        SRTensorType get_tensor_type(const std::string& name) const;

        // Unknown tensor: KeyException.
        const std::vector<size_t> get_tensor_dims(const std::string& name) const;

        std::vector<std::string> get_metadata_field_names() const;

        void get_metadata_field_names(char**& data, size_t& n_strings, size_t*& lengths) const;

        // Unknown field: KeyException.
        SRMetaDataType get_metadata_field_type(const std::string& name) const;

        std::string to_string() const;

        // hpcsim: the C API handle (for the C and Fortran APIs), owned by this object.
        void* get_c_pointer() const { return _dataset; }

        friend class Client;

    private:
        // Adopts a handle from the C API.
        DataSet(void* handle, const std::string& name);

        // A new C dataset called `name` holding this one's tensors and fields, except `skip_field`.
        void* _rebuilt(const std::string& name, const std::string* skip_field) const;

        std::string _dsname;
        void* _dataset = nullptr;
};

inline std::ostream& operator<<(std::ostream& stream, const DataSet& dataset)
{
    stream << dataset.to_string();
    return stream;
}

}  // namespace SmartRedis

#endif  // __cplusplus
#endif  // SMARTREDIS_DATASET_H
