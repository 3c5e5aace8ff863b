//! The VM's resource limits: what a contract may declare at deploy and use at run time.

/// What the VM does with floating point, a consensus rule.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum FloatRule {
    /// Float types and operators are refused at deploy (`code-rejected:float`).
    Refused,
    /// Float types and operators are admitted; every NaN an operator produces is the canonical NaN on
    /// every compiler, so results are bit-identical everywhere. Non-trapping float-to-int conversions
    /// come with it.
    Canonicalized,
}

/// Every limit the VM enforces, and what deploy admits. Part of the module-cache key: a change
/// recompiles every module.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Limits {
    /// Largest accepted contract binary, in bytes.
    pub max_code_bytes: usize,
    /// Largest linear memory, in 64 KiB pages: the cap on a declared initial or maximum size, and
    /// the run-time cap on `memory.grow` (beyond it `memory.grow` returns -1).
    pub max_memory_pages: u32,
    /// Largest table, in elements (initial and maximum).
    pub max_table_elements: u32,
    /// Most entries in the type section.
    pub max_types: u32,
    /// Most functions defined in the module.
    pub max_functions: u32,
    /// Most imports.
    pub max_imports: u32,
    /// Most exports.
    pub max_exports: u32,
    /// Most globals defined in the module.
    pub max_globals: u32,
    /// Most parameters, and most results, of one function type.
    pub max_params: u32,
    /// Most locals of one function, parameters included.
    pub max_locals: u32,
    /// The wasm stack budget in slots: each call reserves its frame's weight (a fixed overhead plus
    /// its parameters, locals and deepest operand stack) and a call past the budget fails with
    /// `CallDepthExceeded`, at the same point on every compiler.
    pub stack_budget: u32,
    /// Most calldata bytes per execution.
    pub max_calldata_bytes: u32,
    /// Most returndata bytes per execution.
    pub max_returndata_bytes: u32,
    /// Most log entries per execution.
    pub max_logs: u32,
    /// Most bytes in one log entry.
    pub max_log_bytes: u32,
    /// Most storage pages one contract may declare.
    pub max_pages: u32,
    /// Most pages one execution may write (make dirty); one more write is the host error
    /// `too-many-dirty-pages`.
    pub max_dirty_pages: u32,
    /// The largest gas limit a transaction may name: without it, a zero gas price would buy unbounded
    /// work for free.
    pub max_gas_limit: u64,
    /// Most frames on the call stack, the transaction's own included; a call past it is the callee's
    /// `refused:call-depth`.
    pub max_call_depth: u32,
    /// Whether floating point is refused or admitted with canonical NaNs.
    pub floats: FloatRule,
}

/// Slots every frame reserves besides its parameters, locals and operand stack (return address,
/// saved registers, alignment).
pub const FRAME_OVERHEAD_SLOTS: u32 = 8;

/// The smallest native stack the VM promises to run within: at this size, every frame shape the stack
/// budget allows stops at the budget, never at the native guard page, on every compiler (a test
/// runs the worst cases at exactly this size). A node may give executions more, never less.
pub const MIN_NATIVE_STACK_BYTES: usize = 2 << 20;

/// The native stack each execution runs on by default: four times the promised minimum.
pub const NATIVE_STACK_BYTES: usize = 8 << 20;

const _: () = assert!(MIN_NATIVE_STACK_BYTES * 4 <= NATIVE_STACK_BYTES);

impl Default for Limits {
    fn default() -> Limits {
        Limits {
            max_code_bytes: 256 << 10,
            max_memory_pages: 64,
            max_table_elements: 4096,
            max_types: 256,
            max_functions: 4096,
            max_imports: 64,
            max_exports: 256,
            max_globals: 256,
            max_params: 128,
            max_locals: 1024,
            stack_budget: 64 << 10,
            max_calldata_bytes: 64 << 10,
            max_returndata_bytes: 64 << 10,
            max_logs: 64,
            max_log_bytes: 1024,
            max_pages: 1 << 16,
            max_dirty_pages: 256,
            max_gas_limit: 10_000_000_000,
            max_call_depth: crate::call::MAX_CALL_DEPTH,
            floats: FloatRule::Canonicalized,
        }
    }
}

impl Limits {
    /// The heaviest frame one function may have: a sixteenth of the stack budget, so that any contract
    /// can nest at least sixteen calls.
    pub fn max_frame_weight(&self) -> u32 {
        self.stack_budget / 16
    }

    /// A canonical byte encoding, for cache keys.
    pub fn to_bytes(&self) -> Vec<u8> {
        let fields: [u64; 20] = [
            self.max_code_bytes as u64,
            self.max_memory_pages.into(),
            self.max_table_elements.into(),
            self.max_types.into(),
            self.max_functions.into(),
            self.max_imports.into(),
            self.max_exports.into(),
            self.max_globals.into(),
            self.max_params.into(),
            self.max_locals.into(),
            self.stack_budget.into(),
            self.max_calldata_bytes.into(),
            self.max_returndata_bytes.into(),
            self.max_logs.into(),
            self.max_log_bytes.into(),
            self.max_pages.into(),
            self.max_dirty_pages.into(),
            self.max_gas_limit,
            self.max_call_depth.into(),
            match self.floats {
                FloatRule::Refused => 0,
                FloatRule::Canonicalized => 1,
            },
        ];
        fields.iter().flat_map(|f| f.to_le_bytes()).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_stack_budget_fits_the_native_stack_with_a_wide_margin() {
        let limits = Limits::default();
        // 16 bytes per slot is twice what either compiler uses for a spilled i64.
        assert!(limits.stack_budget as usize * 16 * 2 <= MIN_NATIVE_STACK_BYTES);
    }

    #[test]
    fn no_limit_lets_through_what_the_codec_cannot_carry() {
        use crate::codec::bounds;
        let limits = Limits::default();
        assert!(limits.max_code_bytes as u64 <= u64::from(bounds::MAX_CODE_BYTES));
        assert!(limits.max_params <= bounds::MAX_VALUES);
        assert!(limits.max_exports <= bounds::MAX_EXPORTS);
        assert!(limits.max_calldata_bytes <= bounds::MAX_CALLDATA_BYTES);
        assert!(limits.max_returndata_bytes <= bounds::MAX_RETURNDATA_BYTES);
        assert!(limits.max_logs <= bounds::MAX_LOGS);
        assert!(limits.max_log_bytes <= bounds::MAX_LOG_BYTES);
        assert!(limits.max_pages <= crate::layout::MAX_PAGES);
    }

    #[test]
    fn every_limit_changes_the_encoding() {
        let base = Limits::default().to_bytes();
        let mut changed = Limits::default();
        changed.max_log_bytes += 1;
        assert_ne!(base, changed.to_bytes());
        changed = Limits::default();
        changed.max_code_bytes += 1;
        assert_ne!(base, changed.to_bytes());
        changed = Limits::default();
        changed.max_dirty_pages += 1;
        assert_ne!(base, changed.to_bytes());
    }
}
