//! Intrinsic gas: what a transaction pays before any of its code runs — reading and checking it,
//! the accounts it touches, the state root it commits, and for code, validating and compiling it
//! (at deploy, on every node) or loading and instantiating it (at each execution).

/// Every deploy: accounts, the contract store, the state root.
pub const DEPLOY_BASE: u64 = 50_000;
/// Each byte of deployed code: validation, and one compile on every node (about 0.5–8 µs a byte on
/// the two compilers).
pub const DEPLOY_PER_CODE_BYTE: u64 = 2_000;
/// Each storage slice declared at deploy.
pub const DEPLOY_PER_SLICE: u64 = 100;
/// Every execution: accounts, an instance, the state root.
pub const EXECUTE_BASE: u64 = 20_000;
/// Each byte of the called contract's code: loading the module and instantiating it.
pub const EXECUTE_PER_CODE_BYTE: u64 = 10;
/// Each byte of calldata.
pub const EXECUTE_PER_CALLDATA_BYTE: u64 = 10;
/// A transfer (it has no gas limit: it always uses exactly this).
pub const TRANSFER: u64 = 20_000;

/// The intrinsic costs by name, for the schedule fingerprint and the docs.
pub const INTRINSIC_COSTS: [(&str, u64); 7] = [
    ("deploy_base", DEPLOY_BASE),
    ("deploy_per_code_byte", DEPLOY_PER_CODE_BYTE),
    ("deploy_per_slice", DEPLOY_PER_SLICE),
    ("execute_base", EXECUTE_BASE),
    ("execute_per_code_byte", EXECUTE_PER_CODE_BYTE),
    ("execute_per_calldata_byte", EXECUTE_PER_CALLDATA_BYTE),
    ("transfer", TRANSFER),
];

/// The intrinsic gas of a deploy of `code_bytes` bytes with `slices` slices (saturating).
pub fn deploy(code_bytes: usize, slices: usize) -> u64 {
    DEPLOY_BASE
        .saturating_add(DEPLOY_PER_CODE_BYTE.saturating_mul(code_bytes as u64))
        .saturating_add(DEPLOY_PER_SLICE.saturating_mul(slices as u64))
}

/// The intrinsic gas of an execution of a contract of `code_bytes` bytes with `calldata_bytes` of
/// calldata (saturating).
pub fn execute(code_bytes: usize, calldata_bytes: usize) -> u64 {
    EXECUTE_BASE
        .saturating_add(EXECUTE_PER_CODE_BYTE.saturating_mul(code_bytes as u64))
        .saturating_add(EXECUTE_PER_CALLDATA_BYTE.saturating_mul(calldata_bytes as u64))
}
