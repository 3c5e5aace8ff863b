//! Host-context vmcalls: who is calling, which contract runs, the layer, the value, and balances.

use super::HostError;
use super::env::{ExecutionEnv, Fault, VmcallTrap, run};
use super::registry::VmcallSpec;
use crate::Address;
use wasmer::FunctionEnvMut;

type Env<'a> = FunctionEnvMut<'a, ExecutionEnv>;

/// What the running transaction tells the contract about itself.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CallContext {
    /// The transaction's sender.
    pub sender: Address,
    /// The running contract.
    pub contract: Address,
    /// The layer (block height) the transaction runs in.
    pub layer: u64,
    /// The balance moved to the contract by this transaction.
    pub value: u64,
}

/// `host_sender_to_reg(reg)`.
pub fn sender_to_reg(e: &mut Env<'_>, spec: &'static VmcallSpec, reg: i32) -> Result<(), VmcallTrap> {
    let reg = reg as u32;
    run(e, spec, &[reg.into()], 0, |env, _| {
        let sender = env.context.sender;
        Ok(env.registers.set(160, reg, sender.as_bytes())?)
    })
}

/// `host_contract_to_reg(reg)`.
pub fn contract_to_reg(e: &mut Env<'_>, spec: &'static VmcallSpec, reg: i32) -> Result<(), VmcallTrap> {
    let reg = reg as u32;
    run(e, spec, &[reg.into()], 0, |env, _| {
        let contract = env.context.contract;
        Ok(env.registers.set(160, reg, contract.as_bytes())?)
    })
}

/// `host_layer() -> layer`.
pub fn layer(e: &mut Env<'_>, spec: &'static VmcallSpec) -> Result<i64, VmcallTrap> {
    run(e, spec, &[], 0, |env, _| Ok(env.context.layer as i64))
}

/// `host_value() -> value`.
pub fn value(e: &mut Env<'_>, spec: &'static VmcallSpec) -> Result<i64, VmcallTrap> {
    run(e, spec, &[], 0, |env, _| Ok(env.context.value as i64))
}

/// `get_balance_from_reg(bits, reg) -> balance`.
pub fn balance_from_reg(e: &mut Env<'_>, spec: &'static VmcallSpec, bits: i32, reg: i32) -> Result<i64, VmcallTrap> {
    let (bits, reg) = (bits as u32, reg as u32);
    run(e, spec, &[bits.into(), reg.into()], 0, |env, _| {
        if bits != 160 {
            return Err(Fault::host(
                HostError::RegisterWidth,
                format!("addresses live in 160-bit registers, not {bits}"),
            ));
        }
        let bytes: [u8; 20] = env
            .registers
            .read(160, reg)?
            .try_into()
            .map_err(|_| Fault::Node("160-bit register is not 20 bytes".into()))?;
        let frame = env.frame.as_ref().ok_or_else(|| Fault::Node("no transaction to read balances from".into()))?;
        let mut host = frame.host.lock().map_err(|_| Fault::Node("transaction state lock poisoned".into()))?;
        let account = host.update.account(&Address(bytes)).map_err(|e| Fault::Node(e.to_string()))?;
        Ok(account.balance as i64)
    })
}
