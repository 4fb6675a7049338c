//! Reductions of a contiguous tensor viewed as `[outer, n, inner]` along the middle axis:
//! any dim (or a run of dims) of any contiguous tensor has this form.

use crate::mem::{view, view_mut};
use crate::simd::V4;

const BLOCK: usize = 4096;

/// Sum of a contiguous run: 32 f32 per step into four vector sums (eight would hide more
/// add latency, but V8 then spills one to the stack), blocks accumulated in f64, so
/// 4M-element sums keep PyTorch-level accuracy without giving up SIMD.
pub fn sum_run(x: &[f32]) -> f32 {
    let mut total = 0.0f64;
    for block in x.chunks(BLOCK) {
        let body = block.len() - block.len() % 32;
        let mut acc = [V4::splat(0.0); 4];
        for step in block[..body].chunks_exact(32) {
            for (k, a) in acc.iter_mut().enumerate() {
                let pair = V4::load(&step[4 * k..4 * k + 4]).add(V4::load(&step[16 + 4 * k..20 + 4 * k]));
                *a = a.add(pair);
            }
        }
        let mut s = acc[0].add(acc[1]).add(acc[2].add(acc[3])).hsum();
        for &v in &block[body..] {
            s += v;
        }
        total += s as f64;
    }
    total as f32
}

pub fn sum_run_scalar(x: &[f32]) -> f32 {
    x.iter().map(|&v| v as f64).sum::<f64>() as f32
}

fn extreme_run(x: &[f32], lanes: impl Fn(V4, V4) -> V4, fold: impl Fn(V4) -> f32, scalar: impl Fn(f32, f32) -> f32) -> f32 {
    let body = x.len() - x.len() % 4;
    let mut r = if body > 0 {
        let mut acc = V4::load(x);
        let mut i = 4;
        while i < body {
            acc = lanes(acc, V4::load(&x[i..]));
            i += 4;
        }
        fold(acc)
    } else {
        x[0]
    };
    for &v in &x[body..] {
        r = scalar(r, v);
    }
    r
}

fn nan_max(a: f32, b: f32) -> f32 {
    if a.is_nan() || b.is_nan() {
        f32::NAN
    } else {
        a.max(b)
    }
}

fn nan_min(a: f32, b: f32) -> f32 {
    if a.is_nan() || b.is_nan() {
        f32::NAN
    } else {
        a.min(b)
    }
}

/// Reduces `[outer, n, inner]` to `[outer, inner]`: `run` for inner == 1 (a contiguous run),
/// otherwise `step` folds row after row, vectorised along `inner`.
fn reduce(x: &[f32], out: &mut [f32], n: usize, inner: usize, run: impl Fn(&[f32]) -> f32, step: impl Fn(V4, V4) -> V4, scalar: impl Fn(f32, f32) -> f32) {
    let outer = out.len() / inner;
    for o in 0..outer {
        let src = &x[o * n * inner..(o + 1) * n * inner];
        let dst = &mut out[o * inner..(o + 1) * inner];
        if inner == 1 {
            dst[0] = run(src);
            continue;
        }
        dst.copy_from_slice(&src[..inner]);
        for r in 1..n {
            let row = &src[r * inner..(r + 1) * inner];
            let body = inner - inner % 4;
            let mut i = 0;
            while i < body {
                step(V4::load(&dst[i..]), V4::load(&row[i..])).store(&mut dst[i..]);
                i += 4;
            }
            for j in body..inner {
                dst[j] = scalar(dst[j], row[j]);
            }
        }
    }
}

/// # Safety
/// `x` holds `outer*n*inner` f32, `out` holds `outer*inner` f32; `n >= 1`.
#[no_mangle]
pub unsafe extern "C" fn sum_f32(x: *const f32, out: *mut f32, outer: usize, n: usize, inner: usize) {
    let (x, out) = (view(x, outer * n * inner), view_mut(out, outer * inner));
    reduce(x, out, n, inner, sum_run, |a, b| a.add(b), |a, b| a + b);
}

/// # Safety
/// As `sum_f32`.
#[no_mangle]
pub unsafe extern "C" fn max_f32(x: *const f32, out: *mut f32, outer: usize, n: usize, inner: usize) {
    let (x, out) = (view(x, outer * n * inner), view_mut(out, outer * inner));
    reduce(x, out, n, inner, |r| extreme_run(r, |a, b| a.max(b), V4::hmax, nan_max), |a, b| a.max(b), nan_max);
}

/// # Safety
/// As `sum_f32`.
#[no_mangle]
pub unsafe extern "C" fn min_f32(x: *const f32, out: *mut f32, outer: usize, n: usize, inner: usize) {
    let (x, out) = (view(x, outer * n * inner), view_mut(out, outer * inner));
    reduce(x, out, n, inner, |r| extreme_run(r, |a, b| a.min(b), V4::hmin, nan_min), |a, b| a.min(b), nan_min);
}

/// # Safety
/// As `sum_f32`.
#[no_mangle]
pub unsafe extern "C" fn prod_f32(x: *const f32, out: *mut f32, outer: usize, n: usize, inner: usize) {
    let (x, out) = (view(x, outer * n * inner), view_mut(out, outer * inner));
    reduce(x, out, n, inner, |r| r.iter().product(), |a, b| a.mul(b), |a, b| a * b);
}

/// Index of the first maximum (first NaN, if any), as torch.argmax.
pub fn arg_extreme(x: &[f32], out: &mut [i64], n: usize, inner: usize, better: impl Fn(f32, f32) -> bool) {
    let outer = out.len() / inner;
    for o in 0..outer {
        for i in 0..inner {
            let at = |r: usize| x[(o * n + r) * inner + i];
            let mut best = 0;
            let mut bv = at(0);
            for r in 1..n {
                if bv.is_nan() {
                    break;
                }
                let v = at(r);
                if v.is_nan() || better(v, bv) {
                    best = r;
                    bv = v;
                }
            }
            out[o * inner + i] = best as i64;
        }
    }
}

/// # Safety
/// `x` holds `outer*n*inner` f32, `out` holds `outer*inner` i64; `n >= 1`.
#[no_mangle]
pub unsafe extern "C" fn argmax_f32(x: *const f32, out: *mut i64, outer: usize, n: usize, inner: usize) {
    arg_extreme(view(x, outer * n * inner), view_mut(out, outer * inner), n, inner, |v, b| v > b);
}

/// # Safety
/// As `argmax_f32`.
#[no_mangle]
pub unsafe extern "C" fn argmin_f32(x: *const f32, out: *mut i64, outer: usize, n: usize, inner: usize) {
    arg_extreme(view(x, outer * n * inner), view_mut(out, outer * inner), n, inner, |v, b| v < b);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn simd_sum_matches_scalar_twin_for_all_lengths() {
        for n in 1..300 {
            let x: Vec<f32> = (0..n).map(|i| ((i * 7919) % 101) as f32 / 13.0 - 3.0).collect();
            let (a, b) = (sum_run(&x), sum_run_scalar(&x));
            assert!((a - b).abs() <= 1e-5 * b.abs().max(1.0), "n={n}: {a} vs {b}");
        }
    }

    #[test]
    fn middle_axis_reductions_match_nested_loops() {
        let (outer, n, inner) = (3, 5, 6);
        let x: Vec<f32> = (0..outer * n * inner).map(|i| ((i * 37) % 23) as f32 - 11.0).collect();
        let mut sum = vec![0.0; outer * inner];
        let mut max = vec![0.0; outer * inner];
        let mut arg = vec![0i64; outer * inner];
        reduce(&x, &mut sum, n, inner, sum_run, |a, b| a.add(b), |a, b| a + b);
        reduce(&x, &mut max, n, inner, |r| extreme_run(r, |a, b| a.max(b), V4::hmax, nan_max), |a, b| a.max(b), nan_max);
        arg_extreme(&x, &mut arg, n, inner, |v, b| v > b);
        for o in 0..outer {
            for i in 0..inner {
                let col: Vec<f32> = (0..n).map(|r| x[(o * n + r) * inner + i]).collect();
                assert_eq!(sum[o * inner + i], col.iter().sum::<f32>());
                let m = col.iter().cloned().fold(f32::MIN, f32::max);
                assert_eq!(max[o * inner + i], m);
                assert_eq!(arg[o * inner + i] as usize, col.iter().position(|&v| v == m).unwrap());
            }
        }
    }

    #[test]
    fn max_and_argmax_see_nan_like_torch() {
        let x = [1.0, 5.0, f32::NAN, 7.0, 2.0, 0.0];
        let mut out = [0.0];
        reduce(&x, &mut out, 6, 1, |r| extreme_run(r, |a, b| a.max(b), V4::hmax, nan_max), |a, b| a.max(b), nan_max);
        assert!(out[0].is_nan());
        let mut arg = [0i64];
        arg_extreme(&x, &mut arg, 6, 1, |v, b| v > b);
        assert_eq!(arg[0], 2);
    }
}
