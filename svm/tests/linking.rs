//! Static linking of libraries into contracts: a linked contract is byte for byte the module with the library's
//! code written inline, whatever the contract around it; each refusal is its rule's.

use std::collections::BTreeMap;
use std::sync::Arc;
use svm::Hash;
use svm::link_rule::{LinkRule, MAX_LIBRARIES, MAX_LIBRARY_DEPTH};
use svm::linking::{Linked, library_module_name, link};
use svm::state::code_hash;
use svm::validation::validate;

/// Deployed libraries by code hash.
type Libraries = BTreeMap<Hash, Arc<[u8]>>;

fn wasm(text: &str) -> Vec<u8> {
    wat::parse_str(text).unwrap()
}

/// Deploys `text` into `libraries`; its import module name.
fn deploy(libraries: &mut Libraries, text: &str) -> String {
    let code = wasm(text);
    let hash = code_hash(&code);
    libraries.insert(hash, code.into());
    library_module_name(&hash)
}

/// A library that shares its caller's memory, keeps a counter in a global of its own and persists through a
/// vmcall: its one function's body reads global `global` and calls function `vmcall`.
fn counter_library_body(global: u32, vmcall: u32) -> String {
    format!(
        "i32.const 0 local.get 0 local.get 1 i32.add i32.store \
         global.get {global} i32.const 1 i32.add global.set {global} \
         i32.const 0 i32.const 0 i32.const 0 i32.const 4 call {vmcall} \
         global.get {global}"
    )
}

fn counter_library() -> String {
    format!(
        r#"(module
             (type (func (param i32 i32) (result i32)))
             (type (func (param i32 i32 i32 i32)))
             (import "env" "memory" (memory 1))
             (import "svm" "storage_write_from_mem" (func (type 1)))
             (global (mut i32) (i32.const 7))
             (func (type 0) {})
             (export "add_store" (func 1)))"#,
        counter_library_body(0, 0)
    )
}

fn linked(contract: &str, libraries: &Libraries) -> Linked {
    let linked = link(&wasm(contract), libraries).unwrap();
    validate(&linked.code, &svm::Limits::default()).unwrap();
    linked
}

#[test]
fn a_contract_that_imports_no_library_links_to_itself_byte_for_byte() {
    let code = wasm(
        r#"(module (import "svm" "storage_write_from_mem" (func (param i32 i32 i32 i32))) (memory 1)
             (func (export "run") (param i64 i64) (result i64) local.get 0) (@custom "svm-layout" "\00"))"#,
    );
    let linked = link(&code, &Libraries::new()).unwrap();
    assert_eq!(&*linked.code, &code[..]);
    assert!(linked.libraries.is_empty());
}

#[test]
fn one_library_linked_into_two_contracts_is_each_ones_inline_code() {
    let mut libraries = Libraries::new();
    let lib = deploy(&mut libraries, &counter_library());
    let body = counter_library_body;

    // A contract that imports the library's vmcall itself: the result keeps one import of it.
    let first = linked(
        &format!(
            r#"(module
                 (type (func (param i32 i32) (result i32)))
                 (type (func (param i32 i32 i32 i32)))
                 (type (func (param i64 i64) (result i64)))
                 (import "svm" "storage_write_from_mem" (func (type 1)))
                 (import "{lib}" "add_store" (func (type 0)))
                 (memory 1)
                 (global (mut i64) (i64.const 0))
                 (func (type 2) i32.const 2 i32.const 3 call 1 drop
                   i32.const 0 i32.const 0 i32.const 0 i32.const 4 call 0 local.get 0)
                 (export "run" (func 2)))"#
        ),
        &libraries,
    );
    let inline = wasm(&format!(
        r#"(module
             (type (func (param i32 i32) (result i32)))
             (type (func (param i32 i32 i32 i32)))
             (type (func (param i64 i64) (result i64)))
             (type (func (param i32 i32) (result i32)))
             (type (func (param i32 i32 i32 i32)))
             (import "svm" "storage_write_from_mem" (func (type 1)))
             (memory 1)
             (global (mut i64) (i64.const 0))
             (global (mut i32) (i32.const 7))
             (func (type 2) i32.const 2 i32.const 3 call 2 drop
               i32.const 0 i32.const 0 i32.const 0 i32.const 4 call 0 local.get 0)
             (func (type 3) {})
             (export "run" (func 1)))"#,
        body(1, 0)
    ));
    assert_eq!(&*first.code, &inline[..]);
    assert_eq!(first.libraries, vec![code_hash(&wasm(&counter_library()))]);

    // A contract without that vmcall, a bigger memory and no global: the library brings the import.
    let second = linked(
        &format!(
            r#"(module
                 (type (func (param i64 i64) (result i64)))
                 (type (func (param i32 i32) (result i32)))
                 (import "{lib}" "add_store" (func (type 1)))
                 (memory 2)
                 (func (type 0) i32.const 5 i32.const 6 call 0 i64.extend_i32_u)
                 (export "run" (func 1)))"#
        ),
        &libraries,
    );
    let inline = wasm(&format!(
        r#"(module
             (type (func (param i64 i64) (result i64)))
             (type (func (param i32 i32) (result i32)))
             (type (func (param i32 i32) (result i32)))
             (type (func (param i32 i32 i32 i32)))
             (import "svm" "storage_write_from_mem" (func (type 3)))
             (memory 2)
             (global (mut i32) (i32.const 7))
             (func (type 0) i32.const 5 i32.const 6 call 2 i64.extend_i32_u)
             (func (type 2) {})
             (export "run" (func 1)))"#,
        body(0, 0)
    ));
    assert_eq!(&*second.code, &inline[..]);
}

/// A library exporting `name` as `() -> i32`, its body `body`, importing `imports` (module, name) of that type.
fn pure_library(imports: &[(&str, &str)], name: &str, body: &str) -> String {
    let imports: String = imports.iter().map(|(m, n)| format!(r#"(import "{m}" "{n}" (func (result i32)))"#)).collect();
    format!(r#"(module {imports} (func (export "{name}") (result i32) {body}))"#)
}

fn run(code: &[u8]) -> i64 {
    use wasmer::{Instance, Module, Store, imports};
    let mut store = Store::default();
    let module = Module::new(&store, code).unwrap();
    let instance = Instance::new(&mut store, &module, &imports! {}).unwrap();
    let run = instance.exports.get_typed_function::<(i64, i64), i64>(&store, "run").unwrap();
    run.call(&mut store, 0, 0).unwrap()
}

#[test]
fn a_library_two_others_import_is_linked_once_and_every_call_reaches_it() {
    let mut libraries = Libraries::new();
    let zero = deploy(&mut libraries, &pure_library(&[], "one", "i32.const 1"));
    let two = deploy(&mut libraries, &pure_library(&[(zero.as_str(), "one")], "two", "call 0 call 0 i32.add"));
    let three = deploy(&mut libraries, &pure_library(&[(zero.as_str(), "one")], "three", "call 0 i32.const 2 i32.add"));
    let contract = format!(
        r#"(module (import "{two}" "two" (func (result i32))) (import "{three}" "three" (func (result i32)))
             (func (export "run") (param i64 i64) (result i64) call 0 call 1 i32.mul i64.extend_i32_u))"#
    );
    let linked = linked(&contract, &libraries);
    let hashes: Vec<String> = linked.libraries.iter().map(library_module_name).collect();
    assert_eq!(hashes, vec![zero, two, three], "dependencies first, each once");
    assert_eq!(run(&linked.code), 6);
}

fn refusal(contract: &str, libraries: &Libraries) -> LinkRule {
    link(&wasm(contract), libraries).unwrap_err().rule
}

/// A contract importing `() -> i32` function `name` from `module` and calling it.
fn importer(module: &str, name: &str) -> String {
    format!(
        r#"(module (import "{module}" "{name}" (func (result i32))) (memory 1)
             (func (export "run") (param i64 i64) (result i64) call 0 i64.extend_i32_u))"#
    )
}

#[test]
fn bad_imports_are_refused_each_by_its_rule() {
    let mut libraries = Libraries::new();
    let lib = deploy(&mut libraries, &pure_library(&[], "one", "i32.const 1"));
    let unknown = library_module_name(&Hash([7; 32]));
    assert_eq!(refusal(&importer(&unknown, "one"), &libraries), LinkRule::UnknownLibrary);
    assert_eq!(refusal(&importer(&lib, "two"), &libraries), LinkRule::MissingExport);
    let wrong_type = format!(r#"(module (import "{lib}" "one" (func (result i64))))"#);
    assert_eq!(refusal(&wrong_type, &libraries), LinkRule::SignatureMismatch);
    let not_a_function = format!(r#"(module (import "{lib}" "one" (global i32)))"#);
    assert_eq!(refusal(&not_a_function, &libraries), LinkRule::MissingExport);
}

#[test]
fn a_library_is_code_only_and_imports_only_vmcalls_libraries_and_its_callers_memory() {
    let cases = [
        (r#"(module (memory 1) (func (export "one") (result i32) i32.const 1))"#, LinkRule::LibraryNotCodeOnly),
        (
            r#"(module (import "env" "memory" (memory 1)) (data (i32.const 0) "x")
                 (func (export "one") (result i32) i32.const 1))"#,
            LinkRule::LibraryNotCodeOnly,
        ),
        (r#"(module (table 1 funcref) (func (export "one") (result i32) i32.const 1))"#, LinkRule::LibraryNotCodeOnly),
        (
            r#"(module (func $s) (start $s) (func (export "one") (result i32) i32.const 1))"#,
            LinkRule::LibraryNotCodeOnly,
        ),
        (
            r#"(module (import "env" "g" (global i32)) (func (export "one") (result i32) global.get 0))"#,
            LinkRule::LibraryNotCodeOnly,
        ),
        (
            r#"(module (import "env" "f" (func)) (func (export "one") (result i32) i32.const 1))"#,
            LinkRule::LibraryImport,
        ),
        (
            r#"(module (import "env" "mem" (memory 1)) (func (export "one") (result i32) i32.const 1))"#,
            LinkRule::LibraryImport,
        ),
        (
            r#"(module (import "env" "memory" (memory 4)) (func (export "one") (result i32) i32.const 0 i32.load))"#,
            LinkRule::MemoryMismatch,
        ),
        (
            r#"(module (import "env" "memory" (memory 1 1)) (func (export "one") (result i32) i32.const 1))"#,
            LinkRule::MemoryMismatch,
        ),
    ];
    for (library, rule) in cases {
        let mut libraries = Libraries::new();
        let name = deploy(&mut libraries, library);
        assert_eq!(refusal(&importer(&name, "one"), &libraries), rule, "{library}");
    }
    // Library bytes that are no module.
    let garbage: Arc<[u8]> = Arc::from(&b"\0asm\x01\0\0\0\x01"[..]);
    let hash = code_hash(&garbage);
    let libraries = Libraries::from([(hash, garbage)]);
    assert_eq!(refusal(&importer(&library_module_name(&hash), "one"), &libraries), LinkRule::Malformed);
    // A contract with no memory cannot share one.
    let mut libraries = Libraries::new();
    let lib = deploy(
        &mut libraries,
        r#"(module (import "env" "memory" (memory 0)) (func (export "one") (result i32) i32.const 1))"#,
    );
    let memoryless = format!(r#"(module (import "{lib}" "one" (func (result i32))))"#);
    assert_eq!(refusal(&memoryless, &libraries), LinkRule::MemoryMismatch);
}

/// A chain of `n` libraries, each calling the one before; the last one's module name.
fn chain(libraries: &mut Libraries, n: usize) -> String {
    let mut last = deploy(libraries, &pure_library(&[], "f", "i32.const 1"));
    for _ in 1..n {
        last = deploy(libraries, &pure_library(&[(last.as_str(), "f")], "f", "call 0 i32.const 1 i32.add"));
    }
    last
}

#[test]
fn libraries_nest_to_the_depth_limit_and_no_further() {
    let mut libraries = Libraries::new();
    let deepest = chain(&mut libraries, MAX_LIBRARY_DEPTH);
    let linked = linked(&importer(&deepest, "f"), &libraries);
    assert_eq!(linked.libraries.len(), MAX_LIBRARY_DEPTH);
    assert_eq!(run(&linked.code), MAX_LIBRARY_DEPTH as i64);
    let too_deep = chain(&mut libraries, MAX_LIBRARY_DEPTH + 1);
    assert_eq!(refusal(&importer(&too_deep, "f"), &libraries), LinkRule::LibraryDepth);
}

#[test]
fn one_linked_result_holds_at_most_the_library_limit() {
    let mut libraries = Libraries::new();
    let names: Vec<String> = (0..=MAX_LIBRARIES)
        .map(|i| deploy(&mut libraries, &pure_library(&[], "f", &format!("i32.const {i}"))))
        .collect();
    let contract = |count: usize| {
        let imports: String =
            names[..count].iter().map(|n| format!(r#"(import "{n}" "f" (func (result i32)))"#)).collect();
        format!(r#"(module {imports} (func (export "run") (param i64 i64) (result i64) call 1 i64.extend_i32_u))"#)
    };
    assert_eq!(run(&linked(&contract(MAX_LIBRARIES), &libraries).code), 1);
    assert_eq!(refusal(&contract(MAX_LIBRARIES + 1), &libraries), LinkRule::TooManyLibraries);
}

#[test]
fn a_cycle_is_refused_though_code_hashes_cannot_make_one() {
    // Content addressing rules cycles out (a module cannot hold its own hash); a source that maps hashes to any
    // code shows that linking refuses one all the same.
    let (a, b) = (Hash([1; 32]), Hash([2; 32]));
    let mut libraries = Libraries::new();
    for (this, other) in [(a, b), (b, a)] {
        let code = wasm(&pure_library(&[(library_module_name(&other).as_str(), "f")], "f", "call 0"));
        libraries.insert(this, code.into());
    }
    assert_eq!(refusal(&importer(&library_module_name(&a), "f"), &libraries), LinkRule::LibraryCycle);
}

/// wasm-smith's imports for a library: every vmcall and its caller's memory.
fn library_imports() -> Vec<u8> {
    let vmcalls = svm_fuzzing::generators::module::vmcall_import_fields();
    wasm(&format!(r#"(module {vmcalls} (import "env" "memory" (memory 1)))"#))
}

/// A library wasm-smith makes from `bytes`: code only unless wasm-smith defines a memory (then it is refused as
/// not code only), every function exported; `confined` keeps to the integer MVP plus what compilers emit by
/// default (multi-value, sign extension, bulk memory), otherwise any feature goes.
fn generated_library(bytes: &[u8], confined: bool) -> Option<Vec<u8>> {
    let mut u = arbitrary::Unstructured::new(bytes);
    let mut config: wasm_smith::Config = u.arbitrary().ok()?;
    if confined {
        svm_fuzzing::generators::module::confine(&mut config);
        config.multi_value_enabled = true;
        config.sign_extension_ops_enabled = true;
        config.bulk_memory_enabled = true;
    }
    config.available_imports = Some(library_imports());
    config.compact_imports_enabled = false;
    config.export_everything = true;
    config.max_memories = 1;
    config.max_tables = 0;
    config.max_data_segments = 0;
    config.max_element_segments = 0;
    config.allow_start_export = false;
    config.max_funcs = config.max_funcs.min(30);
    config.max_instructions = config.max_instructions.min(200);
    config.max_globals = config.max_globals.min(16);
    config.max_types = config.max_types.min(32);
    Some(wasm_smith::Module::new(config, &mut u).ok()?.to_bytes())
}

/// A contract that imports every function `library` exports, with its type, and calls each once.
fn importer_of_everything(library: &[u8], module: &str) -> Option<String> {
    use wasmparser::{CompositeInnerType, ExternalKind, Payload, TypeRef, ValType};
    let mut types = Vec::new();
    let mut functions = Vec::new();
    let mut exports = Vec::new();
    for payload in wasmparser::Parser::new(0).parse_all(library) {
        match payload.ok()? {
            Payload::TypeSection(r) => {
                for group in r {
                    for sub in group.ok()?.types() {
                        types.push(match &sub.composite_type.inner {
                            CompositeInnerType::Func(f) => Some(f.clone()),
                            _ => None,
                        });
                    }
                }
            }
            Payload::ImportSection(r) => {
                for import in r.into_imports() {
                    if let TypeRef::Func(t) = import.ok()?.ty {
                        functions.push(t);
                    }
                }
            }
            Payload::FunctionSection(r) => functions.extend(r.into_iter().collect::<Result<Vec<_>, _>>().ok()?),
            Payload::ExportSection(r) => {
                for export in r {
                    let export = export.ok()?;
                    if export.kind == ExternalKind::Func {
                        exports.push((export.name.to_string(), export.index));
                    }
                }
            }
            _ => {}
        }
    }
    let text = |t: &ValType| match t {
        ValType::I32 => Some("i32"),
        ValType::I64 => Some("i64"),
        ValType::F32 => Some("f32"),
        ValType::F64 => Some("f64"),
        _ => None,
    };
    let (mut imports, mut body) = (String::new(), String::new());
    for (k, (name, index)) in exports.iter().enumerate() {
        let ty = types.get(*functions.get(*index as usize)? as usize)?.clone()?;
        let params: Vec<&str> = ty.params().iter().map(text).collect::<Option<_>>()?;
        let results: Vec<&str> = ty.results().iter().map(text).collect::<Option<_>>()?;
        imports.push_str(&format!(
            r#"(import "{module}" "{}" (func (param {}) (result {})))"#,
            name.escape_default(),
            params.join(" "),
            results.join(" ")
        ));
        for p in &params {
            body.push_str(&format!("{p}.const 0 "));
        }
        body.push_str(&format!("call {k} "));
        body.push_str(&"drop ".repeat(results.len()));
    }
    Some(format!(r#"(module {imports} (memory 1) (func (export "run") {body}))"#))
}

#[test]
fn generated_libraries_link_into_valid_modules_or_are_refused_by_rule() {
    use rand::{Rng, SeedableRng};
    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(21);
    let mut tally = BTreeMap::<String, usize>::new();
    for round in 0..400 {
        let confined = round % 4 != 0;
        let bytes: Vec<u8> = (0..2048).map(|_| rng.random()).collect();
        let Some(library) = generated_library(&bytes, confined) else { continue };
        let mut libraries = Libraries::new();
        let hash = code_hash(&library);
        libraries.insert(hash, library.clone().into());
        let Some(contract) = importer_of_everything(&library, &library_module_name(&hash)) else { continue };
        let outcome = match link(&wasm(&contract), &libraries) {
            Ok(linked) => {
                wasmparser::Validator::new_with_features(wasmparser::WasmFeatures::all())
                    .validate_all(&linked.code)
                    .unwrap_or_else(|e| panic!("round {round}: the linked module is invalid: {e}"));
                "linked".to_string()
            }
            Err(e) => {
                assert!(
                    e.rule == LinkRule::LibraryNotCodeOnly || !confined,
                    "round {round}: a confined library refused by {}: {}",
                    e.rule,
                    e.detail
                );
                e.rule.name().to_string()
            }
        };
        *tally.entry(format!("{}{outcome}", if confined { "" } else { "unconfined " })).or_default() += 1;
    }
    // Most confined libraries link; the rest define a memory.
    let linked = tally.get("linked").copied().unwrap_or(0);
    assert!(linked >= 150, "{tally:?}");
}
