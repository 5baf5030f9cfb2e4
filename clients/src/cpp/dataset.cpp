// SmartRedis::DataSet over the C API of c_dataset.h.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "cxx_internal.hpp"
#include "dataset.h"

namespace SmartRedis {

using detail::check;
using detail::dims_ptr;
using detail::to_strings;

namespace {

// Frees a C dataset handle unless released.
class HandleGuard
{
    public:
        explicit HandleGuard(void* handle) : _handle(handle) {}
        ~HandleGuard()
        {
            if (_handle != nullptr)
                DeallocateDataSet(&_handle);
        }
        HandleGuard(const HandleGuard&) = delete;
        HandleGuard& operator=(const HandleGuard&) = delete;
        void* get() const { return _handle; }
        void* release()
        {
            void* handle = _handle;
            _handle = nullptr;
            return handle;
        }

    private:
        void* _handle;
};

size_t scalar_size(SRMetaDataType type)
{
    switch (type) {
        case SRMetadataTypeDouble:
        case SRMetadataTypeInt64:
        case SRMetadataTypeUint64:
            return 8;
        case SRMetadataTypeFloat:
        case SRMetadataTypeInt32:
        case SRMetadataTypeUint32:
            return 4;
        default:
            return 0;
    }
}

}  // namespace

DataSet::DataSet(const std::string& name) : SRObject(name), _dsname(name)
{
    check(CDataSet(name.data(), name.size(), &_dataset));
}

DataSet::DataSet(void* handle, const std::string& name) : SRObject(name), _dsname(name), _dataset(handle) {}

DataSet::DataSet(const DataSet& dataset) : SRObject(dataset), _dsname(dataset._dsname)
{
    if (dataset._dataset != nullptr)
        check(hpcsim_dataset_clone(dataset._dataset, &_dataset));
}

DataSet& DataSet::operator=(const DataSet& dataset)
{
    if (this != &dataset) {
        DataSet copy(dataset);
        *this = std::move(copy);
    }
    return *this;
}

DataSet::DataSet(DataSet&& dataset) noexcept
    : SRObject(std::move(dataset)), _dsname(std::move(dataset._dsname)), _dataset(dataset._dataset)
{
    dataset._dataset = nullptr;
}

DataSet& DataSet::operator=(DataSet&& dataset) noexcept
{
    if (this != &dataset) {
        if (_dataset != nullptr)
            DeallocateDataSet(&_dataset);
        SRObject::operator=(std::move(dataset));
        _dsname = std::move(dataset._dsname);
        _dataset = dataset._dataset;
        dataset._dataset = nullptr;
    }
    return *this;
}

DataSet::~DataSet()
{
    if (_dataset != nullptr)
        DeallocateDataSet(&_dataset);
}

void DataSet::add_tensor(const std::string& name, const void* data, const std::vector<size_t>& dims,
                         const SRTensorType type, const SRMemoryLayout mem_layout)
{
    check(::add_tensor(_dataset, name.data(), name.size(), const_cast<void*>(data), dims_ptr(dims), dims.size(), type,
                       mem_layout));
}

void DataSet::add_meta_scalar(const std::string& name, const void* data, const SRMetaDataType type)
{
    check(::add_meta_scalar(_dataset, name.data(), name.size(), data, type));
}

void DataSet::add_meta_string(const std::string& name, const std::string& data)
{
    check(::add_meta_string(_dataset, name.data(), name.size(), data.data(), data.size()));
}

void DataSet::get_tensor(const std::string& name, void*& data, std::vector<size_t>& dims, SRTensorType& type,
                         const SRMemoryLayout mem_layout) const
{
    size_t* c_dims = nullptr;
    size_t n_dims = 0;
    get_tensor(name, data, c_dims, n_dims, type, mem_layout);
    dims.assign(c_dims, c_dims + n_dims);
}

void DataSet::get_tensor(const std::string& name, void*& data, size_t*& dims, size_t& n_dims, SRTensorType& type,
                         const SRMemoryLayout mem_layout) const
{
    check(::get_dataset_tensor(_dataset, name.data(), name.size(), &data, &dims, &n_dims, &type, mem_layout));
}

void DataSet::unpack_tensor(const std::string& name, void* data, const std::vector<size_t>& dims,
                            const SRTensorType type, const SRMemoryLayout mem_layout)
{
    check(::unpack_dataset_tensor(_dataset, name.data(), name.size(), data, dims_ptr(dims), dims.size(), type,
                                  mem_layout));
}

void DataSet::get_meta_scalars(const std::string& name, void*& data, size_t& length, SRMetaDataType& type) const
{
    check(::get_meta_scalars(_dataset, name.data(), name.size(), &length, &type, &data));
}

std::vector<std::string> DataSet::get_meta_strings(const std::string& name) const
{
    char** data = nullptr;
    size_t n_strings = 0;
    size_t* lengths = nullptr;
    get_meta_strings(name, data, n_strings, lengths);
    return to_strings(data, n_strings, lengths);
}

void DataSet::get_meta_strings(const std::string& name, char**& data, size_t& n_strings, size_t*& lengths) const
{
    check(::get_meta_strings(_dataset, name.data(), name.size(), &data, &n_strings, &lengths));
}

bool DataSet::has_field(const std::string& field_name) const
{
    const std::vector<std::string> names = get_metadata_field_names();
    return std::find(names.begin(), names.end(), field_name) != names.end();
}

void DataSet::clear_field(const std::string& field_name)
{
    if (!has_field(field_name))
        return;
    void* rebuilt = _rebuilt(_dsname, &field_name);
    DeallocateDataSet(&_dataset);
    _dataset = rebuilt;
}

void DataSet::set_name(std::string name)
{
    void* rebuilt = _rebuilt(name, nullptr);
    DeallocateDataSet(&_dataset);
    _dataset = rebuilt;
    _dsname = std::move(name);
}

void* DataSet::_rebuilt(const std::string& name, const std::string* skip_field) const
{
    void* fresh = nullptr;
    // CDataSet checks the name ("" or braces: ParameterException).
    check(CDataSet(name.data(), name.size(), &fresh));
    HandleGuard guard(fresh);
    for (const std::string& tensor : get_tensor_names()) {
        void* data = nullptr;
        size_t* dims = nullptr;
        size_t n_dims = 0;
        SRTensorType type = SRTensorTypeInvalid;
        get_tensor(tensor, data, dims, n_dims, type, SRMemLayoutContiguous);
        static const size_t none = 0;
        check(::add_tensor(fresh, tensor.data(), tensor.size(), data, n_dims > 0 ? dims : &none, n_dims, type,
                           SRMemLayoutContiguous));
    }
    for (const std::string& field : get_metadata_field_names()) {
        if (skip_field != nullptr && field == *skip_field)
            continue;
        if (get_metadata_field_type(field) == SRMetadataTypeString) {
            for (const std::string& value : get_meta_strings(field))
                check(::add_meta_string(fresh, field.data(), field.size(), value.data(), value.size()));
            continue;
        }
        void* values = nullptr;
        size_t length = 0;
        SRMetaDataType type = SRMetadataTypeInvalid;
        get_meta_scalars(field, values, length, type);
        const size_t size = scalar_size(type);
        for (size_t i = 0; i < length; i++)
            check(::add_meta_scalar(fresh, field.data(), field.size(), static_cast<const char*>(values) + i * size,
                                    type));
    }
    return guard.release();
}

std::vector<std::string> DataSet::get_tensor_names() const
{
    char** data = nullptr;
    size_t n_strings = 0;
    size_t* lengths = nullptr;
    get_tensor_names(data, n_strings, lengths);
    return to_strings(data, n_strings, lengths);
}

void DataSet::get_tensor_names(char**& data, size_t& n_strings, size_t*& lengths) const
{
    check(::get_tensor_names(_dataset, &data, &n_strings, &lengths));
}

SRTensorType DataSet::get_tensor_type(const std::string& name) const
{
    SRTensorType type = SRTensorTypeInvalid;
    check(::get_tensor_type(_dataset, name.data(), name.size(), &type));
    return type;
}

const std::vector<size_t> DataSet::get_tensor_dims(const std::string& name) const
{
    std::vector<size_t> dims(8);
    for (;;) {
        size_t* buffer = dims.data();
        size_t n_dims = dims.size();
        const SRError code = ::get_tensor_dims(_dataset, name.data(), name.size(), &buffer, &n_dims);
        if (code == SRBadAllocError && n_dims > dims.size()) {
            dims.resize(n_dims);  // the C API said how many it needs
            continue;
        }
        check(code);
        dims.resize(n_dims);
        return dims;
    }
}

std::vector<std::string> DataSet::get_metadata_field_names() const
{
    char** data = nullptr;
    size_t n_strings = 0;
    size_t* lengths = nullptr;
    get_metadata_field_names(data, n_strings, lengths);
    return to_strings(data, n_strings, lengths);
}

void DataSet::get_metadata_field_names(char**& data, size_t& n_strings, size_t*& lengths) const
{
    check(::get_metadata_field_names(_dataset, &data, &n_strings, &lengths));
}

SRMetaDataType DataSet::get_metadata_field_type(const std::string& name) const
{
    SRMetaDataType type = SRMetadataTypeInvalid;
    check(::get_metadata_field_type(_dataset, name.data(), name.size(), &type));
    return type;
}

std::string DataSet::to_string() const
{
    const char* text = dataset_to_string(_dataset);
    return text != nullptr ? std::string(text) : std::string();
}

}  // namespace SmartRedis
