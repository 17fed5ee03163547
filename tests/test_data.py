"""Tests for seqcast.data (load_series, season_length, future_index) and seqcast.datasets."""

from __future__ import annotations

import codecs
import re
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from seqcast.data import column_names, future_index, load_series, season_length
from seqcast.long import load_long
from seqcast.datasets import airline, load
from seqcast.errors import ConfigError, DataError


def write(tmp_path: Path, text: str, name: str = "data.csv") -> Path:
    path = tmp_path / name
    path.write_text(text)
    return path


MONTHLY = "1949-01,112\n1949-02,118\n1949-03,132\n1949-04,129\n1949-05,121\n"


# --------------------------------------------------------------------------- #
# The airline dataset
# --------------------------------------------------------------------------- #


def test_airline_loads():
    s = airline()
    assert len(s) == 144
    assert s.name == "passengers"
    assert s.dtype == np.float64
    assert isinstance(s.index, pd.DatetimeIndex)
    assert s.index.freqstr == "MS"
    assert s.index[0] == pd.Timestamp("1949-01-01")
    assert s.index[-1] == pd.Timestamp("1960-12-01")
    assert s.iloc[0] == 112
    assert s.iloc[-1] == 432
    assert s.attrs["filled"] == 0


def test_load_by_name_and_by_path(tmp_path):
    assert load("airline").equals(airline())
    assert load("airline", freq=None, fill="none").iloc[0] == 112
    s = load(write(tmp_path, MONTHLY))
    assert len(s) == 5
    s = load(str(write(tmp_path, MONTHLY)))
    assert s.index.freqstr == "MS"


def test_load_unknown_name():
    with pytest.raises(DataError, match=r"no file or built-in dataset named 'nope'; built-in datasets: airline"):
        load("nope")


def test_load_builtin_rejects_column():
    with pytest.raises(ConfigError, match="column"):
        load("airline", column="x")


def test_raw_airline_csv_autodetects_date_column():
    import seqcast

    path = Path(seqcast.__file__).parent / "_data" / "airline.csv"  # the installed package's, as a wheel's tests run
    s = load_series(path)
    assert len(s) == 144 and s.index.freqstr == "MS" and s.name == "y"


# --------------------------------------------------------------------------- #
# CSV: header, columns
# --------------------------------------------------------------------------- #


def test_csv_without_header(tmp_path):
    s = load_series(write(tmp_path, MONTHLY))
    assert list(s) == [112, 118, 132, 129, 121]
    assert s.name == "y"
    assert s.index[0] == pd.Timestamp("1949-01-01")
    assert s.index.freqstr == "MS"


def test_csv_with_header_autodetected(tmp_path):
    s = load_series(write(tmp_path, "Month,Passengers\n" + MONTHLY))
    assert len(s) == 5
    assert s.name == "Passengers"
    assert s.iloc[0] == 112
    assert s.index.name == "Month"


def test_header_forced(tmp_path):
    # a numeric first row would be data, but header=True makes it the names
    s = load_series(write(tmp_path, "1,2\n3,4\n5,6\n7,8\n"), header=True, column="2")
    assert list(s) == [4, 6, 8]
    assert s.name == "2"
    # header=False keeps a text first row as data -> a non-number error on line 1
    with pytest.raises(DataError, match="line 1"):
        load_series(write(tmp_path, "Month,Passengers\n" + MONTHLY, "h.csv"), header=False)


def test_values_only_csv(tmp_path):
    s = load_series(write(tmp_path, "1\n2\n3.5\n"))
    assert list(s) == [1.0, 2.0, 3.5]
    assert isinstance(s.index, pd.RangeIndex) and list(s.index) == [0, 1, 2]


def test_column_by_name(tmp_path):
    path = write(tmp_path, "date,a,b\n2020-01-01,1,10\n2020-01-02,2,20\n2020-01-03,3,30\n")
    s = load_series(path, column="b")
    assert list(s) == [10, 20, 30] and s.name == "b"
    assert s.index.freqstr == "D"


def test_column_by_index(tmp_path):
    path = write(tmp_path, "date,a,b\n2020-01-01,1,10\n2020-01-02,2,20\n2020-01-03,3,30\n")
    assert list(load_series(path, column=1)) == [1, 2, 3]
    assert list(load_series(path, column="2")) == [10, 20, 30]


def test_date_column_explicit(tmp_path):
    path = write(tmp_path, "v,when\n1,2020-01-01\n2,2020-01-02\n3,2020-01-03\n")
    s = load_series(path, date_column="when")
    assert s.index[0] == pd.Timestamp("2020-01-01") and list(s) == [1, 2, 3]


def test_ambiguous_columns_list_them(tmp_path):
    path = write(tmp_path, "a,b,c\n1,2,3\n4,5,6\n")
    with pytest.raises(DataError, match=r"0 'a', 1 'b', 2 'c'.*column="):
        load_series(path)


# --------------------------------------------------------------------------- #
# CSV: separators, time zones, years, day-first dates, numeric header names
# --------------------------------------------------------------------------- #


def dst_csv(header: str = "date,value") -> str:
    """48 hourly values in Paris time across the March 2023 change from +01:00 to +02:00."""
    idx = pd.date_range("2023-03-25", periods=48, freq="h", tz="Europe/Paris")
    return header + "\n" + "".join(f"{t.isoformat()},{i}\n" for i, t in enumerate(idx))


def test_changing_utc_offsets_load_as_utc(tmp_path):
    path = write(tmp_path, dst_csv())
    assert "+01:00" in path.read_text() and "+02:00" in path.read_text()
    for s in (load_series(path), load_series(path, date_column="date")):
        assert len(s) == 48 and s.index.freqstr == "h" and str(s.index.tz) == "UTC"
        assert s.index[0] == pd.Timestamp("2023-03-24 23:00", tz="UTC") and list(s[:2]) == [0, 1]


def test_daily_dates_with_changing_offsets_keep_their_local_days(tmp_path):
    days = pd.date_range("2023-03-20", periods=14, freq="D", tz="Europe/Berlin")  # DST starts on 2023-03-26
    text = "day,v\n" + "".join(f"{d.isoformat()},{i}\n" for i, d in enumerate(days))
    assert "+01:00" in text and "+02:00" in text
    s = load_series(write(tmp_path, text))
    assert s.index.freqstr == "D" and s.index.tz is None and s.index[0] == pd.Timestamp("2023-03-20")


def test_local_clock_times_across_a_dst_change_are_refused_with_a_hint_to_write_offsets(tmp_path):
    """The hour repeated in autumn read as a duplicated date, the one skipped in spring as a gap to fill."""
    hint = r"; if these are local clock times across a daylight-saving change, write them with their UTC offset"
    for start in ("2024-03-30", "2024-10-26"):  # Berlin: 02:00 skipped on 2024-03-31, repeated on 2024-10-27
        idx = pd.date_range(start, periods=48, freq="h", tz="Europe/Berlin")
        text = "date,v\n" + "".join(f"{d:%Y-%m-%d %H:%M},{i}\n" for i, d in enumerate(idx))
        with pytest.raises(DataError, match=r"^(line 29: date 2024-10-27 02:00:00 is duplicated \(also at line 28\); keep one row per date|"
                                            r"1 date is missing at frequency 'h': 2024-03-31 02:00:00; .*add the rows)" + hint):
            load_series(write(tmp_path, text))
    days = pd.date_range("2024-01-01", periods=20, freq="D").delete(5)  # a missing day: no hint
    with pytest.raises(DataError, match=r"add the rows$"):
        load_series(write(tmp_path, "date,v\n" + "".join(f"{d:%Y-%m-%d},{i}\n" for i, d in enumerate(days))))


def test_local_clock_times_over_two_springs_get_the_dst_hint_too(tmp_path):
    # the autumn hour's repeat dropped (one row per date), two years of Berlin clock times miss 02:00 on two spring days:
    # the hint came only when every missing date lay in one hour
    idx = pd.date_range("2023-03-20", "2024-04-05", freq="h", tz="Europe/Berlin").tz_localize(None).drop_duplicates()
    text = "date,v\n" + "".join(f"{d:%Y-%m-%d %H:%M},{i % 24}\n" for i, d in enumerate(idx))
    with pytest.raises(DataError, match=r"^2 dates are missing at frequency 'h': 2023-03-26 02:00:00, 2024-03-31 02:00:00; .*"
                                        r"if these are local clock times across a daylight-saving change"):
        load_series(write(tmp_path, text))
    idx = pd.date_range("2024-01-01", periods=100, freq="h").delete([26, 50])  # 02:00 two days running: no hint
    with pytest.raises(DataError, match=r"add the rows$"):
        load_series(write(tmp_path, "date,v\n" + "".join(f"{d:%Y-%m-%d %H:%M},{i}\n" for i, d in enumerate(idx))))


def test_local_days_written_in_utc_are_refused_with_a_hint_that_says_so(tmp_path):
    """Berlin midnights as UTC (23:00Z, then 22:00Z from 2024-03-31): 'cannot infer the frequency; pass freq= e.g. 'D'',
    and with freq='D' 'date 2024-03-31 22:00:00 does not fall on the frequency 'D''; neither fix could work."""
    days = pd.date_range("2024-03-20", periods=20, freq="D", tz="Europe/Berlin").tz_convert("UTC")
    hint = (r"the time of day moves by an hour, from 23:00 to 22:00 at line 14 \(2024-03-31 22:00:00(\+00:00)?\): local days "
            r"across a daylight-saving change written in UTC\? write the local dates \(YYYY-MM-DD\), or the local times with "
            r"their UTC offset, e\.g\. 2024-10-27T00:00:00\+02:00$")
    for fmt in ("%Y-%m-%dT%H:%M:%SZ", "%Y-%m-%d %H:%M"):
        path = write(tmp_path, "day,v\n" + "".join(f"{d.strftime(fmt)},{i}\n" for i, d in enumerate(days)))
        with pytest.raises(DataError, match=r"^cannot infer the frequency of the dates in file .*\.\.\.\); " + hint):
            load_series(path)
        with pytest.raises(DataError, match=r"^line 14: date 2024-03-31 22:00:00.* does not fall on the frequency 'D' of the "
                                            r"other dates; " + hint):
            load_series(path, freq="D")
    twice = pd.date_range("2024-01-01", periods=10, freq="D").repeat(2) + pd.to_timedelta([9, 10] * 10, unit="h")
    with pytest.raises(DataError, match=r"pass freq= e\.g\. freq='MS'"):  # two readings a day, an hour apart: no hint
        load_series(write(tmp_path, "t,v\n" + "".join(f"{d:%Y-%m-%d %H:%M},{i}\n" for i, d in enumerate(twice))))


def test_daily_readings_at_one_local_time_with_changing_offsets_keep_their_local_times(tmp_path):
    """A business-day close at 16:00 New York time: in UTC it moves from 21:00 to 20:00 at the DST change."""
    days = pd.date_range("2024-03-01 16:00", periods=15, freq="B", tz="America/New_York")  # DST starts on 2024-03-10
    text = "day,v\n" + "".join(f"{d.isoformat()},{i}\n" for i, d in enumerate(days))
    assert "-05:00" in text and "-04:00" in text
    s = load_series(write(tmp_path, text))
    assert s.index.freqstr == "B" and s.index.tz is None and list(s) == list(range(15))
    assert s.index[0] == pd.Timestamp("2024-03-01 16:00") and s.index[-1] == pd.Timestamp("2024-03-21 16:00")


def test_date_parsing_failure_while_autodetecting_means_not_dates(tmp_path, monkeypatch):
    import seqcast.data as data

    def boom(*args, **kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr(data, "_to_datetime", boom)
    path = write(tmp_path, "when,v\n2020-01-01,1\n2020-01-02,2\n2020-01-03,3\n")
    s = load_series(path, column="v")  # 'when' is not taken for dates, and no traceback
    assert list(s) == [1, 2, 3] and isinstance(s.index, pd.RangeIndex)
    with pytest.raises(DataError, match=r"^the dates in column 'when' cannot be parsed \(boom\)"):
        load_series(path, date_column="when")


def test_semicolon_and_tab_separated_files(tmp_path):
    s = load_series(write(tmp_path, "date;volume\n1871-01-01;1120.0\n1872-01-01;1160.0\n1873-01-01;963.0\n"))
    assert list(s) == [1120.0, 1160.0, 963.0] and s.name == "volume" and s.index.freqstr == "YS-JAN"
    # decimal commas in a ';' file, with and without a header
    s = load_series(write(tmp_path, "date;volume\n1871-01-01;1120,5\n1872-01-01;1160\n1873-01-01;-963,25\n"))
    assert list(s) == [1120.5, 1160.0, -963.25]
    s = load_series(write(tmp_path, "1871-01-01;1120,5\n1872-01-01;1160,0\n1873-01-01;963,0\n"))
    assert list(s) == [1120.5, 1160.0, 963.0] and s.index.freqstr == "YS-JAN"
    s = load_series(write(tmp_path, "date\tv\n2020-01-01\t1,5\n2020-01-02\t2\n2020-01-03\t3\n"))
    assert list(s) == [1.5, 2.0, 3.0] and s.index.freqstr == "D"
    s = load_series(write(tmp_path, "date;v\n2020-01-01;1.120,5\n2020-01-02;2\n2020-01-03;3\n"))  # a dot in thousands
    assert list(s) == [1120.5, 2.0, 3.0]
    with pytest.raises(DataError, match=r"^line 3 has 3 fields but line 1 has 2; .* semicolon-separated fields$"):
        load_series(write(tmp_path, "date;v\n2020-01-01;1\n2020-01-02;2;3\n2020-01-03;3\n"))


def test_a_pipe_separated_file_is_named_as_such(tmp_path):
    # it was read as one column: "line 2: value '2020-01-01|1' in column 'date|v' is not a number; fix or remove that row"
    text = "date|v\n2020-01-01|1\n2020-01-02|2\n2020-01-03|3\n"
    with pytest.raises(DataError, match=r"looks '\|'-separated \(line 1: 'date\|v'\), but seqcast reads comma-, semicolon- or tab-"):
        load_series(write(tmp_path, text))
    with pytest.raises(DataError, match=r"looks '\|'-separated \(line 1: 'unique_id\|ds\|y'\)"):
        load_long(write(tmp_path, "unique_id|ds|y\na|2020-01-01|1\n", "long.csv"))
    s = load_series(write(tmp_path, "date,note\n2020-01-01,1\n2020-01-02,2\n2020-01-03,3\n".replace("note", "a|b")))
    assert list(s) == [1, 2, 3]  # a '|' in a comma file's cell is only text


def test_comma_files_read_as_before(tmp_path):
    # a comma between quotes is no decimal comma, and a tab after a comma is only space
    with pytest.raises(DataError, match=r"^line 2: value '1,5' in column 'v' is not a number"):
        load_series(write(tmp_path, 'date,v\n2020-01-01,"1,5"\n2020-01-02,2\n2020-01-03,3\n'))
    s = load_series(write(tmp_path, "1949-01,\t112\n1949-02,\t118\n1949-03,\t132\n"))
    assert list(s) == [112, 118, 132] and s.index.freqstr == "MS"
    s = load_series(write(tmp_path, "d,note,v\n2020-01-01,a;b,1\n2020-01-02,c;d,2\n2020-01-03,e;f,3\n"), column="v")
    assert list(s) == [1, 2, 3]


SUNSPOTS = "year,sunspots\n" + "".join(f"{1700 + i},{v}\n" for i, v in enumerate([5.0, 11.0, 16.0, 23.0, 36.0]))


def test_consecutive_years_are_yearly_dates(tmp_path):
    path = write(tmp_path, SUNSPOTS)
    for s in (load_series(path), load_series(path, column="sunspots"), load_series(path, date_column="year")):
        assert list(s) == [5.0, 11.0, 16.0, 23.0, 36.0] and s.name == "sunspots"
        assert s.index[0] == pd.Timestamp("1700-01-01") and s.index.freqstr == "YS-JAN"
        assert s.index.name == "year"
    assert list(future_index(load_series(path), 2).year) == [1705, 1706]
    # float years, as pandas writes them
    floats = write(tmp_path, "year,v\n1950.0,1\n1951.0,2\n1952.0,3\n", "f.csv")
    for s in (load_series(floats), load_series(floats, date_column="year")):
        assert s.index[0] == pd.Timestamp("1950-01-01") and s.index.freqstr == "YS-JAN"
    frame = pd.DataFrame({"year": range(1700, 1705), "v": [1.0, 2.0, 3.0, 4.0, 5.0]})
    assert load_series(frame).index.freqstr == "YS-JAN"


def test_year_and_quarter_or_month_columns_are_dates(tmp_path):
    """statsmodels' macrodata layout (year, quarter, values...) was read as undated: season 1, positions."""
    rows = [(1959 + i // 4, 1 + i % 4, 2700.0 + i) for i in range(6)]
    path = write(tmp_path, "year,quarter,realgdp,cpi\n" + "".join(f"{y}.0,{q}.0,{v},{v / 100}\n" for y, q, v in rows))
    s = load_series(path, column="realgdp")
    assert list(s.index) == list(pd.date_range("1959-01-01", periods=6, freq="QS")) and season_length(s.index.freqstr) == 4
    assert list(future_index(s, 1)) == [pd.Timestamp("1960-07-01")]
    with pytest.raises(DataError, match=r"^2 columns could hold the values; available columns: .*'realgdp', 3 'cpi'"):
        load_series(path)  # year and quarter are not among the candidates
    monthly = pd.DataFrame({"Year": [2000] * 3 + [2001], "Month": [10, 11, 12, 1], "y": [1.0, 2.0, 3.0, 4.0]})
    assert list(load_series(monthly).index) == list(pd.date_range("2000-10-01", periods=4, freq="MS"))
    repeat = pd.DataFrame({"year": [2000, 2000], "quarter": [1, 1], "y": [1.0, 2.0]})
    with pytest.raises(DataError, match="is duplicated"):
        load_series(repeat)
    odd = pd.DataFrame({"year": [2000, 2000], "quarter": [1, 5], "y": [1.0, 2.0]})  # no quarter 5: not dates
    assert isinstance(load_series(odd, column="y").index, pd.RangeIndex)
    daily = pd.DataFrame({"year": [2020] * 3, "month": [1] * 3, "day": [1, 2, 3], "y": [1.0, 2.0, 3.0]})
    assert isinstance(load_series(daily, column="y").index, pd.RangeIndex)  # year + month are not the whole date here


def test_a_wide_table_of_months_is_refused_with_how_to_reshape_it_and_month_names_read_as_dates(tmp_path):
    """statsmodels' elnino (YEAR, JAN, ..., DEC: a row per year): the message offered to pick one month's column (a yearly
    series of Januaries) or date_column='YEAR'; and the table melted to YEAR, month ('JAN', ...), value was refused:
    '2 columns could hold the values ... if column 'YEAR' holds dates, pass date_column='YEAR''."""
    months = ["JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"]
    wide = pd.DataFrame(np.arange(36.0).reshape(3, 12) + 20, columns=months)
    wide.insert(0, "YEAR", [1950.0, 1951.0, 1952.0])
    path = tmp_path / "wide.csv"
    wide.to_csv(path, index=False)
    with pytest.raises(DataError, match=r"^13 columns could hold the values; .*; choose one with column= \(CLI --column\); "
                       r"columns 'JAN'..'DEC' are the months of a wide table \(a row per year\): seqcast reads a value per row, "
                       r"so reshape it first, e.g. with pandas df.melt\(id_vars='YEAR', var_name='month'\)"
                       r".sort_values\('YEAR', kind='stable'\).to_csv\(path, index=False\) \(a year and a month column are "
                       r"read as the dates\)$"):
        load_series(path)
    wide.melt(id_vars="YEAR", var_name="month").sort_values("YEAR", kind="stable").to_csv(path, index=False)  # as it says
    s = load_series(path)
    assert list(s.index) == list(pd.date_range("1950-01-01", periods=36, freq="MS"))
    assert s.to_numpy().tolist() == list(np.arange(36.0) + 20)
    other = wide.rename(columns={"YEAR": "yr"})  # named otherwise: the recipe renames it to the name read as years
    other.to_csv(path, index=False)
    with pytest.raises(DataError, match=r"df.melt\(id_vars='yr', var_name='month'\).sort_values\('yr', kind='stable'\)"
                       r".rename\(columns=\{'yr': 'year'\}\).to_csv"):
        load_series(path)
    other.melt(id_vars="yr", var_name="month").sort_values("yr", kind="stable").rename(columns={"yr": "year"}).to_csv(path, index=False)
    assert list(load_series(path).index) == list(pd.date_range("1950-01-01", periods=36, freq="MS"))
    names = pd.DataFrame({"Year": [2000] * 3 + [2001], "Month": ["October", "nov", "Dec", "January"], "y": [1.0, 2, 3, 4]})
    assert list(load_series(names).index) == list(pd.date_range("2000-10-01", periods=4, freq="MS"))
    sept = pd.DataFrame({"year": [2000] * 3, "month": ["Aug", "Sept", "Oct"], "y": [1.0, 2, 3]})  # 'Sept' was refused
    assert list(load_series(sept).index) == list(pd.date_range("2000-08-01", periods=3, freq="MS"))
    with pytest.raises(DataError, match="could hold the values") as e:  # eleven months are no wide table of months
        load_series(wide.drop(columns="DEC"))
    assert "wide table" not in str(e.value)


def test_a_wide_table_of_months_with_a_total_or_no_year_gets_a_recipe_that_runs(tmp_path):
    """Review: beside YEAR and the months, an ANNUAL column (NOAA's and BLS's tables) made the recipe
    df.melt(id_vars='year', ...), a KeyError in pandas (the column is 'YEAR'), which would also have melted ANNUAL into a
    month; a table of months alone got the same id_vars='year'."""
    months = ["JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"]
    wide = pd.DataFrame(np.arange(24.0).reshape(2, 12) + 20, columns=months)
    path, out = tmp_path / "wide.csv", tmp_path / "long.csv"
    for table, want in ((wide.assign(ANNUAL=wide.mean(axis=1)).rename_axis("YEAR").rename(index={0: 1950, 1: 1951}).reset_index(),
                         r"df.drop\(columns=\['ANNUAL'\]\).melt\(id_vars='YEAR', var_name='month'\)"),
                        (wide, r"df.insert\(0, 'year', FIRST_YEAR \+ np.arange\(len\(df\)\)\), then df.melt\(id_vars='year', ")):
        table.to_csv(path, index=False)
        with pytest.raises(DataError, match=want) as e:
            load_series(path)
        recipe = str(e.value).split("with pandas ")[1].split(" (a year and")[0].replace("FIRST_YEAR", "1950")
        exec(recipe.replace(", then ", "; ").replace("to_csv(path", "to_csv(out"), {"df": pd.read_csv(path), "np": np, "out": out})
        s = load_series(out)  # as it says
        assert list(s.index) == list(pd.date_range("1950-01-01", periods=24, freq="MS")) and list(s) == list(np.arange(24.0) + 20)


def test_a_wide_table_of_a_series_per_row_gets_a_melt_recipe_that_runs(tmp_path):
    """M5's id, ..., d_1 .. d_1913 (a series per row, its steps across the columns) was told "choose one with column=":
    a column d_1 is one value of every series. So were M4's V1, V2 .., World Bank's years (whose header reads as a row)
    and dates as column names. The message now says how to melt it to long format, and that recipe runs."""
    from seqcast.long import load_long

    rng = np.random.default_rng(0)
    values = rng.integers(0, 9, size=(3, 12)).astype(float)
    days = pd.date_range("2020-01-22", periods=12, freq="D")
    m5 = pd.DataFrame(values, columns=[f"d_{i}" for i in range(1, 13)])
    m5.insert(0, "id", ["a", "b", "c"])
    m5.insert(1, "store_id", "CA_1")
    tables = [  # (table, what the message names, the id column the recipe keeps, the steps load_long reads back)
        (m5, (r"columns 'd_1'..'d_12' are its time steps \(a wide table, as M5's or M4's\), reshape it to long format first, "
              r"e.g. with pandas df.melt\(id_vars='id', value_vars=df.columns\[2:14\], var_name='ds', value_name='y'\)"
              r".assign\(ds=lambda d: d.ds.str\[2:\].astype\(int\)\).to_csv\(path, index=False\) and read it with --id-column id "
              r"\(Python: seqcast.load_long\(path, id_column='id'\)\)(;|$)"), "id", list(range(1, 13))),  # (a frame: more)
        (m5.drop(columns="store_id").rename(columns={"id": "V1", **{f"d_{i}": f"V{i + 1}" for i in range(1, 13)}}),
         r"columns 'V2'..'V13' are its time steps", "V1", list(range(2, 14))),
        (m5.drop(columns="store_id").rename(columns={"id": "Country Name", **{f"d_{i}": str(1989 + i) for i in range(1, 13)}}),
         r"columns '1990'..'2001' are its time steps .* read it with --id-column 'Country Name' ", "Country Name",
         list(pd.date_range("1990-01-01", periods=12, freq="YS"))),
        (m5.rename(columns={f"d_{i}": f"{d.month}/{d.day}/{d:%y}" for i, d in zip(range(1, 13), days)}),
         (r"columns '1/22/20'..'2/2/20' are its dates .*melt\(id_vars='id', value_vars=df.columns\[2:14\], var_name='ds', "
          r"value_name='y'\).to_csv"), "id", list(days)),
    ]
    path, out = tmp_path / "wide.csv", tmp_path / "long.csv"
    for table, want, id_col, steps in tables:
        table.to_csv(path, index=False)
        for source in (path, table):
            with pytest.raises(DataError, match=r"could hold the values; .*; choose one with column= \(CLI --column\); "
                                                r"if each row is a series and " + want) as e:
                load_series(source)
        recipe = str(e.value).split("with pandas ")[1].split(".to_csv(path")[0]
        eval(recipe, {"df": pd.read_csv(path)}).to_csv(out, index=False)  # as it says
        got = load_long(out, id_column=id_col)
        assert list(got) == ["a", "b", "c"] and list(got["b"].index) == steps and list(got["b"]) == list(values[1])
    ints = pd.DataFrame(values)  # a numpy (N, T) array as a frame: int column names, no id column
    with pytest.raises(DataError, match=r"columns '0'..'11' are its time steps .* df.rename_axis\('unique_id'\).reset_index\(\)"
                                        r".melt\(id_vars='unique_id', var_name='ds', value_name='y'\).to_csv\(path, index=False\); "):
        load_series(ints)
    got = load_long(ints.rename_axis("unique_id").reset_index().melt(id_vars="unique_id", var_name="ds", value_name="y"))
    assert list(got) == [0, 1, 2] and list(got[2]) == list(values[2])
    sensors = pd.DataFrame(values, columns=[f"sensor{i}" for i in range(1, 13)]).assign(date=days[:3])  # dates down the rows
    with pytest.raises(DataError, match="could hold the values") as e:
        load_series(sensors)
    assert "if each row is a series" not in str(e.value)


def test_long_format_functions_are_still_reachable_from_data():
    from seqcast import data, long
    from seqcast.data import load_long

    assert load_long is long.load_long and data.to_long is long.to_long and data.is_long is long.is_long
    with pytest.raises(AttributeError):
        data.no_such_name


def test_a_date_column_of_compact_numbers_is_read_as_dates(tmp_path):
    # 20200215: YYYYMMDD as a number, in a column named like dates. It was not taken for dates, and picking the
    # other column (--column sales), as the error suggested, dropped the dates in silence
    two = "date,sales\n" + "".join(f"202002{d:02d},{d}\n" for d in range(10, 20))
    three = "date,sales,other\n" + "".join(f"202002{d:02d},{d},{2 * d}\n" for d in range(10, 20))
    for s in (load_series(write(tmp_path, two)), load_series(write(tmp_path, three), column="sales")):
        assert s.index[0] == pd.Timestamp("2020-02-10") and s.index.freqstr == "D" and list(s)[:2] == [10, 11]
    frame = pd.DataFrame({"date": [20200131, 20200229, 20200331], "sales": [1.0, 2.0, 3.0]})
    assert load_series(frame).index.freqstr == "ME"
    # numbers that are not dates in a column named 'date': still refused, the hint naming date_column
    with pytest.raises(DataError, match=(
        r"^2 columns could hold the values; available columns: 0 'date', 1 'sales'; choose one with column= "
        r"\(CLI --column\); if column 'date' holds dates, pass date_column='date' \(CLI --date-column\)$"
    )):
        load_series(write(tmp_path, "date,sales\n" + "".join(f"{d},{d}\n" for d in range(3, 13))))


def test_numbers_that_are_not_consecutive_years_stay_numbers(tmp_path):
    gap = write(tmp_path, "year,a\n1700,5\n1701,6\n1703,7\n1704,8\n")
    with pytest.raises(DataError, match=(
        r"^2 columns could hold the values; available columns: 0 'year', 1 'a'; choose one with column= "
        r"\(CLI --column\); if column 'year' holds years, pass date_column='year' \(CLI --date-column\)$"
    )):
        load_series(gap)
    with pytest.raises(DataError, match=r"^1 date is missing at frequency 'YS-JAN': 1702-01-01; pass fill="):
        load_series(gap, date_column="year")
    assert list(load_series(gap, date_column="year", fill="ffill")) == [5, 6, 6, 7, 8]
    s = load_series(write(tmp_path, "2000\n2001\n2002\n", "one.csv"))  # one column: the values
    assert list(s) == [2000, 2001, 2002] and isinstance(s.index, pd.RangeIndex)
    s = load_series(write(tmp_path, "a,b\n1,10\n2,20\n3,30\n", "ab.csv"), column="b")
    assert isinstance(s.index, pd.RangeIndex)  # 1, 2, 3 are no years
    with pytest.raises(DataError, match=r"^2 columns could hold the values; .*\(CLI --column\)$"):
        load_series(write(tmp_path, "a,b\n1,10\n2,20\n3,30\n", "ab.csv"))


def test_day_first_dates(tmp_path):
    months = pd.date_range("1950-01-01", periods=24, freq="MS")
    path = write(tmp_path, "date,v\n" + "".join(f"{d:%d/%m/%Y},{i}\n" for i, d in enumerate(months)))
    assert path.read_text().splitlines()[1:3] == ["01/01/1950,0", "01/02/1950,1"]
    for s in (load_series(path), load_series(path, date_column="date")):
        assert s.index[1] == pd.Timestamp("1950-02-01") and s.index.freqstr == "MS" and len(s) == 24
    days = pd.date_range("2020-01-01", periods=40, freq="D")  # 13/01/2020 proves day-first
    s = load_series(write(tmp_path, "date,v\n" + "".join(f"{d:%d/%m/%Y},{i}\n" for i, d in enumerate(days))))
    assert s.index[12] == pd.Timestamp("2020-01-13") and s.index.freqstr == "D" and len(s) == 40
    s = load_series(write(tmp_path, "13/01/2020,1\n14/01/2020,2\n15/01/2020,3\n"))
    assert s.index[0] == pd.Timestamp("2020-01-13") and s.index.freqstr == "D"
    # month-first stays the reading when it fits
    s = load_series(write(tmp_path, "date,v\n" + "".join(f"{d:%m/%d/%Y},{i}\n" for i, d in enumerate(months))))
    assert s.index[1] == pd.Timestamp("1950-02-01") and s.index.freqstr == "MS"
    s = load_series(write(tmp_path, "date,v\n" + "".join(f"{d:%m/%d/%Y},{i}\n" for i, d in enumerate(days))))
    assert s.index[12] == pd.Timestamp("2020-01-13") and s.index.freqstr == "D"


def test_numeric_column_names(tmp_path):
    path = write(tmp_path, "date,1990,2000\n2020-01-01,1,10\n2020-01-02,2,20\n2020-01-03,3,30\n")
    for spec in ("2000", 2000, 2):
        s = load_series(path, column=spec)
        assert list(s) == [10, 20, 30] and s.name == "2000" and s.index.name == "date"
    assert list(load_series(path, column="1990")) == [1, 2, 3]
    names = r"available columns: 0 'date', 1 '1990', 2 '2000'"
    with pytest.raises(DataError, match=rf"^2 columns could hold the values; {names}"):
        load_series(path)
    s = load_series(write(tmp_path, "t,1990\n1,5\n2,6\n3,7\n", "n.csv"), column="1990")
    assert list(s) == [5, 6, 7]
    # a bad date in the first row is still an error, not a header
    with pytest.raises(DataError, match=r"^line 1: date '1949-0x' in column 0 cannot be parsed"):
        load_series(write(tmp_path, "1949-0x,1\n1949-02,2\n1949-03,3\n", "bad.csv"))


# --------------------------------------------------------------------------- #
# Other sources
# --------------------------------------------------------------------------- #


def test_dataframe_with_date_column():
    df = pd.DataFrame({"month": ["2020-01", "2020-02", "2020-03"], "sales": [1, 2, 3]})
    s = load_series(df)
    assert list(s) == [1.0, 2.0, 3.0] and s.name == "sales"
    assert s.index.freqstr == "MS"


def test_dataframe_with_datetime_index():
    idx = pd.date_range("2021-01-01", periods=4, freq="D")
    df = pd.DataFrame({"v": [1.0, 2.0, 3.0, 4.0]}, index=idx)
    s = load_series(df)
    assert s.index.equals(idx) and s.index.freqstr == "D"


def test_dataframe_column_choice():
    df = pd.DataFrame({"a": [1, 2, 3], "b": [4, 5, 6]})
    assert list(load_series(df, column="b")) == [4, 5, 6]
    assert list(load_series(df, column=0)) == [1, 2, 3]
    assert isinstance(load_series(df, column="a").index, pd.RangeIndex)


def test_series_with_datetime_index():
    idx = pd.date_range("2000-01-01", periods=5, freq="W-SUN")
    s = load_series(pd.Series([1, 2, 3, 4, 5], index=idx, name="x"))
    assert s.name == "x" and s.dtype == np.float64 and s.index.freqstr == "W-SUN"


def test_a_datetime_index_with_its_own_freq_is_read_at_that_freq():
    """Semi-month dates could not be inferred and trading days with holidays read as 'B' with gaps: both refused,
    with advice to pass freq=, which Forecaster.fit does not take, although the index stated its frequency."""
    from pandas.tseries.offsets import CustomBusinessDay

    trading = CustomBusinessDay(holidays=["2021-01-18", "2021-02-15"])
    for freq in ("SMS", trading):
        idx = pd.date_range("2021-01-04", periods=30, freq=freq)
        for source in (pd.Series(np.arange(30.0), index=idx), pd.DataFrame({"v": np.arange(30.0)}, index=idx)):
            if freq == "SMS":
                s = load_series(source)
                assert s.index.equals(idx) and s.index.freq == idx.freq
            else:  # a holiday calendar is saved by its name 'C', which has no holidays: its forecasts would fall on them
                with pytest.raises(DataError, match=r"^the index's frequency <CustomBusinessDay> cannot be saved with a model "
                                                    r"by its name 'C' .*\.asfreq\('B'\) with a fill"):
                    load_series(source)
        if freq == "SMS":  # no freq: semi-month dates are inferred too (test_semi_month_dates_are_inferred)
            assert load_series(pd.Series(np.arange(30.0), index=pd.DatetimeIndex(list(idx)))).index.freqstr == "SMS-15"
        else:
            with pytest.raises(DataError, match="dates are missing at frequency 'B'"):
                load_series(pd.Series(np.arange(30.0), index=pd.DatetimeIndex(list(idx))))  # no freq: as before
    weekly = pd.date_range("2021-01-04", periods=30, freq="14D")  # inference still wins where it fits (season 26)
    assert load_series(pd.Series(np.arange(30.0), index=weekly)).index.freqstr == "2W-MON"


def test_semi_month_dates_are_inferred(tmp_path):
    """Dates on the 1st and 15th (or the 15th and the month's end) were refused with advice to pass 'MS' or 'D'."""
    for freq, name in (("SMS", "SMS-15"), ("SME", "SME-15"), ("SMS-10", "SMS-10")):
        idx = pd.date_range("2023-11-15", periods=12, freq=freq)  # over Feb 29 2024
        s = load_series(write(tmp_path, "date,v\n" + "".join(f"{d:%Y-%m-%d},{i}\n" for i, d in enumerate(idx))))
        assert s.index.freqstr == name and s.index.equals(idx) and season_length(s.index.freq) == 24
    idx = pd.date_range("2024-01-01", periods=12, freq="SMS").delete(5)
    with pytest.raises(DataError, match=r"^1 date is missing at frequency 'SMS-15': 2024-03-15; pass fill="):
        load_series(write(tmp_path, "date,v\n" + "".join(f"{d:%Y-%m-%d},{i}\n" for i, d in enumerate(idx))))


def test_pyarrow_and_polars_objects_are_told_to_convert():
    pa = pytest.importorskip("pyarrow")
    table = pa.table({"ds": pd.date_range("2020-01-01", periods=4, freq="MS"), "y": [1.0, 2.0, 3.0, 4.0]})
    for obj, name in ((table, "Table"), (table["y"], "ChunkedArray")):
        with pytest.raises(DataError, match=rf"^cannot load a series from a {name}; .*; a pyarrow {name} converts with "
                                            r"\.to_pandas\(\)$"):
            load_series(obj)
        assert list(load_series(obj.to_pandas())) == [1.0, 2.0, 3.0, 4.0]  # as it says
    with pytest.raises(DataError, match=r"^cannot load a series from a set; .* a numpy array or a list$"):  # no such hint
        load_series({1.0, 2.0})


def test_a_categorical_index_of_dates_keeps_its_dates():
    """pd.read_parquet reads a dictionary column as categorical, and a groupby on it gives a CategoricalIndex: its dates
    were dropped without a word (the series indexed 0, 1, ..., its forecast dated 30, 31)."""
    days = pd.date_range("2020-01-01", periods=6, freq="D")
    frame = pd.DataFrame({"ds": pd.Categorical(list(days.strftime("%Y-%m-%d")) * 2), "y": np.arange(12.0)})
    s = load_series(frame.groupby("ds", observed=True)["y"].sum())
    assert list(s.index) == list(days) and s.index.freqstr == "D" and list(s) == [6.0, 8, 10, 12, 14, 16]
    assert list(load_series(frame.groupby("ds", observed=True).sum()).index) == list(days)  # a DataFrame's index too
    assert list(load_series(pd.Series([1.0, 2.0, 3.0], index=pd.CategoricalIndex(days[:3]))).index) == list(days[:3])
    steps = load_series(pd.Series([1.0, 2.0, 3.0], index=pd.CategoricalIndex([5, 6, 7])))
    assert steps.index.equals(pd.RangeIndex(5, 8))  # integer steps, as an int index gives


def test_an_index_of_pyarrow_dates_keeps_its_dates(tmp_path):
    """pd.read_parquet(path, dtype_backend='pyarrow').set_index('ds') gives an Index of pyarrow dates (no DatetimeIndex):
    its dates were dropped without a word, the series indexed 0, 1, ... (a date column of that type was read)."""
    pytest.importorskip("pyarrow")
    days = pd.date_range("2020-01-01", periods=4, freq="D", tz="Europe/Berlin")
    pd.DataFrame({"ds": days, "y": [1.0, 2.0, 3.0, 4.0]}).to_parquet(tmp_path / "a.parquet")
    frame = pd.read_parquet(tmp_path / "a.parquet", dtype_backend="pyarrow").set_index("ds")
    assert isinstance(frame.index.dtype, pd.ArrowDtype)
    for obj in (frame, frame["y"], frame.set_axis(frame.index.astype("date32[pyarrow]"))):
        s = load_series(obj)
        assert list(s.index.tz_localize(None)) == list(days.tz_localize(None)) and s.index.freqstr == "D"
    assert str(load_series(frame["y"]).index.tz) == "Europe/Berlin"


def test_series_with_period_index():
    idx = pd.period_range("2000-01", periods=4, freq="M")
    s = load_series(pd.Series([1.0, 2.0, 3.0, 4.0], index=idx))
    assert s.index[0] == pd.Timestamp("2000-01-01") and s.index.freqstr == "MS"
    assert s.name == "y"


def test_a_multiindex_is_many_series_and_refused():
    """A long frame indexed by (unique_id, ds) was read as one series: both series' values one after the other."""
    idx = pd.date_range("2000-01-01", periods=4, freq="MS")
    long = pd.DataFrame({"unique_id": ["a"] * 4 + ["b"] * 4, "ds": idx.append(idx), "y": np.arange(8.0)})
    for obj, what, call in ((long.set_index(["unique_id", "ds"]), "DataFrame", "df"),
                            (long.set_index(["unique_id", "ds"])["y"], "Series", "s.to_frame('y')")):
        with pytest.raises(DataError, match=rf"^the {what} has a MultiIndex \(unique_id, ds\), but one series needs one index .*"
                                            rf"in long format: seqcast.load_long\({re.escape(call)}\) reads them$"):
            load_series(obj)
    assert list(load_series(long.set_index(["unique_id", "ds"]).xs("b"))) == [4, 5, 6, 7]  # the advice works
    dated = pd.DataFrame({"date": idx, "y": np.arange(4.0)}, index=pd.MultiIndex.from_arrays([list("abcd"), range(4)]))
    assert list(load_series(dated).index) == list(idx)  # a date column: the index is not needed


def test_a_multiindex_of_other_names_is_told_the_load_long_call_that_reads_it():
    """sktime's (instances, timepoints) frames, and unnamed levels, were told ".reset_index() with columns unique_id, ds, y":
    the columns it gives are named otherwise. The message now gives the call that reads them, and that call runs."""
    from seqcast.long import load_long

    idx = pd.date_range("2000-01-01", periods=4, freq="MS")
    long = pd.DataFrame({"instances": ["a"] * 4 + ["b"] * 4, "timepoints": idx.append(idx), "var_0": np.arange(8.0)})
    sk = long.set_index(["instances", "timepoints"])
    unnamed = sk.rename_axis([None, None])
    for obj, call in ((sk, "df, id_column='instances', date_column='timepoints', value_column='var_0'"),
                      (sk["var_0"], "s.to_frame('y'), id_column='instances', date_column='timepoints'"),
                      (unnamed, "df.rename_axis(['unique_id', 'ds']), value_column='var_0'"),
                      (unnamed["var_0"], "s.to_frame('y').rename_axis(['unique_id', 'ds'])")):
        with pytest.raises(DataError, match=rf"in long format: seqcast.load_long\({re.escape(call)}\) reads them$") as e:
            load_series(obj)
        got = eval(str(e.value).split("seqcast.")[1].split(" reads them")[0], {"load_long": load_long, "df": obj, "s": obj})
        assert list(got) == ["a", "b"] and list(got["b"]) == [4.0, 5.0, 6.0, 7.0] and list(got["b"].index) == list(idx)
    with pytest.raises(DataError, match=r"MultiIndex \(instances, timepoints, None\), .*in long format: \.reset_index\(\) with "
                                        r"columns unique_id, ds, y$"):  # three levels: no recipe to give
        load_series(sk.set_index(np.arange(8), append=True))


def test_numpy_array_and_list():
    s = load_series(np.array([1, 2, 3]))
    assert list(s) == [1.0, 2.0, 3.0] and isinstance(s.index, pd.RangeIndex) and s.name == "y"
    s = load_series(np.array([[1.0], [2.0], [3.0]]))
    assert list(s) == [1.0, 2.0, 3.0]
    s = load_series([4, 5.5, "6"])
    assert list(s) == [4.0, 5.5, 6.0]


def test_a_jax_array_is_read_as_a_numpy_one():
    # it was refused: "cannot load a series from a ArrayImpl; pass ... a numpy array or a list"
    import jax.numpy as jnp

    assert load_series(jnp.array([1.0, 2.5, 3.0])).tolist() == [1.0, 2.5, 3.0]
    with pytest.raises(DataError, match=r"row 1: the value is missing"):
        load_series(jnp.array([1.0, jnp.nan, 3.0]))


def test_many_series_in_one_array_or_frame_are_refused_saying_how_to_pass_them():
    """(n_series, n_steps) arrays were told to pass arr[:, 0] (one value of each series), (n, T, 1) arrays only
    "a 1-D array", and a wide frame to use column=, which Forecaster.fit does not take."""
    grid = np.arange(24.0).reshape(2, 12)
    with pytest.raises(DataError, match=re.escape("the array has shape (2, 12), but a univariate series is 1-D; pass one row or "
                                                  "column (arr[0], arr[:, 0]), or many series, one per row, to Forecaster.fit "
                                                  "as a dict: dict(enumerate(arr))")):
        load_series(grid)
    with pytest.raises(DataError, match=re.escape("(shape (2, 12, 1)); pass a 1-D array of numbers, or many series, one per row, "
                                                  "to Forecaster.fit as a dict: dict(enumerate(arr[..., 0]))")):
        load_series(grid[..., None])
    with pytest.raises(DataError, match=r"dimensions \(shape \(2, 3, 4\)\); pass a 1-D array of numbers$"):
        load_series(np.zeros((2, 3, 4)))
    wide = pd.DataFrame(grid.T, columns=["a", "b"], index=pd.date_range("2000-01-01", periods=12, freq="MS"))
    with pytest.raises(DataError, match=re.escape("choose one with column= (CLI --column); or pass one column, df[name]; many series "
                                                  "go to Forecaster.fit as a dict (df.to_dict('series'): one per column) or in long")):
        load_series(wide)
    assert list(load_series(dict(enumerate(grid))[1])) == list(grid[1])  # the advice gives the rows
    assert list(load_series(wide.to_dict("series")["b"])) == list(grid[1])


# --------------------------------------------------------------------------- #
# Errors: files
# --------------------------------------------------------------------------- #


def test_missing_file(tmp_path):
    with pytest.raises(DataError, match=r"file '.*nope\.csv' not found; check the path"):
        load_series(tmp_path / "nope.csv")


def test_a_missing_file_named_like_a_builtin_dataset_says_how_to_load_it(tmp_path, monkeypatch):
    """`seqcast fit airline` works; Forecaster().fit("airline") only said the file was not found."""
    monkeypatch.chdir(tmp_path)
    with pytest.raises(DataError, match=re.escape("file 'airline' not found; check the path ('airline' is a built-in dataset: "
                                                  "seqcast.datasets.load('airline'))")):
        load_series("airline")
    assert len(load("airline")) == 144  # the advice works


def test_empty_file(tmp_path):
    with pytest.raises(DataError, match="is empty"):
        load_series(write(tmp_path, ""))


def test_header_only_file(tmp_path):
    with pytest.raises(DataError, match="no data rows"):
        load_series(write(tmp_path, "Month,Passengers\n"))


def test_directory(tmp_path):
    with pytest.raises(DataError, match="is a directory, not a file"):
        load_series(tmp_path)


def test_ragged_row(tmp_path):
    with pytest.raises(DataError, match=r"line 3 has 3 fields but line 1 has 2"):
        load_series(write(tmp_path, "1949-01,1\n1949-02,2\n1949-03,3,4\n"))


# --------------------------------------------------------------------------- #
# Errors: columns
# --------------------------------------------------------------------------- #


def test_unknown_column_name(tmp_path):
    path = write(tmp_path, "Month,Passengers\n" + MONTHLY)
    with pytest.raises(DataError, match=r"no column named 'sales'.*0 'Month', 1 'Passengers'"):
        load_series(path, column="sales")


def test_column_index_out_of_range(tmp_path):
    with pytest.raises(DataError, match=r"column index 5 is out of range.*2 columns"):
        load_series(write(tmp_path, MONTHLY), column=5)


def test_unknown_dataframe_column():
    with pytest.raises(DataError, match=r"no column named 'c'.*0 'a', 1 'b'"):
        load_series(pd.DataFrame({"a": [1, 2], "b": [3, 4]}), column="c")


def test_bad_column_type():
    with pytest.raises(ConfigError, match=r"`column` must be"):
        load_series(pd.DataFrame({"a": [1, 2]}), column=1.5)


# --------------------------------------------------------------------------- #
# Errors: values
# --------------------------------------------------------------------------- #


def test_non_numeric_value_csv_line(tmp_path):
    text = "Month,passengers\n1949-01,112\n1949-02,118\n1949-03,132\n1949-04,abc\n"
    with pytest.raises(DataError) as info:
        load_series(write(tmp_path, text))
    assert str(info.value) == (
        "line 5: value 'abc' in column 'passengers' is not a number; fix or remove that row"
    )


def test_non_numeric_value_csv_blank_lines_count(tmp_path):
    text = "Month,passengers\n\n1949-01,112\n1949-02,x\n"
    with pytest.raises(DataError, match="line 4: value 'x'"):
        load_series(write(tmp_path, text))


def test_underscores_are_not_digit_separators(tmp_path):
    # Python's float() reads '1_100' as 1100 (its code literal syntax); pandas.read_csv and spreadsheets read it as text
    text = "Month,v\n1949-01,112\n1949-02,1_100\n1949-03,132\n"
    with pytest.raises(DataError, match=r"^line 3: value '1_100' in column 'v' is not a number; fix or remove that row$"):
        load_series(write(tmp_path, text))
    with pytest.raises(DataError, match=r"^row 1: value '2_0' is not a number"):
        load_series(["1", "2_0", "3"])


def test_non_numeric_value_dataframe_row():
    df = pd.DataFrame({"v": [1, 2, "abc", 4]})
    with pytest.raises(DataError, match=r"row 2: value 'abc' in column 'v' is not a number"):
        load_series(df)


def test_decimal_and_fraction_values_are_numbers():
    import decimal
    import fractions

    s = pd.Series([decimal.Decimal("1.5"), decimal.Decimal("2"), fractions.Fraction(7, 2)], index=pd.date_range("2020-01", periods=3, freq="MS"))
    np.testing.assert_array_equal(load_series(s).to_numpy(), [1.5, 2.0, 3.5])
    with pytest.raises(DataError, match=r"row 1: value 'sNaN' is not a number"):
        load_series(pd.Series([decimal.Decimal(1), decimal.Decimal("sNaN")]))
    for huge in (10**400, fractions.Fraction(10**400)):
        with pytest.raises(DataError, match=r"^row 2: value '1000000000.*' is too large for a 64-bit float"):
            load_series(pd.Series([1, 2, huge], dtype=object))
    with pytest.raises(DataError, match=r"^row 2: value '1E\+400' is too large for a 64-bit float"):
        load_series(pd.Series([1, 2, decimal.Decimal("1e400")], dtype=object))


def test_non_numeric_value_array_row():
    with pytest.raises(DataError, match=r"row 1: value 'oops' is not a number"):
        load_series(np.array(["1", "oops", "3"]))


def test_a_float16_column_reads_without_numpy_warnings():
    # numpy's "RuntimeWarning: overflow encountered in cast" (two lines on stderr, the CLI's output too): a float16
    # column was compared with 20200215 in its own precision, to tell whether it held dates written as numbers
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert load_series(pd.DataFrame({"y": np.arange(8, dtype=np.float16)})).tolist() == list(range(8))


@pytest.mark.parametrize("wrap", [pd.Series, lambda v: pd.DataFrame({"y": v}), np.array])
def test_complex_values_are_refused_as_an_array_of_them_is(wrap):
    # a complex Series or DataFrame column was cast to float: its imaginary parts dropped, with numpy's ComplexWarning
    with pytest.raises(DataError, match=r"^row 0: value '\(1\+2j\)'.* is not a number; fix or remove that row$"):
        load_series(wrap(np.array([1 + 2j, 2, 3])))


def test_empty_cell_csv(tmp_path):
    with pytest.raises(DataError, match=r"line 3: the value in column 1 is missing.*fill='ffill'.*'interpolate'"):
        load_series(write(tmp_path, "1949-01,1\n1949-02,2\n1949-03,\n1949-04,4\n"))


def test_text_with_missing_cells_is_read_at_once_as_the_loop_reads_it(monkeypatch):
    # one empty cell sent every cell of a column through the loop (_is_missing, _number each): 600,000 values with 2000
    # empty ones took 0.65-0.89 s, a clean column 0.12-0.18 s
    from seqcast import data

    cells = ["1", "", " NA ", "nan", "NaT", "2.5", "None", "1e3", " 7 ", "N/A", "inf", "-0"]
    want = data._parse_values(cells, data._row_where, "")
    with monkeypatch.context() as m:
        m.setattr(data, "_is_missing", lambda cell: pytest.fail("the loop ran"))  # each cell read at once
        got = data._parse_values(cells, data._row_where, "")
    assert got.tobytes() == np.array([1, np.nan, np.nan, np.nan, np.nan, 2.5, np.nan, 1e3, 7, np.nan, np.inf, -0.0]).tobytes()
    assert got.tobytes() == want.tobytes()
    for odd, message in (("x", "row 2: value 'x' is not a number"), ("1_000", "row 2: value '1_000' is not a number"),
                         ("1,500", "row 2: value '1,500' could be 1.500 (a decimal comma) or 1500")):  # the loop still names the cell
        with pytest.raises(DataError, match=re.escape(message)):
            data._parse_values(["1", "", odd, "NA"], data._row_where, "")
    assert np.isnan(data._parse_values(["1", "", "-nan"], data._row_where, "")).tolist() == [False, True, True]  # (the loop's)


def test_empty_rows_at_the_ends_say_that_fill_drops_them(tmp_path):
    # a sheet whose last row is this month, not reported yet: "pass --fill or fix the data" did not say that --fill
    # would only drop it (nothing invented), nor that it was at the end
    with pytest.raises(DataError, match=r"^line 4: the value in column 1 is missing \(empty or NaN\), in a row after the last "
                                        r"value; delete such empty rows, or pass fill='ffill' .* which drops empty rows at the ends$"):
        load_series(write(tmp_path, "1949-01,1\n1949-02,2\n1949-03,3\n1949-04,\n"))
    with pytest.raises(DataError, match=r"^row 0: the value is missing \(empty or NaN\) \(2 missing values in all\), in a row before"):
        load_series(np.array([np.nan, np.nan, 3.0, 4.0]))
    with pytest.raises(DataError, match=r"^row 0: the value is missing .*; pass fill='ffill' or fill='interpolate' \(CLI --fill\), "
                                        r"or fix the data$"):  # one inside too: filling invents it, as before
        load_series(np.array([np.nan, 2.0, np.nan, 4.0]))
    assert load_series(write(tmp_path, "1949-01,1\n1949-02,2\n1949-03,3\n1949-04,\n"), fill="ffill").tolist() == [1.0, 2.0, 3.0]


def test_nan_in_array():
    with pytest.raises(DataError, match=r"row 1: the value is missing.*fill="):
        load_series(np.array([1.0, np.nan, 3.0]))


def test_masked_values_of_a_masked_array_are_missing():
    # np.asarray dropped the mask: the value under it (135.0 here) was read as data, filled or not
    m = np.ma.array([1.0, 135.0, 3.0, 4.0], mask=[0, 1, 0, 0])
    with pytest.raises(DataError, match=r"row 1: the value is missing.*fill="):
        load_series(m)
    s = load_series(m, fill="interpolate")
    assert s.tolist() == [1.0, 2.0, 3.0, 4.0] and s.attrs["filled"] == 1
    assert load_series(np.ma.array(["1", "x", "3"], mask=[0, 1, 0]), fill="ffill").tolist() == [1.0, 1.0, 3.0]
    assert load_series(np.ma.array([[1], [2], [3]])).tolist() == [1.0, 2.0, 3.0]  # no value masked: read as it is


def test_infinite_value(tmp_path):
    with pytest.raises(DataError, match=r"line 2: value inf in column 1 is infinite"):
        load_series(write(tmp_path, "1949-01,1\n1949-02,inf\n1949-03,3\n"))
    with pytest.raises(DataError, match=r"row 0: value -inf is infinite"):
        load_series(np.array([-np.inf, 1.0, 2.0]), fill="interpolate")


def test_values_too_large_to_square_are_refused(tmp_path):
    # 1e300 loaded, then overflowed: the standard scaler's variance (inf: every scaled value 0), linear AR's standard
    # deviation (NaN forecasts), squared errors (RMSE inf), each with a numpy RuntimeWarning
    with pytest.raises(DataError, match=r"^line 2: value -2e\+300 in column 1 \(and 1 more\) is beyond ±1e\+150, too large to compute "
                                        r"with: squares of values near 1e154 overflow 64-bit floats; express the data in larger units"):
        load_series(write(tmp_path, "1949-01,1\n1949-02,-2e300\n1949-03,3e151\n"))
    with pytest.raises(DataError, match=r"^row 1: value 1e\+200 is beyond"):
        load_series(np.array([1.0, 1e200, np.nan]), fill="interpolate")
    assert load_series(np.array([1e150, -1e150, 1e-300])).tolist() == [1e150, -1e150, 1e-300]  # the largest allowed, and tiny ones


def test_too_short():
    with pytest.raises(DataError, match="at least 2"):
        load_series([1.0])


def test_too_short_csv(tmp_path):
    with pytest.raises(DataError, match="holds 1 value, but a series needs at least 2"):
        load_series(write(tmp_path, "1949-01,112\n"))


def test_two_columns_array():
    with pytest.raises(DataError, match=r"shape \(3, 2\), but a univariate series is 1-D"):
        load_series(np.ones((3, 2)))


# --------------------------------------------------------------------------- #
# Errors: dates
# --------------------------------------------------------------------------- #


def test_unparseable_date(tmp_path):
    text = "Month,P\n1949-01,1\n1949-02,2\n1949-0x,3\n1949-04,4\n"
    with pytest.raises(DataError, match=r"line 4: date '1949-0x' in column 'Month' cannot be parsed"):
        load_series(write(tmp_path, text))


def test_spreadsheet_serial_dates_are_named_as_such(tmp_path):
    # a date column a spreadsheet saved as its day numbers (45000 is 2023-03-15) said only "cannot be parsed; write
    # every date in one format, e.g. 2020-01-31", as if the numbers were a typo
    serial = r"^line 2: date '45000' in column 'date' cannot be parsed \(a spreadsheet's day number\? format the column as dates"
    rows = "".join(f"{45000 + i},{i}\n" for i in range(20))
    with pytest.raises(DataError, match=serial):
        load_series(write(tmp_path, "date,sales\n" + rows), date_column="date")
    with pytest.raises(DataError, match=serial.replace("line 2", "row 0")):
        load_series(pd.DataFrame({"date": np.arange(45000.0, 45020.0), "y": np.arange(20.0)}), date_column="date")
    with pytest.raises(DataError, match=r"date '450000' in column 'date' cannot be parsed; write"):  # no such day number
        load_series(write(tmp_path, "date,sales\n" + rows.replace("45000,", "450000,")), date_column="date")


def test_a_totals_row_at_the_bottom_is_named_as_such(tmp_path):
    rows = "".join(f"2020-{m:02d}-01,{m}\n" for m in range(1, 13))
    with pytest.raises(DataError, match=r"^line 14: date 'Total' in column 'date' cannot be parsed .*, or remove that row \(a total"):
        load_series(write(tmp_path, "date,sales\n" + rows + "Total,78\n"))
    with pytest.raises(DataError, match=r"line 4: date '1949-0x' .*2020-01-31$"):  # a bad date inside: no such advice
        load_series(write(tmp_path, "Month,P\n1949-01,1\n1949-02,2\n1949-0x,3\n1949-04,4\n"))


def test_empty_date(tmp_path):
    with pytest.raises(DataError, match=r"line 3: the date in column 'Month' is empty"):
        load_series(write(tmp_path, "Month,P\n1949-01,1\n,2\n1949-03,3\n"), date_column="Month")


def test_duplicated_dates(tmp_path):
    text = "1949-01,1\n1949-02,2\n1949-02,3\n1949-03,4\n"
    with pytest.raises(DataError, match=r"line 3: date 1949-02-01 is duplicated \(also at line 2\)"):
        load_series(write(tmp_path, text))


def test_unsorted_dates(tmp_path):
    text = "1949-01,1\n1949-03,2\n1949-02,3\n1949-04,4\n"
    with pytest.raises(DataError, match=r"line 3: date 1949-02-01 is earlier.*1949-03-01.*sort"):
        load_series(write(tmp_path, text))


def test_gaps_listed(tmp_path):
    text = "1949-01,1\n1949-02,2\n1949-04,4\n1949-07,7\n1949-09,9\n1949-10,10\n1949-11,11\n"
    with pytest.raises(DataError) as info:
        load_series(write(tmp_path, text))
    msg = str(info.value)
    assert msg.startswith("4 dates are missing at frequency 'MS': 1949-03-01, 1949-05-01, 1949-06-01, ...")
    assert "fill='ffill'" in msg and "fill='interpolate'" in msg and "--fill" in msg
    assert "\n" not in msg


def test_gaps_in_series_index():
    idx = pd.date_range("2024-01-01", periods=10, freq="h").delete([4])
    with pytest.raises(DataError, match=r"1 date is missing at frequency 'h': 2024-01-01 04:00:00"):
        load_series(pd.Series(np.arange(9.0), index=idx))


def test_frequency_cannot_be_inferred(tmp_path):
    text = "2020-01-01,1\n2020-01-02,2\n2020-01-05,3\n2020-01-15,4\n2020-02-03,5\n"
    with pytest.raises(DataError, match=r"cannot infer the frequency.*freq=.*'MS'"):
        load_series(write(tmp_path, text))


def test_date_off_the_given_freq(tmp_path):
    with pytest.raises(DataError, match=r"line 1: date 1949-01-01 does not fall on the frequency 'ME'"):
        load_series(write(tmp_path, MONTHLY), freq="ME")


# --------------------------------------------------------------------------- #
# Options
# --------------------------------------------------------------------------- #


def test_bad_fill():
    with pytest.raises(ConfigError, match=r"`fill` must be one of 'none', 'ffill', 'interpolate'. Received: fill='zero'"):
        load_series([1.0, 2.0], fill="zero")


def test_bad_freq(tmp_path):
    with pytest.raises(ConfigError, match=r"`freq` must be a pandas frequency alias.*freq='xx'"):
        load_series(write(tmp_path, MONTHLY), freq="xx")


def test_given_freq_is_used(tmp_path):
    s = load_series(write(tmp_path, "2024-01-01,1\n2024-01-08,2\n"), freq="W-MON")
    assert s.index.freqstr == "W-MON" and len(s) == 2


def test_freq_without_dates():
    with pytest.raises(ConfigError, match="needs dates"):
        load_series([1.0, 2.0, 3.0], freq="D")


def test_header_bad_value(tmp_path):
    with pytest.raises(ConfigError, match="`header`"):
        load_series(write(tmp_path, MONTHLY), header="yes")


# --------------------------------------------------------------------------- #
# Filling
# --------------------------------------------------------------------------- #

GAP = "2020-01-01,1\n2020-01-02,3\n2020-01-04,7\n2020-01-05,9\n"  # 2020-01-03 missing


def test_fill_ffill_missing_date(tmp_path):
    s = load_series(write(tmp_path, GAP), fill="ffill")
    assert list(s) == [1.0, 3.0, 3.0, 7.0, 9.0]
    assert s.index[2] == pd.Timestamp("2020-01-03") and s.index.freqstr == "D"
    assert s.attrs["filled"] == 1


def test_fill_interpolate_missing_date(tmp_path):
    s = load_series(write(tmp_path, GAP), fill="interpolate")
    assert list(s) == [1.0, 3.0, 5.0, 7.0, 9.0]
    assert s.attrs["filled"] == 1


def test_fill_nan_value():
    s = load_series([2.0, np.nan, 8.0, 10.0, 12.0], fill="interpolate")
    assert list(s) == [2.0, 5.0, 8.0, 10.0, 12.0] and s.attrs["filled"] == 1
    s = load_series([2.0, np.nan, 8.0, 10.0, 12.0], fill="ffill")
    assert list(s) == [2.0, 2.0, 8.0, 10.0, 12.0] and s.attrs["filled"] == 1


def test_fill_counts_dates_and_nans(tmp_path):
    text = "2020-01-01,1\n2020-01-02,\n2020-01-04,7\n2020-01-05,9\n"
    s = load_series(write(tmp_path, text), fill="interpolate")
    assert list(s) == [1.0, 3.0, 5.0, 7.0, 9.0] and s.attrs["filled"] == 2


# --------------------------------------------------------------------------- #
# season_length and future_index
# --------------------------------------------------------------------------- #


@pytest.mark.parametrize(
    "freq, expected",
    [
        ("MS", 12), ("ME", 12), ("M", 12), ("QS", 4), ("QS-OCT", 4), ("QE", 4),
        ("W", 52), ("W-SUN", 52), ("D", 7), ("B", 5), ("h", 24), ("30min", 48),
        ("min", 60), ("YE-DEC", None), ("YS", None), (None, None), ("2W", 26),
        # multiples divide the period when they can, else None; one step per period is no season
        ("3MS", 4), ("5MS", None), ("12MS", None), ("7D", 52), ("-2MS", 6), ("WOM-1MON", 12),
        ("24h", 7), ("5min", 288),  # 24 hours are a day (a week's 7), 5-minutely the most steps in a day
        ("bh", 8), ("2bh", 4), ("3bh", None),  # business hours: a day's 8 (seasonal naive was naive's copy)
        (pd.offsets.BusinessHour(start="08:00", end="18:00"), 10), (pd.offsets.BusinessHour(start="08:30", end="12:00"), None),
    ],
)
def test_season_length(freq, expected):
    assert season_length(freq) == expected


def test_season_length_bad_alias():
    with pytest.raises(ConfigError):
        season_length("nonsense")
    with pytest.raises(ConfigError, match=r"Received: freq='bogus' \(Invalid frequency: bogus\)$"):  # as pandas 3 words it
        season_length("bogus")


def test_season_length_of_an_offset_warns_of_nothing():  # pandas 3 warned for isinstance(SemiMonthBegin(), pd.DateOffset)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert season_length(pd.offsets.SemiMonthBegin()) == 24 and season_length(pd.offsets.Day(7)) == 52


def test_future_index_monthly():
    s = airline()
    idx = future_index(s, 3)
    assert isinstance(idx, pd.DatetimeIndex) and idx.freqstr == "MS"
    assert list(idx) == [pd.Timestamp("1961-01-01"), pd.Timestamp("1961-02-01"), pd.Timestamp("1961-03-01")]


def test_future_index_range():
    s = load_series([1.0, 2.0, 3.0, 4.0])
    assert list(future_index(s, 2)) == [4, 5]


def test_future_index_of_other_indexes():
    two = pd.Series([1.0, 2.0], index=pd.date_range("2000-01-01", periods=2, freq="MS"))  # too few to infer: its own freq
    assert list(future_index(two, 2)) == [pd.Timestamp("2000-03-01"), pd.Timestamp("2000-04-01")]
    periods = pd.Series([1.0, 2.0, 3.0], index=pd.period_range("2000-01", periods=3, freq="M"))
    assert list(future_index(periods, 2)) == [pd.Period("2000-04", "M"), pd.Period("2000-05", "M")]
    assert list(future_index(pd.Series(np.ones(5), index=pd.RangeIndex(0, 10, 2)), 2)) == [10, 12]
    assert list(future_index(pd.Series(np.ones(3), index=pd.Index([5, 6, 7])), 2)) == [8, 9]


def test_future_index_is_in_nanoseconds_whatever_the_index_unit():  # pandas 3 keeps microseconds, past 2262
    s = pd.Series([1.0, 2.0, 3.0], index=pd.date_range("2262-01-01", periods=3, freq="MS", unit="us"))
    assert future_index(s, 1).dtype == "datetime64[ns]"
    with pytest.raises(ConfigError, match=r"`horizon` reaches past 2262-04-11"):
        future_index(s, 12)


def test_dates_in_any_unit_are_read_in_nanoseconds():  # pandas 3 reads dates in us, a Parquet file may hold s or ms
    for unit in ("s", "ms", "us"):
        idx = pd.date_range("2000-01-01", periods=4, freq="MS", unit=unit)
        s = load_series(pd.Series(np.arange(4.0), index=idx))
        assert s.index.dtype == "datetime64[ns]" and s.index.freqstr == "MS"
        long = load_long(pd.DataFrame({"unique_id": "a", "ds": idx, "y": np.arange(4.0)}))
        assert long["a"].index.dtype == "datetime64[ns]" and long["a"].index.freqstr == "MS"
    old = pd.date_range("1500-01-01", periods=4, freq="MS", unit="s")
    with pytest.raises(DataError, match=r"^row 0: date 1500-01-01 is outside 1677-09-21 .. 2262-04-11, the dates pandas "):
        load_series(pd.Series(np.arange(4.0), index=old))
    with pytest.raises(DataError, match=r"^row 0: date 1500-01-01 is outside 1677-09-21"):
        load_long(pd.DataFrame({"unique_id": "a", "ds": old, "y": np.arange(4.0)}))


@pytest.mark.parametrize("first, why", [("1500-01-01", "is outside 1677-09-21 .. 2262-04-11, the dates pandas holds in nanoseconds; "
                                                      "fix that date"),
                                        ("2300-01-01", "is outside 1677-09-21 .. 2262-04-11"),  # was "cannot be parsed; write
                                        ("Jan-15", "has no four-digit year")])  # every date in one format", as if not ISO
def test_text_dates_beyond_nanoseconds_are_not_read(tmp_path, first, why):  # pandas 3 reads them (Jan-15 as 0001-01-15)
    path = write(tmp_path, f"date,y\n{first},1\n2020-02-01,2\n2020-03-01,3\n")
    with pytest.raises(DataError, match=rf"^line 2: date '{first}' in column 'date' {why}"):
        load_series(path)
    with pytest.raises(DataError, match=rf"^row 0: date '{first}' in column 'date' {why}"):
        load_series(pd.read_csv(path, dtype=str))  # a DataFrame of text (pandas 3: str dtype)
    with pytest.raises(DataError, match=rf"^line 2: date '{first}' in column 'ds' {why}"):
        load_long(write(tmp_path, f"unique_id,ds,y\na,{first},1\na,2020-02-01,2\na,2020-03-01,3\n", "long.csv"))


def test_future_index_bad_horizon():
    # worded as every other `horizon` check (was "must be an int >= 1" and "must be >= 1")
    with pytest.raises(ConfigError, match=r"^`horizon` must be an integer >= 1\. Received: horizon=0$"):
        future_index(load_series([1.0, 2.0]), 0)
    with pytest.raises(ConfigError, match=r"^`horizon` must be an integer >= 1\. Received: horizon=2\.0$"):
        future_index(load_series([1.0, 2.0]), 2.0)


@pytest.mark.parametrize("series, message", [
    (pd.Series([], dtype=float, index=pd.DatetimeIndex([])), r"^the series is empty, so it has no end to forecast from; load data first$"),
    (pd.Series([1.0, 2.0, 3.0], index=pd.DatetimeIndex(["2020-01-01", "2020-01-02", "2020-01-09"])),  # no grid holds these
     r"^cannot tell the frequency of the series' dates, so the future dates are unknown; load it with load_series\(\.\.\., freq=\.\.\.\)"),
    (pd.Series([1.0, 2.0, 3.0], index=["a", "b", "c"]), r"^cannot extend an index of type Index; load the series with load_series\(\)"),
])
def test_future_index_of_a_series_it_cannot_extend(series, message):
    # coverage: these three refusals of the public future_index had no test
    with pytest.raises(DataError, match=message):
        future_index(series, 2)


@pytest.mark.parametrize("text, kw, error, message", [
    ("date,other,sales\n2020-01-01,2020-02-01,1\n2020-01-02,2020-02-02,2\n2020-01-03,2020-02-03,3\n", {}, DataError,
     r"^several columns look like dates \('date', 'other'\); choose one with date_column= \(CLI --date-column\)$"),
    ("date,sales\n2020-01-01,1\n2020-01-02,2\n", {"column": "sales", "date_column": "sales"}, ConfigError,
     r"^`column` and `date_column` name the same column\. Received: column='sales', date_column='sales'; choose two different ones$"),
    ("date\n2020-01-01\n2020-01-02\n2020-01-03\n", {}, DataError,
     r"^no column is left for the values once the dates are taken; available columns: 0 'date'; choose one with column= \(CLI --column\)$"),
    ('date,sales\n2020-01-01,"' + "x" * 200_000 + "\n", {}, DataError,  # csv's field size limit: csv.Error
     r"^file '.*data\.csv' is not valid CSV \(field larger than field limit \(131072\)\); fix the file$"),
    ("date,sales\n2020-01-01,1\n2020-02-01,2\n2020-03-01,3\n", {"freq": 3}, ConfigError,
     r"^`freq` must be a pandas frequency alias such as 'MS', 'D', 'h' or 'W-SUN'\. Received: freq=3$"),
    ("date,sales\n2020-01-01,1\n2020-02-01,2\n2020-03-01,3\n", {"freq": " "}, ConfigError, r"Received: freq=' '$"),
])
def test_csv_refusals_coverage_found_untested(tmp_path, text, kw, error, message):
    with pytest.raises(error, match=message):
        load_series(write(tmp_path, text), **kw)


def test_list_refusals_and_a_freq_given_as_an_offset(tmp_path):
    # coverage: these had no test; a pandas offset object as freq (not only its alias) is read as its alias
    with pytest.raises(ConfigError, match=r"^`column` applies only to CSV files and DataFrames, not to an array or list\. "
                                          r"Received: column='x'; leave it as None$"):
        load_series(np.arange(5.0), column="x")
    with pytest.raises(DataError, match=r"^cannot turn the list into an array \(setting an array element with a sequence.*\); "
                                        r"pass a flat list of numbers$"):
        load_series([[1.0, 2.0], [3.0]])
    path = write(tmp_path, "date,sales\n2020-01-01,1\n2020-03-01,3\n2020-04-01,4\n")  # a gap: the offset says the frequency
    assert load_series(path, freq=pd.offsets.MonthBegin(), fill="interpolate").index.freqstr == "MS"
    assert season_length("7min") is None and season_length("-1h") is None  # 7 divides no day, hour or minute; no step back


def test_monthly_dates_on_the_15th_say_how_to_write_them(tmp_path):
    text = "date,y\n" + "".join(f"1950-{m:02d}-15,{m}\n" for m in range(1, 13))
    path = write(tmp_path, text)
    with pytest.raises(DataError, match=r"fall on day 15 of every month.*write them as 1950-01 or 1950-01-01"):
        load_series(path)
    with pytest.raises(DataError, match=r"does not fall on the frequency 'MS'; the dates fall on day 15"):
        load_series(path, freq="MS")
    fixed = write(tmp_path, text.replace("-15,", ","), "fixed.csv")  # as the message says: 1950-01
    assert load_series(fixed).index.freqstr == "MS"


def test_a_consecutive_integer_column_is_years_only_when_named_like_dates(tmp_path):
    rows = "".join(f"{50 + i * 1.5},{1990 + i}\n" for i in range(21))
    with pytest.raises(DataError, match=r"2 columns could hold the values.*pass date_column='count'"):
        load_series(write(tmp_path, "value,count\n" + rows))  # a count that happens to be 1990..2010
    s = load_series(write(tmp_path, "value,Year\n" + rows, "named.csv"))
    assert s.index[0] == pd.Timestamp("1990-01-01") and s.index.freqstr == "YS-JAN"


def test_separator_detection_respects_quotes_and_prefers_tab_over_comma(tmp_path):
    note = "".join(f'{1871 + i}-01-01,{1000 + i}.0,"flood; high"\n' for i in range(5))
    s = load_series(write(tmp_path, note), column=1)  # no header; a ';' inside quotes on every line
    assert list(s.to_numpy()) == [1000.0, 1001.0, 1002.0, 1003.0, 1004.0]
    tab = "".join(f"{1871 + i}-01-01\t{1000 + i},5\n" for i in range(5))
    assert list(load_series(write(tmp_path, tab, "tab.csv")).to_numpy()) == [1000.5, 1001.5, 1002.5, 1003.5, 1004.5]


def test_thousands_separators_in_a_tab_file_are_refused_not_read_as_decimals(tmp_path):
    text = "date\tvolume\n1871-01-01\t1,120\n1872-01-01\t1,160\n1873-01-01\t963\n"
    with pytest.raises(DataError, match="'1,120' in column 'volume' could be 1.120 \\(a decimal comma\\) or 1120 \\(a thousands "
                                        "separator\\); write it 1120 \\(or 1.120\\), or show the decimals of a value of "
                                        "the column, e.g. 1,120.00$"):
        load_series(write(tmp_path, text))
    text = "date;y\n2015-01-01;100,000\n2015-02-01;104,707\n2015-03-01;104,700\n"  # pandas 3 read the values as dates
    with pytest.raises(DataError, match="line 2: value '100,000' in column 'y' could be 100.000"):
        load_series(write(tmp_path, text, "semi.csv"))


def test_three_decimals_after_a_comma_are_decimals_where_the_column_shows_decimal_commas(tmp_path):
    s = load_series(write(tmp_path, "date;y\n2015-01-01;100,0\n2015-02-01;105,207\n2015-03-01;1234,567\n"))
    assert list(s) == [100.0, 105.207, 1234.567]  # '100,0' and '1234,567' can only be decimal commas
    long = load_long(write(tmp_path, "unique_id\tds\ty\na\t2015-01-01\t100,5\na\t2015-02-01\t105,207\n"
                                     "a\t2015-03-01\t104,000\n", "long.tsv"))
    assert list(long["a"]) == [100.5, 105.207, 104.0]
    with pytest.raises(DataError, match="'1,234,567' in column 'y' is not a number"):  # two groups: never a decimal
        load_series(write(tmp_path, "date;y\n2015-01-01;100,5\n2015-02-01;1,234,567\n2015-03-01;3\n"))


def test_an_explicit_freq_that_leaves_most_dates_missing_names_the_one_that_fits(tmp_path):
    path = write(tmp_path, MONTHLY)
    with pytest.raises(DataError, match=r"more than the \d+ present, and the dates fit 'MS': pass freq='MS'"):
        load_series(path, freq="D")


def test_a_timestamp_a_century_off_is_one_clear_error_not_a_grid_of_billions(tmp_path):
    # every second from 2020 to 2120 was built (MemoryError, 23.5 GiB), while inferring the frequency or checking the gaps
    text = "date,y\n" + "".join(f"2020-01-01 00:00:{i:02d},{i}\n" for i in range(10)) + "2120-01-01 00:00:00,5\n"
    path = write(tmp_path, text)
    with pytest.raises(DataError, match=r"^cannot infer the frequency of the dates"):
        load_series(path)
    for fill in ("none", "ffill"):
        with pytest.raises(DataError, match=r"run from 2020-01-01 to 2120-01-01: 3155673601 steps of 's' for 11 values, too many "
                                            r"to fill or list the gaps; check the dates for a wrong one \(a typo\?\)"):
            load_series(path, freq="s", fill=fill)
    long = "unique_id,ds,y\n" + "".join(f"{u},2020-01-01 00:00:{i:02d},{i}\n" for u in "ab" for i in range(10))
    with pytest.raises(DataError, match=r"^series 'b': the dates in file .* run from 2020-01-01 to 2120-01-01"):
        load_long(write(tmp_path, long + "b,2120-01-01 00:00:00,5\n", "long.csv"))
    hourly = load_series(write(tmp_path, "date,y\n2020-01-01,1\n2020-02-01,2\n2020-03-01,3\n", "m.csv"), freq="h", fill="ffill")
    assert len(hourly) == 1441  # filling a few hundred steps per value is still done when asked


def test_a_separator_ending_every_line_adds_no_column(tmp_path):
    s = load_series(write(tmp_path, "date;volume;\n" + "".join(f"{1871 + i}-01-01;{1000 + i};\n" for i in range(5))))
    assert list(s) == [1000.0, 1001.0, 1002.0, 1003.0, 1004.0] and s.index.freqstr == "YS-JAN"


def test_ambiguous_slash_dates_are_refused_unless_the_frequency_chooses(tmp_path):
    path = write(tmp_path, "date,v\n" + "".join(f"{d:02d}/01/2020,{d}\n" for d in range(1, 11)))  # dd/mm or mm/dd?
    with pytest.raises(DataError, match=r"ambiguous: 2020-01-01, 2020-02-01, \.\.\. month-first \(MS\) or "
                                        r"2020-01-01, 2020-01-02, \.\.\. day-first \(D\); pass the frequency"):
        load_series(path)
    assert list(load_series(path, freq="D").index) == list(pd.date_range("2020-01-01", periods=10, freq="D"))
    assert list(load_series(path, freq="MS").index) == list(pd.date_range("2020-01-01", periods=10, freq="MS"))


def test_ambiguous_slash_dates_in_a_dataframe_are_refused_unless_the_frequency_chooses():
    frame = pd.DataFrame({"date": [f"{d:02d}/01/2020" for d in range(1, 11)], "v": np.arange(10.0)})  # as a CSV file reads
    with pytest.raises(DataError, match=r"ambiguous: .* month-first \(MS\) or .* day-first \(D\); pass the frequency"):
        load_series(frame)
    assert list(load_series(frame, freq="D").index) == list(pd.date_range("2020-01-01", periods=10, freq="D"))
    assert list(load_series(frame.set_index("date"), freq="MS").index) == list(pd.date_range("2020-01-01", periods=10, freq="MS"))


def test_an_excel_sep_line_is_skipped(tmp_path):
    text = "sep=;\ndate;volume\n" + "".join(f"{1871 + i}-01-01;{1000 + i},5\n" for i in range(4))
    s = load_series(write(tmp_path, text))
    assert s.name == "volume" and list(s) == [1000.5, 1001.5, 1002.5, 1003.5]
    with pytest.raises(DataError, match="^line 4: "):  # line numbers still count the sep= line
        load_series(write(tmp_path, text.replace("1001,5", "x"), "bad.csv"))


def test_python_date_objects_are_dates_in_an_index_and_in_a_column():
    import datetime as dt

    days = [dt.date(2020, 1, 1) + dt.timedelta(days=i) for i in range(40)]
    v = np.arange(40.0)
    s = load_series(pd.Series(v, index=days))
    assert s.index.freqstr == "D" and s.index[0] == pd.Timestamp("2020-01-01")
    s = load_series(pd.DataFrame({"day": [dt.datetime(2020, 1, 1) + dt.timedelta(hours=i) for i in range(40)], "y": v}))
    assert s.index.freqstr == "h"


def test_an_integer_index_keeps_its_steps_and_must_count_up_by_one():
    v = np.arange(40.0)
    s = load_series(pd.Series(v, index=range(100, 140)))
    assert list(s.index[[0, -1]]) == [100, 139] and list(future_index(s, 2)) == [140, 141]
    shuffled = pd.Series(v, index=range(40)).sample(frac=1, random_state=0)
    with pytest.raises(DataError, match=r"an integer index must count up by 1: sort it \(series.sort_index\(\)\)"):
        load_series(shuffled)
    assert list(load_series(shuffled.sort_index())) == list(v)
    with pytest.raises(DataError, match="index 5 is not the step after 3"):
        load_series(pd.Series([1.0, 2.0, 3.0], index=[2, 3, 5]))


def test_a_whole_number_float_index_keeps_its_steps_as_an_integer_one_does():
    """Years as floats (1950.0, ...: a year column that held a NaN once) became positions 0..n-1, so forecasts
    were labelled 30, 31, ... instead of 1980, 1981, ..., and a shuffled float index trained on the rows as
    they came. A long file's whole-float ds column was already read as integer steps."""
    v = np.arange(30.0)
    s = load_series(pd.Series(v, index=np.arange(1950.0, 1980.0)))
    assert isinstance(s.index, pd.RangeIndex) and list(s.index[[0, -1]]) == [1950, 1979]
    assert list(future_index(s, 2)) == [1980, 1981]
    with pytest.raises(DataError, match="an integer index must count up by 1"):
        load_series(pd.Series(v, index=np.arange(1950.0, 1980.0)).sample(frac=1, random_state=0))
    assert list(load_series(pd.Series(v, index=np.arange(30) * 0.5)).index[[0, -1]]) == [0, 29]  # not steps: positions


def test_a_dataframes_integer_index_holds_steps_as_a_series_one_does():
    """A frame indexed by years newest first (read_csv(index_col="year") of such a file) was read in row
    order at positions 0..n-1: trained on the reversed series, forecasting 30, 31, ... after the oldest
    year. Its Series was refused with the reason. An integer index is now steps for both."""
    v = np.arange(30.0)
    s = load_series(pd.DataFrame({"y": v}, index=pd.Index(range(1950, 1980), name="year")))
    assert list(s.index[[0, -1]]) == [1950, 1979] and list(future_index(s, 2)) == [1980, 1981]
    with pytest.raises(DataError, match=r"row 1: index 1978 comes before or repeats 1979 \(row 0\); an integer index must "
                                        r"count up by 1: sort it \(df\.sort_index\(\)\).*df\.reset_index\(drop=True\)"):
        load_series(pd.DataFrame({"y": v}, index=range(1979, 1949, -1)))
    frame = pd.DataFrame({"y": v})
    assert list(load_series(frame).index[[0, -1]]) == [0, 29]  # the default index: positions, as before
    assert list(load_series(frame.iloc[5:]).index[[0, -1]]) == list(load_series(frame["y"].iloc[5:]).index[[0, -1]]) == [5, 29]
    dated = pd.DataFrame({"date": pd.date_range("2020-01-01", periods=30, freq="MS"), "y": v}, index=range(29, -1, -1))
    assert load_series(dated).index[0] == pd.Timestamp("2020-01-01")  # a date column: the index is not read


def test_a_column_named_like_dates_that_does_not_parse_is_not_dropped(tmp_path):
    """Excel's 'Jan-15' in a 'Date' column: refused with the value that fails, with or without column=,
    instead of a series without dates (no season, forecasts at positions 60, 61, ...)."""
    path = write(tmp_path, "Date,Sales\nJan-15,100\nFeb-15,101\nMar-15,102\n")
    for kw in ({"column": "Sales"}, {}):
        with pytest.raises(DataError, match=r"^line 2: date 'Jan-15' in column 'Date' has no four-digit year \(1915 or 2015\?\)"):
            load_series(path, **kw)
    numbered = write(tmp_path, "time,sales\n3,100\n7,101\n9,102\n", "n.csv")  # numbers named 'time': not dates
    assert list(load_series(numbered, column="sales")) == [100.0, 101.0, 102.0]


def test_a_file_that_is_not_utf8_says_where_and_how_to_save_it(tmp_path):
    """Bug: every file that is not UTF-8 got 'is not UTF-8 text' alone: an Excel 'Unicode Text' export (UTF-16, which
    its user takes for Unicode) no different from one Latin-1 line appended to a long UTF-8 file, which had no line."""
    utf16 = tmp_path / "unicode.txt"
    utf16.write_bytes("date\ty\n2015-01-01\t1\n2015-02-01\t2,5\n".encode("utf-16")[:-1])  # Excel's, cut short
    with pytest.raises(DataError, match=r"^file '.*unicode.txt' is not valid UTF-16 text \(Excel's 'Unicode Text'\); save it as UTF-8"):
        load_series(utf16)
    mixed = tmp_path / "mixed.csv"
    mixed.write_bytes("date,Umsatz €\n2015-01-01,1\n".encode() + "2015-02-01,2 \xe9\n".encode("latin-1"))
    for loader in (load_series, load_long):
        with pytest.raises(DataError, match=r"^file '.*mixed.csv' is not UTF-8 text: line 3 \('2015-02-01,2 \ufffd'\) holds "
                                            r"the byte 0xe9 .*; save it as UTF-8 \(in Excel: CSV UTF-8\) or pass its encoding, "
                                            r"encoding= \(CLI --encoding\): cp949 for Korean Excel, cp1252 for Western Windows, "
                                            r"cp932 for Japanese$"):
            loader(mixed)


def test_files_joined_with_cat_keep_no_byte_order_mark(tmp_path):
    """Bug: `cat 2015.csv 2016.csv > all.csv` of two Excel 'CSV UTF-8' files put the second one's BOM (U+FEFF, invisible)
    before its first line: "line 14: date '\\ufeff2016-01-01' ... cannot be parsed; write every date in one format"."""
    first = "date,y\n" + "".join(f"2015-{m:02d}-01,{m}\n" for m in range(1, 13))
    second = "".join(f"2016-{m:02d}-01,{m + 12}\n" for m in range(1, 13))
    path = tmp_path / "all.csv"
    path.write_bytes(b"\xef\xbb\xbf" + first.encode() + b"\xef\xbb\xbf" + second.encode())
    s = load_series(path)
    assert list(s) == list(range(1, 25)) and str(s.index[12].date()) == "2016-01-01"


def test_a_parquet_file_named_like_text_is_named_as_parquet(tmp_path):
    """Review: a Parquet file named data.txt (or .csv) said "is not UTF-8 text: line 1 ('PAR1\\x15...') holds the byte 0xc8
    (an encoding such as Latin-1 ...); save it as UTF-8"; a CSV whose header starts PAR1 is still read."""
    path = tmp_path / "data.txt"
    pd.DataFrame({"ds": pd.date_range("2015-01-01", periods=5, freq="MS"), "y": np.arange(5.0)}).to_parquet(path)
    with pytest.raises(DataError, match=r"^file '.*data.txt' is a Parquet file; name it .parquet to read it as one$"):
        load_series(path)
    path.write_text("PAR1,y\n1,2\n3,4\n")
    assert list(load_series(path, column="y")) == [2.0, 4.0]


def test_a_parquet_file_too_large_for_memory_is_not_called_unreadable(tmp_path, monkeypatch):
    # pyarrow's ArrowMemoryError (a MemoryError) reading a file larger than RAM was "file '...' cannot be read as Parquet
    # (malloc ... failed); check that it is a Parquet file, or save it as CSV": neither helps
    import pyarrow as pa

    pq = tmp_path / "big.parquet"
    pd.DataFrame({"y": np.arange(5.0)}).to_parquet(pq)

    def full(*args, **kwargs):
        raise pa.lib.ArrowMemoryError("malloc of size 68719476736 failed")

    monkeypatch.setattr(pd, "read_parquet", full)
    with pytest.raises(MemoryError, match="malloc of size") as e:
        load_series(pq)
    assert not isinstance(e.value, DataError)


def _oom_reading_columns(monkeypatch):
    """data._read_text_dates runs out of memory on a column (more than one cell); the calls it was asked, by size."""
    from seqcast import data

    real, calls = data._read_text_dates, []

    def full(cells, *args, **kwargs):
        calls.append(len(cells))
        if len(cells) > 1:
            raise MemoryError("Unable to allocate 9.1 TiB")
        return real(cells, *args, **kwargs)

    monkeypatch.setattr(data, "_read_text_dates", full)
    return calls


def test_dates_too_many_for_memory_are_not_called_no_dates(tmp_path, monkeypatch):
    # a MemoryError reading a column's dates made it "not dates": "2 columns could hold the values; ... choose one with
    # column= (CLI --column)", which would not help
    path = tmp_path / "d.csv"
    path.write_text("when,sales\n" + "".join(f"2020-01-{d:02d},{d}\n" for d in range(1, 29)))
    _oom_reading_columns(monkeypatch)
    with pytest.raises(MemoryError, match="9.1 TiB") as e:
        load_series(path)
    assert not isinstance(e.value, DataError)


def test_dates_that_run_out_of_memory_are_not_called_unparseable(tmp_path, monkeypatch):
    # a MemoryError parsing the date column named was "the dates in column 'date' cannot be parsed (Unable to allocate
    # ...); write them all in one format", and for a CSV file all rows were parsed again (more memory) for that message
    path = tmp_path / "d.csv"
    path.write_text("date,y\n" + "".join(f"2020-01-{d:02d},{d}\n" for d in range(1, 29)))
    frame = pd.read_csv(path)
    for data, kwargs in [(frame, {}), (path, {"column": "y"})]:
        calls = _oom_reading_columns(monkeypatch)
        with pytest.raises(MemoryError, match="9.1 TiB") as e:
            load_series(data, date_column="date", **kwargs)
        assert not isinstance(e.value, DataError)
        assert [n for n in calls if n > 1] == [28]  # read once, not again row by row


def test_compressed_files_and_one_series_parquet(tmp_path):
    import gzip

    gz = tmp_path / "data.csv.gz"
    gz.write_bytes(gzip.compress(b"date,y\n2015-01-01,1\n"))
    with pytest.raises(DataError, match=r"is gzip-compressed; decompress it first"):
        load_series(gz)
    xlsx = tmp_path / "book.xlsx"
    xlsx.write_bytes(b"PK\x03\x04rest of a zip")
    with pytest.raises(DataError, match=r"is a ZIP archive \(an Excel .xlsx workbook\?\); save the sheet as CSV"):
        load_series(xlsx)
    pq = tmp_path / "one.parquet"
    pd.DataFrame({"ds": pd.date_range("2015-01-01", periods=5, freq="MS"), "y": np.arange(5.0)}).to_parquet(pq)
    s = load_series(pq)
    assert list(s) == [0.0, 1.0, 2.0, 3.0, 4.0] and s.index.freqstr == "MS"
    # a row index stored after a dropna (0, 2, 3) is no time, and the command line cannot name it: rows as in a CSV
    pd.DataFrame({"y": [1.0, np.nan, 2.0, 3.0]}).dropna().to_parquet(pq)
    assert list(load_series(pq).index) == [0, 1, 2]
    # two number columns: the command line's --column, not a DataFrame's Python advice (df[name], Forecaster.fit)
    pd.DataFrame({"a": np.arange(3.0), "b": np.arange(3.0)}).to_parquet(pq)
    with pytest.raises(DataError, match=r"could hold the values; .*choose one with column= \(CLI --column\)$"):
        load_series(pq)
    bad = tmp_path / "bad.parquet"
    bad.write_bytes(b"PAR1garbage\nxx")
    with pytest.raises(DataError, match=r"cannot be read as Parquet"):
        load_series(bad)


def test_column_names_reads_the_header_only(tmp_path):
    """predict --data reads new data by the fitted data's column names where the file has them."""
    assert column_names(write(tmp_path, "sep=;\n\nday ; units;price\n2020-01-01;1,5;2\n")) == ["day", "units", "price"]
    pq = tmp_path / "one.parquet"
    frame = pd.DataFrame({"units": np.arange(3.0)}, index=pd.date_range("2020-01-01", periods=3, freq="MS", name="day"))
    frame.to_parquet(pq)
    assert column_names(pq) == ["units"]  # the stored index is no column load_series could be told to take
    assert column_names(pq, index=True) == ["units", "day"]  # load_long's levels, read as columns
    frame.reset_index().to_parquet(pq)
    assert column_names(pq) == ["day", "units"]
    for nothing in (tmp_path / "missing.csv", tmp_path, "airline", pd.DataFrame({"a": [1]})):
        assert column_names(nothing) == []


def test_column_names_lets_out_of_memory_through(tmp_path, monkeypatch):
    # a MemoryError reading the header was [] ("unreadable"): predict --data then read the file without the fitted
    # data's column names, and said something else about it
    import pyarrow.parquet

    from seqcast import data

    def full(*args, **kwargs):
        raise MemoryError("Unable to allocate 9.1 TiB")

    pq = tmp_path / "one.parquet"
    pd.DataFrame({"units": np.arange(3.0)}).to_parquet(pq)
    monkeypatch.setattr(data, "_csv_reader", full)
    monkeypatch.setattr(pyarrow.parquet, "read_schema", full)
    for path in (write(tmp_path, "day,units\n2020-01-01,1\n"), pq):
        with pytest.raises(MemoryError, match="9.1 TiB"):
            column_names(path)


def test_a_free_text_column_named_like_time_beside_others_stays_out_of_the_way(tmp_path):
    path = write(tmp_path, "id,sales,update_time\n1,100,n/a\n2,101,later\n3,102,?\n")
    assert list(load_series(path, column="sales")) == [100.0, 101.0, 102.0]  # 3 columns, not a date name: no dates
    path = write(tmp_path, "id,sales,Date\n1,100,Jan-15\n2,101,Feb-15\n3,102,Mar-15\n", "d.csv")
    with pytest.raises(DataError, match=r"date 'Jan-15' in column 'Date' has no four-digit year \(1915 or 2015\?\)"):
        load_series(path, column="sales")


def test_a_month_column_that_does_not_parse_is_refused(tmp_path):
    for text in ("Month,Sales\nJan-15,100\nFeb-15,101\nMar-15,102\n", "id,Sales,Month\n1,100,Jan-15\n2,101,Feb-15\n3,102,Mar-15\n"):
        with pytest.raises(DataError, match=r"date 'Jan-15' in column 'Month' has no four-digit year"):
            load_series(write(tmp_path, text), column="Sales")


@pytest.mark.parametrize("fill", [np.array([]), np.array(["ffill", "none"]), pd.Series(["ffill"])])
def test_a_fill_given_as_an_array_is_a_config_error(fill):
    with pytest.raises(ConfigError, match="`fill` must be one of"):
        load_series(pd.Series([1.0, 2.0, 3.0]), fill=fill)


def _dated(dates, **kw):
    return load_series(pd.Series(np.arange(len(dates), dtype=float), index=pd.DatetimeIndex(dates)), **kw)


def test_two_dates_are_too_few_to_infer_a_frequency():
    with pytest.raises(DataError, match="cannot infer the frequency of the dates"):
        _dated(["2020-01-01", "2020-02-01"])  # month starts, or 31 days?
    assert _dated(["2020-01-01", "2020-02-01"], freq="MS").index.freqstr == "MS"


def test_a_frequency_may_leave_as_many_dates_missing_as_there_are_not_more():
    # Saturday 4, Sunday 5, Monday 6, then 11 (8 days, 4 missing, 2n) or 13 (10 days, 6 missing: not inferred)
    s = _dated(["2020-01-04", "2020-01-05", "2020-01-06", "2020-01-11"], fill="ffill")
    assert s.index.freqstr == "D" and list(s) == [0, 1, 2, 2, 2, 2, 2, 3]
    with pytest.raises(DataError, match="cannot infer the frequency"):
        _dated(["2020-01-04", "2020-01-05", "2020-01-06", "2020-01-13"], fill="ffill")
    # the same for a calendar frequency: January, February, then June (6 months, 3 missing) or July (4 missing)
    s = _dated(["2020-01-01", "2020-02-01", "2020-06-01"], fill="ffill")
    assert s.index.freqstr == "MS" and list(s) == [0, 1, 1, 1, 1, 2]
    with pytest.raises(DataError, match="cannot infer the frequency"):
        _dated(["2020-01-01", "2020-02-01", "2020-07-01"], fill="ffill")


@pytest.mark.parametrize("dates, freq", [
    (["2000-01-01", "2000-04-01", "2000-10-01"], "QS-JAN"),  # quarters from January, July missing
    (["2020-01-01", "2020-01-08", "2020-01-22"], "W-WED"),  # Wednesdays, not bare 7-day steps
    (["2000-07-01", "2001-07-01", "2003-07-01"], "YS-JUL"),  # years from July 1, not 365 days
    (["2001-01-01", "2001-01-02", "2001-01-04"], "B"),  # Monday, Tuesday, Thursday: business days, not days
])
def test_a_short_series_with_a_gap_gets_its_calendar_frequency(dates, freq):
    s = _dated(dates, fill="ffill")
    assert s.index.freqstr == freq and list(s) == [0, 1, 1, 2]


def test_fill_drops_empty_rows_at_the_ends_instead_of_inventing_them():
    # fill carried the last value on over a sheet's months still to come (forecasts dated from the last empty row)
    # and back-filled the first value over rows before it
    s = load_series([np.nan, 2.0, np.nan, 4.0, np.nan, np.nan], fill="interpolate")
    assert s.tolist() == [2.0, 3.0, 4.0] and list(s.index) == [1, 2, 3]
    assert (s.attrs["filled"], s.attrs["dropped"]) == (1, 3)
    dated = pd.Series([np.nan, 1.0, np.nan, 3.0, np.nan], index=pd.date_range("2020-01-01", periods=5, freq="MS"))
    s = load_series(dated, fill="ffill")
    assert s.tolist() == [1.0, 1.0, 3.0] and list(s.index.strftime("%Y-%m")) == ["2020-02", "2020-03", "2020-04"]
    assert s.index.freqstr == "MS" and (s.attrs["filled"], s.attrs["dropped"]) == (1, 2)
    assert load_series([1.0, 2.0], fill="ffill").attrs["dropped"] == 0
    with pytest.raises(DataError, match="holds only 1 number among 2 rows, but a series needs at least 2"):
        load_series([np.nan, 5.0], fill="ffill")


def test_a_grid_is_too_long_past_100_points_a_value_and_past_ten_million():
    from seqcast.data import _grid_too_long

    assert not _grid_too_long(10**7, 10) and _grid_too_long(10**7 + 1, 10)
    assert not _grid_too_long(2 * 10**7, 300_000) and _grid_too_long(3 * 10**7 + 1, 300_000)  # 100 points a value


@pytest.mark.parametrize("freq, name", [("QS", "QS-JAN"), ("QS-FEB", "QS-FEB"), ("QS-MAR", "QS-MAR"), ("BQS", "BQS-JAN"), ("2QS", "2QS-JAN")])
def test_calendar_quarters_are_named_as_pandas_writes_them(freq, name):
    # quarters starting in January read 'QS-OCT' (pandas' infer_freq names the cycle's last month) in messages,
    # run.json and model.json, where pandas' own 'QS' is 'QS-JAN'
    idx = pd.date_range("2000-01-01", periods=12, freq=freq)
    s = load_series(pd.Series(np.arange(12.0), index=pd.DatetimeIndex(list(idx))))  # no freq: inferred
    assert s.index.freqstr == name and s.index.equals(idx)


def test_a_year_column_beside_several_value_columns_is_the_dates_once_column_is_chosen(tmp_path):
    # year,sales,cost with column='sales' forecast positions 0, 1, ... (the years dropped in silence); year,sales had dates
    path = tmp_path / "y.csv"
    path.write_text("year,sales,cost\n2001,10,5\n2002,12,6\n2003,13,7\n2004,15,8\n")
    s = load_series(path, column="sales")
    assert s.index.equals(pd.date_range("2001-01-01", periods=4, freq="YS")) and s.tolist() == [10.0, 12.0, 13.0, 15.0]
    path.write_text("count,sales,cost\n2001,10,5\n2002,12,6\n2003,13,7\n2004,15,8\n")  # a name unlike dates: numbers
    assert list(load_series(path, column="sales").index) == [0, 1, 2, 3]


def test_loading_in_threads_silences_warnings_one_thread_at_a_time(monkeypatch):
    # catch_warnings saves and restores the process-wide filters: threads inside it at once (a service calling
    # forecast(h, y=...) in threads) left 'ignore' behind (400 forecasts in 8 threads did), and every later warning
    # of the process was silent
    import threading
    import time
    import types
    import warnings

    from seqcast import data

    inside, most = [0], [0]

    class Counted(warnings.catch_warnings):  # the threads inside at once, the window widened by a sleep
        def __enter__(self):
            inside[0] += 1
            most[0] = max(most[0], inside[0])
            time.sleep(0.002)
            return super().__enter__()

        def __exit__(self, *exc):
            inside[0] -= 1
            return super().__exit__(*exc)

    monkeypatch.setattr(data, "warnings", types.SimpleNamespace(catch_warnings=Counted, filterwarnings=warnings.filterwarnings))
    s = pd.Series(np.arange(24.0), index=pd.DatetimeIndex(pd.date_range("2000-01-01", periods=24, freq="MS").tolist()))
    loaded = []
    threads = [threading.Thread(target=lambda: loaded.extend(load_series(s).index.freqstr for _ in range(8))) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert most[0] == 1 and loaded == ["MS"] * 32  # every load done (a thread's exception would not fail the test)


@pytest.mark.parametrize("freq", ["QE", "QE-FEB", "QS", "QS-FEB"])
def test_quarters_with_a_gap_are_named_as_without(freq):
    # quarter ends with a gap read 'QE-MAR' (their first month), without one 'QE-DEC' (pandas' infer_freq): a long
    # file of both was refused ("series 'b' has frequency 'QE-MAR' but series 'a' has 'QE-DEC'"), a dict alike
    idx = pd.DatetimeIndex(list(pd.date_range("2000-01-01", periods=24, freq=freq)))
    whole = load_series(pd.Series(np.arange(24.0), index=idx))
    gaps = load_series(pd.Series(np.arange(24.0), index=idx).drop(idx[[5, 9]]), fill="interpolate")
    assert gaps.index.equals(whole.index) and gaps.index.freqstr == whole.index.freqstr
    df = pd.DataFrame({"unique_id": ["a"] * 24 + ["b"] * 22, "ds": list(idx) + list(idx.delete([5, 9])), "y": np.arange(46.0)})
    assert {k: s.index.freqstr for k, s in load_long(df, fill="interpolate").items()} == {"a": whole.index.freqstr, "b": whole.index.freqstr}


def test_same_freq_is_the_same_dates():
    from seqcast.data import same_freq

    assert same_freq("QS-OCT", "QS-JAN") and same_freq("QE-MAR", "QE-DEC") and same_freq("BQS-APR", "BQS-JAN")
    assert same_freq("MS", "MS") and same_freq(None, None) and same_freq("QS", "QS-JAN")
    assert not same_freq("QS-FEB", "QS-JAN") and not same_freq("QS-JAN", "QE-DEC") and not same_freq("2QS-JAN", "QS-JAN")
    assert not same_freq("YS-APR", "YS-JAN") and not same_freq(None, "MS") and not same_freq("MS", "bogus")


# --------------------------------------------------------------------------- #
# Many series on the same dates (a panel): the frequency and the grid are worked out once
# --------------------------------------------------------------------------- #


def _varied_series() -> list[tuple[pd.Series, dict]]:
    """(series, load_series options) of many kinds, each twice: dates shared, gaps, zones, fixed steps named two ways."""
    rng = np.random.default_rng(0)

    def s(index, **attrs):
        out = pd.Series(rng.normal(10, 2, len(index)), index=index, name="v")
        out.attrs.update(attrs)
        return out

    daily = pd.date_range("2021-03-01", periods=30, freq="D", name="ds")
    gap = daily.delete([4, 5])
    paris = pd.date_range("2023-03-20", periods=200, freq="h", tz="Europe/Paris")
    utc = pd.date_range("2023-03-20", periods=200, freq="h", tz="UTC")
    cases = [
        (s(daily), {}), (s(daily), {"freq": "D"}), (s(daily), {"freq": "24h"}), (s(daily.as_unit("s")), {}),
        (s(pd.DatetimeIndex(gap)), {"fill": "interpolate"}), (s(pd.DatetimeIndex(gap)), {"fill": "ffill"}),
        (s(pd.date_range("2000-01", periods=40, freq="MS")), {}), (s(pd.date_range("2000-01", periods=40, freq="ME")), {}),
        (s(pd.date_range("2020-01-05", periods=20, freq="W-SUN")), {}), (s(paris), {}), (s(utc), {}),
        (s(pd.date_range("2020-01-01", periods=25, freq="B")), {}), (s(pd.RangeIndex(3, 40)), {}),
    ]
    return cases + [(x.copy(), opts) for x, opts in cases]


def test_a_panel_of_series_on_the_same_dates_infers_their_frequency_once_and_builds_one_grid(monkeypatch):
    from seqcast import data

    monkeypatch.setattr(data, "_OFFSETS", {}, raising=False)
    monkeypatch.setattr(data, "_GRIDS", {}, raising=False)
    idx = pd.date_range("1987-03-01", periods=50, freq="D")
    calls = {"infer_freq": 0, "date_range": 0}
    for name in calls:
        real = getattr(pd, name)
        monkeypatch.setattr(pd, name, lambda *a, _real=real, _name=name, **k: calls.__setitem__(_name, calls[_name] + 1) or _real(*a, **k))
    loaded = [load_series(pd.Series(np.arange(50.0) + i, index=idx)) for i in range(20)]  # each series had 1 + 2 before
    assert calls == {"infer_freq": 1, "date_range": 1}
    assert all(s.index.freqstr == "D" and s.index.equals(idx) for s in loaded)


def test_a_panels_shared_frequency_and_grid_give_the_same_series_as_worked_out_alone():
    from seqcast import data

    for x, opts in _varied_series():
        data._OFFSETS.clear(), data._GRIDS.clear()
        alone = load_series(x, **opts)
        again = load_series(x, **opts)  # from the remembered offset and grid
        for got in (again, load_series(x.copy(), **opts)):
            pd.testing.assert_series_equal(got, alone, check_freq=True, check_exact=True)
            assert getattr(got.index, "freqstr", 0) == getattr(alone.index, "freqstr", 0) and got.attrs == alone.attrs
    day, hours = (load_series(pd.Series(1.0, pd.date_range("2021-03-01", periods=9)), freq=f) for f in ("D", "24h"))
    assert (day.index.freqstr, hours.index.freqstr) == ("D", "24h")  # equal offsets, grids named apart


def test_a_series_that_sets_its_own_index_freq_leaves_the_other_series_and_the_next_loads_alone():
    idx = pd.date_range("1991-07-01", periods=12, freq="MS")
    a, b = (load_series(pd.Series(np.arange(12.0), index=idx)) for _ in range(2))
    a.index.freq = None  # a user's edit of one loaded series
    a.index.name = "when"
    c = load_series(pd.Series(np.arange(12.0), index=idx))
    assert b.index.freqstr == c.index.freqstr == "MS" and b.index.name is None is c.index.name


def test_a_long_file_read_as_one_series_points_to_the_long_format_flags(tmp_path):
    """`seqcast fit stores.csv` (store, day, units; each day once per store) said only "2 columns could hold the
    values ... choose one with --column": picking one trains on three stores' rows as one series. With ids as numbers,
    the one column of whole numbers, each twice or more, with each (id, day) once, is named as the ids (as text ids
    are); where both number columns could be the ids, the general advice stands."""
    p = tmp_path / "stores.csv"
    p.write_text("store,day,units\n" + "".join(f"{s},2020-01-{d:02d},{10 + d + s}\n" for s in (1, 2, 3) for d in range(1, 29)))
    with pytest.raises(DataError, match=r"^the dates in column 'day' repeat \('2020-01-01' 3 times\), once per id in column 'store': "
                                        r"many series in long format; read them with --id-column store --date-column day "
                                        r"--value-column units \(Python: seqcast.load_long\(\.\.\., id_column='store', "
                                        r"date_column='day', value_column='units'\)\)$"):
        load_series(p)
    p.write_text("store,day,units\n" + "".join(f"{s},2020-01-{d:02d},{100 * s + d % 2}\n" for s in (1, 2, 3) for d in range(1, 29)))
    with pytest.raises(DataError, match=r"could hold the values; .*\(CLI --column\); a file of many series in long format .* takes "
                                        r"--id-column, --date-column and --value-column \(Python: seqcast.load_long\)$"):
        load_series(p)  # units 100, 101, 200, ... are whole numbers, each twice or more, once per day: ids too?


def _text_id_long(names: tuple[str, str, str], ids: tuple[str, str]) -> str:
    months = pd.date_range("2015-01-01", periods=36, freq="MS")
    return ",".join(names) + "\n" + "".join(f"{i},{d:%Y-%m-%d},{100 + k + 10 * s}\n"
                                           for s, i in enumerate(ids) for k, d in enumerate(months))


def test_a_long_file_of_text_ids_names_its_three_columns(tmp_path):
    """`seqcast fit kl.csv` (지역, 날짜, 값; 서울 and 부산, 36 months each) said "2 columns could hold the values", counting
    '지역', whose cells are no numbers; the refusal names the three columns as the flags (and load_long's options) that
    read it."""
    from seqcast.long import load_long

    for names, ids in ((("지역", "날짜", "값"), ("서울", "부산")), (("region", "date", "value"), ("a", "b"))):
        path = write(tmp_path, _text_id_long(names, ids))
        i, d, v = names
        with pytest.raises(DataError, match=(
            rf"^the dates in column '{d}' repeat \('2015-01-01' 2 times\), once per id in column '{i}': many series in long "
            rf"format; read them with --id-column {i} --date-column {d} --value-column {v} \(Python: seqcast.load_long\(\.\.\., "
            rf"id_column='{i}', date_column='{d}', value_column='{v}'\)\)$"
        )):
            load_series(path)
        got = load_long(path, id_column=i, date_column=d, value_column=v)  # what it says works
        assert list(got) == list(ids) and [len(s) for s in got.values()] == [36, 36]
        with pytest.raises(DataError, match=rf"^the dates in column '{d}' repeat .*--id-column {i} "):
            load_series(pd.read_csv(path))  # a DataFrame alike
    path = write(tmp_path, _text_id_long(("my id", "date", "value"), ("a", "b")))
    with pytest.raises(DataError, match=r"read them with --id-column 'my id' --date-column date "):  # quoted to paste
        load_series(path)


def test_a_text_column_is_no_candidate_for_the_values(tmp_path):
    """A column none of whose cells reads as a number counted as one that "could hold the values": a one-series file
    (date, value, note) was refused with "2 columns could hold the values"; it loads its one column of numbers.
    Behaviour change: such a file loads."""
    months = pd.date_range("2015-01-01", periods=24, freq="MS")
    rows = [(f"{d:%Y-%m-%d}", 100 + k, "sale" if k % 5 == 0 else "normal") for k, d in enumerate(months)]
    s = load_series(write(tmp_path, "date,value,note\n" + "".join(",".join(map(str, r)) + "\n" for r in rows)))
    assert s.name == "value" and list(s) == [100 + k for k in range(24)] and s.index.freqstr == "MS"
    # two columns of numbers beside it: still a choice, and the note is not counted
    with pytest.raises(DataError, match=r"^2 columns could hold the values; available columns: 0 'date', 1 'a', 2 'note', 3 'b'"):
        load_series(write(tmp_path, "date,a,note,b\n" + "".join(f"{d},{v},{n},{v}\n" for d, v, n in rows), "two.csv"))
    # a date written twice by mistake is no long file: the message names its lines, as for any one series
    dup = rows[:5] + [(rows[4][0], 7, "sale")] + rows[5:]
    with pytest.raises(DataError, match=r"^line 7: date 2015-05-01 is duplicated \(also at line 6\); keep one row per date$"):
        load_series(write(tmp_path, "date,value,note\n" + "".join(",".join(map(str, r)) + "\n" for r in dup), "dup.csv"))
    # no dates found: a column of text may be dates not recognised, so it is still a choice to make
    with pytest.raises(DataError, match=r"^2 columns could hold the values"):
        load_series(write(tmp_path, "when,v\n" + "".join(f"early {k},{k}\n" for k in range(10)), "nodates.csv"))


def test_a_long_file_that_is_not_plainly_three_columns_says_it_is_no_one_series(tmp_path):
    """Dates repeating beside two text columns (region, city): no guess at which holds the ids; the refusal says the
    dates repeat and how long format is passed, not that a text column could hold the values."""
    months = pd.date_range("2015-01-01", periods=12, freq="MS")
    text = "region,city,date,value\n" + "".join(f"r{s},c{s},{d:%Y-%m-%d},{k}\n" for s in (1, 2) for k, d in enumerate(months))
    with pytest.raises(DataError, match=r"^the dates in column 'date' repeat \('2015-01-01' 2 times\): no one series; a file of "
                                        r"many series in long format .* takes --id-column, --date-column and --value-column"):
        load_series(write(tmp_path, text))


def test_a_file_of_a_column_per_series_says_how_to_fit_them_all(tmp_path):
    """A wide file (a date column, a column per series: Darts' and pandas' to_csv of such a frame) was told to choose
    one with --column; the command line fits many series from long format only, which nothing mentioned."""
    from seqcast.long import load_long

    wide = tmp_path / "wide.csv"
    wide.write_text("day,a,b\n" + "".join(f"2020-01-{d:02d},{d},{2 * d}\n" for d in range(1, 29)))
    with pytest.raises(DataError, match=r"could hold the values; .*\(CLI --column\); to fit every column as its own series \(one "
                                        r"model for all\), write them in long format first, e.g. with pandas df.melt\(id_vars='day', "
                                        r"var_name='unique_id', value_name='y'\).to_csv\(path, index=False\), and read that with "
                                        r"--date-column day$") as e:
        load_series(wide)
    recipe = str(e.value).split("with pandas ")[1].split(".to_csv(path")[0]
    eval(recipe, {"df": pd.read_csv(wide)}).to_csv(tmp_path / "long.csv", index=False)  # as it says
    got = load_long(tmp_path / "long.csv", date_column="day")
    assert list(got) == ["a", "b"] and list(got["b"]) == [2.0 * d for d in range(1, 29)] and got["b"].index.freqstr == "D"
    wide.write_text("ds,a,b\n2020-01-01,1,2\n2020-01-02,3,4\n")  # the date column load_long reads by default
    with pytest.raises(DataError, match=r"to_csv\(path, index=False\)$"):
        load_series(wide)


def test_a_pipe_is_refused_as_one_not_as_an_unreadable_path(tmp_path):
    """`seqcast fit <(cat data.csv)` said "cannot be read (underlying stream is not seekable); check the path and its
    permissions", where the path and its permissions were fine."""
    import os

    fifo = tmp_path / "data.csv"
    os.mkfifo(fifo)  # no writer: opening it would block; it is refused before
    with pytest.raises(DataError, match=r"^file '.*data.csv' is not a regular file \(a pipe or a device\); save the data to a CSV "
                                        r"file and pass its path$"):
        load_series(fifo)


def test_freq_errors_name_the_cli_flag_too(tmp_path):
    """`seqcast fit FILE --freq ...` printed the Python spelling alone ("leave freq as None", "pass the right freq=")."""
    with pytest.raises(ConfigError, match=r"add a date column \(date_column=, CLI --date-column\) or leave freq as None \(CLI: no --freq\)$"):
        load_series(write(tmp_path, "y\n1\n2\n3\n"), freq="MS")
    with pytest.raises(DataError, match=r"line 1: date 1949-01-01 does not fall on the frequency 'ME'; fix the date or pass the "
                                        r"right freq= \(CLI --freq\)$"):
        load_series(write(tmp_path, MONTHLY), freq="ME")
    with pytest.raises(DataError, match=r"line 3: date 1949-03-15 does not fall on the frequency 'MS' of the other dates; fix the date "
                                        r"or pass the right freq= \(CLI --freq\)$"):
        load_series(write(tmp_path, "1949-01-01,1\n1949-02-01,2\n1949-03-15,3\n1949-04-01,4\n"), freq="MS")


def test_a_duplicated_column_name_says_the_cli_flag_too(tmp_path):
    with pytest.raises(DataError, match=r"column name 'y' appears 2 times \(columns 1, 2\); choose one by index, e.g. column=1 "
                                        r"\(CLI --column 1\)$"):
        load_series(write(tmp_path, "date,y,y\n2020-01-01,1,2\n2020-02-01,3,4\n"), column="y")


@pytest.mark.parametrize("fill", [None, "interpolate"])
def test_one_date_off_a_monthly_grid_is_named_not_read_as_semi_monthly_half_missing(tmp_path, fill):
    # one date on the 15th among 60 month starts made the dates 'SMS-15' with 59 missing: "pass fill= to fill them",
    # and with --fill interpolate a semi-monthly series of 119 values, 59 of them made up
    dates = pd.date_range("2000-01-01", periods=60, freq="MS").strftime("%Y-%m-%d").tolist()
    dates[30] = dates[30][:8] + "15"
    p = write(tmp_path, "date,y\n" + "".join(f"{d},{i}\n" for i, d in enumerate(dates)))
    with pytest.raises(DataError, match=r"^line 32: date 2002-07-15 does not fall on the frequency 'MS' of the other dates, "
                                        r"which made them look like 'SMS-15' with 59 dates missing; fix the date or pass the right freq="):
        load_series(p, fill=fill)
    assert len(load_series(p, freq="SMS-15", fill="ffill")) == 119  # asked for: as before
    dates[40] = dates[40][:8] + "20"
    with pytest.raises(DataError, match=r"line 32: date 2002-07-15 .* \(nor do 1 more: 2003-05-20\)"):
        load_series(write(tmp_path, "date,y\n" + "".join(f"{d},{i}\n" for i, d in enumerate(dates)), "two.csv"))
    for i in (3, 10, 20, 50):  # six strays in 60 dates (a tenth): named, the first four listed
        dates[i] = dates[i][:8] + "10"
    with pytest.raises(DataError, match=r"^line 5: date 2000-04-10 does not fall on the frequency 'MS' of the other dates \(nor do 5 "
                                        r"more: 2000-11-10, 2001-09-10, 2002-07-15, \.\.\.\)"):
        load_series(write(tmp_path, "date,y\n" + "".join(f"{d},{i}\n" for i, d in enumerate(dates)), "seven.csv"))


def test_real_gaps_are_not_taken_for_stray_dates(tmp_path):
    # a daily series with 40% missing, and semi-monthly data with gaps: their own frequency, filled as asked
    days = pd.date_range("2000-01-01", periods=60, freq="D")
    days = days[np.random.default_rng(0).random(60) < 0.6].union(days[[0, -1]])  # about 40% missing
    p = write(tmp_path, "date,y\n" + "".join(f"{d:%Y-%m-%d},{i}\n" for i, d in enumerate(days)))
    assert 2 * (60 - len(days)) >= len(days)  # enough missing for the stray check to run
    assert load_series(p, fill="ffill").index.freqstr == "D"
    from seqcast import data

    assert data._strays(days) is None
    semi = pd.date_range("2000-01-01", periods=40, freq="SMS").delete([5, 6, 20])
    p = write(tmp_path, "date,y\n" + "".join(f"{d:%Y-%m-%d},{i}\n" for i, d in enumerate(semi)), "semi.csv")
    assert load_series(p, fill="ffill").index.freqstr == "SMS-15" and len(load_series(p, fill="ffill")) == 40


def test_a_date_off_a_grid_pandas_misreads_as_a_business_frequency_is_named(tmp_path):
    # month ends with 2020-02-28 for the leap day: pandas' infer_freq said 'BME' (a Friday the 28th is one), so the error
    # blamed line 4's 2019-03-31, a Sunday, "not on the frequency 'BME'"; the stray line 15 went unnamed
    dates = pd.date_range("2019-01-31", periods=36, freq="ME").strftime("%Y-%m-%d").tolist()
    dates[13] = "2020-02-28"
    p = write(tmp_path, "date,y\n" + "".join(f"{d},{i}\n" for i, d in enumerate(dates)))
    with pytest.raises(DataError, match=r"^line 15: date 2020-02-28 does not fall on the frequency 'ME' of the other dates; fix"):
        load_series(p)
    # 9:00-16:00 every day, weekends too: 'bh' said, and a Saturday blamed; no frequency holds them
    hours = pd.date_range("2024-01-01", periods=24 * 14, freq="h")
    hours = hours[(hours.hour >= 9) & (hours.hour < 17)]
    p = write(tmp_path, "date,y\n" + "".join(f"{d},{i}\n" for i, d in enumerate(hours)), "hours.csv")
    with pytest.raises(DataError, match=r"^cannot infer the frequency of the dates in file .*; pass freq="):
        load_series(p, fill="ffill")
    assert load_series(p, freq="h", fill="ffill").index.freqstr == "h"  # asked for: every hour


def test_an_unnamed_first_column_of_row_numbers_is_the_index_pandas_or_r_wrote_not_values(tmp_path):
    # pd.Series(v, name="sales").to_csv(path) (index=True by default) and R's write.csv(ts) write the row numbers
    # in a first column with an empty header: it was one of "2 columns could hold the values"
    v = [200.1, 199.5, 199.4, 198.9, 199.0]
    for name, text in (("pandas.csv", ",sales\n" + "".join(f"{i},{x}\n" for i, x in enumerate(v))),
                       ("r.csv", '"","x"\n' + "".join(f'"{i + 1}",{x}\n' for i, x in enumerate(v))),
                       ("reread.csv", "Unnamed: 0,sales\n" + "".join(f"{i},{x}\n" for i, x in enumerate(v)))):
        s = load_series(write(tmp_path, text, name))
        assert list(s) == v and list(s.index) == [0, 1, 2, 3, 4], name
    dated = ",date,drivers\n" + "".join(f"{i},1969-{i + 1:02d},{1687 + i}\n" for i in range(5))  # a DataFrame's to_csv
    s = load_series(write(tmp_path, dated, "dated.csv"))
    assert list(s) == [1687, 1688, 1689, 1690, 1691] and s.index.freqstr == "MS" and s.name == "drivers"
    assert list(load_series(write(tmp_path, dated, "dated.csv"), column=0)) == [0, 1, 2, 3, 4]  # still there when named
    for text in (",sales\n" + "".join(f"{i + 2},{x}\n" for i, x in enumerate(v)),  # not row numbers: a choice to make
                 "n,sales\n" + "".join(f"{i},{x}\n" for i, x in enumerate(v)),  # a named column of 0, 1, ...: numbers
                 "sales,\n" + "".join(f"{x},{i}\n" for i, x in enumerate(v))):  # not the first column
        with pytest.raises(DataError, match=r"^2 columns could hold the values"):
            load_series(write(tmp_path, text, "other.csv"))


def test_periods_written_as_statistics_offices_do_read_as_their_first_days(tmp_path):
    """Eurostat's '2020-M01' was read by pandas as 2020-01-01 00:00:01 (one year of months: a series of 12 seconds), and
    '2020M01', ISO weeks '2023-W01' and 'Q1 2015' could not be parsed; they read as the first day of their period."""
    months = [f"2020-M{k:02d}" for k in range(1, 13)]
    s = load_series(write(tmp_path, "period,y\n" + "".join(f"{c},{i}\n" for i, c in enumerate(months))))
    assert s.index.freqstr == "MS" and s.index[0] == pd.Timestamp("2020-01-01") and s.index[-1] == pd.Timestamp("2020-12-01")
    s = load_series(write(tmp_path, "".join(f"{c.replace('-', '')},{i}\n" for i, c in enumerate(months))))  # no header
    assert s.index.freqstr == "MS" and len(s) == 12
    weeks = [f"{y}-W{k:02d}" for y, n in ((2020, 53), (2021, 52)) for k in range(1, n + 1)]  # 2020 has an ISO week 53
    s = load_series(write(tmp_path, "week,y\n" + "".join(f"{c},{i}\n" for i, c in enumerate(weeks))))
    assert s.index.freqstr == "W-MON" and len(s) == 105
    assert [d.isocalendar()[:2] for d in s.index[[0, 52, 53]]] == [(2020, 1), (2020, 53), (2021, 1)]
    quarters = [f"Q{k} {y}" for y in (2015, 2016) for k in (1, 2, 3, 4)]
    for cells in (quarters, [f"{c[3:]} {c[:2]}" for c in quarters]):  # 'Q1 2015' and '2015 Q1'
        s = load_series(write(tmp_path, "quarter,y\n" + "".join(f"{c},{i}\n" for i, c in enumerate(cells))))
        assert s.index.freqstr == "QS-JAN" and s.index[1] == pd.Timestamp("2015-04-01")
    for bad in ("2020-M13", "2021-W53"):  # no such month; 2021 has 52 ISO weeks
        with pytest.raises(DataError, match=rf"^line 3: date '{bad}' in column 'p' cannot be parsed"):
            load_series(write(tmp_path, f"p,y\n2021-W52,1\n{bad},2\n2020-M03,3\n"))


def test_excel_unicode_text_files_read_as_utf16(tmp_path):
    """Excel's 'Unicode Text' export (UTF-16 with its byte-order mark, tab-separated, the usual way to save 'Zürich' or
    '서울' from older Excel) was refused as 'not UTF-8 text'; it reads as the same data in UTF-8 would, one series or long."""
    text = "Datum\tUmsatz €\n2015-01-01\t1,5\n2015-02-01\t2\n2015-03-01\t3\n"
    for codec in ("utf-16", "utf-16-be"):
        path = tmp_path / f"{codec}.txt"
        path.write_bytes(text.encode(codec) if codec == "utf-16" else ("\ufeff" + text).encode(codec))  # BOM FF FE, FE FF
        s = load_series(path)
        assert list(s) == [1.5, 2.0, 3.0] and s.name == "Umsatz €" and s.index.freqstr == "MS"
        assert column_names(path) == ["Datum", "Umsatz €"]
    utf32 = tmp_path / "utf32.txt"  # its mark FF FE 00 00 starts as UTF-16's: 'line 2 has 1 field but line 1 has 2'
    utf32.write_bytes(text.encode("utf-32"))
    assert list(load_series(utf32)) == [1.5, 2.0, 3.0]
    long = tmp_path / "long.txt"
    long.write_bytes("unique_id\tds\ty\n".encode("utf-16") + "".join(
        f"{k}\t2015-0{m}-01\t{m}\n" for k in ("Zürich", "서울") for m in (1, 2, 3)).encode("utf-16-le"))
    series = load_long(long)
    assert list(series) == ["Zürich", "서울"] and list(series["서울"]) == [1.0, 2.0, 3.0]


def test_utf16_without_its_byte_order_mark_is_named(tmp_path):
    """Bug: UTF-16 or UTF-32 written without its mark (Python's encode('utf-16-le'), some exporters) reads as UTF-8 with a
    NUL beside each letter: 'line 74 has 1 field but line 1 has 2', 'value '\\x001\\x00...' ... is not a number', or
    long files' columns '\\x00d\\x00s\\x00'. README: another encoding is refused, naming the first line that is not UTF-8."""
    text = "ds,y,unique_id\n" + "".join(f"2015-0{m}-01,{m},a\n" for m in (1, 2, 3))
    for codec in ("utf-16-le", "utf-16-be", "utf-32-le"):
        path = tmp_path / f"{codec}.csv"
        path.write_bytes(text.encode(codec))
        for loader in (load_series, load_long):
            with pytest.raises(DataError, match=rf"^file '.*{codec}.csv' is not UTF-8 text: line 1 holds NUL bytes \(0x00\), "
                                                r"as UTF-16 or UTF-32 text without its byte-order mark does .*save it as UTF-8"):
                loader(path)
    damaged = tmp_path / "damaged.csv"  # a crash's zeros after the last line
    damaged.write_bytes(b"date,y\n2015-01-01,1\n2015-02-01,2\n" + b"\0" * 64)
    with pytest.raises(DataError, match=r"^file '.*damaged.csv' is not UTF-8 text: line 4 holds NUL bytes"):
        load_series(damaged)


def test_frequency_votes_ask_pandas_once_per_run_of_dates_that_series_share(monkeypatch):
    from seqcast import data

    days = pd.date_range("2000-01-01", periods=400, freq="D")
    rng = np.random.default_rng(0)
    series = [days.delete(rng.choice(np.arange(1, 399), 20, replace=False)) for _ in range(5)]  # gaps in other places
    asked, real = [], data._pd_infer
    monkeypatch.setattr(data, "_pd_infer", lambda d: asked.append(tuple(d.asi8)) or real(d))
    monkeypatch.setattr(data, "_OFFSETS", {})
    monkeypatch.setattr(data, "_RUNS", {}, raising=False)
    assert [data._infer_offset(d) for d in series] == [pd.offsets.Day()] * 5
    runs = [a for a in asked if len(a) == 3]
    assert len(runs) == len(set(runs))  # each asked once (~0.5 ms): 1,000 daily series with gaps took 110 s to load


_COMMA_CELLS = ["100,5", " -3,25 ", "105,207", "1,120", "7", "x,y", "", "1.5", "+2,0", "12,345,678", "1234,567", "0,1234",
                "1,5e3", ",5", "1,", "1.120,5", "date"]


def _settles(cell: str) -> bool:  # the rule in other words: one comma between digits, no thousands separator's shape
    m = re.fullmatch(r"\s*[+-]?(\d+),(\d+)\s*", cell)
    return m is not None and not (len(m[1]) <= 3 and len(m[2]) == 3)


def _read_by_hand(column: list[str]) -> list[str]:
    decimal = any(_settles(c) for c in column)
    return [c.replace(",", ".") if decimal and re.fullmatch(r"\s*[+-]?\d+,\d+\s*", c) else c for c in column]


@settings(max_examples=200, deadline=None, derandomize=True)
@given(st.integers(1, 4).flatmap(lambda width: st.lists(st.lists(st.sampled_from(_COMMA_CELLS), min_size=width,
                                                                  max_size=width), min_size=1, max_size=8)))
def test_decimal_commas_are_read_by_one_rule_for_a_files_rows_and_a_long_files_value_column(rows):
    from seqcast import data

    columns = [[record[j] for record in rows] for j in range(len(rows[0]))]
    want = [_read_by_hand(col) for col in columns]
    assert [data._decimal_column(list(col)) for col in columns] == want  # a long file's value column
    # load_series reads a file's columns stripped (not its rows as written, then transposed again): the same cells
    assert [data._decimal_column([c.strip() for c in col]) for col in columns] == [[c.strip() for c in col] for col in want]


def test_a_semicolon_files_values_read_alike_as_one_series_and_as_long_format(tmp_path):
    cells = ["100,5", " -3,25 ", "105,207", "7", "+2,0", "1.5"]
    rows = [f"2020-01-{i + 1:02d};{c}" for i, c in enumerate(cells)]
    s = load_series(write(tmp_path, "date;y\n" + "\n".join(rows) + "\n"))
    long = load_long(write(tmp_path, "unique_id;ds;y\n" + "".join(f"a;{r}\n" for r in rows), "long.csv"))
    assert list(s) == list(long["a"]) == [100.5, -3.25, 105.207, 7.0, 2.0, 1.5]
    with pytest.raises(DataError, match=r"^line 3 has 3 fields but line 1 has 2; "):  # widths checked before the columns are read
        load_series(write(tmp_path, "date;y\n2020-01-01;1,5\n2020-01-02;2,5;3,5\n2020-01-03;3\n"))


@pytest.mark.parametrize("sep, cells", [
    (";", ["1 000,50", "999,25", "12 345 678,5", "-2 000"]),  # French, Polish, Russian exports: a space
    (";", ["1\u00a0000,50", "999,25", "12\u00a0345\u00a0678,5", "-2\u00a0000"]),  # Excel: a no-break space
    (";", ["1\u202f000,50", "999,25", "12\u202f345\u202f678,5", "-2\u202f000"]),  # a narrow no-break space
    (";", ["1.000,50", "999,25", "12.345.678,5", "-2.000"]),  # German: '2.000' is 2000 in a column of decimal commas
    (",", ["1'000.50", "999.25", "12'345'678.5", "-2'000"]),  # Swiss
    (",", ['"1,000.50"', "999.25", '"12,345,678.5"', '"-2,000"']),  # quoted US thousands in a comma-separated file
    (",", ["1 000.50", "999.25", "12 345 678.5", "-2 000"]),  # a space with a decimal point
])
def test_numbers_grouped_in_thousands_are_read(tmp_path, sep, cells):
    rows = [f"2020-0{i + 1}-01{sep}{c}" for i, c in enumerate(cells)]
    path = write(tmp_path, f"date{sep}y\n" + "\n".join(rows) + "\n")
    assert list(load_series(path)) == [1000.5, 999.25, 12345678.5, -2000.0]
    long = load_long(write(tmp_path, f"unique_id{sep}ds{sep}y\n" + "\n".join(f"a{sep}{r}" for r in rows) + "\n", "long.csv"))
    assert list(long["a"]) == [1000.5, 999.25, 12345678.5, -2000.0]


@pytest.mark.parametrize("cells, message", [
    (["1.000", "2.000", "3.000"], None),  # no cell settles it: 1.0, 2.0, 3.0 as ever
    (["1.000,50", "1,000.50", "3"], r"^line 2: value '1.000,50' in column 'y' is not a number"),  # marks that disagree
    (["1 000,50", "1.000,50", "3"], r"^line 2: value '1 000,50' in column 'y' is not a number"),  # two thousands separators
    (["1 000,50", "1 000.50", "3"], r"^line 2: value '1 000,50' in column 'y' is not a number"),  # two decimal marks
    (["1 00,50", "1 000,50", "3"], r"^line 2: value '1 00,50' in column 'y' is not a number"),  # a typo is named
])
def test_numbers_grouped_in_thousands_are_refused_where_the_column_does_not_settle_them(tmp_path, cells, message):
    path = write(tmp_path, "date;y\n" + "\n".join(f"2020-0{i + 1}-01;{c}" for i, c in enumerate(cells)) + "\n")
    if message is None:
        assert list(load_series(path)) == [1.0, 2.0, 3.0]
    else:
        with pytest.raises(DataError, match=message):
            load_series(path)


@pytest.mark.parametrize("sep, cells, bad", [
    (";", ["1.000", "999,5", "2.000"], "line 2: value '1.000' in column 'y' could be 1.000 (a decimal point) or 1000"),
    (";", ["0,99", "1.299"], "line 3: value '1.299' in column 'y' could be 1.299 (a decimal point) or 1299"),
    (";", ["1.000.000", "0,25", "3"], "line 2: value '1.000.000' in column 'y' could be 1000.000 (a decimal point) or 1000000"),
    (",", ['"1,5"', "2.000"], "line 2: value '1,5' in column 'y' is not a number"),  # as ever in a comma file
])
def test_a_dot_grouped_value_beside_decimal_commas_is_refused(tmp_path, sep, cells, bad):
    """'1.000' beside '999,5' (semicolon file) read as 1.0 without a word: a German thousand, or a decimal point from
    another locale? Read either way, a value can be 1000x off (review20, review21), so it is refused."""
    path = write(tmp_path, f"date{sep}y\n" + "\n".join(f"2020-0{i + 1}-01{sep}{c}" for i, c in enumerate(cells)) + "\n")
    with pytest.raises(DataError, match="^" + re.escape(bad)):
        load_series(path)
    settled = write(tmp_path, "date;y\n2020-01-01;1.000,5\n2020-02-01;999,5\n2020-03-01;2.000\n", "settled.csv")
    assert list(load_series(settled)) == [1000.5, 999.5, 2000.0]  # a cell with both marks settles it


def _marked_file(tmp_path, cells, sep=",", name="data.csv"):
    """A date and a value column of `cells` (written as given: quote a ',' in a comma-separated file)."""
    return write(tmp_path, f"date{sep}sales\n" + "".join(f"2020-{i + 1:02d}-01{sep}{c}\n" for i, c in enumerate(cells)), name)


@pytest.mark.parametrize("sep, cells, expected", [
    (",", ['"$112,000"', '"$95,500.50"', "", '"-$1,000"', "$-7", "$ 5"], [112000, 95500.5, np.nan, -1000, -7, 5]),
    (",", ['"₩112,000"', '"₩95,000"', "NA", '"₩1,000,000"'], [112000, 95000, np.nan, 1000000]),  # Korean Excel
    (",", ['"112,000원"', '"95,000 원"', "", "-5원"], [112000, 95000, np.nan, -5]),
    (",", ["¥5000", '"¥5,000"', "￥3", "¥0.5"], [5000, 5000, 3, 0.5]),  # the full-width yen is the same mark
    (",", ["£3.50", '"£1,000.25"', "", "-£8"], [3.5, 1000.25, np.nan, -8]),
    (",", ["₹3.50", '"₹1,000.25"', "₹8"], [3.5, 1000.25, 8]),
    (";", ["€1.234,50", "€999,5", "", "1.000 €", "-€2"], [1234.5, 999.5, np.nan, 1000, -2]),  # German: decimal commas
    (";", ["5 zł", "1 234,50 zł", "3zł"], [5, 1234.5, 3]),
    (";", ["5 kr", "1 234,50 kr", "-3kr"], [5, 1234.5, -3]),
    (",", ["12.5%", "-3%", "", "4 %"], [12.5, -3, np.nan, 4]),  # percent units: 12.5% is 12.5
    (";", ["12,5%", "-3%", "null", "4%"], [12.5, -3, np.nan, 4]),
])
def test_a_currency_sign_or_percent_on_every_value_is_read(tmp_path, sep, cells, expected):
    """Excel exports cells as shown: '$112,000', '₩112,000', '112,000원', '€1.234,50', '12.5%' were refused ("not a
    number"); a mark that every value of the column carries is dropped and the rest read as any value (thousands
    separators, decimal commas; for $ £ ¥ ₩ ₹ 원 円 元, ',' is a thousands separator). Empty cells between stay missing."""
    expected = np.asarray(expected, dtype=float)
    plain = ["" if np.isnan(v) else repr(float(v)) for v in expected]  # the same values written plainly: empty cells where missing
    got = load_series(_marked_file(tmp_path, cells, sep), fill="interpolate")
    want = load_series(_marked_file(tmp_path, plain, name="plain.csv"), fill="interpolate")
    np.testing.assert_array_equal(got.to_numpy(), want.to_numpy())
    held = ~np.isnan(expected)
    np.testing.assert_array_equal(got.to_numpy()[held], expected[held])
    assert got.name == "sales" and got.index.equals(want.index)
    long_rows = "".join(f"a{sep}2020-{i + 1:02d}-01{sep}{c}\n" for i, c in enumerate(cells))  # the robust reader's way
    long = load_long(write(tmp_path, f"unique_id{sep}ds{sep}y\n" + long_rows, "long.csv"), fill="interpolate")
    np.testing.assert_array_equal(long["a"].to_numpy(), got.to_numpy())
    if sep == ",":  # a DataFrame's text (pd.read_csv's object column) reads alike; decimal commas are a CSV file's
        frame = pd.DataFrame({"sales": [c.strip('"') or None for c in cells]}, index=pd.date_range("2020", periods=len(cells), freq="MS"))
        np.testing.assert_array_equal(load_series(frame, fill="interpolate").to_numpy(), got.to_numpy())

def test_a_currency_sign_in_a_file_without_header_is_read(tmp_path):
    path = write(tmp_path, "2020-01-01,$5\n2020-02-01,$6\n2020-03-01,$7\n")
    assert list(load_series(path)) == [5.0, 6.0, 7.0]


def test_the_full_width_won_of_a_korean_cp949_file_is_read_as_the_won(tmp_path):
    """cp949 (Korean Excel's 'CSV') has no ₩ (U+20A9): its won sign is the full-width ￦ (U+FFE6), and '￦112,000'
    was refused ("is not a number") where '₩112,000' read as 112000. It is the same mark as ₩, as ￥ is ¥."""
    lines = ["일자,판매액", '2024-01-01,"￦112,000"', "2024-01-02,", '2024-01-03,"￦95,500"', '2024-01-04,"₩1,000,000"']
    path = tmp_path / "판매.csv"
    path.write_bytes("\r\n".join(lines[:4]).encode("cp949"))
    s = load_series(path, encoding="cp949", fill="ffill")
    np.testing.assert_array_equal(s.to_numpy(), [112000, 112000, 95500])
    path.write_text("\n".join(lines), encoding="utf-8")  # ￦ beside ₩: one currency
    np.testing.assert_array_equal(load_series(path, fill="ffill").to_numpy(), [112000, 112000, 95500, 1000000])


@pytest.mark.parametrize("cells, message", [
    (["$5", "7", "$8"], ("line 2: value '$5' in column 'sales' carries '$' but line 3's value '7' has none; a currency "
                         "sign or % is read only where every value of the column carries the same one: write '$' on every "
                         "value or on none (one currency per column)")),
    (["7", "", "$5"], "line 4: value '$5' in column 'sales' carries '$' but line 2's value '7' has none;"),
    (["$5", "€5", "$6"], "line 2: value '$5' in column 'sales' carries '$' but line 3's value '€5' carries '€';"),
    (["5%", "6", "7%"], "line 2: value '5%' in column 'sales' carries '%' but line 3's value '6' has none;"),
    (["-$-5", "$6", "$7"], "line 2: value '-$-5' in column 'sales' is not a number; fix or remove that row"),  # two minuses
    (['"(1,234)"', "5", "6"], ("line 2: value '(1,234)' in column 'sales' is in parentheses (an accountant's negative, or "
                               "a note?); seqcast does not guess its sign: write it with a minus, -1,234")),
    (['"$(1,234)"', "$5", "$6"], "line 2: value '$(1,234)' in column 'sales' is not a number"),
    (['"₹1,12,000"', "₹6", "₹7"], ("line 2: value '1,12,000' in column 'sales' is not a number; write it as a number, "
                                   "e.g. 1120.5 (thousands separators such as 1,120.5 or 1.120,5 are read where")),  # lakhs
])
def test_a_currency_sign_or_percent_that_not_every_value_carries_is_refused(tmp_path, cells, message):
    """'$5' beside '7' (or '€5'): dollars or not? Refused, naming the mark and both lines; accounting parentheses
    '(1,234)' are refused too: a negative in Excel's accounting format, or a note beside a number? (read as -1234, a note
    would flip a sign without a word; the fix, a minus or Excel's Number format, is one step)."""
    with pytest.raises(DataError, match="^" + re.escape(message)):
        load_series(_marked_file(tmp_path, cells))


def test_the_refusal_of_a_text_value_names_what_is_read(tmp_path):
    """The hint said "write it with a dot for decimals and no thousands separator", while thousands separators are read
    where the column settles them: it names what is read."""
    with pytest.raises(DataError, match=re.escape("line 3: value '1,2,3' in column 'sales' is not a number; write it as a "
                                                  "number, e.g. 1120.5 (thousands separators such as 1,120.5 or 1.120,5 "
                                                  "are read where a value of the column shows which mark is the decimal "
                                                  "one)")):
        load_series(_marked_file(tmp_path, ["5", '"1,2,3"', "6"]))
    with pytest.raises(DataError, match=re.escape("line 2: value '112,000' in column 'sales' could be 112.000 (a decimal "
                                                  "comma) or 112000 (a thousands separator); write it 112000 (or 112.000), "
                                                  "or show the decimals of a value of the column, e.g. 112,000.00")):
        load_series(_marked_file(tmp_path, ['"112,000"', '"95,000"', "7"]))
    assert list(load_series(_marked_file(tmp_path, ['"112,000.00"', '"95,000"', "7"]))) == [112000.0, 95000.0, 7.0]


def test_currency_text_in_a_dataframe_or_a_list_is_read(tmp_path):
    index = pd.date_range("2020-01-01", periods=4, freq="MS")
    frame = pd.DataFrame({"sales": ["$112,000", "$95,500.50", None, "-$1,000"]}, index=index)
    np.testing.assert_array_equal(load_series(frame, fill="interpolate").to_numpy(), [112000, 95500.5, 47250.25, -1000])
    assert list(load_series(pd.Series(["5%", pd.NA, "7%"], dtype="string", index=index[:3]), fill="interpolate")) == [5, 6, 7]
    assert list(load_series(["12%", "13.5%", "14%"])) == [12.0, 13.5, 14.0]
    with pytest.raises(DataError, match=re.escape("row 0: value '$112,000' in column 'sales' carries '$' but row 1's "
                                                  "value '7' has none;")):
        load_series(pd.DataFrame({"sales": ["$112,000", 7, 8]}, index=index[:3]))


def test_a_leading_zero_group_is_no_thousands(tmp_path):
    """'0.001' and '-0.250' are no thousands (no number grouped in thousands starts with a group '0'): beside '0,5' they
    are read with their decimal point, as before (review21)."""
    path = write(tmp_path, "date;y\n2020-01-01;0.001\n2020-02-01;0,5\n2020-03-01;-0.250\n2020-04-01;2,5\n")
    assert list(load_series(path)) == [0.001, 0.5, -0.25, 2.5]


def test_grouped_numbers_leave_times_alone(tmp_path):
    """A column holding ':' is times: '10 000' beside '2020-01-01 10:00' is not ten thousand."""
    from seqcast import data

    assert data._grouping(["2020-01-01 10:00", "1 000"]) is None
    assert data._number_column(["1 000,5", "7"], False) == ["1000.5", "7"]
    cells = ["1.5", "2"]
    assert data._number_column(cells, True) is cells  # nothing to read: the cells themselves


@pytest.mark.parametrize("first, which", [
    ("Jan-49", "1949 or 2049?"), ("Jan 20", "1920 or 2020?"), ("jan/75", "1975 or 2075?"), ("Jan '49", "1949 or 2049?"),
    ("49-Jan", "1949 or 2049?"), ("20-Jan", "day 20 of Jan, or the year 1920 or 2020?"),
])
def test_a_month_with_a_two_digit_year_is_refused_not_given_a_century(tmp_path, first, which):
    """Excel's mmm-yy: 'Jan-49' .. 'Dec-60' (the airline) read as 2049 .. 2060 (dateutil's century follows the clock),
    'Jan-20' .. as 'cannot be parsed'. Both are refused with the fix."""
    months = pd.date_range("1949-01-01", periods=24, freq="MS")
    cells = [first] + [d.strftime("%b-%y") for d in months[1:]]
    path = write(tmp_path, "date,y\n" + "\n".join(f"{c},{i}" for i, c in enumerate(cells)) + "\n")
    message = "^" + re.escape(f"line 2: date {first!r} in column 'date' has no four-digit year ({which}); write the year in four")
    with pytest.raises(DataError, match=message):
        load_series(path)
    with pytest.raises(DataError, match="^row 0: date .* has no four-digit year"):
        load_series(pd.DataFrame({"date": cells, "y": np.arange(24.0)}))
    s = load_series(write(tmp_path, "date,y\n" + "\n".join(f"{d:%b-%Y},{i}" for i, d in enumerate(months)) + "\n"))
    assert s.index[0] == pd.Timestamp("1949-01-01") and s.index.freqstr == "MS"  # the fix reads


@pytest.mark.parametrize("label", ["FY2015Q1", "FY15Q1", "FY2015-Q1", "fy2015 q1", "Q1 FY2015"])
def test_a_fiscal_quarter_is_refused_naming_why_and_the_fix(tmp_path, label):
    """'FY2015Q1' was "cannot be parsed; write every date in one format": its months depend on the fiscal year's start."""
    cells = [label.replace("Q1", f"Q{q}").replace("q1", f"q{q}") for q in (1, 2, 3, 4)]
    message = "^" + re.escape(f"line 2: date {label!r} in column 'period' is a fiscal quarter, whose months depend on when "
                              "the fiscal year starts; write each quarter's first day, e.g. 2014-10-01, or drop 'FY'")
    with pytest.raises(DataError, match=message):
        load_series(write(tmp_path, "period,y\n" + "\n".join(f"{c},{i}" for i, c in enumerate(cells)) + "\n"))
    calendar = load_series(pd.DataFrame({"period": [f"2015 Q{q}" for q in (1, 2, 3, 4)], "y": np.arange(4.0)}))
    assert calendar.index[0] == pd.Timestamp("2015-01-01")  # the fix reads


def test_a_column_of_timestamps_and_date_text_names_the_conversion():
    """It read "date '2020-01-02' ... cannot be parsed (the first date reads '2020-01-01T00:00:00')"."""
    df = pd.DataFrame({"when": [pd.Timestamp("2020-01-01"), "2020-01-02", pd.Timestamp("2020-01-03"), "2020-01-04"],
                       "y": np.arange(4.0)})
    with pytest.raises(DataError, match="^" + re.escape("row 1: date '2020-01-02' in column 'when' is text in a column of dates "
                                                        "and text; convert the column first, e.g. df[name] = pd.to_datetime(")):
        load_series(df)
    df["when"] = pd.to_datetime(df["when"], format="mixed")  # the fix reads
    assert load_series(df).index[1] == pd.Timestamp("2020-01-02")


def test_excels_day_month_two_digit_year_is_refused_when_read_into_the_future():
    """'1-Jan-49' (Excel's d-mmm-yy) read as 2049-01-01 silently (review20)."""
    cells = [f"{d}-Jan-49" for d in range(1, 10)]
    with pytest.raises(DataError, match="^" + re.escape("row 0: date '1-Jan-49' in column 'date' has no four-digit year "
                                                        "(1949 or 2049?); write the year in four digits, e.g. 2049-01-01 or 1-Jan-2049")):
        load_series(pd.DataFrame({"date": cells, "y": np.arange(9.0)}))
    past = load_series(pd.DataFrame({"date": [f"{d}-Jan-95" for d in range(1, 10)], "y": np.arange(9.0)}))
    assert past.index[0] == pd.Timestamp("1995-01-01")


@pytest.mark.parametrize("cells", [
    ["1/1/49 10:00", "1/1/49 11:00", "1/1/49 12:00"],
    ["31.12.60 10:00", "31.12.60 11:00", "31.12.60 12:00"],
    ["1-Jan-49 10:00:00", "1-Jan-49 11:00:00", "1-Jan-49 12:00:00"],
    ["1/1/49 10:00 AM", "1/1/49 11:00 AM", "1/1/49 12:00 PM"],
])
def test_a_two_digit_year_with_a_time_is_refused_when_read_into_the_future(cells):
    """'1/1/49 10:00' loaded as 2049-01-01 10:00 silently while '1/1/49' was refused (review21)."""
    with pytest.raises(DataError, match=re.escape(f"row 0: date '{cells[0]}' in column 'date' has no four-digit year")):
        load_series(pd.DataFrame({"date": cells, "y": [1.0, 2.0, 3.0]}))
    past = [c.replace("/49", "/22").replace(".60", ".22").replace("-49", "-22") for c in cells]
    assert load_series(pd.DataFrame({"date": past, "y": [1.0, 2.0, 3.0]})).index[0].year == 2022


@pytest.mark.parametrize("cells, message", [
    (["49/01/01", "49/01/02", "49/01/03"], ("date '49/01/01' in column 'date' has no four-digit year (1949 or 2049?); "
                                           "write the year in four digits, e.g. 2049/01/01")),
    (["30-01", "30-02", "30-03"], "date '30-01' in column 'date' cannot be parsed"),
])
def test_a_two_digit_year_message_names_the_year(cells, message):
    """'49/01/01' (yy/mm/dd) was refused as '1901 or 2001?, e.g. 49/01/2001', and '30-01' as '1901 or 2001?, e.g.
    30-2001': the day was taken for the year (review21)."""
    with pytest.raises(DataError, match=re.escape(f"row 0: {message}")):
        load_series(pd.DataFrame({"date": cells, "y": [1.0, 2.0, 3.0]}), freq="D")


def test_text_that_is_no_date_beside_timestamps_gets_no_conversion_advice_and_times_of_day_are_refused():
    """[Timestamp, 'total', ...] was advised pd.to_datetime(format='mixed'), which fails on 'total' (review21); a column of
    datetime.time objects was a TypeError traceback."""
    import datetime

    df = pd.DataFrame({"date": [pd.Timestamp("2020-01-01"), "total", pd.Timestamp("2020-01-03")], "y": np.arange(3.0)})
    with pytest.raises(DataError, match=r"^row 1: date 'total' in column 'date' cannot be parsed"):
        load_series(df)
    times = pd.DataFrame({"date": [datetime.time(10), datetime.time(11)], "y": [1.0, 2.0]})
    with pytest.raises(DataError, match=r"^row 0: the date in column 'date' is a time of day \(10:00:00\) with no day; "):
        load_series(times)


@pytest.mark.parametrize("fmt, fix", [("{d}.Jan.49", "2049-01-01 or 1-Jan-2049"), ("Jan {d} 49", "2049-01-01 or 1-Jan-2049"),
                                       ("Jan {d}, 49", "2049-01-01 or 1-Jan-2049")])
def test_dotted_and_month_first_two_digit_years_are_refused_too(fmt, fix):
    """'1.Jan.49' and 'Jan 1 49' still loaded as 2049 (review21)."""
    cells = [fmt.format(d=d) for d in range(1, 10)]
    with pytest.raises(DataError, match="^" + re.escape(f"row 0: date {cells[0]!r} in column 'date' has no four-digit year "
                                                        f"(1949 or 2049?); write the year in four digits, e.g. {fix} ")):
        load_series(pd.DataFrame({"date": cells, "y": np.arange(9.0)}))


def test_a_month_and_two_digits_that_may_be_a_day_says_both_readings():
    """'12-25' was refused as '(1925 or 2025?)' only; it may be 25 December (review21)."""
    with pytest.raises(DataError, match="^" + re.escape("row 0: date '12-25' in column 'date' has no four-digit year (1925 or "
                                                        "2025, or day 25 of month 12?); write the year in four digits")):
        load_series(pd.DataFrame({"date": ["12-25", "12-26", "12-27"], "y": [1.0, 2.0, 3.0]}))
    with pytest.raises(DataError, match=re.escape("(1949 or 2049?)")):  # no day 49
        load_series(pd.DataFrame({"date": ["01/49", "02/49", "03/49"], "y": [1.0, 2.0, 3.0]}))


def test_a_two_digit_year_read_into_the_past_stands():
    """Only a reading into a future year is refused: 'Jan-95' is 1995, and '1/22/20' (the JHU COVID-19 files' dates)
    2020, as they were read before."""
    months = pd.date_range("1995-01-01", periods=24, freq="MS")
    assert load_series(pd.DataFrame({"date": [f"{d:%b-%y}" for d in months], "y": np.arange(24.0)})).index[0] == months[0]
    days = pd.date_range("2020-01-22", periods=30, freq="D")
    s = load_series(pd.DataFrame({"date": [f"{d.month}/{d.day}/{d:%y}" for d in days], "y": np.arange(30.0)}))
    assert (s.index == days).all()


def test_a_two_digit_year_read_into_next_year_stands_where_excel_reads_it_alike():
    """A plan or budget file ('1/1/27') or a daily file running into next year ('12/31/26', '1/1/27') was refused as
    '1927 or 2027?' (review20): Excel reads 00..29 as 2000..2029, as dateutil does, so only a year after 2029 is refused."""
    year = pd.Timestamp.now().year + 1
    if year > 2029:
        pytest.skip("next year is beyond Excel's 2029")
    days = pd.date_range(f"{year - 1}-12-20", periods=30, freq="D")
    s = load_series(pd.DataFrame({"date": [f"{d.month}/{d.day}/{d:%y}" for d in days], "y": np.arange(30.0)}))
    assert (s.index == days).all()
    months = pd.date_range(f"{year}-01-01", periods=12, freq="MS")
    s = load_series(pd.DataFrame({"date": [f"{d.month}/1/{d:%y}" for d in months], "y": np.arange(12.0)}), freq="MS")
    assert (s.index == months).all()
    with pytest.raises(DataError, match=r"^row 0: date '1/1/30' in column 'date' has no four-digit year \(1930 or 2030\?\)"):
        load_series(pd.DataFrame({"date": [f"{m}/1/30" for m in range(1, 13)], "y": np.arange(12.0)}), freq="MS")


@pytest.mark.parametrize("fmt, first, fix", [
    ("%m/%d/%y", "01/01/49", "01/01/2049"), ("%d.%m.%y", "01.01.49", "01.01.2049"), ("%m/%y", "01/49", "01/2049"),
    ("%m-%y", "01-49", "01-2049"),
])
def test_a_numeric_date_with_a_two_digit_year_is_refused_not_given_a_century(tmp_path, fmt, first, fix):
    """'1/1/49' .. read as 2049 (with --freq, or month-year cells as '01/49'), like Excel's 'Jan-49'."""
    months = pd.date_range("1949-01-01", periods=24, freq="MS")
    path = write(tmp_path, "date;y\n" + "\n".join(f"{d.strftime(fmt)};{i}" for i, d in enumerate(months)) + "\n")
    message = "^" + re.escape(f"line 2: date {first!r} in column 'date' has no four-digit year (1949 or 2049?); "
                              f"write the year in four digits, e.g. {fix} (in Excel")
    with pytest.raises(DataError, match=message):
        load_series(path, freq="MS")
    four = write(tmp_path, "date;y\n" + "\n".join(f"{d.strftime(fmt.replace('y', 'Y'))};{i}" for i, d in enumerate(months)) + "\n")
    assert load_series(four, freq="MS").index[0] == pd.Timestamp("1949-01-01")  # the fix reads


def test_season_length_of_a_relative_date_offset():
    """pd.DateOffset(months=2) from Python gave None where '2MS' gives 6."""
    assert season_length(pd.DateOffset(months=2)) == season_length("2MS") == 6
    assert season_length(pd.DateOffset(months=1)) == 12 and season_length(3 * pd.DateOffset(months=1)) == 4
    assert season_length(pd.DateOffset(weeks=1)) == 52 and season_length(pd.DateOffset(days=7)) == 52
    assert season_length(pd.DateOffset()) == 7 and season_length(pd.DateOffset(hours=1)) == 24  # (a day by default)
    assert season_length(pd.DateOffset(years=1)) is None and season_length(pd.DateOffset(months=5)) is None
    assert season_length(pd.DateOffset(months=1, days=1)) is None and season_length(pd.DateOffset(month=2)) is None


def test_a_frame_without_columns_or_an_index_with_a_missing_date_is_refused():
    """Refusals no test reached (coverage audit): a DataFrame of no columns, a DatetimeIndex holding NaT."""
    with pytest.raises(DataError, match="the DataFrame has no columns; pass one with a column of numbers"):
        load_series(pd.DataFrame(index=range(3)))
    s = pd.Series([1.0, 2, 3], index=pd.DatetimeIndex(["2020-01-01", None, "2020-01-03"]))
    with pytest.raises(DataError, match=re.escape("row 1: the date in the index is missing (NaT); fix or remove that row")):
        load_series(s)


# --------------------------------------------------------------------------- #
# Fast paths of reading a CSV file, against the slow ones
# --------------------------------------------------------------------------- #


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet="0123456789-/.: Te+_\u0663", max_size=22))
def test_a_plain_date_is_what_the_cell_by_cell_checks_call_a_date_text(cell):
    """`_detect_dates` takes a column of cells `_PLAIN_DATE_RE` matches without asking each whether it is missing, a number
    or stripped, and `_read_text_dates` finds their ASCII digits at once: both as the checks one by one answer."""
    from seqcast.data import _PLAIN_DATE_RE, _is_missing, _number, _stripped_date_cells

    if _PLAIN_DATE_RE.fullmatch(cell):
        assert not _is_missing(cell) and _number(cell) is None and cell == cell.strip() and _stripped_date_cells([cell]) == [cell]
        assert any(ch.isdigit() for ch in cell)


DATE_COLUMNS = {
    "hourly ISO": list(pd.date_range("2020-03-28", periods=72, freq="h").strftime("%Y-%m-%d %H:%M:%S")),
    "ISO T, fractions": list(pd.date_range("2020-01-01", periods=10, freq="500ms").strftime("%Y-%m-%dT%H:%M:%S.%f")),
    "months": ["2020-01", "2020-02", "2020-03", "2020-04"],
    "slash day-first": list(pd.date_range("2020-01-01", periods=40, freq="D").strftime("%d/%m/%Y")),
    "slash ambiguous": [f"{d:02d}/01/2020" for d in range(1, 11)],
    "dots": ["1.2.2020", "1.3.2020", "1.4.2020", "1.5.2020"],
    "two-digit years": ["1/1/49", "2/1/49", "3/1/49"],
    "a bad date among them": ["2020-01-01", "2020-13-01", "2020-01-03", "2020-01-04"],
    "no plain date": ["2020-01-01", " 2020-01-02", "Jan 3 2020"],
    "numbers": ["1.5", "2.5", "3.5"],
}


@pytest.mark.parametrize("name", list(DATE_COLUMNS))
def test_date_detection_fast_path_gives_what_the_slow_one_gives(monkeypatch, name):
    from seqcast import data

    cells = DATE_COLUMNS[name]
    assert all(map(data._PLAIN_DATE_RE.fullmatch, cells)) == (name not in ("no plain date", "numbers"))  # the fast path
    fast = data._detect_dates(cells)
    monkeypatch.setattr(data, "_PLAIN_DATE_RE", re.compile(r"(?!)"))  # matches nothing: every cell checked one by one
    monkeypatch.setattr(data, "_ASCII_DIGIT_RE", re.compile(r"(?!)"))
    slow = data._detect_dates(cells)
    assert fast[0] == slow[0] and (fast[1] is None) == (slow[1] is None)
    if slow[1] is not None:
        assert fast[1].texts == slow[1].texts and fast[1].dates.equals(slow[1].dates)
        assert fast[1].dates.dtype == slow[1].dates.dtype and fast[1].dates.freq == slow[1].dates.freq
        assert (fast[1].day_first is None) == (slow[1].day_first is None)
        assert slow[1].day_first is None or fast[1].day_first.equals(slow[1].day_first)


def load_robust_csv(monkeypatch, path, **kw):
    """load_series with Python's csv module reading the file, as before pandas' parser did."""
    from seqcast import data

    with monkeypatch.context() as m:
        m.setattr(data, "_pandas_csv", lambda *args, **kwargs: None)
        return load_series(path, **kw)


def _hourly(n: int = 48, sep: str = ",", decimal: str = ".", eol: str = "\n", fmt: str = "%Y-%m-%d %H:%M:%S") -> str:
    dates = pd.date_range("2024-03-30", periods=n, freq="h").strftime(fmt)
    return f"date{sep}value{eol}" + "".join(f"{d}{sep}{str(k * 0.1 - 1).replace('.', decimal)}{eol}" for k, d in enumerate(dates))


CSV_FAST = {
    "hourly ISO": (_hourly(), {}),
    "no newline at the end, CRLF": (_hourly(eol="\r\n").rstrip(), {}),
    "semicolons and decimal commas": (_hourly(sep=";", decimal=","), {}),
    "day-first slash dates": (_hourly(fmt="%d/%m/%Y %H:%M"), {}),
    "empty cells interpolated": (_hourly().replace(",0.5\n", ",\n").replace(",1.0\n", ", NA \n"), {"fill": "interpolate"}),
    "quoted as R writes it": ('"date","value"\n' + "".join(f'"2020-01-{d:02d}",{d}\n' for d in range(1, 9)), {}),
    "no header, spaces": ("".join(f" 2020-{m:02d}-01 , {m} \n" for m in range(1, 13)), {}),
    "one column": ("value\n" + "".join(f"{v}\n" for v in range(10)), {}),
    "three columns": ("id,when,y\n" + "".join(f"{k},2020-01-{k:02d},{k * 2}\n" for k in range(1, 9)), {"column": "y"}),
}


@pytest.mark.parametrize("name", list(CSV_FAST))
def test_csv_fast_path_gives_what_the_robust_reader_gives(tmp_path, monkeypatch, name):
    from seqcast.data import _pandas_csv

    text, kw = CSV_FAST[name]
    path = tmp_path / "data.csv"
    path.write_bytes(text.encode())
    read = _pandas_csv(path, lambda head: {"dtype": object, "na_filter": False})
    assert read is not None and read[3]  # taken by pandas' parser, each record on its line
    got, want = load_series(path, **kw), load_robust_csv(monkeypatch, path, **kw)
    pd.testing.assert_series_equal(got, want, check_exact=True, check_freq=True)
    assert got.attrs == want.attrs and getattr(got.index, "freq", 0) == getattr(want.index, "freq", 0)


CSV_ODD = {  # left to the robust reader: the same message (naming the line) or the same series
    "a blank line": "date,value\n2020-01-01,1\n\n2020-01-02,2\n2020-01-03,3\n",
    "a line of spaces": "date,value\n2020-01-01,1\n   \n2020-01-02,2\n2020-01-03,3\n",
    "a line of separators": "date,value\n2020-01-01,1\n,\n2020-01-02,2\n2020-01-03,3\n",
    "a short row": "date,value,note\n2020-01-01,1,x\n2020-01-02,2\n2020-01-03,3,x\n",
    "a long row": "date,value\n2020-01-01,1\n2020-01-02,2,x\n2020-01-03,3\n",
    "a short row beside a separator in quotes": 'date,value,note\n2020-01-01,1,"p,q"\n2020-01-02,2\n2020-01-03,3,x\n',
    "a line break in quotes": 'date,value,note\n2020-01-01,1,"p\nq"\n2020-01-02,x,y\n2020-01-03,3,x\n',
    "a lone carriage return": "date,value\r\n2020-01-01,1\r2020-01-02,x\r\n2020-01-03,3\r\n",
    "an Excel sep line": "sep=;\ndate;value\n2020-01-01;1\n2020-01-02;x\n2020-01-03;3\n",
    "a separator ending every line": "date;value;\n2020-01-01;1,5;\n2020-01-02;2;\n2020-01-03;3;\n",
    "pipes": "date|value\n2020-01-01|1\n2020-01-02|2\n",
    "a NUL": "date,value\n2020-01-01,1\n2020-01-02,\0\n2020-01-03,3\n",
    "a BOM after the start": "\ufeffdate,value\n2020-01-01,1\n\ufeff2020-01-02,2\n2020-01-03,3\n",
    "Latin-1": "date,value\n2020-01-01,1\n2020-01-02,caf\xe9\n",
    "a gap": "date,value\n2020-01-01,1\n2020-01-02,2\n2020-01-03,3\n2020-01-05,5\n",
    "a bad value": "date,value\n2020-01-01,1\n2020-01-02,1_000\n2020-01-03,3\n",
    "a duplicated date": "date,value\n2020-01-01,1\n2020-01-02,2\n2020-01-02,3\n2020-01-03,3\n",
}


@pytest.mark.parametrize("name", list(CSV_ODD))
def test_csv_fast_path_refuses_what_the_robust_reader_refuses_with_its_message(tmp_path, monkeypatch, name):
    path = tmp_path / "data.csv"
    text = CSV_ODD[name]
    path.write_bytes(text.encode("latin-1") if name == "Latin-1" else text.encode())

    def outcome(load):  # the series, or the message
        try:
            return load()
        except DataError as exc:
            return str(exc)

    got, want = outcome(lambda: load_series(path)), outcome(lambda: load_robust_csv(monkeypatch, path))
    assert type(got) is type(want)
    if isinstance(want, str):
        assert got == want
    else:
        pd.testing.assert_series_equal(got, want, check_exact=True, check_freq=True)
        assert got.attrs == want.attrs


@settings(max_examples=300, deadline=None)
@given(st.lists(st.lists(st.text(alphabet='a1 ,;"\n\r.', max_size=5), min_size=1, max_size=3), min_size=1, max_size=5),
       st.sampled_from([",", ";"]), st.sampled_from(["\n", "\r\n"]))
def test_pandas_reads_csv_cells_and_lines_as_the_csv_module_does_or_leaves_the_file(tmp_path_factory, rows, sep, eol):
    from seqcast.data import _csv_columns, _read_csv_table

    path = tmp_path_factory.mktemp("csv") / "data.csv"
    path.write_bytes(eol.join(sep.join(row) for row in rows).encode())
    try:
        want_rows, want_lines, want_sep = _read_csv_table(path)
    except DataError as exc:
        with pytest.raises(DataError, match=re.escape(str(exc))):
            _csv_columns(path)
        return
    want = [[record[j].strip() for record in want_rows] for j in range(len(want_rows[0]))]
    assert _csv_columns(path) == (want, want_lines, want_sep)


def test_korean_japanese_and_chinese_dates_read_as_the_dates_they_are(tmp_path):
    """Korean Excel's '1949년 1월', '1949년 01월 01일', '2020-01-01 오후 3:00:00' and Japanese / Chinese '1949年1月', '1949年1月1日',
    午前 / 午後, 上午 / 下午 could not be parsed ("2 columns could hold the values" without a date column); they read as the
    same dates written 1949-01, 1949-01-01, 15:00 do, with the same frequency."""
    months = [(y, m) for y in (1949, 1950) for m in range(1, 13)]

    def read(spell, name="월"):
        return load_series(write(tmp_path, f"{name},승객수\n" + "".join(f"{spell(y, m)},{i}\n" for i, (y, m) in enumerate(months))))

    iso = read(lambda y, m: f"{y}-{m:02d}")
    assert iso.index.freqstr == "MS"
    for spell in (lambda y, m: f"{y}년 {m}월", lambda y, m: f"{y}년{m}월", lambda y, m: f"{y}년 {m:02d}월 01일",
                  lambda y, m: f"{y}-{m:02d}-01 오전 12:00:00", lambda y, m: f"{y}年{m}月", lambda y, m: f"{y}年{m}月1日",
                  lambda y, m: f"{y}年{m}月1日 午前 0:00", lambda y, m: f"{y}/{m}/1 上午 12:00:00"):
        s = read(spell)
        assert s.index.equals(iso.index) and s.index.freqstr == "MS" and s.name == "승객수" and list(s) == list(iso)
    assert read(lambda y, m: f"{y}년 {m}월", name="date").index.equals(iso.index)  # with --date-column's name too

    hours = pd.date_range("2020-01-01", periods=30, freq="h")
    for spell in ("{d:%Y-%m-%d} {h} {d:%I}:00:00", "{d:%Y. %-m. %-d.} {h} {d:%-I}:00:00", "{d:%Y}年{d:%-m}月{d:%-d}日 {h}{d:%-I}:00",
                  "{d:%Y}년 {d:%-m}월 {d:%-d}일 {h} {d:%-I}시 00분"):
        for am, pm in (("오전", "오후"), ("午前", "午後"), ("上午", "下午")):
            cells = [spell.format(d=d, h=am if d.hour < 12 else pm) for d in hours]
            s = load_series(write(tmp_path, "time,y\n" + "".join(f"{c},{i}\n" for i, c in enumerate(cells))))
            assert s.index.equals(pd.DatetimeIndex(hours, freq="h")), cells[:14]
    s = load_series(write(tmp_path, "d,y\n2020년 1월 1일 수요일,1\n2020년 1월 2일 목요일,2\n2020年1月3日(金),3\n"))  # a weekday
    assert s.index.equals(pd.date_range("2020-01-01", periods=3, freq="D"))

    frame = pd.DataFrame({"월": [f"{y}년 {m}월" for y, m in months], "v": range(24)})  # text dates in a DataFrame, or its index
    assert load_series(frame).index.equals(iso.index)
    assert load_series(frame.set_index("월")["v"]).index.equals(iso.index)


def test_korean_and_japanese_dates_that_are_wrong_or_mixed_are_refused_naming_the_line(tmp_path):
    """A month 13 is named as any date that cannot be parsed is; a column is read in the format of its first date, so CJK
    dates after '1949-01' (or '1949-04-01' after '1949년 1월', which reads as '1949-01') are refused as other mixed formats."""
    for text, line, bad, first in (("1949년 1월,1\n1949년 13월,2\n1949년 3월,3\n", 3, "1949년 13월", "1949년 1월"),
                                   ("1949年1月1日,1\n1949年2月30日,2\n1949年3月1日,3\n", 3, "1949年2月30日", "1949年1月1日"),
                                   ("1949-01,1\n1949년 2월,2\n1949-03,3\n", 3, "1949년 2월", "1949-01"),
                                   ("1949년 1월,1\n1949-02,2\n1949-04-01,3\n1949년 4월,4\n", 4, "1949-04-01", "1949년 1월")):
        for date_column in (None, "월"):
            with pytest.raises(DataError, match=rf"^line {line}: date '{bad}' in column '월' cannot be parsed \(the first date "
                                                rf"reads '{first}'\); write every date in one format"):
                load_series(write(tmp_path, "월,y\n" + text), date_column=date_column)


# ---- encoding=: CSV files that are not UTF-8 -----------------------------------------------------------

MONTHS = pd.date_range("2015-01-01", periods=24, freq="MS")
VALUES = [round(100 + 3 * i + 7 * np.sin(i), 2) for i in range(24)]


def encoded(tmp_path: Path, header: str, encoding: str, name: str, blank: bool = False) -> Path:
    """A monthly CSV `header` + 24 rows in `encoding`; `blank`: with an empty line, which leaves it to the robust reader."""
    lines = [header] + [f"{d:%Y-%m-%d},{v}" for d, v in zip(MONTHS, VALUES)]
    if blank:
        lines.insert(5, "")
    path = tmp_path / name
    path.write_bytes(("\r\n".join(lines) + "\r\n").encode(encoding))
    return path


@pytest.mark.parametrize("blank", [False, True], ids=["pandas-reader", "robust-reader"])
@pytest.mark.parametrize("encoding, header", [("cp949", "월,승객수"), ("cp1252", "Datum,Umsatz €"),
                                              ("latin-1", "date,café"), ("cp932", "日付,売上")])
def test_encoding_reads_excel_csv_files_of_other_code_pages(tmp_path, encoding, header, blank):
    """Korean Excel saves 'CSV' in cp949, Western Windows Excel in cp1252, Japanese in cp932: refused (one line naming the
    option), and read with encoding=: the same series as the file saved as UTF-8, by both readers."""
    path = encoded(tmp_path, header, encoding, "export.csv", blank)
    utf8 = load_series(encoded(tmp_path, header, "utf-8", "utf8.csv", blank))
    with pytest.raises(DataError, match=r"^file '.*export.csv' is not UTF-8 text: line 1 .*encoding="):
        load_series(path)
    s = load_series(path, encoding=encoding)
    assert s.name == header.split(",")[1] and s.index.freqstr == "MS"
    pd.testing.assert_series_equal(s, utf8)
    from seqcast.data import _pandas_csv

    fast = _pandas_csv(path, lambda head: {"dtype": object, "na_filter": False}, encoding=encoding)
    assert fast is not None and fast[3] is not blank  # pandas' parser read it; a blank line: the robust reader's turn


def test_a_korean_file_is_named_as_cp949_and_others_are_not(tmp_path):
    """The refusal of a Korean Excel file says which encoding reads it; a Latin-1 or Japanese one is not taken for it."""
    with pytest.raises(DataError, match=r"it reads as cp949 \(Korean\): pass encoding='cp949' \(CLI --encoding cp949\), "
                                        r"or save it as UTF-8 \(in Excel: CSV UTF-8\)$"):
        load_series(encoded(tmp_path, "월,승객수", "cp949", "kr.csv"))
    for header, encoding in (("date,café", "latin-1"), ("日付,売上", "cp932")):
        with pytest.raises(DataError, match=r"cp1252 for Western Windows, cp932 for Japanese$") as e:
            load_series(encoded(tmp_path, header, encoding, "other.csv"))
        assert "reads as cp949" not in str(e.value)


def test_a_korean_file_s_refusal_quotes_its_line_as_cp949_reads_it(tmp_path):
    """The refusal quoted the line as UTF-8 read it, U+FFFD for every Hangul byte ('��,�����' for '주,매출액'): the
    line as cp949 reads it, the encoding the message then names."""
    path = encoded(tmp_path, "주,매출액", "cp949", "주간 매출.csv")
    with pytest.raises(DataError, match=r"^file '.*주간 매출.csv' is not UTF-8 text: line 1 \('주,매출액' in cp949\) holds "
                                        r"the byte 0xc1; it reads as cp949 \(Korean\)") as e:
        load_series(path)
    assert "\ufffd" not in str(e.value)


def test_bytes_the_given_encoding_does_not_decode_are_named_by_line(tmp_path):
    """encoding= that is not the file's: one line naming the line and the byte, as for a file that is not UTF-8."""
    path = encoded(tmp_path, "date,y", "utf-8", "mixed.csv")
    path.write_bytes(path.read_bytes() + "2017-01-01,Umsatz é\r\n".encode("cp1252"))  # 0xe9 0x0d: no cp949 character
    for loader in (load_series, load_long):
        with pytest.raises(DataError, match=r"^file '.*mixed.csv' is not cp949 text: line 26 \('2017-01-01,Umsatz \ufffd'\) "
                                            r"holds the byte 0xe9, which cp949 does not decode; pass the file's encoding "
                                            r"\(encoding=, CLI --encoding\) or save it as UTF-8 \(in Excel: CSV UTF-8\)$"):
            loader(path, encoding="cp949")
    utf16 = tmp_path / "utf16.csv"
    utf16.write_bytes("date,y\n2015-01-01,1\n2015-02-01,2\n2015-03-01,3\n".encode("utf-16-le") + b"\x00\xd8")  # a lone surrogate
    with pytest.raises(DataError, match=r"^file '.*utf16.csv' is not utf-16-le text: line 5 \('\ufffd'\) holds the byte 0x00, "):
        load_series(utf16, encoding="utf-16-le")


def test_kept_encoding_reads_a_file_in_utf8_as_utf8(tmp_path):
    """A model's kept encoding (fit --encoding cp949) is used for a file that is not UTF-8, and not for one that is (valid
    UTF-8, or a byte-order mark): a cp949 model given the same data saved as UTF-8 since refused it as 'not cp949 text'."""
    from seqcast.data import kept_encoding

    text = "월,승객수\n2020-01,1\n"
    files = {"cp949": text.encode("cp949"), "utf8": text.encode("utf-8"), "ascii": b"date,y\n2020-01,1\n",
             "bom": codecs.BOM_UTF8 + text.encode("utf-8"), "utf16": text.encode("utf-16")}
    for name, raw in files.items():
        (tmp_path / f"{name}.csv").write_bytes(raw)
    assert kept_encoding(tmp_path / "cp949.csv", "cp949") == "cp949"
    for name in ("utf8", "ascii", "bom", "utf16"):
        assert kept_encoding(tmp_path / f"{name}.csv", "cp949") is None, name
        assert kept_encoding(str(tmp_path / f"{name}.csv"), None) is None
    assert kept_encoding(tmp_path / "missing.csv", "cp949") == "cp949"  # the loader says it is missing, as before
    assert kept_encoding(pd.DataFrame({"y": [1.0]}), "cp949") == "cp949"  # not a path: the loader ignores it
    assert kept_encoding("airline", "cp949") == "cp949"


@pytest.mark.parametrize("bad", ["kr", "base64", "rot13", "", 949])
def test_an_encoding_python_does_not_know_is_a_config_error(tmp_path, bad):
    """An unknown codec name, or one of bytes (base64) or of text (rot13), is refused before the file is read."""
    path = encoded(tmp_path, "date,y", "utf-8", "data.csv")
    for loader in (load_series, load_long):
        with pytest.raises(ConfigError, match=r"^`encoding` must be a codec Python knows, such as utf-8, cp949, cp1252, "
                                              rf"latin-1\. Received: encoding={re.escape(repr(bad))}$"):
            loader(path, encoding=bad)


def test_encoding_none_keeps_the_detection_and_explicit_unicode_works(tmp_path):
    """encoding=None reads UTF-8 with its BOM and UTF-16 by its mark, as before; 'utf-8' drops a BOM as detection does,
    'utf-16' reads a UTF-16 file (by the robust reader: its separators are two bytes); Parquet files ignore it."""
    want = load_series(encoded(tmp_path, "date,y", "utf-8", "plain.csv"))
    bom = encoded(tmp_path, "date,y", "utf-8-sig", "bom.csv")
    utf16 = encoded(tmp_path, "date,y", "utf-16", "utf16.csv")
    for path, encoding in ((bom, None), (bom, "utf-8"), (bom, "UTF8"), (utf16, None), (utf16, "utf-16")):
        pd.testing.assert_series_equal(load_series(path, encoding=encoding), want)
    parquet = tmp_path / "data.parquet"
    pd.DataFrame({"date": MONTHS, "y": VALUES}).to_parquet(parquet)
    pd.testing.assert_series_equal(load_series(parquet, encoding="cp949"), want)
