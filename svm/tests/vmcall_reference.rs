//! `docs/vmcalls.md` is the registry, and the registry is what gets bound: no drift possible.

use std::sync::Arc;
use svm::registers::RegisterFile;
use svm::storage::kv::MemKv;
use svm::vmcalls::bind;
use svm::vmcalls::context::CallContext;
use svm::vmcalls::env::ExecutionEnv;
use svm::vmcalls::registry::{VMCALLS, markdown_table};
use svm::{Address, Limits, ValueType};
use wasmer::{FunctionEnv, Store, Type};

const BEGIN: &str =
    "<!-- vmcall-table:begin (generated from svm/core/src/vmcalls/registry.rs; a test keeps it equal) -->\n";
const END: &str = "<!-- vmcall-table:end -->";

#[test]
fn the_reference_document_carries_the_registry_table() {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../docs/vmcalls.md");
    let doc = std::fs::read_to_string(path).unwrap();
    let start = doc.find(BEGIN).expect("begin marker") + BEGIN.len();
    let end = doc.find(END).expect("end marker");
    let expected = markdown_table();
    assert!(doc[start..end] == expected, "docs/vmcalls.md is out of date; replace its table with:\n{expected}");
}

#[test]
fn the_sdk_and_the_c_header_declare_every_vmcall() {
    let root = concat!(env!("CARGO_MANIFEST_DIR"), "/..");
    let sdk = std::fs::read_to_string(format!("{root}/svm/sdk/src/vmcalls.rs")).unwrap();
    let header = std::fs::read_to_string(format!("{root}/corpus/contracts/c/svm.h")).unwrap();
    for spec in VMCALLS {
        assert!(sdk.contains(&format!("pub fn {}(", spec.name)), "svm/sdk/src/vmcalls.rs lacks {}", spec.name);
        let declared = format!("SVM_IMPORT({}) ", spec.name);
        assert!(header.contains(&declared), "corpus/contracts/c/svm.h lacks {}", spec.name);
        let params = header.lines().find(|l| l.starts_with(&declared)).map_or(0, |l| {
            let inside = &l[l.rfind('(').unwrap_or(0) + 1..l.rfind(')').unwrap_or(0)];
            if inside.trim() == "void" { 0 } else { inside.split(',').count() }
        });
        assert_eq!(params, spec.params.len(), "svm.h declares {} with another parameter count", spec.name);
    }
}

#[test]
fn every_registered_vmcall_binds_with_its_registered_signature() {
    let mut store = Store::default();
    let env = FunctionEnv::new(
        &mut store,
        ExecutionEnv {
            storage: None,
            page_charges: svm::vmcalls::page_charges::PageCharges::new(0, 0),
            registers: RegisterFile::new(),
            calldata: Vec::new(),
            returndata: Vec::new(),
            logs: Vec::new(),
            events: Vec::new(),
            context: CallContext { sender: Address::default(), contract: Address::default(), layer: 0, value: 0 },
            frame: None,
            memory: None,
            meter: None,
            fault: None,
            trace: None,
            limits: Limits::default(),
            canary: None,
            moved: None,
            calls: vec![0; svm::vmcalls::registry::VMCALLS.len()],
            collections: svm::storage::collections::OpenCollections::new(Arc::new(MemKv::new())),
        },
    );
    let wasm = |types: &[ValueType]| -> Vec<Type> {
        types.iter().map(|t| if *t == ValueType::I32 { Type::I32 } else { Type::I64 }).collect()
    };
    let bound = bind::all(&mut store, &env);
    assert_eq!(bound.len(), VMCALLS.len());
    for (spec, function) in bound {
        let function = function.unwrap_or_else(|| panic!("{} has no implementation", spec.name));
        let ty = function.ty(&store);
        assert_eq!(ty.params(), wasm(spec.params).as_slice(), "{} parameters", spec.name);
        assert_eq!(ty.results(), wasm(spec.results).as_slice(), "{} results", spec.name);
    }
}
