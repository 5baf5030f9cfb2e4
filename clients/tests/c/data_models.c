/* Models and scripts from C through the inference worker. Without the environment variables
 * DATA_TEST_MODEL (a TorchScript file: 6 float32 inputs -> 3 outputs) and DATA_TEST_SCRIPT (a
 * script with negate(x) and add(a, b)), which tests/native/test_c_data.py sets against a
 * database that hpcsim started, it only checks that a run fails cleanly. Mode "noworker": the
 * server has no worker, and every run or store must say so, naming the server. Mode
 * "run-fails MODEL CODE TEXT": running MODEL must fail with that code and message. */
#include "data_test.h"

static char* slurp(const char* path, size_t* n) {
    FILE* f = fopen(path, "rb");
    CHECK(f != NULL, "cannot open %s", path);
    char* buf = malloc(1 << 24);
    *n = fread(buf, 1, 1 << 24, f);
    fclose(f);
    return buf;
}

static void put_x(void* client, const char* name) {
    float x[30];
    size_t dims[2] = {5, 6};
    for (int i = 0; i < 30; i++) x[i] = (float)(i % 7) * 0.25f - 0.5f;
    OK(put_tensor(client, S(name), x, dims, 2, SRTensorTypeFloat, SRMemLayoutContiguous));
}

static void with_worker(void* client, const char* model_file, const char* script_file) {
    bool exists = false;
    size_t n = 0, size = 0;
    OK(set_model_from_file(client, S("c_mlp"), S(model_file), S("torch"), S("cpu"), 0, 0, 0, S("v1"), NULL, NULL, 0, NULL,
                           NULL, 0));
    OK(model_exists(client, S("c_mlp"), &exists));
    CHECK(exists, "c_mlp does not exist after set_model_from_file");
    OK(poll_model(client, S("c_mlp"), 5, 2, &exists));
    CHECK(exists, "poll_model did not find c_mlp");
    const char* blob = NULL;
    char* file = slurp(model_file, &size);
    OK(get_model(client, S("c_mlp"), &n, &blob));
    CHECK(n == size && memcmp(blob, file, n) == 0, "get_model returned %zu bytes, the file has %zu", n, size);
    free(file);
    put_x(client, "c_x");
    const char* in[] = {"c_x"};
    size_t in_len[] = {3};
    const char* out[] = {"c_y"};
    size_t out_len[] = {3};
    OK(run_model(client, S("c_mlp"), in, in_len, 1, out, out_len, 1));
    OK(tensor_exists(client, S("c_y"), &exists));
    CHECK(exists, "run_model wrote no c_y");
    /* an output whose key lives on another shard of a cluster, and an input that does too */
    put_x(client, "{far}c_x");
    const char* far_in[] = {"{far}c_x"};
    size_t far_in_len[] = {8};
    const char* far_out[] = {"{elsewhere}c_y"};
    size_t far_out_len[] = {14};
    OK(run_model(client, S("c_mlp"), far_in, far_in_len, 1, far_out, far_out_len, 1));
    float y1[15], y2[15];
    size_t d[2] = {5, 3};
    OK(unpack_tensor(client, S("c_y"), y1, d, 2, SRTensorTypeFloat, SRMemLayoutContiguous));
    OK(unpack_tensor(client, S("{elsewhere}c_y"), y2, d, 2, SRTensorTypeFloat, SRMemLayoutContiguous));
    CHECK(memcmp(y1, y2, sizeof y1) == 0, "the same input gave different outputs");
    /* scripts */
    OK(set_script_from_file(client, S("c_script"), S("CPU"), S(script_file)));
    const char* text = NULL;
    file = slurp(script_file, &size);
    OK(get_script(client, S("c_script"), &text, &n));
    CHECK(n == size && memcmp(text, file, n) == 0, "get_script differs from the file");
    free(file);
    const char* neg_out[] = {"c_negx"};
    size_t neg_out_len[] = {6};
    OK(run_script(client, S("c_script"), S("negate"), in, in_len, 1, neg_out, neg_out_len, 1));
    float x[30], nx[30];
    size_t dx[2] = {5, 6};
    OK(unpack_tensor(client, S("c_x"), x, dx, 2, SRTensorTypeFloat, SRMemLayoutContiguous));
    OK(unpack_tensor(client, S("c_negx"), nx, dx, 2, SRTensorTypeFloat, SRMemLayoutContiguous));
    for (int i = 0; i < 30; i++) CHECK(nx[i] == -x[i], "negate: element %d is %g, not %g", i, nx[i], -x[i]);
    const char* two_in[] = {"c_x", "{far}c_x"};
    size_t two_in_len[] = {3, 8};
    const char* sum_out[] = {"{z}c_sum"};
    size_t sum_out_len[] = {8};
    OK(run_script(client, S("c_script"), S("add"), two_in, two_in_len, 2, sum_out, sum_out_len, 1));
    OK(unpack_tensor(client, S("{z}c_sum"), nx, dx, 2, SRTensorTypeFloat, SRMemLayoutContiguous));
    for (int i = 0; i < 30; i++) CHECK(nx[i] == 2 * x[i], "add: element %d is %g", i, nx[i]);
    /* the backend's own errors come back as SRRuntimeError with its message */
    EXPECT(SRRuntimeError, run_script(client, S("c_script"), S("nosuch"), in, in_len, 1, neg_out, neg_out_len, 1),
           "run_script 'c_script' nosuch()");
    EXPECT(SRRuntimeError, run_model(client, S("c_missing_model"), in, in_len, 1, out, out_len, 1), "c_missing_model");
    /* a missing input: the worker's error (SRRuntimeError), or SRKeyError when it would be copied from another shard */
    SRError missing = run_model(client, S("c_mlp"), (const char*[]){"{q}c_nothing"}, (size_t[]){12}, 1, out, out_len, 1);
    CHECK((missing == SRRuntimeError || missing == SRKeyError) && strstr(SRGetLastError(), "{q}c_nothing"),
          "a missing input gave %d: %s", (int)missing, SRGetLastError());
    EXPECT(SRRuntimeError, set_model(client, S("c_mlp"), S("not a model"), S("TORCH"), S("CPU"), 0, 0, 0, "", 0, NULL,
                                     NULL, 0, NULL, NULL, 0),
           "set_model 'c_mlp'");
    OK(get_model(client, S("c_mlp"), &n, &blob)); /* a failed store leaves the old model */
    CHECK(n == size || n > 0, "the failed store removed c_mlp");
    /* a model Python stored runs from C, and one C stored (kept) runs from Python */
    const char* py_model = getenv("DATA_TEST_PY_MODEL");
    const char* py_out[] = {"c_py_y"};
    size_t py_out_len[] = {6};
    if (py_model) OK(run_model(client, S(py_model), in, in_len, 1, py_out, py_out_len, 1));
    OK(set_model_from_file(client, S("c_kept"), S(model_file), S("TORCH"), S("CPU"), 0, 0, 0, "", 0, NULL, NULL, 0, NULL,
                           NULL, 0));
    OK(delete_model(client, S("c_mlp")));
    OK(model_exists(client, S("c_mlp"), &exists));
    CHECK(!exists, "c_mlp exists after delete_model");
    OK(delete_script(client, S("c_script")));
    EXPECT(SRKeyError, delete_script(client, S("c_script")), "c_script");
}

int main(int argc, char** argv) {
    void* client = test_client("data_models");
    const char* mode = argc > 1 ? argv[1] : "self";
    const char* model_file = getenv("DATA_TEST_MODEL");
    const char* script_file = getenv("DATA_TEST_SCRIPT");
    put_x(client, "c_x");
    const char* in[] = {"c_x"};
    size_t in_len[] = {3};
    const char* out[] = {"c_y"};
    size_t out_len[] = {3};
    if (strcmp(mode, "noworker") == 0) {
        const char* why = "no inference worker is running beside the database server";
        EXPECT(SRRuntimeError, run_model(client, S("m"), in, in_len, 1, out, out_len, 1), why, "run_model 'm'");
        EXPECT(SRRuntimeError, run_script(client, S("s"), S("f"), in, in_len, 1, out, out_len, 1), why, "s' f()");
        EXPECT(SRRuntimeError, set_script(client, S("s"), S("CPU"), S("def f(x):\n    return x\n")), why);
        bool exists = true;
        OK(model_exists(client, S("s"), &exists));
        CHECK(!exists, "a failed set_script stored s");
    } else if (strcmp(mode, "run-fails") == 0 && argc > 4) {
        /* run-fails MODEL CODE TEXT: run_model(MODEL, c_x -> c_y) must fail with CODE and TEXT */
        SRError got = run_model(client, S(argv[2]), in, in_len, 1, out, out_len, 1);
        CHECK((int)got == atoi(argv[3]) && strstr(SRGetLastError(), argv[4]), "run_model %s gave %d: %s", argv[2],
              (int)got, SRGetLastError());
    } else if (model_file && script_file) {
        with_worker(client, model_file, script_file);
    } else {
        EXPECT(SRRuntimeError, run_model(client, S("c_missing_model"), in, in_len, 1, out, out_len, 1), "c_missing_model");
    }
    OK(DeleteCClient(&client));
    printf("ok\n");
    return 0;
}
