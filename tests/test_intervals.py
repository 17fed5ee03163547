"""Conformal intervals: the quantile rank by hand, coverage exact, and nominal coverage on exchangeable residuals."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from seqcast.errors import ConfigError, DataError
from seqcast.intervals import (
    bands,
    conformal_rank,
    conformal_widths,
    coverage,
    parse_levels,
)


def test_parse_levels():
    assert parse_levels("80,95") == (80.0, 95.0)
    assert parse_levels(" 95, 80 ") == (80.0, 95.0)
    assert parse_levels("80 95") == (80.0, 95.0) and parse_levels("9 5") == (5.0, 9.0)  # were refused as 8095 / read as 95
    for empty_item in ("80,,95", "80,", ","):  # as --units refuses "4,": an item left out is a typo
        with pytest.raises(ConfigError, match="one or more percentages"):
            parse_levels(empty_item)
    assert parse_levels([50, 99.5]) == (50.0, 99.5)
    assert parse_levels(90) == (90.0,)
    # read to the 6 significant digits that name their columns: 80.0000001 and 80.0000002 were two levels, both lo_80
    assert parse_levels([100 * 0.9, 12.345678]) == (12.3457, 90.0) and parse_levels(range(1, 100)) == tuple(map(float, range(1, 100)))


def test_parse_levels_refuses_more_than_every_percentile_in_one_line():
    # 10,000 levels ran for minutes (5 min 5 s, killed), with pandas' 'DataFrame is highly fragmented' once per column
    with pytest.raises(ConfigError, match=r"^`levels` must be at most 99 levels \(every whole percentile, 1 to 99\), each one two "
                                          r"columns of every forecast and a band of every figure\. Received: 100000 levels$"):
        parse_levels(",".join(f"{50 + i * 0.0004:.4f}" for i in range(100_000)))


@pytest.mark.parametrize("bad, needle", [("80,abc", "numbers"), ("", "one or more"), ("0", "[1, 100)"), ("100", "[1, 100)"),
                                         ("120", "Received: levels='120'"), ("-5", "[1, 100)"), ("nan", "[1, 100)"),
                                         ("80,80", "repeat"), ([True], "numbers"), ([None], "numbers"), ((0.8, 0.95), "not 0.95"),
                                         ("80.0000001,80.0000002", "repeat a level (to the 6 significant digits that name its columns"),
                                         ("99.9999999", "[1, 100)"), ([10**400], "numbers")])  # 10**400: was an OverflowError
def test_parse_levels_errors(bad, needle):
    with pytest.raises(ConfigError, match=None) as e:
        parse_levels(bad)
    msg = str(e.value)
    assert needle in msg and "\n" not in msg and "`levels`" in msg


def test_widths_by_hand():
    # step 0: |r| = 1..9 (n=9). 80%: rank ceil(10*0.8) = 8 -> 8. 50%: rank ceil(5) = 5 -> 5. 95%: rank 10 > 9 -> inf.
    # step 1: |r| = 2, 4, ..., 18 with one NaN ignored (n=8). 80%: rank ceil(9*0.8)=ceil(7.2)=8 -> 16; 50%: ceil(4.5)=5 -> 10.
    col0 = np.array([3, -1, 9, -4, 2, 7, -5, 8, -6], float)
    col1 = np.array([-2, 4, np.nan, 6, -8, 10, 12, -14, 16], float)
    w = conformal_widths(np.c_[col0, col1], levels="50,80,95")
    assert list(w) == [50.0, 80.0, 95.0]
    np.testing.assert_array_equal(w[50.0], [5, 10])
    np.testing.assert_array_equal(w[80.0], [8, 16])
    assert np.isinf(w[95.0]).all()
    assert conformal_rank(9, 80) == 8 and conformal_rank(4, 80) == 4 and conformal_rank(19, 95) == 19 and conformal_rank(18, 95) == 19
    # one-dimensional residuals are one step
    np.testing.assert_array_equal(conformal_widths(col0, (80,))[80.0], [8])


def test_widths_errors():
    with pytest.raises(DataError, match="rows, horizon"):
        conformal_widths(np.zeros((2, 3, 4)))
    with pytest.raises(DataError, match="numbers only"):
        conformal_widths([["a", "b"]])
    assert np.isinf(conformal_widths(np.full((5, 2), np.nan))[80.0]).all()  # no residuals: no finite width


def test_bands_and_scale():
    point = np.array([[10.0, 20.0], [100.0, 200.0]])
    w = {80.0: np.array([1.0, 2.0])}
    lo, hi = bands(point, w)[80.0]
    np.testing.assert_array_equal(lo, [[9, 18], [99, 198]])
    np.testing.assert_array_equal(hi, [[11, 22], [101, 202]])
    lo, hi = bands(point, w, scale=[1.0, 10.0])[80.0]
    np.testing.assert_array_equal(lo, [[9, 18], [90, 180]])
    np.testing.assert_array_equal(hi, [[11, 22], [110, 220]])
    lo, hi = bands(point[0], w, scale=3.0)[80.0]
    np.testing.assert_array_equal(hi, [13, 26])
    with pytest.raises(DataError, match="one value per series"):
        bands(point, w, scale=[1, 2, 3])
    with pytest.raises(DataError, match=">= 0"):
        bands(point, w, scale=[1, -2])
    with pytest.raises(DataError, match="same horizon"):
        bands(point, {80.0: np.ones(3)})


def test_coverage_exact():
    truth = np.array([0.0, 1.0, 2.0, 3.0, 4.0, np.nan, 10.0, -1.0])
    lo = np.zeros(8)
    hi = np.full(8, 3.0)
    # finite: 7 values; inside [0, 3] (bounds included): 0, 1, 2, 3 -> 4 of 7
    assert coverage(truth, lo, hi) == pytest.approx(400 / 7)
    assert coverage([np.nan], [0], [1]) != coverage([np.nan], [0], [1])  # NaN: nothing to score
    with pytest.raises(DataError, match="same shape"):
        coverage(np.zeros(3), np.zeros(2), np.zeros(3))


# Exchangeable residuals: given one calibration set of n, the coverage of the level-q interval is
# Beta(k, n+1-k) (k the conformal rank): sd sqrt(q(1-q)/(n+2)), 1.8 points at 80% and 1.0 at 95% for
# n = 500, plus the binomial noise of 5000 test values. One draw is allowed 4.5 of those sds
# (derandomized, so the test never flakes); the mean over many draws must meet the guarantee tightly.
N_CAL, N_TEST = 500, 5000


def _sd(level, n=N_CAL, m=N_TEST):
    q = level / 100
    return 100 * np.sqrt(q * (1 - q) / (n + 2) + q * (1 - q) / m)


@settings(max_examples=15, deadline=None, derandomize=True)
@given(seed=st.integers(0, 2**32 - 1), sd=st.floats(0.1, 100.0), h=st.integers(1, 4))
def test_coverage_near_nominal_on_exchangeable_residuals(seed, sd, h):
    rng = np.random.default_rng(seed)
    calib = rng.normal(0, sd, size=(N_CAL, h))
    truth = rng.normal(0, sd, size=(N_TEST, h))  # the forecasts are 0, so the residuals are the truth
    w = conformal_widths(calib, (80, 95))
    b = bands(np.zeros_like(truth), w)
    for level in (80.0, 95.0):
        for j in range(h):
            cov = coverage(truth[:, j], b[level][0][:, j], b[level][1][:, j])
            assert abs(cov - level) < 4.5 * _sd(level), (level, j, cov)


def test_mean_coverage_meets_the_guarantee():
    # over 400 calibration draws the mean coverage estimates the marginal one, which the rank
    # ceil((n+1)q) puts in [q, q + 1/(n+1)): 80..80.2 and 95..95.2 for n = 500 (sd of the mean ~0.1)
    rng = np.random.default_rng(0)
    calib = rng.standard_t(5, size=(N_CAL, 400))  # heavy tails: conformal needs no normality
    truth = rng.standard_t(5, size=(N_TEST, 400))
    w = conformal_widths(calib, (80, 95))
    for level in (80.0, 95.0):
        lo, hi = bands(np.zeros_like(truth), w)[level]
        per_draw = [coverage(truth[:, j], lo[:, j], hi[:, j]) for j in range(400)]
        assert level - 0.5 < np.mean(per_draw) < level + 100 / (N_CAL + 1) + 0.5, (level, np.mean(per_draw))


def test_bands_floor_raises_lower_bounds_only_where_a_series_has_one():
    point = np.array([[1.0, 5.0], [1.0, 5.0]])
    b = bands(point, {80.0: np.array([2.0, 2.0])}, floor=np.array([0.0, np.nan]))[80.0]
    np.testing.assert_array_equal(b[0], [[0.0, 3.0], [-1.0, 3.0]])  # series 0 never negative; series 1 may be
    np.testing.assert_array_equal(b[1], [[3.0, 7.0], [3.0, 7.0]])  # upper bounds above the floor untouched
    lo, hi = bands(np.array([[-3.0]]), {80.0: np.array([1.0])}, floor=np.array([0.0]))[80.0]
    assert lo[0, 0] == 0.0 and hi[0, 0] == 0.0  # a point forecast below the floor does not invert the band
    lo, hi = bands(np.zeros((0, 3)), {80.0: np.ones(3)}, scale=np.zeros(0), floor=np.zeros(0))[80.0]
    assert lo.shape == hi.shape == (0, 3)  # no series (a backtest origin whose series are all constant): was a broadcast error


@pytest.mark.parametrize("level", [100, 100.0, 0, 0.95, float("nan"), "95", True, None])
def test_min_residuals_and_conformal_rank_refuse_a_level_outside_1_to_100(level):
    # min_residuals(100) looped forever: no n has ceil((n + 1) * 1.0) <= n
    from seqcast.intervals import min_residuals

    with pytest.raises(ConfigError, match="`level` must be a number in \\[1, 100\\)"):
        min_residuals(level)
    with pytest.raises(ConfigError, match="`level` must be a number in \\[1, 100\\)"):
        conformal_rank(10, level)


def test_min_residuals_is_exact_and_quick_near_100():
    from seqcast.intervals import min_residuals

    assert [min_residuals(q) for q in (50, 80, 90, 95, 99)] == [1, 4, 9, 19, 99]
    n = min_residuals(99.9999)  # the loop from 1 took a million steps
    assert conformal_rank(n, 99.9999) <= n and conformal_rank(n - 1, 99.9999) > n - 1  # the fewest


@pytest.mark.parametrize("widths", [[1.0, 2.0, 3.0], np.ones(3), None])
def test_widths_that_are_not_a_dict_are_a_data_error(widths):
    with pytest.raises(DataError, match=r"^`widths` must be a dict \{level: \(horizon,\) widths\}"):
        bands(np.zeros((2, 3)), widths)  # was AttributeError: no attribute 'items'


@pytest.mark.parametrize("floor, message", [
    ("zero", r"^`floor` must be an array of numbers only\. Received: floor='zero'"),  # was a bare ValueError
    ([0.0, 0.0, 0.0], r"^`floor` must be one number, or one per series \(2\)\. Received: shape \(3,\)"),  # broadcast error
    (np.zeros((2, 3)), r"^`floor` must be one number, or one per series \(2\)\. Received: shape \(2, 3\)"),  # (2, 2, 3) bounds
])
def test_a_floor_that_is_not_numbers_per_series_is_a_data_error(floor, message):
    with pytest.raises(DataError, match=message):
        bands(np.zeros((2, 3)), {80.0: np.ones(3)}, floor=floor)


def test_a_floor_per_series_still_applies():
    lo, hi = bands(np.zeros((2, 3)), {80.0: np.ones(3)}, floor=[0.0, np.nan])[80.0]
    assert (lo[0] == 0).all() and (lo[1] == -1).all() and (hi == 1).all()


def test_docstring_examples_hold():  # the `>>>` examples users read in help(seqcast.intervals...)
    import doctest

    from seqcast import intervals

    res = doctest.testmod(intervals)
    assert res.attempted >= 3 and res.failed == 0


def test_conformal_rank_is_exact_where_the_product_is_whole():
    # (99 + 1) * 7% = 7 exactly; 100 * 0.07 in floats is 7.000000000000001, whose ceil is 8
    assert conformal_rank(99, 7) == 7
    np.testing.assert_array_equal(conformal_widths(np.arange(1.0, 100.0), 7)[7.0], [7])


def test_level_1_is_the_lowest_accepted():
    assert parse_levels("1") == (1.0,)


def test_a_zero_scale_gives_a_zero_width_band():
    # a constant series' in-sample MAE is 0: its band is the point forecast itself
    lo, hi = bands(np.array([[10.0, 20.0], [5.0, 5.0]]), {80.0: np.array([1.0, 2.0])}, scale=[1.0, 0.0])[80.0]
    np.testing.assert_array_equal(lo, [[9, 18], [5, 5]])
    np.testing.assert_array_equal(hi, [[11, 22], [5, 5]])


def test_widths_of_fewer_steps_than_the_forecasts_or_no_steps_are_refused():
    with pytest.raises(DataError, match="widths for level 80.0 have 1 steps, the forecasts 2"):
        bands(np.array([10.0, 20.0]), {80.0: np.array([1.0])})  # was broadcast to every step
    with pytest.raises(DataError, match="rows, horizon"):
        conformal_widths(np.zeros((5, 0)))


def test_bands_refuse_a_point_forecast_of_three_dimensions():
    """(series, horizon) or (horizon,) only (coverage audit: no test reached the refusal)."""
    with pytest.raises(DataError, match=r"`point` must be \(series, horizon\) or \(horizon,\)\. Received: shape \(1, 2, 3\)"):
        bands(np.zeros((1, 2, 3)), {80.0: np.ones(3)})
