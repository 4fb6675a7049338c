//! Strided copies by element size: `contiguous()`, materialising broadcasts, `cat`, and
//! writes into views (slice assignment) all reduce to "walk two stride patterns".
//! The metadata block holds `shape[ndim]`, `src_strides[ndim]`, `dst_strides[ndim]`.

use crate::binary::for_each_row;
use crate::mem::{extent, meta, view, view_mut};

pub fn copy_strided<T: Copy>(src: &[T], dst: &mut [T], shape: &[usize], ss: &[usize], ds: &[usize]) {
    let nd = shape.len();
    let inner = if nd == 0 { 1 } else { shape[nd - 1] };
    let (is, id) = if nd == 0 { (0, 0) } else { (ss[nd - 1], ds[nd - 1]) };
    for_each_row(shape, [ss, ds], |_, [os, od]| {
        if is == 1 && id == 1 {
            dst[od..od + inner].copy_from_slice(&src[os..os + inner]);
        } else {
            for j in 0..inner {
                dst[od + j * id] = src[os + j * is];
            }
        }
    });
}

macro_rules! copy_exports {
    ($( $name:ident : $t:ty ;)*) => {
        $(
            /// # Safety
            /// `src` and `dst` span the layout in `m` and do not overlap.
            #[no_mangle]
            pub unsafe extern "C" fn $name(src: *const $t, dst: *mut $t, m: *const usize, nd: usize) {
                let v = meta(m, 3 * nd);
                let (shape, ss, ds) = (&v[..nd], &v[nd..2 * nd], &v[2 * nd..]);
                copy_strided(view(src, extent(shape, ss)), view_mut(dst, extent(shape, ds)), shape, ss, ds);
            }
        )*
    };
}

copy_exports! {
    copy_strided_8: u8;
    copy_strided_16: u16;
    copy_strided_32: u32;
    copy_strided_64: u64;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn transposed_copy_matches_index_formula() {
        let (r, c) = (5, 7);
        let src: Vec<u32> = (0..r * c).map(|i| i as u32).collect();
        let mut dst = vec![0u32; r * c];
        // dst[j][i] = src[i][j]: walk src's shape (r, c) writing with dst strides (1, r).
        copy_strided(&src, &mut dst, &[r, c], &[c as usize, 1], &[1, r as usize]);
        for i in 0..r {
            for j in 0..c {
                assert_eq!(dst[j * r + i], src[i * c + j]);
            }
        }
    }

    #[test]
    fn broadcast_source_repeats() {
        let src = [1u8, 2, 3];
        let mut dst = [0u8; 6];
        copy_strided(&src, &mut dst, &[2, 3], &[0, 1], &[3, 1]);
        assert_eq!(dst, [1, 2, 3, 1, 2, 3]);
    }
}

/// out[o, k, :] = src[o, idx[k], :] over a contiguous `[outer, n, inner]` source.
/// Indices are checked by the caller.
pub fn index_select<T: Copy>(src: &[T], idx: &[i64], out: &mut [T], n: usize, inner: usize) {
    let outer = if n * inner == 0 { 0 } else { src.len() / (n * inner) };
    let m = idx.len();
    for o in 0..outer {
        for (k, &i) in idx.iter().enumerate() {
            let from = (o * n + i as usize) * inner;
            let to = (o * m + k) * inner;
            out[to..to + inner].copy_from_slice(&src[from..from + inner]);
        }
    }
}

/// dst[o, idx[k], :] += src[o, k, :] (repeated indices accumulate), dst contiguous `[outer, n, inner]`.
pub fn index_add(dst: &mut [f32], idx: &[i64], src: &[f32], n: usize, inner: usize) {
    let m = idx.len();
    let outer = if m * inner == 0 { 0 } else { src.len() / (m * inner) };
    for o in 0..outer {
        for (k, &i) in idx.iter().enumerate() {
            let to = (o * n + i as usize) * inner;
            let from = (o * m + k) * inner;
            for j in 0..inner {
                dst[to + j] += src[from + j];
            }
        }
    }
}

macro_rules! index_select_exports {
    ($( $name:ident : $t:ty ;)*) => {
        $(
            /// # Safety
            /// `src` holds `outer*n*inner` elements, `idx` `m` in-range i64, `out` `outer*m*inner`.
            #[no_mangle]
            pub unsafe extern "C" fn $name(src: *const $t, idx: *const i64, out: *mut $t, outer: usize, n: usize, m: usize, inner: usize) {
                index_select(view(src, outer * n * inner), view(idx, m), view_mut(out, outer * m * inner), n, inner);
            }
        )*
    };
}

index_select_exports! {
    index_select_8: u8;
    index_select_16: u16;
    index_select_32: u32;
    index_select_64: u64;
}

/// # Safety
/// `dst` holds `outer*n*inner` f32, `idx` `m` in-range i64, `src` `outer*m*inner` f32; disjoint.
#[no_mangle]
pub unsafe extern "C" fn index_add_f32(dst: *mut f32, idx: *const i64, src: *const f32, outer: usize, n: usize, m: usize, inner: usize) {
    index_add(view_mut(dst, outer * n * inner), view(idx, m), view(src, outer * m * inner), n, inner);
}

#[cfg(test)]
mod index_tests {
    use super::*;

    #[test]
    fn select_then_add_round_trips_rows_and_accumulates_repeats() {
        let src: Vec<u32> = (0..12).collect(); // [1, 4, 3]
        let mut out = vec![0u32; 9];
        index_select(&src, &[3, 0, 3], &mut out, 4, 3);
        assert_eq!(out, vec![9, 10, 11, 0, 1, 2, 9, 10, 11]);
        let mut dst = vec![0.0f32; 12];
        let rows: Vec<f32> = out.iter().map(|&v| v as f32).collect();
        index_add(&mut dst, &[3, 0, 3], &rows, 4, 3);
        assert_eq!(&dst[9..], &[18.0, 20.0, 22.0]);
        assert_eq!(&dst[..3], &[0.0, 1.0, 2.0]);
    }
}
