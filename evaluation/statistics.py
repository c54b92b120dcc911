"""The arithmetic of the evaluation: PAM raw scoring and levels, confidence intervals.

No scipy: the two-sided 95% t critical value comes from the published table for
1–30 degrees of freedom and the Cornish–Fisher expansion beyond (error < 0.001).
"""

import math
from decimal import Decimal

from evaluation.models.pam import CUT_POINTS

Z_975 = 1.959963984540054
T_975 = (
    12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228,
    2.201, 2.179, 2.160, 2.145, 2.131, 2.120, 2.110, 2.101, 2.093, 2.086,
    2.080, 2.074, 2.069, 2.064, 2.060, 2.056, 2.052, 2.048, 2.045, 2.042,
)  # fmt: skip


def t_critical_95(df: int) -> float:
    """Two-sided 95% critical value of Student's t with ``df`` degrees of freedom."""
    if df < 1:
        raise ValueError("t needs at least one degree of freedom")
    if df <= len(T_975):
        return T_975[df - 1]
    z = Z_975
    return (
        z
        + (z**3 + z) / (4 * df)
        + (5 * z**5 + 16 * z**3 + 3 * z) / (96 * df**2)
        + (3 * z**7 + 19 * z**5 + 17 * z**3 - 15 * z) / (384 * df**3)
    )


def mean_ci_95(n: int, mean, sd) -> tuple[float, float] | None:
    """95% CI of a mean from n, mean and sample standard deviation; None if n < 2."""
    if not n or n < 2 or mean is None or sd is None:
        return None
    half = t_critical_95(n - 1) * float(sd) / math.sqrt(n)
    return (float(mean) - half, float(mean) + half)


def pam_raw(answers: list) -> dict:
    """Raw sum, number answered and the extreme-response flag of 13 answers."""
    given = [answer for answer in answers if answer is not None]
    return {
        "raw_sum": sum(given),
        "answered": len(given),
        "extreme_response": len(given) > 1 and len(set(given)) == 1,
    }


def pam_level(score, cut_set: str) -> int:
    """Activation level 1–4 of a 0–100 score under a published cut-point set."""
    score = Decimal(str(score))
    for level, upper in enumerate(CUT_POINTS[cut_set], start=1):
        if score <= upper:
            return level
    return 4


def percent(part, whole) -> float | None:
    if not whole:
        return None
    return round(100 * part / whole, 1)
