//! Module middlewares that make limits deterministic: the same outcome at the same point on every
//! compiler. They run at compile time, so cached artifacts carry them.

mod memory_cap;
mod stack_limit;

pub use memory_cap::MemoryCap;
pub use stack_limit::{STACK_EXHAUSTED_EXPORT, STACK_USED_EXPORT, StackLimit};
