//! Building a transaction vector: contracts from WebAssembly text with a layout line, transactions
//! applied on a reference runtime as they are added (so nonces and addresses are real), and the
//! receipts and roots it gives recorded as the expectations.

use super::{Case, TxExpect, Vector};
use std::collections::BTreeMap;
use std::sync::Arc;
use svm::receipt::Receipt;
use svm::runtime::{BlockContext, Runtime, RuntimeConfig};
use svm::storage::kv::MemKv;
use svm::transaction::{Deploy, DeployLibrary, Execute, Transaction, Transfer};
use svm::{Address, Value};
use svm_fuzzing::contract_source::ContractSource;
use svm_fuzzing::stream::{Stream, StreamContract, StreamTx};

/// The account that deploys and calls in every vector.
pub const USER: Address = Address([0x11; 20]);
/// A second account, for transfers and for calls from someone else.
pub const OTHER: Address = Address([0x22; 20]);
/// What each starts with.
pub const GENESIS_BALANCE: u64 = 1_000_000_000_000;

/// A transaction vector under construction.
pub struct Builder {
    runtime: Runtime,
    stream: Stream,
    sources: BTreeMap<String, String>,
    contracts: BTreeMap<String, (Address, usize)>,
    expect: Vec<TxExpect>,
    layer: u64,
}

/// One execution to add (defaults: no arguments, no calldata, ample gas, price 1, no value).
#[derive(Clone, Debug)]
pub struct Call {
    /// The contract's name in the vector.
    pub contract: String,
    /// The export.
    pub function: String,
    /// Its arguments.
    pub args: Vec<Value>,
    /// Calldata.
    pub calldata: Vec<u8>,
    /// Gas limit.
    pub gas_limit: u64,
    /// Gas price.
    pub gas_price: u64,
    /// Value moved.
    pub value: u64,
    /// The sender.
    pub sender: Address,
    /// A nonce other than the sender's next one.
    pub nonce: Option<u64>,
}

/// A call to `function` of `contract` with `args`.
pub fn call(contract: &str, function: &str, args: Vec<Value>) -> Call {
    Call {
        contract: contract.into(),
        function: function.into(),
        args,
        calldata: Vec::new(),
        gas_limit: 1_000_000,
        gas_price: 1,
        value: 0,
        sender: USER,
        nonce: None,
    }
}

impl Default for Builder {
    fn default() -> Builder {
        Builder::new()
    }
}

impl Builder {
    /// A vector whose genesis credits [`USER`] and [`OTHER`].
    pub fn new() -> Builder {
        let genesis = vec![(USER, GENESIS_BALANCE), (OTHER, GENESIS_BALANCE)];
        let mut runtime = Runtime::new(Arc::new(MemKv::new()), RuntimeConfig::default());
        // A fresh in-memory store takes any genesis.
        let _ = runtime.genesis(&genesis);
        Builder {
            runtime,
            stream: Stream { genesis, ..Stream::default() },
            sources: BTreeMap::new(),
            contracts: BTreeMap::new(),
            expect: Vec::new(),
            layer: 1,
        }
    }

    /// Later transactions run in `layer` (from 1 at the start; layers only go forward).
    pub fn at_layer(&mut self, layer: u64) {
        self.layer = layer;
    }

    /// The runtime the vector is made on.
    pub fn runtime(&self) -> &Runtime {
        &self.runtime
    }

    /// The next nonce of `who`.
    pub fn nonce(&self, who: &Address) -> u64 {
        self.runtime.account(who).ok().flatten().map_or(0, |a| a.nonce)
    }

    /// Applies `tx`, records it and its expectation; returns its receipt.
    pub fn tx(&mut self, tx: Transaction) -> Receipt {
        let receipt = self
            .runtime
            .apply(&tx, &BlockContext { layer: self.layer })
            .unwrap_or_else(|e| panic!("a vector's transaction faulted the reference node: {e}"));
        self.expect.push(TxExpect::of(&receipt, self.runtime.root()));
        self.stream.txs.push(StreamTx { layer: self.layer, tx });
        receipt
    }

    /// Deploys the contract `name` from WebAssembly text `wat` (with its `;; svm-layout:` line) with
    /// `gas_limit` (`None`: exactly its intrinsic gas); returns its receipt.
    pub fn deploy(&mut self, name: &str, wat: &str, gas_limit: Option<u64>) -> Receipt {
        let source = ContractSource::from_wat(name, wat).unwrap_or_else(|e| panic!("{e}"));
        self.deploy_source(source, wat, gas_limit)
    }

    /// Deploys `source` (whose text is `wat`).
    pub fn deploy_source(&mut self, source: ContractSource, wat: &str, gas_limit: Option<u64>) -> Receipt {
        let ContractSource { name, code, page_count, slices } = source;
        let gas_limit = gas_limit.unwrap_or_else(|| svm::gas::intrinsic::deploy(code.len(), slices.len()));
        self.sources.insert(name.clone(), wat.to_string());
        self.stream
            .contracts
            .insert(svm::code::code_hash(&code), StreamContract { name: name.clone(), code: code.clone(), plan: None });
        let code_len = code.len();
        let tx = Transaction::Deploy(Deploy {
            author: USER,
            nonce: self.nonce(&USER),
            code,
            page_count,
            slices,
            initial_balance: 0,
            gas_limit,
            gas_price: 1,
        });
        let receipt = self.tx(tx);
        if let (true, Some(address)) = (receipt.outcome.is_success(), receipt.contract) {
            self.contracts.insert(name, (address, code_len));
        }
        receipt
    }

    /// Deploys the library `name` from WebAssembly text `wat` with `gas_limit` (`None`: exactly the intrinsic gas
    /// of its own code); returns its receipt.
    pub fn deploy_library(&mut self, name: &str, wat: &str, gas_limit: Option<u64>) -> Receipt {
        let code = wat::parse_str(wat).unwrap_or_else(|e| panic!("{name}: {e}"));
        let gas_limit = gas_limit.unwrap_or_else(|| svm::gas::intrinsic::deploy(code.len(), 0));
        self.sources.insert(name.to_string(), wat.to_string());
        self.stream
            .contracts
            .insert(svm::code::code_hash(&code), StreamContract { name: name.into(), code: code.clone(), plan: None });
        let tx = Transaction::DeployLibrary(DeployLibrary {
            author: USER,
            nonce: self.nonce(&USER),
            code,
            gas_limit,
            gas_price: 1,
        });
        self.tx(tx)
    }

    /// The address and code length of the deployed contract `name`.
    pub fn contract(&self, name: &str) -> (Address, usize) {
        self.contracts.get(name).copied().unwrap_or((Address([0xEE; 20]), 0))
    }

    /// Applies `call`; returns its receipt.
    pub fn execute(&mut self, call: Call) -> Receipt {
        let (contract, _) = self.contract(&call.contract);
        let tx = Transaction::Execute(Execute {
            contract,
            sender: call.sender,
            nonce: call.nonce.unwrap_or_else(|| self.nonce(&call.sender)),
            function: call.function,
            args: call.args,
            calldata: call.calldata,
            gas_limit: call.gas_limit,
            gas_price: call.gas_price,
            value: call.value,
        });
        self.tx(tx)
    }

    /// Transfers `amount` from [`USER`] to `to` at `gas_price`; returns its receipt.
    pub fn transfer(&mut self, to: Address, amount: u64, gas_price: u64) -> Receipt {
        let tx = Transaction::Transfer(Transfer { from: USER, to, nonce: self.nonce(&USER), amount, gas_price });
        self.tx(tx)
    }

    /// The outcome names of the transactions so far.
    pub fn outcomes(&self) -> Vec<String> {
        self.expect.iter().map(|e| e.outcome.clone()).collect()
    }

    /// The execution intrinsic gas of a call to `contract` with `calldata` bytes.
    pub fn intrinsic(&self, contract: &str, calldata: usize) -> u64 {
        svm::gas::intrinsic::execute(self.contract(contract).1, calldata)
    }

    /// The vector.
    pub fn finish(self, name: &str, rule: &str, description: &str) -> Vector {
        let case = Case::Transactions { sources: self.sources, stream: self.stream.to_json(), expect: self.expect };
        Vector::new(name, rule, description, case)
    }
}
