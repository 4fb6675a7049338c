//! gather and scatter_add along one dim, for contiguous operands whose index has the source's
//! shape except along that dim: the source is `[outer, n, inner]`, the index and the values
//! `[outer, m, inner]`. Indices are checked as they are read: a kernel returns the position of
//! the first index outside `[0, n)`, or `OK` (on an error its writes are to be discarded).

use crate::mem::{view, view_mut};
use core::ops::AddAssign;

/// Returned when every index was in range.
pub const OK: u32 = u32::MAX;

/// Calls `f(position in the index, position in the source)` for every index entry, in order;
/// stops at the first out-of-range index and returns its position.
fn for_each_index(idx: &[i64], n: usize, m: usize, inner: usize, mut f: impl FnMut(usize, usize)) -> u32 {
    if m * inner == 0 {
        return OK;
    }
    for o in 0..idx.len() / (m * inner) {
        for k in 0..m {
            let row = (o * m + k) * inner;
            for j in 0..inner {
                let i = idx[row + j];
                if i < 0 || i as u64 >= n as u64 {
                    return (row + j) as u32;
                }
                f(row + j, (o * n + i as usize) * inner + j);
            }
        }
    }
    OK
}

/// out[o, k, j] = src[o, idx[o, k, j], j].
pub fn gather<T: Copy>(src: &[T], idx: &[i64], out: &mut [T], n: usize, m: usize, inner: usize) -> u32 {
    for_each_index(idx, n, m, inner, |at, from| out[at] = src[from])
}

/// dst[o, idx[o, k, j], j] += src[o, k, j].
pub fn scatter_add<T: Copy + AddAssign>(dst: &mut [T], idx: &[i64], src: &[T], n: usize, m: usize, inner: usize) -> u32 {
    for_each_index(idx, n, m, inner, |at, to| dst[to] += src[at])
}

macro_rules! gather_exports {
    ($( $name:ident : $t:ty ;)*) => {
        $(
            /// # Safety
            /// `src` holds `outer*n*inner` elements, `idx` and `out` `outer*m*inner`; disjoint.
            #[no_mangle]
            pub unsafe extern "C" fn $name(src: *const $t, idx: *const i64, out: *mut $t, outer: usize, n: usize, m: usize, inner: usize) -> u32 {
                let len = outer * m * inner;
                gather(view(src, outer * n * inner), view(idx, len), view_mut(out, len), n, m, inner)
            }
        )*
    };
}

gather_exports! {
    gather_32: u32;
    gather_64: u64;
}

macro_rules! scatter_add_exports {
    ($( $name:ident : $t:ty ;)*) => {
        $(
            /// # Safety
            /// `dst` holds `outer*n*inner` elements, `idx` and `src` `outer*m*inner`; disjoint.
            #[no_mangle]
            pub unsafe extern "C" fn $name(dst: *mut $t, idx: *const i64, src: *const $t, outer: usize, n: usize, m: usize, inner: usize) -> u32 {
                let len = outer * m * inner;
                scatter_add(view_mut(dst, outer * n * inner), view(idx, len), view(src, len), n, m, inner)
            }
        )*
    };
}

scatter_add_exports! {
    scatter_add_f32: f32;
    scatter_add_f64: f64;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gather_and_scatter_add_follow_the_definition_along_a_middle_dim() {
        // source [2, 3, 2], index [2, 2, 2]
        let src: Vec<f32> = (0..12).map(|v| v as f32).collect();
        let idx = [2, 0, 1, 1, 0, 2, 2, 2];
        let mut out = vec![0.0; 8];
        assert_eq!(gather(&src, &idx, &mut out, 3, 2, 2), OK);
        let want: Vec<f32> = (0..8).map(|at| src[(at / 4 * 3 + idx[at] as usize) * 2 + at % 2]).collect();
        assert_eq!(out, want);
        let mut dst = vec![0.0f32; 12];
        assert_eq!(scatter_add(&mut dst, &idx, &[1.0; 8], 3, 2, 2), OK);
        // block 1, row 2, column 1 is named twice and accumulates
        assert_eq!(dst, [0., 1., 1., 1., 1., 0., 1., 0., 0., 0., 1., 2.]);
    }

    #[test]
    fn the_first_bad_index_is_reported() {
        let mut out = [0u32; 4];
        assert_eq!(gather(&[1, 2, 3], &[0, 2, 3, -1], &mut out, 3, 4, 1), 2);
        let mut dst = [0.0f64; 3];
        assert_eq!(scatter_add(&mut dst, &[1, -1], &[1.0, 1.0], 3, 2, 1), 1);
    }
}
