//! Negative log-likelihood over log-probabilities `[n, c]` with integer class targets, the
//! second half of cross-entropy after the fused log-softmax: per-sample losses, optional class
//! weights and an ignored class, and the gradient as a dense `[n, c]` matrix.

use crate::mem::{view, view_mut};

/// Writes `loss[i] = -w[t_i]·logp[i, t_i]` (0 where ignored) and `wsum[i] = w[t_i]` (0 where
/// ignored). Returns -1, or the position of the first target outside [0, c) that is not ignored.
pub fn nll(logp: &[f32], target: &[i64], weight: Option<&[f32]>, c: usize, ignore: i64, loss: &mut [f32], wsum: &mut [f32]) -> i64 {
    for (i, &t) in target.iter().enumerate() {
        if t == ignore {
            loss[i] = 0.0;
            wsum[i] = 0.0;
            continue;
        }
        if t < 0 || t as usize >= c {
            return i as i64;
        }
        let w = weight.map_or(1.0, |w| w[t as usize]);
        loss[i] = -w * logp[i * c + t as usize];
        wsum[i] = w;
    }
    -1
}

/// d loss / d logp: `-w[t_i]·scale[i]` at (i, t_i), zero elsewhere.
pub fn nll_grad(target: &[i64], weight: Option<&[f32]>, scale: &[f32], scale_stride: usize, c: usize, ignore: i64, out: &mut [f32]) {
    out.fill(0.0);
    for (i, &t) in target.iter().enumerate() {
        if t != ignore {
            let w = weight.map_or(1.0, |w| w[t as usize]);
            out[i * c + t as usize] = -w * scale[i * scale_stride];
        }
    }
}

/// # Safety
/// `logp` holds `n*c` f32, `target` `n` i64, `weight` `c` f32 or null, `loss` and `wsum` `n` f32.
#[no_mangle]
pub unsafe extern "C" fn nll_f32(logp: *const f32, target: *const i64, weight: *const f32, n: usize, c: usize, ignore: f64, loss: *mut f32, wsum: *mut f32) -> f64 {
    let w = if weight.is_null() { None } else { Some(view(weight, c)) };
    nll(view(logp, n * c), view(target, n), w, c, ignore as i64, view_mut(loss, n), view_mut(wsum, n)) as f64
}

/// # Safety
/// `target` holds `n` in-range i64, `weight` `c` f32 or null, `scale` `n` f32 (or one, with
/// stride 0), `out` `n*c` f32.
#[no_mangle]
pub unsafe extern "C" fn nll_grad_f32(target: *const i64, weight: *const f32, scale: *const f32, scale_stride: usize, n: usize, c: usize, ignore: f64, out: *mut f32) {
    let w = if weight.is_null() { None } else { Some(view(weight, c)) };
    let scale_len = if scale_stride == 0 { 1 } else { n };
    nll_grad(view(target, n), w, view(scale, scale_len), scale_stride, c, ignore as i64, view_mut(out, n * c));
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn losses_weights_ignored_targets_and_range_errors() {
        let logp = [-0.1, -2.0, -3.0, -1.5, -0.5, -2.5];
        let (mut loss, mut ws) = ([0.0; 2], [0.0; 2]);
        assert_eq!(nll(&logp, &[0, 2], Some(&[2.0, 1.0, 0.5]), 3, -100, &mut loss, &mut ws), -1);
        assert_eq!(loss, [0.2, 1.25]);
        assert_eq!(ws, [2.0, 0.5]);
        assert_eq!(nll(&logp, &[-100, 1], None, 3, -100, &mut loss, &mut ws), -1);
        assert_eq!((loss, ws), ([0.0, 0.5], [0.0, 1.0]));
        assert_eq!(nll(&logp, &[0, 3], None, 3, -100, &mut loss, &mut ws), 1);
        let mut g = [9.0; 6];
        nll_grad(&[2, -100], None, &[0.5], 0, 3, -100, &mut g);
        assert_eq!(g, [0.0, 0.0, -0.5, 0.0, 0.0, 0.0]);
    }
}
