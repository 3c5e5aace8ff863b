//! Why a vmcall refused: consensus data, the same on every node.

/// A vmcall's refusal. The execution traps and the receipt names the kind.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum HostError {
    /// No slice has the given index.
    UnknownSlice,
    /// The offset and length run outside the slice.
    SliceOutOfRange,
    /// An integer form used on a slice wider than the integer.
    SliceTooWide,
    /// No register class has the given width, or the class has no such index.
    UnknownRegister,
    /// A length that does not fit the register, or a register class the vmcall does not take.
    RegisterWidth,
    /// A pointer and length that run outside linear memory.
    MemoryOutOfBounds,
    /// A memory vmcall from a contract that exports no memory called `memory`.
    NoMemory,
    /// The offset and length run outside the calldata.
    CalldataOutOfRange,
    /// More returndata than the limit.
    ReturndataTooLarge,
    /// More log entries than the limit.
    TooManyLogs,
    /// A log entry longer than the limit.
    LogTooLarge,
}

impl HostError {
    /// Every kind, in code order.
    pub const ALL: [HostError; 11] = [
        HostError::UnknownSlice,
        HostError::SliceOutOfRange,
        HostError::SliceTooWide,
        HostError::UnknownRegister,
        HostError::RegisterWidth,
        HostError::MemoryOutOfBounds,
        HostError::NoMemory,
        HostError::CalldataOutOfRange,
        HostError::ReturndataTooLarge,
        HostError::TooManyLogs,
        HostError::LogTooLarge,
    ];

    /// The kind's stable code.
    pub fn code(self) -> u8 {
        HostError::ALL.iter().position(|&k| k == self).map_or(u8::MAX, |i| i as u8)
    }

    /// The kind with code `code`.
    pub fn from_code(code: u8) -> Option<HostError> {
        HostError::ALL.get(code as usize).copied()
    }

    /// The kind's name as reports spell it.
    pub fn name(self) -> &'static str {
        match self {
            HostError::UnknownSlice => "unknown-slice",
            HostError::SliceOutOfRange => "slice-out-of-range",
            HostError::SliceTooWide => "slice-too-wide",
            HostError::UnknownRegister => "unknown-register",
            HostError::RegisterWidth => "register-width",
            HostError::MemoryOutOfBounds => "memory-out-of-bounds",
            HostError::NoMemory => "no-memory",
            HostError::CalldataOutOfRange => "calldata-out-of-range",
            HostError::ReturndataTooLarge => "returndata-too-large",
            HostError::TooManyLogs => "too-many-logs",
            HostError::LogTooLarge => "log-too-large",
        }
    }
}
