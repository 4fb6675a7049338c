//! Four f32 lanes. On wasm32 with `simd128` this is a `v128`; everywhere else it is an
//! array with the same semantics, so the host `cargo test` exercises every SIMD code path
//! (blocking, tails, polynomials) against the scalar twins.

#[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
mod imp {
    use core::arch::wasm32::*;

    #[derive(Copy, Clone)]
    pub struct V4(v128);

    impl V4 {
        #[inline(always)]
        pub fn splat(x: f32) -> V4 {
            V4(f32x4_splat(x))
        }
        #[inline(always)]
        pub fn load(s: &[f32]) -> V4 {
            assert!(s.len() >= 4);
            // SAFETY: the slice holds at least four f32; v128_load has no alignment requirement.
            V4(unsafe { v128_load(s.as_ptr() as *const v128) })
        }
        #[inline(always)]
        pub fn store(self, s: &mut [f32]) {
            assert!(s.len() >= 4);
            // SAFETY: as in `load`.
            unsafe { v128_store(s.as_mut_ptr() as *mut v128, self.0) }
        }
        /// # Safety
        /// `p` points to four readable f32.
        #[inline(always)]
        pub unsafe fn read(p: *const f32) -> V4 {
            V4(v128_load(p as *const v128))
        }
        /// # Safety
        /// `p` points to four writable f32.
        #[inline(always)]
        pub unsafe fn write(self, p: *mut f32) {
            v128_store(p as *mut v128, self.0)
        }
        #[inline(always)]
        pub fn add(self, o: V4) -> V4 {
            V4(f32x4_add(self.0, o.0))
        }
        #[inline(always)]
        pub fn sub(self, o: V4) -> V4 {
            V4(f32x4_sub(self.0, o.0))
        }
        #[inline(always)]
        pub fn mul(self, o: V4) -> V4 {
            V4(f32x4_mul(self.0, o.0))
        }
        #[inline(always)]
        pub fn div(self, o: V4) -> V4 {
            V4(f32x4_div(self.0, o.0))
        }
        /// IEEE-style minimum that propagates NaN, like torch.minimum.
        #[inline(always)]
        pub fn min(self, o: V4) -> V4 {
            V4(f32x4_min(self.0, o.0))
        }
        #[inline(always)]
        pub fn max(self, o: V4) -> V4 {
            V4(f32x4_max(self.0, o.0))
        }
        /// `o < self ? o : self`: one instruction; a NaN in `self` passes through.
        #[inline(always)]
        pub fn pmin(self, o: V4) -> V4 {
            V4(f32x4_pmin(o.0, self.0))
        }
        /// `self < o ? o : self`.
        #[inline(always)]
        pub fn pmax(self, o: V4) -> V4 {
            V4(f32x4_pmax(self.0, o.0))
        }
        #[inline(always)]
        pub fn sqrt(self) -> V4 {
            V4(f32x4_sqrt(self.0))
        }
        #[inline(always)]
        pub fn abs(self) -> V4 {
            V4(f32x4_abs(self.0))
        }
        #[inline(always)]
        pub fn neg(self) -> V4 {
            V4(f32x4_neg(self.0))
        }
        #[inline(always)]
        pub fn round(self) -> V4 {
            V4(f32x4_nearest(self.0))
        }
        #[inline(always)]
        pub fn floor(self) -> V4 {
            V4(f32x4_floor(self.0))
        }
        /// Lanes where `self < o` take `a`, the others `b`.
        #[inline(always)]
        pub fn select_lt(self, o: V4, a: V4, b: V4) -> V4 {
            V4(v128_bitselect(a.0, b.0, f32x4_lt(self.0, o.0)))
        }
        /// Lanes where `self > o` take `a`, the others `b`.
        #[inline(always)]
        pub fn select_gt(self, o: V4, a: V4, b: V4) -> V4 {
            V4(v128_bitselect(a.0, b.0, f32x4_gt(self.0, o.0)))
        }
        /// Lanes where `self` is NaN take `a`, the others `b`.
        #[inline(always)]
        pub fn select_nan(self, a: V4, b: V4) -> V4 {
            V4(v128_bitselect(b.0, a.0, f32x4_eq(self.0, self.0)))
        }
        /// The u32 lanes `j·step` (j < 4) as bits: indices that ride along values through selects.
        #[inline(always)]
        pub fn index_steps(step: u32) -> V4 {
            V4(u32x4(0, step, 2 * step, 3 * step))
        }
        /// `base` added to each u32 lane (`index_steps`).
        #[inline(always)]
        pub fn offset_indices(self, base: u32) -> V4 {
            V4(i32x4_add(u32x4_splat(base), self.0))
        }
        /// Four f32 from `s[start + j·step]`.
        #[inline(always)]
        pub fn gather(s: &[f32], start: usize, step: usize) -> V4 {
            V4(f32x4(s[start], s[start + step], s[start + 2 * step], s[start + 3 * step]))
        }
        /// Lanes 0, 2, 4, 6 of `a` followed by `b`: every other f32 of eight.
        #[inline(always)]
        pub fn even_lanes(a: V4, b: V4) -> V4 {
            V4(i32x4_shuffle::<0, 2, 4, 6>(a.0, b.0))
        }
        /// A running maximum `self` with its indices `at`, updated by `v` with indices `v_at`
        /// where `v > self` or `v` is NaN (PyTorch's max-pool rule: first maximum, NaN wins).
        #[inline(always)]
        pub fn max_update(self, at: V4, v: V4, v_at: V4) -> (V4, V4) {
            let wins = v128_or(f32x4_gt(v.0, self.0), f32x4_ne(v.0, v.0));
            (V4(v128_bitselect(v.0, self.0, wins)), V4(v128_bitselect(v_at.0, at.0, wins)))
        }
        /// Lanes holding u32 bits (`index_steps`), widened into four i64.
        #[inline(always)]
        pub fn store_indices(self, out: &mut [i64]) {
            assert!(out.len() >= 4);
            // SAFETY: the slice holds at least four i64 (32 bytes); no alignment requirement.
            unsafe {
                v128_store(out.as_mut_ptr() as *mut v128, u64x2_extend_low_u32x4(self.0));
                v128_store(out.as_mut_ptr().add(2) as *mut v128, u64x2_extend_high_u32x4(self.0));
            }
        }
        /// 2^(n-1) for integral n in [-125, 128]. Adding 1.5·2^23 + 126 puts n + 126 in the low
        /// mantissa bits, which the shift moves into the exponent field (no float→int convert,
        /// which costs a dozen instructions on x86).
        #[inline(always)]
        pub fn exp2i_minus_one(n: V4) -> V4 {
            let biased = f32x4_add(n.0, f32x4_splat(12_582_912.0 + 126.0));
            V4(i32x4_shl(biased, 23))
        }
        /// (m, e) with self = m * 2^e and m in [0.5, 1), for positive normal lanes.
        #[inline(always)]
        pub fn frexp(self) -> (V4, V4) {
            let bits = self.0;
            let e = i32x4_sub(u32x4_shr(bits, 23), i32x4_splat(126));
            let m = v128_or(v128_and(bits, i32x4_splat(0x807f_ffff_u32 as i32)), i32x4_splat(0x3f00_0000));
            (V4(m), V4(f32x4_convert_i32x4(e)))
        }
        #[inline(always)]
        pub fn copysign(self, sign_of: V4) -> V4 {
            let m = i32x4_splat(i32::MIN);
            V4(v128_or(v128_andnot(self.0, m), v128_and(sign_of.0, m)))
        }
        #[inline(always)]
        pub fn hsum(self) -> f32 {
            f32x4_extract_lane::<0>(self.0)
                + f32x4_extract_lane::<1>(self.0)
                + f32x4_extract_lane::<2>(self.0)
                + f32x4_extract_lane::<3>(self.0)
        }
        #[inline(always)]
        pub fn hmax(self) -> f32 {
            let a = f32x4_max(self.0, i32x4_shuffle::<2, 3, 0, 1>(self.0, self.0));
            let b = f32x4_max(a, i32x4_shuffle::<1, 0, 3, 2>(a, a));
            f32x4_extract_lane::<0>(b)
        }
        #[inline(always)]
        pub fn hmin(self) -> f32 {
            let a = f32x4_min(self.0, i32x4_shuffle::<2, 3, 0, 1>(self.0, self.0));
            let b = f32x4_min(a, i32x4_shuffle::<1, 0, 3, 2>(a, a));
            f32x4_extract_lane::<0>(b)
        }
    }
}

#[cfg(not(all(target_arch = "wasm32", target_feature = "simd128")))]
mod imp {
    #[derive(Copy, Clone)]
    pub struct V4([f32; 4]);

    fn map(a: V4, f: impl Fn(f32) -> f32) -> V4 {
        V4([f(a.0[0]), f(a.0[1]), f(a.0[2]), f(a.0[3])])
    }
    fn zip(a: V4, b: V4, f: impl Fn(f32, f32) -> f32) -> V4 {
        V4([f(a.0[0], b.0[0]), f(a.0[1], b.0[1]), f(a.0[2], b.0[2]), f(a.0[3], b.0[3])])
    }
    /// wasm's f32x4.min/max: NaN if either lane is NaN.
    fn wasm_min(a: f32, b: f32) -> f32 {
        if a.is_nan() || b.is_nan() {
            f32::NAN
        } else {
            a.min(b)
        }
    }
    fn wasm_max(a: f32, b: f32) -> f32 {
        if a.is_nan() || b.is_nan() {
            f32::NAN
        } else {
            a.max(b)
        }
    }

    impl V4 {
        pub fn splat(x: f32) -> V4 {
            V4([x; 4])
        }
        pub fn load(s: &[f32]) -> V4 {
            V4([s[0], s[1], s[2], s[3]])
        }
        pub fn store(self, s: &mut [f32]) {
            s[..4].copy_from_slice(&self.0);
        }
        /// # Safety
        /// `p` points to four readable f32.
        pub unsafe fn read(p: *const f32) -> V4 {
            V4(core::ptr::read_unaligned(p as *const [f32; 4]))
        }
        /// # Safety
        /// `p` points to four writable f32.
        pub unsafe fn write(self, p: *mut f32) {
            core::ptr::write_unaligned(p as *mut [f32; 4], self.0)
        }
        pub fn add(self, o: V4) -> V4 {
            zip(self, o, |a, b| a + b)
        }
        pub fn sub(self, o: V4) -> V4 {
            zip(self, o, |a, b| a - b)
        }
        pub fn mul(self, o: V4) -> V4 {
            zip(self, o, |a, b| a * b)
        }
        pub fn div(self, o: V4) -> V4 {
            zip(self, o, |a, b| a / b)
        }
        pub fn min(self, o: V4) -> V4 {
            zip(self, o, wasm_min)
        }
        pub fn max(self, o: V4) -> V4 {
            zip(self, o, wasm_max)
        }
        pub fn pmin(self, o: V4) -> V4 {
            zip(self, o, |a, b| if b < a { b } else { a })
        }
        pub fn pmax(self, o: V4) -> V4 {
            zip(self, o, |a, b| if a < b { b } else { a })
        }
        pub fn sqrt(self) -> V4 {
            map(self, f32::sqrt)
        }
        pub fn abs(self) -> V4 {
            map(self, f32::abs)
        }
        pub fn neg(self) -> V4 {
            map(self, |a| -a)
        }
        pub fn round(self) -> V4 {
            map(self, f32::round_ties_even)
        }
        pub fn floor(self) -> V4 {
            map(self, f32::floor)
        }
        pub fn select_lt(self, o: V4, a: V4, b: V4) -> V4 {
            V4(core::array::from_fn(|i| if self.0[i] < o.0[i] { a.0[i] } else { b.0[i] }))
        }
        pub fn select_gt(self, o: V4, a: V4, b: V4) -> V4 {
            V4(core::array::from_fn(|i| if self.0[i] > o.0[i] { a.0[i] } else { b.0[i] }))
        }
        pub fn select_nan(self, a: V4, b: V4) -> V4 {
            V4(core::array::from_fn(|i| if self.0[i].is_nan() { a.0[i] } else { b.0[i] }))
        }
        pub fn index_steps(step: u32) -> V4 {
            V4(core::array::from_fn(|j| f32::from_bits(j as u32 * step)))
        }
        pub fn offset_indices(self, base: u32) -> V4 {
            V4(self.0.map(|v| f32::from_bits(v.to_bits() + base)))
        }
        pub fn gather(s: &[f32], start: usize, step: usize) -> V4 {
            V4(core::array::from_fn(|j| s[start + j * step]))
        }
        pub fn even_lanes(a: V4, b: V4) -> V4 {
            V4([a.0[0], a.0[2], b.0[0], b.0[2]])
        }
        pub fn max_update(self, at: V4, v: V4, v_at: V4) -> (V4, V4) {
            let wins = |j: usize| v.0[j] > self.0[j] || v.0[j].is_nan();
            (V4(core::array::from_fn(|j| if wins(j) { v.0[j] } else { self.0[j] })), V4(core::array::from_fn(|j| if wins(j) { v_at.0[j] } else { at.0[j] })))
        }
        pub fn store_indices(self, out: &mut [i64]) {
            for (o, v) in out[..4].iter_mut().zip(self.0) {
                *o = v.to_bits() as i64;
            }
        }
        pub fn exp2i_minus_one(n: V4) -> V4 {
            map(n, |x| f32::from_bits((x + 12_582_912.0 + 126.0).to_bits() << 23))
        }
        pub fn frexp(self) -> (V4, V4) {
            let m = map(self, |x| f32::from_bits((x.to_bits() & 0x807f_ffff) | 0x3f00_0000));
            let e = map(self, |x| ((x.to_bits() >> 23) as i32 - 126) as f32);
            (m, e)
        }
        pub fn copysign(self, sign_of: V4) -> V4 {
            zip(self, sign_of, f32::copysign)
        }
        pub fn hsum(self) -> f32 {
            self.0[0] + self.0[1] + self.0[2] + self.0[3]
        }
        pub fn hmax(self) -> f32 {
            wasm_max(wasm_max(self.0[0], self.0[2]), wasm_max(self.0[1], self.0[3]))
        }
        pub fn hmin(self) -> f32 {
            wasm_min(wasm_min(self.0[0], self.0[2]), wasm_min(self.0[1], self.0[3]))
        }
    }
}

pub use imp::V4;
