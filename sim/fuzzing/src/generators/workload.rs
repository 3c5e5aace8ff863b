//! The workload: one seed drives everything — accounts, deploys, a realistic mix of calls and
//! deliberate failures (out of gas, bad arguments, stale nonces, hostile contracts) — so that failure
//! paths are replayed too. The generator runs each transaction on a private reference runtime as it
//! goes, so nonces and addresses in the stream are the real ones.

use crate::contract_source::ContractSource;
use crate::corpus::{self, CallableContract, Param};
use crate::stream::{Stream, StreamContract, StreamTx};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use std::collections::BTreeMap;
use std::sync::Arc;
use svm::fee::FEE_ACCOUNT;
use svm::runtime::{BlockContext, Runtime, RuntimeConfig, RuntimeError};
use svm::storage::kv::MemKv;
use svm::transaction::{Deploy, Execute, Transaction, Transfer};
use svm::{Address, Value};

/// Every parameter of a workload, all derived from the seed (and the requested length).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct WorkloadParams {
    /// The seed.
    pub seed: u64,
    /// Transactions to generate.
    pub txs: usize,
    /// Ordinary accounts that send calls and transfers.
    pub users: usize,
    /// Transactions per layer.
    pub layer_every: usize,
    /// Percent of transactions that deploy a contract.
    pub deploy_percent: u32,
    /// Percent that transfer balance.
    pub transfer_percent: u32,
    /// Percent that are deliberate failures.
    pub failure_percent: u32,
}

impl WorkloadParams {
    /// The parameters seed `seed` gives for a stream of `txs` transactions.
    pub fn derive(seed: u64, txs: usize) -> WorkloadParams {
        let mut rng = ChaCha8Rng::seed_from_u64(seed ^ 0x5356_4d5f_5041_5241);
        WorkloadParams {
            seed,
            txs,
            users: rng.random_range(4..=12),
            layer_every: rng.random_range(5..=25),
            deploy_percent: rng.random_range(2..=5),
            transfer_percent: rng.random_range(5..=15),
            failure_percent: rng.random_range(15..=35),
        }
    }

    /// The parameters as (name, value) pairs, in the order runs print them.
    pub fn describe(&self) -> Vec<(&'static str, String)> {
        vec![
            ("seed", self.seed.to_string()),
            ("txs", self.txs.to_string()),
            ("users", self.users.to_string()),
            ("layer_every", self.layer_every.to_string()),
            ("deploy_percent", self.deploy_percent.to_string()),
            ("transfer_percent", self.transfer_percent.to_string()),
            ("failure_percent", self.failure_percent.to_string()),
        ]
    }
}

/// Contracts worth deploying again during a run: the ordinary callable ones.
const REDEPLOYABLE: [&str; 3] = ["counter", "token", "registers"];
/// Contracts the deploy allow-list rejects.
const REJECTED: [&str; 3] = ["hostile/simd", "hostile/oversized_memory", "hostile/unknown_import"];
/// Gas for calls meant to complete.
const GAS: u64 = 2_000_000;
/// Gas for deploys: the corpus contracts' intrinsic deploy gas, with room.
const DEPLOY_GAS: u64 = 10_000_000;
/// A gas price that, times [`GAS`], exceeds every balance a workload hands out, without overflowing.
const PRICE_BEYOND_ANY_BALANCE: u64 = 1_000_000_000;

/// Generates the stream `params` describe.
pub fn generate(params: &WorkloadParams) -> Result<Stream, RuntimeError> {
    Generator::new(params).run()
}

struct Generator<'p> {
    params: &'p WorkloadParams,
    rng: ChaCha8Rng,
    reference: Runtime,
    stream: Stream,
    users: Vec<Address>,
    deployers: usize,
    /// Deployed contracts by corpus name.
    deployed: BTreeMap<&'static str, Vec<Address>>,
}

fn derived_address(kind: &str, i: usize) -> Address {
    let hash = blake3::hash(format!("svm-sim/{kind}/{i}").as_bytes());
    let mut address = [0u8; 20];
    address.copy_from_slice(&hash.as_bytes()[..20]);
    Address(address)
}

impl<'p> Generator<'p> {
    fn new(params: &'p WorkloadParams) -> Generator<'p> {
        let mut rng = ChaCha8Rng::seed_from_u64(params.seed);
        let users: Vec<Address> = (0..params.users).map(|i| derived_address("user", i)).collect();
        // Each deploy has its own deployer (nonce 0), so removing other transactions never moves a
        // contract's address: the shrinker relies on it.
        let deployers = corpus::CALLABLE.len() + params.txs * params.deploy_percent as usize / 100 * 2 + 8;
        let mut genesis: Vec<(Address, u64)> =
            users.iter().map(|u| (*u, rng.random_range(10_000_000_000..1_000_000_000_000))).collect();
        genesis.extend((0..deployers).map(|i| (derived_address("deployer", i), 100_000_000_000)));
        let reference = Runtime::new(Arc::new(MemKv::new()), RuntimeConfig::default());
        let stream = Stream { seed: params.seed, genesis, ..Stream::default() };
        Generator { params, rng, reference, stream, users, deployers: 0, deployed: BTreeMap::new() }
    }

    fn run(mut self) -> Result<Stream, RuntimeError> {
        self.reference.genesis(&self.stream.genesis)?;
        for name in corpus::CALLABLE.map(|c| c.name) {
            self.deploy(name)?;
        }
        while self.stream.txs.len() < self.params.txs {
            let roll = self.rng.random_range(0..100u32);
            let p = self.params;
            if roll < p.deploy_percent {
                let pick = if self.rng.random_bool(0.75) {
                    REDEPLOYABLE[self.rng.random_range(0..REDEPLOYABLE.len())]
                } else {
                    REJECTED[self.rng.random_range(0..REJECTED.len())]
                };
                self.deploy(pick)?;
            } else if roll < p.deploy_percent + p.transfer_percent {
                self.transfer()?;
            } else if roll < p.deploy_percent + p.transfer_percent + p.failure_percent {
                self.failure()?;
            } else {
                let call = self.ordinary_call();
                self.execute(call)?;
            }
        }
        self.stream.txs.truncate(self.params.txs);
        Ok(self.stream)
    }

    fn layer(&self) -> u64 {
        (self.stream.txs.len() / self.params.layer_every.max(1)) as u64
    }

    fn emit(&mut self, tx: Transaction) -> Result<svm::receipt::Receipt, RuntimeError> {
        let layer = self.layer();
        let receipt = self.reference.apply(&tx, &BlockContext { layer })?;
        self.stream.txs.push(StreamTx { layer, tx });
        Ok(receipt)
    }

    fn nonce(&self, who: &Address) -> u64 {
        self.reference.account(who).ok().flatten().map_or(0, |a| a.nonce)
    }

    fn deploy(&mut self, name: &'static str) -> Result<(), RuntimeError> {
        let Some(source) = corpus::contract(name) else { return Ok(()) };
        let ContractSource { code, page_count, slices, .. } = source;
        let hash = svm::code::code_hash(&code);
        self.stream.contracts.insert(hash, StreamContract { name: name.into(), code: code.clone() });
        let author = derived_address("deployer", self.deployers);
        self.deployers += 1;
        let initial_balance = if self.rng.random_bool(0.3) { self.rng.random_range(1..1000) } else { 0 };
        let gas_price = self.price();
        let tx = Transaction::Deploy(Deploy {
            author,
            nonce: 0,
            code,
            page_count,
            slices,
            initial_balance,
            gas_limit: DEPLOY_GAS,
            gas_price,
        });
        let receipt = self.emit(tx)?;
        if let (true, Some(address)) = (receipt.outcome.is_success(), receipt.contract) {
            self.deployed.entry(name).or_default().push(address);
        }
        Ok(())
    }

    /// An ordinary gas price: varied, never zero.
    fn price(&mut self) -> u64 {
        self.rng.random_range(1..=20)
    }

    fn user(&mut self) -> Address {
        self.users[self.rng.random_range(0..self.users.len())]
    }

    fn instance(&mut self, name: &'static str) -> Address {
        let instances = self.deployed.get(name).map_or(&[][..], Vec::as_slice);
        match instances.len() {
            0 => derived_address("nowhere", 0),
            n => instances[self.rng.random_range(0..n)],
        }
    }

    fn transfer(&mut self) -> Result<(), RuntimeError> {
        let from = self.user();
        let to = match self.rng.random_range(0..100) {
            0..3 => FEE_ACCOUNT,
            3..23 => derived_address("outsider", self.rng.random_range(0..50)),
            _ => self.user(),
        };
        let balance = self.reference.account(&from)?.map_or(0, |a| a.balance);
        // One in ten moves the whole balance and so cannot also pay its fee: invalid.
        let amount = if self.rng.random_bool(0.1) { balance } else { self.rng.random_range(0..=balance / 10) };
        let nonce = self.nonce(&from);
        let gas_price = self.price();
        self.emit(Transaction::Transfer(Transfer { from, to, nonce, amount, gas_price }))?;
        Ok(())
    }

    /// A call that should succeed: an ordinary corpus contract's function with arguments in range.
    fn ordinary_call(&mut self) -> Call {
        let ordinary: Vec<&CallableContract> = corpus::CALLABLE.iter().filter(|c| !c.hostile).collect();
        let callable = ordinary[self.rng.random_range(0..ordinary.len())];
        let function = &callable.functions[self.rng.random_range(0..callable.functions.len())];
        let contract = self.instance(callable.name);
        let args = function.params.iter().map(|p| self.arg(p)).collect();
        let mut call = Call::new(contract, function.name, args);
        if function.uses_value {
            call.value = self.rng.random_range(0..50);
        }
        if function.uses_calldata {
            let len = self.rng.random_range(0..64);
            call.calldata = (0..len).map(|_| self.rng.random()).collect();
        }
        call
    }

    /// A value for `param`, in its range.
    fn arg(&mut self, param: &Param) -> Value {
        match *param {
            Param::I32 { min, max } => Value::I32(self.rng.random_range(min..=max)),
            Param::I64 { min, max } => Value::I64(self.rng.random_range(min..=max)),
            Param::F64 => Value::F64(match self.rng.random_range(0..8) {
                0 => 0x7FF8_0000_0000_0BAD,
                1 => (-1.5f64).to_bits(),
                2 => f64::INFINITY.to_bits(),
                _ => f64::from(self.rng.random_range(0u32..1_000_000) as f32 / 8.0).to_bits(),
            }),
        }
    }

    fn failure(&mut self) -> Result<(), RuntimeError> {
        let kind = self.rng.random_range(0..13);
        let mut call = match kind {
            0 => Call { gas: self.rng.random_range(100..40_000), ..self.ordinary_call() },
            1 => Call::new(self.instance("counter"), "add", vec![Value::I32(1)]),
            2 => Call::new(self.instance("token"), "no_such_function", vec![]),
            3 => Call { stale_nonce: true, ..self.ordinary_call() },
            4 => Call { value: u64::MAX / 2, ..self.ordinary_call() },
            5 => Call::new(derived_address("nowhere", self.rng.random_range(0..10)), "inc", vec![]),
            6 => Call::new(self.instance("hostile/recursion_bomb"), "down", vec![Value::I64(0)]),
            7 => Call {
                gas: self.rng.random_range(30_000..300_000),
                ..Call::new(self.instance("hostile/infinite_loop"), "spin", vec![])
            },
            8 => {
                let function = if self.rng.random_bool(0.5) { "grow" } else { "grow_huge" };
                Call::new(self.instance("hostile/memory_grow_bomb"), function, vec![])
            }
            9 => Call::new(self.instance("hostile/oob_pointer"), "smash", vec![]),
            10 => Call::new(self.instance("token"), "mint", vec![Value::I32(9), Value::I64(1)]),
            // A price so high that the sender cannot cover gas limit × price: invalid, nothing paid.
            11 => Call { gas_price: Some(PRICE_BEYOND_ANY_BALANCE), ..self.ordinary_call() },
            // A price whose product with the gas limit overflows: invalid.
            _ => Call { gas_price: Some(u64::MAX / 2), ..self.ordinary_call() },
        };
        if kind == 6 {
            call.gas = 5_000_000;
        }
        self.execute(call)
    }

    fn execute(&mut self, call: Call) -> Result<(), RuntimeError> {
        let sender = self.user();
        let mut nonce = self.nonce(&sender);
        if call.stale_nonce {
            nonce = if nonce > 0 && self.rng.random_bool(0.5) { nonce - 1 } else { nonce + 1 };
        }
        let tx = Execute {
            contract: call.contract,
            sender,
            nonce,
            function: call.function.into(),
            args: call.args,
            calldata: call.calldata,
            gas_limit: call.gas,
            gas_price: call.gas_price.unwrap_or_else(|| self.rng.random_range(1..=20)),
            value: call.value,
        };
        self.emit(Transaction::Execute(tx))?;
        Ok(())
    }
}

/// One execution to emit.
struct Call {
    contract: Address,
    function: &'static str,
    args: Vec<Value>,
    calldata: Vec<u8>,
    gas: u64,
    /// `None`: an ordinary price, drawn when the call is emitted.
    gas_price: Option<u64>,
    value: u64,
    stale_nonce: bool,
}

impl Call {
    fn new(contract: Address, function: &'static str, args: Vec<Value>) -> Call {
        Call { contract, function, args, calldata: Vec::new(), gas: GAS, gas_price: None, value: 0, stale_nonce: false }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_same_seed_gives_the_same_stream_and_another_seed_another() {
        let a = generate(&WorkloadParams::derive(5, 120)).unwrap();
        let b = generate(&WorkloadParams::derive(5, 120)).unwrap();
        let c = generate(&WorkloadParams::derive(6, 120)).unwrap();
        assert_eq!(a.txs.len(), 120);
        assert_eq!(a.to_jsonl(), b.to_jsonl());
        assert_ne!(a.to_jsonl(), c.to_jsonl());
    }
}
