//! Expected effects: small models of what contracts must do, written from their plans and sources,
//! never by running the VM. The simulator checks every replica's receipts and state against them:
//! replicas that agree with each other can still all be wrong, and these models are how that shows.
//!
//! - [`transaction`]: the transaction-level rules (the fee rule's admission, unknown contracts,
//!   intrinsic gas, refusals) that decide whether a contract's code runs at all.
//! - [`generated`]: an interpreter of generated contract plans, vmcall by vmcall, with the VM's
//!   documented check order.
//! - [`counter`], [`token`], [`registers`], [`hostile`]: the corpus contracts worth modelling.
//! - [`scratch`]: the registers and linear memory one execution sees, as the models keep them.
//! - [`collections`]: the collections generated contracts open, as plain maps.
//! - [`calls`]: the other contracts a generated contract calls, and what its frames share.
//! - [`linking`]: what linking must make of a deploy that imports libraries.
//!
//! Which models exist, and why the others do not, is [`for_contract`]'s table.

pub mod calls;
pub mod collections;
pub mod counter;
pub mod generated;
pub mod hostile;
pub mod linking;
pub mod registers;
pub mod scratch;
pub mod token;
pub mod transaction;

use crate::generators::contract::plan::ContractPlan;
use std::collections::BTreeMap;
use std::sync::Arc;
use svm::outcome::Outcome;
use svm::{Address, Value, ValueType};

/// One call as a model sees it.
#[derive(Clone, Copy, Debug)]
pub struct ModelCall<'a> {
    /// The sender.
    pub sender: Address,
    /// The contract called.
    pub contract: Address,
    /// The export called.
    pub function: &'a str,
    /// Its arguments (already checked against the export's parameters).
    pub args: &'a [Value],
    /// The calldata.
    pub calldata: &'a [u8],
    /// The value moved to the contract.
    pub value: u64,
    /// The layer the call runs in.
    pub layer: u64,
    /// The other contracts it may call.
    pub world: &'a dyn calls::World,
    /// Whether it has ample gas (a callee run without it may run out of gas and hand its caller a
    /// status the model cannot foresee).
    pub ample: bool,
}

/// Balances as the running call sees them (the value already moved from the sender to the contract).
pub trait Balances {
    /// The balance of `address` (0 for an account that does not exist).
    fn balance(&self, address: &Address) -> u64;
}

/// What a call does, as a model says.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CallEffects {
    /// How it ends.
    pub outcome: Outcome,
    /// What the function returns (empty unless it succeeds).
    pub returns: Vec<Value>,
    /// Its returndata (empty unless it succeeds).
    pub returndata: Vec<u8>,
    /// Its log entries (empty unless it succeeds).
    pub logs: Vec<Vec<u8>>,
    /// Its events (empty unless it succeeds).
    pub events: Vec<svm::event::Event>,
    /// Every slice the call wrote or read, with its contents afterwards (empty unless it succeeds).
    pub slices: BTreeMap<u32, Vec<u8>>,
    /// The calls it made, as its receipt lists them, gas aside (empty unless it succeeds).
    pub calls: Vec<svm_core::call::CallRecord>,
    /// The slices of the contracts it called, afterwards (empty unless it succeeds).
    pub callees: BTreeMap<Address, Vec<Vec<u8>>>,
    /// Whether the model cannot say exactly what the call does (then it is checked for admission only).
    pub uncertain: bool,
    /// Whether a callee ran code (then the call may run out of gas under ample gas).
    pub callees_ran: bool,
}

impl CallEffects {
    /// A call that ended in `outcome` and so did nothing else.
    pub fn failed(outcome: Outcome) -> CallEffects {
        CallEffects {
            outcome,
            returns: Vec::new(),
            returndata: Vec::new(),
            logs: Vec::new(),
            events: Vec::new(),
            slices: BTreeMap::new(),
            calls: Vec::new(),
            callees: BTreeMap::new(),
            uncertain: false,
            callees_ran: false,
        }
    }

    /// A successful call that returns `returns`, with no other effects yet.
    pub fn success(returns: Vec<Value>) -> CallEffects {
        CallEffects { returns, ..CallEffects::failed(Outcome::Success) }
    }
}

/// A model of one contract's functions.
pub trait ContractModel: Send + Sync {
    /// The parameter types of the export `function`, if the contract has it.
    fn params(&self, function: &str) -> Option<Vec<ValueType>>;
    /// What calling `call.function` does to storage `slices` (the contract's slices, in order).
    fn call(&self, slices: &[Vec<u8>], call: &ModelCall<'_>, balances: &dyn Balances) -> CallEffects;
    /// Gas beyond the intrinsic cost that no call can use up unless the model says it runs out: with
    /// at least this much a call must end exactly as modelled.
    fn ample_gas(&self) -> u64 {
        1_000_000
    }
    /// The generated model, if this is one (only generated contracts are modelled as callees).
    fn as_generated(&self) -> Option<&generated::GeneratedModel> {
        None
    }
}

/// The model of the contract named `name` (with `plan` when it was generated), or why there is none.
pub fn for_contract(name: &str, plan: Option<&ContractPlan>) -> Result<Arc<dyn ContractModel>, &'static str> {
    if let Some(plan) = plan {
        return Ok(Arc::new(generated::GeneratedModel::new(plan.clone())));
    }
    Ok(match name {
        "counter" | "c/counter.clang" | "c/counter.zig" => Arc::new(counter::Counter),
        "token" => Arc::new(token::Token),
        "registers" => Arc::new(registers::Registers),
        "hostile/recursion_bomb" | "hostile/infinite_loop" | "hostile/memory_grow_bomb" | "hostile/oob_pointer" => {
            Arc::new(hostile::Hostile::new(name))
        }
        "float" => return Err("float results are IEEE arithmetic the models do not restate"),
        "sdk/token" | "sdk/vault" | "sdk/storage_forms" | "sdk/registry" | "c/buffer.clang" | "c/buffer.zig" => {
            return Err("compiled contracts: their effects are pinned by their own host tests");
        }
        n if n.starts_with("smith/") => return Err("wasm-smith modules: random code, checked by agreement only"),
        _ => return Err("no model"),
    })
}

/// The little-endian unsigned integer in `bytes` (at most 8 of them), as the integer vmcalls read it.
pub fn le_integer(bytes: &[u8]) -> u64 {
    let mut buf = [0u8; 8];
    buf[..bytes.len().min(8)].copy_from_slice(&bytes[..bytes.len().min(8)]);
    u64::from_le_bytes(buf)
}
