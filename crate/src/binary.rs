//! Elementwise f32 functions of two tensors with NumPy broadcasting, expressed as strides:
//! a broadcast dimension has stride 0. The output is contiguous; `a == out` is an in-place op.
//! The metadata block holds `shape[ndim]`, `a_strides[ndim]`, `b_strides[ndim]`.

use crate::mem::{extent, meta, view, view_mut, Src};
use crate::simd::V4;

/// Calls `row(out_offset, operand_offsets)` for every row of the innermost dimension,
/// walking `K` operands with their own strides.
pub fn for_each_row<const K: usize>(shape: &[usize], strides: [&[usize]; K], mut row: impl FnMut(usize, [usize; K])) {
    let nd = shape.len();
    if shape.iter().any(|&s| s == 0) {
        return;
    }
    let inner = if nd == 0 { 1 } else { shape[nd - 1] };
    let outer_dims = nd.saturating_sub(1);
    let rows: usize = shape[..outer_dims].iter().product();
    let mut idx = vec![0usize; outer_dims];
    let mut off = [0usize; K];
    for r in 0..rows {
        row(r * inner, off);
        for d in (0..outer_dims).rev() {
            idx[d] += 1;
            for k in 0..K {
                off[k] += strides[k][d];
            }
            if idx[d] < shape[d] {
                break;
            }
            for k in 0..K {
                off[k] -= strides[k][d] * shape[d];
            }
            idx[d] = 0;
        }
    }
}

/// The broadcast binary loop shared by every f32 → f32 op: SIMD along the innermost
/// dimension when it is contiguous or broadcast in either operand, the scalar twin otherwise.
pub fn binary(
    a: Src<f32>,
    b: &[f32],
    out: &mut [f32],
    shape: &[usize],
    sa: &[usize],
    sb: &[usize],
    lanes: impl Fn(V4, V4) -> V4,
    scalar: impl Fn(f32, f32) -> f32,
) {
    let nd = shape.len();
    let inner = if nd == 0 { 1 } else { shape[nd - 1] };
    let (ia, ib) = if nd == 0 { (0, 0) } else { (sa[nd - 1], sb[nd - 1]) };
    if nd == 1 && ia == 1 && ib == 1 {
        return zip_contiguous(a, &b[..inner], out, lanes, scalar);
    }
    let simd = (ia <= 1 && ib <= 1) && inner >= 4;
    for_each_row(shape, [sa, sb], |o, [oa, ob]| {
        let mut j = 0;
        if simd {
            while j + 4 <= inner {
                let va = match &a {
                    Src::Buf(buf) if ia == 1 => V4::load(&buf[oa + j..]),
                    Src::Buf(buf) => V4::splat(buf[oa]),
                    Src::Out => V4::load(&out[o + j..]),
                };
                let vb = if ib == 1 { V4::load(&b[ob + j..]) } else { V4::splat(b[ob]) };
                lanes(va, vb).store(&mut out[o + j..]);
                j += 4;
            }
        }
        while j < inner {
            let x = match &a {
                Src::Buf(buf) => buf[oa + j * ia],
                Src::Out => out[o + j],
            };
            out[o + j] = scalar(x, b[ob + j * ib]);
            j += 1;
        }
    });
}

/// Both operands contiguous and of the output's length: groups of eight vectors, no index
/// math. `a` may be the output itself (in-place), hence raw pointers, as in `unary::map_raw`.
fn zip_contiguous(a: Src<f32>, b: &[f32], out: &mut [f32], lanes: impl Fn(V4, V4) -> V4, scalar: impl Fn(f32, f32) -> f32) {
    let n = out.len();
    assert!(b.len() >= n);
    let wide = n - n % 32;
    let pa = match &a {
        Src::Buf(x) => {
            assert!(x.len() >= n);
            x.as_ptr()
        }
        Src::Out => out.as_ptr(),
    };
    let (pb, po) = (b.as_ptr(), out.as_mut_ptr());
    for i in (0..wide).step_by(32) {
        // SAFETY: all three hold `n >= i + 32` f32; `pb` never overlaps `po`.
        unsafe {
            let (pa, pb, po) = (pa.add(i), pb.add(i), po.add(i));
            let x: [V4; 8] = core::array::from_fn(|k| V4::read(pa.add(4 * k)));
            let y: [V4; 8] = core::array::from_fn(|k| V4::read(pb.add(4 * k)));
            for k in 0..8 {
                lanes(x[k], y[k]).write(po.add(4 * k));
            }
        }
    }
    for i in wide..n {
        let x = match &a {
            Src::Buf(x) => x[i],
            Src::Out => out[i],
        };
        out[i] = scalar(x, b[i]);
    }
}

/// The same loop for comparisons, which write bool bytes.
pub fn compare(a: &[f32], b: &[f32], out: &mut [u8], shape: &[usize], sa: &[usize], sb: &[usize], f: impl Fn(f32, f32) -> bool) {
    let nd = shape.len();
    let inner = if nd == 0 { 1 } else { shape[nd - 1] };
    let (ia, ib) = if nd == 0 { (0, 0) } else { (sa[nd - 1], sb[nd - 1]) };
    for_each_row(shape, [sa, sb], |o, [oa, ob]| {
        for j in 0..inner {
            out[o + j] = f(a[oa + j * ia], b[ob + j * ib]) as u8;
        }
    });
}

fn nan_min(x: f32, y: f32) -> f32 {
    if x.is_nan() || y.is_nan() {
        f32::NAN
    } else {
        x.min(y)
    }
}

fn nan_max(x: f32, y: f32) -> f32 {
    if x.is_nan() || y.is_nan() {
        f32::NAN
    } else {
        x.max(y)
    }
}

/// A binary op's metadata: shape and the two stride vectors, borrowed from the block, and
/// the operand extents.
struct Layout<'a> {
    shape: &'a [usize],
    sa: &'a [usize],
    sb: &'a [usize],
    na: usize,
    nb: usize,
    n: usize,
}

/// # Safety
/// `m` must hold `3 * nd` usize.
unsafe fn layout<'a>(m: *const usize, nd: usize) -> Layout<'a> {
    let v = meta(m, 3 * nd);
    let (shape, sa, sb) = (&v[..nd], &v[nd..2 * nd], &v[2 * nd..]);
    Layout { shape, sa, sb, na: extent(shape, sa), nb: extent(shape, sb), n: shape.iter().product() }
}

macro_rules! binary_ops {
    ($( $name:ident : |$x:ident, $y:ident| $lanes:expr , $scalar:expr ;)*) => {
        $(
            /// # Safety
            /// `m` holds the layout; `a`/`b` span it; `out` holds the contiguous result
            /// and may equal `a` (then `a` is contiguous) but never overlaps `b`.
            #[no_mangle]
            pub unsafe extern "C" fn $name(a: *const f32, b: *const f32, out: *mut f32, m: *const usize, nd: usize) {
                let l = layout(m, nd);
                binary(Src::new(a, out, l.na), view(b, l.nb), view_mut(out, l.n), l.shape, l.sa, l.sb,
                    |$x: V4, $y: V4| $lanes, $scalar);
            }
        )*
        #[cfg(test)]
        pub const ALL: &[(&str, fn(V4, V4) -> V4, fn(f32, f32) -> f32)] = &[
            $( (stringify!($name), |$x: V4, $y: V4| $lanes, $scalar), )*
        ];
    };
}

binary_ops! {
    add_f32: |x, y| x.add(y), |x, y| x + y;
    sub_f32: |x, y| x.sub(y), |x, y| x - y;
    mul_f32: |x, y| x.mul(y), |x, y| x * y;
    div_f32: |x, y| x.div(y), |x, y| x / y;
    maximum_f32: |x, y| x.max(y), nan_max;
    minimum_f32: |x, y| x.min(y), nan_min;
}

/// pow has no polynomial form accurate for negative bases: each lane calls libm.
fn pow_lanes(x: V4, y: V4) -> V4 {
    let (mut a, mut b) = ([0.0f32; 4], [0.0f32; 4]);
    x.store(&mut a);
    y.store(&mut b);
    V4::load(&[a[0].powf(b[0]), a[1].powf(b[1]), a[2].powf(b[2]), a[3].powf(b[3])])
}

///
/// # Safety
/// As the other binary kernels.
#[no_mangle]
pub unsafe extern "C" fn pow_f32(a: *const f32, b: *const f32, out: *mut f32, m: *const usize, nd: usize) {
    let l = layout(m, nd);
    binary(Src::new(a, out, l.na), view(b, l.nb), view_mut(out, l.n), l.shape, l.sa, l.sb, pow_lanes, f32::powf);
}

macro_rules! compare_ops {
    ($( $name:ident : $f:expr ;)*) => {
        $(
            /// # Safety
            /// `m` holds the layout; `a`/`b` span it; `out` holds the contiguous bool result.
            #[no_mangle]
            pub unsafe extern "C" fn $name(a: *const f32, b: *const f32, out: *mut u8, m: *const usize, nd: usize) {
                let l = layout(m, nd);
                compare(view(a, l.na), view(b, l.nb), view_mut(out, l.n), l.shape, l.sa, l.sb, $f);
            }
        )*
    };
}

compare_ops! {
    eq_f32: |x, y| x == y;
    ne_f32: |x, y| x != y;
    lt_f32: |x, y| x < y;
    le_f32: |x, y| x <= y;
    gt_f32: |x, y| x > y;
    ge_f32: |x, y| x >= y;
}

/// where(cond, a, b) with all three broadcast by strides; metadata holds
/// `shape`, `cond_strides`, `a_strides`, `b_strides`.
///
/// # Safety
/// The operands span the layout; `out` holds the contiguous result and overlaps none.
#[no_mangle]
pub unsafe extern "C" fn where_f32(c: *const u8, a: *const f32, b: *const f32, out: *mut f32, m: *const usize, nd: usize) {
    let v = meta(m, 4 * nd);
    let shape = &v[..nd];
    let (sc, sa, sb) = (&v[nd..2 * nd], &v[2 * nd..3 * nd], &v[3 * nd..]);
    let n: usize = shape.iter().product();
    let (c, a, b) = (view(c, extent(shape, sc)), view(a, extent(shape, sa)), view(b, extent(shape, sb)));
    let out = view_mut(out, n);
    let inner = if nd == 0 { 1 } else { shape[nd - 1] };
    let (ic, ia, ib) = if nd == 0 { (0, 0, 0) } else { (sc[nd - 1], sa[nd - 1], sb[nd - 1]) };
    for_each_row(shape, [sc, sa, sb], |o, [oc, oa, ob]| {
        for j in 0..inner {
            out[o + j] = if c[oc + j * ic] != 0 { a[oa + j * ia] } else { b[ob + j * ib] };
        }
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lcg(seed: &mut u64) -> u64 {
        *seed = seed.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
        *seed >> 33
    }

    /// The oracle: a multi-index walk with no row or SIMD structure at all.
    fn naive(a: &[f32], b: &[f32], shape: &[usize], sa: &[usize], sb: &[usize], f: fn(f32, f32) -> f32) -> Vec<f32> {
        let n: usize = shape.iter().product();
        (0..n)
            .map(|flat| {
                let (mut rem, mut oa, mut ob) = (flat, 0, 0);
                for d in (0..shape.len()).rev() {
                    let i = rem % shape[d];
                    rem /= shape[d];
                    oa += i * sa[d];
                    ob += i * sb[d];
                }
                f(a[oa], b[ob])
            })
            .collect()
    }

    #[test]
    fn broadcast_strided_ops_match_naive_oracle_on_random_shapes() {
        let mut seed = 11u64;
        for _ in 0..300 {
            let nd = (lcg(&mut seed) % 4) as usize;
            let shape: Vec<usize> = (0..nd).map(|_| 1 + (lcg(&mut seed) % 9) as usize).collect();
            let contiguous = |keep: &[bool]| {
                let mut st = vec![0; nd];
                let mut acc = 1;
                for d in (0..nd).rev() {
                    st[d] = if keep[d] { acc } else { 0 };
                    acc *= if keep[d] { shape[d] } else { 1 };
                }
                st
            };
            let ka: Vec<bool> = (0..nd).map(|_| lcg(&mut seed) % 4 != 0).collect();
            let kb: Vec<bool> = (0..nd).map(|_| lcg(&mut seed) % 3 != 0).collect();
            let (sa, sb) = (contiguous(&ka), contiguous(&kb));
            let a: Vec<f32> = (0..extent(&shape, &sa).max(1)).map(|_| lcg(&mut seed) as f32 / 1e9 - 1.0).collect();
            let b: Vec<f32> = (0..extent(&shape, &sb).max(1)).map(|_| lcg(&mut seed) as f32 / 1e9 + 0.5).collect();
            for &(name, lanes, scalar) in ALL {
                let n: usize = shape.iter().product();
                let mut out = vec![0.0; n];
                binary(Src::Buf(&a), &b, &mut out, &shape, &sa, &sb, lanes, scalar);
                assert_eq!(out, naive(&a, &b, &shape, &sa, &sb, scalar), "{name} {shape:?} {sa:?} {sb:?}");
            }
        }
    }

    #[test]
    fn in_place_add_reads_each_element_before_writing_it() {
        let shape = [3, 7];
        let mut out: Vec<f32> = (0..21).map(|i| i as f32).collect();
        let b: Vec<f32> = (0..7).map(|i| 100.0 * i as f32).collect();
        binary(Src::Out, &b, &mut out, &shape, &[7, 1], &[0, 1], |x, y| x.add(y), |x, y| x + y);
        let want: Vec<f32> = (0..21).map(|i| i as f32 + 100.0 * (i % 7) as f32).collect();
        assert_eq!(out, want);
    }

    #[test]
    fn minimum_and_maximum_propagate_nan_like_torch() {
        let a = [1.0, f32::NAN, 3.0, -1.0, 2.0];
        let b = [f32::NAN, 2.0, 1.0, -2.0, 2.0];
        let mut out = [0.0; 5];
        binary(Src::Buf(&a), &b, &mut out, &[5], &[1], &[1], |x, y| x.max(y), nan_max);
        assert!(out[0].is_nan() && out[1].is_nan());
        assert_eq!(&out[2..], &[3.0, -1.0, 2.0]);
    }
}
