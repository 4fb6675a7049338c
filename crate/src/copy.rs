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
            pub unsafe extern "C" fn $name(src: *const $t, dst: *mut $t, m: *const i32, nd: usize) {
                let v = meta(m, 3 * nd);
                let (shape, ss, ds) = (&v[..nd], &v[nd..2 * nd], &v[2 * nd..]);
                copy_strided(view(src, extent(shape, ss)), view_mut(dst, extent(shape, ds)), shape, ss, ds);
            }
        )*
    };
}

copy_exports! {
    copy_strided_8: u8;
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
