//! Why a vmcall refused: consensus data, the same on every node.

use crate::stable_codes::stable_codes;
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
    /// A write to one more page than an execution may make dirty.
    TooManyDirtyPages,
    /// A storage vmcall on a collection slot, or a collection vmcall on a byte slice.
    SliceKind,
    /// A collection handle this execution never opened, or one whose key was removed.
    UnknownCollection,
    /// An invalid collection shape, or one that is not the collection's.
    CollectionShape,
    /// A byte-value operation on a collection of collections, or a nested one on byte values.
    CollectionValueKind,
    /// An operation the collection's kind does not have (push on a map, remove on a list).
    CollectionOperation,
    /// A list index past the end.
    CollectionIndex,
    /// A value longer than the collection takes.
    CollectionValueTooLarge,
    /// Nesting deeper than the limit.
    CollectionDepth,
    /// More open collections than one execution may have.
    TooManyCollections,
    /// More events than one execution may emit.
    TooManyEvents,
    /// More topics than an event may have.
    EventTopics,
    /// An event's data longer than the limit.
    EventTooLarge,
    /// An expiry past the longest an event may live.
    EventExpiry,
    /// A `contract_call` whose function name, arguments or calldata break the call rules.
    CallInput,
    /// More calls than one transaction may make.
    TooManyCalls,
}

stable_codes!(HostError {
    UnknownSlice => "unknown-slice",
    SliceOutOfRange => "slice-out-of-range",
    SliceTooWide => "slice-too-wide",
    UnknownRegister => "unknown-register",
    RegisterWidth => "register-width",
    MemoryOutOfBounds => "memory-out-of-bounds",
    NoMemory => "no-memory",
    CalldataOutOfRange => "calldata-out-of-range",
    ReturndataTooLarge => "returndata-too-large",
    TooManyLogs => "too-many-logs",
    LogTooLarge => "log-too-large",
    TooManyDirtyPages => "too-many-dirty-pages",
    SliceKind => "slice-kind",
    UnknownCollection => "unknown-collection",
    CollectionShape => "collection-shape",
    CollectionValueKind => "collection-value-kind",
    CollectionOperation => "collection-operation",
    CollectionIndex => "collection-index",
    CollectionValueTooLarge => "collection-value-too-large",
    CollectionDepth => "collection-depth",
    TooManyCollections => "too-many-collections",
    TooManyEvents => "too-many-events",
    EventTopics => "event-topics",
    EventTooLarge => "event-too-large",
    EventExpiry => "event-expiry",
    CallInput => "call-input",
    TooManyCalls => "too-many-calls",
});
