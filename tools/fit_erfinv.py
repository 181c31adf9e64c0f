"""Fit the float32 inverse-CDF approximations of the truncated normal (stream version 2).

Run from the repository root: ``python tools/fit_erfinv.py``.  It prints the coefficients that
``tools/gen_coefficients.py`` holds as literals (``ERFINV``), so regenerating the headers
never depends on this fit being bit-reproducible across LAPACK builds.

For a point with lower and upper tail probabilities ``p`` and ``q`` and ``x = p - q``, the
standard normal quantile is ``z = sqrt(2) erfinv(x) = x * G``, ``G = sqrt(2) erfinv(x) / x``.
Three pieces:

* central, ``|z| <= 2.2`` (all of the Keras default ``[-2, 2]``): no logarithm, since this
  is the piece that has to run at Box-Muller speed. ``G = C0 + y A(r) / B(r)`` with
  ``y = x**2``, ``r = 1 - x**2`` and ``C0 = sqrt(pi/2)`` (``G`` at ``x = 0``), ``A / B`` a
  degree 5 / degree 4 rational. Written as a correction to ``C0``, the rounding errors of
  the two Horner sums (each about 4 units of 2**-24 relative) reach ``z`` only through the
  correction's share of ``G``, which brings the float32 error from 7 ulp to about 3;
* tail, ``w = -log(4 p q) < 16``: ``G`` of degree 10 in ``sqrt(w) - 3`` (Giles' form, "Approximating
  the erfinv function", GPU Computing Gems, 2010, with our own coefficients);
* far tail, ``16 <= w <= 85.6`` (down to ``p = 2**-124``, the smallest the float32 work
  meets): degree 8 in ``sqrt(w) - 3``.

Each is a near-minimax fit of the relative error (Lawson's iteratively reweighted least
squares on 400 Chebyshev nodes, the rational one linearized as in Loeb's method; reference
values from mpmath at 80 digits), then rounded to float32.  The error of the whole float32
transform is measured exhaustively by ``tests/test_truncated_normal.py``.
"""

from __future__ import annotations

import mpmath
import numpy as np

mpmath.mp.dps = 80

CENTRAL_Z = 2.2  # the central piece covers |z| <= 2.2
CENTRAL_DEGREES = (5, 4)
TAIL = ("TAIL", 10, 16.0)  # name, degree, largest w
FAR = ("FAR", 8, 85.6)


def ratio(w: mpmath.mpf, exact: bool = False):
    """``G = sqrt(2) erfinv(x) / x`` for ``w = -log(1 - x**2)`` (``w > 0``), as a float or,
    with ``exact``, as an mpmath number."""
    x = mpmath.sqrt(-mpmath.expm1(-w))
    g = mpmath.sqrt(2) * mpmath.erfinv(x) / x
    return g if exact else float(g)


def chebyshev_nodes(lo: float, hi: float, n: int = 400) -> np.ndarray:
    k = np.arange(n)
    return (lo + hi) / 2 + (hi - lo) / 2 * np.cos(np.pi * (k + 0.5) / n)


def lawson(system: np.ndarray, rhs: np.ndarray, error_of, rounds: int) -> np.ndarray:
    """Least squares reweighted towards the largest errors (a near-minimax solution)."""
    weights = np.ones(len(rhs))
    for _ in range(rounds):
        root = np.sqrt(weights)
        c, *_ = np.linalg.lstsq(system * root[:, None], rhs * root, rcond=None)
        weights = weights * (error_of(c) + 1e-300)
        weights /= weights.sum()
    return c


def fit_tail(degree: int, w_lo: float, w_hi: float):
    v = chebyshev_nodes(float(mpmath.sqrt(w_lo)) - 3, float(mpmath.sqrt(w_hi)) - 3)
    f = np.array([ratio(mpmath.mpf(x + 3) ** 2) for x in v])
    basis = np.vander(v, degree + 1, increasing=True) / f[:, None]
    c = lawson(basis, np.ones(len(v)), lambda c: np.abs(basis @ c - 1), 1500)
    c = c.astype(np.float32).astype(np.float64)
    return c, np.abs(basis @ c - 1).max()


def correction(r: float) -> float:
    """``(G - C0) / y`` at ``r = 1 - y``; its limit ``C0 pi / 12`` at ``y = 0``."""
    y = 1 - mpmath.mpf(r)
    c0 = mpmath.sqrt(mpmath.pi / 2)
    if y == 0:
        return float(c0 * mpmath.pi / 12)
    return float((ratio(-mpmath.log(mpmath.mpf(r)), exact=True) - c0) / y)


def fit_central():
    n, m = CENTRAL_DEGREES
    x_max = mpmath.erf(CENTRAL_Z / mpmath.sqrt(2))
    r = chebyshev_nodes(float(1 - x_max**2), 1.0)
    f = np.array([correction(x) for x in r])
    powers = np.vander(r, max(n, m) + 1, increasing=True)
    den = np.ones(len(r))
    for _ in range(30):  # Loeb: A(r) - f (B(r) - 1) = f, scaled by the last B(r)
        system = np.hstack([powers[:, : n + 1], -f[:, None] * powers[:, 1 : m + 1]])
        system = system / (f * den)[:, None]

        def error(c, system=system, rhs=1 / den):
            return np.abs(system @ c - rhs)

        c = lawson(system, 1 / den, error, 50)
        den = 1 + powers[:, 1 : m + 1] @ c[n + 1 :]
    a = c[: n + 1].astype(np.float32).astype(np.float64)
    b = np.r_[1.0, c[n + 1 :]].astype(np.float32).astype(np.float64)
    value = (powers[:, : n + 1] @ a) / (powers[:, : m + 1] @ b)
    return a, b, np.abs(value / f - 1).max(), float(1 - x_max**2)


def main() -> None:
    a, b, error, r_min = fit_central()
    print(f"# CENTRAL: r >= {r_min!r}, correction A/B within {error / 2**-24:.2f} x 2**-24")
    print('"CENTRAL_A": "' + " ".join(float(x).hex() for x in a) + '",')
    print('"CENTRAL_B": "' + " ".join(float(x).hex() for x in b) + '",')
    w_lo = -float(mpmath.log(r_min)) - 0.2  # a margin: tail lanes start near w = 2.9
    for (name, degree, w_hi), lo in ((TAIL, w_lo), (FAR, TAIL[2])):
        c, error = fit_tail(degree, lo, w_hi)
        print(
            f"# {name}: w in [{lo:.3f}, {w_hi}], max relative error {error / 2**-24:.2f} x 2**-24"
        )
        print(f'"{name}": "' + " ".join(float(x).hex() for x in c) + '",')


if __name__ == "__main__":
    main()
