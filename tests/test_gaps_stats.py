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


# Against the libraries -------------------------------------------------------------------
def test_benjamini_hochberg_ties_match_scipy() -> None:
    from scipy.stats import false_discovery_control

    p = np.array([0.04, 0.04])
    np.testing.assert_allclose(benjamini_hochberg(p), [0.04, 0.04])
    grouped = benjamini_hochberg_grouped(p, np.array(["all", "all"]))
    np.testing.assert_allclose(grouped, false_discovery_control(p))
    # ties and row order: the same p-values in any order get the same q-values
    p = np.array([0.01, 0.03, 0.03, 0.03, 0.2, 0.01])
    for order in (np.arange(6), np.arange(6)[::-1], np.array([3, 0, 5, 1, 4, 2])):
        q = benjamini_hochberg_grouped(p[order], np.array(["g"] * 6))
        np.testing.assert_allclose(q, false_discovery_control(p[order]))


def test_grouped_bh_matches_statsmodels_on_rounded_p_values() -> None:
    from statsmodels.stats.multitest import multipletests

    rng = np.random.default_rng(7)
    p = np.round(rng.uniform(0, 0.3, 200), 2)  # rounding makes many ties
    p[::13] = np.nan
    groups = rng.choice(["all", "sector=F", "region=UKH", "sector=F,region=UKH"], 200)
    q = benjamini_hochberg_grouped(p, groups)
    for g in np.unique(groups):
        mask = (groups == g) & np.isfinite(p)
        ref = multipletests(p[mask], method="fdr_bh")[1]
        np.testing.assert_allclose(q[mask], ref, rtol=1e-12)
    assert np.isnan(q[~np.isfinite(p)]).all()


def test_wilson_matches_statsmodels() -> None:
    from statsmodels.stats.proportion import proportion_confint

    k = np.array([0, 1, 2, 7, 30, 59, 60, 3])
    n = np.array([60, 60, 5, 9, 60, 60, 60, 1000])
    for conf in (0.9, 0.95, 0.99):
        low, high = wilson_interval(k, n, conf)
        ref_low, ref_high = proportion_confint(k, n, alpha=1 - conf, method="wilson")
        np.testing.assert_allclose(low, ref_low, atol=1e-12)
        np.testing.assert_allclose(high, ref_high, atol=1e-12)


def test_cochran_armitage_matches_statsmodels_linear_by_linear_test() -> None:
    # statsmodels' ordinal association test on a 2 x T table is the Cochran-Armitage
    # test with the hypergeometric variance: z_lbl = z_ca * sqrt((N - 1) / N)
    from statsmodels.stats.contingency_tables import Table

    rng = np.random.default_rng(11)
    for _ in range(20):
        t = int(rng.integers(3, 9))
        n = rng.integers(20, 400, t)
        k = rng.binomial(n, rng.uniform(0.02, 0.4))
        z, _p, _ = cochran_armitage(k[None, :], n[None, :])
        table = Table(np.vstack([k, n - k]).astype(float), shift_zeros=False)
        res = table.test_ordinal_association(
            row_scores=np.array([1.0, 0.0]), col_scores=np.arange(t, dtype=float)
        )
        total = n.sum()
        assert z[0] * np.sqrt((total - 1) / total) == pytest.approx(res.zscore, rel=1e-9)
