//! The most each length-prefixed field may hold. Runtime limits are never larger than these.

/// Contract code bytes.
pub const MAX_CODE_BYTES: u32 = 4 << 20;
/// Storage slices in a layout.
pub const MAX_SLICES: u32 = crate::layout::MAX_SLICES as u32;
/// Bytes of a function name.
pub const MAX_FUNCTION_NAME_BYTES: u32 = 256;
/// Function arguments or return values (at least `Limits::max_params`).
pub const MAX_VALUES: u32 = 128;
/// Calldata bytes.
pub const MAX_CALLDATA_BYTES: u32 = 1 << 20;
/// Returndata bytes.
pub const MAX_RETURNDATA_BYTES: u32 = 1 << 20;
/// Log entries in a receipt.
pub const MAX_LOGS: u32 = 1024;
/// Bytes of one log entry.
pub const MAX_LOG_BYTES: u32 = 64 << 10;
/// Events in a receipt.
pub const MAX_EVENTS: u32 = 1024;
/// Call records in a receipt.
pub const MAX_CALLS: u32 = 1024;
/// Exported functions in contract metadata.
pub const MAX_EXPORTS: u32 = 4096;
/// Bytes of a receipt's diagnostic message.
pub const MAX_DIAGNOSTIC_BYTES: u32 = 64 << 10;
