//! f32 matrix multiply C = A·B, blocked for the caches and register-tiled for SIMD
//! (the Goto/BLIS scheme): B is packed into NR-wide panels, A into MR-tall panels, and a
//! 4×8 micro-kernel keeps eight f32x4 accumulators in registers. Packing reads the operands
//! through arbitrary row/column strides, so Aᵀ·B and A·Bᵀ cost the same as A·B: no copies.
//! Convolution (conv.rs) reuses the packing, the micro-kernel and the tile store with its
//! operands read in the image.

use crate::mem::{view, view_mut};
use crate::simd::V4;
use std::cell::Cell;

pub const MR: usize = 4;
pub const NR: usize = 8;
const KC: usize = 256;
const MC: usize = 128;
const NC: usize = 1024;

/// A read-only matrix whose element (i, j) is `data[i * rs + j * cs]`.
#[derive(Copy, Clone)]
pub struct Mat<'a> {
    pub data: &'a [f32],
    pub rs: usize,
    pub cs: usize,
}

impl Mat<'_> {
    #[inline(always)]
    fn at(&self, i: usize, j: usize) -> f32 {
        self.data[i * self.rs + j * self.cs]
    }
}

thread_local! {
    /// The packing buffers, reused between calls. Taken out for a call and put back after it
    /// (not borrowed through a RefCell): a call that traps then merely loses them, where a
    /// borrow flag left set would make every later call panic.
    static PACK: Cell<(Vec<f32>, Vec<f32>)> = const { Cell::new((Vec::new(), Vec::new())) };
}

/// Packs rows `i0..i0+mc`, columns `p0..p0+kc` of A as MR-row panels, k-major, zero-padded.
pub fn pack_a(a: Mat, i0: usize, mc: usize, p0: usize, kc: usize, out: &mut [f32]) {
    for (panel, dst) in out.chunks_exact_mut(MR * kc).enumerate().take(mc.div_ceil(MR)) {
        let rows = MR.min(mc - panel * MR);
        let i = i0 + panel * MR;
        if rows == MR && a.rs == 1 {
            // a transposed operand: each k holds the panel's rows side by side
            for (p, d) in dst.chunks_exact_mut(MR).take(kc).enumerate() {
                let start = (p0 + p) * a.cs + i;
                d.copy_from_slice(&a.data[start..start + MR]);
            }
        } else if rows == MR && a.cs == 1 {
            let src: [&[f32]; MR] = core::array::from_fn(|r| &a.data[(i + r) * a.rs + p0..][..kc]);
            for (p, d) in dst.chunks_exact_mut(MR).take(kc).enumerate() {
                for (r, v) in d.iter_mut().enumerate() {
                    *v = src[r][p];
                }
            }
        } else {
            for p in 0..kc {
                for r in 0..MR {
                    dst[p * MR + r] = if r < rows { a.at(i + r, p0 + p) } else { 0.0 };
                }
            }
        }
    }
}

/// Packs rows `p0..p0+kc`, columns `j0..j0+nc` of B as NR-column panels, k-major, zero-padded.
fn pack_b(b: Mat, p0: usize, kc: usize, j0: usize, nc: usize, out: &mut [f32]) {
    for (panel, dst) in out.chunks_exact_mut(NR * kc).enumerate().take(nc.div_ceil(NR)) {
        let cols = NR.min(nc - panel * NR);
        let j = j0 + panel * NR;
        if cols == NR && b.cs != 1 && b.rs == 1 {
            // a transposed operand: its columns are contiguous along k, read as NR streams
            let src: [&[f32]; NR] = core::array::from_fn(|c| &b.data[(j + c) * b.cs + p0..][..kc]);
            for (p, row) in dst.chunks_exact_mut(NR).take(kc).enumerate() {
                for (c, v) in row.iter_mut().enumerate() {
                    *v = src[c][p];
                }
            }
            continue;
        }
        for p in 0..kc {
            let row = &mut dst[p * NR..(p + 1) * NR];
            if b.cs == 1 && cols == NR {
                let start = (p0 + p) * b.rs + j;
                row.copy_from_slice(&b.data[start..start + NR]);
            } else {
                for (c, v) in row.iter_mut().enumerate() {
                    *v = if c < cols { b.at(p0 + p, j + c) } else { 0.0 };
                }
            }
        }
    }
}

/// The 4×8 register tile: returns Σ_p a[p]·b[p] for one A panel and one B panel. Its own
/// loop over both panels' chunks rather than `micro_rows` with indexing closures: the matmul
/// runs ~20% slower through those (bounds checks per k).
#[inline(always)]
fn micro(ap: &[f32], bp: &[f32]) -> [[V4; 2]; MR] {
    let mut acc = [[V4::splat(0.0); 2]; MR];
    for (ak, bk) in ap.chunks_exact(MR).zip(bp.chunks_exact(NR)) {
        let b0 = V4::load(&bk[0..4]);
        let b1 = V4::load(&bk[4..8]);
        for r in 0..MR {
            let a = V4::splat(ak[r]);
            acc[r][0] = acc[r][0].add(a.mul(b0));
            acc[r][1] = acc[r][1].add(a.mul(b1));
        }
    }
    acc
}

/// The register tile over one A panel, with B's row `p` (its eight values as two vectors)
/// from `b_row`, wherever the caller keeps B's rows (convolution reads them in the image).
#[inline(always)]
pub fn micro_with(ap: &[f32], b_row: impl Fn(usize) -> (V4, V4)) -> [[V4; 2]; MR] {
    micro_rows(ap.len() / MR, |p| core::array::from_fn(|r| ap[p * MR + r]), b_row)
}

/// The register tile over k = 0..kc, with A's column `p` (MR values) from `a_col` and B's
/// row `p` from `b_row`, wherever the caller keeps them.
#[inline(always)]
pub fn micro_rows(kc: usize, a_col: impl Fn(usize) -> [f32; MR], b_row: impl Fn(usize) -> (V4, V4)) -> [[V4; 2]; MR] {
    let mut acc = [[V4::splat(0.0); 2]; MR];
    for p in 0..kc {
        let (a, (b0, b1)) = (a_col(p), b_row(p));
        for r in 0..MR {
            let a = V4::splat(a[r]);
            acc[r][0] = acc[r][0].add(a.mul(b0));
            acc[r][1] = acc[r][1].add(a.mul(b1));
        }
    }
    acc
}

/// Adds (or writes, on the first k block) a tile into C, clipping at the matrix edges.
pub fn store_tile(acc: [[V4; 2]; MR], c: &mut [f32], ldc: usize, i0: usize, j0: usize, rows: usize, cols: usize, first: bool) {
    for (r, acc_r) in acc.iter().enumerate().take(rows) {
        let row = &mut c[(i0 + r) * ldc + j0..];
        if cols == NR {
            for (h, v) in acc_r.iter().enumerate() {
                let dst = &mut row[4 * h..4 * h + 4];
                let v = if first { *v } else { v.add(V4::load(dst)) };
                v.store(dst);
            }
        } else {
            let mut tmp = [0.0f32; NR];
            acc_r[0].store(&mut tmp[0..4]);
            acc_r[1].store(&mut tmp[4..8]);
            for (j, &t) in tmp.iter().enumerate().take(cols) {
                row[j] = if first { t } else { row[j] + t };
            }
        }
    }
}

/// C (m×n, contiguous) = A (m×k) · B (k×n).
pub fn gemm(a: Mat, b: Mat, c: &mut [f32], m: usize, n: usize, k: usize) {
    if k == 0 {
        c[..m * n].fill(0.0);
        return;
    }
    let (mut apack, mut bpack) = PACK.take();
    apack.resize(MC.div_ceil(MR) * MR * KC, 0.0);
    bpack.resize(NC.div_ceil(NR) * NR * KC, 0.0);
    for j0 in (0..n).step_by(NC) {
        let nc = NC.min(n - j0);
        for p0 in (0..k).step_by(KC) {
            let kc = KC.min(k - p0);
            pack_b(b, p0, kc, j0, nc, &mut bpack);
            for i0 in (0..m).step_by(MC) {
                let mc = MC.min(m - i0);
                pack_a(a, i0, mc, p0, kc, &mut apack);
                for jp in 0..nc.div_ceil(NR) {
                    let bp = &bpack[jp * NR * kc..(jp + 1) * NR * kc];
                    for ip in 0..mc.div_ceil(MR) {
                        let ap = &apack[ip * MR * kc..(ip + 1) * MR * kc];
                        let acc = micro(ap, bp);
                        let (rows, cols) = (MR.min(mc - ip * MR), NR.min(nc - jp * NR));
                        store_tile(acc, c, n, i0 + ip * MR, j0 + jp * NR, rows, cols, p0 == 0);
                    }
                }
            }
        }
    }
    PACK.set((apack, bpack));
}

/// The scalar twin, the tests' oracle: a plain triple loop with f64 accumulation.
pub fn gemm_scalar(a: Mat, b: Mat, c: &mut [f32], m: usize, n: usize, k: usize) {
    for i in 0..m {
        for j in 0..n {
            c[i * n + j] = (0..k).map(|p| a.at(i, p) as f64 * b.at(p, j) as f64).sum::<f64>() as f32;
        }
    }
}

fn span(rows: usize, cols: usize, rs: usize, cs: usize) -> usize {
    if rows == 0 || cols == 0 {
        0
    } else {
        (rows - 1) * rs + (cols - 1) * cs + 1
    }
}

/// The share of a batched product that one of `parts` threads computes: whole products when
/// there are at least as many as threads, else bands of C's rows (multiples of MR). Shares are
/// disjoint and each element is computed as by one thread, so results do not depend on `parts`.
/// Yields (product, first row, end row).
pub fn share(part: usize, parts: usize, batch: usize, m: usize) -> impl Iterator<Item = (usize, usize, usize)> {
    let parts = parts.max(1);
    let (products, rows) = if batch >= parts || m < 2 * MR {
        let range = if batch >= parts { batch * part / parts..batch * (part + 1) / parts } else if part == 0 { 0..batch } else { 0..0 };
        (range, 0..m)
    } else {
        let band = m.div_ceil(parts).div_ceil(MR) * MR;
        (0..batch, (band * part).min(m)..(band * (part + 1)).min(m))
    };
    let (i0, i1) = (rows.start, rows.end);
    products.filter(move |_| i1 > i0).map(move |t| (t, i0, i1))
}

/// Batched C[t] = A[t]·B[t] for t < batch. A[t] starts at `a + t*abs` with strides (ars, acs),
/// likewise B; C is contiguous `[batch, m, n]`. A batch stride of 0 broadcasts an operand.
/// Computes the share of thread `part` of `parts` (0 of 0 or 1: all of it).
///
/// # Safety
/// The operands span the described layouts; `c` holds `batch*m*n` f32 and overlaps neither.
/// Calls for different parts may run at once: each writes only its own rows of C.
#[no_mangle]
pub unsafe extern "C" fn matmul_f32(
    a: *const f32,
    b: *const f32,
    c: *mut f32,
    m: usize,
    n: usize,
    k: usize,
    ars: usize,
    acs: usize,
    brs: usize,
    bcs: usize,
    batch: usize,
    abs: usize,
    bbs: usize,
    part: usize,
    parts: usize,
) {
    if batch == 0 {
        return;
    }
    let a_all = view(a, (batch - 1) * abs + span(m, k, ars, acs));
    let b_all = view(b, (batch - 1) * bbs + span(k, n, brs, bcs));
    for (t, i0, i1) in share(part, parts, batch, m) {
        let am = Mat { data: &a_all[t * abs + i0 * ars..], rs: ars, cs: acs };
        let bm = Mat { data: &b_all[t * bbs..], rs: brs, cs: bcs };
        gemm(am, bm, view_mut(c.add((t * m + i0) * n), (i1 - i0) * n), i1 - i0, n, k);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lcg(seed: &mut u64) -> f32 {
        *seed = seed.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
        (*seed >> 40) as f32 / (1u64 << 24) as f32 - 0.5
    }

    #[test]
    fn blocked_gemm_matches_scalar_twin_for_odd_sizes_and_transposes() {
        let mut seed = 5u64;
        let sizes = [(1, 1, 1), (3, 5, 7), (4, 8, 1), (13, 17, 300), (130, 9, 257), (5, 1030, 3), (67, 33, 129), (6, 100, 75), (16, 1030, 300)];
        for &(m, n, k) in &sizes {
            let a: Vec<f32> = (0..m * k).map(|_| lcg(&mut seed)).collect();
            let b: Vec<f32> = (0..k * n).map(|_| lcg(&mut seed)).collect();
            // each operand read as stored (row-major) or as the transpose of its storage
            for (ta, tb) in [(false, false), (true, false), (false, true), (true, true)] {
                let am = if ta { Mat { data: &a, rs: 1, cs: m } } else { Mat { data: &a, rs: k, cs: 1 } };
                let bm = if tb { Mat { data: &b, rs: 1, cs: k } } else { Mat { data: &b, rs: n, cs: 1 } };
                let mut c = vec![f32::NAN; m * n];
                let mut want = vec![0.0; m * n];
                gemm(am, bm, &mut c, m, n, k);
                gemm_scalar(am, bm, &mut want, m, n, k);
                for (x, y) in c.iter().zip(&want) {
                    assert!((x - y).abs() <= 1e-5 * (k as f32).sqrt().max(1.0), "{m}x{n}x{k} ta={ta} tb={tb}: {x} vs {y}");
                }
            }
        }
    }

    #[test]
    fn shares_cover_every_row_of_every_product_once() {
        for &(batch, m) in &[(1, 1), (1, 7), (1, 64), (3, 13), (8, 5), (2, 100), (5, 9)] {
            for parts in 1..=4 {
                let mut seen = vec![0; batch * m];
                for part in 0..parts {
                    for (t, i0, i1) in share(part, parts, batch, m) {
                        assert!(i0 % MR == 0 && i1 > i0);
                        seen[t * m + i0..t * m + i1].iter_mut().for_each(|s| *s += 1);
                    }
                }
                assert!(seen.iter().all(|&s| s == 1), "batch {batch}, m {m}, {parts} parts");
            }
        }
    }

    #[test]
    fn empty_inner_dimension_gives_zeros() {
        let mut c = vec![1.0; 6];
        gemm(Mat { data: &[], rs: 0, cs: 1 }, Mat { data: &[], rs: 3, cs: 1 }, &mut c, 2, 3, 0);
        assert_eq!(c, vec![0.0; 6]);
    }
}
