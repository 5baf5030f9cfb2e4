/* Bad inputs to the data functions: each must return its error code with a message naming the
 * key, field or argument, and change nothing. Mode "corrupt": read the damaged values that
 * tests/native/test_c_data.py wrote with redis-py. */
#include "data_test.h"

static void bad_arguments(void* client) {
    double x[6] = {0};
    size_t d1 = 6, d2[2] = {2, 3}, d32[2] = {3, 2}, d3[3] = {1, 2, 3}, big[256];
    for (int i = 0; i < 256; i++) big[i] = 1;
    void* data = NULL;
    size_t* dims = NULL;
    size_t n = 0;
    SRTensorType type;
    EXPECT(SRParameterError, put_tensor(NULL, S("t"), x, &d1, 1, SRTensorTypeDouble, SRMemLayoutContiguous), "c_client");
    EXPECT(SRParameterError, put_tensor(client, NULL, 1, x, &d1, 1, SRTensorTypeDouble, SRMemLayoutContiguous), "name");
    EXPECT(SRParameterError, put_tensor(client, S("t_null"), NULL, &d1, 1, SRTensorTypeDouble, SRMemLayoutContiguous),
           "t_null", "data is NULL");
    EXPECT(SRParameterError, put_tensor(client, S("t_dims"), x, NULL, 2, SRTensorTypeDouble, SRMemLayoutContiguous),
           "t_dims", "dims is NULL");
    EXPECT(SRTypeError, put_tensor(client, S("t_type"), x, &d1, 1, (SRTensorType)99, SRMemLayoutContiguous), "t_type",
           "unknown tensor type 99");
    EXPECT(SRTypeError, put_tensor(client, S("t_type0"), x, &d1, 1, SRTensorTypeInvalid, SRMemLayoutContiguous),
           "t_type0");
    EXPECT(SRRuntimeError, put_tensor(client, S("t_fn"), x, d2, 2, SRTensorTypeDouble, SRMemLayoutFortranNested),
           "t_fn", "FortranNested");
    EXPECT(SRParameterError, put_tensor(client, S("t_lay"), x, d2, 2, SRTensorTypeDouble, (SRMemoryLayout)42), "t_lay",
           "memory layout 42");
    EXPECT(SRParameterError, put_tensor(client, S("t_rank"), x, big, 256, SRTensorTypeDouble, SRMemLayoutContiguous),
           "t_rank", "256 dimensions");
    double* rows[2] = {x, NULL};
    EXPECT(SRParameterError, put_tensor(client, S("t_rows"), rows, d2, 2, SRTensorTypeDouble, SRMemLayoutNested),
           "t_rows", "row pointer");
    bool exists = true;
    OK(tensor_exists(client, S("t_rows"), &exists));
    CHECK(!exists, "a failed put_tensor stored t_rows");
    /* missing keys */
    EXPECT(SRKeyError, get_tensor(client, S("t_missing"), &data, &dims, &n, &type, SRMemLayoutContiguous), "t_missing");
    EXPECT(SRKeyError, unpack_tensor(client, S("t_missing"), x, &d1, 1, SRTensorTypeDouble, SRMemLayoutContiguous),
           "t_missing");
    EXPECT(SRKeyError, copy_tensor(client, S("t_missing"), S("t_other")), "no tensor", "t_missing");
    EXPECT(SRKeyError, rename_tensor(client, S("t_missing"), S("t_other")), "no tensor", "t_missing");
    /* unpack into the wrong buffer */
    OK(put_tensor(client, S("t_ok"), x, d2, 2, SRTensorTypeDouble, SRMemLayoutContiguous));
    float f[6];
    EXPECT(SRRuntimeError, unpack_tensor(client, S("t_ok"), f, &d1, 1, SRTensorTypeFloat, SRMemLayoutContiguous), "t_ok",
           "float64", "float32");
    EXPECT(SRRuntimeError, unpack_tensor(client, S("t_ok"), x, d3, 1, SRTensorTypeDouble, SRMemLayoutContiguous), "t_ok",
           "[2, 3]");
    double* r3[3] = {x, x + 2, x + 4};
    EXPECT(SRRuntimeError, unpack_tensor(client, S("t_ok"), r3, d32, 2, SRTensorTypeDouble, SRMemLayoutNested),
           "t_ok", "nested");
    EXPECT(SRRuntimeError, get_tensor(client, S("t_ok"), &data, &dims, &n, &type, SRMemLayoutFortranNested), "t_ok");
    EXPECT(SRParameterError, get_tensor(client, S("t_ok"), NULL, &dims, &n, &type, SRMemLayoutContiguous), "data");
    EXPECT(SRParameterError, poll_tensor(client, S("t_ok"), -1, 3, &exists), "poll_frequency_ms");
    /* datasets */
    void* ds = NULL;
    EXPECT(SRParameterError, CDataSet(S("a{b}"), &ds), "a{b}", "braces");
    EXPECT(SRParameterError, CDataSet("", 0, &ds), "non-empty");
    OK(CDataSet(S("bad_ds"), &ds));
    EXPECT(SRParameterError, put_dataset(client, ds) == SRRuntimeError ? SRParameterError : SRNoError, "empty");
    EXPECT(SRParameterError, add_tensor(ds, S("meta"), x, &d1, 1, SRTensorTypeDouble, SRMemLayoutContiguous), "meta");
    EXPECT(SRTypeError, add_tensor(ds, S("u"), x, &d1, 1, (SRTensorType)15, SRMemLayoutContiguous), "'u'", "15");
    int32_t i32 = 1;
    EXPECT(SRParameterError, add_meta_scalar(ds, S(".COMPLETE"), &i32, SRMetadataTypeInt32), ".COMPLETE", "reserved");
    EXPECT(SRTypeError, add_meta_scalar(ds, S("s"), &i32, SRMetadataTypeString), "'s'", "add_meta_string");
    OK(add_meta_scalar(ds, S("count"), &i32, SRMetadataTypeInt32));
    EXPECT(SRTypeError, add_meta_scalar(ds, S("count"), &x[0], SRMetadataTypeDouble), "count", "int32", "float64");
    EXPECT(SRTypeError, add_meta_string(ds, S("count"), S("x")), "count", "int32", "string");
    char** strings = NULL;
    size_t* lengths = NULL;
    EXPECT(SRTypeError, get_meta_strings(ds, S("count"), &strings, &n, &lengths), "count", "get_meta_scalars");
    EXPECT(SRKeyError, get_meta_scalars(ds, S("nothing"), &n, (SRMetaDataType*)&type, &data), "bad_ds", "nothing");
    OK(add_tensor(ds, S("u"), x, d3, 3, SRTensorTypeDouble, SRMemLayoutContiguous));
    size_t room = 2, buf[2];
    size_t* p = buf;
    EXPECT(SRBadAllocError, get_tensor_dims(ds, S("u"), &p, &room), "'u'", "3 dimensions");
    CHECK(room == 3, "get_tensor_dims did not report the size needed (%zu)", room);
    EXPECT(SRKeyError, get_dataset_tensor(ds, S("v"), &data, &dims, &n, &type, SRMemLayoutContiguous), "bad_ds", "'v'");
    EXPECT(SRRuntimeError, unpack_dataset_tensor(ds, S("u"), x, (size_t[]){2, 2}, 2, SRTensorTypeDouble, SRMemLayoutContiguous),
           "'u'", "[1, 2, 3]");
    EXPECT(SRParameterError, add_tensor(client, S("u"), x, &d1, 1, SRTensorTypeDouble, SRMemLayoutContiguous),
           "not a DataSet");
    OK(DeallocateDataSet(&ds));
    EXPECT(SRKeyError, get_dataset(client, S("no_ds"), &ds), "no dataset", "{no_ds}");
    EXPECT(SRKeyError, delete_dataset(client, S("no_ds")), "{no_ds}");
    EXPECT(SRKeyError, copy_dataset(client, S("no_ds"), S("other_ds")), "{no_ds}");
    EXPECT(SRKeyError, copy_list(client, S("no_list"), S("other_list")), "no list", "no_list");
    EXPECT(SRParameterError, poll_list_length(client, S("no_list"), -1, 5, 1, &exists), "list_length");
    EXPECT(SRParameterError, get_list_length(client, "", 0, &i32), "empty");
    /* models: arguments are checked before anything is sent */
    EXPECT(SRParameterError,
           set_model(client, S("m"), S("blob"), S("PYTORCH"), S("CPU"), 0, 0, 0, "", 0, NULL, NULL, 0, NULL, NULL, 0),
           "PYTORCH", "TF, TFLITE, TORCH, ONNX");
    EXPECT(SRParameterError,
           set_model(client, S("m"), S("blob"), S("torch"), S("TPU"), 0, 0, 0, "", 0, NULL, NULL, 0, NULL, NULL, 0),
           "TPU");
    EXPECT(SRParameterError,
           set_model(client, S("m"), S("blob"), S("TF"), S("CPU"), 0, 0, 0, "", 0, NULL, NULL, 0, NULL, NULL, 0),
           "TF model needs");
    EXPECT(SRParameterError,
           set_model(client, S("m"), S("blob"), S("ONNX"), S("CPU"), 0, 2, 0, "", 0, NULL, NULL, 0, NULL, NULL, 0),
           "batch_size > 0");
    EXPECT(SRParameterError, set_model_from_file(client, S("m"), S("/nonexistent/model.pt"), S("TORCH"), S("CPU"), 0, 0,
                                                 0, "", 0, NULL, NULL, 0, NULL, NULL, 0),
           "/nonexistent/model.pt");
    EXPECT(SRParameterError, set_model_multigpu(client, S("m"), S("blob"), S("TORCH"), -1, 1, 0, 0, 0, "", 0, NULL, NULL,
                                                0, NULL, NULL, 0),
           "first_gpu");
    const char* in[] = {"t_ok"};
    size_t in_len[] = {4};
    EXPECT(SRParameterError, run_model(client, S("m"), in, in_len, 1, NULL, NULL, 0), "output");
    EXPECT(SRKeyError, get_model(client, S("no_model"), &n, (const char**)&data), "no model", "no_model");
    EXPECT(SRKeyError, delete_script(client, S("no_script")), "no script", "no_script");
    OK(model_exists(client, S("t_ok"), &exists)); /* a tensor is no model */
    CHECK(!exists, "model_exists is true for a tensor");
}

static const char* CORRUPT[] = {"bad_magic", "bad_version", "bad_dtype", "bad_short", "bad_trunc", "bad_long",
                                "bad_header"};

static void corrupt(void* client) {
    void* data = NULL;
    size_t* dims = NULL;
    size_t n = 0, four = 4;
    SRTensorType type;
    double x[4];
    const char* why[] = {"no 'HPTN' header", "version 7", "dtype code 99", "(3 bytes)", "does not match shape",
                         "does not match shape", "truncated tensor header"};
    for (size_t i = 0; i < sizeof CORRUPT / sizeof CORRUPT[0]; i++) {
        EXPECT(SRRuntimeError, get_tensor(client, S(CORRUPT[i]), &data, &dims, &n, &type, SRMemLayoutContiguous),
               CORRUPT[i], why[i]);
        EXPECT(SRRuntimeError, unpack_tensor(client, S(CORRUPT[i]), x, &four, 1, SRTensorTypeDouble, SRMemLayoutContiguous),
               CORRUPT[i], why[i]);
    }
    EXPECT(SRRuntimeError, get_tensor(client, S("bad_kind"), &data, &dims, &n, &type, SRMemLayoutContiguous), "bad_kind",
           "WRONGTYPE");
    void* ds = NULL;
    EXPECT(SRRuntimeError, get_dataset(client, S("bad_ds_tensor"), &ds), "{bad_ds_tensor}.u", "no 'HPTN' header");
    EXPECT(SRRuntimeError, get_dataset(client, S("bad_ds_field"), &ds), "field", "type byte");
    EXPECT(SRRuntimeError, get_dataset(client, S("bad_ds_gone"), &ds), "{bad_ds_gone}", "missing");
    CHECK(ds == NULL, "a failed get_dataset returned a dataset");
}

int main(int argc, char** argv) {
    void* client = test_client("data_errors");
    if (argc > 1 && strcmp(argv[1], "corrupt") == 0) corrupt(client);
    else bad_arguments(client);
    OK(DeleteCClient(&client));
    printf("ok\n");
    return 0;
}
