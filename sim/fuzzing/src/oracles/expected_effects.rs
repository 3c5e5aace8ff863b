//! Expected effects: every transaction of a stream, checked against what the models say it must do
//! (see [`crate::models`]) — its outcome, returns, returndata and logs, the contract a deploy creates,
//! and the slices a call touched, read back from the state the replica committed. Agreement among
//! replicas is not correctness; this is.
//!
//! One [`ExpectedEffects`] follows one replica through a stream: it keeps each modelled contract's
//! slices as the model has them, and after a finding takes the replica's slices back so that one bug
//! is reported once, not at every later call.

use crate::invariants::Step;
use crate::invariants::effects::Effects;
use crate::models::calls::{World, WorldContract};
use crate::models::transaction::{self, Expectation, Expected, KnownCode, Ledger, Target};
use crate::models::{self, CallEffects, ContractModel, linking};
use crate::stream::Stream;
use std::collections::BTreeMap;
use std::sync::Arc;
use svm::account::Account;
use svm::outcome::{Outcome, Refusal};
use svm::transaction::Transaction;
use svm::{Address, Hash};

/// Corpus contracts the deploy allow-list rejects (their deploys must be `code-rejected`).
const REJECTED: [&str; 3] = ["hostile/simd", "hostile/oversized_memory", "hostile/unknown_import"];

/// What is known about one code hash of the stream.
struct Code {
    known: KnownCode,
    model: Option<Arc<dyn ContractModel>>,
}

/// A deployed contract.
struct Deployed {
    code_len: usize,
    model: Option<Arc<dyn ContractModel>>,
    slices: Vec<Vec<u8>>,
}

/// How many transactions were checked, and how closely.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Tally {
    /// Checked against an exact expectation (outcome, and for a success every effect).
    pub exact: usize,
    /// Checked only for admission: no model knows the contract.
    pub admitted_only: usize,
    /// Allowed to run out of gas (gas limit below ample, or a callee ran), and did.
    pub ran_out_of_gas: usize,
    /// Executions with calls (in the receipt or the expectation) checked exactly.
    pub calls_exact: usize,
    /// Executions with calls checked only for admission (a callee the model cannot follow exactly).
    pub calls_admitted_only: usize,
}

/// The deployed contracts, as the models' calls see them.
struct Deployments<'a>(&'a BTreeMap<Address, Deployed>);

impl World for Deployments<'_> {
    fn contract(&self, address: &Address) -> Option<WorldContract<'_>> {
        self.0.get(address).map(|d| WorldContract {
            model: d.model.as_deref(),
            code_len: d.code_len,
            slices: &d.slices,
        })
    }
}

/// The expected-effects checker of one replica's run of one stream.
pub struct ExpectedEffects {
    code: BTreeMap<Hash, Code>,
    /// Every code the stream carries, by hash (libraries are looked up here).
    bytes: BTreeMap<Hash, Vec<u8>>,
    contracts: BTreeMap<Address, Deployed>,
    /// What was checked so far.
    pub tally: Tally,
}

/// The accounts before a step: those its effects already read, the rest from the store.
struct Before<'a> {
    step: &'a Step<'a>,
    known: Option<&'a Effects>,
}

impl Ledger for Before<'_> {
    fn account(&self, address: &Address) -> Option<Account> {
        if let Some(touched) = self.known.and_then(|effects| effects.get(address)) {
            return touched.before.clone();
        }
        self.step.account_at(self.step.before, address).ok().flatten()
    }
}

impl ExpectedEffects {
    /// A checker for `stream`, with a model for every contract of it that has one.
    pub fn new(stream: &Stream) -> ExpectedEffects {
        let code = stream
            .contracts
            .iter()
            .map(|(hash, c)| {
                let model = models::for_contract(&c.name, c.plan.as_ref()).ok();
                let known = if REJECTED.contains(&c.name.as_str()) {
                    KnownCode::Rejected
                } else if model.is_some() {
                    KnownCode::Valid
                } else {
                    KnownCode::Unknown
                };
                (*hash, Code { known, model })
            })
            .collect();
        let bytes = stream.contracts.iter().map(|(hash, c)| (*hash, c.code.clone())).collect();
        ExpectedEffects { code, bytes, contracts: BTreeMap::new(), tally: Tally::default() }
    }

    /// Knows a contract that existed before the stream started (a stream that starts from a snapshot):
    /// calls to it are checked for admission only, since no model knows the state it starts with.
    pub fn know_existing(&mut self, address: Address, code_len: usize) {
        self.contracts.insert(address, Deployed { code_len, model: None, slices: Vec::new() });
    }

    /// The code of each library `ledger` has registered, by code hash (`None`: not registered, or code the stream
    /// does not carry).
    fn registered<'a>(&'a self, ledger: &'a dyn Ledger) -> impl Fn(&Hash) -> Option<Vec<u8>> + 'a {
        move |hash: &Hash| {
            let account = ledger.account(&svm::address::library_address(hash))?;
            (account.library == Some(*hash)).then(|| self.bytes.get(hash).cloned()).flatten()
        }
    }

    /// What `step`'s transaction, run in `layer`, must do.
    fn expect(&self, step: &Step<'_>, known: Option<&Effects>, layer: u64) -> Expectation {
        let ledger = Before { step, known };
        match step.tx {
            Transaction::Transfer(tx) => transaction::transfer(tx, &ledger),
            Transaction::DeployLibrary(tx) => {
                transaction::deploy_library(tx, &ledger, linking::expect_link(&tx.code, &self.registered(&ledger)))
            }
            Transaction::Deploy(tx) => {
                let known = self.code.get(&svm::code::code_hash(&tx.code)).map_or(KnownCode::Unknown, |c| c.known);
                let link = linking::expect_link(&tx.code, &self.registered(&ledger));
                transaction::deploy(tx, &ledger, known, link)
            }
            Transaction::Execute(tx) => {
                let target = self.contracts.get(&tx.contract).map(|d| Target {
                    code_len: d.code_len,
                    model: d.model.as_deref(),
                    slices: &d.slices,
                    ample_gas: d.model.as_ref().map_or(0, |m| m.ample_gas()),
                });
                transaction::execute(tx, &ledger, target, &Deployments(&self.contracts), layer)
            }
        }
    }

    /// Checks `step` (its runtime at `step.after`), run in `layer`, against its expectation; `Err` says
    /// what differs. Either way the checker moves on to the state after the step.
    pub fn check(&mut self, step: &Step<'_>, layer: u64) -> Result<(), String> {
        self.check_known(step, None, layer)
    }

    /// [`ExpectedEffects::check`], reading accounts the step's `known` effects already read from them.
    pub fn check_known(&mut self, step: &Step<'_>, known: Option<&Effects>, layer: u64) -> Result<(), String> {
        let expectation = self.expect(step, known, layer);
        let receipt = step.receipt;
        let with_calls = !receipt.calls.is_empty()
            || matches!(&expectation.expected, Expected::Exactly(effects) if !effects.calls.is_empty());
        match &expectation.expected {
            Expected::Admitted if with_calls => self.tally.calls_admitted_only += 1,
            Expected::Exactly(_) if with_calls && receipt.outcome != Outcome::OutOfGas => self.tally.calls_exact += 1,
            _ => {}
        }
        let verdict = if expectation.may_run_out_of_gas && receipt.outcome == Outcome::OutOfGas {
            self.tally.ran_out_of_gas += 1;
            Ok(())
        } else {
            match &expectation.expected {
                Expected::Admitted => {
                    self.tally.admitted_only += 1;
                    if receipt.outcome.is_invalid() {
                        Err(format!("expected the transaction to be admitted; it was {}", receipt.outcome.name()))
                    } else {
                        Ok(())
                    }
                }
                Expected::CodeRejected => {
                    self.tally.exact += 1;
                    match receipt.outcome {
                        Outcome::Refused(Refusal::CodeRejected(_)) => Ok(()),
                        other => Err(format!("expected refused:code-rejected:*, got {}", other.name())),
                    }
                }
                Expected::Exactly(effects) => {
                    self.tally.exact += 1;
                    self.compare(step, &expectation, effects)
                }
            }
        };
        self.advance(step, &expectation, verdict.is_ok());
        verdict
    }

    /// Compares the receipt and the touched slices with `effects`.
    fn compare(&self, step: &Step<'_>, expectation: &Expectation, effects: &CallEffects) -> Result<(), String> {
        let receipt = step.receipt;
        if receipt.outcome != effects.outcome {
            return Err(format!("expected {}, got {}", effects.outcome.name(), receipt.outcome.name()));
        }
        if !receipt.outcome.is_success() {
            return Ok(());
        }
        if receipt.returns != effects.returns {
            return Err(format!("expected returns {:?}, got {:?}", effects.returns, receipt.returns));
        }
        if receipt.returndata != effects.returndata {
            return Err(format!(
                "expected {} bytes of returndata {}, got {} bytes {}",
                effects.returndata.len(),
                preview(&effects.returndata),
                receipt.returndata.len(),
                preview(&receipt.returndata)
            ));
        }
        if receipt.logs != effects.logs {
            let first = (0..effects.logs.len().max(receipt.logs.len()))
                .find(|&i| effects.logs.get(i) != receipt.logs.get(i))
                .unwrap_or(0);
            return Err(format!(
                "expected {} log entries, got {}; entry {first} differs: expected {}, got {}",
                effects.logs.len(),
                receipt.logs.len(),
                effects.logs.get(first).map_or("(none)".into(), |e| preview(e)),
                receipt.logs.get(first).map_or("(none)".into(), |e| preview(e)),
            ));
        }
        if receipt.events != effects.events {
            let first = (0..effects.events.len().max(receipt.events.len()))
                .find(|&i| effects.events.get(i) != receipt.events.get(i))
                .unwrap_or(0);
            return Err(format!(
                "expected {} events, got {}; event {first} differs: expected {:?}, got {:?}",
                effects.events.len(),
                receipt.events.len(),
                effects.events.get(first),
                receipt.events.get(first),
            ));
        }
        let calls = |records: &[svm_core::call::CallRecord]| {
            records.iter().map(|r| svm_core::call::CallRecord { gas_used: 0, ..r.clone() }).collect::<Vec<_>>()
        };
        if calls(&receipt.calls) != effects.calls {
            let first = (0..effects.calls.len().max(receipt.calls.len()))
                .find(|&i| effects.calls.get(i) != calls(&receipt.calls).get(i))
                .unwrap_or(0);
            return Err(format!(
                "expected {} call records, got {}; record {first} differs: expected {:?}, got {:?}",
                effects.calls.len(),
                receipt.calls.len(),
                effects.calls.get(first),
                receipt.calls.get(first),
            ));
        }
        for (callee, expected) in &effects.callees {
            let actual = step
                .runtime
                .contract_slices_at(step.after, callee, None)
                .map_err(|e| format!("cannot read the slices of {callee}: {e}"))?
                .ok_or_else(|| format!("callee {callee} is no contract after the call"))?;
            if let Some(slice) = (0..expected.len()).find(|&i| expected.get(i) != actual.get(i)) {
                return Err(format!(
                    "slice {slice} of callee {callee} holds {}, expected {}",
                    actual.get(slice).map_or("(none)".into(), |b| preview(b)),
                    preview(&expected[slice])
                ));
            }
        }
        if let Some(address) = expectation.contract
            && receipt.contract != Some(address)
        {
            return Err(format!("expected the deploy to create {address}, got {:?}", receipt.contract));
        }
        if let (Transaction::Execute(tx), false) = (step.tx, effects.slices.is_empty()) {
            let which: Vec<u32> = effects.slices.keys().copied().collect();
            let actual = step
                .runtime
                .contract_slices_at(step.after, &tx.contract, Some(&which))
                .map_err(|e| format!("cannot read the slices of {}: {e}", tx.contract))?
                .ok_or_else(|| format!("{} is no contract after the call", tx.contract))?;
            for ((slice, expected), actual) in effects.slices.iter().zip(actual) {
                if *expected != actual {
                    return Err(format!(
                        "slice {slice} of {} holds {}, expected {}",
                        tx.contract,
                        preview(&actual),
                        preview(expected)
                    ));
                }
            }
        }
        Ok(())
    }

    /// Moves the checker's contracts to the state after `step`: from the model when it matched, else
    /// from the replica's state.
    fn advance(&mut self, step: &Step<'_>, expectation: &Expectation, matched: bool) {
        if !step.receipt.outcome.is_success() {
            return;
        }
        match step.tx {
            Transaction::Deploy(tx) => {
                let Some(address) = step.receipt.contract else { return };
                let code = self.code.get(&svm::code::code_hash(&tx.code));
                self.contracts.insert(
                    address,
                    Deployed {
                        code_len: expectation.code_len.unwrap_or(tx.code.len()),
                        model: code.and_then(|c| c.model.clone()),
                        slices: tx.slices.iter().map(|s| vec![0; s.span() as usize]).collect(),
                    },
                );
            }
            Transaction::Execute(tx) => {
                let callees: std::collections::BTreeSet<Address> =
                    step.receipt.calls.iter().map(|r| r.callee).collect();
                for callee in callees {
                    let Some(deployed) = self.contracts.get_mut(&callee) else { continue };
                    if let (Expected::Exactly(effects), true) = (&expectation.expected, matched) {
                        if let Some(slices) = effects.callees.get(&callee) {
                            deployed.slices = slices.clone();
                        }
                    } else if deployed.model.is_some()
                        && let Ok(Some(slices)) = step.runtime.contract_slices_at(step.after, &callee, None)
                    {
                        learn_collections(step, deployed.model.as_deref(), &slices);
                        deployed.slices = slices;
                    }
                }
                let Some(deployed) = self.contracts.get_mut(&tx.contract) else { return };
                match (&expectation.expected, matched) {
                    (Expected::Exactly(effects), true) => {
                        for (slice, bytes) in &effects.slices {
                            deployed.slices[*slice as usize] = bytes.clone();
                        }
                    }
                    _ if deployed.model.is_some() => {
                        if let Ok(Some(slices)) = step.runtime.contract_slices_at(step.after, &tx.contract, None) {
                            learn_collections(step, deployed.model.as_deref(), &slices);
                            deployed.slices = slices;
                        }
                    }
                    _ => {}
                }
            }
            Transaction::Transfer(_) | Transaction::DeployLibrary(_) => {}
        }
    }
}

/// After a call the model could not follow, learns the contents of the collections the contract's slots now hold
/// (`slices`, read from the replica), each checked against its root: the model goes on exactly instead of leaving
/// every later call that reads them to admission only.
fn learn_collections(step: &Step<'_>, model: Option<&dyn ContractModel>, slices: &[Vec<u8>]) {
    let Some(generated) = model.and_then(ContractModel::as_generated) else { return };
    for state in generated.slot_states(slices) {
        let Ok(collections) = svm::state::export_collections(step.runtime.kv().as_ref(), state) else { continue };
        for (root, collection) in collections {
            generated.known().learn(root, collection.key_width.into(), collection.entries);
        }
    }
}

/// At most 16 bytes of `bytes` in hex, for messages.
fn preview(bytes: &[u8]) -> String {
    let shown = hex::encode(&bytes[..bytes.len().min(16)]);
    if bytes.len() > 16 { format!("{shown}…") } else { shown }
}
