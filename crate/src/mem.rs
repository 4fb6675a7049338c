//! The only place that turns raw pointers from JavaScript into slices. Every exported kernel
//! goes through these, so the kernels themselves are safe Rust over slices.

use std::alloc::{alloc, alloc_zeroed, dealloc, Layout};

const ALIGN: usize = 16;

/// Allocates `bytes` uninitialised bytes, 16-byte aligned, for outputs a kernel will
/// overwrite. Returns 0 when out of memory.
#[no_mangle]
pub extern "C" fn tm_alloc(bytes: usize) -> *mut u8 {
    match Layout::from_size_align(bytes.max(1), ALIGN) {
        // SAFETY: the layout has a non-zero size.
        Ok(layout) => unsafe { alloc(layout) },
        Err(_) => core::ptr::null_mut(),
    }
}

/// As `tm_alloc`, zero-filled.
#[no_mangle]
pub extern "C" fn tm_alloc_zeroed(bytes: usize) -> *mut u8 {
    match Layout::from_size_align(bytes.max(1), ALIGN) {
        // SAFETY: the layout has a non-zero size.
        Ok(layout) => unsafe { alloc_zeroed(layout) },
        Err(_) => core::ptr::null_mut(),
    }
}

/// Frees a block from `tm_alloc`; `bytes` must be the size it was allocated with.
///
/// # Safety
/// `ptr` must come from `tm_alloc(bytes)` and not have been freed.
#[no_mangle]
pub unsafe extern "C" fn tm_free(ptr: *mut u8, bytes: usize) {
    if let Ok(layout) = Layout::from_size_align(bytes.max(1), ALIGN) {
        dealloc(ptr, layout);
    }
}

/// # Safety
/// `p` must point to `n` readable values that stay valid and unwritten for `'a`.
pub unsafe fn view<'a, T>(p: *const T, n: usize) -> &'a [T] {
    if n == 0 {
        &[]
    } else {
        core::slice::from_raw_parts(p, n)
    }
}

/// # Safety
/// `p` must point to `n` writable values that nothing else reads or writes for `'a`.
pub unsafe fn view_mut<'a, T>(p: *mut T, n: usize) -> &'a mut [T] {
    if n == 0 {
        &mut []
    } else {
        core::slice::from_raw_parts_mut(p, n)
    }
}

/// An input that is either its own buffer or the output itself (an in-place op).
pub enum Src<'a, T> {
    Buf(&'a [T]),
    Out,
}

impl<'a, T> Src<'a, T> {
    /// # Safety
    /// Unless `p == out`, as for `view`.
    pub unsafe fn new(p: *const T, out: *const T, n: usize) -> Src<'a, T> {
        if p == out {
            Src::Out
        } else {
            Src::Buf(view(p, n))
        }
    }
}

/// The metadata block (shapes, strides) that the TS side writes before a call, as 32-bit
/// unsigned words: `usize` on wasm32, so it is read in place with no allocation per call.
///
/// # Safety
/// `p` must point to `n` readable usize that stay unwritten for `'a`.
pub unsafe fn meta<'a>(p: *const usize, n: usize) -> &'a [usize] {
    view(p, n)
}

/// Number of elements a strided operand spans: 1 + Σ (size - 1) * stride.
pub fn extent(shape: &[usize], strides: &[usize]) -> usize {
    if shape.iter().any(|&s| s == 0) {
        return 0;
    }
    1 + shape.iter().zip(strides).map(|(&s, &st)| (s - 1) * st).sum::<usize>()
}
