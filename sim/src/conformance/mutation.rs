//! Which exports can change a module instance's state (memory, globals, memory size). SVM gives every
//! transaction a fresh instance, so spec assertions that rely on an earlier invoke's changes cannot
//! hold through the SVM path; the runner needs to know when that is the case.

use std::collections::{BTreeSet, HashMap};
use wasmparser::{ElementItems, ElementKind, ExternalKind, Operator, Parser, Payload, TypeRef};

/// The names of the exported functions that may (directly or through calls) store to memory, set a
/// global or grow memory. Conservative: an indirect call may reach any function in the table.
pub fn mutating_exports(wasm: &[u8]) -> BTreeSet<String> {
    let mut imported = 0u32;
    let mut mutates: Vec<bool> = Vec::new();
    let mut calls: Vec<Vec<u32>> = Vec::new();
    let mut indirect: Vec<bool> = Vec::new();
    let mut table: Vec<u32> = Vec::new();
    let mut exports: Vec<(String, u32)> = Vec::new();
    for payload in Parser::new(0).parse_all(wasm) {
        match payload {
            Ok(Payload::ImportSection(reader)) => {
                imported += reader.into_imports().flatten().filter(|i| matches!(i.ty, TypeRef::Func(_))).count() as u32;
            }
            Ok(Payload::ElementSection(reader)) => {
                for element in reader.into_iter().flatten() {
                    if let (ElementKind::Active { .. }, ElementItems::Functions(functions)) =
                        (element.kind, element.items)
                    {
                        table.extend(functions.into_iter().flatten());
                    }
                }
            }
            Ok(Payload::ExportSection(reader)) => {
                for export in reader.into_iter().flatten() {
                    if export.kind == ExternalKind::Func {
                        exports.push((export.name.to_string(), export.index));
                    }
                }
            }
            Ok(Payload::CodeSectionEntry(body)) => {
                let (mut direct, mut callees, mut any_indirect) = (false, Vec::new(), false);
                if let Ok(ops) = body.get_operators_reader() {
                    for op in ops.into_iter().flatten() {
                        match op {
                            Operator::GlobalSet { .. } | Operator::MemoryGrow { .. } => direct = true,
                            Operator::Call { function_index } => callees.push(function_index),
                            Operator::CallIndirect { .. } => any_indirect = true,
                            ref other if is_store(other) => direct = true,
                            _ => {}
                        }
                    }
                }
                mutates.push(direct);
                calls.push(callees);
                indirect.push(any_indirect);
            }
            _ => {}
        }
    }
    // Propagate through calls until nothing changes. Imported functions (vmcalls) never touch the
    // instance's own state.
    let local = |index: u32| index.checked_sub(imported).map(|i| i as usize);
    loop {
        let table_mutates = table.iter().any(|&f| local(f).is_some_and(|i| mutates.get(i).copied().unwrap_or(false)));
        let mut changed = false;
        for i in 0..mutates.len() {
            if mutates[i] {
                continue;
            }
            let via_calls =
                calls[i].iter().any(|&f| local(f).is_some_and(|j| mutates.get(j).copied().unwrap_or(false)));
            if via_calls || (indirect[i] && table_mutates) {
                mutates[i] = true;
                changed = true;
            }
        }
        if !changed {
            break;
        }
    }
    let by_name: HashMap<&str, u32> = exports.iter().map(|(n, i)| (n.as_str(), *i)).collect();
    by_name
        .into_iter()
        .filter(|(_, index)| local(*index).is_some_and(|i| mutates.get(i).copied().unwrap_or(false)))
        .map(|(name, _)| name.to_string())
        .collect()
}

fn is_store(op: &Operator<'_>) -> bool {
    use Operator::*;
    matches!(
        op,
        I32Store { .. }
            | I64Store { .. }
            | F32Store { .. }
            | F64Store { .. }
            | I32Store8 { .. }
            | I32Store16 { .. }
            | I64Store8 { .. }
            | I64Store16 { .. }
            | I64Store32 { .. }
            | MemoryFill { .. }
            | MemoryCopy { .. }
            | MemoryInit { .. }
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_direct_and_transitive_mutation() {
        let wasm = wat::parse_bytes(
            br#"(module (memory 1) (global $g (mut i32) (i32.const 0))
              (func $set (global.set $g (i32.const 1)))
              (func (export "pure") (result i32) (i32.const 1))
              (func (export "store") (i32.store (i32.const 0) (i32.const 1)))
              (func (export "via") (call $set))
              (func (export "grow") (drop (memory.grow (i32.const 1)))))"#,
        )
        .unwrap();
        let names: Vec<String> = mutating_exports(&wasm).into_iter().collect();
        assert_eq!(names, vec!["grow", "store", "via"]);
    }
}
