//! SVM's consensus core: everything both the runtime and the reference VM must agree on, with no
//! WebAssembly engine in it — the types that cross the VM's boundary (transactions, receipts,
//! outcomes, accounts, layouts), their canonical codec, the limits, the gas schedule, the vmcall
//! registry and deploy validation. The runtime (`svm`) builds on it; so does the reference VM.

pub mod account;
pub mod address;
pub mod call;
pub mod code;
pub mod codec;
pub mod collection_state;
pub mod contract_meta;
pub mod contract_state;
pub mod event;
pub mod fee;
pub mod gas;
pub mod hash;
mod hex_newtype;
pub mod layout;
pub mod layout_section;
pub mod limits;
pub mod link_rule;
pub mod outcome;
pub mod receipt;
pub mod registers;
pub mod snapshot;
mod stable_codes;
pub mod state_root;
pub mod trace;
pub mod transaction;
pub mod validation;
pub mod value;
pub mod version;
pub mod vmcalls;

pub use address::Address;
pub use contract_state::ContractState;
pub use hash::Hash;
pub use limits::Limits;
pub use state_root::StateRoot;
pub use value::{Value, ValueType};
pub use version::CONSENSUS_VERSION;
