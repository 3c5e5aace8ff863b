/* counter: one u64 in one 8-byte slice.
 * Exports: inc() -> i64 (adds one, returns the new count), add(delta: i64) -> i64 (adds delta, wrapping,
 * returns the new count), get() -> i64 (the count). */
#include "svm.h"

#define SLICES(X) X(COUNT, 0, 0, 8)
SVM_LAYOUT(1, SLICES);

SVM_EXPORT(add) u64 add(u64 delta) {
    u64 count = svm_storage_read_i64(COUNT) + delta;
    svm_storage_write_i64(COUNT, count);
    return count;
}

SVM_EXPORT(inc) u64 inc(void) {
    return add(1);
}

SVM_EXPORT(get) u64 get(void) {
    return svm_storage_read_i64(COUNT);
}
