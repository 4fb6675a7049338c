//! im2col and col2im for 2-D convolution and pooling (PyTorch's `unfold` and `fold`):
//! a batch `[n, c, h, w]` becomes columns `[n, c·kh·kw, oh·ow]`, so a convolution is one
//! batched matmul and a pooling a reduction. The metadata block holds
//! `n c h w kh kw sh sw ph pw dh dw oh ow`.

use crate::mem::{meta, view, view_mut};

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
}
