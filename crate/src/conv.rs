//! im2col and col2im for 2-D convolution and pooling (PyTorch's `unfold` and `fold`):
//! a batch `[n, c, h, w]` becomes columns `[n, c·kh·kw, oh·ow]`, so a convolution is one
//! batched matmul and a pooling a reduction. The metadata block holds
//! `n c h w kh kw sh sw ph pw dh dw oh ow`.
//!
//! Convolution itself and its weight gradient never materialise the columns (implicit GEMM):
//! the forward reads its B rows in the image where it can and gathers the other panels
//! (`Unfolded`); the weight gradient reads its A rows in the image. Padded convolutions run
//! on zero-bordered copies of the images. im2col stays for pooling, unfold and the input
//! gradient's col2im.

use crate::matmul::{micro_rows, micro_with, pack_a, store_tile, Mat, MR, NR};
use crate::mem::{meta, view, view_mut};
use crate::simd::V4;

/// The geometry of one unfold: input, kernel, stride, padding, dilation, output.
#[derive(Clone, Copy, Debug)]
pub struct Geometry {
    pub n: usize,
    pub c: usize,
    pub h: usize,
    pub w: usize,
    pub kh: usize,
    pub kw: usize,
    pub sh: usize,
    pub sw: usize,
    pub ph: usize,
    pub pw: usize,
    pub dh: usize,
    pub dw: usize,
    pub oh: usize,
    pub ow: usize,
}

impl Geometry {
    pub(crate) fn from_meta(m: &[usize]) -> Geometry {
        Geometry { n: m[0], c: m[1], h: m[2], w: m[3], kh: m[4], kw: m[5], sh: m[6], sw: m[7], ph: m[8], pw: m[9], dh: m[10], dw: m[11], oh: m[12], ow: m[13] }
    }
    /// The images of thread `part` of `parts` (0 of 0: all): the geometry of just those, and
    /// the first one's index. Images are independent, so shares write disjoint outputs.
    pub(crate) fn share(&self, part: usize, parts: usize) -> (Geometry, usize) {
        let parts = parts.max(1);
        let (b0, b1) = (self.n * part / parts, self.n * (part + 1) / parts);
        (Geometry { n: b1 - b0, ..*self }, b0)
    }
    pub(crate) fn image(&self) -> usize {
        self.c * self.h * self.w
    }
    fn columns(&self) -> usize {
        self.c * self.kh * self.kw * self.oh * self.ow
    }
    /// Calls `f(row offset in one image's columns, input offset of that row's image channel,
    /// input row, first input column, the output columns whose input column is inside)` for
    /// every (channel, ky, kx, output row), with the input row already offset by padding (it
    /// may fall outside the image). The inside span depends on kx only, so it is found once.
    fn for_each_run(&self, mut f: impl FnMut(usize, usize, isize, isize, &core::ops::Range<usize>)) {
        let l = self.oh * self.ow;
        for ch in 0..self.c {
            for ky in 0..self.kh {
                for kx in 0..self.kw {
                    let row = ((ch * self.kh + ky) * self.kw + kx) * l;
                    let ix0 = (kx * self.dw) as isize - self.pw as isize;
                    let span = inside(ix0, self.sw, self.w, self.ow);
                    for oy in 0..self.oh {
                        let iy = (oy * self.sh + ky * self.dh) as isize - self.ph as isize;
                        f(row + oy * self.ow, ch * self.h * self.w, iy, ix0, &span);
                    }
                }
            }
        }
    }
}

/// The output columns `ox` whose input column `ix0 + ox·sw` lies inside `[0, w)`.
fn inside(ix0: isize, sw: usize, w: usize, ow: usize) -> core::ops::Range<usize> {
    let sw = sw as isize;
    // smallest ox with ix0 + ox·sw >= 0, and one past the largest with ix0 + ox·sw < w
    let lo = if ix0 >= 0 { 0 } else { ((-ix0 + sw - 1) / sw) as usize };
    let hi = if ix0 >= w as isize { 0 } else { ((w as isize - 1 - ix0) / sw + 1) as usize };
    lo.min(ow)..hi.min(ow).max(lo.min(ow))
}

/// Columns of every image; positions outside the image read `pad` (0 for convolution,
/// -inf for max pooling).
pub fn im2col(x: &[f32], cols: &mut [f32], g: &Geometry, pad: f32) {
    let (img, per) = (g.image(), g.columns());
    for b in 0..g.n {
        let (x, cols) = (&x[b * img..(b + 1) * img], &mut cols[b * per..(b + 1) * per]);
        g.for_each_run(|at, plane, iy, ix0, r| {
            let out = &mut cols[at..at + g.ow];
            if iy < 0 || iy >= g.h as isize {
                out.fill(pad);
                return;
            }
            let src = &x[plane + iy as usize * g.w..plane + (iy as usize + 1) * g.w];
            out[..r.start].fill(pad);
            out[r.end..].fill(pad);
            let first = (ix0 + (r.start * g.sw) as isize) as usize;
            if g.sw == 1 {
                out[r.clone()].copy_from_slice(&src[first..first + r.len()]);
            } else {
                for (k, o) in out[r.clone()].iter_mut().enumerate() {
                    *o = src[first + k * g.sw];
                }
            }
        });
    }
}

/// The adjoint of `im2col` with pad 0: adds every column entry back onto the input position
/// it was read from (positions read by several windows accumulate).
pub fn col2im(cols: &[f32], x: &mut [f32], g: &Geometry) {
    let (img, per) = (g.image(), g.columns());
    for b in 0..g.n {
        let (x, cols) = (&mut x[b * img..(b + 1) * img], &cols[b * per..(b + 1) * per]);
        g.for_each_run(|at, plane, iy, ix0, r| {
            if iy < 0 || iy >= g.h as isize {
                return;
            }
            let dst = &mut x[plane + iy as usize * g.w..plane + (iy as usize + 1) * g.w];
            let first = (ix0 + (r.start * g.sw) as isize) as usize;
            for (k, &v) in cols[at + r.start..at + r.end].iter().enumerate() {
                dst[first + k * g.sw] += v;
            }
        });
    }
}

/// One tap of the kernel window, a row of the unfolded image: where it reads relative to a
/// window's origin, as an offset into the image and as (rows, columns) down and across.
#[derive(Clone, Copy)]
struct Tap {
    offset: usize,
    dy: usize,
    dx: usize,
}

impl Geometry {
    /// The taps in unfold's row order (channel, ky, kx).
    fn taps(&self) -> Vec<Tap> {
        let mut taps = Vec::with_capacity(self.c * self.kh * self.kw);
        for ch in 0..self.c {
            for ky in 0..self.kh {
                for kx in 0..self.kw {
                    let (dy, dx) = (ky * self.dh, kx * self.dw);
                    taps.push(Tap { offset: ch * self.h * self.w + dy * self.w + dx, dy, dx });
                }
            }
        }
        taps
    }
    /// The input position of output `l`'s window origin (negative inside the padding).
    fn origin(&self, l: usize) -> (isize, isize) {
        ((l / self.ow * self.sh) as isize - self.ph as isize, (l % self.ow * self.sw) as isize - self.pw as isize)
    }
    /// The geometry of the images with their padding made part of them (zeros around).
    fn bordered(&self) -> Geometry {
        Geometry { h: self.h + 2 * self.ph, w: self.w + 2 * self.pw, ph: 0, pw: 0, ..*self }
    }
    /// Copies images into the insides of `out`, laid out as `bordered()`; their borders stay as they are (zero).
    fn copy_bordered(&self, x: &[f32], out: &mut [f32]) {
        let (h, w) = (self.h + 2 * self.ph, self.w + 2 * self.pw);
        for (r, row) in x.chunks_exact(self.w).enumerate() {
            let (plane, iy) = (r / self.h, r % self.h);
            let at = (plane * h + iy + self.ph) * w + self.pw;
            out[at..at + self.w].copy_from_slice(row);
        }
    }
    /// Where outputs `j..j+cols` read their first tap, when they are NR outputs adjacent in one
    /// row (stride 1) whose windows all lie inside the image: then tap t's B row is the NR
    /// inputs from that position plus t's offset.
    fn adjacent_inside(&self, j: usize, cols: usize) -> Option<usize> {
        let (oy, ox) = (j / self.ow, j % self.ow);
        if cols != NR || self.sw != 1 || ox + NR > self.ow {
            return None;
        }
        let first = ((oy * self.sh) as isize - self.ph as isize, ox as isize - self.pw as isize);
        let last = (first.0, first.1 + NR as isize - 1);
        (self.window_inside(first) && self.window_inside(last)).then(|| first.0 as usize * self.w + first.1 as usize)
    }
    /// Whether every tap of the window at `origin` lies inside the image.
    #[inline(always)]
    fn window_inside(&self, origin: (isize, isize)) -> bool {
        let span = |k: usize, d: usize| ((k - 1) * d) as isize;
        origin.0 >= 0 && origin.1 >= 0 && origin.0 + span(self.kh, self.dh) < self.h as isize && origin.1 + span(self.kw, self.dw) < self.w as isize
    }
    /// The image's value at a tap of the window at `origin`, 0 in the padding.
    #[inline(always)]
    fn read(&self, x: &[f32], origin: (isize, isize), t: Tap) -> f32 {
        let (iy, ix) = (origin.0 + t.dy as isize, origin.1 + t.dx as isize);
        if iy < 0 || ix < 0 || iy >= self.h as isize || ix >= self.w as isize {
            0.0
        } else {
            x[t.offset - t.dy * self.w - t.dx + iy as usize * self.w + ix as usize]
        }
    }
}

/// One image unfolded: its columns (c·kh·kw × oh·ow) as packed B panels, gathered from the
/// image.
struct Unfolded<'a> {
    x: &'a [f32],
    g: &'a Geometry,
    taps: &'a [Tap],
}

impl Unfolded<'_> {
    /// Columns `j0..j0+nc` over taps `p0..p0+kc`, as NR-column panels (k-major, zero-padded).
    fn pack(&self, p0: usize, kc: usize, j0: usize, nc: usize, out: &mut [f32]) {
        let (g, x) = (self.g, self.x);
        for (panel, dst) in out.chunks_exact_mut(NR * kc).enumerate().take(nc.div_ceil(NR)) {
            let (j, cols) = (j0 + panel * NR, NR.min(nc - panel * NR));
            let origin: [(isize, isize); NR] = core::array::from_fn(|c| g.origin(j + c.min(cols - 1)));
            // eight adjacent outputs of one row read eight adjacent inputs at every tap
            let adjacent = cols == NR && g.sw == 1 && origin[0].0 == origin[NR - 1].0;
            // the panel's windows all inside the image: reads need no bounds
            let inside = origin.iter().all(|&o| g.window_inside(o));
            let base: [usize; NR] = core::array::from_fn(|c| if inside { origin[c].0 as usize * g.w + origin[c].1 as usize } else { 0 });
            for (t, row) in self.taps[p0..p0 + kc].iter().zip(dst.chunks_exact_mut(NR)) {
                let (iy, ix) = (origin[0].0 + t.dy as isize, origin[0].1 + t.dx as isize);
                if adjacent && iy >= 0 && iy < g.h as isize && ix >= 0 && ix + NR as isize <= g.w as isize {
                    let at = t.offset - t.dy * g.w - t.dx + iy as usize * g.w + ix as usize;
                    row.copy_from_slice(&x[at..at + NR]);
                } else if inside {
                    for (c, v) in row.iter_mut().enumerate() {
                        *v = if c < cols { x[base[c] + t.offset] } else { 0.0 };
                    }
                } else {
                    for (c, v) in row.iter_mut().enumerate() {
                        *v = if c < cols { g.read(x, origin[c], *t) } else { 0.0 };
                    }
                }
            }
        }
    }
}

/// y[b] (cout × oh·ow) = w (cout × c·kh·kw) · unfold(x[b]) for each image, K unblocked. The
/// weights are packed once. A panel of eight outputs adjacent in one row, their windows inside
/// the image, reads its B rows in the image itself (tap t's row is eight adjacent inputs), so
/// most panels are never packed; the others are gathered into a panel first. A padded
/// convolution runs on a zero-bordered copy of each image, so that its edge windows are inside too.
pub fn conv2d(x: &[f32], w: &[f32], y: &mut [f32], cout: usize, src: &Geometry) {
    let g = &src.bordered();
    let mut bordered = vec![0.0; if src.ph + src.pw > 0 { g.image() } else { 0 }];
    let (taps, l) = (g.taps(), g.oh * g.ow);
    let k = taps.len();
    if k == 0 {
        y[..g.n * cout * l].fill(0.0);
        return;
    }
    let mut a = vec![0.0; cout.div_ceil(MR) * MR * k];
    pack_a(Mat { data: w, rs: k, cs: 1 }, 0, cout, 0, k, &mut a);
    let offsets: Vec<usize> = taps.iter().map(|t| t.offset).collect();
    let reach = offsets.iter().max().map_or(0, |&o| o + NR);
    let mut panel = vec![0.0; NR * k];
    for b in 0..g.n {
        let mut x = &x[b * src.image()..(b + 1) * src.image()];
        if !bordered.is_empty() {
            src.copy_bordered(x, &mut bordered);
            x = &bordered;
        }
        let unfolded = Unfolded { x, g, taps: &taps };
        let y = &mut y[b * cout * l..(b + 1) * cout * l];
        for j in (0..l).step_by(NR) {
            let cols = NR.min(l - j);
            let base = g.adjacent_inside(j, cols);
            if base.is_none() {
                unfolded.pack(0, k, j, cols, &mut panel);
            }
            for ip in 0..cout.div_ceil(MR) {
                let ap = &a[ip * MR * k..(ip + 1) * MR * k];
                let acc = match base {
                    Some(base) => {
                        let rows = &x[base..base + reach];
                        micro_with(ap, |p| {
                            let at = offsets[p];
                            assert!(at + NR <= rows.len());
                            // SAFETY: the assert: NR f32 from `at` lie inside `rows`
                            unsafe { (V4::read(rows.as_ptr().add(at)), V4::read(rows.as_ptr().add(at + 4))) }
                        })
                    }
                    None => micro_with(ap, |p| (V4::load(&panel[p * NR..]), V4::load(&panel[p * NR + 4..]))),
                };
                store_tile(acc, y, l, ip * MR, j, MR.min(cout - ip * MR), cols, true);
            }
        }
    }
}

/// How many outputs (the weight gradient's k) go into one block of packed output gradient.
const KW: usize = 256;

/// Taps `j0..j1` of the weight gradient: gw[co, j] = Σ over images and outputs o of
/// gy[b, co, o] · unfold(x[b])[j, o], as one product C (taps × channels) over k = every
/// image's outputs. The output gradient is packed into NR-channel panels, block by block;
/// A, the unfolded images, is read in the (bordered) images themselves, four taps of one
/// output at a time, so no columns are gathered into a panel.
pub fn conv2d_weight(x: &[f32], gy: &[f32], gw: &mut [f32], cout: usize, src: &Geometry, j0: usize, j1: usize) {
    let g = &src.bordered();
    let (taps, l) = (g.taps(), g.oh * g.ow);
    let ckk = taps.len();
    if j1 <= j0 || cout == 0 {
        return;
    }
    let owned;
    let x = if src.ph + src.pw > 0 {
        let mut b = vec![0.0; g.n * g.image()];
        src.copy_bordered(x, &mut b);
        owned = b;
        &owned[..]
    } else {
        x
    };
    let (m, panels) = (j1 - j0, cout.div_ceil(NR));
    let ldc = panels * NR;
    let mut c = vec![0.0; m.div_ceil(MR) * MR * ldc];
    let mut bpack = vec![0.0; ldc * KW];
    let mut origins = [0usize; KW];
    let k = g.n * l;
    // the output the next k is, counted along rather than divided out
    let (mut b, mut oy, mut ox) = (0, 0, 0);
    for p0 in (0..k).step_by(KW) {
        let kc = KW.min(k - p0);
        for (p, origin) in origins.iter_mut().enumerate().take(kc) {
            *origin = b * g.image() + oy * g.sh * g.w + ox * g.sw;
            let o = oy * g.ow + ox;
            for co in 0..ldc {
                bpack[(co / NR * kc + p) * NR + co % NR] = if co < cout { gy[(b * cout + co) * l + o] } else { 0.0 };
            }
            ox += 1;
            if ox == g.ow {
                (oy, ox) = (oy + 1, 0);
                if oy == g.oh {
                    (b, oy) = (b + 1, 0);
                }
            }
        }
        for ip in 0..m.div_ceil(MR) {
            let rows = MR.min(m - ip * MR);
            let offsets: [usize; MR] = core::array::from_fn(|r| taps[j0 + ip * MR + r.min(rows - 1)].offset);
            for q in 0..panels {
                let bp = &bpack[q * NR * kc..(q + 1) * NR * kc];
                let acc = micro_rows(kc, |p| offsets.map(|off| x[origins[p] + off]), |p| (V4::load(&bp[p * NR..]), V4::load(&bp[p * NR + 4..])));
                store_tile(acc, &mut c, ldc, ip * MR, q * NR, rows, NR, p0 == 0);
            }
        }
    }
    for (jj, row) in c.chunks_exact(ldc).take(m).enumerate() {
        for (co, &v) in row.iter().take(cout).enumerate() {
            gw[co * ckk + j0 + jj] = v;
        }
    }
}

/// The taps of the weight gradient that thread `part` of `parts` computes: bands of whole MR
/// panels, so that each entry is computed as by one thread.
fn weight_band(ckk: usize, part: usize, parts: usize) -> (usize, usize) {
    let band = ckk.div_ceil(parts.max(1)).div_ceil(MR) * MR;
    ((band * part).min(ckk), (band * (part + 1)).min(ckk))
}

/// # Safety
/// `m` holds the 14 geometry words; `x` holds `n·c·h·w` f32, `w` `cout·c·kh·kw`, `y`
/// `n·cout·oh·ow`; `y` overlaps neither. Computes the images of thread `part` of `parts`.
#[no_mangle]
pub unsafe extern "C" fn conv2d_f32(x: *const f32, w: *const f32, y: *mut f32, m: *const usize, cout: usize, part: usize, parts: usize) {
    let (g, b0) = Geometry::from_meta(meta(m, 14)).share(part, parts);
    let out = cout * g.oh * g.ow;
    conv2d(view(x.add(b0 * g.image()), g.n * g.image()), view(w, cout * g.c * g.kh * g.kw), view_mut(y.add(b0 * out), g.n * out), cout, &g);
}

/// # Safety
/// `m` holds the 14 geometry words; `x` holds `n·c·h·w` f32, `gy` `n·cout·oh·ow`, `gw`
/// `cout·c·kh·kw`, which overlaps neither. Computes thread `part`'s band of gw's columns.
#[no_mangle]
pub unsafe extern "C" fn conv2d_weight_f32(x: *const f32, gy: *const f32, gw: *mut f32, m: *const usize, cout: usize, part: usize, parts: usize) {
    let g = Geometry::from_meta(meta(m, 14));
    let ckk = g.c * g.kh * g.kw;
    let (j0, j1) = weight_band(ckk, part, parts);
    conv2d_weight(view(x, g.n * g.image()), view(gy, g.n * cout * g.oh * g.ow), view_mut(gw, cout * ckk), cout, &g, j0, j1);
}

/// # Safety
/// `m` holds the 14 geometry words; `x` holds `n·c·h·w` f32, `cols` `n·c·kh·kw·oh·ow`; disjoint.
/// Computes the images of thread `part` of `parts`; calls for different parts may run at once.
#[no_mangle]
pub unsafe extern "C" fn im2col_f32(x: *const f32, cols: *mut f32, m: *const usize, pad: f32, part: usize, parts: usize) {
    let (g, b0) = Geometry::from_meta(meta(m, 14)).share(part, parts);
    im2col(view(x.add(b0 * g.image()), g.n * g.image()), view_mut(cols.add(b0 * g.columns()), g.n * g.columns()), &g, pad);
}

/// # Safety
/// As `im2col_f32`, with `x` written (accumulated into; the caller zeroes it).
#[no_mangle]
pub unsafe extern "C" fn col2im_f32(cols: *const f32, x: *mut f32, m: *const usize, part: usize, parts: usize) {
    let (g, b0) = Geometry::from_meta(meta(m, 14)).share(part, parts);
    col2im(view(cols.add(b0 * g.columns()), g.n * g.columns()), view_mut(x.add(b0 * g.image()), g.n * g.image()), &g);
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::matmul::gemm_scalar;

    fn geometry(n: usize, c: usize, h: usize, w: usize, k: (usize, usize), s: (usize, usize), p: (usize, usize), d: (usize, usize)) -> Geometry {
        let oh = (h + 2 * p.0 - d.0 * (k.0 - 1) - 1) / s.0 + 1;
        let ow = (w + 2 * p.1 - d.1 * (k.1 - 1) - 1) / s.1 + 1;
        Geometry { n, c, h, w, kh: k.0, kw: k.1, sh: s.0, sw: s.1, ph: p.0, pw: p.1, dh: d.0, dw: d.1, oh, ow }
    }

    /// The definition, one entry at a time: the oracle for both kernels.
    fn entry(x: &[f32], g: &Geometry, b: usize, ch: usize, ky: usize, kx: usize, oy: usize, ox: usize, pad: f32) -> (f32, Option<usize>) {
        let iy = (oy * g.sh + ky * g.dh) as isize - g.ph as isize;
        let ix = (ox * g.sw + kx * g.dw) as isize - g.pw as isize;
        if iy < 0 || ix < 0 || iy >= g.h as isize || ix >= g.w as isize {
            return (pad, None);
        }
        let at = ((b * g.c + ch) * g.h + iy as usize) * g.w + ix as usize;
        (x[at], Some(at))
    }

    #[test]
    fn im2col_and_col2im_match_the_definition_for_strides_padding_and_dilation() {
        let shapes = [
            geometry(2, 3, 5, 6, (3, 3), (1, 1), (1, 1), (1, 1)),
            geometry(1, 2, 7, 5, (2, 3), (2, 1), (0, 2), (1, 1)),
            geometry(2, 1, 9, 8, (3, 2), (2, 3), (2, 1), (2, 3)),
            geometry(1, 4, 4, 4, (4, 4), (1, 1), (0, 0), (1, 1)),
        ];
        for g in &shapes {
            let x: Vec<f32> = (0..g.n * g.image()).map(|i| i as f32 * 0.5 - 3.0).collect();
            let mut cols = vec![f32::NAN; g.n * g.columns()];
            im2col(&x, &mut cols, g, -7.0);
            let cols_grad: Vec<f32> = (0..cols.len()).map(|i| (i % 13) as f32 - 6.0).collect();
            let mut back = vec![0.0; x.len()];
            col2im(&cols_grad, &mut back, g);
            let mut want_back = vec![0.0; x.len()];
            let mut i = 0;
            for b in 0..g.n {
                for ch in 0..g.c {
                    for ky in 0..g.kh {
                        for kx in 0..g.kw {
                            for oy in 0..g.oh {
                                for ox in 0..g.ow {
                                    let (v, at) = entry(&x, g, b, ch, ky, kx, oy, ox, -7.0);
                                    assert_eq!(cols[i], v, "entry {i}");
                                    if let Some(at) = at {
                                        want_back[at] += cols_grad[i];
                                    }
                                    i += 1;
                                }
                            }
                        }
                    }
                }
            }
            assert_eq!(back, want_back);
        }
    }

    #[test]
    fn shares_of_the_batch_together_give_the_whole() {
        let g = geometry(5, 2, 6, 5, (3, 2), (1, 2), (1, 0), (1, 1));
        let m = [g.n, g.c, g.h, g.w, g.kh, g.kw, g.sh, g.sw, g.ph, g.pw, g.dh, g.dw, g.oh, g.ow];
        let x: Vec<f32> = (0..g.n * g.image()).map(|i| (i % 17) as f32 - 8.0).collect();
        let mut whole = vec![0.0; g.n * g.columns()];
        im2col(&x, &mut whole, &g, 0.0);
        let mut back_whole = vec![0.0; x.len()];
        col2im(&whole, &mut back_whole, &g);
        for parts in 2..=6 {
            let (mut cols, mut back) = (vec![f32::NAN; whole.len()], vec![0.0; x.len()]);
            for part in 0..parts {
                // SAFETY: the buffers hold the layouts `m` describes; parts write disjoint images
                unsafe {
                    im2col_f32(x.as_ptr(), cols.as_mut_ptr(), m.as_ptr(), 0.0, part, parts);
                    col2im_f32(whole.as_ptr(), back.as_mut_ptr(), m.as_ptr(), part, parts);
                }
            }
            assert_eq!(cols, whole, "{parts} parts");
            assert_eq!(back, back_whole, "{parts} parts");
        }
    }

    #[test]
    fn convolution_and_its_weight_gradient_match_unfold_times_weights() {
        let shapes = [
            geometry(2, 3, 12, 13, (5, 5), (1, 1), (0, 0), (1, 1)),
            geometry(3, 2, 9, 20, (3, 3), (1, 1), (1, 1), (1, 1)),
            geometry(2, 1, 9, 8, (3, 2), (2, 3), (2, 1), (2, 3)),
            geometry(1, 70, 6, 6, (2, 2), (1, 1), (0, 0), (1, 1)),
            geometry(2, 4, 7, 30, (1, 3), (2, 1), (0, 2), (1, 1)),
        ];
        for g in &shapes {
            let (ckk, l) = (g.c * g.kh * g.kw, g.oh * g.ow);
            let x: Vec<f32> = (0..g.n * g.image()).map(|i| ((i * 37) % 23) as f32 * 0.125 - 1.0).collect();
            let mut cols = vec![0.0; g.n * g.columns()];
            im2col(&x, &mut cols, g, 0.0);
            for cout in [1, 6, 9] {
                let w: Vec<f32> = (0..cout * ckk).map(|i| ((i * 11) % 17) as f32 * 0.25 - 2.0).collect();
                let wm = Mat { data: &w, rs: ckk, cs: 1 };
                let mut y = vec![f32::NAN; g.n * cout * l];
                conv2d(&x, &w, &mut y, cout, g);
                let gy: Vec<f32> = (0..y.len()).map(|i| ((i * 5) % 13) as f32 * 0.5 - 3.0).collect();
                let mut gw = vec![f32::NAN; cout * ckk];
                let (j0, j1) = weight_band(ckk, 0, 1);
                conv2d_weight(&x, &gy, &mut gw, cout, g, j0, j1);
                let mut want_gw = vec![0.0f64; cout * ckk];
                for b in 0..g.n {
                    let cb = Mat { data: &cols[b * ckk * l..], rs: l, cs: 1 };
                    let mut want = vec![0.0; cout * l];
                    gemm_scalar(wm, cb, &mut want, cout, l, ckk);
                    for (got, want) in y[b * cout * l..(b + 1) * cout * l].iter().zip(&want) {
                        assert!((got - want).abs() <= 1e-4 * (1.0 + want.abs()), "{g:?} cout {cout}: {got} vs {want}");
                    }
                    for co in 0..cout {
                        for j in 0..ckk {
                            want_gw[co * ckk + j] += (0..l).map(|o| gy[(b * cout + co) * l + o] as f64 * cols[(b * ckk + j) * l + o] as f64).sum::<f64>();
                        }
                    }
                }
                for (got, want) in gw.iter().zip(&want_gw) {
                    assert!((*got as f64 - want).abs() <= 1e-3 * (1.0 + want.abs()), "{g:?} cout {cout}: weight grad {got} vs {want}");
                }
                // any split over threads gives the same bits
                let m = [g.n, g.c, g.h, g.w, g.kh, g.kw, g.sh, g.sw, g.ph, g.pw, g.dh, g.dw, g.oh, g.ow];
                for parts in 2..=3 {
                    let (mut ys, mut gws) = (vec![f32::NAN; y.len()], vec![f32::NAN; gw.len()]);
                    for part in 0..parts {
                        // SAFETY: the buffers hold the layouts `m` describes; parts write disjoint outputs
                        unsafe {
                            conv2d_f32(x.as_ptr(), w.as_ptr(), ys.as_mut_ptr(), m.as_ptr(), cout, part, parts);
                            conv2d_weight_f32(x.as_ptr(), gy.as_ptr(), gws.as_mut_ptr(), m.as_ptr(), cout, part, parts);
                        }
                    }
                    assert!(ys.iter().zip(&y).all(|(a, b)| a.to_bits() == b.to_bits()), "{g:?} {parts} parts");
                    assert!(gws.iter().zip(&gw).all(|(a, b)| a.to_bits() == b.to_bits()), "{g:?} {parts} parts: weight grad");
                }
            }
        }
    }
}
