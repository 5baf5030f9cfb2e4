/* Key prefixing through the environment (HPCSIM_KEYOUT/KEYIN, SSKEYOUT/SSKEYIN), set_data_source
 * and the use_*_ensemble_prefix switches, observed through the raw keys in the database. */
#include "transport_test.h"

static void expect_key(void* client, const char* key, bool want) {
    bool exists = !want;
    OK(key_exists(client, S(key), &exists));
    CHECK(exists == want, "key '%s' should %sexist", key, want ? "" : "not ");
}

static void put_one(void* client, const char* name) {
    float value = 3.0f;
    size_t dims[1] = {1};
    OK(put_tensor(client, S(name), &value, dims, 1, SRTensorTypeFloat, SRMemLayoutContiguous));
}

static void expect_text(void* client, const char* needle) {
    const char* text = client_to_string(client);
    CHECK(strstr(text, needle) != NULL, "the description lacks '%s':\n%s", needle, text);
}

int main(void) {
    const char* variable;
    test_address(&variable);
    bool exists = false;

    /* Producer B writes under "prodB." (SmartRedis's name). */
    setenv("SSKEYOUT", "prodB", 1);
    void* b = test_client("producer_b");
    expect_text(b, "put prefix 'prodB.', get prefix none");
    put_one(b, "tp_t");
    expect_key(b, "prodB.tp_t", true);
    expect_key(b, "tp_t", false);
    OK(delete_tensor(b, S("tp_t"))); /* reads (and deletes) use the get prefix: none here */
    expect_key(b, "prodB.tp_t", true);

    /* Producer A: the hpcsim name wins over SSKEYOUT; it reads from A (first KEYIN) then B. */
    setenv("HPCSIM_KEYOUT", "prodA", 1);
    setenv("HPCSIM_KEYIN", " prodA , prodB ", 1);
    setenv("SSKEYIN", "ignored", 1);
    void* a = test_client("producer_a");
    expect_text(a, "put prefix 'prodA.', get prefix 'prodA.' (sources: prodA, prodB)");
    put_one(a, "tp_t");
    expect_key(a, "prodA.tp_t", true);
    OK(tensor_exists(a, S("tp_t"), &exists));
    CHECK(exists, "tensor_exists does not read through the get prefix prodA.");
    OK(set_data_source(a, S("prodB")));
    expect_text(a, "get prefix 'prodB.'");
    OK(tensor_exists(a, S("tp_t"), &exists));
    CHECK(exists, "after set_data_source(prodB) the tensor of producer B is not found");
    OK(delete_tensor(a, S("tp_t")));
    expect_key(a, "prodB.tp_t", false);
    expect_key(a, "prodA.tp_t", true);
    OK(poll_tensor(a, S("tp_t"), 5, 2, &exists));
    CHECK(!exists, "poll_tensor found a deleted tensor");
    EXPECT_ERROR(SRRuntimeError, set_data_source(a, S("prodC")), "unknown data source 'prodC'",
                 "allowed: 'prodA', 'prodB'");

    /* Switches: tensors off writes and reads plain names; models are off by default. */
    OK(use_tensor_ensemble_prefix(a, false));
    expect_text(a, "prefixing tensors off, datasets on, lists on, models off");
    put_one(a, "tp_plain");
    expect_key(a, "tp_plain", true);
    expect_key(a, "prodA.tp_plain", false);
    OK(tensor_exists(a, S("tp_plain"), &exists));
    CHECK(exists, "with prefixing off, the plain tensor is not found");
    OK(use_tensor_ensemble_prefix(a, true));
    OK(use_dataset_ensemble_prefix(a, false));
    OK(use_list_ensemble_prefix(a, false));
    OK(use_model_ensemble_prefix(a, true));
    expect_text(a, "prefixing tensors on, datasets off, lists off, models on");

    /* key_exists never prefixes. */
    expect_key(a, "tp_t", false);
    OK(delete_tensor(a, S("tp_plain"))); /* get prefix prodB., switch on: a different key */
    expect_key(a, "tp_plain", true);
    OK(use_tensor_ensemble_prefix(a, false));
    OK(delete_tensor(a, S("tp_plain")));
    expect_key(a, "tp_plain", false);

    OK(set_data_source(a, S("prodA")));
    OK(use_tensor_ensemble_prefix(a, true));
    OK(delete_tensor(a, S("tp_t")));
    expect_key(a, "prodA.tp_t", false);
    OK(DeleteCClient(&a));

    unsetenv("SSKEYOUT");
    unsetenv("SSKEYIN");
    unsetenv("HPCSIM_KEYOUT");
    unsetenv("HPCSIM_KEYIN");
    void* plain = test_client("plain");
    OK(delete_tensor(plain, S("prodB.tp_t")));
    expect_key(plain, "prodB.tp_t", false);
    OK(DeleteCClient(&plain));
    OK(DeleteCClient(&b));
    printf("transport_prefix: ok\n");
    return 0;
}
