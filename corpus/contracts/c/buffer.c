/* buffer: a 64-byte stored buffer edited through memcpy and memset on a local copy, and its byte sum.
 * Exports (arguments unsigned; out-of-range arguments abort):
 *   fill(byte: i32, len: i32) -> i64       zeroes the buffer, sets its first len bytes (<= 64) to byte
 *   copy(src: i32, dst: i32, len: i32) -> i64  copies len bytes within the buffer from src to dst (may overlap)
 *   load(offset: i32) -> i32                copies the calldata into the buffer at offset; returns its length
 *   byte_at(index: i32) -> i32              the buffer's byte at index (< 64)
 *   sum() -> i64                            the stored byte sum
 * fill, copy and load store the buffer and its byte sum; fill and copy return the sum. Built twice: MVP (clang 14,
 * memcpy/memmove/memset from mem.c) and with bulk memory (zig cc: memory.copy/memory.fill). */
#include "svm.h"

#define SIZE 64u
#define SLICES(X) X(DATA, 0, 0, 64) X(SUM, 0, 64, 8)
SVM_LAYOUT(1, SLICES);

/* Stores the buffer and its byte sum; returns the sum. */
static u64 store(const unsigned char *buf) {
    u64 sum = 0;
    for (u32 i = 0; i < SIZE; i++) sum += buf[i];
    svm_storage_write_from_mem(DATA, 0, SIZE, buf);
    svm_storage_write_i64(SUM, sum);
    return sum;
}

SVM_EXPORT(fill) u64 fill(u32 byte, u32 len) {
    unsigned char buf[SIZE];
    if (len > SIZE) svm_abort();
    __builtin_memset(buf, 0, SIZE);
    __builtin_memset(buf, (int)(byte & 0xff), len);
    return store(buf);
}

SVM_EXPORT(copy) u64 copy(u32 src, u32 dst, u32 len) {
    unsigned char buf[SIZE], tmp[SIZE];
    if (len > SIZE || src > SIZE - len || dst > SIZE - len) svm_abort();
    svm_storage_read_to_mem(DATA, 0, SIZE, buf);
    __builtin_memcpy(tmp, buf + src, len);
    __builtin_memcpy(buf + dst, tmp, len);
    return store(buf);
}

SVM_EXPORT(load) u32 load(u32 offset) {
    unsigned char buf[SIZE], data[SIZE];
    u32 len = svm_calldata_len();
    if (len > SIZE || offset > SIZE - len) svm_abort();
    svm_storage_read_to_mem(DATA, 0, SIZE, buf);
    svm_calldata_copy(0, len, data);
    __builtin_memcpy(buf + offset, data, len);
    store(buf);
    return len;
}

SVM_EXPORT(byte_at) u32 byte_at(u32 index) {
    unsigned char byte;
    if (index >= SIZE) svm_abort();
    svm_storage_read_to_mem(DATA, index, 1, &byte);
    return byte;
}

SVM_EXPORT(sum) u64 sum(void) {
    return svm_storage_read_i64(SUM);
}
