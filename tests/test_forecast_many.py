"""One Forecaster for many series: dict / long input, per-series state, long output, intervals, save/load."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
from conftest import FAST, monthly

from seqcast import long as long_mod
from seqcast.errors import ConfigError, DataError
from seqcast.forecast import Forecaster

TINY = dict(FAST, patience=0)


def seasonal(n: int, level: float, phase: int, start: str) -> pd.Series:
    idx = pd.date_range(start, periods=n, freq="MS")
    t = np.arange(n)
    return pd.Series(level + 0.5 * t + 5 * np.sin(2 * np.pi * (t + phase) / 12), index=idx)


@pytest.fixture(scope="module")
def many():
    """Three monthly series of different lengths, levels and end dates."""
    return {"a": seasonal(48, 100.0, 0, "2000-01-01"), "b": seasonal(40, 500.0, 3, "2001-01-01"),
            "c": seasonal(36, 20.0, 6, "2000-01-01")}


@pytest.fixture(scope="module")
def fitted(many):
    return Forecaster(**TINY, seed=0).fit(many)


@pytest.fixture(scope="module")
def direct(many):
    """A direct model trained for 4 steps, with 50% and 80% intervals calibrated over those 4 steps."""
    return Forecaster(**TINY, strategy="direct", horizon=4, seed=0).fit(many, levels=(80, 50))


def next_months(s: pd.Series, h: int) -> list:
    return list(pd.date_range(s.index[-1], periods=h + 1, freq="MS")[1:])


# ---- fitting many series ---------------------------------------------------------------------------------


def test_fit_sets_per_series_attributes(fitted, many):
    f = fitted
    assert f.long_format_ is True and f.series_ids_ == ["a", "b", "c"]
    assert len(f.scalers_) == len(f.contexts_) == len(f.schemas_) == 3
    for s, scaler, ctx, schema in zip(many.values(), f.scalers_, f.contexts_, f.schemas_):
        assert scaler.shift == s.min() and scaler.scale == pytest.approx(s.max() - s.min())  # each series scaled on its own
        np.testing.assert_array_equal(ctx, s.to_numpy()[-6:])
        assert schema["freq"] == "MS" and schema["n_obs"] == len(s) and schema["filled"] == 0
        assert schema["last"] == s.index[-1].isoformat()
    assert f.horizon_ == 1 and f.season_ == 12 and f.levels_ == ()
    assert not hasattr(f, "scaler_")  # the one-series attributes exist for one series only


def test_dict_and_long_frame_give_the_same_forecasts(fitted, many):
    frame = long_mod.to_long(many)
    assert long_mod.is_long(frame)
    other = Forecaster(**TINY, seed=0).fit(frame)
    assert other.series_ids_ == fitted.series_ids_
    pd.testing.assert_frame_equal(other.forecast(3), fitted.forecast(3))


def test_a_frame_indexed_by_id_and_date_is_many_series(fitted, many):
    """df.set_index(['unique_id', 'ds']) was refused as one series with a MultiIndex; it is the long frame."""
    indexed = long_mod.to_long(many).set_index(["unique_id", "ds"])
    other = Forecaster(**TINY, seed=0).fit(indexed)
    assert other.long_format_ and other.series_ids_ == fitted.series_ids_
    pd.testing.assert_frame_equal(other.forecast(3), fitted.forecast(3))
    pd.testing.assert_frame_equal(fitted.forecast(2, y=indexed), fitted.forecast(2))  # new data so indexed, too


def test_new_data_as_a_pyarrow_table_is_told_to_convert(fitted, many):
    pa = pytest.importorskip("pyarrow")
    table = pa.Table.from_pandas(long_mod.to_long(many), preserve_index=False)
    with pytest.raises(DataError, match=r"^this model was fitted on many series: .*; a pyarrow Table converts with \.to_pandas\(\)$"):
        fitted.forecast(2, y=table)
    pd.testing.assert_frame_equal(fitted.forecast(2, y=table.to_pandas()), fitted.forecast(2))  # as it says


def test_long_csv_path(fitted, many, tmp_path):
    p = tmp_path / "long.csv"
    long_mod.to_long(many).to_csv(p, index=False)
    other = Forecaster(**TINY, seed=0).fit(str(p))
    np.testing.assert_allclose(other.forecast(2)["forecast"], fitted.forecast(2)["forecast"], rtol=1e-5)


def test_forecast_is_long_with_each_series_next_dates(fitted, many):
    fc = fitted.forecast(3)
    assert list(fc.columns) == ["unique_id", "ds", "forecast"]
    assert list(fc["unique_id"]) == ["a"] * 3 + ["b"] * 3 + ["c"] * 3
    for k, s in many.items():
        assert list(fc.loc[fc["unique_id"] == k, "ds"]) == next_months(s, 3)
    assert np.isfinite(fc["forecast"]).all()


def test_forecast_some_ids_and_from_new_data(fitted, many):
    one = fitted.forecast(2, ids=["b"])  # the same bits as among all three (a batch of 1 row rounded otherwise)
    pd.testing.assert_frame_equal(one, fitted.forecast(2).iloc[2:4].reset_index(drop=True), check_exact=True)
    shorter = {"c": many["c"].iloc[:-5]}  # new data for a fitted series: its own scaler, dates after its end
    fc = fitted.forecast(2, shorter)
    assert list(fc["unique_id"]) == ["c", "c"] and list(fc["ds"]) == next_months(shorter["c"], 2)


def test_integer_steps_continue_the_steps():
    frame = pd.DataFrame({"unique_id": ["x"] * 20 + ["y"] * 15, "ds": list(range(20)) + list(range(5, 20)),
                          "y": np.sin(np.arange(35.0))})
    fc = Forecaster(**TINY).fit(frame).forecast(2)
    assert list(fc["ds"]) == [20, 21, 20, 21]


@pytest.mark.parametrize("ids", [3.5, np.float32(0.5), float("nan"), object()])
def test_ids_of_no_collection_are_refused_by_name(fitted, ids):  # was TypeError: 'float' object is not iterable
    with pytest.raises(ConfigError, match=r"`ids` must be ids of the fitted series \('a', 'b', 'c'\)\. Received: "):
        fitted.forecast(2, ids=ids)


def test_errors(fitted, direct, many):
    with pytest.raises(ConfigError, match=r"`ids` must be ids of the fitted series \('a', 'b', 'c'\)\. Received: 'zz'"):
        fitted.forecast(2, ids=["zz"])
    with pytest.raises(DataError, match="series 'zz' in `y` \\(CLI --data\\) was not in the fitted data"):
        fitted.forecast(2, {"zz": many["a"]})
    with pytest.raises(DataError, match="fitted on many series"):
        fitted.forecast(2, many["a"])
    with pytest.raises(ConfigError, match=r"`horizon` must be <= 4, the horizon this direct model was trained for\. Received: horizon=5; "
                                          r"refit with horizon=5 \(CLI: seqcast fit --horizon 5\), or with strategy='recursive'"):
        direct.forecast(5)
    with pytest.raises(ConfigError, match=r"`id` must name one of the 3 fitted series"):
        fitted.predict_windows(np.zeros((1, 6)))
    assert fitted.predict_windows(np.zeros((1, 6)), id="b").shape == (1,)
    assert direct.predict_windows(np.zeros((2, 6)), id="a").shape == (2, 4)  # a direct model: all its steps
    with pytest.raises(ConfigError, match=r"`norm` must be none or mean with strategy='seq2seq'.*Received: norm='revin'"):
        Forecaster(strategy="seq2seq", norm="revin")
    with pytest.raises(DataError, match="empty"):
        Forecaster(**TINY).fit({})
    with pytest.raises(ConfigError, match="one series only"):
        Forecaster(**TINY).fit(many, scaler_data=many["a"])


def test_new_data_with_a_series_the_model_does_not_know_says_how_to_leave_it_out(fitted, many):
    # the error said what was wrong only: a cron job's file with one new store gave no way forward
    new = {**many, "zz": many["a"], "zy": many["b"]}
    with pytest.raises(DataError, match=r"series 'zz' and 1 more in `y` \(CLI --data\) were not in the fitted data; the model has "
                                        r"scalers for the fitted series only: leave them out with `ids` \(CLI --ids, e\.g\. --ids a,b,c\) "
                                        r"or refit on data that holds them$"):
        fitted.forecast(2, new)
    with pytest.raises(DataError, match=r"series 'zz' in .* the fitted series only: refit on data that holds it$"):
        fitted.forecast(2, {"zz": many["a"]})
    assert len(fitted.forecast(2, new, ids=["a", "b", "c"])) == 6  # the way out it names


def test_ids_must_each_be_in_the_new_data(fitted, many):
    """ids=['a', 'b'] with new data holding only 'a' forecast 'a' alone, without a word."""
    with pytest.raises(ConfigError, match=r"^`ids` must name series present in `y` \(CLI --data\)\. Received: 'b', which it does not hold$"):
        fitted.forecast(2, {"a": many["a"]}, ids=["a", "b"])
    # a series of `y` that `ids` leaves out is not forecast, so the model need not know it
    picked = fitted.forecast(2, {"a": many["a"], "zz": many["b"]}, ids=["a"])
    pd.testing.assert_frame_equal(picked, fitted.forecast(2, {"a": many["a"]}))


def test_fit_keeps_long_formats_column_names(many):
    frame = long_mod.to_long(many, value_name="sales").rename(columns={"unique_id": "store", "ds": "month"})
    f = Forecaster(**TINY).fit(long_mod.load_long(frame, id_column="store", date_column="month", value_column="sales"))
    assert f.columns_ == {"id": "store", "date": "month", "value": "sales"}


@pytest.mark.parametrize("levels", [120, "abc", (80, 80), 0])
def test_bad_levels_fail_before_fitting(many, levels):
    with pytest.raises(ConfigError, match=r"`levels` must"):
        Forecaster(**TINY).fit(many, levels=levels)


# ---- intervals -------------------------------------------------------------------------------------------


def test_intervals_columns_and_order(direct):
    fc = direct.forecast(4)
    assert list(fc.columns) == ["unique_id", "ds", "forecast", "lo_50", "hi_50", "lo_80", "hi_80"]
    assert direct.levels_ == (50.0, 80.0) and direct.interval_horizon_ == 4 and direct.calibration_windows_ == 24
    assert set(direct.widths_) == {50.0, 80.0} and all(w.shape == (4,) for w in direct.widths_.values())
    assert direct.interval_scales_.shape == (3,) and (direct.interval_scales_ > 0).all()


def test_intervals_hold_the_forecast_and_wider_levels_are_wider(direct):
    fc = direct.forecast(4)
    assert (fc["lo_80"] <= fc["lo_50"]).all() and (fc["lo_50"] <= fc["forecast"]).all()
    assert (fc["forecast"] <= fc["hi_50"]).all() and (fc["hi_50"] <= fc["hi_80"]).all()
    assert (fc["hi_80"] - fc["lo_80"] > fc["hi_50"] - fc["lo_50"]).any()
    # the widths scale with each series' in-sample MAE: the same scaled width for every series here
    half = (fc["hi_80"] - fc["forecast"]).to_numpy().reshape(3, 4)
    np.testing.assert_allclose(half / direct.interval_scales_[:, None], np.tile(direct.widths_[80.0], (3, 1)), rtol=1e-9)


def test_intervals_choose_levels_and_horizon(direct):
    assert list(direct.forecast(2, levels=[80]).columns) == ["unique_id", "ds", "forecast", "lo_80", "hi_80"]
    assert list(direct.forecast(2, levels=()).columns) == ["unique_id", "ds", "forecast"]
    assert len(direct.forecast(2)) == 6
    with pytest.raises(ConfigError, match=r"`levels` must be among the calibrated levels 50, 80\. Received: levels=\[95\]; refit "
                       r"with levels=\(50,80,95\) \(CLI: seqcast fit --levels 50,80,95\) for the others"):
        direct.forecast(2, levels=[95])


def test_intervals_beyond_the_calibrated_horizon_are_an_error(many):
    f = Forecaster(**TINY).fit(many, levels=(50,), horizon=2, calibration_windows=1)
    assert f.interval_horizon_ == 2 and f.calibration_windows_ == 1
    with pytest.raises(ConfigError, match=r"`horizon` must be <= 2, the horizon the intervals were calibrated for"):
        f.forecast(3)
    assert list(f.forecast(3, levels=()).columns) == ["unique_id", "ds", "forecast"]  # point forecasts go on recursively
    with pytest.raises(ConfigError, match="this one has no intervals"):
        Forecaster(**TINY).fit(monthly()).forecast(2, levels=[80])


def test_one_series_with_intervals_keeps_the_date_columns():
    f = Forecaster(**TINY).fit(monthly(), levels=(50,), horizon=2, calibration_windows=1)
    fc = f.forecast(2)
    assert list(fc.columns) == ["date", "forecast", "lo_50", "hi_50"]
    assert (fc["lo_50"] <= fc["forecast"]).all() and (fc["forecast"] <= fc["hi_50"]).all()
    assert f.long_format_ is False and f.series_ids_ == ["y"] and f.scaler_ is f.scalers_[0]


# ---- save / load -----------------------------------------------------------------------------------------


def test_save_load_round_trip(direct, tmp_path):
    direct.save(tmp_path / "m")
    meta = json.loads((tmp_path / "m" / "model.json").read_text())
    assert [s["id"] for s in meta["series"]] == ["a", "b", "c"] and meta["long_format"] is True and meta["horizon"] == 4
    assert meta["intervals"]["levels"] == [50.0, 80.0] and len(meta["intervals"]["widths"][0]) == 4
    g = Forecaster.load(tmp_path / "m")
    pd.testing.assert_frame_equal(g.forecast(4), direct.forecast(4))
    assert g.series_ids_ == direct.series_ids_ and g.scalers_ == direct.scalers_ and g.schemas_ == direct.schemas_
    for a, b in zip(g.contexts_, direct.contexts_):
        np.testing.assert_array_equal(a, b)
    with pytest.raises(ConfigError, match="must be <= 4"):
        g.forecast(5)


def test_infinite_widths_survive_save_load(direct, tmp_path):
    f = Forecaster(**TINY, strategy="direct", horizon=4, seed=0)
    for k, v in vars(direct).items():
        if k.endswith("_"):
            setattr(f, k, v)
    f.widths_ = {50.0: direct.widths_[50.0], 80.0: np.full(4, np.inf)}  # too few residuals for a level: +inf
    f.save(tmp_path / "m")
    assert json.loads((tmp_path / "m" / "model.json").read_text())["intervals"]["widths"][1] == [None] * 4
    fc = Forecaster.load(tmp_path / "m").forecast(2)
    assert np.isinf(fc["hi_80"]).all() and np.isfinite(fc["hi_50"]).all()


def test_one_series_gets_finite_80_and_95_intervals_from_the_default_calibration():
    """24 origins one step apart give 24 residuals per step: enough for 95% (ceil(25 * 0.95) = 24)."""
    f = Forecaster(**TINY).fit(monthly(), levels=(80, 95), horizon=3)
    assert f.calibration_windows_ == 24
    assert all(np.isfinite(w).all() for w in f.widths_.values())
    assert (f.widths_[95.0] >= f.widths_[80.0]).all()


def test_interval_lower_bounds_stop_at_zero_for_series_that_are_never_negative(tmp_path):
    f = Forecaster(**TINY).fit(monthly(), levels=(95,), horizon=3)
    f.widths_ = {95.0: np.full(3, 1e6)}  # absurdly wide: the lower bound would be far below zero
    fc = f.forecast(3)
    assert (fc["lo_95"] == 0).all() and (fc["hi_95"] > 1e5).all()
    f.save(tmp_path / "m")
    np.testing.assert_array_equal(Forecaster.load(tmp_path / "m").forecast(3)["lo_95"], fc["lo_95"])


def test_a_dict_of_series_with_different_frequencies_is_refused():
    months = pd.Series(np.arange(60.0), index=pd.date_range("2000-01-01", periods=60, freq="MS"))
    daily = pd.Series(np.arange(60.0), index=pd.date_range("2000-01-01", periods=60, freq="D"))
    with pytest.raises(DataError, match="must share one frequency.*'m' has MS, 'd' has D"):
        Forecaster(**FAST).fit({"m": months, "d": daily})
    with pytest.raises(DataError, match="'a' has no dates"):
        Forecaster(**FAST).fit({"a": np.arange(60.0), "m": months})


def test_forecast_from_new_data_checks_its_frequency_and_length():
    months = pd.Series(np.arange(60.0) + 10, index=pd.date_range("2000-01-01", periods=60, freq="MS"))
    g = Forecaster(**FAST).fit({"a": months, "b": months * 2})
    daily = pd.Series(np.arange(60.0), index=pd.date_range("2000-01-01", periods=60, freq="D"))
    with pytest.raises(DataError, match="series 'a' in `y` \\(CLI --data\\) has frequency D, and the model was fitted on MS"):
        g.forecast(2, {"a": daily})
    # new data shorter than the window was padded with its first value: a service passing each series' newest rows
    # only got forecasts resting on made-up values, without a word
    with pytest.raises(DataError, match=r"^series 'a' in `y` \(CLI --data\) has 3 values, but its forecast needs its last 6 \(the window\); "
                                        r"pass its whole history, or at least its last 6 values$"):
        g.forecast(2, {"a": months.iloc[:3]})
    assert len(g.forecast(2, {"a": months.iloc[:30]})) == 2 and len(g.forecast(2, {"a": months.iloc[-6:]})) == 2
    # a series fitted shorter than the window is padded, in fit as in forecast: new data as short as it was is fine
    h = Forecaster(**FAST).fit({"a": months, "s": months.iloc[:4]})
    short = h.forecast(2, {"s": months.iloc[:4]})
    v = months.iloc[:4].to_numpy()
    padded = pd.Series(np.r_[[v[0]] * 2, v], index=pd.date_range(end=months.index[3], periods=6, freq="MS"))
    pd.testing.assert_frame_equal(short, h.forecast(2, {"s": padded}))
    assert list(short["ds"]) == list(months.index[4:6])
    with pytest.raises(DataError, match=r"^series 's' in `y` \(CLI --data\) has 3 values, but its forecast needs its last 4 \(as many as it was "
                                        r"fitted with; the window is 6\); pass"):  # said '(the window)', which is 6
        h.forecast(2, {"s": months.iloc[:3]})


def test_the_order_of_the_series_does_not_change_the_model(many):
    """The same series in another order (a long file sorted by date rather than by id) train the same
    model: fit_panel lays them out in the order of their ids. Forecasts keep the order given."""
    long = long_mod.to_long(many)
    by_date = long.sort_values(["ds", "unique_id"], ascending=[True, False], kind="stable")
    f1 = Forecaster(**TINY, seed=0).fit(long, levels=(80,))
    f2 = Forecaster(**TINY, seed=0).fit(by_date, levels=(80,))
    assert f2.series_ids_ != f1.series_ids_  # first appearance differs
    for a, b in zip(jax_leaves(f1.params_), jax_leaves(f2.params_)):
        np.testing.assert_array_equal(a, b)
    fc1, fc2 = f1.forecast(3), f2.forecast(3)
    pd.testing.assert_frame_equal(fc1.set_index(["unique_id", "ds"]).sort_index(), fc2.set_index(["unique_id", "ds"]).sort_index())
    assert list(fc2["unique_id"].unique()) == f2.series_ids_


def test_backtest_does_not_depend_on_the_order_of_the_series(many):
    from seqcast.backtest import backtest

    kw = dict(h=3, n_windows=2, config=Forecaster(**TINY).config, season=12)
    r1 = backtest(many, ["gru"], **kw)
    r2 = backtest(dict(reversed(list(many.items()))), ["gru"], **kw)
    s1, s2 = r1.scores("gru"), r2.scores("gru")
    assert s1["overall"] == s2["overall"] and s1["per_step"] == s2["per_step"]  # to the last bit: rows summed in id order
    assert list(s2["per_series"]) == ["c", "b", "a"] and s2["per_series"]["a"] == s1["per_series"]["a"]


def test_backtest_refuses_ids_that_are_the_same_as_text(many):
    from seqcast.backtest import backtest

    with pytest.raises(DataError, match=r"two series have the id '1' once written as text"):
        backtest({1: many["a"], "1": many["b"]}, ["naive"], h=3)


def jax_leaves(tree):
    import jax

    return [np.asarray(x) for x in jax.tree_util.tree_leaves(tree)]


def test_integer_ids_come_back_as_integers_and_merge(many, tmp_path):
    """A long DataFrame with an int id column (or a dict with int keys) gets int ids in the forecasts,
    so they merge back on the user's column; they survive save/load; text ids still find them."""
    from seqcast.backtest import backtest

    long = long_mod.to_long(dict(zip([10, 20, 30], many.values())))
    assert long["unique_id"].dtype.kind == "i"
    f = Forecaster(**TINY, seed=0).fit(long)
    assert f.series_ids_ == [10, 20, 30]
    fc = f.forecast(2)
    assert fc["unique_id"].dtype.kind == "i" and list(fc["unique_id"].unique()) == [10, 20, 30]
    last = long.groupby("unique_id", as_index=False)["y"].last()
    assert len(fc.merge(last, on="unique_id")) == 6  # merging on the int column works
    same = Forecaster(**TINY, seed=0).fit(dict(zip([10, 20, 30], many.values())))
    pd.testing.assert_frame_equal(same.forecast(2), fc)
    f.save(tmp_path / "m")
    back = Forecaster.load(tmp_path / "m")
    assert back.series_ids_ == [10, 20, 30]
    pd.testing.assert_frame_equal(back.forecast(2), fc)
    assert list(back.forecast(2, ids=["20"])["unique_id"].unique()) == [20]  # text names the same series
    text_y = {str(k): v for k, v in zip([10, 20, 30], many.values())}
    pd.testing.assert_frame_equal(back.forecast(2, text_y), fc)  # new data with text ids: the fitted ids come back
    res = backtest(long, ["naive"], h=3, season=12)
    assert sorted(set(res.ids)) == [10, 20, 30]


def test_mixed_ids_are_all_text(many):
    f = Forecaster(**TINY, seed=0).fit({1: many["a"], "b": many["b"]})
    assert f.series_ids_ == ["1", "b"]
    assert list(f.forecast(1)["unique_id"]) == ["1", "b"]


def test_uint64_ids_keep_their_type_in_forecasts(many):
    long = long_mod.to_long(dict(zip([2**63 + 5, 3], [many["a"], many["b"]])))
    long["unique_id"] = long["unique_id"].astype(np.uint64)
    fc = Forecaster(**TINY, seed=0).fit(long).forecast(2)
    assert fc["unique_id"].dtype == np.uint64 and list(fc["unique_id"].unique()) == [2**63 + 5, 3]


def test_one_short_series_does_not_cut_everyones_calibration(many):
    """A 14-value series used to bring every series' calibration down to its 1 origin (95% widths inf);
    it is now left out of the calibration and gets the widths of the others, at its own scale."""
    d = {**many, "short": many["a"].iloc[-14:]}
    f = Forecaster(**TINY, seed=0).fit(d, levels=(80, 95), horizon=3)
    assert f.calibration_windows_ == 24 and f.calibration_series_ == 3
    assert all(np.isfinite(f.widths_[q]).all() for q in (80, 95))
    fc = f.forecast(3, ids=["short", "a"])
    assert np.isfinite(fc[["lo_95", "hi_95"]].to_numpy()).all()
    short, a = fc[fc.unique_id == "short"], fc[fc.unique_id == "a"]
    ratio = (short.hi_80 - short.lo_80).to_numpy() / (a.hi_80 - a.lo_80).to_numpy()
    np.testing.assert_allclose(ratio, f.interval_scales_[3] / f.interval_scales_[0], rtol=1e-6)  # same widths, own scale


def test_a_constant_series_does_not_set_the_other_series_interval_widths(many):
    # its in-sample scale is 0, so its residuals are in data units: a constant 5e6 series made every series' 95% band
    # millions wide. Log values with norm 'last' make its windows all zero at any level: the same model either way
    ds = many["a"].index
    opts = dict(TINY, model="linear", log=True, scaler="none", norm="last", strategy="direct", horizon=3)
    widths = [Forecaster(**opts, seed=0).fit({**many, "z": pd.Series(level, index=ds)}, levels=(80, 95)).widths_
              for level in (7.0, 5e6)]
    for q in (80.0, 95.0):
        assert np.isfinite(widths[0][q]).all()
        np.testing.assert_array_equal(widths[0][q], widths[1][q])


def test_an_id_in_another_unicode_form_says_so(tmp_path):
    # a model fitted on ids from macOS (NFD: 'Zu\u0308rich', Hangul as letters) and 'Zürich' typed (NFC) in --ids, or
    # a new file written elsewhere: "must be ids of the fitted series ('Zürich', ...). Received: 'Zürich'"
    import re
    import unicodedata

    zurich, seoul = (unicodedata.normalize("NFD", k) for k in ("Zürich", "서울"))
    f = Forecaster(**FAST, seed=0).fit({zurich: monthly(), seoul: 2 * monthly()})
    with pytest.raises(ConfigError, match=re.escape(f"Received: 'Zürich' (written 'Z\\xfcrich'; the fitted '{zurich}' is "
                                                    "'Zu\\u0308rich': the same letters in another Unicode form, NFC or NFD)")):
        f.forecast(2, ids=["Zürich"])
    with pytest.raises(DataError, match="^" + re.escape(f"series '서울' in `y` (CLI --data) was not in the fitted data (written "
                                                        f"'\\uc11c\\uc6b8'; the fitted '{seoul}' is '\\u1109\\u1165\\u110b\\u116e\\u11af': ")):
        f.forecast(2, {zurich: monthly(), "서울": monthly()})


def test_a_series_forecast_is_the_same_bits_whichever_series_come_with_it(fitted, many):
    """predict --ids a moved a's forecast by ~1e-7 relative (98.89414943754673 vs 98.8941495232284): XLA rounds a row
    otherwise in a batch of 1-32 rows than of 64; a many-series model's forward passes now run on MIN_ROWS rows (with
    train.MIN_ROWS set to 1, this model's forecasts differ here)."""
    full = fitted.forecast(6)
    for k in many:
        np.testing.assert_array_equal(fitted.forecast(6, ids=[k])["forecast"].to_numpy(),
                                      full[full.unique_id == k]["forecast"].to_numpy())
