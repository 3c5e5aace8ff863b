/* The C API from C: create a runtime, deploy and call the corpus counter, check receipts and state,
 * query its (absent) events, and exercise the error paths (null pointers, truncated bytes, bad JSON, a
 * closed handle).
 *
 * Usage: api_test <counter.wasm>   (corpus/contracts/c/counter.clang.wasm: pages=1 slices=0:0:8)
 * Built and run by tests/c_api.rs; exits 0 when every check holds, 1 (naming the check) otherwise. */
#include "svm.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int failures = 0;

#define CHECK(cond)                                                        \
    do {                                                                   \
        if (!(cond)) {                                                     \
            fprintf(stderr, "%s:%d: check failed: %s\n", __FILE__, __LINE__, #cond); \
            failures++;                                                    \
        }                                                                  \
    } while (0)

/* Runs a call; on failure prints its code and message and counts it. */
#define OK(call)                                                                        \
    do {                                                                                \
        SvmBuffer error_;                                                               \
        int32_t code_ = call_with(&error_, (call));                                     \
        if (code_ != SVM_OK) {                                                          \
            fprintf(stderr, "%s:%d: %s -> %d: %.*s\n", __FILE__, __LINE__, #call, code_, \
                    (int)error_.len, (const char *)error_.ptr);                         \
            failures++;                                                                 \
        }                                                                               \
        svm_buffer_free(error_);                                                        \
    } while (0)

static SvmBuffer last_error;

static int32_t call_with(SvmBuffer *error, int32_t code) {
    *error = last_error;
    last_error = (SvmBuffer){0};
    return code;
}

/* Entry points take `&last_error`, so that OK() can print the message. */
#define E (&last_error)

static unsigned char *read_file(const char *path, size_t *len) {
    FILE *f = fopen(path, "rb");
    if (!f) return NULL;
    fseek(f, 0, SEEK_END);
    long size = ftell(f);
    fseek(f, 0, SEEK_SET);
    unsigned char *bytes = malloc((size_t)size);
    if (fread(bytes, 1, (size_t)size, f) != (size_t)size) {
        fclose(f);
        free(bytes);
        return NULL;
    }
    fclose(f);
    *len = (size_t)size;
    return bytes;
}

/* Whether the buffer (JSON text) contains `needle`. */
static int contains(SvmBuffer json, const char *needle) {
    size_t n = strlen(needle);
    for (size_t i = 0; i + n <= json.len; i++)
        if (memcmp(json.ptr + i, needle, n) == 0) return 1;
    return 0;
}

/* The receipt message `receipt` rendered as JSON. */
static SvmBuffer receipt_json(SvmBuffer receipt) {
    SvmBuffer json = {0};
    OK(svm_receipt_json(receipt.ptr, receipt.len, &json, E));
    return json;
}

static SvmBuffer tx(const char *json, const unsigned char *code, size_t code_len) {
    SvmBuffer out = {0};
    OK(svm_transaction_from_json((const uint8_t *)json, strlen(json), code, code_len, &out, E));
    return out;
}

static const char AUTHOR[] = "0101010101010101010101010101010101010101";
static const char USER[] = "0202020202020202020202020202020202020202";

int main(int argc, char **argv) {
    if (argc != 2) {
        fprintf(stderr, "usage: %s <counter.wasm>\n", argv[0]);
        return 2;
    }
    size_t code_len = 0;
    unsigned char *code = read_file(argv[1], &code_len);
    if (!code) {
        fprintf(stderr, "cannot read %s\n", argv[1]);
        return 2;
    }
    CHECK(svm_abi_version() == SVM_ABI_VERSION);
    CHECK(svm_consensus_version() > 0);

    SvmRuntime rt = 0;
    OK(svm_runtime_new_memory(SVM_COMPILER_SINGLEPASS, &rt, E));
    CHECK(rt != 0);

    /* Genesis: AUTHOR and USER get 10^9 each. */
    uint8_t genesis[2 * SVM_GENESIS_RECORD_BYTES] = {0};
    for (int i = 0; i < 2; i++) {
        memset(genesis + i * SVM_GENESIS_RECORD_BYTES, i + 1, 20);
        uint64_t amount = 1000000000;
        memcpy(genesis + i * SVM_GENESIS_RECORD_BYTES + 20, &amount, 8); /* little-endian host */
    }
    OK(svm_genesis(rt, genesis, sizeof genesis, E));

    /* Deploy the counter in layer 1. */
    OK(svm_layer_begin(rt, 1, E));
    char deploy_json[512];
    snprintf(deploy_json, sizeof deploy_json,
             "{\"deploy\":{\"author\":\"%s\",\"nonce\":0,\"page_count\":1,\"slices\":[[0,0,8]],"
             "\"initial_balance\":0,\"gas_limit\":10000000,\"gas_price\":1}}",
             AUTHOR);
    SvmBuffer deploy = tx(deploy_json, code, code_len);
    SvmBuffer receipt = {0};
    OK(svm_apply(rt, deploy.ptr, deploy.len, &receipt, E));
    SvmBuffer json = receipt_json(receipt);
    CHECK(contains(json, "\"outcome\":\"success\""));
    /* The contract's address: the 40 hex digits after "contract":" */
    char contract[41] = {0};
    for (size_t i = 0; i + 12 + 40 <= json.len; i++) {
        if (memcmp(json.ptr + i, "\"contract\":\"", 12) == 0) {
            memcpy(contract, json.ptr + i + 12, 40);
            break;
        }
    }
    CHECK(strlen(contract) == 40);
    svm_buffer_free(json);
    svm_buffer_free(receipt);

    /* Three calls of inc(), each returning the new count. */
    for (int n = 1; n <= 3; n++) {
        char call_json[512];
        snprintf(call_json, sizeof call_json,
                 "{\"execute\":{\"contract\":\"%s\",\"sender\":\"%s\",\"nonce\":%d,\"function\":\"inc\","
                 "\"args\":[],\"calldata\":\"\",\"gas_limit\":1000000,\"gas_price\":1,\"value\":0}}",
                 contract, USER, n - 1);
        SvmBuffer call = tx(call_json, NULL, 0);
        SvmBuffer r = {0};
        OK(svm_apply(rt, call.ptr, call.len, &r, E));
        SvmBuffer j = receipt_json(r);
        char expected[64];
        snprintf(expected, sizeof expected, "\"returns\":[{\"i64\":%d}]", n);
        CHECK(contains(j, "\"outcome\":\"success\""));
        CHECK(contains(j, expected));
        svm_buffer_free(j);
        svm_buffer_free(r);

        if (n == 3) {
            /* Error paths on a live handle: null pointers, every truncation of the message. */
            SvmBuffer out = {0}, error = {0};
            CHECK(svm_apply(rt, NULL, call.len, &out, &error) == SVM_ERR_NULL_POINTER);
            CHECK(error.len > 0 && out.ptr == NULL);
            svm_buffer_free(error);
            CHECK(svm_apply(rt, call.ptr, call.len, NULL, NULL) == SVM_ERR_NULL_POINTER);
            for (size_t len = 0; len < call.len; len++) {
                CHECK(svm_apply(rt, call.ptr, len, &out, NULL) == SVM_ERR_CODEC);
                CHECK(out.ptr == NULL);
            }
            /* A view of a fourth call: the count it would return, nothing committed. */
            SvmBuffer next = {0};
            snprintf(call_json, sizeof call_json,
                     "{\"execute\":{\"contract\":\"%s\",\"sender\":\"%s\",\"nonce\":3,\"function\":\"inc\","
                     "\"args\":[],\"calldata\":\"\",\"gas_limit\":1000000,\"gas_price\":1,\"value\":0}}",
                     contract, USER);
            SvmBuffer fourth = tx(call_json, NULL, 0);
            OK(svm_view(rt, fourth.ptr, fourth.len, 1, &next, E));
            SvmBuffer nj = receipt_json(next);
            CHECK(contains(nj, "\"returns\":[{\"i64\":4}]"));
            svm_buffer_free(nj);
            svm_buffer_free(next);
            svm_buffer_free(fourth);
        }
        svm_buffer_free(call);
    }
    svm_buffer_free(deploy);

    SvmHead head = {0};
    OK(svm_layer_commit(rt, &head, E));
    CHECK(head.present && head.layer == 1 && head.applied == 4);
    uint8_t root[32];
    OK(svm_state_root(rt, root, E));
    CHECK(memcmp(root, head.root, 32) == 0);

    /* The counter's slice holds 3 (the view changed nothing). */
    uint8_t address[20];
    for (int i = 0; i < 20; i++) sscanf(contract + 2 * i, "%2hhx", &address[i]);
    SvmBuffer slice = {0};
    OK(svm_contract_slice(rt, address, 0, &slice, E));
    uint64_t count = 0;
    CHECK(slice.len == 8);
    if (slice.len == 8) memcpy(&count, slice.ptr, 8);
    CHECK(count == 3);
    svm_buffer_free(slice);

    /* The counter emits no events: the query lists none (a u32le count of 0); a null contract is refused. */
    SvmBuffer events = {0};
    OK(svm_events_query(rt, address, NULL, 0, UINT64_MAX, 100, &events, E));
    CHECK(events.len == 4 && memcmp(events.ptr, "\0\0\0\0", 4) == 0);
    svm_buffer_free(events);
    CHECK(svm_events_query(rt, NULL, NULL, 0, UINT64_MAX, 100, &events, NULL) == SVM_ERR_NULL_POINTER);
    CHECK(events.ptr == NULL);

    /* Bad JSON is invalid input, with a message. */
    SvmBuffer out = {0}, error = {0};
    const char *bad = "{\"execute\":{\"contract\":\"zz\"}}";
    CHECK(svm_transaction_from_json((const uint8_t *)bad, strlen(bad), NULL, 0, &out, &error) ==
          SVM_ERR_INVALID_INPUT);
    CHECK(error.len > 0);
    svm_buffer_free(error);

    /* After close, the handle is refused. */
    OK(svm_runtime_close(rt, E));
    CHECK(svm_state_root(rt, root, &error) == SVM_ERR_HANDLE);
    CHECK(error.len > 0);
    svm_buffer_free(error);
    CHECK(svm_runtime_close(rt, NULL) == SVM_ERR_HANDLE);

    free(code);
    if (failures) {
        fprintf(stderr, "%d check(s) failed\n", failures);
        return 1;
    }
    printf("c api: all checks passed\n");
    return 0;
}
