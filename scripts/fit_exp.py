"""Coefficients of the polynomial in crate/src/math.rs `exp_group`: 2·e^r on |r| <= ln2/2,
degree 5, constant term fixed at 2, minimax in relative error (Lawson's iteratively
reweighted least squares), then the f32 Horner evaluation's worst error in ulps.

Run with Debian's python3 (numpy): /usr/bin/python3 scripts/fit_exp.py
"""
import numpy as np

HALF_LN2 = np.log(2) / 2 * 1.0002  # a hair wider: round-to-nearest n can overshoot by an ulp
DEGREE = 5
FIXED = [2.0]


def fit():
    r = np.linspace(-HALF_LN2, HALF_LN2, 20001)
    target = 2 * np.exp(r)
    base = sum(c * r**i for i, c in enumerate(FIXED))
    a = np.stack([r**i for i in range(len(FIXED), DEGREE + 1)], 1) / target[:, None]
    b = (target - base) / target
    w = np.ones_like(r)
    for _ in range(300):
        sw = np.sqrt(w)
        c, *_ = np.linalg.lstsq(a * sw[:, None], b * sw, rcond=None)
        err = np.abs(a @ c - b)
        w = w * err
        w /= w.sum()
    return np.array(FIXED + list(c), dtype=np.float32), err.max()


def horner_ulps(c32):
    r = np.linspace(-HALF_LN2, HALF_LN2, 400001).astype(np.float32)
    y = np.float32(c32[-1])
    for c in c32[-2::-1]:
        y = (y * r + c).astype(np.float32)
    exact = 2 * np.exp(r.astype(np.float64))
    return (np.abs(y.astype(np.float64) - exact) / exact).max() / 2.0**-24


c32, rel = fit()
print(f"minimax relative error {rel:.3g}; f32 Horner worst {horner_ulps(c32):.2f} ulp")
print("coefficients, highest degree first:", ", ".join(str(c) for c in c32[::-1]))
