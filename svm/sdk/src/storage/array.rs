//! Fixed-length arrays of storage variables: one run of consecutive slices.

use super::Var;
use crate::abort::OrAbort;
use core::marker::PhantomData;

/// `N` variables of type `T` on consecutive slices: element `i` starts at slice `first + i × T::SLICES`.
pub struct Array<T, const N: usize> {
    first: u32,
    element: PhantomData<T>,
}

impl<T, const N: usize> Array<T, N> {
    /// The array whose first element starts at slice `first`.
    pub const fn new(first: u32) -> Array<T, N> {
        Array { first, element: PhantomData }
    }

    /// The number of elements.
    pub const fn len(&self) -> u32 {
        N as u32
    }

    /// Whether the array has no elements.
    pub const fn is_empty(&self) -> bool {
        N == 0
    }
}

impl<T: Var, const N: usize> Array<T, N> {
    /// Element `index`, or `None` past the end.
    pub fn get(&self, index: u32) -> Option<T> {
        if (index as usize) < N {
            Some(T::from_first_slice(self.first + index * T::SLICES))
        } else {
            None
        }
    }

    /// Element `index`; aborts past the end.
    pub fn at(&self, index: u32) -> T {
        self.get(index).or_abort()
    }
}

impl<T, const N: usize> Clone for Array<T, N> {
    fn clone(&self) -> Array<T, N> {
        *self
    }
}

impl<T, const N: usize> Copy for Array<T, N> {}

impl<T: Var, const N: usize> Var for Array<T, N> {
    const SLICE_LEN: u32 = T::SLICE_LEN;
    const SLICES: u32 = N as u32 * T::SLICES;
    fn from_first_slice(first: u32) -> Array<T, N> {
        Array::new(first)
    }
}
