//! The module-cache key: everything a compiled artifact depends on.

use crate::gas::{GAS_SCHEDULE_VERSION, schedule_fingerprint};
use crate::runtime::config::Compiler;
use crate::{Hash, Limits};

/// The wasmer version compiled artifacts come from. Cargo.toml pins wasmer to exactly this version and
/// a test checks Cargo.lock against it.
pub const WASMER_VERSION: &str = "7.4.2";

/// Version of what compilation does to code (bulk-memory gas, stack limit, memory cap, custom sections
/// stripped).
const INSTRUMENTATION_VERSION: u32 = 3;

/// Identifies one compiled artifact: consensus version, code hash, compiler, gas schedule, limits, wasmer
/// and SVM versions.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ModuleKey(pub Hash);

impl ModuleKey {
    /// The key of `code_hash` compiled by `compiler` under `limits`.
    pub fn new(code_hash: &Hash, compiler: Compiler, limits: &Limits) -> ModuleKey {
        let mut hasher = blake3::Hasher::new();
        hasher.update(b"svm/module-key/v1");
        hasher.update(&crate::CONSENSUS_VERSION.to_le_bytes());
        hasher.update(code_hash.as_bytes());
        hasher.update(compiler.name().as_bytes());
        hasher.update(&GAS_SCHEDULE_VERSION.to_le_bytes());
        hasher.update(schedule_fingerprint().as_bytes());
        hasher.update(&limits.to_bytes());
        hasher.update(WASMER_VERSION.as_bytes());
        hasher.update(env!("CARGO_PKG_VERSION").as_bytes());
        hasher.update(&INSTRUMENTATION_VERSION.to_le_bytes());
        ModuleKey(hasher.finalize().into())
    }
}

impl AsRef<[u8]> for ModuleKey {
    fn as_ref(&self) -> &[u8] {
        self.0.as_ref()
    }
}

svm_core::hex_newtype!(ModuleKey);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_input_changes_the_key() {
        let code = Hash([1; 32]);
        let base = ModuleKey::new(&code, Compiler::Singlepass, &Limits::default());
        assert_ne!(base, ModuleKey::new(&Hash([2; 32]), Compiler::Singlepass, &Limits::default()));
        assert_ne!(base, ModuleKey::new(&code, Compiler::Cranelift, &Limits::default()));
        let limits = Limits { stack_budget: 1000, ..Limits::default() };
        assert_ne!(base, ModuleKey::new(&code, Compiler::Singlepass, &limits));
    }

    #[test]
    fn the_pinned_wasmer_version_is_the_one_built() {
        let lock = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../Cargo.lock")).unwrap();
        let entry = format!("name = \"wasmer\"\nversion = \"{WASMER_VERSION}\"");
        assert!(lock.contains(&entry), "Cargo.lock's wasmer is not {WASMER_VERSION}: update WASMER_VERSION");
    }
}
