"""Filled values: marked where loading filled them, and refilled as known at a time."""

import numpy as np
import pandas as pd
import pytest

from seqcast import gaps, load_series
from seqcast.forecast import _as_panel, _as_series


def gappy(fill="interpolate", dates=True):
    y = [1.0, 2.0, np.nan, np.nan, 5.0, 6.0, np.nan, 8.0, np.nan]  # the last row empty: dropped, not filled
    df = pd.DataFrame({"ds": pd.date_range("2000-01", periods=9, freq="MS"), "y": y}) if dates else pd.Series(y)
    return load_series(df, fill=fill)


@pytest.mark.parametrize("dates", [True, False])
def test_loading_marks_the_filled_values_and_slicing_keeps_them(dates):
    s = gappy(dates=dates)
    np.testing.assert_array_equal(gaps.filled(s), [0, 0, 1, 1, 0, 0, 1, 0])
    assert gaps.method(s) == "interpolate" and s.attrs["filled"] == 3
    np.testing.assert_array_equal(gaps.filled(s.iloc[3:6]), [1, 0, 0])
    again = _as_series(s, "none")  # a loaded series read again (what fit and backtest do with it) keeps its marks
    np.testing.assert_array_equal(gaps.filled(again), gaps.filled(s))
    clean = load_series([1.0, 2.0, 3.0])
    assert "filled_at" not in clean.attrs and not gaps.filled(clean).any() and gaps.method(clean) is None


def test_long_data_and_dicts_of_series_keep_each_series_marks():
    dates = list(pd.date_range("2000-01", periods=6, freq="MS"))
    df = pd.DataFrame({"unique_id": ["a"] * 6 + ["b"] * 6, "ds": dates * 2,
                       "y": [1, np.nan, 3, 4, 5, 6, 1, 2, 3, np.nan, np.nan, 6]})
    ids, series, _ = _as_panel(df, "ffill")
    assert [gaps.filled(s).tolist() for s in series] == [[0, 1, 0, 0, 0, 0], [0, 0, 0, 1, 1, 0]]
    _, again, _ = _as_panel(dict(zip(ids, series)), "none")
    assert [gaps.filled(s).tolist() for s in again] == [[0, 1, 0, 0, 0, 0], [0, 0, 0, 1, 1, 0]]
    assert gaps.method(again[1]) == "ffill"


def test_refill_interpolates_closed_gaps_and_holds_the_last_value_across_an_open_one():
    v = gappy().to_numpy()  # [1, 2, 3, 4, 5, 6, 7, 8]
    f = gaps.filled(gappy())
    np.testing.assert_array_equal(gaps.refill(v[:4], f[:4], "interpolate"), [1, 2, 2, 2])  # the gap runs to the end: 2 held
    np.testing.assert_array_equal(gaps.refill(v[:7], f[:7], "interpolate"), [1, 2, 3, 4, 5, 6, 6])
    np.testing.assert_array_equal(gaps.refill(v[:6], f[:6], "interpolate"), v[:6])  # its gap closed: as loaded
    w = gappy("ffill").to_numpy()  # ffill reads earlier values only: as loaded
    np.testing.assert_array_equal(gaps.refill(w[:4], f[:4], "ffill"), [1, 2, 2, 2])


def test_windows_as_known_at_their_end_match_refilling_each_span():
    rng = np.random.default_rng(0)
    n = 60
    f = rng.random(n) < 0.3
    f[0] = f[-1] = False
    s = pd.Series(np.where(f, np.nan, rng.normal(size=n))).interpolate(method="linear")
    v = s.to_numpy()
    ends = np.arange(5, n)
    idx = ends[:, None] + np.arange(-5, 1)  # (N, 6) windows ending at each end
    got = gaps.known_at(v, f, "interpolate", ends, idx)
    want = np.stack([gaps.refill(v[: e + 1], f[: e + 1], "interpolate")[e - 5 : e + 1] for e in ends])
    np.testing.assert_array_equal(got, want)
    at = gaps.history(v, f, "interpolate")
    for e in ends:
        np.testing.assert_array_equal(at(e)[: e + 1], gaps.refill(v[: e + 1], f[: e + 1], "interpolate"))


def test_observed_values_are_nan_where_filled():
    np.testing.assert_array_equal(gaps.observed(np.array([1.0, 2.0, 3.0]), np.array([False, True, False])), [1, np.nan, 3])
    v = np.array([1.0, 2.0])
    assert gaps.observed(v, np.zeros(2, bool)) is v


def test_a_slice_that_starts_in_a_gap_keeps_its_first_values_and_evaluates():
    from seqcast.backtest import backtest

    s = gappy()  # [1, 2, 3f, 4f, 5, 6, 7f, 8]
    part = s.iloc[3:]  # starts at the filled 4: filled from earlier values, its gap closed at 5
    f = gaps.filled(part)
    np.testing.assert_array_equal(gaps.refill(part.to_numpy(), f, "interpolate"), [4, 5, 6, 7, 8])
    np.testing.assert_array_equal(gaps.refill(part.to_numpy()[:4], f[:4], "interpolate"), [4, 5, 6, 6])
    np.testing.assert_array_equal(gaps.known_at(part.to_numpy(), f, "interpolate", np.array([3]), np.array([[0, 1, 2, 3]])),
                                  [[4, 5, 6, 6]])
    assert gaps.history(part.to_numpy(), f, "interpolate")(0)[0] == 4
    res = backtest({"a": part}, ["naive"], h=1, n_windows=2)  # was: "holds a non-finite value at position 0"
    assert res.unscored == 1 and np.isfinite(res.forecasts["naive"]).all()


def test_history_refills_the_series_once_not_once_per_filled_end(monkeypatch):
    rng = np.random.default_rng(1)
    f = rng.random(400) < 0.3
    f[0] = f[-1] = False
    v = pd.Series(np.where(f, np.nan, rng.normal(size=400))).interpolate().to_numpy()
    calls = []
    real = gaps.refill
    monkeypatch.setattr(gaps, "refill", lambda *a: calls.append(1) or real(*a))
    at = gaps.history(v, f, "interpolate")
    got = [at(e) for e in range(400)]
    assert len(calls) == 1  # was one pandas refill per filled end: quadratic on a long series with many gaps
    for e in range(400):
        np.testing.assert_array_equal(got[e][: e + 1], real(v[: e + 1], f[: e + 1], "interpolate"))


def test_marks_that_pandas_carries_onto_another_grid_are_not_used():
    y = np.arange(72.0)
    y[[24, 48, 49]] = np.nan  # hourly, filled at three hours of days 2 and 3
    s = load_series(pd.Series(y, index=pd.date_range("2000-01-01", periods=72, freq="h")), fill="interpolate")
    daily = s.resample("D").mean()  # pandas keeps attrs: days 2 and 3 would read as filled (and be refilled, unscored),
    assert not gaps.filled(daily).any() and gaps.method(daily) is None  # though 23 of their 24 hours were observed
    assert not gaps.filled(_as_series(daily, "none")).any()
    assert not gaps.filled(s.tz_localize("UTC")).any()  # its labels move with a zone (tz_convert keeps them)
    kept = s[s.index >= "2000-01-02"]  # a boolean mask, slicing and reading again keep them
    assert gaps.filled(kept).sum() == 3 and gaps.filled(_as_series(kept.iloc[1:], "none")).sum() == 2


def test_to_long_keeps_the_marks_for_load_long():
    """Review: seqcast.long.to_long({...}) of filled series built a DataFrame without their marks, so Forecaster.fit /
    backtest on it silently scored filled values and interpolated towards test values again."""
    from seqcast.backtest import backtest
    from seqcast.long import load_long, to_long

    d = {"a": gappy(), "b": gappy("ffill")}
    frame = to_long(d)
    back = load_long(frame)
    for k in d:
        np.testing.assert_array_equal(gaps.filled(back[k]), gaps.filled(d[k]))
        assert gaps.method(back[k]) == gaps.method(d[k]) and back[k].attrs["filled"] == 3
    kept = backtest(back, ["naive", "snaive"], h=2, n_windows=2, season=2)
    direct = backtest(d, ["naive", "snaive"], h=2, n_windows=2, season=2)
    assert kept.unscored == direct.unscored > 0
    np.testing.assert_array_equal(kept.forecasts["naive"], direct.forecasts["naive"])
    assert [(r["model"], r["mase"]) for r in kept.leaderboard()] == [(r["model"], r["mase"]) for r in direct.leaderboard()]
    assert "filled_marks" not in to_long({"c": load_series([1.0, 2.0, 3.0])}).attrs  # nothing filled: no marks


def test_load_long_of_a_to_long_frame_keeps_the_marks_of_its_own_fill_too():
    """Review: load_long(frame, fill=...) of a to_long frame with a row dropped filled that row and marked it, then put
    the frame's marks in place of its own: the value it made up was scored as observed."""
    from seqcast.long import load_long, to_long

    frame = to_long({"a": gappy()})
    back = load_long(frame.drop(index=[4]), fill="interpolate")["a"]  # 2000-05, observed in the frame: now a gap, filled
    np.testing.assert_array_equal(gaps.filled(back), [0, 0, 1, 1, 1, 0, 1, 0])
    assert back.iloc[4] == 5.0 and back.attrs["filled"] == 4 and gaps.method(back) == "interpolate"


@pytest.mark.parametrize("method", ["interpolate", "ffill"])
def test_refill_gives_pandas_fill_bit_for_bit_without_calling_pandas_per_part(method, monkeypatch):
    rng = np.random.default_rng(2)
    for n in (1, 2, 7, 300):
        for _ in range(20):
            v = rng.normal(size=n) * 10.0 ** rng.integers(-3, 4)
            v[rng.random(n) < 0.05] = np.nan  # (a NaN observed: filled too, as pandas fills it)
            f = rng.random(n) < rng.random()
            raw = pd.Series(np.where(f, np.nan, v))
            want = (raw.ffill() if method == "ffill" else raw.interpolate(method="linear")).to_numpy()
            lead = int(np.argmin(f)) if not f.all() else n
            want[:lead] = v[:lead]
            with monkeypatch.context() as m:  # a backtest refills each series' part at each origin: ~0.5 ms a pandas call
                m.setattr(pd.Series, "interpolate", None)
                m.setattr(pd.Series, "ffill", None)
                got = gaps.refill(v, f, method)
            np.testing.assert_array_equal(got, want if f.any() else v)
