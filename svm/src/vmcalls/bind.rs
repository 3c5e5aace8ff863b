//! Binds the vmcalls a module imports to this execution's environment.

use super::env::ExecutionEnv;
use super::registry::{NAMESPACE, VMCALLS, VmcallSpec, vmcall};
use super::{calldata, calls, collections, context, events, log, registers, storage};
use wasmer::{AsStoreMut, Extern, Function, FunctionEnv, FunctionEnvMut as E, Module};

type Env<'a> = E<'a, ExecutionEnv>;

/// The externs for `module`'s imports, in its import order: exactly the vmcalls it imports. `Err` names an import that is not a
/// vmcall (deploy validation makes that impossible for stored contracts).
pub fn imports_for(
    module: &Module,
    store: &mut impl AsStoreMut,
    env: &FunctionEnv<ExecutionEnv>,
) -> Result<Vec<Extern>, String> {
    module
        .imports()
        .map(|import| {
            vmcall(import.name())
                .filter(|_| import.module() == NAMESPACE)
                .and_then(|spec| function(store, env, spec))
                .map(Extern::Function)
                .ok_or_else(|| format!("import {}.{} is not a vmcall", import.module(), import.name()))
        })
        .collect()
}

/// The host function implementing `spec`, if one exists.
pub fn function(
    store: &mut impl AsStoreMut,
    env: &FunctionEnv<ExecutionEnv>,
    spec: &'static VmcallSpec,
) -> Option<Function> {
    let s = spec;
    Some(match spec.name {
        "storage_read_to_mem" => {
            Function::new_typed_with_env(store, env, move |mut e: Env<'_>, a: i32, b: i32, c: i32, d: i32| {
                storage::read_to_mem(&mut e, s, a, b, c, d)
            })
        }
        "storage_write_from_mem" => {
            Function::new_typed_with_env(store, env, move |mut e: Env<'_>, a: i32, b: i32, c: i32, d: i32| {
                storage::write_from_mem(&mut e, s, a, b, c, d)
            })
        }
        "storage_read_to_reg" => {
            Function::new_typed_with_env(store, env, move |mut e: Env<'_>, a: i32, b: i32, c: i32, d: i32, f: i32| {
                storage::read_to_reg(&mut e, s, a, b, c, d, f)
            })
        }
        "storage_write_from_reg" => {
            Function::new_typed_with_env(store, env, move |mut e: Env<'_>, a: i32, b: i32, c: i32, d: i32, f: i32| {
                storage::write_from_reg(&mut e, s, a, b, c, d, f)
            })
        }
        "storage_read_i32" => {
            Function::new_typed_with_env(store, env, move |mut e: Env<'_>, a: i32| storage::read_i32(&mut e, s, a))
        }
        "storage_read_i64" => {
            Function::new_typed_with_env(store, env, move |mut e: Env<'_>, a: i32| storage::read_i64(&mut e, s, a))
        }
        "storage_write_i32" => Function::new_typed_with_env(store, env, move |mut e: Env<'_>, a: i32, b: i32| {
            storage::write_i32(&mut e, s, a, b)
        }),
        "storage_write_i64" => Function::new_typed_with_env(store, env, move |mut e: Env<'_>, a: i32, b: i64| {
            storage::write_i64(&mut e, s, a, b)
        }),
        "storage_slice_len" => {
            Function::new_typed_with_env(store, env, move |mut e: Env<'_>, a: i32| storage::slice_len(&mut e, s, a))
        }
        "reg_set_from_mem" => {
            Function::new_typed_with_env(store, env, move |mut e: Env<'_>, a: i32, b: i32, c: i32| {
                registers::set_from_mem(&mut e, s, a, b, c)
            })
        }
        "reg_get_to_mem" => Function::new_typed_with_env(store, env, move |mut e: Env<'_>, a: i32, b: i32, c: i32| {
            registers::get_to_mem(&mut e, s, a, b, c)
        }),
        "reg_set_i64" => Function::new_typed_with_env(store, env, move |mut e: Env<'_>, a: i32, b: i32, c: i64| {
            registers::set_i64(&mut e, s, a, b, c)
        }),
        "reg_get_i64" => Function::new_typed_with_env(store, env, move |mut e: Env<'_>, a: i32, b: i32| {
            registers::get_i64(&mut e, s, a, b)
        }),
        "reg_copy" => Function::new_typed_with_env(store, env, move |mut e: Env<'_>, a: i32, b: i32, c: i32| {
            registers::copy(&mut e, s, a, b, c)
        }),
        "reg_cmp" => Function::new_typed_with_env(store, env, move |mut e: Env<'_>, a: i32, b: i32, c: i32| {
            registers::cmp(&mut e, s, a, b, c)
        }),
        "calldata_len" => Function::new_typed_with_env(store, env, move |mut e: Env<'_>| calldata::len(&mut e, s)),
        "calldata_copy" => Function::new_typed_with_env(store, env, move |mut e: Env<'_>, a: i32, b: i32, c: i32| {
            calldata::copy(&mut e, s, a, b, c)
        }),
        "returndata_set" => Function::new_typed_with_env(store, env, move |mut e: Env<'_>, a: i32, b: i32| {
            calldata::set(&mut e, s, a, b)
        }),
        "host_sender_to_reg" => {
            Function::new_typed_with_env(store, env, move |mut e: Env<'_>, a: i32| context::sender_to_reg(&mut e, s, a))
        }
        "host_contract_to_reg" => Function::new_typed_with_env(store, env, move |mut e: Env<'_>, a: i32| {
            context::contract_to_reg(&mut e, s, a)
        }),
        "host_layer" => Function::new_typed_with_env(store, env, move |mut e: Env<'_>| context::layer(&mut e, s)),
        "host_value" => Function::new_typed_with_env(store, env, move |mut e: Env<'_>| context::value(&mut e, s)),
        "get_balance_from_reg" => Function::new_typed_with_env(store, env, move |mut e: Env<'_>, a: i32, b: i32| {
            context::balance_from_reg(&mut e, s, a, b)
        }),
        "log" => {
            Function::new_typed_with_env(store, env, move |mut e: Env<'_>, a: i32, b: i32| log::log(&mut e, s, a, b))
        }
        "contract_call" => Function::new_typed_with_env(
            store,
            env,
            move |mut e: Env<'_>, a: i32, b: i32, c: i32, d: i32, f: i32, g: i32, h: i32, v: i64, gas: i64| {
                calls::contract_call(&mut e, s, a, b, c, d, f, g, h, v, gas)
            },
        ),
        "call_result" => Function::new_typed_with_env(store, env, move |mut e: Env<'_>, a: i32, b: i32, c: i32| {
            calls::call_result(&mut e, s, a, b, c)
        }),
        "event_emit" => {
            Function::new_typed_with_env(store, env, move |mut e: Env<'_>, a: i32, b: i32, c: i32, d: i32, f: i32| {
                events::emit(&mut e, s, a, b, c, d, f)
            })
        }
        "collection_open" => {
            Function::new_typed_with_env(store, env, move |mut e: Env<'_>, a: i32, b: i32, c: i32, d: i32| {
                collections::open(&mut e, s, a, b, c, d)
            })
        }
        "collection_open_nested" => {
            Function::new_typed_with_env(store, env, move |mut e: Env<'_>, a: i32, b: i32, c: i32, d: i32, f: i32| {
                collections::open_nested(&mut e, s, a, b, c, d, f)
            })
        }
        "collection_get" => {
            Function::new_typed_with_env(store, env, move |mut e: Env<'_>, a: i32, b: i32, c: i32, d: i32| {
                collections::get(&mut e, s, a, b, c, d)
            })
        }
        "collection_insert" => {
            Function::new_typed_with_env(store, env, move |mut e: Env<'_>, a: i32, b: i32, c: i32, d: i32| {
                collections::insert(&mut e, s, a, b, c, d)
            })
        }
        "collection_remove" => Function::new_typed_with_env(store, env, move |mut e: Env<'_>, a: i32, b: i32| {
            collections::remove(&mut e, s, a, b)
        }),
        "collection_push" => Function::new_typed_with_env(store, env, move |mut e: Env<'_>, a: i32, b: i32, c: i32| {
            collections::push(&mut e, s, a, b, c)
        }),
        "collection_pop" => Function::new_typed_with_env(store, env, move |mut e: Env<'_>, a: i32, b: i32, c: i32| {
            collections::pop(&mut e, s, a, b, c)
        }),
        "collection_len" => {
            Function::new_typed_with_env(store, env, move |mut e: Env<'_>, a: i32| collections::len(&mut e, s, a))
        }
        "collection_next" => {
            Function::new_typed_with_env(store, env, move |mut e: Env<'_>, a: i32, b: i32, c: i32, d: i32| {
                collections::next(&mut e, s, a, b, c, d)
            })
        }
        _ => return None,
    })
}

/// Every vmcall of the registry, bound (for tests that check signatures against the registry).
pub fn all(
    store: &mut impl AsStoreMut,
    env: &FunctionEnv<ExecutionEnv>,
) -> Vec<(&'static VmcallSpec, Option<Function>)> {
    VMCALLS.iter().map(|spec| (spec, function(store, env, spec))).collect()
}
