/* mem.c: memcpy, memmove and memset for builds without bulk memory (clang 14's MVP wasm32), where the compiler calls
 * them for copies and fills of run-time length. With bulk memory (zig cc) the compiler emits memory.copy and
 * memory.fill instead, and this file is empty. `no_builtin` keeps clang from turning these loops back into
 * calls to themselves (clang also merges a copy through a temporary into one memmove). */
#ifndef __wasm_bulk_memory__

__attribute__((no_builtin)) void *memcpy(void *restrict dst, const void *restrict src, __SIZE_TYPE__ n) {
    unsigned char *d = dst;
    const unsigned char *s = src;
    while (n--) *d++ = *s++;
    return dst;
}

__attribute__((no_builtin)) void *memmove(void *dst, const void *src, __SIZE_TYPE__ n) {
    unsigned char *d = dst;
    const unsigned char *s = src;
    if (d < s) {
        while (n--) *d++ = *s++;
    } else {
        while (n--) d[n] = s[n];
    }
    return dst;
}

__attribute__((no_builtin)) void *memset(void *dst, int byte, __SIZE_TYPE__ n) {
    unsigned char *d = dst;
    while (n--) *d++ = (unsigned char)byte;
    return dst;
}

#endif
