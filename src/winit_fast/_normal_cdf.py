"""The standard normal CDF to about 40 digits, in pure Python (``decimal``).

The truncated normal needs ``Phi(a)``, ``Phi(-b)`` and ``Phi(b) - Phi(a)`` once per call. libm's
``erfc`` may differ by an ulp between platforms, which would change output bytes; ``decimal``
arithmetic (correctly rounded ``exp`` and ``sqrt``) gives the same digits everywhere, and the
result is then rounded once to a float.
"""

from __future__ import annotations

import functools
from decimal import Decimal, localcontext

DIGITS = 60
PI = Decimal(
    "3.14159265358979323846264338327950288419716939937510582097494459230781640628620899863"
)
CF_TERMS = 600  # continued-fraction depth for erfc(y), y >= 3: converged far below 1e-40


def _erfc(y: Decimal) -> Decimal:
    """erfc(y) for y >= 0."""
    if y < 3:  # Taylor series of erf; its terms stay below e**9, so 60 digits leave plenty
        y2, term, total, n = y * y, y, y, 0
        threshold = Decimal(10) ** -(DIGITS - 5)
        while True:
            n += 1
            term = -term * y2 / n
            add = term / (2 * n + 1)
            total += add
            if abs(add) < threshold:
                break
        return 1 - 2 * total / PI.sqrt()
    # Laplace's continued fraction erfc(y) = exp(-y^2)/sqrt(pi) / (y + (1/2)/(y + 1/(y + ...)))
    denominator = y
    for k in range(CF_TERMS, 0, -1):
        denominator = y + Decimal(k) / 2 / denominator
    return (-y * y).exp() / PI.sqrt() / denominator


def _upper_tail(x: Decimal) -> Decimal:
    """Phi(-x) = P(Z > x), accurate in relative terms for large x of either sign."""
    y = x / Decimal(2).sqrt()
    return _erfc(y) / 2 if y >= 0 else 1 - _erfc(-y) / 2


@functools.lru_cache(maxsize=256)
def truncation_masses(a: float, b: float) -> tuple[float, float, float]:
    """``(Phi(a), Phi(-b), Phi(b) - Phi(a))`` for ``a < b``, each rounded once to a float.

    The mass is formed from whichever tails keep it accurate, so ``a = 20, b = 21`` gives the
    right 1e-89 rather than 0.
    """
    with localcontext() as ctx:
        ctx.prec = DIGITS
        da, db = Decimal(a), Decimal(b)
        lower_a = _upper_tail(-da)  # Phi(a)
        upper_b = _upper_tail(db)  # Phi(-b)
        if a >= 0:
            mass = _upper_tail(da) - upper_b
        elif b <= 0:
            mass = _upper_tail(-db) - lower_a
        else:
            mass = 1 - lower_a - upper_b
        return float(lower_a), float(upper_b), float(mass)
