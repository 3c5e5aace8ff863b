/* svm.h: the SVM vmcalls (surface v1, docs/vmcalls.md) for C contracts, and macros that declare exports and
 * the storage layout. No libc: build with -nostdlib (see corpus/contracts/build.sh). Every pointer, length,
 * slice index and register argument is read by the VM as unsigned. */
#ifndef SVM_H
#define SVM_H

typedef unsigned int u32;
typedef int i32;
typedef unsigned long long u64;
typedef long long i64;

#define SVM_IMPORT(name) __attribute__((import_module("svm"), import_name(#name)))
/* Exports a function under `name` (its parameters and result must be 32- or 64-bit integers). */
#define SVM_EXPORT(name) __attribute__((export_name(#name)))

SVM_IMPORT(storage_read_to_mem) void svm_storage_read_to_mem(u32 slice, u32 offset, u32 len, void *mem);
SVM_IMPORT(storage_write_from_mem) void svm_storage_write_from_mem(u32 slice, u32 offset, u32 len, const void *mem);
SVM_IMPORT(storage_read_to_reg) void svm_storage_read_to_reg(u32 slice, u32 offset, u32 len, u32 bits, u32 reg);
SVM_IMPORT(storage_write_from_reg) void svm_storage_write_from_reg(u32 slice, u32 offset, u32 len, u32 bits, u32 reg);
SVM_IMPORT(storage_read_i32) u32 svm_storage_read_i32(u32 slice);
SVM_IMPORT(storage_read_i64) u64 svm_storage_read_i64(u32 slice);
SVM_IMPORT(storage_write_i32) void svm_storage_write_i32(u32 slice, u32 value);
SVM_IMPORT(storage_write_i64) void svm_storage_write_i64(u32 slice, u64 value);
SVM_IMPORT(storage_slice_len) u32 svm_storage_slice_len(u32 slice);
SVM_IMPORT(reg_set_from_mem) void svm_reg_set_from_mem(u32 bits, u32 reg, const void *mem);
SVM_IMPORT(reg_get_to_mem) void svm_reg_get_to_mem(u32 bits, u32 reg, void *mem);
SVM_IMPORT(reg_set_i64) void svm_reg_set_i64(u32 bits, u32 reg, u64 value);
SVM_IMPORT(reg_get_i64) u64 svm_reg_get_i64(u32 bits, u32 reg);
SVM_IMPORT(reg_copy) void svm_reg_copy(u32 bits, u32 src, u32 dst);
SVM_IMPORT(reg_cmp) i32 svm_reg_cmp(u32 bits, u32 a, u32 b);
SVM_IMPORT(calldata_len) u32 svm_calldata_len(void);
SVM_IMPORT(calldata_copy) void svm_calldata_copy(u32 offset, u32 len, void *mem);
SVM_IMPORT(returndata_set) void svm_returndata_set(const void *mem, u32 len);
SVM_IMPORT(host_sender_to_reg) void svm_host_sender_to_reg(u32 reg);
SVM_IMPORT(host_contract_to_reg) void svm_host_contract_to_reg(u32 reg);
SVM_IMPORT(host_layer) u64 svm_host_layer(void);
SVM_IMPORT(host_value) u64 svm_host_value(void);
SVM_IMPORT(get_balance_from_reg) u64 svm_get_balance_from_reg(u32 bits, u32 reg);
SVM_IMPORT(log) void svm_log(const void *mem, u32 len);
/* Events: up to 4 topics of 32 bytes each at `topics`, `data_len` bytes at `data`, live for `expiry` more layers. */
SVM_IMPORT(event_emit) void svm_event_emit(const void *topics, u32 topic_count, const void *data, u32 data_len, u32 expiry);
/* Collections (docs/consensus.md, Collections): handles into the execution's table of open collections. */
SVM_IMPORT(collection_open) u32 svm_collection_open(u32 slot, u32 kind, u32 key_width, u32 value_kind);
SVM_IMPORT(collection_open_nested) u32 svm_collection_open_nested(u32 handle, const void *key, u32 kind, u32 key_width, u32 value_kind);
SVM_IMPORT(collection_get) i32 svm_collection_get(u32 handle, const void *key, void *value, u32 value_cap);
SVM_IMPORT(collection_insert) i32 svm_collection_insert(u32 handle, const void *key, const void *value, u32 value_len);
SVM_IMPORT(collection_remove) i32 svm_collection_remove(u32 handle, const void *key);
SVM_IMPORT(collection_push) u64 svm_collection_push(u32 handle, const void *value, u32 value_len);
SVM_IMPORT(collection_pop) i32 svm_collection_pop(u32 handle, void *value, u32 value_cap);
SVM_IMPORT(collection_len) u64 svm_collection_len(u32 handle);
SVM_IMPORT(collection_next) i32 svm_collection_next(u32 handle, const void *after, const void *bound, void *key_out);
/* Calls (docs/vmcalls.md, Calls): another contract's export in a frame of its own; the callee's status (0: success). */
SVM_IMPORT(contract_call) i32 svm_contract_call(const void *callee, const void *func, u32 func_len, const void *args, u32 args_count, const void *data, u32 data_len, i64 value, i64 gas);
SVM_IMPORT(call_result) i32 svm_call_result(void *out, u32 offset, u32 len);

/* Fails the call (the wasm `unreachable`): nothing it did is kept; it pays its fee. */
#define svm_abort() __builtin_trap()

/* The storage layout, declared once from an X-macro list SLICES(X) of X(name, page, offset, len) (numbers or
 * constant expressions of numbers): each name becomes its slice index, in list order, and SVM_LAYOUT emits the
 * `svm-layout` custom section (u32 LE page count, u32 LE slice count, then page, offset, len per slice) from
 * the same list. The section is written in assembly: clang puts a C array declared in a `.custom_section.*`
 * section into a data segment, while the assembler makes it a custom section. Use SVM_LAYOUT once. */
#define SVM_STR_(x) #x
#define SVM_STR(x) SVM_STR_(x)
#define SVM_SLICE_INDEX(name, page, offset, len) name,
#define SVM_SLICE_ONE(name, page, offset, len) +1
#define SVM_SLICE_FITS(name, page, offset, len) &&(len) > 0 && (offset) + (len) <= 4096 && (page) < SVM_PAGES_
#define SVM_SLICE_ASM(name, page, offset, len) ".int " SVM_STR(page) ", " SVM_STR(offset) ", " SVM_STR(len) "\n"
#define SVM_LAYOUT(PAGES, SLICES)                                                                           \
    enum { SLICES(SVM_SLICE_INDEX) SVM_SLICE_COUNT_ = 0 SLICES(SVM_SLICE_ONE), SVM_PAGES_ = (PAGES) };     \
    _Static_assert(1 SLICES(SVM_SLICE_FITS), "a slice is empty, crosses its page's end or is past the pages"); \
    __asm__(".section \".custom_section.svm-layout\",\"\",@\n"                                          \
            ".int " SVM_STR(PAGES) ", " SVM_STR(0 SLICES(SVM_SLICE_ONE)) "\n" SLICES(SVM_SLICE_ASM) ".text\n")

#endif
