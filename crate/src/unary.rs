//! Elementwise f32 functions of one tensor over contiguous buffers. `x == out` is an
//! in-place op. Each function has its lane form (used by the kernel, for all elements
//! including the tail) and a scalar twin from Rust's libm, the oracle for the tests.

use crate::math;
use crate::mem::{view_mut, Src};
use crate::simd::V4;

/// Applies `f` to all of `x` (or `out` itself) `G` vectors at a time; a group function
/// computes its vectors step by step together, so that their dependency chains overlap.
/// The tail goes through the same group code on a zero-padded copy, so every element sees
/// one formula.
pub fn map_groups<const G: usize>(x: Src<f32>, out: &mut [f32], f: impl Fn([V4; G]) -> [V4; G]) {
    let n = out.len();
    let wide = n - n % (4 * G);
    let src = match &x {
        Src::Buf(b) => {
            assert!(b.len() >= n);
            b.as_ptr()
        }
        Src::Out => out.as_ptr(),
    };
    // SAFETY: `src` and `out` each hold `n >= wide` f32.
    unsafe { map_raw(src, out.as_mut_ptr(), wide, &f) };
    if wide < n {
        let mut tmp = [[0.0f32; 4]; G];
        let tmp = tmp.as_flattened_mut();
        // SAFETY: both hold `n - wide` f32 from `wide` on (`src` is `out` for in-place).
        unsafe { core::ptr::copy_nonoverlapping(src.add(wide), tmp.as_mut_ptr(), n - wide) };
        let p = tmp.as_mut_ptr();
        // SAFETY: `tmp` holds one group.
        unsafe { map_raw(p, p, 4 * G, &f) };
        out[wide..].copy_from_slice(&tmp[..n - wide]);
    }
}

/// The loop over whole groups. `src` may equal `dst` (in-place), hence raw pointers; since the
/// compiler cannot then assume them disjoint, it keeps each group's loads ahead of its
/// stores and the group's steps interleaved as written. Given disjoint slices LLVM sinks each
/// vector's chain down to its store, and exp runs at 15 instead of 18 GB/s.
///
/// # Safety
/// `src` and `dst` each hold `n` f32, `n` a multiple of `4 * G`.
#[inline(always)]
unsafe fn map_raw<const G: usize>(src: *const f32, dst: *mut f32, n: usize, f: &impl Fn([V4; G]) -> [V4; G]) {
    for i in (0..n).step_by(4 * G) {
        let (src, dst) = (src.add(i), dst.add(i));
        let v: [V4; G] = core::array::from_fn(|k| V4::read(src.add(4 * k)));
        for (k, r) in f(v).iter().enumerate() {
            r.write(dst.add(4 * k));
        }
    }
}

/// `map_groups` for a one-vector function, four vectors per step.
pub fn map(x: Src<f32>, out: &mut [f32], f: impl Fn(V4) -> V4) {
    map_groups::<4>(x, out, |v| v.map(&f));
}

/// Six vectors per group: measured fastest for exp under V8 (x64 has 16 vector registers;
/// eight groups spill).
const GROUP: usize = 6;

/// A kernel body: the lane function four vectors at a time, or its group form when it has one.
macro_rules! run_map {
    ($x:expr, $out:expr, $lanes:path) => {
        map($x, $out, $lanes)
    };
    ($x:expr, $out:expr, $lanes:path, $group:path) => {
        map_groups::<GROUP>($x, $out, $group)
    };
}

macro_rules! unary_ops {
    ($( $name:ident : |$v:ident| $lanes:expr , |$s:ident| $scalar:expr $(, groups $group:path)? ;)*) => {
        pub mod lanes {
            use super::*;
            $( #[inline(always)] pub fn $name($v: V4) -> V4 { $lanes } )*
        }
        pub mod scalar {
            $( #[allow(clippy::excessive_precision)] pub fn $name($s: f32) -> f32 { $scalar } )*
        }
        pub mod exports {
            use super::*;
            $(
                /// # Safety
                /// `x` and `out` must each hold `n` f32; they may be the same pointer.
                #[no_mangle]
                pub unsafe extern "C" fn $name(x: *const f32, out: *mut f32, n: usize) {
                    run_map!(Src::new(x, out, n), view_mut(out, n), lanes::$name $(, $group)?);
                }
            )*
        }
        /// Every unary kernel by name, for the tests.
        #[cfg(test)]
        pub const ALL: &[(&str, fn(V4) -> V4, fn(f32) -> f32)] = &[
            $( (stringify!($name), lanes::$name, scalar::$name), )*
        ];
    };
}

/// erf in f64 for the test oracle: Taylor series near 0, the continued fraction of erfc
/// beyond 3 (where the series would cancel catastrophically).
fn erf64(x: f64) -> f64 {
    let a = x.abs();
    if a < 3.0 {
        let (mut sum, mut term, mut k) = (x, x, 0.0);
        while term.abs() > 1e-17 * sum.abs().max(1e-300) {
            k += 1.0;
            term *= -x * x / k;
            sum += term / (2.0 * k + 1.0);
        }
        return sum * 2.0 / core::f64::consts::PI.sqrt();
    }
    let mut frac = a;
    for n in (1..80).rev() {
        frac = a + (n as f64 / 2.0) / frac;
    }
    let erfc = (-a * a).exp() / core::f64::consts::PI.sqrt() / frac;
    (1.0 - erfc).copysign(x)
}

unary_ops! {
    neg_f32: |v| v.neg(), |x| -x;
    abs_f32: |v| v.abs(), |x| x.abs();
    exp_f32: |v| math::exp(v), |x| (x as f64).exp() as f32, groups math::exp_group;
    log_f32: |v| math::log(v), |x| (x as f64).ln() as f32;
    sqrt_f32: |v| v.sqrt(), |x| x.sqrt();
    rsqrt_f32: |v| V4::splat(1.0).div(v.sqrt()), |x| 1.0 / x.sqrt();
    tanh_f32: |v| math::tanh(v), |x| (x as f64).tanh() as f32;
    sigmoid_f32: |v| math::sigmoid(v), |x| (1.0 / (1.0 + (-(x as f64)).exp())) as f32;
    relu_f32: |v| v.pmax(V4::splat(0.0)), |x| if x < 0.0 { 0.0 } else { x };
    gelu_f32: |v| math::gelu(v), |x| (0.5 * x as f64 * (1.0 + super::erf64(x as f64 / 2f64.sqrt()))) as f32;
    silu_f32: |v| v.mul(math::sigmoid(v)), |x| (x as f64 / (1.0 + (-(x as f64)).exp())) as f32;
    softplus_f32: |v| math::softplus(v), |x| if x > 20.0 { x } else { (x as f64).exp().ln_1p() as f32 };
    erf_f32: |v| math::erf(v), |x| super::erf64(x as f64) as f32;
    reciprocal_f32: |v| V4::splat(1.0).div(v), |x| 1.0 / x;
    square_f32: |v| v.mul(v), |x| x * x;
    step_f32: |v| v.select_gt(V4::splat(0.0), V4::splat(1.0), V4::splat(0.0)), |x| if x > 0.0 { 1.0 } else { 0.0 };
}

/// sin and cos are not hot in training; they use libm per element.
///
/// # Safety
/// `x` and `out` must each hold `n` f32; they may be the same pointer.
#[no_mangle]
pub unsafe extern "C" fn sin_f32(x: *const f32, out: *mut f32, n: usize) {
    elementwise_scalar(Src::new(x, out, n), view_mut(out, n), f32::sin);
}

/// # Safety
/// As `sin_f32`.
#[no_mangle]
pub unsafe extern "C" fn cos_f32(x: *const f32, out: *mut f32, n: usize) {
    elementwise_scalar(Src::new(x, out, n), view_mut(out, n), f32::cos);
}

fn elementwise_scalar(x: Src<f32>, out: &mut [f32], f: impl Fn(f32) -> f32) {
    for i in 0..out.len() {
        let v = match &x {
            Src::Buf(b) => b[i],
            Src::Out => out[i],
        };
        out[i] = f(v);
    }
}

/// clamp(x, lo, hi); NaN bounds mean "no bound" as in torch.clamp(min=None).
///
/// # Safety
/// As `sin_f32`.
#[no_mangle]
pub unsafe extern "C" fn clamp_f32(x: *const f32, out: *mut f32, n: usize, lo: f32, hi: f32) {
    let lo = if lo.is_nan() { f32::NEG_INFINITY } else { lo };
    let hi = if hi.is_nan() { f32::INFINITY } else { hi };
    map(Src::new(x, out, n), view_mut(out, n), |v| v.max(V4::splat(lo)).min(V4::splat(hi)));
}

/// leaky_relu / elu style: x > 0 ? x : slope * x.
///
/// # Safety
/// As `sin_f32`.
#[no_mangle]
pub unsafe extern "C" fn leaky_relu_f32(x: *const f32, out: *mut f32, n: usize, slope: f32) {
    map(Src::new(x, out, n), view_mut(out, n), |v| v.select_gt(V4::splat(0.0), v, v.mul(V4::splat(slope))));
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lcg(seed: &mut u64) -> f32 {
        *seed = seed.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
        ((*seed >> 40) as f32 / (1u64 << 24) as f32) * 2.0 - 1.0
    }

    fn close(a: f32, b: f32) -> bool {
        if a.is_nan() || b.is_nan() {
            return a.is_nan() && b.is_nan();
        }
        if a.is_infinite() || b.is_infinite() {
            return a == b;
        }
        (a - b).abs() <= 2e-6 * b.abs().max(1e-30) + 4e-7
    }

    #[test]
    fn lanes_match_scalar_twins_on_random_and_special_values() {
        let mut seed = 7u64;
        let mut xs: Vec<f32> = (0..4001).map(|_| lcg(&mut seed) * 30.0).collect();
        xs.extend((0..999).map(|_| lcg(&mut seed) * 0.01));
        xs.extend([0.0, -0.0, 1e-30, -1e-30, 1e-40, 88.0, 88.7, 89.0, 100.0, -87.0, -90.0, -104.0, -200.0]);
        xs.extend([f32::INFINITY, f32::NEG_INFINITY, f32::NAN, 0.625, -0.625, 20.0, 20.5, 3.4e38]);
        for &(name, lanes, scalar) in ALL {
            let mut out = vec![0.0; xs.len()];
            map(Src::Buf(&xs), &mut out, lanes);
            for (i, (&x, &y)) in xs.iter().zip(&out).enumerate() {
                let want = scalar(x);
                let ok = close(y, want)
                    // exp's extended range lands in subnormals where the relative bound is moot
                    || (want.abs() < 1e-37 && y.abs() < 1e-37);
                assert!(ok, "{name}({x}) at {i}: lanes {y}, scalar {want}");
            }
        }
    }

    /// Distance in units in the last place of `want` (an f64 exact value rounded to f32).
    fn ulps(got: f32, want: f64) -> f64 {
        let w = want as f32;
        let ulp = (f32::from_bits(w.to_bits() + 1) - w) as f64;
        (got as f64 - want).abs() / ulp
    }

    #[test]
    fn exp_is_within_three_ulps_over_its_normal_range() {
        let mut seed = 11u64;
        let xs: Vec<f32> = (0..200_000).map(|_| lcg(&mut seed) * 88.0 - 0.5).filter(|&x| x > -86.99).collect();
        let mut out = vec![0.0; xs.len()];
        map_groups::<GROUP>(Src::Buf(&xs), &mut out, math::exp_group);
        let worst = xs.iter().zip(&out).map(|(&x, &y)| ulps(y, (x as f64).exp())).fold(0.0, f64::max);
        assert!(worst <= 3.0, "worst error {worst} ulp");
        let below = [-86.995f32, -87.2, -87.34, -100.0, -1e30, f32::NEG_INFINITY];
        let mut flushed = vec![1.0; below.len()];
        map(Src::Buf(&below), &mut flushed, math::exp);
        for (&x, &y) in below.iter().zip(&flushed) {
            assert!((0.0..1.8e-38).contains(&y), "exp({x}) = {y}");
        }
    }

    #[test]
    fn group_kernels_equal_their_one_vector_form_for_every_length_and_in_place() {
        let mut seed = 5u64;
        for n in 0..60 {
            let xs: Vec<f32> = (0..n).map(|_| lcg(&mut seed) * 90.0).collect();
            let mut single = vec![0.0; n];
            map(Src::Buf(&xs), &mut single, math::exp);
            let mut grouped = vec![0.0; n];
            map_groups::<GROUP>(Src::Buf(&xs), &mut grouped, math::exp_group);
            let mut inplace = xs.clone();
            map_groups::<GROUP>(Src::Out, &mut inplace, math::exp_group);
            let bits = |v: &[f32]| v.iter().map(|x| x.to_bits()).collect::<Vec<_>>();
            assert_eq!(bits(&grouped), bits(&single), "n = {n}");
            assert_eq!(bits(&inplace), bits(&single), "n = {n}");
        }
    }

    #[test]
    fn in_place_equals_out_of_place_for_every_length() {
        let mut seed = 3u64;
        for n in 0..37 {
            let xs: Vec<f32> = (0..n).map(|_| lcg(&mut seed) * 5.0).collect();
            let mut out = vec![0.0; n];
            map(Src::Buf(&xs), &mut out, lanes::tanh_f32);
            let mut inplace = xs.clone();
            map(Src::Out, &mut inplace, lanes::tanh_f32);
            assert_eq!(out, inplace);
        }
    }
}
