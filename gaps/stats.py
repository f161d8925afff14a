"""The few statistics the analysis states in its reports, vectorised over numpy arrays.

Kept apart from the table plumbing so each formula can be checked against a textbook value
in a unit test.
"""

from __future__ import annotations

import numpy as np
from scipy.stats import norm


def wilson_interval(
    k: np.ndarray, n: np.ndarray, confidence: float = 0.95
) -> tuple[np.ndarray, np.ndarray]:
    """Wilson score interval for a binomial proportion k/n (NaN where n == 0).

    Chosen over the normal (Wald) interval because it stays inside [0, 1] and behaves at
    small counts and shares near 0, which is where most skills live.
    """
    k = np.asarray(k, dtype=float)
    n = np.asarray(n, dtype=float)
    z = float(norm.ppf(0.5 + confidence / 2.0))
    with np.errstate(divide="ignore", invalid="ignore"):
        p = k / n
        denom = 1.0 + z * z / n
        centre = (p + z * z / (2.0 * n)) / denom
        half = z * np.sqrt(p * (1.0 - p) / n + z * z / (4.0 * n * n)) / denom
        low = np.clip(centre - half, 0.0, 1.0)
        high = np.clip(centre + half, 0.0, 1.0)
    low = np.where(n > 0, low, np.nan)
    high = np.where(n > 0, high, np.nan)
    return low, high


def cochran_armitage(k: np.ndarray, n: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Cochran-Armitage test for a linear trend in proportions, one row per skill.

    ``k`` and ``n`` are (rows x periods) arrays of mentioning vacancies and all vacancies;
    period scores are 0, 1, 2, ... so periods without vacancies simply weigh nothing.
    Returns (z, two-sided p-value, slope) where slope is the weighted least-squares slope
    of the share per period (share points per period), which is U / S in the notation below.
    Rows where the test is undefined (no variation in share or periods) get p = NaN.
    """
    k = np.asarray(k, dtype=float)
    n = np.asarray(n, dtype=float)
    t = np.arange(k.shape[1], dtype=float)[None, :]
    n_tot = n.sum(axis=1, keepdims=True)
    with np.errstate(divide="ignore", invalid="ignore"):
        p_bar = k.sum(axis=1, keepdims=True) / n_tot
        t_bar = (n * t).sum(axis=1, keepdims=True) / n_tot
        s = (n * (t - t_bar) ** 2).sum(axis=1)
        u = (k * (t - t_bar)).sum(axis=1)
        var = (p_bar * (1.0 - p_bar)).ravel() * s
        z = u / np.sqrt(var)
        slope = u / s
    valid = np.isfinite(z) & (var > 0)
    z = np.where(valid, z, np.nan)
    p = np.where(valid, 2.0 * norm.sf(np.abs(np.nan_to_num(z))), np.nan)
    slope = np.where(s > 0, slope, np.nan)
    return z, p, slope


def benjamini_hochberg(p: np.ndarray) -> np.ndarray:
    """Benjamini-Hochberg adjusted p-values (q-values); NaN p-values stay NaN.

    Used because a trend scan tests every skill at once: at a 5 % level, 1,000 stable
    skills would otherwise yield about 50 false "emerging" flags. The step-up itself is
    scipy's (``false_discovery_control``), which treats tied p-values alike whatever
    their order.
    """
    from scipy.stats import false_discovery_control

    p = np.asarray(p, dtype=float)
    out = np.full(p.shape, np.nan)
    ok = np.isfinite(p)
    if ok.any():
        out[ok] = false_discovery_control(p[ok], method="bh")
    return out


def benjamini_hochberg_grouped(p: np.ndarray, groups: np.ndarray) -> np.ndarray:
    """``benjamini_hochberg`` applied separately within each group (one family per scope)."""
    import pandas as pd

    p = np.asarray(p, dtype=float)
    out = np.full(len(p), np.nan)
    codes = pd.factorize(np.asarray(groups, dtype=object))[0]
    for idx in pd.Series(np.arange(len(p))).groupby(codes).indices.values():
        out[idx] = benjamini_hochberg(p[idx])
    return out
