//! The panic handler (feature `panic-handler`, on by default): a panic aborts the call.
//!
//! Index out of bounds, a failed `unwrap` or `assert!`, and integer overflow (the release profile keeps
//! overflow checks on) all end in [`crate::abort()`]. The panic message is dropped unread, so none of
//! `core::fmt` reaches the binary.

#[cfg(all(feature = "panic-handler", target_arch = "wasm32", not(test)))]
#[panic_handler]
fn panic(_: &core::panic::PanicInfo) -> ! {
    crate::abort()
}
