"""The statistics behind demand intervals and trend flags, against independent references."""

from __future__ import annotations

import numpy as np
import pytest
from scipy.stats import binomtest, chi2_contingency

from skillgap.gaps.stats import (
    benjamini_hochberg,
    benjamini_hochberg_grouped,
    cochran_armitage,
    wilson_interval,
)


def test_wilson_matches_textbook_value() -> None:
    # 10 of 100 at 95 %: Wilson interval 0.0552 .. 0.1744 (Newcombe 1998, method 3)
    low, high = wilson_interval(np.array([10]), np.array([100]))
    assert low[0] == pytest.approx(0.0552, abs=5e-4)
    assert high[0] == pytest.approx(0.1744, abs=5e-4)


def test_wilson_agrees_with_scipy_and_stays_in_unit_interval() -> None:
    k = np.array([0, 1, 3, 50, 99, 100])
    n = np.array([100, 100, 20, 100, 100, 100])
    low, high = wilson_interval(k, n, 0.9)
    for ki, ni, lo, hi in zip(k, n, low, high, strict=True):
        ref = binomtest(int(ki), int(ni)).proportion_ci(0.9, method="wilson")
        assert lo == pytest.approx(ref.low, abs=1e-9)
        assert hi == pytest.approx(ref.high, abs=1e-9)
        assert 0.0 <= lo <= ki / ni <= hi <= 1.0
    assert low[0] == 0.0 and high[-1] == 1.0


def test_wilson_empty_cell_is_nan() -> None:
    low, high = wilson_interval(np.array([0]), np.array([0]))
    assert np.isnan(low[0]) and np.isnan(high[0])


def test_wilson_coverage_is_near_nominal() -> None:
    rng = np.random.default_rng(1)
    p, n = 0.08, 60
    k = rng.binomial(n, p, size=4000)
    low, high = wilson_interval(k, np.full(k.shape, n))
    coverage = np.mean((low <= p) & (p <= high))
    assert 0.92 <= coverage <= 0.98


def test_cochran_armitage_two_periods_equals_pearson_chi_square() -> None:
    # with two ordered groups the trend test is the 2x2 chi-square test
    k = np.array([[12, 30]])
    n = np.array([[200, 210]])
    z, p, slope = cochran_armitage(k, n)
    table = np.array([[12, 188], [30, 180]])
    chi2, p_ref, _, _ = chi2_contingency(table, correction=False)
    assert z[0] ** 2 == pytest.approx(chi2, rel=1e-9)
    assert p[0] == pytest.approx(p_ref, rel=1e-9)
    assert slope[0] == pytest.approx(30 / 210 - 12 / 200, rel=1e-9)


def test_cochran_armitage_direction_and_degenerate_rows() -> None:
    n = np.full((4, 6), 100)
    k = np.array(
        [
            [2, 4, 6, 8, 10, 12],  # rising
            [12, 10, 8, 6, 4, 2],  # falling
            [5, 5, 5, 5, 5, 5],  # flat
            [0, 0, 0, 0, 0, 0],  # never mentioned: test undefined
        ]
    )
    z, p, slope = cochran_armitage(k, n)
    assert z[0] > 3 and slope[0] == pytest.approx(0.02) and p[0] < 0.002
    assert z[1] < -3 and slope[1] < 0
    assert p[2] == pytest.approx(1.0) and slope[2] == pytest.approx(0.0)
    assert np.isnan(p[3])


def test_cochran_armitage_ignores_empty_periods() -> None:
    with_gap = cochran_armitage(np.array([[2, 0, 12]]), np.array([[100, 0, 100]]))
    assert with_gap[1][0] < 0.01


def test_benjamini_hochberg_reference_values() -> None:
    p = np.array([0.01, 0.04, 0.03, 0.005, np.nan])
    q = benjamini_hochberg(p)
    # sorted p: .005 .01 .03 .04 -> p*m/rank = .02 .02 .04 .04
    assert q[3] == pytest.approx(0.02)
    assert q[0] == pytest.approx(0.02)
    assert q[2] == pytest.approx(0.04)
    assert q[1] == pytest.approx(0.04)
    assert np.isnan(q[4])
    assert np.all(q[:4] >= p[:4])


def test_grouped_bh_equals_per_group_bh() -> None:
    rng = np.random.default_rng(3)
    p = rng.uniform(0, 0.2, 300)
    p[::17] = np.nan
    groups = rng.choice(["all", "sector=F", "region=X"], 300)
    grouped = benjamini_hochberg_grouped(p, groups)
    for g in np.unique(groups):
        mask = groups == g
        np.testing.assert_allclose(grouped[mask], benjamini_hochberg(p[mask]), equal_nan=True)
