//! The vmcall registry: every host function a contract may import, its signature, price and errors.

mod host_error;
pub mod registry;

pub use host_error::HostError;
