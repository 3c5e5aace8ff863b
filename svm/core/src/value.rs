//! Typed WebAssembly values passed to and returned from contract functions.

/// A function argument or return value. Only integer types exist: floats are rejected at deploy.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Value {
    /// A 32-bit integer.
    I32(i32),
    /// A 64-bit integer.
    I64(i64),
}

/// The type of a [`Value`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ValueType {
    /// `i32`.
    I32,
    /// `i64`.
    I64,
}

impl Value {
    /// The value's type.
    pub fn ty(&self) -> ValueType {
        match self {
            Value::I32(_) => ValueType::I32,
            Value::I64(_) => ValueType::I64,
        }
    }
}

impl ValueType {
    /// The WebAssembly binary encoding of the type (`0x7F` for i32, `0x7E` for i64).
    pub fn code(self) -> u8 {
        match self {
            ValueType::I32 => 0x7F,
            ValueType::I64 => 0x7E,
        }
    }

    /// The type with WebAssembly binary encoding `code`, if it is one SVM supports.
    pub fn from_code(code: u8) -> Option<ValueType> {
        match code {
            0x7F => Some(ValueType::I32),
            0x7E => Some(ValueType::I64),
            _ => None,
        }
    }
}
