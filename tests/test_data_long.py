"""Tests for seqcast.data's long format: load_long, to_long, is_long."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from seqcast.long import is_long, load_long, to_long
from seqcast.errors import ConfigError, DataError


def write(tmp_path: Path, text: str, name: str = "long.csv") -> Path:
    path = tmp_path / name
    path.write_text(text)
    return path


def two_series() -> dict[str, pd.Series]:
    idx = pd.date_range("2000-01-01", periods=5, freq="MS", name="ds", unit="ns")  # seqcast's dates (pandas 3's are in us)
    return {
        "b": pd.Series([1.0, 2.0, 3.0, 4.0, 5.0], index=idx, name="b"),
        "a": pd.Series([7.0, 8.0, 9.0], index=idx[1:4], name="a"),
    }


def assert_same(got: dict[str, pd.Series], want: dict[str, pd.Series]) -> None:
    assert list(got) == list(want)
    for key, series in want.items():
        pd.testing.assert_series_equal(got[key], series, check_freq=True)


# --------------------------------------------------------------------------- #
# Round trips
# --------------------------------------------------------------------------- #


def test_to_long_columns_and_order():
    frame = to_long(two_series())
    assert list(frame.columns) == ["unique_id", "ds", "y"]
    assert list(frame["unique_id"]) == ["b"] * 5 + ["a"] * 3
    assert frame["ds"].iloc[5] == pd.Timestamp("2000-02-01")
    assert list(to_long({"x": [1.0, 2.0]}, value_name="sales").columns) == ["unique_id", "ds", "sales"]
    assert list(to_long({}).columns) == ["unique_id", "ds", "y"]


def test_round_trip_csv(tmp_path):
    path = tmp_path / "long.csv"
    to_long(two_series()).to_csv(path, index=False)
    assert path.read_text().splitlines()[:2] == ["unique_id,ds,y", "b,2000-01-01,1.0"]
    out = load_long(path)
    assert_same(out, two_series())  # first-appearance order: b, then a
    assert out["a"].index.freqstr == "MS" and out["a"].attrs["filled"] == 0


def test_round_trip_parquet(tmp_path):
    path = tmp_path / "long.parquet"
    to_long(two_series()).to_parquet(path)
    assert_same(load_long(path), two_series())


def test_dataframe_rows_in_any_order_and_other_columns():
    frame = to_long(two_series()).sample(frac=1.0, random_state=0).assign(extra="x")
    frame = frame.sort_values("unique_id", ascending=False, kind="stable")  # b's rows first
    assert_same(load_long(frame), two_series())


def test_custom_column_names_and_integer_steps():
    frame = pd.DataFrame({"item": [1, 1, 1, 2, 2], "t": [0, 1, 2, 5, 6], "sales": [1, 2, 3, 4, 5]})
    out = load_long(frame, id_column="item", date_column="t", value_column="sales")
    assert list(out) == [1, 2]  # an int id column keeps int ids
    assert list(out[2]) == [4.0, 5.0] and out[2].name == 2
    assert out[2].index.equals(pd.RangeIndex(5, 7, name="t"))
    assert_same(load_long(to_long(out)), {k: v.rename_axis("ds") for k, v in out.items()})


def test_id_types_int_columns_stay_int_text_otherwise(tmp_path):
    rows = {"ds": [0, 1, 0, 1], "y": [1.0, 2.0, 3.0, 4.0]}
    assert list(load_long(pd.DataFrame({"unique_id": [7, 7, 3, 3], **rows}))) == [7, 3]
    assert list(load_long(pd.DataFrame({"unique_id": [7.0, 7.0, 3.0, 3.0], **rows}))) == [7, 3]  # whole floats
    assert list(load_long(pd.DataFrame({"unique_id": pd.Series([7, 7, 3, 3], dtype=object), **rows}))) == [7, 3]
    assert list(load_long(pd.DataFrame({"unique_id": pd.Categorical([7, 7, 3, 3]), **rows}))) == [7, 3]
    assert list(load_long(pd.DataFrame({"unique_id": pd.Series([7, 7, "x", "x"], dtype=object), **rows}))) == ["7", "x"]
    assert list(load_long(pd.DataFrame({"unique_id": [7.5, 7.5, 3.0, 3.0], **rows}))) == ["7.5", "3.0"]
    assert list(load_long(pd.DataFrame({"unique_id": ["7", "7", "b", "b"], **rows}))) == ["7", "b"]
    assert list(load_long(pd.DataFrame({"unique_id": [True, True, False, False], **rows}))) == ["True", "False"]
    path = tmp_path / "long.csv"
    pd.DataFrame({"unique_id": [7, 7, 3, 3], **rows}).to_csv(path, index=False)
    assert list(load_long(path)) == ["7", "3"]  # CSV ids are text: "007" stays "007"


def test_integer_steps_from_csv_with_gap(tmp_path):
    path = write(tmp_path, "unique_id,ds,y\nx,0,1\nx,1,2\nx,3,4\nx,4,5\n")
    with pytest.raises(DataError, match=r"^series 'x': 1 step is missing from column 'ds': 2; pass fill="):
        load_long(path)
    out = load_long(path, fill="interpolate")
    assert list(out["x"]) == [1, 2, 3, 4, 5] and out["x"].attrs["filled"] == 1
    with pytest.raises(ConfigError, match=r"`freq` needs dates, but column 'ds' holds integer steps"):
        load_long(path, freq="D")


def test_a_step_far_from_the_others_is_one_clear_error_not_a_huge_allocation(tmp_path):
    # the full range of steps was allocated first: MemoryError (7 TiB) or "Maximum allowed dimension exceeded"
    for big in ("1000000000000", "9223372036854775807"):
        path = write(tmp_path, f"unique_id,ds,y\na,0,1\na,1,2\na,{big},3\n")
        for fill in ("none", "ffill"):
            with pytest.raises(DataError, match=rf"^series 'a': its steps run from 0 to {big}: \d+ are missing beside its 3 "
                                                r"values, too many to fill or list; check column 'ds' for a wrong step"):
                load_long(path, fill=fill)
    with pytest.raises(DataError, match=r"^series 'a': 3 steps are missing from column 'ds': 2, 3, 4; pass fill="):
        load_long(write(tmp_path, "unique_id,ds,y\na,0,1\na,1,2\na,5,3\n"))
    assert list(load_long(write(tmp_path, "unique_id,ds,y\na,0,1\na,1,2\na,9999,3\n"), fill="ffill")["a"].index) == list(range(10000))


def test_a_step_beyond_int64_is_one_clear_error(tmp_path):
    # int() of the text, then an int64 array: OverflowError "Python int too large to convert to C long"
    with pytest.raises(DataError, match=r"^line 4: step 99999999999999999999 in column 'ds' is beyond the 64-bit integer range"):
        load_long(write(tmp_path, "unique_id,ds,y\na,0,1\na,1,2\na,99999999999999999999,3\n"))
    for ds in ([0.0, 1.0, 1e20], pd.Series([0, 1, 10**20], dtype=object)):  # a float column was cast to garbage
        with pytest.raises(DataError, match=r"^row 2: step 100000000000000000000 in column 'ds' is beyond the 64-bit"):
            load_long(pd.DataFrame({"unique_id": ["a"] * 3, "ds": ds, "y": [1.0, 2.0, 3.0]}))


def test_a_cell_that_is_no_step_among_steps_is_named(tmp_path):
    # pandas could not parse the first step as a date: "line 2: date '0' in column 'ds' cannot be parsed"
    for bad in ("1.5", "x", "3.0"):
        text = "unique_id,ds,y\na,0,1\na,1,2\na,2,3\n" + f"a,{bad},4\n"
        with pytest.raises(DataError, match=rf"^line 5: '{bad}' in column 'ds' is not a whole number, but most rows hold "
                                            r"whole numbers \(integer steps, years or YYYYMMDD dates, e.g. '0' at line 2\)"):
            load_long(write(tmp_path, text))
    with pytest.raises(DataError, match=r"^line 3: the date in column 'ds' is empty"):  # an empty cell: named as before
        load_long(write(tmp_path, "unique_id,ds,y\na,0,1\na,,2\na,x,3\na,3,4\n"))


def test_dates_written_as_numbers_are_dates_not_steps(tmp_path):
    # 20200131 -> 20200201 read as integer steps said "69 steps are missing: 20200132, ..." and advised --fill
    days = pd.date_range("2020-01-20", periods=30)
    rows = "".join(f"{u},{d:%Y%m%d},{i}\n" for u in "ab" for i, d in enumerate(days))
    got = load_long(write(tmp_path, "unique_id,ds,y\n" + rows))
    assert list(got) == ["a", "b"] and got["a"].index.equals(pd.DatetimeIndex(days, name="ds", freq="D"))
    steps = load_long(write(tmp_path, "unique_id,ds,y\n" + "".join(f"a,{t},{t}\n" for t in range(100, 130))))
    assert steps["a"].index[0] == 100  # other whole numbers stay integer steps


def test_a_number_date_that_is_no_day_is_one_clear_error(tmp_path):
    # 20210229 has the YYYYMMDD shape but no such day: pandas' ValueError came out as a traceback
    rows = "".join(f"a,{d},{i}\n" for i, d in enumerate([20210226, 20210227, 20210228, 20210229, 20210301]))
    with pytest.raises(DataError, match=r"^line 5: date '20210229' in column 'ds' cannot be parsed"):
        load_long(write(tmp_path, "unique_id,ds,y\n" + rows))


def test_single_value_series_is_fine(tmp_path):
    path = write(tmp_path, "unique_id,ds,y\na,2020-01-01,1\na,2020-01-02,2\na,2020-01-03,3\nb,2020-01-02,9\n")
    out = load_long(path)
    assert len(out["b"]) == 1 and out["b"].index.freqstr == "D"


def test_fill_and_freq_options(tmp_path):
    path = write(tmp_path, "unique_id,ds,y\na,2020-01,1\na,2020-02,\na,2020-04,4\na,2020-05,5\n")
    out = load_long(path, freq="MS", fill="ffill")
    assert list(out["a"]) == [1, 1, 1, 4, 5] and out["a"].attrs["filled"] == 2


def test_fill_drops_empty_rows_at_a_series_edges(tmp_path):
    """A wide table melted to long format pads each series with empty rows to the panel's dates: fill carried
    a's last value on to 2020-06 (its forecasts dated from there, a backtest scoring the copies as truth)."""
    rows = "a,2020-01,\na,2020-02,1\na,2020-03,\na,2020-04,3\na,2020-05,\na,2020-06,\n"
    path = write(tmp_path, "unique_id,ds,y\n" + rows + "".join(f"b,2020-0{m},{m}\n" for m in range(1, 7)))
    for fill, inside in (("ffill", 1.0), ("interpolate", 2.0)):
        a = load_long(path, fill=fill)["a"]
        assert list(a) == [1.0, inside, 3.0] and a.attrs["filled"] == 1
        assert list(a.index.strftime("%Y-%m")) == ["2020-02", "2020-03", "2020-04"] and a.index.freqstr == "MS"
    steps = pd.DataFrame({"unique_id": ["a"] * 4, "ds": [0, 1, 2, 3], "y": [np.nan, 5.0, 6.0, np.nan]})
    assert list(load_long(steps, fill="ffill")["a"].index) == [1, 2]
    with pytest.raises(DataError, match=r"^series 'a': line 2: the value in column 'y' is missing .* fill="):
        load_long(path)  # without fill, still an error


# --------------------------------------------------------------------------- #
# Errors
# --------------------------------------------------------------------------- #


def test_missing_columns(tmp_path):
    path = write(tmp_path, "id,date,value\na,2020-01-01,1\n")
    with pytest.raises(DataError, match=(
        r"^file '.*long.csv' has no column 'unique_id', 'ds', 'y'; its columns are 'id', 'date', 'value'; "
        r"name the id, date and value columns with seqcast.load_long\(\.\.\., id_column=, date_column=, value_column=\), "
        r"whose dict Forecaster.fit and backtest take \(CLI --id-column, --date-column, --value-column\)$"
    )):
        load_long(path)
    assert list(load_long(path, id_column="id", date_column="date", value_column="value", freq="D")) == ["a"]


def test_a_long_frame_with_other_column_names_is_told_the_call_that_names_them():
    """Forecaster.fit(df) of unique_id, ds, sales was told to "name the ... value columns with ... value_column=", which
    fit does not take: fit(df, value_column='sales') was a TypeError."""
    from seqcast.backtest import backtest
    from seqcast.forecast import Forecaster

    frame = to_long(two_series(), value_name="sales")
    for call in (lambda: Forecaster().fit(frame), lambda: backtest(frame, ["naive"], h=1)):
        with pytest.raises(DataError, match=r"^the DataFrame has no column 'y'; .* seqcast.load_long\(\.\.\., id_column=, "
                                            r"date_column=, value_column=\), whose dict Forecaster.fit and backtest take "):
            call()
    assert backtest(load_long(frame, value_column="sales"), ["naive"], h=1).ids == ["b", "a"]  # as it says


def test_duplicated_pair(tmp_path):
    path = write(tmp_path, "unique_id,ds,y\na,2020-01-01,1\nb,2020-01-01,2\na,2020-01-02,3\na,2020-01-01,4\n")
    with pytest.raises(DataError, match=(
        r"^line 5: series 'a' has 2020-01-01 twice \(also at line 2\); keep one row per \(unique_id, ds\) pair$"
    )):
        load_long(path)


def test_text_in_values_names_the_line(tmp_path):
    path = write(tmp_path, "unique_id,ds,y\na,2020-01-01,1\na,2020-01-02,abc\n")
    with pytest.raises(DataError, match=r"^line 3: value 'abc' in column 'y' is not a number"):
        load_long(path)


def test_missing_and_infinite_values(tmp_path):
    path = write(tmp_path, "unique_id,ds,y\na,2020-01-01,1\nb,2020-01-01,1\nb,2020-01-02,\n")
    with pytest.raises(DataError, match=r"^series 'b': line 4: the value in column 'y' is missing .* fill="):
        load_long(path, freq="D")
    frame = pd.DataFrame({"unique_id": ["a", "a"], "ds": ["2020-01-01", "2020-01-02"], "y": [1.0, np.inf]})
    with pytest.raises(DataError, match=r"^series 'a': row 1: value inf in column 'y' is infinite"):
        load_long(frame, freq="D")
    frame["y"] = [1e151, 1.0]  # a series whose dates need no fill skips the per-series checks: not this one
    with pytest.raises(DataError, match=r"^series 'a': row 0: value 1e\+151 in column 'y' is beyond ±1e\+150, too large"):
        load_long(frame, freq="D")


def test_gap_named_by_date(tmp_path):
    path = write(tmp_path, "unique_id,ds,y\na,2020-01,1\na,2020-02,2\na,2020-03,3\nb,2020-01,1\nb,2020-03,3\n")
    with pytest.raises(DataError, match=r"^series 'b': 1 date is missing at frequency 'MS': 2020-02-01; pass fill="):
        load_long(path)


def test_one_message_names_every_series_that_fails(tmp_path):
    """Only the first series with the missing week was named; the user fixed it and met the next one."""
    rows = "".join(f"{k},2020-0{m},{m}\n" for k in "abcdef" for m in (1, 2, 3) if not (k in "bdef" and m == 2))
    with pytest.raises(DataError, match=r"^series 'b': 1 date is missing at frequency 'MS': 2020-02-01; pass fill=.* "
                                        r"\(3 more series fail too, for this or another reason: 'd', 'e', 'f'\)$"):
        load_long(write(tmp_path, "unique_id,ds,y\n" + rows))


def test_empty_id_and_date(tmp_path):
    with pytest.raises(DataError, match=r"^line 3: the id in column 'unique_id' is empty"):
        load_long(write(tmp_path, "unique_id,ds,y\na,2020-01-01,1\n,2020-01-02,2\n"))
    with pytest.raises(DataError, match=r"^line 2: the date in column 'ds' is empty"):
        load_long(write(tmp_path, "unique_id,ds,y\na,,1\na,2020-01-02,2\n"))
    with pytest.raises(DataError, match=r"^row 1: the id in column 'unique_id' is empty"):
        load_long(pd.DataFrame({"unique_id": ["a", None], "ds": [0, 1], "y": [1.0, 2.0]}))


def test_frequencies_must_agree(tmp_path):
    text = "unique_id,ds,y\nm,2020-01-01,1\nm,2020-02-01,2\nm,2020-03-01,3\nd,2020-01-01,1\nd,2020-01-02,2\nd,2020-01-03,3\n"
    path = write(tmp_path, text)
    with pytest.raises(DataError, match=r"^series 'd' has frequency 'D' but series 'm' has 'MS'; .* resample them to one"):
        load_long(path)
    with pytest.raises(DataError, match=r"^series 'm': line 2: date 2020-01-01 does not fall on the frequency 'W-SUN'"):
        load_long(path, freq="W-SUN")


def test_a_quarterly_series_among_monthly_ones_is_refused_even_with_fill():
    """Its dates lie on the monthly grid, so it passed as a monthly series with gaps, and fill='interpolate'
    invented 58 of its 88 values. A multiple of the common frequency (every other month) still passes."""
    m = pd.DataFrame({"unique_id": "a", "ds": pd.date_range("2000-01-01", periods=60, freq="MS"), "y": np.arange(60.0)})
    q = pd.DataFrame({"unique_id": "q", "ds": pd.date_range("2001-01-01", periods=30, freq="QS"), "y": np.arange(30.0)})
    for fill in ("none", "interpolate"):
        with pytest.raises(DataError, match=r"^series 'q' has frequency 'QS-\w+' but series 'a' has 'MS'"):
            load_long(pd.concat([m, q]), fill=fill)
    two = pd.DataFrame({"unique_id": "b", "ds": pd.date_range("2000-01-01", periods=3, freq="2MS"), "y": [1.0, 2.0, 3.0]})
    out = load_long(pd.concat([m, two]), fill="interpolate")  # January, March, May: a monthly series with 2 gaps
    assert out["b"].attrs["filled"] == 2 and out["b"].index.freqstr == "MS"


def test_frequency_cannot_be_inferred(tmp_path):
    with pytest.raises(DataError, match=r"cannot infer the frequency .* no series has 3 or more evenly spaced dates; pass freq="):
        load_long(write(tmp_path, "unique_id,ds,y\na,2020-01-01,1\na,2020-01-05,2\n"))


def test_empty_sources(tmp_path):
    with pytest.raises(DataError, match="has a header line but no data rows"):
        load_long(write(tmp_path, "unique_id,ds,y\n"))
    with pytest.raises(DataError, match=r"^the DataFrame has no rows"):
        load_long(pd.DataFrame({"unique_id": [], "ds": [], "y": []}))
    with pytest.raises(DataError, match="not found; check the path"):
        load_long(tmp_path / "nope.parquet")
    with pytest.raises(DataError, match="cannot be read as Parquet"):
        load_long(write(tmp_path, "not parquet", "bad.parquet"))
    with pytest.raises(DataError, match="cannot load long-format series from a list"):
        load_long([1, 2, 3])


def test_bad_options():
    frame = to_long(two_series())
    with pytest.raises(ConfigError, match=r"must name three different columns"):
        load_long(frame, value_column="ds")
    with pytest.raises(ConfigError, match=r"`id_column` must be a column name \(a non-empty str\). Received: id_column=3"):
        load_long(frame, id_column=3)
    with pytest.raises(ConfigError, match="`fill` must be one of"):
        load_long(frame, fill="zero")
    with pytest.raises(DataError, match="to_long needs a dict of id -> pandas Series. Received: list"):
        to_long([1.0, 2.0])
    with pytest.raises(ConfigError, match="`value_name` must be"):
        to_long({}, value_name="ds")


# --------------------------------------------------------------------------- #
# is_long
# --------------------------------------------------------------------------- #


def test_is_long(tmp_path):
    frame = to_long(two_series())
    frame.to_csv(tmp_path / "long.csv", index=False)
    frame.to_parquet(tmp_path / "long.parquet")
    assert is_long(frame) and is_long(tmp_path / "long.csv") and is_long(str(tmp_path / "long.parquet"))
    assert is_long(write(tmp_path, "\n\n id ,ds,y\n", "ids.csv"), id_column="id")
    assert not is_long(write(tmp_path, "ds,y\n2020-01-01,1\n", "one.csv"))
    assert not is_long(tmp_path / "missing.csv")
    assert not is_long(frame.drop(columns="unique_id"))
    assert not is_long(np.arange(3))



def test_is_long_lets_out_of_memory_through(tmp_path, monkeypatch):
    # a MemoryError reading the header was False ("not long"): `seqcast fit long.csv` then read it as one series and
    # said "2 columns could hold the values; ... choose one with --column"
    from seqcast import data

    def full(*args, **kwargs):
        raise MemoryError("Unable to allocate 9.1 TiB")

    path = write(tmp_path, "unique_id,ds,y\na,2020-01-01,1\n", "long.csv")
    monkeypatch.setattr(data, "_csv_reader", full)
    with pytest.raises(MemoryError, match="9.1 TiB"):
        is_long(path)

def test_an_excel_sep_line_above_a_long_header_is_skipped(tmp_path):
    # is_long read the "sep=;" line as the header: the file went to load_series ("2 columns could hold the values")
    path = write(tmp_path, "sep=;\nunique_id;ds;y\na;2020-01-01;1,5\na;2020-02-01;2\na;2020-03-01;3\nb;2020-01-01;4\n")
    assert is_long(path)
    got = load_long(path)
    assert list(got) == ["a", "b"] and list(got["a"]) == [1.5, 2.0, 3.0] and list(got["b"]) == [4.0]


def test_bad_dates_name_series_and_line(tmp_path):
    with pytest.raises(DataError, match=r"^line 3: date 'soon' in column 'ds' cannot be parsed"):
        load_long(write(tmp_path, "unique_id,ds,y\na,2020-01-01,1\na,soon,2\n"))
    text = "unique_id,ds,y\na,2020-01-01,1\na,2020-02-01,2\na,2020-03-01,3\nb,2020-01-01,1\nb,2020-02-15,2\nb,2020-03-01,3\n"
    path = write(tmp_path, text)
    with pytest.raises(DataError, match=r"^series 'b' has frequency 'SMS-15' but series 'a' has 'MS'"):
        load_long(path)  # b's three dates alone are semi-month starts (the 1st and the 15th) with a gap
    with pytest.raises(DataError, match=r"^series 'b': line 6: date 2020-02-15 does not fall on the frequency 'MS'"):
        load_long(path, freq="MS")


def test_gappy_series_takes_the_common_frequency(tmp_path):
    # b alone looks 2-monthly, but its dates lie on a's monthly grid: b has gaps, named by date
    text = "unique_id,ds,y\na,2020-01-01,1\na,2020-02-01,2\na,2020-03-01,3\nb,2020-01-01,1\nb,2020-03-01,3\nb,2020-05-01,5\n"
    path = write(tmp_path, text)
    with pytest.raises(DataError, match=r"^series 'b': 2 dates are missing at frequency 'MS': 2020-02-01, 2020-04-01"):
        load_long(path)
    assert list(load_long(path, fill="interpolate")["b"]) == [1, 2, 3, 4, 5]


# --------------------------------------------------------------------------- #
# CSV dialects and date formats (as load_series reads them)
# --------------------------------------------------------------------------- #


def test_changing_utc_offsets_load_as_utc(tmp_path):
    idx = pd.date_range("2023-03-25", periods=48, freq="h", tz="Europe/Paris")  # +01:00, then +02:00
    text = "unique_id,ds,y\n" + "".join(f"{k},{t.isoformat()},{i}\n" for k in "ab" for i, t in enumerate(idx))
    out = load_long(write(tmp_path, text))
    assert list(out) == ["a", "b"]
    for s in out.values():
        assert len(s) == 48 and s.index.freqstr == "h" and str(s.index.tz) == "UTC"
        assert s.index[0] == pd.Timestamp("2023-03-24 23:00", tz="UTC")


def test_semicolon_separated_long_file(tmp_path):
    path = write(tmp_path, "unique_id;ds;y\na;2020-01-01;1,5\na;2020-01-02;2\na;2020-01-03;3\nb;2020-01-01;4\n")
    assert is_long(path)
    out = load_long(path)
    assert list(out["a"]) == [1.5, 2.0, 3.0] and out["a"].index.freqstr == "D" and list(out["b"]) == [4.0]


def test_a_decimal_comma_file_reads_commas_in_values_only(tmp_path, monkeypatch):
    # the id '1,5' of a semicolon file was read as '1.5' (and a column named '1,5' as '1.5'): ids are names, not numbers
    path = write(tmp_path, "unique_id;ds;1,5\n1,5;2020-01-01;1,5\n1,5;2020-01-02;2\n1,5;2020-01-03;3\n2;2020-01-01;4\n")
    for out in (load_long(path, value_column="1,5"), load_robust(monkeypatch, path, value_column="1,5")):
        assert list(out) == ["1,5", "2"] and list(out["1,5"]) == [1.5, 2.0, 3.0]


def test_whole_number_years_are_yearly_dates(tmp_path):
    text = "unique_id,ds,y\n" + "".join(f"{k},{1700 + i},{i}\n" for k in "ab" for i in range(5))
    frame = pd.DataFrame({"unique_id": ["a"] * 5, "ds": range(1700, 1705), "y": range(5)})
    floats = frame.assign(ds=frame["ds"].astype(float))
    for out in (load_long(write(tmp_path, text)), load_long(frame), load_long(floats)):
        s = out["a"]
        assert s.index[0] == pd.Timestamp("1700-01-01") and s.index.freqstr == "YS-JAN" and len(s) == 5
    gap = write(tmp_path, "unique_id,ds,y\na,1700,1\na,1701,2\na,1702,3\nb,1700,1\nb,1702,3\n", "gap.csv")
    with pytest.raises(DataError, match=r"^series 'b': 1 date is missing at frequency 'YS-JAN': 1701-01-01"):
        load_long(gap)


def test_day_first_dates_in_long_format(tmp_path):
    months = pd.date_range("1950-01-01", periods=15, freq="MS")
    text = "unique_id,ds,y\n" + "".join(f"a,{d:%d/%m/%Y},{i}\n" for i, d in enumerate(months))
    s = load_long(write(tmp_path, text))["a"]
    assert s.index[1] == pd.Timestamp("1950-02-01") and s.index.freqstr == "MS" and len(s) == 15


def test_long_dates_on_the_15th_say_how_to_write_them(tmp_path):
    rows = "".join(f"{k},2000-{m:02d}-15,{m}\n" for k in "ab" for m in range(1, 7))
    path = tmp_path / "long.csv"
    path.write_text("unique_id,ds,y\n" + rows)
    with pytest.raises(DataError, match="fall on day 15 of every month.*write them as 2000-01 or 2000-01-01"):
        load_long(path)


def test_ids_equal_as_text_in_one_column_are_refused_not_merged():
    dates = pd.date_range("2015-01-01", periods=4, freq="MS")
    one = pd.DataFrame({"unique_id": 1, "ds": dates, "y": [1.0, 2.0, 3.0, 4.0]})
    later = one.assign(ds=pd.date_range("2018-01-01", periods=4, freq="MS"))
    with pytest.raises(DataError, match=r"two series in column 'unique_id' have the id '1' once written as text \(1 and '1'\)"):
        load_long(pd.concat([one, later.assign(unique_id="1")]))
    with pytest.raises(DataError, match=r"have the id 'a' once written as text \('a' and 'a '\)"):
        load_long(pd.concat([one.assign(unique_id="a"), later.assign(unique_id="a ")]))


def test_a_short_run_of_weekdays_joins_a_business_day_panel():
    """Monday..Thursday infers 'D', yet every date lies on the 'B' grid without a gap: not another frequency."""
    a = pd.DataFrame({"unique_id": "a", "ds": pd.bdate_range("2020-01-01", periods=30), "y": np.arange(30.0)})
    c = pd.DataFrame({"unique_id": "c", "ds": pd.date_range("2020-03-02", periods=4, freq="D"), "y": np.arange(4.0)})
    out = load_long(pd.concat([a, a.assign(unique_id="b"), c]))
    assert {k: s.index.freqstr for k, s in out.items()} == {"a": "B", "b": "B", "c": "B"}
    cat = pd.DataFrame({"unique_id": pd.Categorical([7.0, 7.0, 3.0, 3.0]), "ds": [0, 1, 0, 1], "y": [1.0, 2.0, 3.0, 4.0]})
    assert list(load_long(cat)) == ["7.0", "3.0"]  # float categories stay text (int() of '7.0' crashed)


def test_ambiguous_slash_dates_are_refused_unless_the_frequency_chooses(tmp_path):
    # 01/01/2020 .. 10/01/2020: ten days (day-first) or ten month starts (month-first)? load_series refuses to
    # guess; long format used to read them month-first in silence, and --freq D could not undo it
    text = "unique_id,ds,y\n" + "".join(f"{k},{d:02d}/01/2020,{d}\n" for k in "ab" for d in range(1, 11))
    path = write(tmp_path, text)
    with pytest.raises(DataError, match=r"ambiguous: 2020-01-01, 2020-02-01, \.\.\. month-first \(MS\) or "
                                        r"2020-01-01, 2020-01-02, \.\.\. day-first \(D\); pass the frequency"):
        load_long(path)
    days = load_long(path, freq="D")
    assert list(days["a"].index) == list(pd.date_range("2020-01-01", periods=10, freq="D"))
    months = load_long(path, freq="MS")
    assert list(months["b"].index) == list(pd.date_range("2020-01-01", periods=10, freq="MS"))


def test_ambiguous_slash_dates_in_a_dataframe_need_the_frequency():
    frame = pd.DataFrame({"unique_id": ["a"] * 10, "ds": [f"{d:02d}/01/2020" for d in range(1, 11)], "y": np.arange(10.0)})
    with pytest.raises(DataError, match=r"the dates in the DataFrame are ambiguous: .*; pass the frequency"):
        load_long(frame)
    assert list(load_long(frame, freq="D")["a"].index) == list(pd.date_range("2020-01-01", periods=10, freq="D"))


# --------------------------------------------------------------------------- #
# The fast path (pandas' parser, whole-panel checks) against the robust one
# --------------------------------------------------------------------------- #


def load_robust(monkeypatch, source, **kw):
    """load_long with Python's csv module and every series checked and built one by one, as before the fast path."""
    from seqcast import long as long_mod

    def none_complete(t, v, starts, grid):
        return np.zeros(len(starts), dtype=bool), np.zeros(len(starts), dtype=np.int64)

    with monkeypatch.context() as m:
        m.setattr(long_mod, "_parsed_csv", lambda *args: None)
        m.setattr(long_mod, "_complete", none_complete)
        return load_long(source, **kw)


def assert_identical(got: dict, want: dict) -> None:
    assert list(got) == list(want) and [type(k) for k in got] == [type(k) for k in want]
    for key, series in want.items():
        pd.testing.assert_series_equal(got[key], series, check_freq=True, check_exact=True)
        assert got[key].index.freq == series.index.freq if isinstance(series.index, pd.DatetimeIndex) else True
        assert got[key].attrs == series.attrs and got[key].name == series.name


def _panel_text(sep: str = ",", eol: str = "\n") -> str:
    """Three daily series of other starts and lengths, rows shuffled, an extra column, values of many spellings."""
    rng = np.random.default_rng(1)
    rows = [(k, d, f"{v}") for k, start, n in (("b", 3, 9), ("a", 0, 12), ("c 1", 5, 1))
            for d, v in zip(pd.date_range(f"2021-03-0{start + 1}", periods=n, freq="D").strftime("%Y-%m-%d"),
                            ["1e3", "-0.5", "+7", ".25", "5.", "0.1", "123456789.123456789", "-0", "2.5E-3", "42", "3", "1"])]
    rows = [rows[i] for i in rng.permutation(len(rows))]
    return sep.join(["unique_id", "ds", "note", "y"]) + eol + "".join(
        sep.join([k, d, "x", v]) + eol for k, d, v in rows)


FAST_FILES = {
    "shuffled, extra column": (_panel_text(), {}),
    "semicolons, CRLF": (_panel_text(";", "\r\n"), {}),
    "quoted as R writes it": ('"unique_id","ds","y"\n"a","2020-01","1.5"\n"a","2020-02",2\n"a","2020-03",3\n', {}),
    "spaces, BOM, blank lines": ("\ufeff\nunique_id , ds, y\n a , 2020-01-01 , 1\n\n a ,2020-01-02, 2\n a,2020-01-03,3\n", {}),
    "integer steps, one series with a gap filled": ("unique_id,ds,y\n1,5,1\n1,6,2\n2,0,3\n2,2,4\n", {"fill": "ffill"}),
    "years": ("unique_id,ds,y\na,1990,1\na,1991,2\na,1992,3\nb,1991,4\n", {}),
    "YYYYMMDD": ("unique_id,ds,y\na,20200131,1\na,20200229,2\na,20200331,3\n", {}),
    "hourly with UTC offsets, two phases": (
        "unique_id,ds,y\n" + "".join(f"{k},2024-03-30T{h:02d}:{m}:00+01:00,{h}\n" for k, m in (("a", "00"), ("b", "30"))
                                     for h in range(6)), {}),
    "weekly, business days by freq": ("unique_id,ds,y\na,2024-01-07,1\na,2024-01-14,2\na,2024-01-21,3\nb,2024-01-14,4\n", {}),
    "slash dates, freq chooses": ("unique_id,ds,y\n" + "".join(f"a,{d:02d}/01/2020,{d}\n" for d in range(1, 11)), {"freq": "D"}),
    "month ends, a gap interpolated": ("unique_id,ds,y\na,2020-01-31,1\na,2020-03-31,3\na,2020-04-30,4\nb,2020-02-29,5\n",
                                       {"fill": "interpolate"}),
    "missing values of each spelling, filled, empty ends dropped": (
        "unique_id,ds,y\n" + "".join(f"a,2020-01-{d + 1:02d},{v}\n" for d, v in enumerate(
            ["", "1", "", "NA", "3", "nan", "NaN", "NULL", "None", "n/a", "N/A", "NaT", "na", "7", "", "null"]))
        + "b,2020-01-01,5\nb,2020-01-02,NA\nb,2020-01-03,6\n", {"fill": "interpolate"}),
    "integer steps, missing values forward-filled": ("unique_id,ds,y\n1,0,1\n1,1,\n1,2,NA\n1,3,4\n2,0,\n2,1,2\n2,2,3\n",
                                                     {"fill": "ffill"}),
}


@pytest.mark.parametrize("name", list(FAST_FILES))
def test_fast_path_gives_what_the_robust_one_gives(tmp_path, monkeypatch, name):
    from seqcast.long import _parsed_csv

    text, kw = FAST_FILES[name]
    path = tmp_path / "long.csv"
    path.write_bytes(text.encode())
    assert _parsed_csv(path, ("unique_id", "ds", "y")) is not None  # taken by pandas' parser
    assert_identical(load_long(path, **kw), load_robust(monkeypatch, path, **kw))


ODD_FILES = {  # each left to the robust reader, which names the line (or refuses what pandas would take, or takes more)
    "a short row": "unique_id,ds,y,note\na,2020-01-01,1,x\na,2020-01-02,2\na,2020-01-03,3,x\n",
    "a long row": "unique_id,ds,y\na,2020-01-01,1\na,2020-01-02,2,x\n",
    "a long first row and a short one": "y,unique_id,ds,n1,n2\nk,1,a,2020-01-01,x,x\nk,2,a,2020-01-02\nk,3,a,2020-01-03,x\n",
    "a separator in quotes": 'unique_id,ds,y\n"a,b",2020-01-01,1\n"a,b",2020-01-02,2\n"a,b",2020-01-03,3\n',
    "a NUL": "unique_id,ds,y\na\0b,2020-01-01,1\na\0b,2020-01-02,2\na\0b,2020-01-03,3\n",
    "True as a value": "unique_id,ds,y\na,2020-01-01,True\na,2020-01-02,false\na,2020-01-03,TRUE\n",
    "a decimal comma": "unique_id;ds;y\na;2020-01-01;1,5\na;2020-01-02;2\na;2020-01-03;3\n",
    "a comma in an id of a semicolon file": "unique_id;ds;y\n1,5;2020-01-01;1\n1,5;2020-01-02;2\n1,5;2020-01-03;3\n",
    "an empty value": "unique_id,ds,y\na,2020-01-01,1\na,2020-01-02,\na,2020-01-03,3\n",
    "nan": "unique_id,ds,y\na,2020-01-01,1\na,2020-01-02,nan\na,2020-01-03,3\n",
    "#N/A": "unique_id,ds,y\na,2020-01-01,1\na,2020-01-02,#N/A\na,2020-01-03,3\n",
    "NA": "unique_id,ds,y\na,2020-01-01,1\na,2020-01-02,NA\na,2020-01-03,3\n",
    "NA spaced": "unique_id,ds,y\na,2020-01-01,1\na,2020-01-02, NA\na,2020-01-03,3\n",
    "-nan": "unique_id,ds,y\na,2020-01-01,1\na,2020-01-02,-nan\na,2020-01-03,3\n",
    "no value but missing ones": "unique_id,ds,y\na,2020-01-01,\na,2020-01-02,NA\na,2020-01-03,3\nb,2020-01-01,\n",
    "NA in an id and a date": "unique_id,ds,y\nNA,2020-01-01,1\nNA,2020-01-02,2\nb,NA,3\n",
    "inf": "unique_id,ds,y\na,2020-01-01,1\na,2020-01-02,inf\na,2020-01-03,3\n",
    "1_000": "unique_id,ds,y\na,2020-01-01,1\na,2020-01-02,1_000\na,2020-01-03,3\n",
    "a gap": "unique_id,ds,y\na,2020-01-01,1\na,2020-01-03,3\na,2020-01-04,4\n",
    "a pair twice": "unique_id,ds,y\na,2020-01-01,1\na,2020-01-02,2\na,2020-01-02,3\n",
    "an empty id": "unique_id,ds,y\na,2020-01-01,1\n ,2020-01-02,2\na,2020-01-03,3\n",
    "a bad date": "unique_id,ds,y\na,2020-01-01,1\na,2020-13-02,2\na,2020-01-03,3\n",
    "two frequencies": "unique_id,ds,y\na,2020-01-01,1\na,2020-01-02,2\na,2020-01-03,3\nb,2020-01-01,1\nb,2020-02-01,2\n"
                       "b,2020-03-01,3\nc,2020-01-01,1\nc,2020-01-02,2\nc,2020-01-03,3\n",
    "a missing column": "unique_id,date,y\na,2020-01-01,1\na,2020-01-02,2\n",
    "a row of separators": "unique_id,ds,y\na,2020-01-01,1\n,,\na,2020-01-02,2\na,2020-01-03,3\n",
    "an Excel sep line": "sep=;\nunique_id;ds;y\na;2020-01-01;1\na;2020-01-02;2\na;2020-01-03;3\n",
    "other columns named alike": "unique_id,x,ds,x,y\na,1,2020-01-01,2,1\na,1,2020-01-02,2,2\na,1,2020-01-03,2,3\n",
    "true in an id": "unique_id,ds,y\ntrue,2020-01-01,1\ntrue,2020-01-02,2\ntrue,2020-01-03,3\n",
    "a short row beside a separator in quotes": 'unique_id,ds,y,note\na,2020-01-01,1,"p,q"\na,2020-01-02,2\na,2020-01-03,3,x\n',
    "dollars": 'unique_id,ds,y\na,2020-01-01,"$1,000"\na,2020-01-02,$-2.5\na,2020-01-03,$3\n',
    "percents": "unique_id,ds,y\na,2020-01-01,12.5%\na,2020-01-02,-3%\na,2020-01-03,4%\n",
    "dollars beside a plain value": "unique_id,ds,y\na,2020-01-01,$1\na,2020-01-02,2\na,2020-01-03,$3\n",
}


def test_currency_and_percent_values_are_read_as_in_a_series_file(tmp_path):
    """'$1,000', '€1.234,50', '12.5%' on every value: read (they were "not a number"), in a file or a DataFrame; a mark
    on some values only is refused, naming the line of one that lacks it."""
    rows = [("a", "2020-01-01", "€1.234,50"), ("a", "2020-01-02", ""), ("a", "2020-01-03", "€999,5"),
            ("b", "2020-01-01", "-€2"), ("b", "2020-01-02", "€3"), ("b", "2020-01-03", "1.000 €")]
    path = write(tmp_path, "unique_id;ds;y\n" + "".join(";".join(r) + "\n" for r in rows))
    got = load_long(path, fill="interpolate")
    assert list(got["a"]) == [1234.5, (1234.5 + 999.5) / 2, 999.5] and list(got["b"]) == [-2.0, 3.0, 1000.0]
    frame = pd.DataFrame({"unique_id": ["a"] * 3, "ds": pd.date_range("2020-01-01", periods=3), "y": ["5%", None, "7.5%"]})
    assert list(load_long(frame, fill="interpolate")["a"]) == [5.0, 6.25, 7.5]
    with pytest.raises(DataError, match=r"^line 2: value '\$1' in column 'y' carries '\$' but line 5's value '2' has none; "):
        load_long(write(tmp_path, "unique_id,ds,y\na,2020-01-01,$1\na,2020-01-02,$2\nb,2020-01-01,$1\nb,2020-01-02,2\n"))


@pytest.mark.parametrize("name", list(ODD_FILES))
def test_fast_path_refuses_what_the_robust_one_refuses_with_its_message(tmp_path, monkeypatch, name):
    path = tmp_path / "long.csv"
    path.write_bytes(ODD_FILES[name].encode())
    try:
        want = load_robust(monkeypatch, path)
    except DataError as exc:
        with pytest.raises(DataError) as fast:
            load_long(path)
        assert str(fast.value) == str(exc)
    else:
        assert_identical(load_long(path), want)


def test_fast_path_reads_no_compressed_file(tmp_path, monkeypatch):
    import gzip

    path = tmp_path / "long.csv.gz"  # pandas would decompress it by its name
    path.write_bytes(gzip.compress(b"unique_id,ds,y\na,2020-01-01,1\na,2020-01-02,2\na,2020-01-03,3\n"))
    with pytest.raises(DataError, match=r"is gzip-compressed; decompress it first"):
        load_long(path)


@pytest.mark.parametrize("token", ["1e3", "-0", "+.5", "5.", " 7 ", "0.1", "4.35", "1e-400", "2.2250738585072011e-308",
                                   "123456789012345678901234567890", "0.30000000000000004", "1E+2", "-1.5e-10"])
def test_pandas_reads_values_as_python_does(tmp_path, monkeypatch, token):
    path = write(tmp_path, f"unique_id,ds,y\na,2020-01-01,{token}\n")
    assert load_long(path, freq="D")["a"].iloc[0] == float(token)
    assert_identical(load_long(path, freq="D"), load_robust(monkeypatch, path, freq="D"))


def test_whole_panel_checks_build_series_as_one_by_one_does(monkeypatch):
    """DataFrames (no CSV parser): complete series are built from one grid, the others checked one by one."""
    days = pd.date_range("2020-01-01", periods=6, freq="D")
    hours = pd.date_range("2024-03-30 22:00", periods=6, freq="h", tz="Europe/Paris")
    frames = [
        pd.DataFrame({"unique_id": [3] * 6 + [1] * 4, "ds": list(days) + list(days[1:5]), "y": np.arange(10.0)}),
        pd.DataFrame({"unique_id": ["a"] * 6 + ["b"] * 6, "ds": list(hours) + list(hours + pd.Timedelta("30min")),
                      "y": np.arange(12.0)}),
        pd.DataFrame({"unique_id": ["a"] * 5 + ["b"] * 3, "ds": np.r_[0:5, 7, 8, 10], "y": np.arange(8.0)}),
        pd.DataFrame({"unique_id": ["a"] * 4 + ["b"] * 3, "ds": list(pd.date_range("2020-01-01", periods=4, freq="MS"))
                      + list(pd.date_range("2020-02-01", periods=3, freq="MS")), "y": [1, np.nan, 3, 4, 5, 6, 7.0]}),
        pd.DataFrame({"unique_id": ["a"] * 4, "ds": days[:4].astype("datetime64[s]"), "y": np.arange(4.0)}),
        pd.DataFrame({"unique_id": ["a"] * 3 + ["b"] * 3, "ds": list(pd.bdate_range("2024-01-05", periods=3)) * 2,
                      "y": [1.0, 2.0, 3.0, np.nan, 5.0, 6.0]}),
    ]
    for frame in frames:
        for fill in ("ffill", "interpolate"):
            assert_identical(load_long(frame, fill=fill), load_robust(monkeypatch, frame, fill=fill))


def test_freq_on_integer_steps_says_the_cli_way_out_too(tmp_path):
    with pytest.raises(ConfigError, match=r"leave freq as None \(CLI: no --freq\) or write the dates as e.g. 2020-01-31$"):
        load_long(write(tmp_path, "unique_id,ds,y\nx,0,1\nx,1,2\nx,2,3\n"), freq="MS")


def test_a_series_with_one_date_off_the_common_grid_names_that_date():
    # series 'b' with one date on the 15th among month starts was said to "have frequency 'SMS-15'" against 'a''s 'MS'
    dates = pd.date_range("2000-01-01", periods=60, freq="MS")
    b = dates.strftime("%Y-%m-%d").tolist()
    b[30] = b[30][:8] + "15"
    df = pd.DataFrame({"unique_id": ["a"] * 60 + ["b"] * 60, "ds": list(dates) + pd.to_datetime(b).tolist(), "y": range(120)})
    with pytest.raises(DataError, match=r"^series 'b': date 2002-07-15 does not fall on the frequency 'MS' of its other dates "
                                        r"and of series 'a', which made it look like 'SMS-15'; fix the date or pass the right freq="):
        load_long(df)


def _months_with_15th(n=60, at=(30,)):
    dates = pd.date_range("2000-01-01", periods=n, freq="MS").strftime("%Y-%m-%d").tolist()
    for i in at:
        dates[i] = dates[i][:8] + "15"
    return pd.to_datetime(dates).tolist()


@pytest.mark.parametrize("ids", [["a"], ["a", "b", "c"]])
def test_a_date_off_the_grid_in_every_series_is_named_not_filled(ids):
    # the only series, or every series (a panel shares its dates), with one month on the 15th: all read as 'SMS-15'
    # with 59 dates missing ('pass fill=', and fill='interpolate' made 59 values up per series), as one series did
    dates = _months_with_15th()
    df = pd.DataFrame({"unique_id": [k for k in ids for _ in dates], "ds": dates * len(ids), "y": range(60 * len(ids))})
    for fill in ("none", "interpolate"):
        with pytest.raises(DataError, match=r"^series 'a': row 30: date 2002-07-15 does not fall on the frequency 'MS' of the "
                                            r"other dates, which made them look like 'SMS-15' with 59 dates missing; fix the date"):
            load_long(df, fill=fill)


def test_the_first_of_two_series_with_a_date_off_the_grid_is_named():
    # a tie of 'SMS-15' ('a', first) and 'MS' ('b'): said "series 'b' has frequency 'MS' but series 'a' has 'SMS-15'"
    ms = pd.date_range("2000-01-01", periods=60, freq="MS").tolist()
    df = pd.DataFrame({"unique_id": ["a"] * 60 + ["b"] * 60, "ds": _months_with_15th() + ms, "y": range(120)})
    with pytest.raises(DataError, match=r"^series 'a': row 30: date 2002-07-15 does not fall on the frequency 'MS'"):
        load_long(df)


def test_two_dates_off_the_grid_are_named_not_said_to_have_no_frequency(tmp_path):
    # on the 15th and the 20th: no frequency holds every date, and the message was "no series has 3 or more evenly
    # spaced dates" (58 of its 60 are)
    dates = [d.strftime("%Y-%m-%d") for d in _months_with_15th(at=(10,))]
    dates[40] = dates[40][:8] + "20"
    path = write(tmp_path, "unique_id,ds,y\n" + "".join(f"a,{d},{i}\n" for i, d in enumerate(dates)))
    with pytest.raises(DataError, match=r"^series 'a': line 12: date 2000-11-15 does not fall on the frequency 'MS' of the other "
                                        r"dates \(nor do 1 more: 2003-05-20\); fix the date"):
        load_long(path)


def test_local_days_written_in_utc_get_the_hint_in_long_format_too(tmp_path):
    # Paris midnights as UTC (23:00Z, then 22:00Z): "no series has 3 or more evenly spaced dates; pass freq= e.g. 'D'", which
    # could not work; load_series says what they are, and so does load_long now
    days = pd.date_range("2024-03-20", periods=20, freq="D", tz="Europe/Paris").tz_convert("UTC").strftime("%Y-%m-%dT%H:%MZ")
    path = write(tmp_path, "unique_id,ds,y\n" + "".join(f"{k},{d},{i}\n" for k in "ab" for i, d in enumerate(days)))
    with pytest.raises(DataError, match=r"no series has 3 or more evenly spaced dates; the time of day moves by an hour, from "
                                        r"23:00 to 22:00 at series 'a': line 14 \(2024-03-31 22:00:00\+00:00\): local days "):
        load_long(path)


def test_files_joined_with_cat_keep_no_byte_order_mark_in_an_id(tmp_path):
    # `cat a.csv b.csv` of two Excel 'CSV UTF-8' files: the second one's BOM (U+FEFF, invisible) made '\ufeffb' a
    # series of its own beside 'b', without a word (pandas' fast reader kept it in the cell)
    body = [f"{i},2015-{m:02d}-01,{m}\n" for i in ("a", "b") for m in range(1, 13)]
    path = tmp_path / "long.csv"
    path.write_bytes(b"\xef\xbb\xbfunique_id,ds,y\n" + "".join(body[:12]).encode() + b"\xef\xbb\xbf" + "".join(body[12:]).encode())
    out = load_long(path)
    assert sorted(out) == ["a", "b"] and list(out["b"]) == list(range(1, 13))


def test_ids_that_differ_only_in_their_unicode_form_are_refused(tmp_path):
    # 'Zürich' written with one character ü (NFC) on some rows and u + U+0308 (NFD, as macOS writes names) on others
    # was two series without a word, or "series 'Zürich': 6 dates are missing ... (1 more series fail too: 'Zürich')"
    import unicodedata

    rows = [f"{'Zürich' if m % 2 else unicodedata.normalize('NFD', 'Zürich')},2015-{m:02d}-01,{m}\n" for m in range(1, 13)]
    path = tmp_path / "l.csv"
    path.write_text("unique_id,ds,y\n" + "".join(rows[:6]) + "".join(r.replace("2015", "2016") for r in rows[6:]), encoding="utf-8")
    with pytest.raises(DataError, match="^ids 'Zürich' and 'Zu\u0308rich' in column 'unique_id' are the same letters written two ways "
                                        r"\('Z\\xfcrich' and 'Zu\\u0308rich': Unicode NFC and NFD.*\); write each id one way$"):
        load_long(path)
    assert sorted(load_long(pd.DataFrame({"unique_id": ["é", "e"], "ds": [1, 1], "y": [1.0, 2.0]}))) == ["e", "é"]  # other letters


def test_id_and_date_index_levels_are_read_as_columns(tmp_path):
    """df.set_index(['unique_id', 'ds']) (sktime's layout), and a Parquet file written from it (pandas reads the index
    back), were refused: "has no column 'unique_id', 'ds'; its columns are 'y'", with no CLI way out."""
    frame = to_long(two_series())
    indexed = frame.set_index(["unique_id", "ds"])
    assert is_long(indexed) and is_long(frame.set_index("unique_id"))
    assert_same(load_long(indexed), two_series())
    assert_same(load_long(frame.set_index("unique_id")), two_series())  # older statsforecast outputs: ids as the index
    indexed.to_parquet(tmp_path / "indexed.parquet")
    assert_same(load_long(tmp_path / "indexed.parquet"), two_series())
    other = frame.rename(columns={"unique_id": "instances", "ds": "timepoints"}).set_index(["instances", "timepoints"])
    with pytest.raises(DataError, match=r"^the DataFrame has no column 'unique_id', 'ds'; its columns are 'y' and its index "
                                        r"levels 'instances', 'timepoints'; name the id, date and value columns with seqcast.load_long"):
        load_long(other)
    got = load_long(other, id_column="instances", date_column="timepoints")
    assert list(got) == ["b", "a"] and list(got["a"]) == [7.0, 8.0, 9.0] and got["a"].index.name == "timepoints"
    both = indexed.reset_index().set_index("unique_id", drop=False)  # a column and a level of that name: the column
    assert_same(load_long(both), two_series())


def test_a_pyarrow_table_is_told_to_convert():
    pa = pytest.importorskip("pyarrow")
    table = pa.Table.from_pandas(to_long(two_series()), preserve_index=False)
    with pytest.raises(DataError, match=r"^cannot load long-format series from a Table; .*; a pyarrow Table converts with "
                                        r"\.to_pandas\(\)$"):
        load_long(table)
    assert_same(load_long(table.to_pandas()), two_series())  # as it says


def test_categorical_steps_are_steps():
    """A categorical ds of integer steps (a Parquet dictionary column) was read as text: "date '0' cannot be parsed"."""
    frame = pd.DataFrame({"unique_id": ["a"] * 3, "ds": pd.Categorical([3, 4, 5]), "y": [1.0, 2.0, 3.0]})
    assert load_long(frame)["a"].index.equals(pd.RangeIndex(3, 6, name="ds"))


def test_korean_and_japanese_dates_in_ds_read_as_the_dates_they_are(tmp_path):
    """'2000年1月', '2000년 2월 1일' in the ds column could not be parsed; each series reads as with 2000-01-01 ...; a month 13
    is named by its line."""
    for spell in ("{y}年{m}月", "{y}년 {m}월 1일", "{y}-{m:02d}-01 오전 12:00:00"):
        rows = [("b", 2000, m, m) for m in range(1, 6)] + [("a", 2000, m, m + 5) for m in range(2, 5)]
        text = "unique_id,ds,y\n" + "".join(f"{u},{spell.format(y=y, m=m)},{v}\n" for u, y, m, v in rows)
        assert_same(load_long(write(tmp_path, text)), two_series())
        frame = pd.read_csv(write(tmp_path, text))  # a DataFrame whose ds is text
        assert_same(load_long(frame), two_series())
    with pytest.raises(DataError, match=r"^line 3: date '2000년 13월' in column 'ds' cannot be parsed"):
        load_long(write(tmp_path, "unique_id,ds,y\na,2000년 12월,1\na,2000년 13월,2\na,2001년 1월,3\n"))


@pytest.mark.parametrize("blank", [False, True], ids=["pandas-reader", "robust-reader"])
def test_a_korean_excel_long_file_reads_with_encoding_cp949(tmp_path, blank):
    """Korean Excel's 'CSV' (cp949), its header and ids in Hangul: refused without encoding= (naming cp949), read with it
    as the same file saved as UTF-8 reads, by pandas' parser and by the robust reader (a blank line); is_long sees it."""
    lines = ["지점,날짜,판매량"] + [f"{k},2020-{m:02d}-01,{i * 10 + m}" for i, k in enumerate(["서울", "부산"]) for m in range(1, 7)]
    if blank:
        lines.insert(3, "")
    text = "\r\n".join(lines) + "\r\n"
    path, utf8 = tmp_path / "kr.csv", tmp_path / "utf8.csv"
    path.write_bytes(text.encode("cp949"))
    utf8.write_bytes(text.encode("utf-8"))
    names = {"id_column": "지점", "date_column": "날짜", "value_column": "판매량"}
    with pytest.raises(DataError, match=r"^file '.*kr.csv' is not UTF-8 text: line 1 .*it reads as cp949 \(Korean\)"):
        load_long(path, **names)
    assert not is_long(path, id_column="지점") and is_long(path, id_column="지점", encoding="cp949")
    got = load_long(path, **names, encoding="cp949")
    assert list(got) == ["서울", "부산"] and got["부산"].attrs["value_column"] == "판매량"
    assert_same(got, load_long(utf8, **names))
    with pytest.raises(DataError, match=r"^file '.*kr.csv' is not cp932 text: line 2 \(.*\) holds the byte 0xef, "):  # (its header reads as kana)
        load_long(path, **names, encoding="cp932")
