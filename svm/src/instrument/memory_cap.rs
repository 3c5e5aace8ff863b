//! Caps every memory's maximum at the VM's limit, so `memory.grow` past it returns -1 on every engine.

use wasmer::LocalFunctionIndex;
use wasmer::sys::{FunctionMiddleware, MiddlewareError, ModuleMiddleware};
use wasmer_types::{ModuleInfo, Pages};

/// Sets each memory's maximum to the smaller of its declared maximum and the cap.
#[derive(Debug)]
pub struct MemoryCap {
    max_pages: u32,
}

impl MemoryCap {
    /// A cap of `max_pages` 64 KiB pages.
    pub fn new(max_pages: u32) -> MemoryCap {
        MemoryCap { max_pages }
    }
}

#[derive(Debug)]
struct PassThrough;

impl FunctionMiddleware<'_> for PassThrough {}

impl ModuleMiddleware for MemoryCap {
    fn generate_function_middleware<'a>(&self, _: LocalFunctionIndex) -> Box<dyn FunctionMiddleware<'a> + 'a> {
        Box::new(PassThrough)
    }

    fn transform_module_info(&self, module_info: &mut ModuleInfo) -> Result<(), MiddlewareError> {
        for (_, memory) in module_info.memories.iter_mut() {
            let cap = Pages(self.max_pages);
            memory.maximum = Some(memory.maximum.map_or(cap, |declared| declared.min(cap)));
        }
        Ok(())
    }
}
