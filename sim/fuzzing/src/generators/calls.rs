//! Calls to a module's exports: mostly with arguments of the right types, sometimes not.

use arbitrary::{Result, Unstructured};
use svm::{Value, ValueType};
use wasmparser::{CompositeInnerType, ExternalKind, Parser, Payload, TypeRef, ValType};

/// An exported function and its parameter types (`None` for a type SVM cannot pass).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ExportedFunction {
    /// The export name.
    pub name: String,
    /// Parameter types.
    pub params: Vec<Option<ValueType>>,
}

/// One execution to try.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CallPlan {
    /// The export to call.
    pub function: String,
    /// Arguments.
    pub args: Vec<Value>,
    /// Gas limit.
    pub gas: u64,
    /// Gas price.
    pub gas_price: u64,
    /// Value moved.
    pub value: u64,
    /// Calldata.
    pub calldata: Vec<u8>,
}

/// A gas price: mostly small, sometimes zero, now and then one no sender can pay or that overflows.
pub fn gas_price(u: &mut Unstructured<'_>) -> Result<u64> {
    Ok(match u.int_in_range(0..=15)? {
        0 => 0,
        1 => u.int_in_range(1_000_000..=u64::MAX)?,
        _ => u.int_in_range(1..=10)?,
    })
}

/// A value of type `ty`; floats as bit patterns, NaNs with payloads and infinities among them.
pub fn value(u: &mut Unstructured<'_>, ty: ValueType) -> Result<Value> {
    Ok(match ty {
        ValueType::I32 => Value::I32(u.arbitrary()?),
        ValueType::I64 => Value::I64(u.arbitrary()?),
        ValueType::F32 => Value::F32(match u.int_in_range(0..=7)? {
            0 => 0x7FC0_0000 | u.int_in_range(0..=0x3F_FFFF)?,
            1 => f32::INFINITY.to_bits(),
            _ => u.arbitrary()?,
        }),
        ValueType::F64 => Value::F64(match u.int_in_range(0..=7)? {
            0 => 0x7FF8_0000_0000_0000 | u.int_in_range(0..=0x7_FFFF_FFFF_FFFF)?,
            1 => f64::NEG_INFINITY.to_bits(),
            _ => u.arbitrary()?,
        }),
    })
}

/// The exported functions of `wasm` (empty if it does not parse).
pub fn exported_functions(wasm: &[u8]) -> Vec<ExportedFunction> {
    let mut types: Vec<Vec<Option<ValueType>>> = Vec::new();
    let mut functions: Vec<u32> = Vec::new();
    let mut exports = Vec::new();
    for payload in Parser::new(0).parse_all(wasm) {
        match payload {
            Ok(Payload::TypeSection(reader)) => {
                for group in reader.into_iter().flatten() {
                    for sub in group.types() {
                        let params = match &sub.composite_type.inner {
                            CompositeInnerType::Func(f) => f
                                .params()
                                .iter()
                                .map(|t| match t {
                                    ValType::I32 => Some(ValueType::I32),
                                    ValType::I64 => Some(ValueType::I64),
                                    ValType::F32 => Some(ValueType::F32),
                                    ValType::F64 => Some(ValueType::F64),
                                    _ => None,
                                })
                                .collect(),
                            _ => vec![None],
                        };
                        types.push(params);
                    }
                }
            }
            Ok(Payload::ImportSection(reader)) => {
                for import in reader.into_imports().flatten() {
                    if let TypeRef::Func(t) = import.ty {
                        functions.push(t);
                    }
                }
            }
            Ok(Payload::FunctionSection(reader)) => functions.extend(reader.into_iter().flatten()),
            Ok(Payload::ExportSection(reader)) => {
                for export in reader.into_iter().flatten() {
                    if export.kind == ExternalKind::Func {
                        exports.push((export.name.to_string(), export.index));
                    }
                }
            }
            Err(_) => return Vec::new(),
            _ => {}
        }
    }
    exports
        .into_iter()
        .filter_map(|(name, index)| {
            let ty = functions.get(index as usize)?;
            Some(ExportedFunction { name, params: types.get(*ty as usize)?.clone() })
        })
        .collect()
}

/// Up to `max` calls to `exports`.
pub fn calls(u: &mut Unstructured<'_>, exports: &[ExportedFunction], max: usize) -> Result<Vec<CallPlan>> {
    let mut plans = Vec::new();
    let count = u.int_in_range(1..=max.max(1))?;
    for _ in 0..count {
        if u.is_empty() {
            break;
        }
        let (function, params) = match exports.len() {
            0 => ("missing".to_string(), Vec::new()),
            n => {
                let f = &exports[u.int_in_range(0..=n - 1)?];
                // One call in sixteen asks for a function that is not there.
                if u.ratio(1, 16)? {
                    ("not_exported".to_string(), Vec::new())
                } else {
                    (f.name.clone(), f.params.clone())
                }
            }
        };
        let mut args = Vec::new();
        for param in &params {
            let ty = match param {
                Some(ty) if !u.ratio(1, 32)? => *ty,
                _ => *u.choose(&[ValueType::I32, ValueType::I64, ValueType::F32, ValueType::F64])?,
            };
            args.push(value(u, ty)?);
        }
        let gas = match u.int_in_range(0..=3)? {
            0 => u.int_in_range(0..=40_000)?,
            1 => u.int_in_range(40_000..=400_000)?,
            _ => 5_000_000,
        };
        let gas_price = gas_price(u)?;
        let value = if u.ratio(1, 8)? { u.int_in_range(0..=2_000)? } else { 0 };
        let len = u.int_in_range(0..=64)?;
        let calldata = u.bytes(len)?.to_vec();
        plans.push(CallPlan { function, args, gas, gas_price, value, calldata });
    }
    Ok(plans)
}
