//! Module middlewares that make limits deterministic: the same outcome at the same point on every
//! compiler. They run at compile time, so cached artifacts carry them.

mod bulk_gas;
mod memory_cap;
mod nan_canonicalize;
mod stack_limit;

pub use bulk_gas::BulkGas;
pub use memory_cap::MemoryCap;
pub use nan_canonicalize::{CANONICAL_NAN_32, CANONICAL_NAN_64, NanCanonicalize};
pub use stack_limit::{STACK_EXHAUSTED_EXPORT, STACK_USED_EXPORT, StackLimit};
