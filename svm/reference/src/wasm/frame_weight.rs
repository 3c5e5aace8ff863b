//! Frame weights (docs/consensus.md, *Frame weight* and *The stack budget*).
//!
//! w(f) = 8 + P + L + D, where P is the number of parameters, L the number of declared locals and D
//! the deepest operand stack of the body: the greatest length of the spec validation algorithm's
//! `vals` stack, measured after each operator (the final `end` included). `vals` holds the operands
//! of every enclosing block of the function; `unreachable`, `br`, `br_table` and `return` truncate
//! it to the current control frame's height and make that frame's bottom polymorphic: operands
//! pushed afterwards count, operands popped from the polymorphic bottom do not lower it.
//!
//! [`OperandHeights`] is that algorithm with only the lengths kept (types were checked at deploy).
//! The compiler drives it operator by operator and reads from it the heights its branches need.

use svm_core::limits::FRAME_OVERHEAD_SLOTS;

/// The weight of a frame with `params` parameters, `locals` declared locals and deepest operand
/// stack `max_height`, saturating (a weight past the budget is refused at every entry anyway).
pub(crate) fn frame_weight(params: u64, locals: u64, max_height: u64) -> u64 {
    u64::from(FRAME_OVERHEAD_SLOTS).saturating_add(params).saturating_add(locals).saturating_add(max_height)
}

/// One control frame of the validation algorithm: the height of `vals` when it was entered (its
/// parameters already popped), and whether the rest of it is unreachable.
#[derive(Clone, Copy, Debug)]
struct ControlHeight {
    height: u32,
    unreachable: bool,
}

/// The lengths of the validation algorithm's `vals` and `ctrls` stacks, and the greatest `vals`
/// length observed so far.
#[derive(Debug)]
pub(crate) struct OperandHeights {
    height: u32,
    frames: Vec<ControlHeight>,
    max: u32,
}

/// The operator sequence was not valid: deploy validation should have refused it.
#[derive(Debug)]
pub(crate) struct Invalid(pub &'static str);

impl OperandHeights {
    /// The state at the start of a body: an empty `vals` and the function's own frame.
    pub fn new() -> OperandHeights {
        OperandHeights { height: 0, frames: vec![ControlHeight { height: 0, unreachable: false }], max: 0 }
    }

    /// The current `vals` length.
    #[cfg(test)]
    pub fn height(&self) -> u32 {
        self.height
    }

    /// The greatest `vals` length observed by [`OperandHeights::observe`]: D.
    pub fn max(&self) -> u32 {
        self.max
    }

    /// The entry height of the frame `relative` levels out from the innermost (0).
    pub fn frame_height(&self, relative: u32) -> Result<u32, Invalid> {
        let index = self
            .frames
            .len()
            .checked_sub(1)
            .and_then(|top| top.checked_sub(relative as usize))
            .ok_or(Invalid("branch depth beyond the function's frames"))?;
        Ok(self.frames[index].height)
    }

    /// Records the current length: called after each operator.
    pub fn observe(&mut self) {
        self.max = self.max.max(self.height);
    }

    /// `push_vals` of `n` values.
    pub fn push(&mut self, n: u32) -> Result<(), Invalid> {
        self.height = self.height.checked_add(n).ok_or(Invalid("operand stack height overflows"))?;
        Ok(())
    }

    /// `pop_vals` of `n` values: each pop at the innermost frame's height succeeds without
    /// lowering it when the frame is unreachable (the polymorphic bottom), and is invalid otherwise.
    pub fn pop(&mut self, n: u32) -> Result<(), Invalid> {
        let frame = *self.frames.last().ok_or(Invalid("operator after the final end"))?;
        let available = self.height - frame.height;
        if n <= available {
            self.height -= n;
        } else if frame.unreachable {
            self.height = frame.height;
        } else {
            return Err(Invalid("operand stack underflow"));
        }
        Ok(())
    }

    /// `push_ctrl` of a block, loop or if whose parameters are already popped, then `push_vals`
    /// of the parameters.
    pub fn enter(&mut self, params: u32) -> Result<(), Invalid> {
        self.frames.push(ControlHeight { height: self.height, unreachable: false });
        self.push(params)
    }

    /// `pop_ctrl`: pops the frame's `results` and checks that nothing else is left above its
    /// height. Returns the frame's entry height.
    pub fn leave(&mut self, results: u32) -> Result<u32, Invalid> {
        self.pop(results)?;
        let frame = self.frames.pop().ok_or(Invalid("end without a frame"))?;
        if self.height != frame.height {
            return Err(Invalid("values left on the stack at end"));
        }
        Ok(frame.height)
    }

    /// `unreachable()`: truncates `vals` to the innermost frame's height and makes its bottom
    /// polymorphic.
    pub fn unreachable(&mut self) -> Result<(), Invalid> {
        let frame = self.frames.last_mut().ok_or(Invalid("operator after the final end"))?;
        frame.unreachable = true;
        self.height = frame.height;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pops_from_the_polymorphic_bottom_do_not_lower_the_height() {
        let mut h = OperandHeights::new();
        h.push(2).unwrap();
        h.observe();
        h.unreachable().unwrap();
        assert_eq!(h.height(), 0);
        h.pop(2).unwrap(); // i32.add after unreachable
        h.push(1).unwrap();
        h.observe();
        assert_eq!((h.height(), h.max()), (1, 2));
        assert!(h.pop(3).is_ok());
        assert_eq!(h.height(), 0);
    }

    #[test]
    fn a_reachable_underflow_is_invalid() {
        let mut h = OperandHeights::new();
        h.push(1).unwrap();
        h.enter(0).unwrap();
        assert!(h.pop(1).is_err());
        assert_eq!(frame_weight(1, 2, 3), 14);
    }
}
