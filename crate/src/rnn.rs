//! The LSTM cell as one kernel each way, as PyTorch's CPU cells are: from the gate
//! pre-activations (input and hidden projections with their biases, gates in PyTorch's order
//! i, f, g, o) and the previous cell state to the new hidden and cell states, and back. Per step
//! this replaces a dozen elementwise ops and their graph nodes.

use crate::math::{sigmoid, tanh};
use crate::mem::{view, view_mut};
use crate::simd::V4;

/// Four lanes of `s` from `j`, zero-padded past its end (the last, partial group of a row).
#[inline(always)]
fn load(s: &[f32], j: usize) -> V4 {
    if j + 4 <= s.len() {
        V4::load(&s[j..j + 4])
    } else {
        let mut t = [0.0; 4];
        t[..s.len() - j].copy_from_slice(&s[j..]);
        V4::load(&t)
    }
}

#[inline(always)]
fn store(v: V4, s: &mut [f32], j: usize) {
    if j + 4 <= s.len() {
        v.store(&mut s[j..j + 4]);
    } else {
        let mut t = [0.0; 4];
        v.store(&mut t);
        let n = s.len() - j;
        s[j..].copy_from_slice(&t[..n]);
    }
}

/// act = (σ(i), σ(f), tanh(g), σ(o)); c' = f·c + i·g; h' = o·tanh(c'). `out` rows are [h' | c'].
pub fn lstm_cell(gates: &[f32], c: &[f32], act: &mut [f32], out: &mut [f32], hidden: usize) {
    let h = hidden;
    for ((g, c), (a, o)) in gates.chunks_exact(4 * h).zip(c.chunks_exact(h)).zip(act.chunks_exact_mut(4 * h).zip(out.chunks_exact_mut(2 * h))) {
        let (gi, rest) = g.split_at(h);
        let (gf, rest) = rest.split_at(h);
        let (gg, go) = rest.split_at(h);
        let (ai, rest) = a.split_at_mut(h);
        let (af, rest) = rest.split_at_mut(h);
        let (ag, ao) = rest.split_at_mut(h);
        let (oh, oc) = o.split_at_mut(h);
        for j in (0..h).step_by(4) {
            let (i, f, gv, ov) = (sigmoid(load(gi, j)), sigmoid(load(gf, j)), tanh(load(gg, j)), sigmoid(load(go, j)));
            let cn = f.mul(load(c, j)).add(i.mul(gv));
            store(i, ai, j);
            store(f, af, j);
            store(gv, ag, j);
            store(ov, ao, j);
            store(cn, oc, j);
            store(ov.mul(tanh(cn)), oh, j);
        }
    }
}

/// From the gradients of [h' | c'] to those of the gate pre-activations and of c:
/// dc = dc' + dh·o·(1 − tanh²c'); di = dc·g·i(1−i); df = dc·c·f(1−f); dg = dc·i·(1−g²);
/// do = dh·tanh(c')·o(1−o); dc_prev = dc·f.
pub fn lstm_cell_backward(act: &[f32], c: &[f32], out: &[f32], grad: &[f32], d_gates: &mut [f32], d_c: &mut [f32], hidden: usize) {
    let h = hidden;
    let one = V4::splat(1.0);
    let rows = act.chunks_exact(4 * h).zip(c.chunks_exact(h)).zip(out.chunks_exact(2 * h).zip(grad.chunks_exact(2 * h)));
    for ((((a, c), (o, gr)), dg), dcp) in rows.zip(d_gates.chunks_exact_mut(4 * h)).zip(d_c.chunks_exact_mut(h)) {
        let (ai, rest) = a.split_at(h);
        let (af, rest) = rest.split_at(h);
        let (ag, ao) = rest.split_at(h);
        let cn = &o[h..];
        let (dh, dcn) = gr.split_at(h);
        let (di, rest) = dg.split_at_mut(h);
        let (df, rest) = rest.split_at_mut(h);
        let (dgg, dout) = rest.split_at_mut(h);
        for j in (0..h).step_by(4) {
            let (i, f, g, ov) = (load(ai, j), load(af, j), load(ag, j), load(ao, j));
            let tc = tanh(load(cn, j));
            let dhv = load(dh, j);
            let dc = load(dcn, j).add(dhv.mul(ov).mul(one.sub(tc.mul(tc))));
            store(dc.mul(g).mul(i).mul(one.sub(i)), di, j);
            store(dc.mul(load(c, j)).mul(f).mul(one.sub(f)), df, j);
            store(dc.mul(i).mul(one.sub(g.mul(g))), dgg, j);
            store(dhv.mul(tc).mul(ov).mul(one.sub(ov)), dout, j);
            store(dc.mul(f), dcp, j);
        }
    }
}

/// # Safety
/// `gates` and `act` hold `n·4h` f32, `c` `n·h`, `out` `n·2h`; the outputs overlap nothing.
#[no_mangle]
pub unsafe extern "C" fn lstm_cell_f32(gates: *const f32, c: *const f32, act: *mut f32, out: *mut f32, n: usize, h: usize) {
    lstm_cell(view(gates, n * 4 * h), view(c, n * h), view_mut(act, n * 4 * h), view_mut(out, n * 2 * h), h);
}

/// # Safety
/// `act` and `d_gates` hold `n·4h` f32, `c` and `d_c` `n·h`, `out` and `grad` `n·2h`; the outputs overlap nothing.
#[no_mangle]
pub unsafe extern "C" fn lstm_cell_backward_f32(act: *const f32, c: *const f32, out: *const f32, grad: *const f32, d_gates: *mut f32, d_c: *mut f32, n: usize, h: usize) {
    lstm_cell_backward(view(act, n * 4 * h), view(c, n * h), view(out, n * 2 * h), view(grad, n * 2 * h), view_mut(d_gates, n * 4 * h), view_mut(d_c, n * h), h);
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sig(x: f64) -> f64 {
        1.0 / (1.0 + (-x).exp())
    }

    /// The cell in f64, by the definition: (h', c') for one unit.
    fn cell(g: [f64; 4], c: f64) -> (f64, f64) {
        let cn = sig(g[1]) * c + sig(g[0]) * g[2].tanh();
        (sig(g[3]) * cn.tanh(), cn)
    }

    #[test]
    fn forward_and_backward_match_the_definition_and_its_finite_differences() {
        for &(n, h) in &[(1, 1), (2, 5), (3, 8), (2, 13)] {
            let gates: Vec<f32> = (0..n * 4 * h).map(|k| ((k * 37) % 23) as f32 / 5.0 - 2.2).collect();
            let c: Vec<f32> = (0..n * h).map(|k| ((k * 11) % 7) as f32 / 3.0 - 1.0).collect();
            let grad: Vec<f32> = (0..n * 2 * h).map(|k| ((k * 5) % 9) as f32 / 4.0 - 1.0).collect();
            let (mut act, mut out) = (vec![0.0; n * 4 * h], vec![0.0; n * 2 * h]);
            lstm_cell(&gates, &c, &mut act, &mut out, h);
            let (mut dg, mut dc) = (vec![0.0; n * 4 * h], vec![0.0; n * h]);
            lstm_cell_backward(&act, &c, &out, &grad, &mut dg, &mut dc, h);
            for b in 0..n {
                for j in 0..h {
                    let g = |q: usize| gates[b * 4 * h + q * h + j] as f64;
                    let (cp, dh, dcn) = (c[b * h + j] as f64, grad[b * 2 * h + j] as f64, grad[b * 2 * h + h + j] as f64);
                    let (hn, cn) = cell([g(0), g(1), g(2), g(3)], cp);
                    assert!((out[b * 2 * h + j] as f64 - hn).abs() < 1e-5 && (out[b * 2 * h + h + j] as f64 - cn).abs() < 1e-5);
                    // the loss dh·h' + dc'·c', differentiated numerically
                    let loss = |gs: [f64; 4], cv: f64| {
                        let (a, b) = cell(gs, cv);
                        dh * a + dcn * b
                    };
                    let eps = 1e-6;
                    for q in 0..4 {
                        let mut up = [g(0), g(1), g(2), g(3)];
                        let mut down = up;
                        up[q] += eps;
                        down[q] -= eps;
                        let want = (loss(up, cp) - loss(down, cp)) / (2.0 * eps);
                        assert!((dg[b * 4 * h + q * h + j] as f64 - want).abs() < 1e-4, "gate {q}");
                    }
                    let gs = [g(0), g(1), g(2), g(3)];
                    let want = (loss(gs, cp + eps) - loss(gs, cp - eps)) / (2.0 * eps);
                    assert!((dc[b * h + j] as f64 - want).abs() < 1e-4);
                }
            }
        }
    }
}
