//! The workload: one seed drives everything — accounts, deploys, a realistic mix of calls and
//! deliberate failures (out of gas, bad arguments, stale nonces, hostile contracts) — so that failure
//! paths are replayed too. The generator runs each transaction on a private reference runtime as it
//! goes, so nonces and addresses in the stream are the real ones.

use crate::contract_source::ContractSource;
use crate::corpus::{self, CallableContract, Param};
use crate::generators::calls::{self, ExportedFunction};
use crate::generators::contract::{self, Variety, plan::AMPLE_GAS, plan::ContractPlan, plan::Step};
use crate::generators::module;
use crate::stream::{Stream, StreamContract, StreamTx};
use arbitrary::Unstructured;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use std::collections::BTreeMap;
use std::sync::Arc;
use svm::fee::FEE_ACCOUNT;
use svm::gas::intrinsic;
use svm::runtime::{BlockContext, Runtime, RuntimeConfig, RuntimeError};
use svm::storage::kv::MemKv;
use svm::storage::page_slices::PageSlice;
use svm::transaction::{Deploy, DeployLibrary, Execute, Transaction, Transfer};
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
    /// Generated contracts deployed at the start (more are deployed during the run).
    pub generated_contracts: usize,
    /// Percent of ordinary calls that go to generated contracts.
    pub generated_percent: u32,
    /// wasm-smith modules deployed at the start.
    pub smith_modules: usize,
    /// The most calldata a call to a generated contract carries: by default one byte past the limit,
    /// so that some calls are invalid for it; smaller for compact recorded streams.
    pub max_calldata: usize,
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
            generated_contracts: rng.random_range(4..=8),
            generated_percent: rng.random_range(35..=55),
            smith_modules: rng.random_range(1..=3),
            max_calldata: svm::Limits::default().max_calldata_bytes as usize + 1,
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
            ("generated_contracts", self.generated_contracts.to_string()),
            ("generated_percent", self.generated_percent.to_string()),
            ("smith_modules", self.smith_modules.to_string()),
            ("max_calldata", self.max_calldata.to_string()),
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
/// What the whale holds at genesis: so close to `u64::MAX` that a large transfer to it overflows.
const WHALE_BALANCE: u64 = u64::MAX - 1_000_000_000;
/// Gas for calls to wasm-smith modules (whose loops may never end).
const SMITH_GAS: u64 = 1_000_000;
/// Calldata a call that calls others carries at least, most of the time: enough for the callees' own
/// calldata copies (a hop hands on up to `HOP_COPY` bytes).
const CALLEE_CALLDATA: usize = 4300;

/// Generates the stream `params` describe.
pub fn generate(params: &WorkloadParams) -> Result<Stream, RuntimeError> {
    generate_on(params, RuntimeConfig::default())
}

/// Generates the stream `params` describe, running it as it goes on a reference runtime configured
/// as `reference` (the simulator plants its canary there too).
pub fn generate_on(params: &WorkloadParams, reference: RuntimeConfig) -> Result<Stream, RuntimeError> {
    Generator::new(params, reference).run()
}

struct Generator<'p> {
    params: &'p WorkloadParams,
    rng: ChaCha8Rng,
    reference: Runtime,
    stream: Stream,
    users: Vec<Address>,
    whale: Address,
    deployers: usize,
    /// Deployed contracts by corpus name.
    deployed: BTreeMap<&'static str, Vec<Address>>,
    /// Deployed generated contracts: address, plan, code length.
    generated: Vec<(Address, Arc<ContractPlan>, usize)>,
    /// Deployed wasm-smith modules and their exports.
    smith: Vec<(Address, Arc<Vec<ExportedFunction>>)>,
    /// Contracts generated so far (for their names).
    contracts_made: usize,
    /// Where in `generated` the contracts of a special variety (no memory, many pages, every kind of
    /// collection) are, once deployed.
    special: Vec<usize>,
    /// The shared recursion-helper library split contracts link, once deployed: its code hash.
    helper: Option<svm::Hash>,
    /// Libraries deployed: code hash and code length.
    libraries: Vec<(svm::Hash, usize)>,
}

/// The share of generated contracts (of no special variety) deployed split: their functions in a library they link.
const SPLIT_SHARE: f64 = 0.3;

fn derived_address(kind: &str, i: usize) -> Address {
    let hash = blake3::hash(format!("svm-sim/{kind}/{i}").as_bytes());
    let mut address = [0u8; 20];
    address.copy_from_slice(&hash.as_bytes()[..20]);
    Address(address)
}

impl<'p> Generator<'p> {
    fn new(params: &'p WorkloadParams, reference: RuntimeConfig) -> Generator<'p> {
        let mut rng = ChaCha8Rng::seed_from_u64(params.seed);
        let users: Vec<Address> = (0..params.users).map(|i| derived_address("user", i)).collect();
        // Each deploy has its own deployer (nonce 0), so removing other transactions never moves a
        // contract's address: the shrinker relies on it.
        let deployers = corpus::CALLABLE.len()
            + params.generated_contracts
            + params.smith_modules
            + params.txs * params.deploy_percent as usize / 100 * 2
            // Split contracts deploy their library too; library failures deploy now and then.
            + params.generated_contracts
            + params.txs * params.failure_percent as usize / 100 / 8
            + 8;
        let mut genesis: Vec<(Address, u64)> =
            users.iter().map(|u| (*u, rng.random_range(10_000_000_000..1_000_000_000_000))).collect();
        genesis.extend((0..deployers).map(|i| (derived_address("deployer", i), 100_000_000_000)));
        let whale = derived_address("whale", 0);
        genesis.push((whale, WHALE_BALANCE));
        let reference = Runtime::new(Arc::new(MemKv::new()), reference);
        let stream = Stream { seed: params.seed, genesis, ..Stream::default() };
        Generator {
            params,
            rng,
            reference,
            stream,
            users,
            whale,
            deployers: 0,
            deployed: BTreeMap::new(),
            generated: Vec::new(),
            smith: Vec::new(),
            contracts_made: 0,
            special: Vec::new(),
            helper: None,
            libraries: Vec::new(),
        }
    }

    fn run(mut self) -> Result<Stream, RuntimeError> {
        self.reference.genesis(&self.stream.genesis)?;
        for name in corpus::CALLABLE.map(|c| c.name) {
            self.deploy(name)?;
        }
        let helper = contract::plan::helper_library();
        if self.deploy_library(helper.clone(), "library/helper".into())? {
            self.helper = Some(svm::code::code_hash(&helper));
        }
        // The first four are a contract without memory, one with the page limit's worth of pages and
        // two with every kind of collection, so that every campaign reaches `no-memory`,
        // `too-many-dirty-pages` and every collection error.
        const SPECIAL: [Variety; 4] =
            [Variety::NoMemory, Variety::ManyPages, Variety::Collections, Variety::Collections];
        for i in 0..self.params.generated_contracts {
            let variety = SPECIAL.get(i).copied().unwrap_or(Variety::Any);
            self.deploy_generated_of(variety, false)?;
        }
        for _ in 0..self.params.smith_modules {
            self.deploy_smith()?;
        }
        while self.stream.txs.len() < self.params.txs {
            let roll = self.rng.random_range(0..100u32);
            let p = self.params;
            if roll < p.deploy_percent {
                match self.rng.random_range(0..20) {
                    0..8 => self.deploy_generated(false)?,
                    8..10 => self.deploy_generated(true)?,
                    10..12 => self.deploy_smith()?,
                    12..18 => {
                        let pick = REDEPLOYABLE[self.rng.random_range(0..REDEPLOYABLE.len())];
                        self.deploy(pick)?;
                    }
                    _ => {
                        let pick = REJECTED[self.rng.random_range(0..REJECTED.len())];
                        self.deploy(pick)?;
                    }
                }
            } else if roll < p.deploy_percent + p.transfer_percent {
                self.transfer()?;
            } else if roll < p.deploy_percent + p.transfer_percent + p.failure_percent {
                self.failure()?;
            } else if !self.generated.is_empty() && self.rng.random_range(0..100) < p.generated_percent {
                let call = self.generated_call();
                self.execute(call)?;
            } else if !self.smith.is_empty() && self.rng.random_bool(0.05) {
                let call = self.smith_call();
                self.execute(call)?;
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

    /// Deploys `source` (recorded in the stream under its name, with `plan` if generated) with
    /// `gas_limit`; the new contract's address if the deploy succeeded.
    fn deploy_source(
        &mut self,
        source: ContractSource,
        plan: Option<ContractPlan>,
        gas_limit: u64,
    ) -> Result<Option<Address>, RuntimeError> {
        let ContractSource { name, code, page_count, slices } = source;
        let hash = svm::code::code_hash(&code);
        self.stream.contracts.insert(hash, StreamContract { name, code: code.clone(), plan });
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
            gas_limit,
            gas_price,
        });
        let receipt = self.emit(tx)?;
        Ok(receipt.contract.filter(|_| receipt.outcome.is_success()))
    }

    /// Deploys library `code` (recorded in the stream as `name`) from a deployer of its own, with exactly the
    /// intrinsic gas of its linked length; whether it was deployed.
    fn deploy_library(&mut self, code: Vec<u8>, name: String) -> Result<bool, RuntimeError> {
        let hash = svm::code::code_hash(&code);
        self.stream.contracts.insert(hash, StreamContract { name, code: code.clone(), plan: None });
        let author = derived_address("deployer", self.deployers);
        self.deployers += 1;
        let (code_len, gas_price) = (code.len(), self.price());
        // Gas for its code and the libraries it imports (the shared helper: the only one generated ones import).
        let imported: usize = crate::models::linking::library_imports(&code)
            .iter()
            .filter_map(|hash| self.libraries.iter().find(|(h, _)| h == hash).map(|(_, len)| *len))
            .sum();
        let gas_limit = intrinsic::deploy(code_len + imported, 0);
        let receipt =
            self.emit(Transaction::DeployLibrary(DeployLibrary { author, nonce: 0, code, gas_limit, gas_price }))?;
        let deployed = receipt.outcome.is_success();
        if deployed {
            self.libraries.push((hash, code_len));
        }
        Ok(deployed)
    }

    fn deploy(&mut self, name: &'static str) -> Result<(), RuntimeError> {
        let Some(source) = corpus::contract(name) else { return Ok(()) };
        if let Some(address) = self.deploy_source(source, None, DEPLOY_GAS)? {
            self.deployed.entry(name).or_default().push(address);
        }
        Ok(())
    }

    /// Deploys a newly generated contract; with `bad_layout`, one whose layout breaks a rule (a slice
    /// on a page past the page count), which must be refused. One deploy in twenty is a gas unit
    /// short of its intrinsic cost.
    fn deploy_generated(&mut self, bad_layout: bool) -> Result<(), RuntimeError> {
        self.deploy_generated_of(Variety::Any, bad_layout)
    }

    /// [`Generator::deploy_generated`], of `variety`.
    fn deploy_generated_of(&mut self, variety: Variety, bad_layout: bool) -> Result<(), RuntimeError> {
        let plan = contract::plan_of(&mut self.rng, variety);
        let name = format!("generated/{}", self.contracts_made);
        let split = match self.helper {
            Some(helper) if variety == Variety::Any && self.rng.random_bool(SPLIT_SHARE) => Some(helper),
            _ => None,
        };
        let (mut source, linked_len) = match split {
            None => {
                let source = plan.source(&name);
                let len = source.code.len();
                (source, len)
            }
            Some(helper) => {
                let (library, source) = plan.split_sources(&name, &helper);
                let library_len = library.len();
                self.deploy_library(library, format!("library/{}", self.contracts_made))?;
                let helper_len = self.libraries.iter().find(|(h, _)| *h == helper).map_or(0, |(_, len)| *len);
                let len = source.code.len() + library_len + helper_len;
                (source, len)
            }
        };
        self.contracts_made += 1;
        if bad_layout {
            let slice = self.rng.random_range(0..source.slices.len());
            source.slices[slice].page = source.page_count;
        }
        let code_len = linked_len;
        let gas = intrinsic::deploy(code_len, source.slices.len());
        let gas = if variety == Variety::Any && self.rng.random_bool(0.05) { gas - 1 } else { gas };
        if let Some(address) = self.deploy_source(source, Some(plan.clone()), gas)? {
            if variety != Variety::Any {
                self.special.push(self.generated.len());
            }
            self.generated.push((address, Arc::new(plan), code_len));
        }
        Ok(())
    }

    /// Deploys a wasm-smith module drawn from the seed (some break the allow-list and are refused).
    fn deploy_smith(&mut self) -> Result<(), RuntimeError> {
        let bytes: Vec<u8> = (0..4096).map(|_| self.rng.random()).collect();
        let Ok(code) = module::module(&mut Unstructured::new(&bytes)) else { return Ok(()) };
        let source = ContractSource {
            name: format!("smith/{}", self.contracts_made),
            code,
            page_count: 2,
            slices: (0..4).map(|i| PageSlice { page: i / 2, offset: (i % 2) * 8, len: 8 }).collect(),
        };
        self.contracts_made += 1;
        let exports = calls::exported_functions(&source.code);
        let gas = intrinsic::deploy(source.code.len(), source.slices.len());
        if let Some(address) = self.deploy_source(source, None, gas)? {
            self.smith.push((address, Arc::new(exports)));
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
        let to = match self.rng.random_range(0..100) {
            0..5 => FEE_ACCOUNT,
            5..8 => self.whale,
            8..28 => derived_address("outsider", self.rng.random_range(0..50)),
            _ => self.user(),
        };
        self.transfer_to(to)
    }

    fn transfer_to(&mut self, to: Address) -> Result<(), RuntimeError> {
        let from = self.user();
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

    /// A call to a generated contract: ample gas (one call in ten too little), generated arguments,
    /// calldata and value.
    fn generated_call(&mut self) -> Call {
        // Two calls in five go to the contracts of a special variety, whose rarer outcomes (no
        // memory, too many dirty pages, every collection error) each need a guard to fire.
        let pick = if !self.special.is_empty() && self.rng.random_bool(0.4) {
            self.special[self.rng.random_range(0..self.special.len())]
        } else {
            self.rng.random_range(0..self.generated.len())
        };
        let (contract, plan, code_len) = self.generated[pick].clone();
        let mut planned = contract::call(&mut self.rng, &plan, self.params.max_calldata);
        // Four calls in five to a contract that calls others go to a function that does.
        let calling: Vec<&str> =
            plan.functions.iter().filter(|f| f.steps.iter().any(Step::calls)).map(|f| f.name.as_str()).collect();
        if !calling.is_empty() && self.rng.random_bool(0.8) {
            planned.function = calling[self.rng.random_range(0..calling.len())].to_string();
        }
        if calling.contains(&planned.function.as_str()) {
            let mut calldata = self.hops(contract);
            calldata.append(&mut planned.calldata);
            // Long enough, most of the time, for the callees' own calldata copies.
            if self.rng.random_bool(0.7) && calldata.len() < CALLEE_CALLDATA {
                calldata.resize_with(CALLEE_CALLDATA, || self.rng.random());
            }
            calldata.truncate(self.params.max_calldata);
            planned.calldata = calldata;
        }
        let ample = AMPLE_GAS + intrinsic::execute(code_len, planned.calldata.len());
        let gas = if self.rng.random_bool(0.1) { self.rng.random_range(20_000..2_000_000) } else { ample };
        Call {
            calldata: planned.calldata,
            value: planned.value,
            gas,
            ..Call::new(contract, &planned.function, vec![Value::I64(planned.a), Value::I64(planned.b)])
        }
    }

    /// The hops a generated contract's calls follow (`callee ‖ 2-byte function name`, one to four of
    /// them), from `caller`: mostly a generated contract's function (one that calls on, when it has
    /// one), and now and then a contract already on the chain (re-entry), an address with no contract,
    /// a function it does not have, or a name that is not UTF-8.
    fn hops(&mut self, caller: Address) -> Vec<u8> {
        let mut chain = vec![caller];
        let mut out = Vec::new();
        for _ in 0..self.rng.random_range(1..=4) {
            let (address, plan, _) = self.generated[self.rng.random_range(0..self.generated.len())].clone();
            let (address, name) = match self.rng.random_range(0..20) {
                0..13 => {
                    let calling: Vec<&str> = plan
                        .functions
                        .iter()
                        .filter(|f| f.steps.iter().any(Step::calls))
                        .map(|f| f.name.as_str())
                        .collect();
                    let name = if !calling.is_empty() && self.rng.random_bool(0.7) {
                        calling[self.rng.random_range(0..calling.len())].to_string()
                    } else {
                        plan.functions[self.rng.random_range(0..plan.functions.len())].name.clone()
                    };
                    (address, name.into_bytes())
                }
                13..15 => (chain[self.rng.random_range(0..chain.len())], b"f0".to_vec()),
                15..17 => (derived_address("missing", self.rng.random_range(0..4)), b"f0".to_vec()),
                17 => (address, b"f9".to_vec()),
                18 => (address, vec![0xff, 0xfe]),
                _ => (self.users[self.rng.random_range(0..self.users.len())], b"f1".to_vec()),
            };
            chain.push(address);
            out.extend_from_slice(&address.0);
            out.extend_from_slice(&name[..2]);
        }
        out
    }

    /// A call to a wasm-smith module's export, made as the fuzz targets make them.
    fn smith_call(&mut self) -> Call {
        let (contract, exports) = self.smith[self.rng.random_range(0..self.smith.len())].clone();
        let bytes: Vec<u8> = (0..256).map(|_| self.rng.random()).collect();
        let planned = calls::calls(&mut Unstructured::new(&bytes), &exports, 1).ok().and_then(|c| c.into_iter().next());
        let Some(planned) = planned else { return Call::new(contract, "missing", vec![]) };
        Call {
            calldata: planned.calldata,
            value: planned.value,
            gas: planned.gas.min(SMITH_GAS),
            gas_price: Some(planned.gas_price),
            ..Call::new(contract, &planned.function, planned.args)
        }
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
        let kind = self.rng.random_range(0..20);
        let mut call = match kind {
            // A transfer to a library's account: invalid.
            17 => match self.libraries.clone().get(self.rng.random_range(0..self.libraries.len().max(1))) {
                Some((hash, _)) => return self.transfer_to(svm::address::library_address(hash)),
                None => return self.transfer(),
            },
            // A library deployed again: invalid (its address is taken).
            18 => {
                let helper = contract::plan::helper_library();
                return self.deploy_library(helper, "library/helper".into()).map(drop);
            }
            // A contract importing a library nobody deployed, or a library with state of its own: refused.
            19 => return self.deploy_unlinkable(),
            // A deploy the allow-list refuses.
            16 => {
                let pick = REJECTED[self.rng.random_range(0..REJECTED.len())];
                return self.deploy(pick);
            }
            // A deploy whose layout breaks a rule: refused.
            14 => return self.deploy_generated(true),
            // More than the whale's headroom, to the whale: its balance would overflow, invalid.
            15 => return self.transfer_to(self.whale),
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
            // A gas limit past the VM's ceiling: invalid, whatever the price.
            12 => Call { gas: svm::Limits::default().max_gas_limit + 1, gas_price: Some(0), ..self.ordinary_call() },
            // A price whose product with the gas limit overflows: invalid.
            _ => Call { gas_price: Some(u64::MAX / 2), ..self.ordinary_call() },
        };
        if kind == 6 {
            call.gas = 5_000_000;
        }
        self.execute(call)
    }

    /// Deploys what cannot link: a contract importing a library that is not deployed, or a library defining
    /// memory of its own.
    fn deploy_unlinkable(&mut self) -> Result<(), RuntimeError> {
        let missing: [u8; 32] = self.rng.random();
        let missing = svm::Hash(missing);
        if self.rng.random_bool(0.5) {
            let text = format!(
                r#"(module (import "{missing}" "f" (func (param i64 i64) (result i64)))
                     (func (export "f0") (param i64 i64) (result i64) (call 0 (local.get 0) (local.get 1))))"#
            );
            let code = wat::parse_str(&text).map_err(|e| RuntimeError::Engine(e.to_string()))?;
            let source =
                ContractSource { name: format!("unlinkable/{missing}"), code, page_count: 0, slices: Vec::new() };
            let gas = intrinsic::deploy(source.code.len(), 0);
            return self.deploy_source(source, None, gas).map(drop);
        }
        let text = format!(r#"(module (memory 1) (func (export "f{}")))"#, self.rng.random_range(0..1000u32));
        let code = wat::parse_str(&text).map_err(|e| RuntimeError::Engine(e.to_string()))?;
        self.deploy_library(code, "library/with-memory".into()).map(drop)
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
            function: call.function,
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
    function: String,
    args: Vec<Value>,
    calldata: Vec<u8>,
    gas: u64,
    /// `None`: an ordinary price, drawn when the call is emitted.
    gas_price: Option<u64>,
    value: u64,
    stale_nonce: bool,
}

impl Call {
    fn new(contract: Address, function: &str, args: Vec<Value>) -> Call {
        Call {
            contract,
            function: function.to_string(),
            args,
            calldata: Vec::new(),
            gas: GAS,
            gas_price: None,
            value: 0,
            stale_nonce: false,
        }
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
