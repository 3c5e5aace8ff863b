//! Modules for the VM: wasm-smith configured from the real vmcall surface (so the generator can never
//! drift from the runtime), with swarm-style variation of everything else — mostly inside the deploy
//! allow-list, sometimes outside it so that rejection is exercised too.

use arbitrary::{Result, Unstructured};
use svm::vmcalls::registry::{NAMESPACE, VMCALLS};
use svm::{Limits, ValueType};
use wasm_smith::{Config, Module};

/// How often (in percent) a generated module is confined to the allow-list.
pub const INSIDE_ALLOW_LIST_PERCENT: u32 = 85;

/// A module that imports every vmcall with its registered signature: wasm-smith's
/// `available_imports`.
pub fn vmcall_imports() -> Vec<u8> {
    // The text is generated from the registry and always parses.
    wat::parse_str(format!("(module\n{})", vmcall_import_fields())).unwrap_or_default()
}

/// The import fields, in text, of every vmcall with its registered signature.
pub fn vmcall_import_fields() -> String {
    let ty = |types: &[ValueType]| {
        types.iter().map(|t| if *t == ValueType::I32 { " i32" } else { " i64" }).collect::<String>()
    };
    VMCALLS
        .iter()
        .map(|spec| {
            format!(
                "(import \"{NAMESPACE}\" \"{}\" (func (param{}) (result{})))\n",
                spec.name,
                ty(spec.params),
                ty(spec.results)
            )
        })
        .collect()
}

/// A swarm configuration: arbitrary, then clamped to the VM's allow-list most of the time.
pub fn config(u: &mut Unstructured<'_>) -> Result<Config> {
    let mut config: Config = u.arbitrary()?;
    config.available_imports = Some(vmcall_imports());
    config.compact_imports_enabled = false;
    config.export_everything = true;
    config.max_funcs = config.max_funcs.min(50);
    config.max_instructions = config.max_instructions.min(300);
    config.max_imports = config.max_imports.min(VMCALLS.len());
    config.max_data_segments = config.max_data_segments.min(8);
    config.max_element_segments = config.max_element_segments.min(8);
    config.max_globals = config.max_globals.min(64);
    config.max_types = config.max_types.min(64);
    config.max_exports = config.max_exports.min(64);
    if u.int_in_range(0..=99)? < INSIDE_ALLOW_LIST_PERCENT {
        confine(&mut config);
    }
    Ok(config)
}

/// Switches off everything the allow-list rejects and keeps sizes inside the VM's limits.
pub fn confine(config: &mut Config) {
    let limits = Limits::default();
    config.allow_floats = false;
    config.simd_enabled = false;
    config.relaxed_simd_enabled = false;
    config.threads_enabled = false;
    config.bulk_memory_enabled = false;
    config.reference_types_enabled = false;
    config.gc_enabled = false;
    config.multi_value_enabled = false;
    config.tail_call_enabled = false;
    config.exceptions_enabled = false;
    config.memory64_enabled = false;
    config.saturating_float_to_int_enabled = false;
    config.extended_const_enabled = false;
    config.wide_arithmetic_enabled = false;
    config.custom_page_sizes_enabled = false;
    config.shared_everything_threads_enabled = false;
    config.allow_start_export = false;
    config.max_memories = config.max_memories.min(1);
    config.max_tables = config.max_tables.min(1);
    config.max_tags = 0;
    config.max_memory32_bytes = config.max_memory32_bytes.min(u64::from(limits.max_memory_pages) * 65536);
    config.max_table_elements = config.max_table_elements.min(u64::from(limits.max_table_elements));
}

/// A module from fuzzer bytes.
pub fn module(u: &mut Unstructured<'_>) -> Result<Vec<u8>> {
    let config = config(u)?;
    Ok(Module::new(config, u)?.to_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_import_module_lists_every_vmcall() {
        let bytes = vmcall_imports();
        let imports = wasmparser::Parser::new(0)
            .parse_all(&bytes)
            .filter_map(|p| match p {
                Ok(wasmparser::Payload::ImportSection(r)) => Some(r.into_imports().count()),
                _ => None,
            })
            .sum::<usize>();
        assert_eq!(imports, VMCALLS.len());
    }

    #[test]
    fn most_generated_modules_pass_deploy_validation() {
        let mut accepted = 0;
        let mut rng = 0x1234_5678u64;
        for _ in 0..100 {
            let bytes: Vec<u8> = (0..4096)
                .map(|_| {
                    rng = rng.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
                    (rng >> 56) as u8
                })
                .collect();
            if let Ok(wasm) = module(&mut Unstructured::new(&bytes)) {
                accepted += usize::from(svm::validation::validate(&wasm, &Limits::default()).is_ok());
            }
        }
        assert!(accepted > 40, "only {accepted} of 100 generated modules pass validation");
    }
}
