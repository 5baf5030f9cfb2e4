/* Datasets and aggregation lists from C. Modes: none (round trips within C), "put" (write a
 * dataset and a list for Python to check), "check" (read the ones Python wrote). */
#include "data_test.h"

static const double F64[6] = {0.5, 1.5, 2.5, 3.5, 4.5, 5.5};
static const int64_t I64[4] = {-4, 3, INT64_MAX, INT64_MIN};

static void fill(void* ds, int tag) {
    size_t d2[2] = {2, 3}, d1 = 4;
    OK(add_tensor(ds, S("f64"), (void*)F64, d2, 2, SRTensorTypeDouble, SRMemLayoutContiguous));
    OK(add_tensor(ds, S("i64"), (void*)I64, &d1, 1, SRTensorTypeInt64, SRMemLayoutContiguous));
    uint8_t flags[4] = {1, 0, 1, 1};
    OK(add_tensor(ds, S("mask"), flags, &d1, 1, HPCSIM_TENSOR_BOOL, SRMemLayoutContiguous));
    double d = 3.25;
    float f = -1.5f;
    int32_t i32 = -7;
    int64_t i64 = (int64_t)tag * 1000000000000LL;
    uint32_t u32 = 4000000000u;
    uint64_t u64 = UINT64_MAX;
    OK(add_meta_scalar(ds, S("m_f64"), &d, SRMetadataTypeDouble));
    OK(add_meta_scalar(ds, S("m_f32"), &f, SRMetadataTypeFloat));
    OK(add_meta_scalar(ds, S("m_i32"), &i32, SRMetadataTypeInt32));
    OK(add_meta_scalar(ds, S("m_i64"), &i64, SRMetadataTypeInt64));
    OK(add_meta_scalar(ds, S("m_u32"), &u32, SRMetadataTypeUint32));
    OK(add_meta_scalar(ds, S("m_u32"), &u32, SRMetadataTypeUint32));
    OK(add_meta_scalar(ds, S("m_u64"), &u64, SRMetadataTypeUint64));
    OK(add_meta_string(ds, S("m_str"), S("hello")));
    OK(add_meta_string(ds, S("m_str"), S("w\xc3\xb6rld")));
    OK(add_meta_string(ds, S("m_str"), "", 0));
}

/* Checks a dataset written by fill() (from C or by the Python mirror in test_c_data.py). */
static void check(void* ds, int tag) {
    void* data = NULL;
    size_t* dims = NULL;
    size_t n = 0, cap = 4, got_dims[4];
    SRTensorType type;
    OK(get_dataset_tensor(ds, S("f64"), &data, &dims, &n, &type, SRMemLayoutContiguous));
    CHECK(type == SRTensorTypeDouble && n == 2 && dims[0] == 2 && dims[1] == 3, "f64: wrong type or dims");
    CHECK(memcmp(data, F64, sizeof F64) == 0, "f64: the elements differ");
    OK(get_dataset_tensor(ds, S("f64"), &data, &dims, &n, &type, SRMemLayoutNested));
    CHECK(((double**)data)[1][2] == 5.5, "f64: the nested view is wrong");
    double cols[6];
    OK(unpack_dataset_tensor(ds, S("f64"), cols, dims, 2, SRTensorTypeDouble, SRMemLayoutFortranContiguous));
    CHECK(cols[1] == 3.5 && cols[2] == 1.5, "f64: the Fortran unpack is wrong");
    int64_t i64s[4];
    size_t four = 4;
    OK(unpack_dataset_tensor(ds, S("i64"), i64s, &four, 1, SRTensorTypeInt64, SRMemLayoutContiguous));
    CHECK(memcmp(i64s, I64, sizeof I64) == 0, "i64: the elements differ");
    OK(get_tensor_type(ds, S("mask"), &type));
    CHECK(type == HPCSIM_TENSOR_BOOL, "mask: type %d", (int)type);
    size_t* p = got_dims;
    OK(get_tensor_dims(ds, S("f64"), &p, &cap));
    CHECK(cap == 2 && got_dims[1] == 3, "get_tensor_dims: wrong dims");
    char** names = NULL;
    size_t* lens = NULL;
    OK(get_tensor_names(ds, &names, &n, &lens));
    CHECK(n == 3 && strcmp(names[0], "f64") == 0 && strcmp(names[2], "mask") == 0 && lens[1] == 3, "tensor names");
    void* scalars = NULL;
    SRMetaDataType mtype;
    OK(get_meta_scalars(ds, S("m_u32"), &n, &mtype, &scalars));
    CHECK(n == 2 && mtype == SRMetadataTypeUint32 && ((uint32_t*)scalars)[1] == 4000000000u, "m_u32");
    OK(get_meta_scalars(ds, S("m_i64"), &n, &mtype, &scalars));
    CHECK(n == 1 && mtype == SRMetadataTypeInt64 && *(int64_t*)scalars == (int64_t)tag * 1000000000000LL, "m_i64");
    OK(get_meta_scalars(ds, S("m_f32"), &n, &mtype, &scalars));
    CHECK(mtype == SRMetadataTypeFloat && *(float*)scalars == -1.5f, "m_f32");
    OK(get_meta_scalars(ds, S("m_u64"), &n, &mtype, &scalars));
    CHECK(mtype == SRMetadataTypeUint64 && *(uint64_t*)scalars == UINT64_MAX, "m_u64");
    OK(get_meta_strings(ds, S("m_str"), &names, &n, &lens));
    CHECK(n == 3 && strcmp(names[1], "w\xc3\xb6rld") == 0 && lens[1] == 6 && lens[2] == 0, "m_str");
    OK(get_metadata_field_type(ds, S("m_str"), &mtype));
    CHECK(mtype == SRMetadataTypeString, "m_str type");
    OK(get_metadata_field_names(ds, &names, &n, &lens));
    CHECK(n == 7, "%zu metadata fields, expected 7", n);
}

static void self(void* client) {
    void* ds = NULL;
    bool exists = true;
    OK(CDataSet(S("c_ds"), &ds));
    fill(ds, 1);
    check(ds, 1);
    void* twin = NULL;
    OK(hpcsim_dataset_clone(ds, &twin));
    check(twin, 1);
    OK(DeallocateDataSet(&twin));
    CHECK(twin == NULL, "DeallocateDataSet did not clear the handle");
    CHECK(strstr(dataset_to_string(ds), "c_ds") != NULL, "dataset_to_string: %s", dataset_to_string(ds));
    OK(put_dataset(client, ds));
    OK(dataset_exists(client, S("c_ds"), &exists));
    CHECK(exists, "c_ds does not exist after put_dataset");
    void* back = NULL;
    OK(get_dataset(client, S("c_ds"), &back));
    check(back, 1);
    OK(DeallocateDataSet(&back));
    OK(copy_dataset(client, S("c_ds"), S("c_ds_copy")));        /* another slot in a cluster */
    OK(rename_dataset(client, S("c_ds_copy"), S("c_ds_moved")));
    OK(dataset_exists(client, S("c_ds_copy"), &exists));
    CHECK(!exists, "c_ds_copy exists after its rename");
    OK(get_dataset(client, S("c_ds_moved"), &back));
    check(back, 1);
    OK(DeallocateDataSet(&back));
    OK(delete_dataset(client, S("c_ds_moved")));
    OK(poll_dataset(client, S("c_ds_moved"), 5, 2, &exists));
    CHECK(!exists, "c_ds_moved exists after delete_dataset");
    /* lists */
    int length = -1;
    OK(delete_list(client, S("c_list")));
    for (int i = 0; i < 3; i++) {
        char name[16];
        snprintf(name, sizeof name, "c_item_%d", i);
        void* item = NULL;
        OK(CDataSet(S(name), &item));
        fill(item, i);
        OK(put_dataset(client, item));
        OK(append_to_list(client, S("c_list"), item));
        OK(DeallocateDataSet(&item));
    }
    OK(get_list_length(client, S("c_list"), &length));
    CHECK(length == 3, "list length %d", length);
    OK(poll_list_length(client, S("c_list"), 3, 5, 2, &exists));
    CHECK(exists, "poll_list_length == 3 failed");
    OK(poll_list_length_gte(client, S("c_list"), 4, 5, 2, &exists));
    CHECK(!exists, "poll_list_length_gte 4 succeeded");
    OK(poll_list_length_lte(client, S("c_list"), 3, 5, 2, &exists));
    CHECK(exists, "poll_list_length_lte 3 failed");
    void** all = NULL;
    size_t n = 0;
    OK(get_datasets_from_list(client, S("c_list"), &all, &n));
    CHECK(n == 3, "%zu datasets in the list", n);
    for (size_t i = 0; i < n; i++) {
        check(all[i], (int)i);
        OK(DeallocateDataSet(&all[i]));
    }
    hpcsim_free(all);
    OK(get_dataset_list_range(client, S("c_list"), 1, -1, &all, &n));
    CHECK(n == 2, "%zu datasets in the range", n);
    check(all[0], 1);
    for (size_t i = 0; i < n; i++) OK(DeallocateDataSet(&all[i]));
    hpcsim_free(all);
    void* two[2] = {NULL, NULL};
    OK(_get_dataset_list_range_allocated(client, S("c_list"), 0, 1, two));
    check(two[1], 1);
    OK(DeallocateDataSet(&two[0]));
    OK(DeallocateDataSet(&two[1]));
    OK(copy_list(client, S("c_list"), S("c_list2")));
    OK(rename_list(client, S("c_list2"), S("c_list3")));
    OK(get_list_length(client, S("c_list2"), &length));
    CHECK(length == 0, "c_list2 still has %d entries", length);
    OK(get_list_length(client, S("c_list3"), &length));
    CHECK(length == 3, "c_list3 has %d entries", length);
    OK(delete_list(client, S("c_list3")));
    OK(get_datasets_from_list(client, S("c_list3"), &all, &n));
    CHECK(n == 0 && all == NULL, "a deleted list still has %zu datasets", n);
    OK(DeallocateDataSet(&ds));
}

int main(int argc, char** argv) {
    void* client = test_client("data_datasets");
    const char* mode = argc > 1 ? argv[1] : "self";
    if (strcmp(mode, "put") == 0) {
        void* ds = NULL;
        OK(CDataSet(S("from_c"), &ds));
        fill(ds, 5);
        OK(put_dataset(client, ds));
        OK(append_to_list(client, S("c_refs"), ds));
        OK(append_to_list(client, S("c_refs"), ds));
        OK(DeallocateDataSet(&ds));
    } else if (strcmp(mode, "check") == 0) {
        void* ds = NULL;
        OK(get_dataset(client, S("from_py"), &ds));
        check(ds, 6);
        OK(DeallocateDataSet(&ds));
        void** all = NULL;
        size_t n = 0;
        OK(get_datasets_from_list(client, S("py_refs"), &all, &n));
        CHECK(n == 2, "%zu datasets in py_refs", n);
        for (size_t i = 0; i < n; i++) {
            check(all[i], 6);
            OK(DeallocateDataSet(&all[i]));
        }
        hpcsim_free(all);
    } else {
        self(client);
    }
    OK(DeleteCClient(&client));
    printf("ok\n");
    return 0;
}
