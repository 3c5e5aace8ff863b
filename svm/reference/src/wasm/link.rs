//! Linking at instantiation (docs/consensus.md, *Libraries*): a contract's decoded module and the decoded modules
//! of the libraries it links, in resolution order (dependencies first), become one module to instantiate. Its
//! index spaces are the modules' one after another — types, defined functions and globals — after the kept
//! imports: the contract's vmcalls, then each vmcall a library imports that no module before it imports under the
//! same name and type. Every library import becomes the function the library exports under that name; memory,
//! table, segments and exports are the contract's. So library code runs on the contract's memory, meter and stack
//! budget, as its own code. No bytes are produced: only the decoded module is rewritten.

use super::DecodeError;
use super::instr::Instr;
use super::module::{ConstExpr, FuncType, Import, Module};
use svm_core::Hash;

fn error(what: impl Into<String>) -> DecodeError {
    DecodeError(format!("linking: {}", what.into()))
}

/// Where one module's items land in the linked module.
struct Placement {
    type_base: u32,
    global_base: u32,
    /// The linked function index of each of its function indices (imports first); `None` until resolved.
    functions: Vec<Option<u32>>,
}

/// Links `contract` with `libraries`, which must be every library it needs, dependencies before importers.
pub fn link(contract: Module, libraries: Vec<(Hash, Module)>) -> Result<Module, DecodeError> {
    if libraries.is_empty() {
        return Ok(contract);
    }
    let hashes: Vec<Hash> = libraries.iter().map(|(hash, _)| *hash).collect();
    let mut modules: Vec<Module> = std::iter::once(contract).chain(libraries.into_iter().map(|(_, m)| m)).collect();

    // Types and globals, module after module.
    let mut placements = Vec::with_capacity(modules.len());
    let (mut types, mut globals) = (0u32, 0u32);
    for module in &modules {
        placements.push(Placement { type_base: types, global_base: globals, functions: Vec::new() });
        types += module.types.len() as u32;
        globals += module.globals.len() as u32;
    }

    // The kept imports: (name, type, linked type index).
    let mut kept: Vec<(String, FuncType, u32)> = Vec::new();
    for (index, module) in modules.iter().enumerate() {
        let base = placements[index].type_base;
        let mut slots = Vec::with_capacity(module.func_types.len());
        for import in &module.imports {
            if import.library.is_some() {
                slots.push(None);
                continue;
            }
            let ty = module.type_at(import.type_index)?.clone();
            let shared =
                if index == 0 { None } else { kept.iter().position(|(n, t, _)| *n == import.name && *t == ty) };
            slots.push(Some(match shared {
                Some(at) => at as u32,
                None => {
                    kept.push((import.name.clone(), ty, base + import.type_index));
                    (kept.len() - 1) as u32
                }
            }));
        }
        placements[index].functions = slots;
    }

    // Defined functions, module after module.
    let mut next = kept.len() as u32;
    for (module, placement) in modules.iter().zip(&mut placements) {
        placement.functions.extend((0..module.functions.len() as u32).map(|i| Some(next + i)));
        next += module.functions.len() as u32;
    }

    // Library imports: libraries first (their dependencies are before them), the contract last.
    let order: Vec<usize> = (1..modules.len()).chain(std::iter::once(0)).collect();
    for &index in &order {
        for (slot, import) in modules[index].imports.iter().enumerate() {
            let Some(hash) = import.library else { continue };
            let at = hashes.iter().position(|h| *h == hash).ok_or_else(|| error(format!("library {hash} missing")))?;
            let export = *modules[at + 1]
                .exports
                .get(&import.name)
                .ok_or_else(|| error(format!("library {hash} exports no {:?}", import.name)))?;
            let target = placements[at + 1].functions.get(export as usize).copied().flatten();
            placements[index].functions[slot] = Some(target.ok_or_else(|| error("an import resolved out of order"))?);
        }
    }
    let maps: Vec<Vec<u32>> = placements
        .iter()
        .map(|p| p.functions.iter().map(|f| f.ok_or_else(|| error("an unresolved import"))).collect())
        .collect::<Result<_, _>>()?;

    // The linked module: the contract's, its spaces extended and every index moved.
    let mut linked_types = Vec::new();
    let mut linked_globals = Vec::new();
    let mut linked_functions = Vec::new();
    let mut func_types: Vec<u32> = kept.iter().map(|(_, _, t)| *t).collect();
    for (index, module) in modules.iter_mut().enumerate() {
        let (placement, map) = (&placements[index], &maps[index]);
        linked_types.append(&mut module.types);
        for init in module.globals.drain(..) {
            linked_globals.push(match init {
                ConstExpr::Global(g) => ConstExpr::Global(g + placement.global_base),
                word => word,
            });
        }
        for mut function in module.functions.drain(..) {
            function.type_index += placement.type_base;
            for instr in &mut function.body.code {
                relocate(instr, placement, map)?;
            }
            func_types.push(function.type_index);
            linked_functions.push(function);
        }
    }
    let mut linked = modules.swap_remove(0);
    let map = &maps[0];
    let moved = |f: u32| map.get(f as usize).copied().ok_or_else(|| error(format!("function {f} out of range")));
    for segment in &mut linked.elements {
        for function in &mut segment.functions {
            *function = moved(*function)?;
        }
    }
    for index in linked.exports.values_mut() {
        *index = moved(*index)?;
    }
    linked.imports = kept.into_iter().map(|(name, _, type_index)| Import { name, type_index, library: None }).collect();
    linked.types = linked_types;
    linked.globals = linked_globals;
    linked.functions = linked_functions;
    linked.func_types = func_types;
    Ok(linked)
}

/// Moves one instruction's function, type and global indices to the linked module's.
fn relocate(instr: &mut Instr, placement: &Placement, map: &[u32]) -> Result<(), DecodeError> {
    match instr {
        Instr::Call(function) => {
            *function = *map
                .get(*function as usize)
                .ok_or_else(|| error(format!("call of function {function} out of range")))?
        }
        Instr::CallIndirect(type_index) => *type_index += placement.type_base,
        Instr::GlobalGet(global) | Instr::GlobalSet(global) => *global += placement.global_base,
        _ => {}
    }
    Ok(())
}
