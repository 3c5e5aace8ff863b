//! The gas meter of one running instance: wasmer's metering globals, read and charged by the host.

use wasmer::{AsStoreMut, Global, Instance, Value as WasmValue};

/// Export name of the metering middleware's remaining-points global.
pub const REMAINING_EXPORT: &str = "wasmer_metering_remaining_points";
/// Export name of the metering middleware's exhausted flag.
pub const EXHAUSTED_EXPORT: &str = "wasmer_metering_points_exhausted";

/// Handles to an instance's metering globals.
#[derive(Clone, Debug)]
pub struct GasMeter {
    remaining: Global,
    exhausted: Global,
}

impl GasMeter {
    /// The meter of `instance`, if it was compiled with metering.
    pub fn of(instance: &Instance) -> Option<GasMeter> {
        Some(GasMeter {
            remaining: instance.exports.get_global(REMAINING_EXPORT).ok()?.clone(),
            exhausted: instance.exports.get_global(EXHAUSTED_EXPORT).ok()?.clone(),
        })
    }

    /// Gas left.
    pub fn remaining(&self, store: &mut impl AsStoreMut) -> u64 {
        match self.remaining.get(store) {
            WasmValue::I64(v) => v as u64,
            _ => 0,
        }
    }

    /// Whether the meter ran out (in wasm or in a vmcall).
    pub fn exhausted(&self, store: &mut impl AsStoreMut) -> bool {
        matches!(self.exhausted.get(store), WasmValue::I32(v) if v != 0)
    }

    /// Sets the gas left and clears the exhausted flag.
    pub fn set(&self, store: &mut impl AsStoreMut, gas: u64) {
        // Both globals are the middleware's own mutable i64/i32: setting them cannot fail.
        let _ = self.remaining.set(store, WasmValue::I64(gas as i64));
        let _ = self.exhausted.set(store, WasmValue::I32(0));
    }

    /// Takes `gas` from the meter; `false` (and the meter left empty and exhausted) if there is not
    /// that much.
    pub fn charge(&self, store: &mut impl AsStoreMut, gas: u64) -> bool {
        let remaining = self.remaining(store);
        if gas > remaining {
            let _ = self.remaining.set(store, WasmValue::I64(0));
            let _ = self.exhausted.set(store, WasmValue::I32(1));
            return false;
        }
        let _ = self.remaining.set(store, WasmValue::I64((remaining - gas) as i64));
        true
    }
}
