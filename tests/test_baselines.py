"""Tests for seqcast.models.baselines: the one-step baselines and the multi-step forecasts."""

import sys

import numpy as np
import pytest

from seqcast.errors import ConfigError, DataError
from seqcast.models import baselines as b

Y = np.arange(1.0, 11.0)  # 1..10


def test_one_step_baselines():
    v = np.array([1.0, 2.0, 4.0, 8.0, 16.0])
    t = np.array([2, 3, 4])
    assert list(b.naive(v, t)) == [2, 4, 8]
    assert list(b.seasonal_naive(v, t, 2)) == [1, 2, 4]
    assert set(b.one_step(v, t, 2)) == {"naive", "snaive", "linear_ar"}
    assert set(b.one_step(v, t, 3)) == {"naive", "linear_ar"}  # t.min() < season
    y = np.sin(np.arange(40) / 3) + np.arange(40) / 10
    t = np.array([30, 35, 39])  # linear_ar refits on everything before each target
    expected = [b.forecast("linear_ar", y[:i], 1, season=4)[0] for i in t]
    np.testing.assert_array_equal(b.one_step(y, t, 4)["linear_ar"], expected)
    assert not np.allclose(expected, b.forecast("linear_ar", y[:30], 10, season=4)[[0, 5, 9]])


@pytest.mark.parametrize("season", [None, 1, 4])
def test_one_step_linear_ar_is_the_one_step_forecast_from_the_values_before_each_target(season):
    # also where the history is too short to fit (fewer than 7 values: the naive forecast, never v[t] itself),
    # and with the default order 12 when there is no season
    y = np.sin(np.arange(40) / 3) + np.arange(40) / 10
    t = np.arange(1, 40)
    expected = [b.forecast("linear_ar", y[:i], 1, season=season)[0] for i in t]
    np.testing.assert_allclose(b.one_step(y, t, season)["linear_ar"], expected, rtol=1e-12)
    np.testing.assert_array_equal(b.one_step(y, t, season)["linear_ar"][:5], y[:5])  # t = 1..5: y[t - 1]


def test_one_step_baselines_refuse_a_target_without_a_value_before_it():
    with pytest.raises(DataError, match="one value before every target"):
        b.naive(Y, [0, 1])  # v[-1] would be the last value: a forecast from the future
    assert "snaive" not in b.one_step(Y, np.array([3, 4]), 1)  # season 1 is naive, not a second baseline


def test_one_step_linear_ar_refits_every_kth_target_on_long_test_parts():
    """One least-squares fit per target took 320 s on 600 targets of 5-minute data (576 lags)."""
    y = np.sin(np.arange(400) / 5) + np.random.default_rng(0).normal(0, 0.1, 400)
    t = np.arange(270, 400)  # 130 targets: refits before every 3rd (ceil(130 / 60))
    got = b.one_step(y, t, 4)["linear_ar"]
    mu, sd, coef = b._ar_fit(y[:270], 1, 8)  # the fit that opens the first block serves targets 270, 271, 272
    for i in (270, 271, 272):
        assert got[i - 270] == pytest.approx(mu + sd * (coef[0] + coef[1:] @ ((y[i - 8 : i][::-1] - mu) / sd)))
    assert got[3] == pytest.approx(b.forecast("linear_ar", y[:273], 1, season=4)[0])  # the next block refits
    assert b._linear_ar_one_step(y, np.array([], dtype=int), None).shape == (0,)  # no targets: nothing, no error


@pytest.mark.parametrize("name,expected", [
    ("naive", [10, 10, 10, 10, 10]),
    ("snaive", [7, 8, 9, 10, 7]),          # last season 7, 8, 9, 10 repeated
    ("drift", [11, 12, 13, 14, 15]),       # slope (10 - 1) / 9 = 1
    ("window_average", [9, 9, 9, 9, 9]),   # mean(8, 9, 10)
])
def test_simple_baselines_hand_computed(name, expected):
    assert b.forecast(name, Y, 5, season=4, window=3) == pytest.approx(expected)


def test_drift_slope():
    assert b.forecast("drift", [2.0, 5.0, 4.0], 2) == pytest.approx([5.0, 6.0])  # slope (4 - 2) / 2
    assert b.forecast("drift", [1.0, 3.0], 2) == pytest.approx([5.0, 7.0])  # two values are enough for a slope
    assert b.forecast("window_average", [1.0, 2.0, 9.0], 1, window=3) == pytest.approx([4.0])  # the mean, not the median


def test_short_series_fallbacks():
    assert b.forecast("snaive", Y, 3) == pytest.approx([10, 10, 10])  # no season
    assert b.forecast("snaive", Y, 3, season=1) == pytest.approx([10, 10, 10])
    assert b.forecast("snaive", Y[:3], 3, season=4) == pytest.approx([3, 3, 3])  # n < m
    assert b.forecast("snaive", Y[:4], 5, season=4) == pytest.approx([1, 2, 3, 4, 1])  # n == m
    assert b.forecast("drift", [7.0], 2) == pytest.approx([7, 7])
    assert b.forecast("window_average", Y, 2) == pytest.approx([5.5, 5.5])  # window None: all
    assert b.forecast("window_average", Y, 2, window=50) == pytest.approx([5.5, 5.5])
    assert b.forecast("linear_ar", Y[:6], 2) == pytest.approx([6, 6])  # n < 7: naive
    assert b.forecast("linear_ar", np.full(20, 3.0), 2) == pytest.approx([3, 3])  # constant: naive


def test_linear_ar_recovers_exact_ar2():
    z = [10.0, 0.0]
    for _ in range(40):
        z.append(2 + 0.5 * z[-1] - 0.8 * z[-2])  # AR(2) with intercept, no noise
    z = np.array(z)
    assert b.forecast("linear_ar", z[:30], 6, window=2) == pytest.approx(z[30:36], abs=1e-4)


def test_linear_ar_recovers_phi_of_a_noisy_ar1_and_naive_is_the_random_walks_forecast():
    """AR(1) y_t = 5 + 0.7 (y_{t-1} - 5) + e_t, e ~ N(0, 1): with one lag the forecasts obey f_{k+1} - f_k = phi (f_k -
    f_{k-1}), so phi is read off the forecasts. Least squares with the mean estimated has sd sqrt((1 - phi^2) / n)
    and bias -(1 + 3 phi) / n (Marriott and Pope 1954); over 200 series of 500 values the mean estimate has standard
    error 0.032 / sqrt(200) = 0.0023, and is allowed 4 of them around phi - bias."""
    phi, n, S = 0.7, 500, 200
    rng = np.random.default_rng(11)
    e = rng.normal(size=(S, n))
    y = np.empty((S, n))
    y[:, 0] = e[:, 0] / np.sqrt(1 - phi**2)  # stationary start
    for t in range(1, n):
        y[:, t] = phi * y[:, t - 1] + e[:, t]
    f = b.forecast_many("linear_ar", y + 5, 3, window=1)  # (S, 3)
    est = (f[:, 2] - f[:, 1]) / (f[:, 1] - f[:, 0])
    se = np.sqrt((1 - phi**2) / n) / np.sqrt(S)
    assert abs(est.mean() - (phi - (1 + 3 * phi) / n)) < 4 * se
    assert abs(est.std() - np.sqrt((1 - phi**2) / n)) < 0.2 * np.sqrt((1 - phi**2) / n)  # sd of a sd from 200: ~5%
    walk = np.cumsum(e, axis=1)  # the random walk's optimal forecast is its last value, at every step
    np.testing.assert_array_equal(b.forecast_many("naive", walk, 4), np.repeat(walk[:, -1:], 4, axis=1))


def test_linear_ar_continues_a_sine_and_a_trend():
    t = np.arange(50)
    sine = 5 + 3 * np.sin(2 * np.pi * t / 7)  # an AR(2) with a unit-modulus root pair
    assert b.forecast("linear_ar", sine[:40], 10, window=2) == pytest.approx(sine[40:], abs=1e-3)
    trend = 3 + 2 * t
    assert b.forecast("linear_ar", trend[:30], 3) == pytest.approx(trend[30:33], abs=1e-3)


def test_spectral_radius_of_known_recursions():
    assert b._spectral_radius(np.array([0.5])) == pytest.approx(0.5)
    assert b._spectral_radius(np.array([2.0, -1.0])) == pytest.approx(1.0, abs=1e-6)  # a linear trend: double unit root
    assert b._spectral_radius(np.array([0.0, 4.0])) == pytest.approx(2.0)  # z_t = 4 z_{t-2}


@pytest.mark.parametrize("seed", [1, 4])
def test_linear_ar_refits_an_explosive_fit_with_fewer_lags(seed, monkeypatch):
    """12 lags fitted to a 30-step random walk can give a recursion that grows without bound; the forecast
    then comes from fewer lags and stays on the series' scale."""
    y = np.cumsum(np.random.default_rng(seed).normal(size=30))
    monkeypatch.setattr(b, "AR_MAX_GROWTH", np.inf)
    unguarded = b.forecast("linear_ar", y, 24, window=12)
    monkeypatch.setattr(b, "AR_MAX_GROWTH", 2.0)
    guarded = b.forecast("linear_ar", y, 24, window=12)
    assert np.abs(unguarded - y[-1]).max() > 100 * np.ptp(y)
    assert np.abs(guarded - y[-1]).max() < np.ptp(y)
    assert guarded == pytest.approx(b.forecast("linear_ar", y, 24, window=6), rel=1e-12)  # p // 2 = 6 lags, not 11


def test_linear_ar_order_is_capped():
    # n = 7: the default p = 12 is capped at (7 - 5) // 2 = 1; y_t = 1 + 0.5 y_{t-1} is fitted exactly
    y = np.array([10, 6, 4, 3, 2.5, 2.25, 2.125])
    assert b.forecast("linear_ar", y, 2) == pytest.approx([2.0625, 2.03125], abs=1e-4)
    seasonal = np.tile([1.0, 3.0, 2.0, 5.0], 4) + 0.01 * np.arange(16)
    out = b.forecast("linear_ar", seasonal, 8, season=4)  # p = 2 * 4 = 8, capped at 5
    assert out.shape == (8,) and np.all(np.isfinite(out))


def test_forecast_many():
    ys = [Y, Y[:3], np.array([4.0])]
    out = b.forecast_many("drift", ys, 2)
    assert out.shape == (3, 2)
    assert out == pytest.approx(np.array([[11, 12], [4, 5], [4, 4]]))
    assert b.forecast_many("naive", np.ones((2, 5)), 3).shape == (2, 3)
    assert b.forecast_many("naive", [], 3).shape == (0, 3)


def test_bad_input():
    with pytest.raises(ConfigError, match=r"`name` must be one of 'naive', .* Received: name='arima'"):
        b.forecast("arima", Y, 2)
    with pytest.raises(ConfigError, match=r"`h` must be an integer >= 1. Received: h=0"):
        b.forecast("naive", Y, 0)
    with pytest.raises(ConfigError, match=r"`season` must be an integer >= 1 or None. Received: season=0"):
        b.forecast("snaive", Y, 2, season=0)
    with pytest.raises(DataError, match="y is empty"):
        b.forecast("naive", [], 2)
    with pytest.raises(DataError, match="non-finite value at position 1"):
        b.forecast("naive", [1.0, np.nan], 2)
    with pytest.raises(DataError, match=r"y must be 1-D"):
        b.forecast("naive", np.ones((2, 2)), 2)
    with pytest.raises(DataError, match="series 1 holds a non-finite value"):
        b.forecast_many("naive", [Y, [np.inf]], 2)
    with pytest.raises(DataError, match="`ys` must be a list of 1-D arrays"):
        b.forecast_many("naive", 3.0, 2)


def test_statsforecast_missing_package(monkeypatch):
    monkeypatch.setitem(sys.modules, "statsforecast", None)  # import fails as if not installed
    with pytest.raises(ConfigError, match=r"pip install 'seqcast\[stats\]'"):
        b.statsforecast_forecast(["autoets"], [Y], 2, 1)
    with pytest.raises(ConfigError, match=r"`names` must list some of 'autoets'"):
        b.statsforecast_forecast(["ets"], [Y], 2, 1)


def test_statsforecast_references():
    pytest.importorskip("statsforecast")
    pattern = np.array([1.0, 3.0, 2.0, 5.0])
    ys = [np.tile(pattern, 6) + 10, 100 * (np.tile(pattern, 5) + 10), np.tile(pattern, 7) + 10 + 0.1 * np.arange(28)]
    out = b.statsforecast_forecast(["autoets", "autotheta", "autoarima"], ys, 4, 4)
    assert list(out) == ["autoets", "autotheta", "autoarima"]
    for f in out.values():
        assert f.shape == (3, 4) and np.all(np.isfinite(f))
        # rows in the order of ys: an exactly periodic series continues its pattern
        assert f[0] == pytest.approx(pattern + 10, rel=1e-3)
        assert f[1] == pytest.approx(100 * (pattern + 10), rel=1e-3)


def test_statsforecast_falls_back_to_the_seasonal_naive_forecast():
    pytest.importorskip("statsforecast")
    # AutoETS cannot fit 5 values with season 4: the documented fallback repeats the last season 2, 3, 4, 5
    out = b.statsforecast_forecast(["autoets"], [np.arange(1.0, 6.0)], 4, 4)
    assert out["autoets"][0] == pytest.approx([2.0, 3.0, 4.0, 5.0])


def _fits(monkeypatch) -> list:
    """The positions that `gaps.history`'s readers are asked for: one a linear_ar fit (a copy of the series each)."""
    from seqcast import gaps

    asked, real = [], gaps.history

    def history(*args):
        at = real(*args)
        return lambda e: asked.append(e) or at(e)

    monkeypatch.setattr(gaps, "history", history)
    return asked


@pytest.mark.parametrize("method", ["interpolate", "ffill"])
def test_one_step_with_filled_values_reads_each_target_history_as_known_then_without_a_copy_per_target(method, monkeypatch):
    from seqcast import gaps

    rng = np.random.default_rng(3)
    n, season = 400, 4
    f = rng.random(n) < 0.3
    f[[0, 1, -1]] = False
    v = 10 + np.sin(np.arange(n) / 3) + rng.normal(0, 0.1, n)
    t = np.arange(n - 40, n)  # 40 targets: linear_ar refits before each
    copies = _fits(monkeypatch)
    got = b.one_step(v, t, season, f, method)
    known = [gaps.refill(v[:i], f[:i], method) for i in t]  # the values before each target, as known then
    np.testing.assert_array_equal(got["naive"], [h[-1] for h in known])
    np.testing.assert_array_equal(got["snaive"], [h[-season] for h in known])
    np.testing.assert_array_equal(got["linear_ar"], [b.forecast("linear_ar", h, 1, season=season)[0] for h in known])
    assert len(copies) <= len(t)  # one copy of the series per fit: was three per target (quadratic in its length)


@pytest.mark.parametrize("method", ["interpolate", "ffill"])
def test_one_step_forecasts_the_unscored_targets_too_changing_no_scored_forecast(method, monkeypatch):
    """holdout forecasts its filled test values too (fit's test_predictions.csv keeps their rows): one_step takes them
    with `scored`, each scored target gets the bits it had alone, and linear_ar spreads its fits over the scored ones
    (forecasting the filled ones in a call of their own refitted up to 60 more times: 56 for 278 filled among 30,000
    5-minute values, 0.5 s a fit)."""
    from seqcast import gaps

    rng = np.random.default_rng(5)
    n, season = 600, 4
    f = rng.random(n) < 0.3
    f[[0, 1, -1]] = False
    f[n - 200 : n - 195] = True  # the test part opens with filled values, before the first scored target
    v = 10 + np.sin(np.arange(n) / 3) + rng.normal(0, 0.1, n)
    t = np.arange(n - 200, n)
    scored = ~f[t]
    alone = b.one_step(v, t[scored], season, f, method)
    copies = _fits(monkeypatch)
    both = b.one_step(v, t, season, f, method, scored)
    assert set(both) == set(alone)
    for k in alone:
        np.testing.assert_array_equal(both[k][scored], alone[k], err_msg=k)
    assert len(copies) <= b.ONE_STEP_FITS + 1  # one fit per block of scored targets, and one before the first
    known = [gaps.refill(v[:i], f[:i], method) for i in t[~scored]]  # the values before each filled target, as known then
    np.testing.assert_array_equal(both["naive"][~scored], [h[-1] for h in known])
    np.testing.assert_array_equal(both["snaive"][~scored], [h[-season] for h in known])
    assert both["linear_ar"][0] == pytest.approx(b.forecast("linear_ar", known[0], 1, season=season)[0], rel=1e-12)
    short = np.zeros(30, dtype=bool)
    short[5:10] = True  # targets 5..9 filled: 5, 6, 7 have no value a season (8) before them; the scored ones have
    out = b.one_step(v[:30], np.arange(5, 30), 8, short, method, ~short[5:])
    assert np.isnan(out["snaive"][:3]).all() and np.isfinite(out["snaive"][3:]).all()


def test_baseline_refusals_say_what_to_pass():
    """Refusals no test reached (coverage audit): too short a history for the season, an unknown baseline,
    a 3-D batch, text for numbers."""
    with pytest.raises(DataError, match="needs 4 values before every target; the first target has 3"):
        b.seasonal_naive(np.arange(10.0), np.array([3, 4]), 4)
    with pytest.raises(ConfigError, match=r"`name` must be one of 'naive', .*Received: name='nope'"):
        b.forecast_many("nope", [np.arange(5.0)], 2)
    with pytest.raises(DataError, match=r"`ys` must be a list of 1-D arrays or a 2-D array\. Received: shape \(2, 2, 2\)"):
        b.forecast_many("naive", np.zeros((2, 2, 2)), 2)
    with pytest.raises(DataError, match="series 0 must hold numbers only"):
        b.forecast_many("naive", [["a", "b"]], 2)
