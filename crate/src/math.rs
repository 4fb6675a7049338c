//! Polynomial approximations of the transcendental functions, four lanes at a time.
//! Coefficients are the classic Cephes single-precision minimax sets; the tests in
//! `unary.rs` hold them to within a few ulps of the f64 libm results.

use crate::simd::V4;

#[inline(always)]
fn poly(x: V4, coeffs: &[f32]) -> V4 {
    let mut acc = V4::splat(coeffs[0]);
    for &c in &coeffs[1..] {
        acc = acc.mul(x).add(V4::splat(c));
    }
    acc
}

/// e^x. Overflows to +inf above ~88.72; below -86.99 (where e^x < 1.8e-38, next to the
/// subnormals) it returns 0, an absolute error under 1.8e-38.
#[inline(always)]
pub fn exp(x: V4) -> V4 {
    exp_group([x])[0]
}

/// e^x of `N` vectors, each step taken for all of them before the next, so that their
/// dependency chains run side by side. Within 3 ulp of the exact value (test in unary.rs);
/// 21 lane operations: each one dropped is ~4% more throughput, exp's benchmark target.
#[inline(always)]
pub fn exp_group<const N: usize>(x: [V4; N]) -> [V4; N] {
    use core::array::from_fn as each;
    // pmax/pmin are single instructions and keep NaN (it compares false)
    let x: [V4; N] = each(|k| x[k].pmax(V4::splat(-87.336_55)).pmin(V4::splat(89.0)));
    let n: [V4; N] = each(|k| x[k].mul(V4::splat(core::f32::consts::LOG2_E)).round());
    // Cody-Waite: ln 2 split so that n·LN2_HI is exact
    let r: [V4; N] = each(|k| x[k].sub(n[k].mul(V4::splat(0.693_359_4))));
    let r: [V4; N] = each(|k| r[k].sub(n[k].mul(V4::splat(-2.121_944_4e-4))));
    // 2·e^r, minimax in relative error on |r| <= ln2/2 (scripts/fit_exp.py), so that the
    // final scale 2^(n-1) stays a normal float at n = 128
    let mut y: [V4; N] = each(|_| V4::splat(1.658_057_2e-2));
    for c in [8.379_603e-2, 3.333_527_4e-1, 0.999_982_95, 1.999_999_4, 2.0] {
        y = each(|k| y[k].mul(r[k]).add(V4::splat(c)));
    }
    each(|k| y[k].mul(V4::exp2i_minus_one(n[k])))
}

/// Natural logarithm: NaN below 0, -inf at 0, +inf at +inf, subnormals handled.
#[inline(always)]
pub fn log(x: V4) -> V4 {
    let tiny = V4::splat(f32::MIN_POSITIVE);
    // Subnormals are scaled into the normal range first (2^23), then the exponent corrected.
    let scaled = x.select_lt(tiny, x.mul(V4::splat(8_388_608.0)), x);
    let (m, e) = scaled.frexp();
    let e = e.sub(x.select_lt(tiny, V4::splat(23.0), V4::splat(0.0)));
    let small = m.select_lt(V4::splat(core::f32::consts::FRAC_1_SQRT_2), V4::splat(1.0), V4::splat(0.0));
    let e = e.sub(small);
    let m = m.add(m.mul(small)).sub(V4::splat(1.0));
    let z = m.mul(m);
    let p = poly(
        m,
        &[
            7.037_683_6e-2,
            -1.151_461e-1,
            1.167_699_9e-1,
            -1.242_014_1e-1,
            1.424_932_3e-1,
            -1.666_805_8e-1,
            2.000_071_4e-1,
            -2.499_999_4e-1,
            3.333_333_1e-1,
        ],
    );
    let y = p.mul(m).mul(z).add(e.mul(V4::splat(-2.121_944_4e-4))).sub(z.mul(V4::splat(0.5)));
    let r = m.add(y).add(e.mul(V4::splat(0.693_359_4)));
    let r = x.select_gt(V4::splat(f32::MAX), V4::splat(f32::INFINITY), r);
    let r = x.select_gt(V4::splat(0.0), r, V4::splat(f32::NEG_INFINITY));
    let r = x.select_lt(V4::splat(0.0), V4::splat(f32::NAN), r);
    x.select_nan(x, r)
}

#[inline(always)]
pub fn tanh(x: V4) -> V4 {
    let a = x.abs();
    let z = x.mul(x);
    let small = poly(z, &[-5.704_988_7e-3, 2.063_908_9e-2, -5.373_971_6e-2, 1.333_144_2e-1, -3.333_328_2e-1])
        .mul(z)
        .mul(x)
        .add(x);
    let e = exp(a.add(a));
    let large = V4::splat(1.0).sub(V4::splat(2.0).div(e.add(V4::splat(1.0)))).copysign(x);
    a.select_lt(V4::splat(0.625), small, large)
}

#[inline(always)]
pub fn sigmoid(x: V4) -> V4 {
    V4::splat(1.0).div(V4::splat(1.0).add(exp(x.neg())))
}

/// log(1 + u) for u >= 0, with the rounding of 1 + u compensated.
#[inline(always)]
fn log1p_pos(u: V4) -> V4 {
    let w = V4::splat(1.0).add(u);
    let corr = w.sub(V4::splat(1.0)).sub(u).div(w);
    log(w).sub(corr)
}

/// torch.nn.functional.softplus with beta = 1, threshold = 20.
#[inline(always)]
pub fn softplus(x: V4) -> V4 {
    let v = x.max(V4::splat(0.0)).add(log1p_pos(exp(x.abs().neg())));
    x.select_gt(V4::splat(20.0), x, v)
}

/// erfc(a) for a >= 0 by Abramowitz & Stegun 7.1.26 (absolute error below 1.5e-7).
#[inline(always)]
fn erfc_nonneg(a: V4) -> V4 {
    let t = V4::splat(1.0).div(V4::splat(1.0).add(a.mul(V4::splat(0.327_591_1))));
    let p = poly(t, &[1.061_405_4, -1.453_152_1, 1.421_413_8, -0.284_496_74, 0.254_829_6]).mul(t);
    p.mul(exp(a.mul(a).neg()))
}

/// erf: the Maclaurin series below 0.5, where A&S's absolute error would be a large
/// relative one, and 1 - erfc beyond.
#[inline(always)]
pub fn erf(x: V4) -> V4 {
    let z = x.mul(x);
    let series = poly(z, &[-1.0 / 1320.0, 1.0 / 216.0, -1.0 / 42.0, 1.0 / 10.0, -1.0 / 3.0, 1.0])
        .mul(x)
        .mul(V4::splat(core::f32::consts::FRAC_2_SQRT_PI));
    let far = V4::splat(1.0).sub(erfc_nonneg(x.abs())).copysign(x);
    x.abs().select_lt(V4::splat(0.5), series, far)
}

/// GELU with the exact erf form (PyTorch's default, approximate='none').
/// For negative inputs 1 + erf(x/√2) is taken as erfc(|x|/√2) to avoid cancellation.
#[inline(always)]
pub fn gelu(x: V4) -> V4 {
    let z = x.mul(V4::splat(core::f32::consts::FRAC_1_SQRT_2));
    let erfc = erfc_nonneg(z.abs());
    let one_plus_erf = z.select_lt(V4::splat(0.0), erfc, V4::splat(2.0).sub(erfc));
    V4::splat(0.5).mul(x).mul(one_plus_erf)
}

