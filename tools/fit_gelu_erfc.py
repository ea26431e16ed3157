"""Fits Q(t) = erfc(z) exp(z^2) / t, t = 1/(1 + z/2), for native/vecmath_core.h's float32 GELU.

z runs over [0, 30/sqrt2] (GELU clamps x to [-30, 10]), so t over [1/(1 + 7.5 sqrt2), 1]. The fit is
a weighted least-squares Chebyshev fit of the relative error, reweighted (Lawson) toward minimax,
printed as monomial coefficients for Horner's rule, highest first. Needs numpy and mpmath.
Usage: python3 tools/fit_gelu_erfc.py [degree]   (native/ uses degree 10: relative error 6e-9)
"""
import sys

import mpmath as mp
import numpy as np

mp.mp.dps = 30
deg = int(sys.argv[1]) if len(sys.argv) > 1 else 10
tmin = 1 / (1 + 0.5 * 30 / np.sqrt(2))
n = 4000
k = np.arange(n)
ts = np.sort(0.5 * (tmin + 1) + 0.5 * (1 - tmin) * np.cos(np.pi * (k + 0.5) / n))


def q_exact(t: float) -> float:
    z = 2 * (1 / mp.mpf(t) - 1)
    return float(mp.erfc(z) * mp.exp(z * z) / mp.mpf(t))


qs = np.array([q_exact(t) for t in ts])
u = (2 * ts - (tmin + 1)) / (1 - tmin)
vander = np.polynomial.chebyshev.chebvander(u, deg)
w = np.ones(n)
for _ in range(60):
    coef, *_ = np.linalg.lstsq(vander * (w / qs)[:, None], w, rcond=None)
    rel = (vander @ coef - qs) / qs
    w = w * np.abs(rel) ** 0.5 + 1e-30
    w /= w.max()
mono = np.polynomial.chebyshev.Chebyshev(coef, domain=[tmin, 1]).convert(kind=np.polynomial.Polynomial).coef
print(f"degree {deg}: max relative error {np.abs(rel).max():.3g}")
print("coefficients, highest first:", ", ".join(f"{c:.9e}f" for c in mono[::-1]))
