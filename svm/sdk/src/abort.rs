//! The error convention: a contract that cannot go on aborts, and the call fails.
//!
//! [`abort`] executes the wasm `unreachable` instruction. The execution ends with the outcome `trap:*`, and
//! like every failed execution it consumes the sender's nonce, pays `gas_used × gas_price` to the fee
//! account, and changes nothing else: no storage write, no value moved, no log survives. There is no error
//! code to return and nothing to clean up. A refusal the caller should see without failing is a return value
//! (the examples return `0` for "refused, nothing changed").

/// Fails the call: executes `unreachable`.
#[inline(always)]
pub fn abort() -> ! {
    #[cfg(target_arch = "wasm32")]
    {
        core::arch::wasm32::unreachable()
    }
    // Off wasm32 the SDK builds only for its own unit tests, which never reach here.
    #[cfg(not(target_arch = "wasm32"))]
    {
        panic!("svm-sdk: abort")
    }
}

/// Fails the call unless `condition` holds.
#[inline(always)]
pub fn require(condition: bool) {
    if !condition {
        abort()
    }
}

/// Fails the call unless every condition holds: `ensure!(amount > 0, to < HOLDERS)`.
#[macro_export]
macro_rules! ensure {
    ($($condition:expr),+ $(,)?) => {
        $( if !$condition { $crate::abort::abort() } )+
    };
}

/// The value inside, or a failed call: `balance.checked_add(amount).or_abort()`.
pub trait OrAbort<T> {
    /// The value, or [`abort`] when there is none.
    fn or_abort(self) -> T;
}

impl<T> OrAbort<T> for Option<T> {
    #[inline(always)]
    fn or_abort(self) -> T {
        match self {
            Some(value) => value,
            None => abort(),
        }
    }
}

impl<T, E> OrAbort<T> for Result<T, E> {
    #[inline(always)]
    fn or_abort(self) -> T {
        match self {
            Ok(value) => value,
            Err(_) => abort(),
        }
    }
}
