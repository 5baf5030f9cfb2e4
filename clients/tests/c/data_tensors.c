/* Tensors from C: every type x {0-d, 1-d, 3-d, empty} in every supported memory layout, and
 * copy/rename/delete/exists/poll. Modes: none (round trips within C), "put" (write the shared
 * vectors for Python to check), "check" (read what Python wrote). */
#include "data_test.h"

static char key[64];

static const char* name_of(const char* prefix, int code, size_t shape) {
    snprintf(key, sizeof key, "%s_%d_%zu", prefix, code, shape);
    return key;
}

/* A nested tree (rows allocated separately) over the row-major `data` with dims (ndim 2 or 3). */
static void* tree(const unsigned char* data, const size_t* dims, size_t ndim, size_t isz, bool copy) {
    if (ndim == 1) {
        void* row = malloc(dims[0] * isz + 1);
        if (copy) memcpy(row, data, dims[0] * isz);
        return row;
    }
    void** rows = malloc(dims[0] * sizeof(void*) + 1);
    size_t inner = isz;
    for (size_t k = 1; k < ndim; k++) inner *= dims[k];
    for (size_t i = 0; i < dims[0]; i++) rows[i] = tree(data + i * inner, dims + 1, ndim - 1, isz, copy);
    return rows;
}

static void tree_flatten(void* t, const size_t* dims, size_t ndim, size_t isz, unsigned char** out) {
    if (ndim == 1) {
        memcpy(*out, t, dims[0] * isz);
        *out += dims[0] * isz;
        return;
    }
    for (size_t i = 0; i < dims[0]; i++) tree_flatten(((void**)t)[i], dims + 1, ndim - 1, isz, out);
}

static void tree_free(void* t, const size_t* dims, size_t ndim) {
    if (ndim > 1)
        for (size_t i = 0; i < dims[0]; i++) tree_free(((void**)t)[i], dims + 1, ndim - 1);
    free(t);
}

/* The column-major (Fortran) copy of row-major `rows` with the same dims. */
static void to_fortran(const unsigned char* rows, unsigned char* cols, const size_t* dims, size_t ndim, size_t isz) {
    size_t count = 1, idx[3] = {0, 0, 0};
    for (size_t k = 0; k < ndim; k++) count *= dims[k];
    for (size_t j = 0; j < count; j++) {
        size_t r = 0;
        for (size_t k = 0; k < ndim; k++) r = r * dims[k] + idx[k];
        memcpy(cols + j * isz, rows + r * isz, isz);
        for (size_t k = 0; k < ndim && ++idx[k] == dims[k]; k++) idx[k] = 0;
    }
}

/* Reads tensor `name` every way and compares with the vector of `code` in shape `s`. */
static void check_tensor(void* client, const char* name, int code, const shape_t* s) {
    size_t isz = ITEMSIZE[code], count = shape_count(s), nbytes = count * isz;
    unsigned char* want = malloc(nbytes + 1);
    unsigned char* got = malloc(nbytes + 1);
    vector_fill(code, count, isz, want);
    void* data = NULL;
    size_t* dims = NULL;
    size_t ndim = 99;
    SRTensorType type = SRTensorTypeInvalid;
    OK(get_tensor(client, S(name), &data, &dims, &ndim, &type, SRMemLayoutContiguous));
    CHECK((int)type == code, "%s: type %d, expected %d", name, (int)type, code);
    CHECK(ndim == s->ndim, "%s: %zu dims, expected %zu", name, ndim, s->ndim);
    for (size_t k = 0; k < ndim; k++) CHECK(dims[k] == s->dims[k], "%s: dims[%zu] = %zu", name, k, dims[k]);
    CHECK(nbytes == 0 || memcmp(data, want, nbytes) == 0, "%s: the elements differ", name);
    /* unpack: with the stored dims, and (contiguous) as one flat dimension */
    memset(got, 0xEE, nbytes + 1);
    OK(unpack_tensor(client, S(name), got, s->dims, s->ndim, (SRTensorType)code, SRMemLayoutContiguous));
    CHECK(memcmp(got, want, nbytes) == 0 && got[nbytes] == 0xEE, "%s: unpack differs", name);
    memset(got, 0, nbytes);
    OK(unpack_tensor(client, S(name), got, &count, 1, (SRTensorType)code, SRMemLayoutContiguous));
    CHECK(memcmp(got, want, nbytes) == 0, "%s: flat unpack differs", name);
    if (s->ndim >= 2 && count > 0) {
        unsigned char* cols = malloc(nbytes);
        to_fortran(want, cols, s->dims, s->ndim, isz);
        OK(get_tensor(client, S(name), &data, &dims, &ndim, &type, SRMemLayoutFortranContiguous));
        CHECK(memcmp(data, cols, nbytes) == 0, "%s: the Fortran-order get differs", name);
        memset(got, 0, nbytes);
        OK(unpack_tensor(client, S(name), got, s->dims, s->ndim, (SRTensorType)code, SRMemLayoutFortranContiguous));
        CHECK(memcmp(got, cols, nbytes) == 0, "%s: the Fortran-order unpack differs", name);
        OK(get_tensor(client, S(name), &data, &dims, &ndim, &type, SRMemLayoutNested));
        unsigned char* at = got;
        tree_flatten(data, s->dims, s->ndim, isz, &at);
        CHECK(memcmp(got, want, nbytes) == 0, "%s: the nested get differs", name);
        void* t = tree(want, s->dims, s->ndim, isz, false);
        OK(unpack_tensor(client, S(name), t, s->dims, s->ndim, (SRTensorType)code, SRMemLayoutNested));
        at = got;
        tree_flatten(t, s->dims, s->ndim, isz, &at);
        CHECK(memcmp(got, want, nbytes) == 0, "%s: the nested unpack differs", name);
        tree_free(t, s->dims, s->ndim);
        free(cols);
    }
    free(want);
    free(got);
}

/* Writes the vector of `code` in shape `s` as `name`, laid out as `layout`. */
static void put_vector(void* client, const char* name, int code, const shape_t* s, SRMemoryLayout layout) {
    size_t isz = ITEMSIZE[code], count = shape_count(s);
    unsigned char* rows = malloc(count * isz + 1);
    vector_fill(code, count, isz, rows);
    if (layout == SRMemLayoutNested && s->ndim >= 2) {
        void* t = tree(rows, s->dims, s->ndim, isz, true);
        OK(put_tensor(client, S(name), t, s->dims, s->ndim, (SRTensorType)code, layout));
        tree_free(t, s->dims, s->ndim);
    } else if (layout == SRMemLayoutFortranContiguous) {
        unsigned char* cols = malloc(count * isz + 1);
        to_fortran(rows, cols, s->dims, s->ndim, isz);
        OK(put_tensor(client, S(name), cols, s->dims, s->ndim, (SRTensorType)code, layout));
        free(cols);
    } else {
        OK(put_tensor(client, S(name), rows, s->dims, s->ndim, (SRTensorType)code, layout));
    }
    free(rows);
}

static const shape_t SHAPE2 = {2, {3, 4, 0}};

static void put_all(void* client, const char* prefix) {
    for (int code = 1; code <= 14; code++)
        for (size_t s = 0; s < N_SHAPES; s++) put_vector(client, name_of(prefix, code, s), code, &SHAPES[s], SRMemLayoutContiguous);
    /* the layouts, on 2-D and 3-D: Python reads each as the C-order vector */
    char name[64];
    const SRMemoryLayout layouts[] = {SRMemLayoutNested, SRMemLayoutFortranContiguous};
    const char* layout_names[] = {"nested", "fortran"};
    for (int l = 0; l < 2; l++)
        for (int code = 1; code <= 14; code += 4) {
            snprintf(name, sizeof name, "%s_%s2_%d", prefix, layout_names[l], code);
            put_vector(client, name, code, &SHAPE2, layouts[l]);
            snprintf(name, sizeof name, "%s_%s3_%d", prefix, layout_names[l], code);
            put_vector(client, name, code, &SHAPES[2], layouts[l]);
        }
}

static void check_all(void* client, const char* prefix) {
    for (int code = 1; code <= 14; code++)
        for (size_t s = 0; s < N_SHAPES; s++) check_tensor(client, name_of(prefix, code, s), code, &SHAPES[s]);
    char name[64];
    for (int code = 1; code <= 14; code += 4) {
        snprintf(name, sizeof name, "%s_2d_%d", prefix, code);
        check_tensor(client, name, code, &SHAPE2);
    }
}

static void others(void* client) {
    bool exists = true;
    double x[3] = {1.5, 2.5, 3.5}, y[3] = {0, 0, 0};
    size_t n = 3;
    OK(put_tensor(client, S("ops_x"), x, &n, 1, SRTensorTypeDouble, SRMemLayoutContiguous));
    OK(tensor_exists(client, S("ops_x"), &exists));
    CHECK(exists, "ops_x does not exist after put_tensor");
    OK(copy_tensor(client, S("ops_x"), S("ops_copy")));
    OK(rename_tensor(client, S("ops_copy"), S("ops_moved")));
    OK(tensor_exists(client, S("ops_copy"), &exists));
    CHECK(!exists, "ops_copy still exists after rename_tensor");
    OK(unpack_tensor(client, S("ops_moved"), y, &n, 1, SRTensorTypeDouble, SRMemLayoutContiguous));
    CHECK(memcmp(x, y, sizeof x) == 0, "the renamed copy differs");
    /* cross-slot in a cluster (different hash tags), same slot anywhere ({t} tags) */
    OK(copy_tensor(client, S("{t}ops_a"), S("{t}ops_b")) == SRKeyError ? SRNoError : SRInternalError);
    OK(copy_tensor(client, S("ops_moved"), S("{t}ops_b")));
    OK(copy_tensor(client, S("{t}ops_b"), S("{t}ops_c")));
    OK(rename_tensor(client, S("{t}ops_c"), S("ops_far")));
    OK(poll_tensor(client, S("ops_far"), 10, 3, &exists));
    CHECK(exists, "poll_tensor did not find ops_far");
    OK(delete_tensor(client, S("ops_far")));
    OK(poll_tensor(client, S("ops_far"), 10, 2, &exists));
    CHECK(!exists, "poll_tensor found the deleted ops_far");
    OK(delete_tensor(client, S("ops_far"))); /* deleting a missing tensor is fine */
    OK(rename_tensor(client, S("ops_x"), S("ops_x")));
    EXPECT(SRKeyError, rename_tensor(client, S("ops_none"), S("ops_none")), "ops_none");
}

int main(int argc, char** argv) {
    void* client = test_client("data_tensors");
    const char* mode = argc > 1 ? argv[1] : "self";
    if (strcmp(mode, "put") == 0) {
        put_all(client, "c");
    } else if (strcmp(mode, "check") == 0) {
        check_all(client, "py");
    } else {
        put_all(client, "self");
        for (int code = 1; code <= 14; code++)
            for (size_t s = 0; s < N_SHAPES; s++) check_tensor(client, name_of("self", code, s), code, &SHAPES[s]);
        for (int code = 1; code <= 14; code += 4) {
            char name[64];
            for (int d = 2; d <= 3; d++)
                for (int l = 0; l < 2; l++) {
                    snprintf(name, sizeof name, "self_%s%d_%d", l ? "fortran" : "nested", d, code);
                    check_tensor(client, name, code, d == 2 ? &SHAPE2 : &SHAPES[2]);
                }
        }
        others(client);
    }
    OK(DeleteCClient(&client));
    CHECK(client == NULL, "DeleteCClient did not clear the handle");
    printf("ok\n");
    return 0;
}
