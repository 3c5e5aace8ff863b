//! The reference VM: applies transactions to plain state by `docs/consensus.md` (Transaction validity,
//! The fee rule, Deploy admission, Execution, Calls, Intrinsic gas, Outcomes, receipts, Events), and recomputes
//! the state root from the whole account set and the event store after every admitted transaction.

use crate::chain::admission;
use crate::chain::collection_store::{CollectionStore, StoreError};
use crate::chain::collections::Collection;
use crate::chain::engine::{Engine, Interpreter};
use crate::chain::event_store::{EventStore, EventStoreError};
use crate::chain::frames::{FrameCall, Frames};
use crate::chain::hashing;
use crate::chain::ledger::{self, Ledger, LedgerOverflow};
use crate::chain::libraries;
use crate::chain::state::{AccountRecord, ContractRecord, LibraryRecord, Page, State};
use crate::chain::trie::{self, KeyCollision};
use std::collections::BTreeMap;
use std::sync::Arc;
use svm_core::account::Account;
use svm_core::collection_state::MAX_KEY_WIDTH;
use svm_core::contract_meta::ContractMeta;
use svm_core::event::{Event, EventId, Topic};
use svm_core::fee::FEE_ACCOUNT;
use svm_core::gas::intrinsic::{DEPLOY_BASE, DEPLOY_PER_CODE_BYTE, DEPLOY_PER_SLICE, TRANSFER};
use svm_core::layout::StorageLayout;
use svm_core::link_rule::LinkRule;
use svm_core::outcome::{Outcome, Refusal};
use svm_core::receipt::Receipt;
use svm_core::snapshot::{SnapshotAccount, SnapshotCollection, SnapshotContract};
use svm_core::transaction::{Deploy, DeployLibrary, Execute, Transaction, Transfer};
use svm_core::validation::{ImportAdmission, Rule, validate_admitting};
use svm_core::{Address, ContractState, Hash, Limits, StateRoot};

/// Something the rules say cannot happen: never an outcome, and no receipt. The state is unchanged
/// (except for a key collision, found only after the commit, and the layer boundary, which a fault
/// after it does not undo).
#[derive(Debug, thiserror::Error)]
pub enum ReferenceError {
    /// The engine stopped with a fault (a bug in the interpreter or a vmcall).
    #[error("node fault: {0}")]
    Fault(String),
    /// Deploy validation admitted code the engine cannot decode.
    #[error("admitted code does not decode: {0}")]
    Decode(String),
    /// A balance or nonce left the u64 range although admission ruled that out, or another internal
    /// inconsistency.
    #[error("internal inconsistency: {0}")]
    Inconsistent(String),
    /// A genesis credit overflows a balance: no chain can start that way.
    #[error("genesis credit overflows the balance of {address}")]
    GenesisOverflow {
        /// The account credited.
        address: Address,
    },
    /// Two accounts' key paths collide in the account trie.
    #[error(transparent)]
    KeyCollision(#[from] KeyCollision),
    /// A transaction of a layer before the event counter's (layers never go back), or a layer with
    /// more events than its counter holds: the node refuses the transaction.
    #[error(transparent)]
    Events(#[from] EventStoreError),
    /// The event-store entries of a state to start from are not a store the rules can give.
    #[error("the snapshot's event store: {0}")]
    SnapshotEvents(EventStoreError),
    /// A state to start from does not hash to the root it was given with.
    #[error("the snapshot's contents hash to root {computed}, not {expected}")]
    SnapshotRoot {
        /// The root the snapshot names.
        expected: StateRoot,
        /// The root its contents give.
        computed: StateRoot,
    },
    /// A page of a state to start from is not 4,096 bytes.
    #[error("page {index} of contract {address} is not one page long")]
    SnapshotPage {
        /// The contract.
        address: Address,
        /// The page.
        index: u32,
    },
    /// A collection of a state to start from has a key width outside 1–32 or a key of another width.
    #[error("collection {root} of contract {address} has keys of the wrong width")]
    SnapshotCollectionKeys {
        /// The contract.
        address: Address,
        /// The root the collection was given under.
        root: Hash,
    },
    /// A collection of a state to start from does not hash to the root it was given under.
    #[error("collection {expected} of contract {address} hashes to {computed}")]
    SnapshotCollectionRoot {
        /// The contract.
        address: Address,
        /// The root the snapshot names.
        expected: Hash,
        /// The root its entries give.
        computed: Hash,
    },
    /// A state to start from lacks a collection its contract's slots reach, or holds bytes that are no
    /// collection state where one belongs.
    #[error("the collections of contract {address} do not follow: {error}")]
    SnapshotCollections {
        /// The contract.
        address: Address,
        /// What is wrong.
        error: StoreError,
    },
}

impl From<LedgerOverflow> for ReferenceError {
    fn from(e: LedgerOverflow) -> ReferenceError {
        ReferenceError::Inconsistent(format!("balance or nonce of {} out of range after admission", e.address))
    }
}

/// A contract as the VM reports it: its account fields besides balance and nonce.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ContractView {
    /// blake3 of the code.
    pub code_hash: svm_core::Hash,
    /// blake3 of the metadata's encoding.
    pub meta_hash: svm_core::Hash,
    /// The root of its page tree.
    pub state: ContractState,
}

/// SVM's reference VM over plain state.
pub struct ReferenceVm {
    limits: Limits,
    engine: Box<dyn Engine>,
    state: State,
    accounts_root: StateRoot,
    events: EventStore,
}

impl Default for ReferenceVm {
    fn default() -> ReferenceVm {
        ReferenceVm::new(Limits::default())
    }
}

impl std::fmt::Debug for ReferenceVm {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ReferenceVm")
            .field("root", &self.root())
            .field("accounts", &self.state.accounts().len())
            .field("events", &self.events.events().count())
            .finish()
    }
}

/// `50,000 + 2,000 × code_len + 100 × slices`, saturating.
fn deploy_intrinsic(code_len: u64, slices: usize) -> u64 {
    DEPLOY_BASE
        .saturating_add(DEPLOY_PER_CODE_BYTE.saturating_mul(code_len))
        .saturating_add(DEPLOY_PER_SLICE.saturating_mul(slices as u64))
}

/// What linking a module being deployed gave: its libraries with their code, its linked length and counts.
struct LinkedModule {
    libraries: Vec<(Hash, Arc<Vec<u8>>)>,
    code_len: u64,
    counts: Option<[u64; 4]>,
}

/// The allow-list's verdict on a module being deployed (docs/consensus.md, *Libraries*, for one that links):
/// svm-core's over the module as sent, and the reference's own over the linked length and counts.
fn allow_list(code: &[u8], linked: &LinkedModule, limits: &Limits, library: bool) -> Result<(), (Rule, String)> {
    let Some(counts) = linked.counts else {
        let admission = ImportAdmission { library, library_imports: false };
        return validate_admitting(code, limits, admission).map(drop).map_err(|e| (e.rule, e.to_string()));
    };
    if linked.code_len > limits.max_code_bytes as u64 {
        return Err((Rule::CodeTooLarge, format!("{} bytes linked", linked.code_len)));
    }
    let relaxed = Limits { max_code_bytes: usize::MAX, ..limits.clone() };
    validate_admitting(code, &relaxed, ImportAdmission { library, library_imports: true })
        .map_err(|e| (e.rule, e.to_string()))?;
    match libraries::counts_rule(counts, limits) {
        Some(rule) => Err((rule, format!("linked counts {counts:?}"))),
        None => Ok(()),
    }
}

/// How a failed (admitted, not successful) transaction ended.
struct Failure {
    outcome: Outcome,
    gas_used: u64,
    diagnostic: String,
}

impl ReferenceVm {
    /// An empty state (root `ZERO`) under `limits`, running code with the reference's interpreter.
    pub fn new(limits: Limits) -> ReferenceVm {
        ReferenceVm::with_engine(limits, Box::new(Interpreter))
    }

    /// An empty state under `limits`, running code with `engine`.
    pub fn with_engine(limits: Limits, engine: Box<dyn Engine>) -> ReferenceVm {
        ReferenceVm {
            limits,
            engine,
            state: State::default(),
            accounts_root: StateRoot::EMPTY,
            events: EventStore::new(),
        }
    }

    /// The state `accounts` and the event store's entries `events` describe under `limits`, which must
    /// hash — by this VM's own hashing of pages, contract states, code, metadata, the account trie and
    /// the event store — to `expected`: a chain that starts from a snapshot, checked independently of the
    /// store it came from. Every event record must decode and the entries must be exactly the rows its
    /// records and counter give.
    pub fn from_snapshot(
        limits: Limits,
        accounts: Vec<SnapshotAccount>,
        events: BTreeMap<Vec<u8>, Vec<u8>>,
        expected: StateRoot,
    ) -> Result<ReferenceVm, ReferenceError> {
        let mut vm = ReferenceVm::new(limits);
        vm.events = EventStore::from_entries(&events).map_err(ReferenceError::SnapshotEvents)?;
        let library_code: BTreeMap<Hash, Arc<Vec<u8>>> = accounts
            .iter()
            .filter_map(|a| a.library.as_ref())
            .map(|code| (hashing::code_hash(code), Arc::new(code.clone())))
            .collect();
        for account in accounts {
            let library = account
                .library
                .map(|code| LibraryRecord { code_hash: hashing::code_hash(&code), code: Arc::new(code) });
            let record = AccountRecord { balance: account.balance, nonce: account.nonce, contract: None, library };
            vm.state.insert(account.address, record);
            let Some(contract) = account.contract else { continue };
            let mut pages = BTreeMap::new();
            for (index, bytes) in contract.pages {
                let page: Page = bytes
                    .into_boxed_slice()
                    .try_into()
                    .map_err(|_| ReferenceError::SnapshotPage { address: account.address, index })?;
                pages.insert(index, page);
            }
            let state = hashing::contract_state(&account.address, contract.meta.layout.page_count(), &pages);
            let collections = Self::snapshot_collections(&account.address, contract.collections)?;
            collections
                .reachable(&contract.meta.layout, &pages)
                .map_err(|error| ReferenceError::SnapshotCollections { address: account.address, error })?;
            let libraries = contract
                .meta
                .libraries
                .iter()
                .map(|hash| {
                    let code = library_code.get(hash).cloned().ok_or_else(|| {
                        ReferenceError::Inconsistent(format!(
                            "contract {} links library {hash}, not in the snapshot",
                            account.address
                        ))
                    })?;
                    Ok((*hash, code))
                })
                .collect::<Result<Vec<_>, ReferenceError>>()?;
            let record = ContractRecord {
                libraries,
                code_hash: hashing::code_hash(&contract.code),
                meta_hash: hashing::meta_hash(&contract.meta),
                meta: contract.meta,
                code: Arc::new(contract.code),
                pages,
                state,
                collections,
            };
            vm.state.install_contract(&account.address, record);
        }
        vm.accounts_root = trie::state_root(&vm.state)?;
        if vm.root() != expected {
            return Err(ReferenceError::SnapshotRoot { expected, computed: vm.root() });
        }
        Ok(vm)
    }

    /// A snapshot contract's collections as a store, each checked to hash to the root it is given under.
    fn snapshot_collections(
        address: &Address,
        collections: BTreeMap<Hash, SnapshotCollection>,
    ) -> Result<CollectionStore, ReferenceError> {
        let mut store = CollectionStore::new();
        for (root, collection) in collections {
            let width = collection.key_width;
            if !(1..=MAX_KEY_WIDTH).contains(&width) || collection.entries.keys().any(|k| k.len() != usize::from(width))
            {
                return Err(ReferenceError::SnapshotCollectionKeys { address: *address, root });
            }
            let collection = Collection { width: width.into(), entries: collection.entries };
            store.insert_checked(root, collection).map_err(|computed| ReferenceError::SnapshotCollectionRoot {
                address: *address,
                expected: root,
                computed,
            })?;
        }
        Ok(store)
    }

    /// The whole state as plain data, the form [`Self::from_snapshot`] starts from: every stored account
    /// and, for a contract, its code, metadata, non-zero pages and every non-empty collection its slots
    /// reach.
    pub fn export_state(&self) -> Result<Vec<SnapshotAccount>, ReferenceError> {
        let mut accounts = Vec::new();
        for (address, record) in self.state.accounts() {
            let contract = match &record.contract {
                None => None,
                Some(c) => {
                    let reachable = c
                        .collections
                        .reachable(&c.meta.layout, &c.pages)
                        .map_err(|error| ReferenceError::Inconsistent(format!("collections of {address}: {error}")))?;
                    Some(SnapshotContract {
                        code: c.code.to_vec(),
                        meta: c.meta.clone(),
                        pages: c.pages.iter().map(|(i, p)| (*i, p.to_vec())).collect(),
                        collections: reachable
                            .into_iter()
                            .map(|(root, c)| {
                                (root, SnapshotCollection { key_width: c.width as u8, entries: c.entries })
                            })
                            .collect(),
                    })
                }
            };
            accounts.push(SnapshotAccount {
                address: *address,
                balance: record.balance,
                nonce: record.nonce,
                contract,
                library: record.library.as_ref().map(|l| l.code.to_vec()),
            });
        }
        Ok(accounts)
    }

    /// The limits the VM enforces.
    pub fn limits(&self) -> &Limits {
        &self.limits
    }

    /// Credits `allocations` (adding to what each address holds, in order, by the commit rule) and
    /// returns the new root. An overflow changes nothing and is an error.
    pub fn genesis(&mut self, allocations: &[(Address, u64)]) -> Result<StateRoot, ReferenceError> {
        let mut ledger = Ledger::new(&self.state);
        for (address, amount) in allocations {
            ledger.credit(address, *amount).map_err(|e| ReferenceError::GenesisOverflow { address: e.address })?;
        }
        let changes = ledger.into_changes();
        ledger::commit(&mut self.state, changes);
        self.accounts_root = trie::state_root(&self.state)?;
        Ok(self.root())
    }

    /// The root of the current state: the account root while no event is live, else the account root
    /// and the event store's root hashed together.
    pub fn root(&self) -> StateRoot {
        StateRoot::of(self.accounts_root.0, self.events.root())
    }

    /// The root of the account trie alone.
    pub fn accounts_root(&self) -> StateRoot {
        self.accounts_root
    }

    /// The event store's root (`croot` of its entries; `ZERO` while it is empty).
    pub fn events_root(&self) -> Hash {
        self.events.root()
    }

    /// Every entry of the event store (records, index entries, counter), the form
    /// [`Self::from_snapshot`] takes them in.
    pub fn event_entries(&self) -> BTreeMap<Vec<u8>, Vec<u8>> {
        self.events.entries()
    }

    /// The layer boundary before `layer`: removes every event that expired before it, with all its
    /// entries, and the counter if it counts an earlier layer. Idempotent; [`Self::apply`] does it
    /// before every transaction, and a node may do it when the layer begins. A layer before the
    /// counter's is refused and changes nothing. Returns how many events were removed.
    pub fn begin_layer(&mut self, layer: u64) -> Result<usize, ReferenceError> {
        self.events.check_layer(layer)?;
        Ok(self.events.begin_layer(layer))
    }

    /// The live events of `contract` — with `topic` at any position, when given — emitted in a layer of
    /// `from_layer ..= to_layer`, in id order.
    pub fn events(
        &self,
        contract: &Address,
        topic: Option<Topic>,
        from_layer: u64,
        to_layer: u64,
    ) -> Vec<(EventId, Event)> {
        self.events.query(contract, topic.as_ref(), from_layer, to_layer)
    }

    /// The account at `address` (the default account if it was never written).
    pub fn account(&self, address: &Address) -> Account {
        self.state.get(address).map(|a| a.to_account()).unwrap_or_default()
    }

    /// (balance, nonce, contract) of the account at `address`.
    pub fn account_parts(&self, address: &Address) -> (u64, u64, Option<ContractView>) {
        let account = self.account(address);
        let contract =
            account.contract.map(|c| ContractView { code_hash: c.code_hash, meta_hash: c.meta_hash, state: c.state });
        (account.balance, account.nonce, contract)
    }

    /// Every stored account (the set the state root is computed over), by address.
    pub fn accounts(&self) -> Vec<(Address, Account)> {
        self.state.accounts().iter().map(|(a, r)| (*a, r.to_account())).collect()
    }

    /// The metadata of the contract at `address`.
    pub fn contract_meta(&self, address: &Address) -> Option<&ContractMeta> {
        self.state.contract(address).map(|c| &c.meta)
    }

    /// The code of the contract at `address`, exactly as deployed.
    pub fn contract_code(&self, address: &Address) -> Option<&[u8]> {
        self.state.contract(address).map(|c| c.code.as_slice())
    }

    /// The bytes of every slice of the contract at `address`, by slice index: a collection slot's are
    /// the 48 bytes of its state.
    pub fn contract_slices(&self, address: &Address) -> Option<Vec<Vec<u8>>> {
        let contract = self.state.contract(address)?;
        let slices = contract.meta.layout.slices();
        Some(
            slices
                .iter()
                .map(|s| {
                    let range = s.offset as usize..(s.offset + s.span()) as usize;
                    contract.pages.get(&s.page).map_or_else(|| vec![0; s.span() as usize], |p| p[range].to_vec())
                })
                .collect(),
        )
    }

    /// Page `index` of the contract at `address` (all zeros if never written), if the contract has it.
    pub fn contract_page(&self, address: &Address, index: u32) -> Option<Vec<u8>> {
        let contract = self.state.contract(address)?;
        if index >= contract.meta.layout.page_count() {
            return None;
        }
        Some(contract.pages.get(&index).map_or_else(|| vec![0; svm_core::layout::PAGE_SIZE], |p| p.to_vec()))
    }

    /// Applies `tx` in `layer` and returns its receipt, after the layer boundary (whatever the
    /// transaction and its outcome). An error is a node fault: no receipt, and the state is unchanged
    /// but for the boundary; a layer before the event counter's is refused before the boundary.
    pub fn apply(&mut self, tx: &Transaction, layer: u64) -> Result<Receipt, ReferenceError> {
        self.begin_layer(layer)?;
        let receipt = match tx {
            Transaction::Deploy(d) => self.deploy(d)?,
            Transaction::Execute(e) => self.execute(e, layer)?,
            Transaction::Transfer(t) => self.transfer(t)?,
            Transaction::DeployLibrary(l) => self.deploy_library(l)?,
        };
        if !receipt.outcome.is_invalid() {
            self.accounts_root = trie::state_root(&self.state)?;
        }
        Ok(receipt)
    }

    /// Consumes the sender's nonce and pays `gas_used × gas_price` to the fee account, on `ledger`.
    fn pay(ledger: &mut Ledger<'_>, sender: &Address, gas_used: u64, gas_price: u64) -> Result<(), ReferenceError> {
        let fee = gas_used
            .checked_mul(gas_price)
            .ok_or_else(|| ReferenceError::Inconsistent("the fee overflows after admission".into()))?;
        ledger.bump_nonce(sender)?;
        ledger.debit(sender, fee)?;
        ledger.credit(&FEE_ACCOUNT, fee)?;
        Ok(())
    }

    /// A failed transaction: the nonce and the fee, nothing else.
    fn fail(
        &mut self,
        sender: &Address,
        gas_price: u64,
        contract: Option<Address>,
        failure: Failure,
    ) -> Result<Receipt, ReferenceError> {
        let mut ledger = Ledger::new(&self.state);
        Self::pay(&mut ledger, sender, failure.gas_used, gas_price)?;
        let changes = ledger.into_changes();
        ledger::commit(&mut self.state, changes);
        let mut receipt = Receipt::new(failure.outcome);
        receipt.gas_used = failure.gas_used;
        receipt.contract = contract;
        receipt.diagnostic = failure.diagnostic;
        Ok(receipt)
    }

    fn invalid(reason: svm_core::outcome::InvalidTx, contract: Option<Address>) -> Receipt {
        let mut receipt = Receipt::new(Outcome::Invalid(reason));
        receipt.contract = contract;
        receipt.diagnostic = format!("invalid: {}", reason.name());
        receipt
    }

    fn deploy(&mut self, d: &Deploy) -> Result<Receipt, ReferenceError> {
        // 1–9: validity.
        let address = match admission::deploy(&self.state, &self.limits, d) {
            Ok(address) => address,
            Err(reason) => return Ok(Self::invalid(reason, None)),
        };
        // 10: intrinsic gas.
        let intrinsic = deploy_intrinsic(d.code.len() as u64, d.slices.len());
        if intrinsic > d.gas_limit {
            let diagnostic = format!("deploy intrinsic gas {intrinsic} > limit {}", d.gas_limit);
            return self.fail(
                &d.author,
                d.gas_price,
                None,
                Failure { outcome: Outcome::OutOfGas, gas_used: d.gas_limit, diagnostic },
            );
        }
        let refuse = |reason: Refusal, diagnostic: String| Failure {
            outcome: Outcome::Refused(reason),
            gas_used: intrinsic,
            diagnostic,
        };
        // 11: layout rules; 12: page_count ≤ max_pages.
        let layout = match StorageLayout::new(d.page_count, d.slices.clone()) {
            Ok(layout) => layout,
            Err(e) => return self.fail(&d.author, d.gas_price, None, refuse(Refusal::InvalidLayout, e.to_string())),
        };
        if d.page_count > self.limits.max_pages {
            let diagnostic = format!("{} pages; at most {}", d.page_count, self.limits.max_pages);
            return self.fail(&d.author, d.gas_price, None, refuse(Refusal::InvalidLayout, diagnostic));
        }
        // 13a: link, when the code (a valid module) imports a library.
        let linked = match self.link(&d.code, false) {
            Ok(linked) => linked,
            Err((rule, diagnostic)) => {
                return self.fail(&d.author, d.gas_price, None, refuse(Refusal::Link(rule), diagnostic));
            }
        };
        // 13b: intrinsic gas of the linked length.
        let intrinsic = deploy_intrinsic(linked.code_len, d.slices.len());
        if intrinsic > d.gas_limit {
            let diagnostic = format!("linked deploy intrinsic gas {intrinsic} > limit {}", d.gas_limit);
            let failure = Failure { outcome: Outcome::OutOfGas, gas_used: d.gas_limit, diagnostic };
            return self.fail(&d.author, d.gas_price, None, failure);
        }
        // 13: the code allow-list.
        if let Err((rule, diagnostic)) = allow_list(&d.code, &linked, &self.limits, false) {
            let failure =
                Failure { outcome: Outcome::Refused(Refusal::CodeRejected(rule)), gas_used: intrinsic, diagnostic };
            return self.fail(&d.author, d.gas_price, None, failure);
        }
        // 14: the module decodes (a failure is a node fault).
        let exports = self.engine.exports(&d.code, &self.limits).map_err(ReferenceError::Decode)?;
        // 15: success.
        let code_len = u32::try_from(linked.code_len)
            .map_err(|_| ReferenceError::Inconsistent("admitted code longer than u32::MAX bytes".into()))?;
        let libraries = linked.libraries.iter().map(|(hash, _)| *hash).collect();
        let meta = ContractMeta { code_len, layout: Arc::new(layout), exports, libraries };
        let contract = ContractRecord {
            code_hash: hashing::code_hash(&d.code),
            meta_hash: hashing::meta_hash(&meta),
            meta,
            code: Arc::new(d.code.clone()),
            libraries: linked.libraries,
            pages: Default::default(),
            state: ContractState::EMPTY,
            collections: CollectionStore::new(),
        };
        let mut ledger = Ledger::new(&self.state);
        ledger.transfer(&d.author, &address, d.initial_balance)?;
        Self::pay(&mut ledger, &d.author, intrinsic, d.gas_price)?;
        let changes = ledger.into_changes();
        ledger::commit(&mut self.state, changes);
        self.state.install_contract(&address, contract);
        let mut receipt = Receipt::new(Outcome::Success);
        receipt.gas_used = intrinsic;
        receipt.contract = Some(address);
        receipt.state = Some(ContractState::EMPTY);
        Ok(receipt)
    }

    /// Links a module being deployed (`library`: a library) when it is a valid module that imports a library;
    /// else it links to itself.
    fn link(&self, code: &[u8], library: bool) -> Result<LinkedModule, libraries::Broken> {
        let view = match libraries::View::read(code) {
            Ok(view) => view,
            Err(e) if library => return Err((LinkRule::Malformed, e)),
            Err(_) => return Ok(LinkedModule { libraries: Vec::new(), code_len: code.len() as u64, counts: None }),
        };
        if library {
            view.may_be_a_library()?;
        }
        if !view.imports_a_library() {
            return Ok(LinkedModule { libraries: Vec::new(), code_len: code.len() as u64, counts: None });
        }
        let resolved = libraries::resolve(&view, &|hash| self.state.library_code(hash))?;
        Ok(LinkedModule { libraries: resolved.libraries, code_len: resolved.code_len, counts: Some(resolved.counts) })
    }

    fn deploy_library(&mut self, l: &DeployLibrary) -> Result<Receipt, ReferenceError> {
        if let Err(reason) = admission::deploy_library(&self.state, &self.limits, l) {
            return Ok(Self::invalid(reason, None));
        }
        let fail = |vm: &mut Self, outcome, gas_used, diagnostic| {
            vm.fail(&l.author, l.gas_price, None, Failure { outcome, gas_used, diagnostic })
        };
        // 1: intrinsic gas of the code sent.
        let intrinsic = deploy_intrinsic(l.code.len() as u64, 0);
        if intrinsic > l.gas_limit {
            return fail(self, Outcome::OutOfGas, l.gas_limit, format!("library intrinsic gas {intrinsic}"));
        }
        // 2–3: a module that may be a library, and its own library imports link.
        let linked = match self.link(&l.code, true) {
            Ok(linked) => linked,
            Err((rule, diagnostic)) => return fail(self, Outcome::Refused(Refusal::Link(rule)), intrinsic, diagnostic),
        };
        // 4: intrinsic gas of the linked length.
        let intrinsic = deploy_intrinsic(linked.code_len, 0);
        if intrinsic > l.gas_limit {
            return fail(self, Outcome::OutOfGas, l.gas_limit, format!("linked library intrinsic gas {intrinsic}"));
        }
        // 5: the allow-list, under the library exception.
        if let Err((rule, diagnostic)) = allow_list(&l.code, &linked, &self.limits, true) {
            return fail(self, Outcome::Refused(Refusal::CodeRejected(rule)), intrinsic, diagnostic);
        }
        // 6: success.
        let code_hash = hashing::code_hash(&l.code);
        let mut ledger = Ledger::new(&self.state);
        Self::pay(&mut ledger, &l.author, intrinsic, l.gas_price)?;
        let changes = ledger.into_changes();
        ledger::commit(&mut self.state, changes);
        let library = LibraryRecord { code_hash, code: Arc::new(l.code.clone()) };
        self.state.install_library(&hashing::library_address(&code_hash), library);
        let mut receipt = Receipt::new(Outcome::Success);
        receipt.gas_used = intrinsic;
        Ok(receipt)
    }

    fn transfer(&mut self, t: &Transfer) -> Result<Receipt, ReferenceError> {
        if let Err(reason) = admission::transfer(&self.state, &self.limits, t, TRANSFER) {
            return Ok(Self::invalid(reason, None));
        }
        let mut ledger = Ledger::new(&self.state);
        ledger.transfer(&t.from, &t.to, t.amount)?;
        Self::pay(&mut ledger, &t.from, TRANSFER, t.gas_price)?;
        let changes = ledger.into_changes();
        ledger::commit(&mut self.state, changes);
        let mut receipt = Receipt::new(Outcome::Success);
        receipt.gas_used = TRANSFER;
        Ok(receipt)
    }

    fn execute(&mut self, e: &Execute, layer: u64) -> Result<Receipt, ReferenceError> {
        // 0–9: validity.
        if let Err(reason) = admission::execute(&self.state, &self.limits, e) {
            return Ok(Self::invalid(reason, Some(e.contract)));
        }
        // 10–19: the transaction's own frame, and every frame it calls.
        let mut frames = Frames::new(&self.state, &*self.engine, &self.limits, layer);
        let end = frames
            .run(FrameCall {
                caller: e.sender,
                contract: e.contract,
                function: &e.function,
                args: &e.args,
                calldata: &e.calldata,
                value: e.value,
                gas_limit: e.gas_limit,
                stack_used: 0,
                depth: 1,
                logs_before: 0,
                events_before: 0,
            })
            .map_err(ReferenceError::Fault)?;
        if end.outcome != Outcome::Success {
            // 19: drop the value move and every write of every frame.
            drop(frames);
            let failure = Failure { outcome: end.outcome, gas_used: end.gas_used, diagnostic: end.diagnostic };
            return self.fail(&e.sender, e.gas_price, Some(e.contract), failure);
        }
        // 18: success: keep the values moved, pay, commit every successful frame's writes (their
        // collections were written back into their parents and slots when each frame returned).
        let (mut ledger, written) = frames.into_parts();
        Self::pay(&mut ledger, &e.sender, end.gas_used, e.gas_price)?;
        // The events are stored with the rest of the state change (the last step that can fail).
        self.events.add(layer, &end.effects.events)?;
        let changes = ledger.into_changes();
        ledger::commit(&mut self.state, changes);
        for (address, written) in written {
            let contract = self
                .state
                .contract_mut(&address)
                .ok_or_else(|| ReferenceError::Inconsistent("executed contract vanished".into()))?;
            contract.collections.extend(written.collections);
            contract.commit_pages(&address, written.pages);
        }
        let state = self
            .state
            .contract(&e.contract)
            .ok_or_else(|| ReferenceError::Inconsistent("executed contract vanished".into()))?
            .state;
        let mut receipt = Receipt::new(Outcome::Success);
        receipt.gas_used = end.gas_used;
        receipt.contract = Some(e.contract);
        receipt.state = Some(state);
        receipt.returns = end.returns;
        receipt.returndata = end.effects.returndata;
        receipt.logs = end.effects.logs;
        receipt.events = end.effects.events;
        receipt.calls = end.effects.calls;
        Ok(receipt)
    }
}
