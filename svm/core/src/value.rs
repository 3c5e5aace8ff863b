//! Typed WebAssembly values passed to and returned from contract functions.

/// A function argument or return value. Floats are carried as their exact bit patterns, so that every
/// NaN payload is a value of its own (and values compare and hash bit for bit); they exist only under
/// the `canonicalized` float rule.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Value {
    /// A 32-bit integer.
    I32(i32),
    /// A 64-bit integer.
    I64(i64),
    /// A 32-bit float, by its IEEE 754 bits.
    F32(u32),
    /// A 64-bit float, by its IEEE 754 bits.
    F64(u64),
}

/// The type of a [`Value`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum ValueType {
    /// `i32`.
    I32,
    /// `i64`.
    I64,
    /// `f32`.
    F32,
    /// `f64`.
    F64,
}

impl Value {
    /// The value's type.
    pub fn ty(&self) -> ValueType {
        match self {
            Value::I32(_) => ValueType::I32,
            Value::I64(_) => ValueType::I64,
            Value::F32(_) => ValueType::F32,
            Value::F64(_) => ValueType::F64,
        }
    }
}

impl ValueType {
    /// The WebAssembly binary encoding of the type (`0x7F` i32, `0x7E` i64, `0x7D` f32, `0x7C` f64).
    pub fn code(self) -> u8 {
        match self {
            ValueType::I32 => 0x7F,
            ValueType::I64 => 0x7E,
            ValueType::F32 => 0x7D,
            ValueType::F64 => 0x7C,
        }
    }

    /// The type with WebAssembly binary encoding `code`, if it is one SVM supports.
    pub fn from_code(code: u8) -> Option<ValueType> {
        match code {
            0x7F => Some(ValueType::I32),
            0x7E => Some(ValueType::I64),
            0x7D => Some(ValueType::F32),
            0x7C => Some(ValueType::F64),
            _ => None,
        }
    }

    /// The type's name in WebAssembly text.
    pub fn name(self) -> &'static str {
        match self {
            ValueType::I32 => "i32",
            ValueType::I64 => "i64",
            ValueType::F32 => "f32",
            ValueType::F64 => "f64",
        }
    }

    /// Whether it is a float type.
    pub fn is_float(self) -> bool {
        matches!(self, ValueType::F32 | ValueType::F64)
    }
}
