//! A fresh instance (docs/consensus.md, *Execution* step 15): globals from their initializers,
//! table 0 from the active element segments in order, then memory 0 from the active data segments
//! in order. A segment out of bounds traps (`table-out-of-bounds`, `memory-out-of-bounds`).
//! Instantiation costs no gas. As the spec says, an active data segment is dropped once applied.

use super::module::{ConstExpr, Module};
use crate::host::Stop;
use svm_core::Limits;
use svm_core::outcome::TrapKind;

/// The size of a WebAssembly page in bytes.
pub(crate) const PAGE_BYTES: u64 = 65_536;

/// The most pages a 32-bit memory can address.
const MAX_ADDRESSABLE_PAGES: u64 = 65_536;

/// Everything an execution may change.
#[derive(Debug)]
pub(crate) struct Instance {
    /// Linear memory, `pages × 65,536` bytes long.
    pub memory: Vec<u8>,
    /// The most pages `memory.grow` may reach: min(declared maximum, `max_memory_pages`).
    pub max_pages: u64,
    /// Global values as stack words.
    pub globals: Vec<u64>,
    /// Table 0: function indices, `None` where uninitialized.
    pub table: Vec<Option<u32>>,
    /// Which data segments are dropped (by `data.drop`, or active ones once applied).
    pub dropped: Vec<bool>,
}

fn fault(message: &str) -> Stop {
    Stop::Fault(message.to_string())
}

/// The value of a constant expression, given the globals initialized so far.
fn evaluate(expr: ConstExpr, globals: &[u64]) -> Result<u64, Stop> {
    match expr {
        ConstExpr::Word(word) => Ok(word),
        ConstExpr::Global(index) => {
            globals.get(index as usize).copied().ok_or_else(|| fault("constant expression reads an unknown global"))
        }
    }
}

impl Instance {
    /// Instantiates `module` afresh.
    pub fn new(module: &Module, limits: &Limits) -> Result<Instance, Stop> {
        let mut globals = Vec::with_capacity(module.globals.len());
        for init in &module.globals {
            let value = evaluate(*init, &globals)?;
            globals.push(value);
        }

        let table_size = module.table.unwrap_or(0);
        if table_size > u64::from(limits.max_table_elements) {
            return Err(fault("table beyond the element cap"));
        }
        let table_size = usize::try_from(table_size).map_err(|_| fault("table too large"))?;
        let mut table = vec![None; table_size];
        for segment in &module.elements {
            let offset = u64::from(evaluate(segment.offset, &globals)? as u32);
            let end = offset + segment.functions.len() as u64;
            if end > table.len() as u64 {
                return Err(Stop::Trap(TrapKind::TableOutOfBounds));
            }
            for (slot, function) in table[offset as usize..end as usize].iter_mut().zip(&segment.functions) {
                *slot = Some(*function);
            }
        }

        let (initial, declared_max) = match module.memory {
            Some(memory) => (memory.initial, memory.maximum),
            None => (0, Some(0)),
        };
        let cap = u64::from(limits.max_memory_pages).min(MAX_ADDRESSABLE_PAGES);
        let max_pages = declared_max.map_or(cap, |max| max.min(cap));
        if initial > cap {
            return Err(fault("initial memory beyond the page cap"));
        }
        let bytes = usize::try_from(initial * PAGE_BYTES).map_err(|_| fault("memory too large"))?;
        let mut memory = vec![0u8; bytes];
        let mut dropped = vec![false; module.data.len()];
        for (index, segment) in module.data.iter().enumerate() {
            let Some(offset) = segment.offset else { continue };
            let offset = u64::from(evaluate(offset, &globals)? as u32);
            let end = offset + segment.bytes.len() as u64;
            if end > memory.len() as u64 {
                return Err(Stop::Trap(TrapKind::MemoryOutOfBounds));
            }
            memory[offset as usize..end as usize].copy_from_slice(&segment.bytes);
            dropped[index] = true;
        }

        Ok(Instance { memory, max_pages, globals, table, dropped })
    }
}
