//! softmax and log_softmax fused along the middle axis of `[outer, n, inner]`:
//! one pass for the maximum, one for exp and the sum, one to scale.

use crate::math;
use crate::mem::{view, view_mut};
use crate::simd::V4;
use crate::unary::map;
use crate::mem::Src;

/// Row softmax over a contiguous run (inner == 1), the common case.
pub fn softmax_row(x: &[f32], out: &mut [f32], log: bool) {
    let m = x.iter().cloned().fold(f32::NEG_INFINITY, |a, b| if a.is_nan() || b.is_nan() { f32::NAN } else { a.max(b) });
    // A row of -inf has no finite maximum; PyTorch returns NaN there, as exp(-inf - -inf) does.
    let shift = V4::splat(m);
    map(Src::Buf(x), out, |v| math::exp(v.sub(shift)));
    let s = crate::reduce::sum_run(out);
    if log {
        let c = V4::splat(m + (s as f64).ln() as f32);
        map(Src::Buf(x), out, |v| v.sub(c));
    } else {
        let inv = V4::splat(1.0 / s);
        map(Src::Out, out, |v| v.mul(inv));
    }
}

pub fn softmax(x: &[f32], out: &mut [f32], n: usize, inner: usize, log: bool) {
    let outer = x.len() / (n * inner).max(1);
    for o in 0..outer {
        let base = o * n * inner;
        if inner == 1 {
            softmax_row(&x[base..base + n], &mut out[base..base + n], log);
            continue;
        }
        for i in 0..inner {
            let at = |r: usize| base + r * inner + i;
            let m = (0..n).map(|r| x[at(r)]).fold(f32::NEG_INFINITY, |a, b| if a.is_nan() || b.is_nan() { f32::NAN } else { a.max(b) });
            let mut s = 0.0f64;
            for r in 0..n {
                s += ((x[at(r)] - m) as f64).exp();
            }
            for r in 0..n {
                let z = x[at(r)] - m;
                out[at(r)] = if log { z - s.ln() as f32 } else { ((z as f64).exp() / s) as f32 };
            }
        }
    }
}

/// # Safety
/// `x` and `out` each hold `outer*n*inner` f32 and do not overlap.
#[no_mangle]
pub unsafe extern "C" fn softmax_f32(x: *const f32, out: *mut f32, outer: usize, n: usize, inner: usize) {
    softmax(view(x, outer * n * inner), view_mut(out, outer * n * inner), n, inner, false);
}

/// # Safety
/// As `softmax_f32`.
#[no_mangle]
pub unsafe extern "C" fn log_softmax_f32(x: *const f32, out: *mut f32, outer: usize, n: usize, inner: usize) {
    softmax(view(x, outer * n * inner), view_mut(out, outer * n * inner), n, inner, true);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fused_rows_match_the_strided_scalar_path() {
        let (outer, n) = (4, 13);
        let x: Vec<f32> = (0..outer * n).map(|i| ((i * 31) % 17) as f32 * 0.7 - 5.0).collect();
        for log in [false, true] {
            let mut fused = vec![0.0; x.len()];
            softmax(&x, &mut fused, n, 1, log);
            // the same numbers laid out as [1, n, outer] take the scalar inner > 1 path
            let t: Vec<f32> = (0..outer * n).map(|k| x[(k % outer) * n + k / outer]).collect();
            let mut strided = vec![0.0; x.len()];
            softmax(&t, &mut strided, n, outer, log);
            for o in 0..outer {
                for r in 0..n {
                    let (a, b) = (fused[o * n + r], strided[r * outer + o]);
                    assert!((a - b).abs() < 2e-6 * b.abs().max(1.0), "log={log} {a} {b}");
                }
            }
        }
    }
}
