//! The whole gas schedule's fingerprint: every admitted operator's cost, every vmcall price, the
//! storage prices and the intrinsic costs. Part of every module-cache key, so that a node never runs
//! code metered under another schedule.

use super::collection_prices::COLLECTION_PRICES;
use super::cost_table::{BULK_MEMORY_PER_BYTE, GAS_SCHEDULE_VERSION, cost_of};
use super::event_prices::EVENT_PRICES;
use super::intrinsic::INTRINSIC_COSTS;
use super::storage_prices::STORAGE_PRICES;
use crate::Hash;
use crate::limits::FloatRule;
use crate::validation::operators::admitted_operators;
use crate::vmcalls::registry::VMCALLS;

/// The schedule's fingerprint; computed once.
pub fn schedule_fingerprint() -> Hash {
    static FINGERPRINT: std::sync::LazyLock<Hash> = std::sync::LazyLock::new(|| fingerprint_with(&cost_of));
    *FINGERPRINT
}

/// The fingerprint of the schedule with operator costs `cost` (and everything else as it is): hashes
/// the name and cost of every operator the allow-list admits, not a sample, so that repricing any one
/// of them, or moving it to another class, changes it.
pub fn fingerprint_with(cost: &dyn Fn(&str) -> u64) -> Hash {
    let mut hasher = blake3::Hasher::new();
    hasher.update(b"svm/gas-schedule");
    hasher.update(&GAS_SCHEDULE_VERSION.to_le_bytes());
    // Every operator any float rule admits (the `canonicalized` set is the widest).
    for name in admitted_operators(FloatRule::Canonicalized) {
        hasher.update(name.as_bytes());
        hasher.update(&cost(name).to_le_bytes());
    }
    hasher.update(b"bulk_memory_per_byte");
    hasher.update(&BULK_MEMORY_PER_BYTE.to_le_bytes());
    for spec in VMCALLS {
        hasher.update(spec.name.as_bytes());
        hasher.update(&spec.price.base.to_le_bytes());
        hasher.update(&spec.price.per_byte.to_le_bytes());
        hasher.update(&[spec.pages as u8]);
    }
    for (name, price) in
        STORAGE_PRICES.iter().chain(COLLECTION_PRICES.iter()).chain(EVENT_PRICES.iter()).chain(INTRINSIC_COSTS.iter())
    {
        hasher.update(name.as_bytes());
        hasher.update(&price.to_le_bytes());
    }
    hasher.finalize().into()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn repricing_any_admitted_operator_changes_the_fingerprint() {
        let base = fingerprint_with(&cost_of);
        let mut count = 0;
        for name in admitted_operators(FloatRule::Canonicalized) {
            let perturbed = fingerprint_with(&|n: &str| if n == name { cost_of(n) + 1 } else { cost_of(n) });
            assert_ne!(perturbed, base, "repricing {name} leaves the fingerprint unchanged");
            count += 1;
        }
        // The MVP with floats, sign extension, bulk memory's memory half and the non-trapping float
        // conversions: a change here changes what deploy admits.
        // 109 integer MVP and sign extension, 68 float MVP, 8 non-trapping conversions, 4 bulk memory.
        assert_eq!(count, 189, "admitted operators");
    }

    #[test]
    fn schedule_is_pinned() {
        // A changed cost, price or intrinsic lands here: it is a consensus change. Bump
        // GAS_SCHEDULE_VERSION and CONSENSUS_VERSION, and update the pin deliberately.
        assert_eq!(GAS_SCHEDULE_VERSION, 6);
        assert_eq!(
            schedule_fingerprint().to_string(),
            "799aa6eb1fe882e65c4332a9648345af5bcb7f39b6bc57ead8a495c540f3ce1c"
        );
    }
}
