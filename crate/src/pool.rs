//! Max and average pooling straight over NCHW planes (no unfolded copy): max pooling also
//! writes each output's argmax as a flat index into its input plane (PyTorch's
//! `return_indices`), through which its backward scatters; average pooling's backward spreads
//! each output gradient over its window. The geometry block is conv's
//! (`n c h w kh kw sh sw ph pw dh dw oh ow`).

use crate::conv::Geometry;
use crate::mem::{meta, view, view_mut};
use crate::simd::V4;

/// The taps `k` of a window starting at `start` with dilation `d` whose position
/// `start + k·d` lies inside `[0, size)`.
fn taps_inside(start: isize, d: usize, k: usize, size: usize) -> core::ops::Range<usize> {
    let d = d as isize;
    let lo = if start >= 0 { 0 } else { ((-start + d - 1) / d) as usize };
    let hi = if start >= size as isize { 0 } else { ((size as isize - 1 - start) / d + 1) as usize };
    lo.min(k)..hi.min(k).max(lo.min(k))
}

/// Max over each window, padding never chosen; NaN wins, as in PyTorch. A window of -inf
/// points at its first position inside the input. Windows inside the input along the row are
/// done four at a time in SIMD lanes, tap by tap: the four running maxima are independent,
/// where one window at a time is a chain of dependent selects. The rest (and the oracle in
/// the tests) go window by window through `window_max`.
pub fn max_pool2d(x: &[f32], y: &mut [f32], idx: &mut [i64], g: &Geometry) {
    let (plane, out_plane) = (g.h * g.w, g.oh * g.ow);
    let starts = |o: usize, s: usize, p: usize| (o * s) as isize - p as isize;
    // the taps inside depend on the output row or column alone: found once (a division each)
    let col_taps: Vec<_> = (0..g.ow).map(|ox| taps_inside(starts(ox, g.sw, g.pw), g.dw, g.kw, g.w)).collect();
    let row_taps: Vec<_> = (0..g.oh).map(|oy| taps_inside(starts(oy, g.sh, g.ph), g.dh, g.kh, g.h)).collect();
    let whole: Vec<usize> = (0..g.ow).filter(|&ox| col_taps[ox] == (0..g.kw)).collect();
    let inner = whole.first().map_or(0..0, |&a| a..whole[whole.len() - 1] + 1);
    // SIMD blocks of four outputs, and lane indices as u32 (planes beyond that go window by window)
    let blocks = if plane < u32::MAX as usize { inner.len() / 4 } else { 0 };
    let simd = inner.start..inner.start + 4 * blocks;
    let steps = V4::index_steps(g.sw as u32);
    for p in 0..g.n * g.c {
        let x = &x[p * plane..(p + 1) * plane];
        let (y, idx) = (&mut y[p * out_plane..(p + 1) * out_plane], &mut idx[p * out_plane..(p + 1) * out_plane]);
        for (oy, rows) in row_taps.iter().enumerate() {
            let row_of = |ky: usize| (starts(oy, g.sh, g.ph) + (ky * g.dh) as isize) as usize * g.w;
            let out = oy * g.ow;
            for ox in simd.clone().step_by(4) {
                let first = ox * g.sw - g.pw;
                let tap = |ky: usize, kx: usize| {
                    let at = row_of(ky) + first + kx * g.dw;
                    let v = match g.sw {
                        1 => V4::load(&x[at..]),
                        2 if at + 8 <= x.len() => V4::even_lanes(V4::load(&x[at..]), V4::load(&x[at + 4..])),
                        _ => V4::gather(x, at, g.sw),
                    };
                    (v, steps.offset_indices(at as u32))
                };
                let (mut best, mut best_at) = tap(rows.start, 0);
                for ky in rows.clone() {
                    for kx in (if ky == rows.start { 1 } else { 0 })..g.kw {
                        let (v, at) = tap(ky, kx);
                        (best, best_at) = best.max_update(best_at, v, at);
                    }
                }
                best.store(&mut y[out + ox..]);
                best_at.store_indices(&mut idx[out + ox..]);
            }
            for ox in (0..simd.start).chain(simd.end..g.ow) {
                let (b, a) = window_max(x, g, rows.clone(), col_taps[ox].clone(), oy, ox);
                y[out + ox] = b;
                idx[out + ox] = a as i64;
            }
        }
    }
}

/// The max of output (oy, ox)'s window over its taps inside the input (`rows`, `cols`), and
/// its flat index in the plane: the first maximum, or the last NaN.
fn window_max(x: &[f32], g: &Geometry, rows: core::ops::Range<usize>, cols: core::ops::Range<usize>, oy: usize, ox: usize) -> (f32, usize) {
    let at = |ky: usize, kx: usize| ((oy * g.sh + ky * g.dh) as isize - g.ph as isize) as usize * g.w + ((ox * g.sw + kx * g.dw) as isize - g.pw as isize) as usize;
    let (mut b, mut a) = (x[at(rows.start, cols.start)], at(rows.start, cols.start));
    for ky in rows {
        for kx in cols.clone() {
            let v = x[at(ky, kx)];
            if v > b || v.is_nan() {
                (b, a) = (v, at(ky, kx));
            }
        }
    }
    (b, a)
}

/// What an average divides by: a fixed number, or the window's size counting padding or not.
#[derive(Clone, Copy)]
pub enum Divisor {
    Fixed(f32),
    WithPadding,
    InsideOnly,
}

/// Calls `f(output position, input rows, input columns, divisor)` for each output of one plane.
fn for_each_window(g: &Geometry, divisor: Divisor, mut f: impl FnMut(usize, core::ops::Range<usize>, core::ops::Range<usize>, f32)) {
    let clip = |start: isize, end: isize, size: usize| start.max(0) as usize..end.min(size as isize).max(0) as usize;
    for oy in 0..g.oh {
        let y0 = (oy * g.sh) as isize - g.ph as isize;
        let y1 = (y0 + g.kh as isize).min((g.h + g.ph) as isize);
        for ox in 0..g.ow {
            let x0 = (ox * g.sw) as isize - g.pw as isize;
            let x1 = (x0 + g.kw as isize).min((g.w + g.pw) as isize);
            let (rows, cols) = (clip(y0, y1, g.h), clip(x0, x1, g.w));
            let d = match divisor {
                Divisor::Fixed(d) => d,
                Divisor::WithPadding => ((y1 - y0) * (x1 - x0)) as f32,
                Divisor::InsideOnly => (rows.len() * cols.len()) as f32,
            };
            f(oy * g.ow + ox, rows, cols, d);
        }
    }
}

pub fn avg_pool2d(x: &[f32], y: &mut [f32], g: &Geometry, divisor: Divisor) {
    let (plane, out_plane) = (g.h * g.w, g.oh * g.ow);
    for p in 0..g.n * g.c {
        let (x, y) = (&x[p * plane..(p + 1) * plane], &mut y[p * out_plane..(p + 1) * out_plane]);
        for_each_window(g, divisor, |o, rows, cols, d| {
            let sum: f32 = rows.map(|iy| x[iy * g.w + cols.start..iy * g.w + cols.end].iter().sum::<f32>()).sum();
            y[o] = sum / d;
        });
    }
}

/// The adjoint of `avg_pool2d`: gx (zeroed by the caller) gets each gy / divisor over its window.
pub fn avg_pool2d_backward(gy: &[f32], gx: &mut [f32], g: &Geometry, divisor: Divisor) {
    let (plane, out_plane) = (g.h * g.w, g.oh * g.ow);
    for p in 0..g.n * g.c {
        let (gy, gx) = (&gy[p * out_plane..(p + 1) * out_plane], &mut gx[p * plane..(p + 1) * plane]);
        for_each_window(g, divisor, |o, rows, cols, d| {
            let v = gy[o] / d;
            for iy in rows {
                gx[iy * g.w + cols.start..iy * g.w + cols.end].iter_mut().for_each(|t| *t += v);
            }
        });
    }
}

/// Mode 0 divides by `divisor` (divisor_override), 1 by the window counting padding, 2 without.
fn divisor_of(mode: u32, divisor: f32) -> Divisor {
    match mode {
        0 => Divisor::Fixed(divisor),
        1 => Divisor::WithPadding,
        _ => Divisor::InsideOnly,
    }
}

/// # Safety
/// `m` holds the 14 geometry words; `x` holds `n·c·h·w` f32, `y` and `idx` `n·c·oh·ow`; disjoint.
/// Computes the images of thread `part` of `parts`; calls for different parts may run at once.
#[no_mangle]
pub unsafe extern "C" fn max_pool2d_f32(x: *const f32, y: *mut f32, idx: *mut i64, m: *const usize, part: usize, parts: usize) {
    let (g, b0) = Geometry::from_meta(meta(m, 14)).share(part, parts);
    let out = g.c * g.oh * g.ow;
    max_pool2d(view(x.add(b0 * g.image()), g.n * g.image()), view_mut(y.add(b0 * out), g.n * out), view_mut(idx.add(b0 * out), g.n * out), &g);
}

/// # Safety
/// As `max_pool2d_f32`, without indices.
#[no_mangle]
pub unsafe extern "C" fn avg_pool2d_f32(x: *const f32, y: *mut f32, m: *const usize, mode: u32, divisor: f32, part: usize, parts: usize) {
    let (g, b0) = Geometry::from_meta(meta(m, 14)).share(part, parts);
    let out = g.c * g.oh * g.ow;
    avg_pool2d(view(x.add(b0 * g.image()), g.n * g.image()), view_mut(y.add(b0 * out), g.n * out), &g, divisor_of(mode, divisor));
}

/// # Safety
/// As `avg_pool2d_f32` with the roles of input and output swapped; `gx` is zeroed by the caller.
#[no_mangle]
pub unsafe extern "C" fn avg_pool2d_backward_f32(gy: *const f32, gx: *mut f32, m: *const usize, mode: u32, divisor: f32, part: usize, parts: usize) {
    let (g, b0) = Geometry::from_meta(meta(m, 14)).share(part, parts);
    let out = g.c * g.oh * g.ow;
    avg_pool2d_backward(view(gy.add(b0 * out), g.n * out), view_mut(gx.add(b0 * g.image()), g.n * g.image()), &g, divisor_of(mode, divisor));
}

#[cfg(test)]
mod tests {
    use super::*;

    fn geometry(c: usize, h: usize, w: usize, k: (usize, usize), s: (usize, usize), p: (usize, usize), d: (usize, usize)) -> Geometry {
        let oh = (h + 2 * p.0 - d.0 * (k.0 - 1) - 1) / s.0 + 1;
        let ow = (w + 2 * p.1 - d.1 * (k.1 - 1) - 1) / s.1 + 1;
        Geometry { n: 1, c, h, w, kh: k.0, kw: k.1, sh: s.0, sw: s.1, ph: p.0, pw: p.1, dh: d.0, dw: d.1, oh, ow }
    }

    /// The taps of output (p, oy, ox) that fall inside the input, by the definition.
    fn taps(g: &Geometry, oy: usize, ox: usize) -> Vec<usize> {
        let mut out = vec![];
        for ky in 0..g.kh {
            for kx in 0..g.kw {
                let iy = (oy * g.sh + ky * g.dh) as isize - g.ph as isize;
                let ix = (ox * g.sw + kx * g.dw) as isize - g.pw as isize;
                if iy >= 0 && ix >= 0 && iy < g.h as isize && ix < g.w as isize {
                    out.push(iy as usize * g.w + ix as usize);
                }
            }
        }
        out
    }

    const SHAPES: [(usize, usize, usize, (usize, usize), (usize, usize), (usize, usize), (usize, usize)); 4] = [
        (2, 6, 6, (2, 2), (2, 2), (0, 0), (1, 1)),
        (1, 7, 5, (3, 2), (2, 1), (1, 1), (1, 1)),
        (2, 9, 8, (3, 3), (1, 2), (1, 0), (2, 3)),
        (1, 4, 4, (4, 4), (1, 1), (2, 2), (1, 1)),
    ];

    #[test]
    fn max_pool_picks_the_first_maximum_of_each_window() {
        // wide rows too, so that SIMD blocks of four and tails both occur, at strides 1, 2, 3
        let wide = [(2, 5, 21, (2, 2), (2, 2), (0, 0), (1, 1)), (1, 6, 19, (3, 3), (1, 1), (1, 1), (1, 1)), (1, 7, 30, (2, 3), (3, 3), (0, 1), (1, 2))];
        for &(c, h, w, k, s, p, d) in SHAPES.iter().chain(&wide) {
            let g = geometry(c, h, w, k, s, p, d);
            // repeated values, so ties occur; NaN and -inf in some planes
            let x: Vec<f32> = (0..c * h * w)
                .map(|i| match (i * 7) % 11 {
                    10 if i % 3 == 0 => f32::NAN,
                    9 => f32::NEG_INFINITY,
                    r => (r % 5) as f32,
                })
                .collect();
            let out = c * g.oh * g.ow;
            let (mut y, mut idx) = (vec![0.0; out], vec![0; out]);
            max_pool2d(&x, &mut y, &mut idx, &g);
            for ch in 0..c {
                let plane = &x[ch * h * w..(ch + 1) * h * w];
                for oy in 0..g.oh {
                    for ox in 0..g.ow {
                        let t = taps(&g, oy, ox);
                        let best = t.iter().copied().fold(t[0], |b, i| if plane[i] > plane[b] || plane[i].is_nan() { i } else { b });
                        let o = (ch * g.oh + oy) * g.ow + ox;
                        assert_eq!((y[o].to_bits(), idx[o]), (plane[best].to_bits(), best as i64), "{g:?} at {ch} {oy} {ox}");
                    }
                }
            }
        }
    }

    #[test]
    fn avg_pool_and_its_backward_are_adjoint_for_every_divisor() {
        for &(c, h, w, k, s, p, _) in &SHAPES {
            let g = geometry(c, h, w, k, s, p, (1, 1));
            let x: Vec<f32> = (0..c * h * w).map(|i| i as f32 * 0.25 - 2.0).collect();
            let gy: Vec<f32> = (0..c * g.oh * g.ow).map(|i| (i % 7) as f32 - 3.0).collect();
            for divisor in [Divisor::Fixed(3.0), Divisor::WithPadding, Divisor::InsideOnly] {
                let mut y = vec![0.0; gy.len()];
                avg_pool2d(&x, &mut y, &g, divisor);
                let mut gx = vec![0.0; x.len()];
                avg_pool2d_backward(&gy, &mut gx, &g, divisor);
                for ch in 0..c {
                    for oy in 0..g.oh {
                        for ox in 0..g.ow {
                            let t = taps(&g, oy, ox);
                            let d = match divisor {
                                Divisor::Fixed(d) => d,
                                Divisor::WithPadding => (g.kh * g.kw) as f32,
                                Divisor::InsideOnly => t.len() as f32,
                            };
                            let want: f32 = t.iter().map(|&i| x[ch * h * w + i]).sum::<f32>() / d;
                            assert!((y[(ch * g.oh + oy) * g.ow + ox] - want).abs() < 1e-5);
                        }
                    }
                }
                // <avg_pool(x), gy> = <x, avg_pool_backward(gy)>
                let lhs: f32 = y.iter().zip(&gy).map(|(a, b)| a * b).sum();
                let rhs: f32 = x.iter().zip(&gx).map(|(a, b)| a * b).sum();
                assert!((lhs - rhs).abs() < 1e-3 * (1.0 + lhs.abs()), "{lhs} vs {rhs}");
            }
        }
    }
}
