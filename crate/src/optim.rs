//! Optimizer updates over whole parameter buffers, in place, following the arithmetic of
//! PyTorch 1.13's single-tensor implementations step by step (so trajectories match to
//! float32 rounding). `p`, `g` and the state buffers are contiguous and of length `n`.

use crate::mem::{view, view_mut};

pub struct Sgd {
    pub lr: f32,
    pub momentum: f32,
    pub dampening: f32,
    pub weight_decay: f32,
    pub nesterov: bool,
    pub maximize: bool,
}

/// One SGD step. `buf` is the momentum buffer; `first` says it has no history yet.
pub fn sgd(p: &mut [f32], g: &[f32], buf: &mut [f32], o: &Sgd, first: bool) {
    for i in 0..p.len() {
        let mut d = if o.maximize { -g[i] } else { g[i] };
        if o.weight_decay != 0.0 {
            d += o.weight_decay * p[i];
        }
        if o.momentum != 0.0 {
            buf[i] = if first { d } else { buf[i] * o.momentum + (1.0 - o.dampening) * d };
            d = if o.nesterov { d + o.momentum * buf[i] } else { buf[i] };
        }
        p[i] += -o.lr * d;
    }
}

pub struct Adam {
    pub lr: f32,
    pub beta1: f32,
    pub beta2: f32,
    pub eps: f32,
    pub weight_decay: f32,
    /// AdamW: decay the weights directly instead of adding to the gradient.
    pub decoupled: bool,
    pub amsgrad: bool,
    pub maximize: bool,
    pub step: f64,
}

pub fn adam(p: &mut [f32], g: &[f32], m: &mut [f32], v: &mut [f32], vmax: &mut [f32], o: &Adam) {
    // the option flags become compile-time constants so that each loop is branch-free and
    // LLVM vectorises it to f32x4
    match (o.amsgrad, o.decoupled, o.maximize) {
        (false, false, false) => adam_loop::<false, false, false>(p, g, m, v, vmax, o),
        (false, true, false) => adam_loop::<false, true, false>(p, g, m, v, vmax, o),
        (true, false, false) => adam_loop::<true, false, false>(p, g, m, v, vmax, o),
        (true, true, false) => adam_loop::<true, true, false>(p, g, m, v, vmax, o),
        (false, false, true) => adam_loop::<false, false, true>(p, g, m, v, vmax, o),
        (false, true, true) => adam_loop::<false, true, true>(p, g, m, v, vmax, o),
        (true, false, true) => adam_loop::<true, false, true>(p, g, m, v, vmax, o),
        (true, true, true) => adam_loop::<true, true, true>(p, g, m, v, vmax, o),
    }
}

fn adam_loop<const AMS: bool, const DECOUPLED: bool, const MAXIMIZE: bool>(p: &mut [f32], g: &[f32], m: &mut [f32], v: &mut [f32], vmax: &mut [f32], o: &Adam) {
    let bc1 = 1.0 - (o.beta1 as f64).powf(o.step);
    let bc2 = 1.0 - (o.beta2 as f64).powf(o.step);
    let step_size = (o.lr as f64 / bc1) as f32;
    let bc2_sqrt = bc2.sqrt() as f32;
    let n = p.len();
    let (g, m, v) = (&g[..n], &mut m[..n], &mut v[..n]);
    let vmax = if AMS { &mut vmax[..n] } else { vmax };
    let decay = 1.0 - o.lr * o.weight_decay;
    for i in 0..n {
        let mut d = if MAXIMIZE { -g[i] } else { g[i] };
        if DECOUPLED {
            p[i] *= decay;
        } else {
            d += o.weight_decay * p[i];
        }
        m[i] = m[i] * o.beta1 + (1.0 - o.beta1) * d;
        v[i] = v[i] * o.beta2 + (1.0 - o.beta2) * (d * d);
        let second = if AMS {
            vmax[i] = vmax[i].max(v[i]);
            vmax[i]
        } else {
            v[i]
        };
        let denom = second.sqrt() / bc2_sqrt + o.eps;
        p[i] += -step_size * (m[i] / denom);
    }
}

pub struct Rmsprop {
    pub lr: f32,
    pub alpha: f32,
    pub eps: f32,
    pub weight_decay: f32,
    pub momentum: f32,
    pub centered: bool,
    pub maximize: bool,
}

pub fn rmsprop(p: &mut [f32], g: &[f32], sq: &mut [f32], buf: &mut [f32], gavg: &mut [f32], o: &Rmsprop) {
    for i in 0..p.len() {
        let mut d = if o.maximize { -g[i] } else { g[i] };
        if o.weight_decay != 0.0 {
            d += o.weight_decay * p[i];
        }
        sq[i] = sq[i] * o.alpha + (1.0 - o.alpha) * (d * d);
        let avg = if o.centered {
            gavg[i] = gavg[i] * o.alpha + (1.0 - o.alpha) * d;
            (sq[i] + -1.0 * (gavg[i] * gavg[i])).sqrt() + o.eps
        } else {
            sq[i].sqrt() + o.eps
        };
        if o.momentum > 0.0 {
            buf[i] = buf[i] * o.momentum + d / avg;
            p[i] += -o.lr * buf[i];
        } else {
            p[i] += -o.lr * (d / avg);
        }
    }
}

pub struct Adagrad {
    pub lr: f32,
    pub lr_decay: f32,
    pub weight_decay: f32,
    pub eps: f32,
    pub maximize: bool,
    pub step: f64,
}

pub fn adagrad(p: &mut [f32], g: &[f32], sum: &mut [f32], o: &Adagrad) {
    let clr = (o.lr as f64 / (1.0 + (o.step - 1.0) * o.lr_decay as f64)) as f32;
    for i in 0..p.len() {
        let mut d = if o.maximize { -g[i] } else { g[i] };
        if o.weight_decay != 0.0 {
            d += o.weight_decay * p[i];
        }
        sum[i] += d * d;
        let std = sum[i].sqrt() + o.eps;
        p[i] += -clr * (d / std);
    }
}

/// State buffers that an option leaves unused are passed as null and get an empty slice.
unsafe fn state<'a>(ptr: *mut f32, n: usize) -> &'a mut [f32] {
    if ptr.is_null() {
        &mut []
    } else {
        view_mut(ptr, n)
    }
}

/// # Safety
/// `p`, `g` and (when momentum != 0) `buf` each hold `n` f32 and do not overlap.
#[no_mangle]
pub unsafe extern "C" fn sgd_f32(p: *mut f32, g: *const f32, buf: *mut f32, n: usize, lr: f32, momentum: f32, dampening: f32, weight_decay: f32, nesterov: u32, maximize: u32, first: u32) {
    let o = Sgd { lr, momentum, dampening, weight_decay, nesterov: nesterov != 0, maximize: maximize != 0 };
    sgd(view_mut(p, n), view(g, n), state(buf, n), &o, first != 0);
}

/// # Safety
/// `p`, `g`, `m`, `v` (and `vmax` with amsgrad) each hold `n` f32 and do not overlap.
#[no_mangle]
pub unsafe extern "C" fn adam_f32(p: *mut f32, g: *const f32, m: *mut f32, v: *mut f32, vmax: *mut f32, n: usize, lr: f32, beta1: f32, beta2: f32, eps: f32, weight_decay: f32, decoupled: u32, amsgrad: u32, maximize: u32, step: f64) {
    let o = Adam { lr, beta1, beta2, eps, weight_decay, decoupled: decoupled != 0, amsgrad: amsgrad != 0, maximize: maximize != 0, step };
    adam(view_mut(p, n), view(g, n), view_mut(m, n), view_mut(v, n), state(vmax, n), &o);
}

/// # Safety
/// `p`, `g`, `sq` (and `buf` with momentum, `gavg` when centered) each hold `n` f32, disjoint.
#[no_mangle]
pub unsafe extern "C" fn rmsprop_f32(p: *mut f32, g: *const f32, sq: *mut f32, buf: *mut f32, gavg: *mut f32, n: usize, lr: f32, alpha: f32, eps: f32, weight_decay: f32, momentum: f32, centered: u32, maximize: u32) {
    let o = Rmsprop { lr, alpha, eps, weight_decay, momentum, centered: centered != 0, maximize: maximize != 0 };
    rmsprop(view_mut(p, n), view(g, n), view_mut(sq, n), state(buf, n), state(gavg, n), &o);
}

/// # Safety
/// `p`, `g`, `sum` each hold `n` f32 and do not overlap.
#[no_mangle]
pub unsafe extern "C" fn adagrad_f32(p: *mut f32, g: *const f32, sum: *mut f32, n: usize, lr: f32, lr_decay: f32, weight_decay: f32, eps: f32, maximize: u32, step: f64) {
    let o = Adagrad { lr, lr_decay, weight_decay, eps, maximize: maximize != 0, step };
    adagrad(view_mut(p, n), view(g, n), view_mut(sum, n), &o);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sgd_with_momentum_matches_the_closed_form_on_a_constant_gradient() {
        let (mut p, g, mut buf) = (vec![1.0f32], vec![0.5f32], vec![0.0f32]);
        let o = Sgd { lr: 0.1, momentum: 0.9, dampening: 0.0, weight_decay: 0.0, nesterov: false, maximize: false };
        for step in 0..3 {
            sgd(&mut p, &g, &mut buf, &o, step == 0);
        }
        // buffers 0.5, 0.95, 1.355 → p = 1 - 0.1 * (0.5 + 0.95 + 1.355)
        assert!((p[0] - (1.0 - 0.1 * 2.805)).abs() < 1e-6);
    }

    #[test]
    fn adam_first_step_moves_each_weight_by_lr() {
        let (mut p, g) = (vec![1.0f32, -2.0], vec![0.3f32, -4.0]);
        let (mut m, mut v) = (vec![0.0; 2], vec![0.0; 2]);
        let o = Adam { lr: 0.01, beta1: 0.9, beta2: 0.999, eps: 1e-8, weight_decay: 0.0, decoupled: false, amsgrad: false, maximize: false, step: 1.0 };
        adam(&mut p, &g, &mut m, &mut v, &mut [], &o);
        assert!((p[0] - 0.99).abs() < 1e-6 && (p[1] + 1.99).abs() < 1e-6);
    }
}
