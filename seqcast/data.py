"""Load and validate one univariate time series.

The single entry point is :func:`load_series`. It accepts a CSV or Parquet path, a
pandas Series or DataFrame, a numpy array or a list, and returns a clean ``float64``
``pd.Series``:

* indexed by a ``DatetimeIndex`` (in nanoseconds, with pandas 2 and 3 alike) whose ``freq`` is set
  when the data has dates, or by a ``RangeIndex`` (0..n-1) when it has none;
* named after the value column (``"y"`` when there is no name);
* with ``series.attrs["filled"]`` = the number of values filled by ``fill`` (and where: :mod:`seqcast.gaps`).

Every problem with the data raises :class:`seqcast.errors.DataError` (bad option
values raise :class:`seqcast.errors.ConfigError`) with a one-line message that
says what is wrong, where (the CSV line number as an editor shows it, or the
0-based row), and how to fix it.

Helpers: :func:`season_length` (the seasonal period of a pandas frequency) and
:func:`future_index` (the index of the next ``horizon`` steps).

Many series in long format (unique_id, ds, y) are read by :mod:`seqcast.long`, with the
cell, date and frequency rules defined here.
"""

from __future__ import annotations

import codecs
import contextlib
import csv
import datetime
import decimal
import math
import numbers
import os
import re
import shlex
import threading
import warnings
from collections import Counter
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, NamedTuple

import numpy as np
import pandas as pd
from pandas.tseries.frequencies import to_offset

from seqcast import gaps as filled_values
from seqcast.errors import ConfigError, DataError, out_of_memory
from seqcast.windows import is_real, unmasked

__all__ = ["FILL_METHODS", "future_index", "load_series", "season_length"]

def __getattr__(name: str):
    """`seqcast.data.load_long` and friends, from before long format moved to :mod:`seqcast.long`."""
    if name in ("load_long", "to_long", "is_long"):
        from seqcast import long

        return getattr(long, name)
    raise AttributeError(f"module 'seqcast.data' has no attribute {name!r}")


#: Accepted values of the ``fill`` option.
FILL_METHODS = ("none", "ffill", "interpolate")

_QUIET_LOCK = threading.RLock()


@contextlib.contextmanager
def _quiet(message: str = "", category: type[Warning] = Warning):
    """pandas' warnings (or those matching `message` and `category`) silenced, one thread at a time: `warnings.catch_warnings`
    saves and restores the process-wide filter list, so two threads inside it at once (a service forecasting in threads,
    or drawing figures: report._fig_bytes) could leave 'ignore' behind for good, silencing every warning of the process."""
    with _QUIET_LOCK, warnings.catch_warnings():
        warnings.filterwarnings("ignore", message, category)
        yield


#: Cell texts (compared case-insensitively, after stripping) that mean "no value".
_MISSING_TOKENS = frozenset({"", "nan", "na", "n/a", "null", "none", "nat"})

#: How many items an error message lists before it says "...".
_MAX_LISTED = 3
#: The largest magnitude of a value: squares of values near 1.3e154 overflow 64-bit floats (variances, squared errors, a
#: standard scaler's, linear AR's), and sums of them sooner. No measurement comes near it (the atoms of the universe: 1e80).
MAX_VALUE = 1e150
_MAX_COLUMNS_LISTED = 20

#: Old pandas aliases (pandas < 2.2) and their pandas >= 2.2 spelling, both ways.
_ALIAS_NEW = {
    "M": "ME", "BM": "BME", "SM": "SME", "CBM": "CBME",
    "Q": "QE", "BQ": "BQE", "Y": "YE", "A": "YE", "BY": "BYE", "BA": "BYE",
    "AS": "YS", "BAS": "BYS", "H": "h", "BH": "bh", "CBH": "cbh",
    "T": "min", "S": "s", "L": "ms", "U": "us", "N": "ns",
}
_ALIAS_OLD = {
    "ME": "M", "BME": "BM", "SME": "SM", "CBME": "CBM", "QE": "Q", "BQE": "BQ",
    "YE": "A", "BYE": "BA", "h": "H", "bh": "BH", "cbh": "CBH",
    "min": "T", "s": "S", "ms": "L", "us": "U", "ns": "N",
}
#: The longest grid of dates or integer steps a series is spread onto to fill or list its gaps: this many points per value,
#: and at least _MAX_GRID_MIN. Beyond both, a date or step far from the others (a typo) is refused, not allocated.
_MAX_GRID_PER_VALUE, _MAX_GRID_MIN = 100, 10**7


def _grid_too_long(points: int, n: int) -> bool:
    return points > max(_MAX_GRID_PER_VALUE * n, _MAX_GRID_MIN)


#: File suffixes read as Parquet; any other file is read as CSV.
PARQUET_SUFFIXES = (".parquet", ".pq")

_ALIAS_RE = re.compile(r"^\s*(-?\d*)\s*([A-Za-z]+)(-[A-Za-z]+)?\s*$")

#: Offsets of one fixed length ('D', '7D', 'h', '15min'): pandas' Ticks, and Day, a Tick before pandas 3 only.
FIXED_STEPS = (pd.offsets.Tick, pd.offsets.Day)


# --------------------------------------------------------------------------- #
# Public API
# --------------------------------------------------------------------------- #


def load_series(
    source: Any,
    *,
    column: str | int | None = None,
    date_column: str | int | None = None,
    header: bool | None = None,
    freq: str | None = None,
    fill: str = "none",
    encoding: str | None = None,
) -> pd.Series:
    """Load one univariate time series and check that a model can use it.

    Args:
        source: a path (``str`` or ``pathlib.Path``) to a CSV file or a Parquet
            file (``.parquet`` / ``.pq``), a pandas Series, a pandas DataFrame,
            or a numpy array / list that is 1-D or 2-D with one column.
        column: the value column, by name or 0-based index (an int, or a str of
            digits when no column has that name; an int past the last column
            picks the column named with its digits, e.g. a header
            ``date,1990,2000`` and ``column=2000``). ``None``: the only column
            that is not the date column.
        date_column: the date column, same rules as ``column``. ``None``:
            auto-detect a column whose values look like dates and none like
            plain numbers (for a DataFrame a ``DatetimeIndex``/``PeriodIndex``
            counts as the dates; for a Series, its index; an integer index, of a
            Series or a DataFrame without a date column, holds time steps that
            must count up by 1). With two columns, one
            holding consecutive whole-number years (1700, 1701, ...; 1678 to
            2261) is taken as yearly dates (Jan 1st of each year). Dates such as
            01/02/1950 are read month-first unless day-first reading fits
            better (13/01/2020, or a regular series where month-first is not);
            when both readings are regular (a short file, every field <= 12),
            ``freq`` chooses, and without it the dates are refused as ambiguous.
            Timestamps whose UTC offset changes (daylight saving time) are
            converted to UTC; daily or coarser ones (one local time of day) keep
            their local dates and times.
        header: CSV only. ``None`` auto-detects: the first row is a header iff
            none of its cells is a number or a date, or its first cell is text
            without digits above numbers or dates (``date,1990,2000``: column
            names that are numbers). ``True``/``False`` force it. Ignored for
            other sources. The CSV separator is ``,``, or ``;`` or a tab when
            the first lines split into the same number of fields on it; a
            ``;``- or tab-separated file may write decimal commas (1120,5).
        freq: a pandas frequency alias ('MS', 'D', 'h', 'W-SUN', ...). ``None``
            infers it from the dates, or takes a ``DatetimeIndex``'s own ``freq``
            where inference fails or would see gaps; one that
            its name does not describe (a holiday calendar) is refused.
        fill: ``"none"`` (missing values and missing dates are errors),
            ``"ffill"`` (carry the last value forward) or ``"interpolate"``
            (linear in the position). Filling inserts the missing dates. Empty
            rows before the first value and after the last are dropped, not
            filled: the series starts and ends with its own values, and its
            forecasts start after its last one.
        encoding: CSV only: the file's text encoding, any codec Python knows
            (``"cp949"`` for Korean Excel's 'CSV', ``"cp1252"`` for Western
            Windows Excel's, ``"cp932"`` for Japanese). ``None`` reads UTF-8,
            with or without its byte-order mark, or UTF-16 / UTF-32 when the
            file starts with that mark, and refuses anything else. Ignored for
            other sources (Parquet text is always UTF-8).

    Returns:
        A ``float64`` Series, named after the value column (``"y"`` when it has
        no name), indexed by a ``DatetimeIndex`` with ``freq`` set, or by a
        ``RangeIndex`` when there are no dates. ``attrs["filled"]`` holds the
        number of filled values, ``attrs["dropped"]`` the empty rows dropped
        at the ends. Periods (a ``PeriodIndex`` or period column)
        become the timestamps their periods start at, so forecasts are dated
        with timestamps too (``fc["date"].dt.to_period("M")`` turns them back).

    Raises:
        DataError: the data cannot be used (the message says where and why).
        ConfigError: an option value is wrong.

    >>> import pandas as pd
    >>> df = pd.DataFrame({"month": ["2020-01", "2020-02", "2020-04"], "sales": [1.0, 2.0, 4.0]})
    >>> s = load_series(df, fill="interpolate")             # the date column is found, the missing March filled
    >>> s.tolist(), s.index.freqstr, s.attrs["filled"]
    ([1.0, 2.0, 3.0, 4.0], 'MS', 1)
    """
    fill = _check_fill(fill)
    offset = _check_freq(freq) if freq is not None else None
    check_encoding(encoding)
    if header is not None and not isinstance(header, bool):
        raise ConfigError(
            f"`header` must be True, False or None (auto-detect). Received: header={header!r}"
        )

    if isinstance(source, (str, Path)) and Path(source).suffix.lower() in PARQUET_SUFFIXES:
        frame = _read_parquet(Path(source).expanduser())
        if not isinstance(frame.index, (pd.DatetimeIndex, pd.PeriodIndex)):  # a stored row index (after a dropna,
            frame = frame.reset_index(drop=True)  # say) is no time; the command line could not name it: read as a CSV's rows
        raw = _from_frame(frame, column=column, date_column=date_column, many="")
    elif isinstance(source, (str, Path)):
        raw = _from_csv(source, column=column, date_column=date_column, header=header, encoding=encoding)
    elif isinstance(source, pd.DataFrame):
        raw = _from_frame(source, column=column, date_column=date_column)
    elif isinstance(source, pd.Series):
        _reject_table_options("a pandas Series", column, date_column)
        raw = _from_series(source)
    elif isinstance(source, (np.ndarray, list, tuple)) or array_like(source):
        _reject_table_options("an array or list", column, date_column)
        raw = _from_array(source)
    else:
        raise DataError(
            f"cannot load a series from a {type(source).__name__}; pass a CSV path, "
            f"a pandas Series or DataFrame, a numpy array or a list{to_pandas_hint(source)}"
        )
    return _finish(raw, offset=offset, fill=fill)


#: pd.DateOffset's relative units (months=2) as the offsets whose seasons `season_length` knows.
_RELATIVE_UNITS = {"years": pd.offsets.YearBegin, "months": pd.offsets.MonthBegin, "weeks": pd.offsets.Week,
                   "days": pd.offsets.Day, "hours": pd.offsets.Hour, "minutes": pd.offsets.Minute,
                   "seconds": pd.offsets.Second}


def season_length(freq: str | pd.DateOffset | None) -> int | None:
    """The seasonal period, in steps, of a pandas frequency (``None`` if none).

    Monthly 12, quarterly 4, weekly 52, daily 7 (a week), business-daily 5,
    business-hourly 8 (a day of 09:00-17:00), semi-monthly 24, yearly ``None``.
    Multiples divide the period when they can ('2W' -> 26, '3MS' -> 4, '7D' -> 52)
    and give ``None`` otherwise.
    Sub-daily steps count the steps in the longest of day / hour / minute that
    holds at most 288 of them: hourly 24, half-hourly 48, 15-minutely 96,
    5-minutely 288, minutely 60 (an hour), secondly 60 (a minute).

    Anchored aliases ('W-SUN', 'QS-OCT', 'YE-DEC') and the pre-pandas-2.2
    spellings ('M', 'Q', 'Y', 'A', 'H', 'T') are accepted.

    Raises:
        ConfigError: ``freq`` is not a pandas frequency.
    """
    if freq is None:
        return None
    offset = freq if isinstance(freq, pd.offsets.BaseOffset) else _check_freq(freq)
    if type(offset) is pd.DateOffset:  # pd.DateOffset(months=2): a step of one relative unit is that unit's offset
        units = {k: v for k, v in offset.kwds.items() if v} or {"days": 1}
        unit = _RELATIVE_UNITS.get(next(iter(units))) if len(units) == 1 else None
        return None if unit is None else season_length(unit(offset.n * int(next(iter(units.values())))))
    n = abs(int(getattr(offset, "n", 1))) or 1
    o = pd.offsets

    def per(cycle: int) -> int | None:
        if cycle % n:
            return None
        steps = cycle // n
        return steps if steps >= 2 else None

    if isinstance(offset, (o.SemiMonthBegin, o.SemiMonthEnd)):
        return per(24)
    if isinstance(offset, (o.WeekOfMonth, o.LastWeekOfMonth)):
        return per(12)
    if isinstance(
        offset,
        (o.MonthBegin, o.MonthEnd, o.BusinessMonthBegin, o.BusinessMonthEnd,
         o.CustomBusinessMonthBegin, o.CustomBusinessMonthEnd),
    ):
        return per(12)
    if isinstance(offset, (o.QuarterBegin, o.QuarterEnd, o.BQuarterBegin, o.BQuarterEnd,
                           o.FY5253Quarter)):
        return per(4)
    if isinstance(offset, (o.YearBegin, o.YearEnd, o.BYearBegin, o.BYearEnd, o.FY5253,
                           o.Easter)):
        return None
    if isinstance(offset, o.Week):
        return per(52)
    if isinstance(offset, (o.BusinessDay, o.CustomBusinessDay)):
        return per(5)
    if isinstance(offset, (o.BusinessHour, o.CustomBusinessHour)):  # a business day's hours: 8 of 09:00-17:00
        minutes = sum((e.hour * 60 + e.minute - s.hour * 60 - s.minute) % 1440 for s, e in zip(offset.start, offset.end))
        return per(minutes // 60) if minutes % 60 == 0 else None
    if isinstance(offset, o.Day):  # before Tick: Day is a Tick in pandas < 3
        return 52 if n == 7 else per(7)
    if isinstance(offset, o.Tick):
        return _tick_season(int(offset.nanos))
    return None


def within_dates(horizon: int, make: Callable[[], pd.Index]) -> pd.Index:
    """`make()`, the future dates; a horizon past the last date pandas can hold (2262) is a ConfigError."""
    try:
        return make()
    except (pd.errors.OutOfBoundsDatetime, OverflowError):
        raise ConfigError(f"`horizon` reaches past {pd.Timestamp.max:%Y-%m-%d}, the last date pandas can hold; "
                          f"forecast fewer steps. Received: horizon={horizon}") from None


def future_index(series: pd.Series, horizon: int) -> pd.Index:
    """The index of the ``horizon`` steps after the end of ``series``.

    A ``DatetimeIndex`` gives the next ``horizon`` dates (a ``DatetimeIndex``
    with the same ``freq``; the frequency is inferred when the index has none);
    a ``RangeIndex`` 0..n-1 gives ``RangeIndex(n, n + horizon)``; a
    ``PeriodIndex`` gives the next periods.

    Raises:
        ConfigError: ``horizon`` is not an int >= 1.
        DataError: the index is empty, or its dates have no inferable frequency.
    """
    if isinstance(horizon, bool) or not isinstance(horizon, (int, np.integer)):
        raise ConfigError(f"`horizon` must be an integer >= 1. Received: horizon={horizon!r}")
    horizon = int(horizon)
    if horizon < 1:
        raise ConfigError(f"`horizon` must be an integer >= 1. Received: horizon={horizon}")
    index = series.index
    if len(index) == 0:
        raise DataError("the series is empty, so it has no end to forecast from; load data first")
    if isinstance(index, pd.DatetimeIndex):
        offset = index.freq
        if offset is None:
            offset = _infer_offset(index)
        if offset is None:
            raise DataError(
                "cannot tell the frequency of the series' dates, so the future dates are "
                "unknown; load it with load_series(..., freq=...) e.g. freq='MS'"
            )
        return within_dates(horizon, lambda: pd.date_range(start=index[-1] + offset, periods=horizon, freq=offset,
                                                           name=index.name, unit="ns"))  # pandas 3: in the index's unit
    if isinstance(index, pd.PeriodIndex):
        return pd.period_range(start=index[-1] + 1, periods=horizon, freq=index.freq,
                               name=index.name)
    if isinstance(index, pd.RangeIndex):
        step = index.step
        return pd.RangeIndex(index.stop, index.stop + horizon * step, step, name=index.name)
    if pd.api.types.is_integer_dtype(index.dtype):
        last = int(index[-1])
        return pd.RangeIndex(last + 1, last + 1 + horizon, name=index.name)
    raise DataError(
        f"cannot extend an index of type {type(index).__name__}; load the series with "
        "load_series() to get a DatetimeIndex or a RangeIndex"
    )


# --------------------------------------------------------------------------- #
# The intermediate form every source is read into
# --------------------------------------------------------------------------- #


class _Raw:
    """Values (float, NaN = missing), optional dates, and how to name a row."""

    __slots__ = ("values", "dates", "name", "where", "date_name", "source", "col", "dates_dayfirst", "start", "freq")

    def __init__(self, values: np.ndarray, dates: pd.DatetimeIndex | None, name: Any,
                 where: Callable[[int], str], date_name: Any = None, source: str = "data",
                 col: str = "", dates_dayfirst: pd.DatetimeIndex | None = None):
        self.col = col  # " in column 'x'" (or "") for messages
        self.dates_dayfirst = dates_dayfirst  # ambiguous slash dates: the day-first reading (dates: month-first)
        self.start = 0  # undated: the first step (an integer index may start elsewhere)
        self.freq = None  # a pandas DatetimeIndex's own frequency (pandas checked that every date lies on it)
        self.values = values
        self.dates = dates
        self.name = name
        self.where = where
        self.date_name = date_name
        self.source = source


def _row_where(i: int) -> str:
    return f"row {i}"


# --------------------------------------------------------------------------- #
# Options
# --------------------------------------------------------------------------- #


def _check_fill(fill: Any) -> str:
    value = fill.strip().lower() if isinstance(fill, str) else fill
    if value is None:
        value = "none"
    if not isinstance(value, str) or value not in FILL_METHODS:
        raise ConfigError(
            f"`fill` must be one of 'none', 'ffill', 'interpolate'. Received: fill={fill!r}"
        )
    return value


def _to_offset_lenient(freq: str) -> pd.DateOffset:
    """``to_offset`` that also accepts the other pandas generation's aliases."""
    try:
        return to_offset(freq)
    except (ValueError, TypeError) as first:
        m = _ALIAS_RE.match(freq)
        if m:
            mult, base, anchor = m.group(1), m.group(2), m.group(3) or ""
            for table in (_ALIAS_NEW, _ALIAS_OLD):
                alt = table.get(base) or table.get(base.upper())
                if alt is not None:
                    try:
                        return to_offset(f"{mult}{alt}{anchor}")
                    except (ValueError, TypeError):
                        pass
        raise first


def _check_freq(freq: Any) -> pd.DateOffset:
    if isinstance(freq, pd.offsets.BaseOffset):  # (pandas 3 warns for isinstance(MonthBegin(), pd.DateOffset))
        return freq
    if not isinstance(freq, str) or not freq.strip():
        raise ConfigError(
            "`freq` must be a pandas frequency alias such as 'MS', 'D', 'h' or 'W-SUN'. "
            f"Received: freq={freq!r}"
        )
    try:
        with _quiet():
            return _to_offset_lenient(freq.strip())
    except (ValueError, TypeError) as exc:
        hint = _freq_hint(str(exc))
        raise ConfigError(
            "`freq` must be a pandas frequency alias such as 'MS', 'D', 'h' or 'W-SUN'. "
            f"Received: freq={freq!r} ({hint})"
        ) from None


def _freq_hint(message: str) -> str:
    """The useful part of pandas' "Invalid frequency" message."""
    first = _one_line(re.split(r"[.,] [Ff]ailed to parse", message)[0], 60)  # pandas 3: ". Failed", 2: ", failed"
    advice = re.search(r"(Please use '[^']+' instead|Did you mean [^?]+\?)", message)
    return f"{first}; {advice.group(1)}" if advice else first


def _plural(count: int, word: str) -> str:
    return f"{count} {word}{'' if count == 1 else 's'}"


def _reject_table_options(what: str, column: Any, date_column: Any) -> None:
    for opt, val in (("column", column), ("date_column", date_column)):
        if val is not None:
            raise ConfigError(
                f"`{opt}` applies only to CSV files and DataFrames, not to {what}. "
                f"Received: {opt}={val!r}; leave it as None"
            )


# --------------------------------------------------------------------------- #
# Cells: numbers and dates
# --------------------------------------------------------------------------- #


def to_pandas_hint(obj: Any) -> str:
    """'; a pyarrow Table converts with .to_pandas()' for an object that has that method (pyarrow's tables and arrays,
    polars' frames and series: not read as they are), else ''; ends the message refusing it."""
    if not callable(getattr(obj, "to_pandas", None)) or isinstance(obj, (pd.DataFrame, pd.Series)):
        return ""
    return f"; a {type(obj).__module__.split('.')[0]} {type(obj).__name__} converts with .to_pandas()"


def array_like(obj: Any) -> bool:
    """An array of another library that numpy reads as it is (a JAX or torch array: `__array__`), not a table nor pandas'."""
    return (hasattr(obj, "__array__") and not isinstance(obj, (np.ndarray, pd.Index, pd.Series, pd.DataFrame))
            and not to_pandas_hint(obj))


def _one_line(text: str, limit: int = 120) -> str:
    text = " ".join(str(text).split())
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _show(value: Any, limit: int = 40) -> str:
    """``repr`` of a cell for a message, one line, shortened."""
    text = value if isinstance(value, str) else str(value)
    if len(text) > limit:
        text = text[: limit - 3] + "..."
    return repr(text)


def _is_missing(cell: Any) -> bool:
    if type(cell) is str:
        return cell.strip().lower() in _MISSING_TOKENS
    if cell is None or cell is pd.NA or cell is pd.NaT:
        return True
    if isinstance(cell, str):
        return cell.strip().lower() in _MISSING_TOKENS
    if isinstance(cell, (float, np.floating)):
        return math.isnan(cell)
    return False


def _number(cell: str) -> float | None:
    """The float a text cell holds, or None when it is not a number ('1_100' is not: an underscore is Python
    syntax, which float() accepts, not a digit separator that data files use; pandas reads it as text too)."""
    if "_" in cell:
        return None
    try:
        return float(cell)
    except (ValueError, TypeError):
        return None


#: Whole-number years a column may hold to be read as yearly dates: those pandas can represent.
_YEAR_MIN, _YEAR_MAX = pd.Timestamp.min.year + 1, pd.Timestamp.max.year - 1  # 1678..2261
_WHOLE_RE = re.compile(r"^([+-]?\d+)(\.0*)?$")  # 1950 or 1950.0 (how pandas writes float years)
#: A date that starts with two short fields, month-first or day-first: 01/02/1950, 1.2.50, 01-02-1950.
_DAY_MONTH_RE = re.compile(r"^\d{1,2}[/.-]\d{1,2}[/.-]\d{2,4}\b")


#: A date written in digits and '-', '/' or '.' ('2020-01-31', '31/01/2020 10:00', '1.2.2020'), maybe with a time: never a
#: number, a missing cell or text without digits, and stripped; `_detect_dates` checks a column of them at once.
_PLAIN_DATE_RE = re.compile(r"[0-9]{1,4}(?:-[0-9]{1,2}(?:-[0-9]{1,4})?|/[0-9]{1,2}(?:/[0-9]{1,4})?|\.[0-9]{1,2}\.[0-9]{1,4})"
                            r"(?:[ T][0-9]{1,2}:[0-9]{2}(?::[0-9]{2}(?:\.[0-9]{1,9})?)?)?")
_ASCII_DIGIT_RE = re.compile(r"[0-9]")
_OFFSET_RE = re.compile(r"(Z|[+-]\d{2}:?\d{2})$")  # a trailing UTC offset: +01:00, -0500, Z
#: Periods written as statistics offices do, which pandas does not read (or misreads: '2020-M01' is 2020-01-01 00:00:01):
#: months '2020M01' / '2020-M01' (Eurostat), ISO weeks '2023-W01' / '2023W01' / '2023-W01-3', quarters '2015 Q1' / 'Q1 2015'.
_PERIOD_RE = re.compile(r"^(?:(?P<year>\d{4}) ?-? ?(?P<kind>[MWQ])(?P<n>\d{1,2})(?:-(?P<day>[1-7]))?"
                        r"|Q(?P<q>[1-4]) ?[-/]? ?(?P<qyear>\d{4}))$", re.IGNORECASE)


def _in_ns_range(dates: pd.DatetimeIndex) -> np.ndarray:
    """(N,) whether each date lies within 1677-09-21 .. 2262-04-11, the dates nanoseconds hold (NaT: False)."""
    per = np.timedelta64(1, dates.unit) // np.timedelta64(1, "ns")  # nanoseconds per unit: 1000 for 'us'
    limit = np.iinfo(np.int64).max // per
    return np.asarray((dates.asi8 > -limit) & (dates.asi8 <= limit) & dates.notna())


def as_ns(dates: pd.DatetimeIndex, where: Callable[[int], str] | None = None) -> pd.DatetimeIndex:
    """Dates at nanosecond resolution, the one pandas 2 reads every date in, so that pandas 2 and 3 (which reads
    text in microseconds, and may hold dates in seconds) give the same dates. One that nanoseconds cannot hold:
    NaT without `where` (as pandas 2 reads it from text: 'Jan-15' is no year 1), else a DataError naming its row."""
    if dates.unit == "ns":
        return dates
    inside = _in_ns_range(dates)
    if where is not None and not inside[dates.notna()].all():
        i = int(np.flatnonzero(~inside & dates.notna())[0])
        raise DataError(f"{where(i)}: date {_fmt_date(dates[i])} is outside {pd.Timestamp.min:%Y-%m-%d} .. "
                        f"{pd.Timestamp.max:%Y-%m-%d}, the dates pandas holds in nanoseconds; fix that date, or drop "
                        "the dates (integer steps)")
    return (dates if inside.all() else dates.where(inside)).as_unit("ns")


def _period_text(cell: str) -> str:
    """A period's first day as YYYY-MM-DD (`_PERIOD_RE`: an ISO week's Monday, or its day 1-7), else the cell as it is
    (a month 13 or a week 54 too: pandas then names it as a date it cannot parse)."""
    m = _PERIOD_RE.match(cell)
    if m is None:
        return cell
    if m["q"]:
        return f"{m['qyear']}-{3 * int(m['q']) - 2:02d}-01"
    year, kind, n = int(m["year"]), m["kind"].upper(), int(m["n"])
    if kind == "W":
        try:
            return datetime.date.fromisocalendar(year, n, int(m["day"] or 1)).isoformat()
        except ValueError:  # week 53 of a year of 52 weeks
            return cell
    if m["day"] or not 1 <= n <= (12 if kind == "M" else 4):
        return cell
    return f"{year}-{n if kind == 'M' else 3 * n - 2:02d}-01"


#: Dates as Korean, Japanese and Chinese spreadsheets write them, which pandas does not read: '1949년 1월', '1949年1月1日',
#: '2020년 1월 1일 수요일', '2020年1月1日(水)', a time after a morning / afternoon word ('2020-01-01 오후 3:00:00': 오전 / 오후,
#: 午前 / 午後, 上午 / 下午) or in hours ('3시 30분', '15時30分'). `_cjk_text` writes them as pandas reads them.
_CJK_RE = re.compile(r"^(?:(?P<year>\d{4})\s*[年년]\s*(?P<month>\d{1,2})\s*[月월](?:\s*(?P<day>\d{1,2})\s*[日일]"
                     r"(?:\s*\(?(?:[월화수목금토일](?:요일)?|[月火水木金土日](?:曜日?)?|(?:星期|周|週)[一二三四五六日天])\)?)?)?"
                     r"|(?P<date>[0-9][0-9./ -]*[0-9.]))"  # or a date pandas reads ('2020-01-01', '2020. 1. 1.') before a time
                     r"(?:\s*(?P<half>오전|오후|午前|午後|上午|下午)?\s*(?:(?P<clock>[0-9]{1,2}:[0-9]{2}(?::[0-9]{2}(?:\.[0-9]+)?)?)"
                     r"|(?P<hour>\d{1,2})\s*[시時时]\s*(?:(?P<minute>\d{1,2})\s*[분分](?:\s*(?P<second>\d{1,2})\s*[초秒])?)?))?$")
_CJK_PM = ("오후", "午後", "下午")


def _cjk_text(cell: str) -> str:
    """A CJK date (`_CJK_RE`) as pandas reads it: '1949년 1월' -> '1949-01', '1949年1月1日' -> '1949-01-01',
    '2020-01-01 오후 3:00:00' -> '2020-01-01 3:00:00 PM', '2020년 1월 1일 15시 30분' -> '2020-01-01 15:30:00'; else the cell as
    it is (a month 13 too: pandas then names it as a date it cannot parse)."""
    m = _CJK_RE.match(cell)
    if m is None or not (m["year"] or m["half"] or m["hour"]):  # '2020-01-01 10:00' reads as it is
        return cell
    text = m["date"] or f"{int(m['year'])}-{int(m['month']):02d}" + (f"-{int(m['day']):02d}" if m["day"] else "")
    clock = m["clock"] or (m["hour"] and f"{int(m['hour'])}:{int(m['minute'] or 0):02d}:{int(m['second'] or 0):02d}")
    if clock:
        text += f" {clock}" + (f" {'PM' if m['half'] in _CJK_PM else 'AM'}" if m["half"] else "")
    return text


def _to_datetime(cells: list[str], dayfirst: bool = False) -> pd.DatetimeIndex:
    """``pd.to_datetime`` with NaT for unparseable cells (and dates beyond 1677..2262: `as_ns`). Offsets that change
    (daylight saving time): daily or coarser data (every local time at one time of day: midnight, or a daily reading at
    16:00) keeps its local times without the offsets; anything finer is converted to UTC, where its hours stay
    evenly spaced."""
    with _quiet():
        try:
            return as_ns(pd.DatetimeIndex(pd.to_datetime(cells, errors="coerce", dayfirst=dayfirst)))
        except (ValueError, TypeError):  # offsets that change, e.g. +01:00 then +02:00 (DST)
            local = as_ns(pd.DatetimeIndex(pd.to_datetime([_OFFSET_RE.sub("", c.strip()) for c in cells],
                                                          errors="coerce", dayfirst=dayfirst)))
            times = local.dropna()
            if len(times) and (times - times.normalize()).nunique() == 1:  # in UTC a daily 12:00 moves to 11:00, 10:00
                return local
            return as_ns(pd.DatetimeIndex(pd.to_datetime(cells, errors="coerce", dayfirst=dayfirst, utc=True)))


def _regular(dates: pd.DatetimeIndex) -> bool:
    """True when the distinct dates (3 or more, none NaT) have an inferable frequency."""
    unique = dates.unique().sort_values()
    return len(unique) >= 3 and not unique.hasnans and _infer_offset(unique) is not None


def _read_text_dates(cells: Sequence[str], counts: np.ndarray | None = None
                     ) -> tuple[pd.DatetimeIndex, pd.DatetimeIndex | None]:
    """(dates, day_first): stripped, non-empty date strings parsed, unparseable ones NaT.

    Dates like 01/02/1950 are read month-first (pandas' default) unless reading
    them day-first parses more of them (13/01/2020), or gives a regular series
    where month-first does not (01/02/1950, 01/03/1950, ... monthly). When both
    readings parse every date, are regular and differ (a few dates, all fields
    <= 12: 01/02/2020 ... 10/02/2020 is Jan 2 .. Oct 2 or Feb 1 .. Feb 10),
    month-first is kept and `day_first` is the other reading, for a frequency to
    decide between them; otherwise `day_first` is None. `counts`: how many rows each cell stands for
    (distinct cells), so that "parses more of them" counts rows.
    """
    cells = list(cells)
    if cells and _PERIOD_RE.match(cells[0]):  # '2020M01', '2023-W01', 'Q1 2015': their first days
        cells = [_period_text(c) for c in cells]
    elif cells and _cjk_text(cells[0]) != cells[0]:  # '1949년 1월', '1949年1月1日', '2020-01-01 오후 3:00:00'
        cells = [_cjk_text(c) for c in cells]
    weight = np.ones(len(cells), dtype=np.int64) if counts is None else counts
    parsed, day_first = _to_datetime(cells), None
    if cells and _DAY_MONTH_RE.match(cells[0]):  # pandas infers the format from the first cell
        alt = _to_datetime(cells, dayfirst=True)
        ok, alt_ok = int(weight[parsed.notna()].sum()), int(weight[alt.notna()].sum())
        if alt_ok > ok:
            parsed = alt
        elif alt_ok == ok and _regular(alt):
            if not _regular(parsed):
                parsed = alt
            elif ok == int(weight.sum()) and not parsed.equals(alt):
                day_first = alt
    has_digit = np.fromiter(map(bool, map(_ASCII_DIGIT_RE.search, cells)), dtype=bool, count=len(cells))  # (N,)
    for i in np.flatnonzero(~has_digit):  # any other digit counts too ('٣')
        has_digit[i] = any(ch.isdigit() for ch in cells[i])
    if len(cells) and not has_digit.all():  # 'today', 'now', 'Jan' are not dates here
        parsed = parsed.where(has_digit, pd.NaT)
    return parsed, day_first


def _fits(dates: pd.DatetimeIndex, offset: pd.DateOffset) -> bool:
    """Every date on the offset's grid, none missing between the first and the last."""
    return bool(offset.is_on_offset(dates[0])) and len(pd.date_range(dates[0], dates[-1], freq=offset)) == len(dates)


class _Reading(NamedTuple):
    """A date column read: its texts (to name a bad date), its dates (NaT: unparseable) and the
    ambiguous day-first reading of slash dates or None, one per row."""

    texts: list[str]
    dates: pd.DatetimeIndex
    day_first: pd.DatetimeIndex | None


def _looks_like_dates(cells: Sequence[Any]) -> bool:
    """True when no cell is a plain number and most non-empty cells are dates.

    A minority of unparseable cells still makes it the date column, so that the
    bad cell gets its own "cannot be parsed" error instead of a vague one.
    """
    return _detect_dates(cells)[0]


def _detect_dates(cells: Sequence[Any]) -> tuple[bool, _Reading | None]:
    """(`_looks_like_dates`, the reading it made when it is True and no cell is missing, else None).

    That reading is what `_parse_dates` would make of the same cells (the same texts: a cell that
    is a number, which `_parse_dates` would rewrite, answers False; and the same dates: it reads each
    distinct text once, and pandas reads a text alike wherever it stands, guessing the format from the
    first text, which both lists start with), so the date column found is passed on and not parsed a
    second time: that took a third of loading a large CSV file.
    """
    if all(type(cell) is str for cell in cells) and all(map(_PLAIN_DATE_RE.fullmatch, cells)):
        texts = list(cells)  # the common case, checked at C speed: what `_stripped_date_cells` would give
    else:
        texts = _stripped_date_cells(cells)
    if not texts:
        return False, None
    try:
        dates, day_first = _read_text_dates(texts)
    except Exception as exc:  # whatever pandas cannot parse is not dates
        if out_of_memory(exc):  # dates too many for memory are dates: the CLI says "not enough memory"
            raise
        return False, None
    ok = int(dates.notna().sum())
    found = ok >= 1 and 2 * ok >= len(texts)
    whole = found and len(texts) == len(cells)  # a missing cell: `_parse_dates` names it before reading any
    return found, (_Reading(texts, dates, day_first) if whole else None)


def _stripped_date_cells(cells: Sequence[Any]) -> list[str] | None:
    """The stripped texts of the cells that are not missing (a date object's isoformat), or None when a cell is a number
    or neither text nor a date."""
    texts: list[str] = []
    for cell in cells:
        if _is_missing(cell):
            continue
        if isinstance(cell, (datetime.date, np.datetime64)):  # Python dates / datetimes, Timestamps
            texts.append(pd.Timestamp(cell).isoformat())
            continue
        if not isinstance(cell, str):
            return None
        text = cell.strip()
        if _number(text) is not None:
            return None
        texts.append(text)
    return texts


class _DateColumns:
    """`is_date` for `_choose_columns`: whether column j looks like dates (`detect(j)`, asked once per
    column), keeping the readings for the chosen column's `_parse_dates`."""

    def __init__(self, detect: Callable[[int], tuple[bool, _Reading | None]]):
        self._detect = detect
        self._seen: dict[int, tuple[bool, _Reading | None]] = {}

    def __call__(self, j: int) -> bool:
        if j not in self._seen:
            self._seen[j] = self._detect(j)
        return self._seen[j][0]

    def reading(self, j: int) -> _Reading | None:
        return self._seen.get(j, (False, None))[1]


def _is_value(cell: str) -> bool:
    """True when a CSV cell is a number or a date."""
    text = cell.strip()
    if _is_missing(text):
        return False
    return _number(text) is not None or _looks_like_dates([text])


def _row_is_header(columns: Sequence[Sequence[str]]) -> bool:
    """The first CSV row (the first cell of each of `columns`) is a header iff none of its cells is a number or a date,
    or its first cell is a label (text without digits) above a column of numbers
    or dates: ``date,1990,2000`` names columns '1990' and '2000'.
    """
    first = [column[0] for column in columns]
    if not any(_is_value(cell) for cell in first):
        return True
    label = first[0].strip()
    if len(columns[0]) < 2 or _is_missing(label) or any(ch.isdigit() for ch in label) or _number(label) is not None:
        return False
    below = [text.strip() for text in columns[0][1:]]
    filled = [text for text in below if not _is_missing(text)]
    return bool(filled) and (all(_number(t) is not None for t in filled) or _looks_like_dates(filled))


def _years(cells: Sequence[Any]) -> np.ndarray | None:
    """The cells as int years when every one is a whole number within _YEAR_MIN.._YEAR_MAX, else None."""
    return _ints(cells, _YEAR_MIN, _YEAR_MAX)


def _ints(cells: Sequence[Any], lo: int, hi: int) -> np.ndarray | None:
    """The cells as ints when every one is a whole number within lo..hi (text, int or float), else None."""
    out = []
    for cell in cells:
        if isinstance(cell, str) and _WHOLE_RE.match(cell.strip()):
            value = float(cell)
        elif is_real(cell):  # (np.bool_ is no int or float either)
            value = float(cell)
        else:
            return None
        if not (value.is_integer() and lo <= value <= hi):
            return None
        out.append(int(value))
    return np.array(out, dtype=np.int64) if out else None


#: Columns that would hold a finer part of the date than a quarter or month.
_FINER_NAMES = frozenset({"day", "week", "hour", "minute"})

#: A column beside `year` that holds the rest of the date: its name -> (frequency, months per step, values 1..top).
_PERIOD_NAMES = {"quarter": ("QS", 3, 4), "qtr": ("QS", 3, 4), "month": ("MS", 1, 12), "mon": ("MS", 1, 12)}

#: English month names and their first three letters (any case) -> 1..12: a month column, or a wide table's columns.
_MONTH_NAMES = {n: i + 1 for i, full in enumerate(("january", "february", "march", "april", "may", "june", "july", "august",
                                                   "september", "october", "november", "december")) for n in (full, full[:3])}
_MONTH_NAMES["sept"] = 9  # as British and US style guides abbreviate September


def _month_numbers(cells: Sequence[Any]) -> np.ndarray | None:
    """(n,) 1..12 when every cell names a month ('Jan', 'JAN', 'January': what a wide table melted to rows holds), else None."""
    out = [_MONTH_NAMES.get(c.strip().lower()) if isinstance(c, str) else None for c in cells]
    return np.array(out, dtype=np.int64) if out and None not in out else None


def _wide_months(columns: Sequence[Sequence[Any]], names: Sequence[Any] | None, candidates: Sequence[int]) -> str:
    """The end of a message for a wide table, one row per year and a column per month (statsmodels' elnino: YEAR, JAN,
    ..., DEC), where the 12 month columns could each hold the values: how to reshape it to a value per row ("" else).
    Other columns (an ANNUAL total) are dropped first; without a year column the recipe says to add one."""
    months = [i for i in candidates if names is not None and _MONTH_NAMES.get(str(names[i]).strip().lower())]
    if len({_MONTH_NAMES[str(names[i]).strip().lower()] for i in months}) < 12:
        return ""
    rest = [i for i in range(len(names)) if i not in months]
    pick = ([i for i in rest if str(names[i]).strip().lower() == "year"] or [i for i in rest if _rising_years(columns[i])]
            or (rest if len(rest) == 1 else []))[:1]
    year = repr(str(names[pick[0]])) if pick else "'year'"
    other = [str(names[i]) or f"Unnamed: {i}" for i in rest if i not in pick]  # a row index without a name: as pandas names it
    drop = f".drop(columns={other!r})" if other else ""
    named = "" if year.lower() == "'year'" else f".rename(columns={{{year}: 'year'}})"  # the name that _year_period reads
    add = "" if pick else "df.insert(0, 'year', FIRST_YEAR + np.arange(len(df))), then "  # no column of years
    return (f"; columns {_show(names[months[0]])}..{_show(names[months[-1]])} are the months of a wide table (a row per year): "
            f"seqcast reads a value per row, so reshape it first, e.g. with pandas {add}df{drop}.melt(id_vars={year}, var_name='month')"
            f".sort_values({year}, kind='stable'){named}.to_csv(path, index=False) (a year and a month column are read as the dates)")


_STEP_NAME_RE = re.compile(r"^(\D*?)(\d+)$")  # d_1, V2, 1960: a prefix and a number
_MIN_WIDE = 10  # columns of steps or dates that make a table wide


def _wide_rows(columns: Sequence[Sequence[Any]], names: Sequence[Any] | None, candidates: Sequence[int]) -> str:
    """The end of a message for a wide table of one series per row, its time steps or dates across the columns
    (M5's id, d_1 .. d_1913; M4's V1, V2 ..; World Bank's years; dates as names): how to melt it to long format ("" else).
    Without `names` (a CSV whose header of dates or years reads as a row) the first row's cells are the names."""
    skip = int(names is None)
    header = [str(n).strip() for n in names] if names is not None else [str(c[0]).strip() if len(c) else "" for c in columns]

    def numbers(col) -> bool:  # (the first 100 cells: a hint need not read a million)
        dtype = getattr(col, "dtype", None)
        if dtype is not None and pd.api.types.is_numeric_dtype(dtype) and not pd.api.types.is_bool_dtype(dtype):
            return True
        cells = col.iloc if isinstance(col, pd.Series) else col  # (by position, whatever the frame's index)
        return _all_numbers([c for c in list(cells[skip : skip + 100]) if not _is_missing(c)])

    numeric = [i for i in candidates if numbers(columns[i])]
    groups: dict[str, list[int]] = {}
    for i in numeric:
        m = _STEP_NAME_RE.match(header[i])
        if m:
            groups.setdefault(m.group(1), []).append(i)
    prefix, steps = max(groups.items(), key=lambda kv: len(kv[1]), default=("", []))
    if len(steps) < _MIN_WIDE or np.any(np.diff([int(header[i][len(prefix):]) for i in steps]) != 1):
        texts = [i for i in numeric if header[i] and _number(header[i]) is None]
        dated = _read_text_dates([header[i] for i in texts])[0].notna() if texts else []
        prefix, steps = None, [i for i, ok in zip(texts, dated) if ok]
        if len(steps) < _MIN_WIDE:
            return ""
    ids = [i for i in range(len(header)) if i not in steps]
    frame, id_col = ("df", header[ids[0]]) if ids else ("df.rename_axis('unique_id').reset_index()", "unique_id")
    a, b = steps[0], steps[-1] + 1
    keep = "" if len(ids) <= 1 and b - a == len(steps) else (
        f", value_vars=df.columns[{a}:{b}]" if b - a == len(steps) else f", value_vars=[df.columns[i] for i in {steps}]")
    typed = names is not None and all(isinstance(names[i], (int, np.integer)) for i in steps)  # a frame's int column names
    ds = ("" if prefix is None or typed else f".assign(ds=lambda d: d.ds.str[{len(prefix)}:].astype(int))" if prefix
          else ".assign(ds=lambda d: d.ds.astype(int))")
    read = "" if id_col == "unique_id" else (f" and read it with --id-column {shlex.quote(id_col)} "
                                             f"(Python: seqcast.load_long(path, id_column={id_col!r}))")
    return (f"; if each row is a series and columns {_show(header[steps[0]])}..{_show(header[steps[-1]])} are its "
            f"{'dates' if prefix is None else 'time steps'} (a wide table, as M5's or M4's), reshape it to long format first, "
            f"e.g. with pandas {frame}.melt(id_vars={id_col!r}{keep}, var_name='ds', value_name='y'){ds}.to_csv(path, index=False)"
            f"{read}")


def _year_period(columns: Sequence[Sequence[Any]], names: Sequence[Any] | None) -> tuple | None:
    """(year column, quarter or month column, the first day of each row's quarter or month) when a table
    gives its dates in two whole-number columns named `year` and `quarter` (or qtr, month, mon), as
    statsmodels' macrodata does: rows 1959,1 and 1959,2 are the quarters starting 1959-01-01 and
    1959-04-01; a month column may name the months ('Jan', 'JAN', 'January'). None when the names or values differ."""
    if names is None:
        return None
    low = [str(n).strip().lower() for n in names]
    periods = [i for i, n in enumerate(low) if n in _PERIOD_NAMES]
    if low.count("year") != 1 or len(periods) != 1 or any(n in _FINER_NAMES for n in low):
        return None  # a day or hour column beside them: the two columns are not the whole date
    y, p = low.index("year"), periods[0]
    _, months, top = _PERIOD_NAMES[low[p]]
    years, parts = _years(list(columns[y])), _ints(list(columns[p]), 1, top)
    if parts is None and top == 12:  # 'Jan', 'FEB', ...
        parts = _month_numbers(list(columns[p]))
    if years is None or parts is None:
        return None
    dates = pd.DatetimeIndex(pd.to_datetime(pd.DataFrame({"year": years, "month": (parts - 1) * months + 1, "day": 1})))
    return y, p, dates


def _rising_years(cells: Sequence[Any]) -> bool:
    """True for whole-number years in increasing order (gaps allowed): maybe a date column."""
    years = _years(cells)
    return years is not None and bool(np.all(np.diff(years) > 0))


def _all_numbers(cells: Sequence[Any]) -> bool:
    """Every non-empty cell a number (an index or a count, not dates written some other way)."""
    for c in cells:
        if isinstance(c, str):
            c = c.strip()
            if not c:
                continue
            if _number(c) is None:
                return False
        elif not isinstance(c, (int, float, np.number)) or isinstance(c, bool):
            return False
    return True


_DATE_NAMES = {"date", "ds", "time", "datetime", "timestamp", "day", "week", "month", "quarter", "year", "period"}
_YYYYMMDD_RE = re.compile(r"^\s*[12]\d{3}(0[1-9]|1[0-2])(0[1-9]|[12]\d|3[01])(\.0*)?\s*$")


def _yyyymmdd(cells: Sequence[Any]) -> bool:
    """Every non-empty cell a whole number written as a date, YYYYMMDD (20200215): a date column in numbers."""
    arr = np.asarray(cells)
    if arr.dtype.kind in "iuf":  # numbers (a long file's steps: millions of rows): checked at once
        v = arr[~np.isnan(arr)].astype(np.float64) if arr.dtype.kind == "f" else arr  # float16 overflows at 20200215
        if not len(v) or v.min() < 10000101 or v.max() > 29991231 or not np.all(v == np.round(v)):
            return False
        v = v.astype(np.int64)
        month, day = v // 100 % 100, v % 100
        return bool(np.all((month >= 1) & (month <= 12) & (day >= 1) & (day <= 31)))
    texts = [str(int(c)) if isinstance(c, (int, float, np.number)) and not isinstance(c, bool) and float(c).is_integer()
             else c for c in cells if not _is_missing(c)]
    return bool(texts) and all(isinstance(t, str) and _YYYYMMDD_RE.match(t) for t in texts)


def _row_numbers(names: Sequence[Any] | None, columns: Sequence[Sequence[Any]]) -> int | None:
    """0 when the first column is a row index written beside the data: no name ('', pandas' 'Unnamed: 0') and the
    row numbers 0, 1, ... or 1, 2, ... (pandas' to_csv, R's write.csv); None otherwise."""
    if names is None or len(columns) < 2 or str(names[0]).strip() not in ("", "Unnamed: 0"):
        return None
    cells = [str(c).strip() for c in columns[0]]
    return 0 if any(cells == [str(k) for k in range(start, start + len(cells))] for start in (0, 1)) else None


def _date_name(names: Sequence[Any] | None, pos: int) -> bool:
    """A column named exactly like dates (date, ds, timestamp, month, ...; any case)."""
    return names is not None and str(names[pos]).strip().lower() in _DATE_NAMES


def _date_like_name(names: Sequence[Any] | None, pos: int) -> bool:
    """A column that may hold dates by its name: year, date, time, ds, period (any case, within a longer
    name too: 'Year', 'date_of_obs'); with no header, only the first column."""
    if names is None:
        return pos == 0
    name = str(names[pos]).strip().lower()
    return name in ("ds", "t", "yr") or any(word in name for word in ("year", "date", "time", "period"))


def _consecutive_years(cells: Sequence[Any]) -> bool:
    """True for whole-number years each one more than the previous (1700, 1701, ...).

    Only such a column is taken for yearly dates by auto-detection, so that a
    numeric value column is not: a gap, a repeat or a number outside 1678..2261
    keeps it numbers (date_column= still reads it as years).
    """
    years = _years(cells)
    return years is not None and len(years) >= 2 and bool(np.all(np.diff(years) == 1))


def _parse_values(cells: Sequence[Any], where: Callable[[int], str], col: str) -> np.ndarray:
    """Floats from cells (str or scalars, or an array of floats, as pandas' parser gives them); missing cells become NaN."""
    if isinstance(cells, np.ndarray) and cells.dtype.kind == "f":
        return cells.astype(np.float64)
    if all(type(cell) is str and "_" not in cell for cell in cells):
        try:  # fast path for clean text; any odd cell falls back to the loop below
            fast = np.asarray(cells, dtype=np.float64)
            if not np.isnan(fast).any():
                return fast
        except (ValueError, TypeError):
            pass
        missing = np.fromiter((cell.strip().lower() in _MISSING_TOKENS for cell in cells), bool, len(cells))  # (N,)
        try:  # text with empty (NA, nan ...) cells: the others read at once, as above
            fast = np.full(len(cells), np.nan)
            fast[~missing] = np.asarray([cell for cell, gone in zip(cells, missing) if not gone], dtype=np.float64)
            if not np.isnan(fast[~missing]).any():
                return fast
        except (ValueError, TypeError):
            pass
    out = np.empty(len(cells), dtype=np.float64)
    for i, cell in enumerate(cells):
        if _is_missing(cell):
            out[i] = np.nan
            continue
        if isinstance(cell, _Ambiguous):
            a = cell.strip()
            raise DataError(f"{where(i)}: value {_show(a)}{col} could be {a.replace('.', '', a.count('.') - 1)} (a decimal "
                            f"point) or {a.replace('.', '')} (a thousands separator), in a column with decimal commas; "
                            "write it without a thousands separator and with the column's decimal mark, e.g. 1000 or 1,5")
        if isinstance(cell, (bool, np.bool_)):
            value = None
        elif isinstance(cell, (numbers.Real, decimal.Decimal)):  # int, float, NumPy numbers, Fraction, Decimal
            try:
                value = float(cell)
                if isinstance(cell, decimal.Decimal) and math.isinf(value) and not cell.is_infinite():
                    raise OverflowError  # Decimal('1e400') rounds to inf instead of raising
            except OverflowError:  # an int, Fraction or Decimal beyond 1.8e308
                raise DataError(f"{where(i)}: value {_show(cell)}{col} is too large for a 64-bit float (beyond 1.8e308); "
                                f"rescale the data") from None
            except (ValueError, TypeError):  # Decimal('sNaN'): a signalling NaN is no number
                value = None
        elif isinstance(cell, str):
            value = _number(cell.strip())
        else:
            value = None
        if value is None:
            raise _not_a_number(cells, i, where, col)
        out[i] = value
    return out


#: What a refusal of a text value with a ',' or '.' says is read.
_NUMBER_HINT = ("write it as a number, e.g. 1120.5 (thousands separators such as 1,120.5 or 1.120,5 are read where a "
                "value of the column shows which mark is the decimal one)")


def _not_a_number(cells: Sequence[Any], i: int, where: Callable[[int], str], col: str) -> DataError:
    """The DataError for cell i, which `_parse_values` cannot read."""
    cell = cells[i]
    text = cell.strip() if isinstance(cell, str) else cell
    head = f"{where(i)}: value {_show(text)}{col}"
    marked = _mark(cell)
    if marked is not None:  # not every value carries that mark, or not only it
        other = next((j for j, c in enumerate(cells) if not _is_missing(c) and (_mark(c) or ("",))[0] != marked[0]), None)
        if other is not None:
            has = f"carries '{_mark(cells[other])[0]}'" if _mark(cells[other]) else "has none"
            return DataError(f"{head} carries '{marked[0]}' but {where(other)}'s value {_show(cells[other])} {has}; a "
                             "currency sign or % is read only where every value of the column carries the same one: write "
                             f"'{marked[0]}' on every value or on none (one currency per column)")
    accounting = re.fullmatch(rf"\(\s*[{_SIGNS}]?\s*(\d[\d.,]*)\s*\)", text) if isinstance(cell, str) else None
    if accounting:  # Excel's accounting format: (1,234) for -1234, or a note beside a number?
        return DataError(f"{head} is in parentheses (an accountant's negative, or a note?); seqcast does not guess its "
                         f"sign: write it with a minus, -{accounting[1]} (in Excel, format the column as Number)")
    if isinstance(cell, str) and _THOUSANDS_RE.match(cell) and cell.count(",") == 1:
        a, b = text.split(",")
        return DataError(f"{head} could be {a}.{b} (a decimal comma) or {a}{b} (a thousands separator); write it {a}{b} "
                         f"(or {a}.{b}), or show the decimals of a value of the column, e.g. {a},{b}.00")
    fix = _NUMBER_HINT if isinstance(cell, str) and ("," in cell or "." in cell) else "fix or remove that row"
    return DataError(f"{head} is not a number; {fix}")


#: A time after a date: '1/1/49 10:00', '1-Jan-49 10:00:00 AM'.
_TIME_TAIL = r"(?:[ T]\d{1,2}:\d{2}\b.*)?"


#: A month and a two-digit year, as Excel shows mmm-yy: 'Jan-49' (dateutil's century follows the clock: 2049 today), 'Jan-20'
#: (not read: 20 January?), '49-Jan', 'Jan 49', "Jan '49", and with a day: '1-Jan-49' (d-mmm-yy), '1.Jan.49', 'Jan 1 49';
#: maybe with a time.
_MONTH_YY_RE = re.compile(r"^(?:(?P<day>\d{1,2}[-/ .])?(?P<month>[a-z]{3,9})\.?[-/ '.]{1,2}(?P<year>\d{2})"
                          r"|(?P<year2>\d{2})[-/ ](?P<month2>[a-z]{3,9})"
                          r"|(?P<month3>[a-z]{3,9})\.? (?P<day3>\d{1,2}),? (?P<year3>\d{2}))" + _TIME_TAIL + "$",
                          re.IGNORECASE)


#: Slash (or dot) dates with a two-digit year: '1/1/49', '31.12.60', months '01/49', '1-49' (dateutil: 2049, 2060), and
#: the year first where it cannot be a day: '49/01/01'; maybe with a time.
_DAY, _MONTH = r"(?:0?[1-9]|[12]\d|3[01])", r"(?:0?[1-9]|1[0-2])"
_SLASH_YY_RE = re.compile(rf"^(?:(?P<head>{_DAY}(?P<sep>[/.]){_DAY}(?P=sep)|{_MONTH}[/-])(?P<year>\d{{2}})"
                          rf"|(?P<year2>\d{{2}})(?P<tail>(?P<sep2>[/.]){_DAY}(?P=sep2){_DAY}))" + _TIME_TAIL + "$")


#: The last year Excel gives a two-digit year (00..29: 2000..2029), as dateutil does: '1/1/27' is 2027 in both.
_EXCEL_YY_LAST = 2029


def _two_digit_year(text: str, where: str, col: str) -> None:
    """Refuses a date with a two-digit year; called for one that was not read (Excel's 'Jan-20': 20 January?) or was
    read into a future year after 2029: dateutil puts the century within 50 years of today, so that the airline's
    'Jan-49' .. 'Dec-60' or '1/1/49' read as 2049 .. 2060 (Excel: 1949 ..). One read into the past stands: '1/22/20'
    (the dates of the JHU COVID-19 files) is 2020, 'Jan-95' 1995; and one up to 2029, as Excel reads it: '1/1/27'."""
    if m := _SLASH_YY_RE.match(text):
        yy = m["year"] or m["year2"]
        four = f"{m['head']}20{yy}" if m["head"] else f"20{yy}{m['tail']}"
        which = f"19{yy} or 20{yy}?"
        if m["head"] and not m["sep"] and int(yy) <= 31:  # month-yy "12-25": December 2025, or 25 December?
            which = f"19{yy} or 20{yy}, or day {int(yy)} of month {int(m['head'][:-1])}?"
        raise DataError(f"{where}: date {_show(text)}{col} has no four-digit year ({which}); write the year in "
                        f"four digits, e.g. {four} (in Excel: format the column as yyyy-mm-dd before saving)")
    m = _MONTH_YY_RE.match(text)
    month = m and (m["month"] or m["month2"] or m["month3"]).lower()
    if month in _MONTH_NAMES:
        yy, name = m["year"] or m["year2"] or m["year3"], month[:3].title()
        which = f"day {yy} of {name}, or the year 19{yy} or 20{yy}?" if m["year2"] and int(yy) <= 31 else f"19{yy} or 20{yy}?"
        day = m["day"] and m["day"][:-1] or m["day3"]  # '1-Jan-49' (Excel's d-mmm-yy), '1.Jan.49', 'Jan 1 49'; or none
        raise DataError(f"{where}: date {_show(text)}{col} has no four-digit year ({which}); write the year in four digits, "
                        f"e.g. 20{yy}-{_MONTH_NAMES[month]:02d}-{int(day or 1):02d} or {f'{int(day)}-' if day else ''}{name}-20{yy} "
                        "(in Excel: format the column as yyyy-mm-dd before saving)")


def _parse_dates(cells: Sequence[Any], where: Callable[[int], str], col: str, day_first: bool = False,
                 reading: _Reading | None = None, codes: np.ndarray | None = None
                 ) -> pd.DatetimeIndex | tuple[pd.DatetimeIndex, pd.DatetimeIndex | None]:
    """Dates from cells (str, timestamps or year-like ints); every cell must parse. With `day_first`,
    (dates, the ambiguous day-first reading or None), as `_read_text_dates` gives them. `reading`:
    `_detect_dates`' reading of the same cells, taken instead of reading them again. `codes`: the cells are
    the distinct texts of the rows, row i holding cells[codes[i]] (as `pd.factorize` gives them)."""
    texts, parsed, other = reading if reading is not None else _read_date_cells(cells, where, col, codes)

    def cell(i: int):  # row i's cell
        return cells[i if codes is None else codes[i]]

    # a future year past Excel's 2029 (which reads 30..99 as 1930..1999; dateutil, the clock's century): NaT: False
    future = np.flatnonzero(np.asarray(parsed.year > max(pd.Timestamp.now().year, _EXCEL_YY_LAST)))
    bad = np.flatnonzero(parsed.isna())
    if len(future) and not (len(bad) and bad[0] < future[0]):  # a two-digit year read into the future?
        i = int(future[0])
        _two_digit_year(str(cell(i)).strip(), where(i), col)
    if len(bad):
        i = int(bad[0])
        _two_digit_year(texts[i], where(i), col)
        if _beyond_ns(texts[i]):  # '2300-01-01' was "cannot be parsed; write every date in one format"
            raise DataError(f"{where(i)}: date {_show(texts[i])}{col} is outside {pd.Timestamp.min:%Y-%m-%d} .. "
                            f"{pd.Timestamp.max:%Y-%m-%d}, the dates pandas holds in nanoseconds; fix that date (a typo?)")
        day = _WHOLE_RE.match(texts[i])
        if day and 10_000 <= int(day.group(1)) < 100_000:  # Excel's day numbers for 1927 .. 2173, which pandas does not read
            when = pd.Timestamp("1899-12-30") + pd.Timedelta(days=int(day.group(1)))
            raise DataError(f"{where(i)}: date {_show(texts[i])}{col} cannot be parsed (a spreadsheet's day number? format the column "
                            f"as dates before saving it, e.g. yyyy-mm-dd: {day.group(1)} is {when:%Y-%m-%d} in Excel)")
        if _FISCAL_RE.match(texts[i]):  # fiscal years start in October (US), April (UK), July (Australia) ...
            raise DataError(f"{where(i)}: date {_show(texts[i])}{col} is a fiscal quarter, whose months depend on when the fiscal "
                            "year starts; write each quarter's first day, e.g. 2014-10-01, or drop 'FY' where the fiscal "
                            "year is the calendar year (2015 Q1)")
        # text beside Timestamp objects: pandas reads every cell in the format of the first one's text (its isoformat)
        if isinstance(cell(i), str) and _reads_as_date(texts[i]) and any(_is_datetime(c) for c in cells):
            raise DataError(f"{where(i)}: date {_show(texts[i])}{col} is text in a column of dates and text; convert the "
                            "column first, e.g. df[name] = pd.to_datetime(df[name], format='mixed')")
        example = f" (the first date reads {_show(texts[0])})" if i > 0 else ""
        raise DataError(
            f"{where(i)}: date {_show(texts[i])}{col} cannot be parsed{example}; "
            "write every date in one format, e.g. 2020-01-31" + (", or remove that row (a total or a note?)" if i == len(texts) - 1 else "")
        )
    return (parsed, other) if day_first else parsed


def _is_datetime(cell: Any) -> bool:
    """A date object (Timestamp, datetime64, datetime, date), which `_read_date_cells` reads by its isoformat."""
    return isinstance(cell, (pd.Timestamp, np.datetime64)) or hasattr(cell, "isoformat")


def _reads_as_date(text: str) -> bool:
    """Whether pandas reads `text` alone as a date ('2020-01-02' does; 'total' does not)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            return not pd.isna(pd.to_datetime(text, errors="coerce"))
        except (ValueError, TypeError, OverflowError):
            return False


_ISO_RE = re.compile(r"^\d{4}-\d{2}")
_FISCAL_RE = re.compile(r"^(?:FY\s*'?\d{2,4}\s*[-/ ]?\s*Q[1-4]|Q[1-4]\s*[-/ ]?\s*FY\s*'?\d{2,4})$", re.IGNORECASE)  # FY2015Q1, Q1 FY15


def _beyond_ns(text: str) -> bool:
    """Whether `text` is an ISO date (as numpy reads it) outside 1677-09-21 .. 2262-04-11, which pandas reads as NaT."""
    if not _ISO_RE.match(text):
        return False
    try:
        second = np.datetime64(_OFFSET_RE.sub("", text)).astype("datetime64[s]").astype(np.int64)  # (in seconds: no overflow)
    except ValueError:
        return False
    return not pd.Timestamp.min.value // 10**9 < second <= pd.Timestamp.max.value // 10**9


def _read_date_cells(cells: Sequence[Any], where: Callable[[int], str], col: str,
                     codes: np.ndarray | None = None) -> _Reading:
    """The cells' texts and dates, unparseable ones NaT; `texts` has one per row only when some are NaT
    (otherwise, for text cells, one per distinct cell: the texts are only needed to name a bad date).
    `codes`: as for `_parse_dates`."""
    counts = None if codes is None else np.bincount(codes, minlength=len(cells))
    if codes is None and len(cells) > 1 and all(type(cell) is str for cell in cells):  # text (CSV): each distinct cell read once
        codes, distinct = pd.factorize(np.asarray(cells, dtype=object))
        cells, counts = list(distinct), np.bincount(codes)

    def row(k: int) -> int:  # the first row of cell k
        return k if codes is None else int(np.flatnonzero(codes == k)[0])

    texts: list[str] = []
    for i, cell in enumerate(cells):
        if _is_missing(cell):
            raise DataError(f"{where(row(i))}: the date{col} is empty; fill it in or remove that row")
        if isinstance(cell, datetime.time):  # pd.Timestamp(cell) was a TypeError traceback
            raise DataError(f"{where(row(i))}: the date{col} is a time of day ({cell}) with no day; give full dates, "
                            "e.g. 2020-01-31 10:00")
        if _is_datetime(cell):
            texts.append(pd.Timestamp(cell).isoformat())
        elif isinstance(cell, (int, np.integer)) and not isinstance(cell, (bool, np.bool_)):
            texts.append(str(int(cell)))
        elif isinstance(cell, (float, np.floating)) and float(cell).is_integer():
            texts.append(str(int(cell)))
        else:
            text = str(cell).strip()
            whole = _WHOLE_RE.match(text)
            texts.append(whole.group(1) if whole else text)  # 1950.0 -> 1950, a year
    try:
        try:
            parsed, other = _read_text_dates(texts, counts)
        except Exception as exc:  # the message from all rows, as pandas words it (positions)
            if codes is None or out_of_memory(exc):  # (not all rows read again after memory ran out)
                raise
            _read_text_dates([texts[k] for k in codes])
            raise
    except Exception as exc:  # pandas raises many kinds
        if out_of_memory(exc):  # the dates are fine: the CLI says "not enough memory"
            raise
        raise DataError(
            f"the dates{col} cannot be parsed ({_one_line(str(exc))}); "
            "write them all in one format, e.g. 2020-01-31"
        ) from None
    if codes is not None:  # back to one date per row
        texts = [texts[k] for k in codes] if parsed.hasnans else texts
        parsed, other = parsed.take(codes), (other.take(codes) if other is not None else None)
    return _Reading(texts, parsed, other)


# --------------------------------------------------------------------------- #
# Column selection
# --------------------------------------------------------------------------- #


def _describe_columns(names: Sequence[Any] | None, ncols: int) -> str:
    if names is None:
        return f"the data has {ncols} column{'s' if ncols != 1 else ''}, numbered 0 to {ncols - 1}"
    shown = [f"{i} {_show(n) if isinstance(n, str) else n}" for i, n in
             enumerate(names[:_MAX_COLUMNS_LISTED])]
    more = f", ... ({ncols} in all)" if ncols > _MAX_COLUMNS_LISTED else ""
    return "available columns: " + ", ".join(shown) + more


def _col_text(names: Sequence[Any] | None, pos: int) -> str:
    """' in column 'x'' / ' in column 1' for messages."""
    if names is None:
        return f" in column {pos}"
    name = names[pos]
    return f" in column {_show(name) if isinstance(name, str) else name}"


def _same_label(a: Any, b: Any) -> bool:
    try:
        return bool(a == b)
    except (TypeError, ValueError):
        return False


def _resolve_column(spec: Any, names: Sequence[Any] | None, ncols: int, opt: str) -> int:
    """0-based position of a column given by label or by index."""
    flag = "--column" if opt == "column" else "--date-column"
    if isinstance(spec, (bool, np.bool_)) or not isinstance(spec, (str, int, np.integer)):
        if names is None or not any(_same_label(n, spec) for n in names):
            raise ConfigError(
                f"`{opt}` must be a column name (str) or a 0-based index (int). "
                f"Received: {opt}={spec!r}"
            )
    if names is not None:
        matches = [i for i, n in enumerate(names)
                   if isinstance(n, str) == isinstance(spec, str) and _same_label(n, spec)]
        if not matches and isinstance(spec, str):
            matches = [i for i, n in enumerate(names) if isinstance(n, str) and n.strip() == spec.strip()]
        if len(matches) > 1:
            raise DataError(
                f"column name {_show(spec)} appears {len(matches)} times (columns "
                f"{', '.join(map(str, matches))}); choose one by index, e.g. {opt}={matches[0]} (CLI {flag} {matches[0]})"
            )
        if matches:
            return matches[0]
    pos: int | None = None
    if isinstance(spec, (int, np.integer)):
        pos = int(spec)
    elif isinstance(spec, str) and spec.strip().isdigit():
        pos = int(spec.strip())
    if pos is None:
        raise DataError(
            f"no column named {_show(spec)}; {_describe_columns(names, ncols)}; "
            f"choose one with {opt}= (CLI {flag})"
        )
    if not 0 <= pos < ncols:
        # no such index, but a header may name a column '2000' (the CLI passes digits as an int)
        named = [i for i, n in enumerate(names or []) if isinstance(n, str) and n.strip() == str(pos)]
        if len(named) == 1:
            return named[0]
        raise DataError(
            f"column index {pos} is out of range; {_describe_columns(names, ncols)}; "
            f"choose one with {opt}= (CLI {flag})"
        )
    return pos


def _choose_columns(
    columns: Sequence[Sequence[Any]],
    names: Sequence[Any] | None,
    column: Any,
    date_column: Any,
    *,
    is_date: Callable[[int], bool],
    has_index_dates: bool = False,
    many: str | Callable[[], str] = "",
    row_index: int | None = None,
) -> tuple[int, int | tuple | None]:
    """(value column, date column or None) following the auto-detect rules; the date column is a pair
    (year column, quarter or month column, dates) for dates given in two parts (`_year_period`). `many`
    (or what it returns, called then) ends the message when several columns could hold the values (a
    DataFrame's: how to pass many series). `row_index`: a column of row numbers (`_row_numbers`), never
    taken for the values or the dates unless named."""
    ncols = len(columns)
    pair = None
    value_pos = _resolve_column(column, names, ncols, "column") if column is not None else None
    if date_column is not None:
        date_pos: int | None = _resolve_column(date_column, names, ncols, "date_column")
        if date_pos == value_pos:
            raise ConfigError(
                "`column` and `date_column` name the same column. "
                f"Received: column={column!r}, date_column={date_column!r}; choose two different ones"
            )
    else:
        dated = [i for i in range(ncols) if i not in (value_pos, row_index) and is_date(i)]
        if has_index_dates:
            date_pos = None
        elif len(dated) > 1:
            shown = ", ".join(_col_text(names, i).replace(" in column ", "") for i in dated)
            raise DataError(
                f"several columns look like dates ({shown}); choose one with date_column= "
                "(CLI --date-column)"
            )
        else:
            date_pos = dated[0] if dated else None
        if date_pos is None and not has_index_dates and (ncols - (row_index is not None) == 2 or value_pos is not None):
            # the only column beside the values (or, with column= given, the only such column), holding 1700, 1701,
            # ..., named like a date (or the first column of a file without a header): yearly dates. A column 'count'
            # of 1990..2010 stays numbers.
            years = [i for i in range(ncols) if i not in (value_pos, row_index) and _consecutive_years(columns[i])
                     and _date_like_name(names, i)]
            date_pos = years[0] if len(years) == 1 else None
        if date_pos is None and not has_index_dates and names is not None:
            # a text column named like dates whose values do not read as dates ('Jan-15'): taken as the
            # dates, so that reading them names the value that fails, rather than dropped in silence; and one
            # of numbers written as dates (20200215), which were dropped in silence beside --column
            named = [i for i in range(ncols) if i != value_pos and (not _all_numbers(columns[i]) or _yyyymmdd(columns[i]))
                     and (_date_name(names, i) or (ncols == 2 and _date_like_name(names, i)))]
            date_pos = named[0] if len(named) == 1 else None
            if date_pos is not None and _month_numbers(columns[date_pos]) is not None and _year_period(columns, names):
                date_pos = None  # a month column of 'Jan', 'Feb', ... beside a year column: the two are the dates
        if date_pos is None and not has_index_dates:
            pair = _year_period(columns, names)
            if pair is not None and value_pos in pair[:2]:
                pair = None
    taken = set(pair[:2]) if pair else {date_pos}
    if value_pos is None:
        candidates = [i for i in range(ncols) if i not in taken and i != row_index and not (has_index_dates and is_date(i))]
        if len(candidates) > 1 and isinstance(date_pos, int):  # a column of text alone ('서울', 'a') holds no values
            numbers = [i for i in candidates if not _no_numbers(columns[i])]
            text = numbers and len(numbers) < len(candidates)
            if (text or len(numbers) == len(candidates) == 2) and _repeats(columns[date_pos]):
                # most dates twice or more: not one series, many in long format (ids as text, or as numbers: store 1, 2)
                said = _long_refusal(columns, names, date_pos, candidates, numbers, many)
                if said:
                    raise DataError(said)
            if text:
                candidates = numbers
        if len(candidates) != 1:
            if not candidates:
                raise DataError(
                    f"no column is left for the values once the dates are taken; "
                    f"{_describe_columns(names, ncols)}; choose one with column= (CLI --column)"
                )
            years = [i for i in candidates if _rising_years(columns[i])] if date_column is None else []
            named = [i for i in candidates if _date_name(names, i)]
            hint = _wide_months(columns, names, candidates)
            if not hint and date_pos is None and not has_index_dates:  # no dates down the rows: across the columns?
                hint = _wide_rows(columns, names, candidates)
            if not hint and (years or (named and date_column is None)):  # numbers in a column named like dates: 20200131, ...
                label = _col_text(names, (years or named)[0]).replace(" in column ", "")
                hint = f"; if column {label} holds {'years' if years else 'dates'}, pass date_column={label} (CLI --date-column)"
            raise DataError(
                f"{len(candidates)} columns could hold the values; {_describe_columns(names, ncols)}; "
                f"choose one with column= (CLI --column){hint}{many() if callable(many) else many}"
            )
        value_pos = candidates[0]
    return value_pos, pair or date_pos


def _no_numbers(cells: Sequence[Any]) -> bool:
    """No cell reads as a number: a column of text ('서울', 'a', notes), which cannot hold the values."""
    for c in cells:
        if isinstance(c, str):
            if _number(c.strip()) is not None:
                return False
        elif isinstance(c, (int, float, np.number)) and not isinstance(c, bool):
            return False
    return True


def _whole_numbers(cells: Sequence[Any]) -> bool:
    """Every cell reads as a whole number (1, 2, '3'), as numeric ids do."""
    try:
        values = [float(c) if not isinstance(c, str) else _number(c.strip()) for c in cells]
    except (TypeError, ValueError):
        return False
    return all(v is not None and math.isfinite(v) and v == int(v) for v in values)


def _repeats(cells: Sequence[Any]) -> bool:
    """Half the cells or more appear twice or more, as a long file's dates do (each once per series); a date or two
    written twice by mistake is not that (its load names the lines)."""
    try:
        index = pd.Index(cells)
        return not index.is_unique and index.duplicated(keep=False).mean() >= 0.5
    except TypeError:  # unhashable cells
        return False


def _long_refusal(columns: Sequence[Sequence[Any]], names: Sequence[Any] | None, date_pos: int,
                  candidates: list[int], numbers: list[int], many: str | Callable[[], str]) -> str | None:
    """The message for a table whose dates repeat beside a column of text, or beside two of numbers: many series in long
    format. With one column of 2+ ids (none empty; text, or else the one of two number columns holding whole numbers
    only, each twice or more), one column of values and each (id, date) pair once, it names the three columns as the flags
    to pass; else it says why it is no one series, with `many`'s advice (None for two number columns neither or both of
    which can be the ids)."""
    text = [i for i in candidates if i not in numbers]
    dates = pd.Series(list(columns[date_pos]), dtype=object)
    first = dates[dates.duplicated()].iloc[0]
    times = int((dates == first).sum())
    said = f"the dates in column {_col_text(names, date_pos).replace(' in column ', '')} repeat ({_show(str(first))} {times} times)"

    def ids_of(j: int) -> bool:  # 2+ ids, none empty, each (id, date) pair once
        ids = pd.Series([str(c).strip() for c in columns[j]], dtype=object)
        return (ids.nunique() >= 2 and not ids.map(lambda c: not c or _is_missing(c)).any()
                and not pd.DataFrame({"id": ids, "date": dates}).duplicated().any())

    pair = (text[0], numbers[0]) if len(text) == 1 and len(numbers) == 1 and ids_of(text[0]) else None
    if not text:  # ids as numbers (store 1, 2, 3): the one of the two columns of whole numbers, each twice or more, that can be ids
        whole = [j for j in numbers if _whole_numbers(columns[j]) and ids_of(j) and pd.Series(list(columns[j])).value_counts().min() >= 2]
        if len(whole) != 1:
            return None  # no one column or both could be the ids: the caller's "2 columns could hold the values" stands
        pair = (whole[0], next(j for j in numbers if j != whole[0]))
    if names is not None and pair is not None:
        i, d, v = (str(names[j]) for j in (pair[0], date_pos, pair[1]))
        from .runs import shell_join

        plain = re.compile(r"\w[\w.-]*").fullmatch  # '지역' as it is; 'my col' quoted for the shell
        flags = " ".join(f"--{k}-column {n if plain(n) else shell_join([n])}" for k, n in (("id", i), ("date", d), ("value", v)))
        return (f"{said}, once per id in column {_show(i)}: many series in long format; read them with {flags} "
                f"(Python: seqcast.load_long(..., id_column={i!r}, date_column={d!r}, value_column={v!r}))")
    hint = many() if callable(many) else many
    return f"{said}: no one series{hint or '; keep one row per date'}"


# --------------------------------------------------------------------------- #
# Sources
# --------------------------------------------------------------------------- #


#: Separator names for messages.
_DELIMITER_NAMES = {",": "comma", ";": "semicolon", "\t": "tab"}
_DECIMAL_COMMA_RE = re.compile(r"^\s*[+-]?\d+,\d+\s*$")
_THOUSANDS_RE = re.compile(r"^\s*[+-]?\d{1,3}(,\d{3})+\s*$")  # 1,120: thousands or 1.12? left as text: refused


def _csv_reader(fh: Any) -> Any:
    """A ``csv.reader`` over ``fh`` with its separator, from the first 20 non-blank lines.

    Among ``;``, tab and ``,``, the ones that split each of those lines (quotes respected) into the
    same number of fields, 2 or more, qualify; the one giving the most fields wins, ties in that order
    (a ``;`` file with decimal commas, 1120,5 on every line, splits evenly on ``,`` too). When none
    qualifies (a ragged row), the one that splits the first line into the most fields, ``,`` on ties.
    """
    sample = fh.read(1 << 16)
    fh.seek(0)
    lines = sample.splitlines()
    if len(sample) == 1 << 16:
        lines = lines[:-1]  # maybe cut short
    lines = [line for line in lines if line.strip()][:20]
    try:
        widths = {d: [len(r) for r in csv.reader(lines, delimiter=d)] for d in ";\t,"}
    except csv.Error:
        return csv.reader(fh)
    even = [(counts[0], -k, d) for k, (d, counts) in enumerate(widths.items()) if counts and min(counts) >= 2 and len(set(counts)) == 1]
    if even:
        return csv.reader(fh, delimiter=max(even)[2])
    first = max(",;\t", key=lambda d: widths[d][0] if widths[d] else 0)
    return csv.reader(fh, delimiter=first)


def _not_found(path: Path) -> DataError:
    """A missing file; the name of a built-in dataset (the CLI's `seqcast fit airline`) says how to load it."""
    from .datasets import builtin_names

    name = str(path).strip().lower()
    hint = f" ({name!r} is a built-in dataset: seqcast.datasets.load({name!r}))" if name in builtin_names() else ""
    return DataError(f"file {_show(str(path), 200)} not found; check the path{hint}")


def _read_parquet(path: Path) -> pd.DataFrame:
    shown = _show(str(path), 200)
    if not path.exists():
        raise _not_found(path)
    try:
        return pd.read_parquet(path)
    except ImportError:
        raise ConfigError("reading Parquet files needs pyarrow: pip install pyarrow") from None
    except MemoryError:  # (pyarrow's ArrowMemoryError too): the file is fine, the CLI says "not enough memory"
        raise
    except Exception as exc:  # noqa: BLE001 - pyarrow raises many kinds
        raise DataError(
            f"file {shown} cannot be read as Parquet ({_one_line(str(exc))}); check that it is a "
            "Parquet file, or save it as CSV"
        ) from None


def kept_encoding(source: Any, encoding: str | None) -> str | None:
    """The encoding a model kept from its fit (`encoding`: fit --encoding's) for reading `source` again; None (today's
    detection) when `source` is a file already in UTF-8 (every byte valid UTF-8, or a UTF-8/16/32 byte-order mark). A
    model fitted on Korean Excel's cp949 export, given the same data saved as UTF-8 since, read it as cp949 and refused it
    ("is not cp949 text ... save it as UTF-8"). A cp949 file holding Hangul is never valid UTF-8 (its lead bytes 0xb0-0xc8
    are UTF-8's continuation bytes), and a file of ASCII reads the same either way."""
    if encoding is None:
        return None
    try:
        path = Path(os.fspath(source)).expanduser()
        if not path.is_file():
            return encoding
        decoder = codecs.getincrementaldecoder("utf-8")()
        with path.open("rb") as fh:
            first = fh.read(4)
            if first.startswith((codecs.BOM_UTF8, codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE, codecs.BOM_UTF32_BE)):
                return None  # (UTF-32 LE starts with UTF-16 LE's mark)
            decoder.decode(first)
            for chunk in iter(lambda: fh.read(1 << 24), b""):
                decoder.decode(chunk)
            decoder.decode(b"", final=True)
    except (TypeError, ValueError, OSError):  # not a path; UnicodeDecodeError (a ValueError): not UTF-8
        return encoding
    return None


def check_encoding(encoding: Any) -> None:
    """Refuse an `encoding` (load_series', load_long's) that is not None nor a text codec Python knows (ConfigError)."""
    try:
        known = encoding is None or codecs.lookup(encoding)._is_text_encoding  # not a codec of bytes (base64), of text (rot13)
    except (LookupError, TypeError):
        known = False
    if not known:
        raise ConfigError("`encoding` must be a codec Python knows, such as utf-8, cp949, cp1252, latin-1. "
                          f"Received: encoding={encoding!r}") from None


def _encoding(path: Path, encoding: str | None = None) -> str:
    """How to read a text file: in `encoding` when one is given (UTF-8 without its byte-order mark, if it has one), else
    UTF-32 or UTF-16 when it starts with that byte-order mark (UTF-16: Excel's 'Unicode Text', tab-separated), else
    UTF-8, with or without its byte-order mark (Excel's 'CSV UTF-8')."""
    if encoding is not None:
        return "utf-8-sig" if codecs.lookup(encoding).name == "utf-8" else encoding
    try:
        with path.open("rb") as fh:
            head = fh.read(4)
        if head in (b"\xff\xfe\x00\x00", b"\x00\x00\xfe\xff"):  # (UTF-32's little-endian mark starts as UTF-16's)
            return "utf-32"
        return "utf-16" if head[:2] in (b"\xff\xfe", b"\xfe\xff") else "utf-8-sig"
    except OSError:  # the reader that opens it names the problem
        return "utf-8-sig"


def column_names(source: Any, index: bool = False, encoding: str | None = None) -> list[str]:
    """The column names a CSV file's first non-blank line (read in `encoding`, as `_encoding` says) or a Parquet file's
    schema gives (a stored pandas index left out unless `index`: load_long reads its levels as columns), stripped; []
    for anything unreadable or not a file (the loaders say why). Cheap: the header only."""
    path = Path(source).expanduser() if isinstance(source, (str, Path)) else None
    try:
        if path is None or not path.is_file():
            return []
        if path.suffix.lower() in PARQUET_SUFFIXES:
            import pyarrow.parquet as pq

            schema = pq.read_schema(path)
            stored = [] if index else (schema.pandas_metadata or {}).get("index_columns", [])
            return [n for n in schema.names if n not in stored]
        with path.open("r", encoding=_encoding(path, encoding), newline="") as fh:
            for record in _csv_reader(fh):
                if record and any(cell.strip() for cell in record) and not _is_sep_line(record):
                    return [cell.strip() for cell in record]
    except Exception as exc:  # unreadable: the loader reading it names the problem
        if out_of_memory(exc):  # not unreadable: the CLI says "not enough memory"
            raise
        return []
    return []


_PACKED = {b"\x1f\x8b": "gzip-compressed; decompress it first (gunzip)",
           b"PK\x03\x04": "a ZIP archive (an Excel .xlsx workbook?); save the sheet as CSV"}


def _is_sep_line(record: list[str]) -> bool:
    """Excel's "sep=;" line, which names the separator above the header."""
    return bool(record) and record[0].strip().lower().startswith("sep=") and not any(c.strip() for c in record[1:])


def _read_csv_rows(path: Path, encoding: str | None = None) -> tuple[list[list[str]], list[int], str]:
    """Non-blank CSV records, the 1-based line number each starts on, and the separator; read in `encoding` (None: as
    `_encoding` detects it)."""
    shown = _show(str(path), 200)
    if not path.exists():
        raise _not_found(path)
    if path.is_dir():
        raise DataError(f"{shown} is a directory, not a file; pass the path of a CSV file")
    if not path.is_file():  # a pipe (bash's <(...), /dev/stdin) or a device: it cannot be read twice (sniffed, then parsed)
        raise DataError(f"file {shown} is not a regular file (a pipe or a device); save the data to a CSV file and pass its path")
    try:
        with path.open("rb") as fh:
            magic = fh.read(4)
            if magic == b"PAR1" and fh.seek(0, 2) >= 8:  # Parquet starts and ends with PAR1: one named data.txt or data.csv
                fh.seek(-4, 2)
                magic += fh.read(4)
    except OSError:
        magic = b""
    if magic == b"PAR1PAR1":
        raise DataError(f"file {shown} is a Parquet file; name it .parquet to read it as one")
    packed = next((what for head, what in _PACKED.items() if magic.startswith(head)), None)
    if packed:
        raise DataError(f"file {shown} is {packed}")
    try:
        with path.open("r", encoding=_encoding(path, encoding), newline="") as fh:
            reader = _csv_reader(fh)
            rows: list[list[str]] = []
            lines: list[int] = []
            start = 1
            for record in reader:
                if not rows and _is_sep_line(record):
                    start = reader.line_num + 1  # Excel's "sep=;" line names the separator (already detected)
                    continue
                if record and record[0].startswith("\ufeff"):  # a BOM after the first line: `cat a.csv b.csv` of two
                    record[0] = record[0].lstrip("\ufeff")  # Excel 'CSV UTF-8' files (invisible; the first one's is decoded)
                joined = "".join(record)
                if "\x00" in joined:  # UTF-16 or -32 without its mark: each character's NUL bytes read as UTF-8
                    raise _nul_bytes(path, start, encoding)
                if joined.strip():  # not blank: some cell holds more than spaces
                    rows.append(record)
                    lines.append(start)
                start = reader.line_num + 1
    except UnicodeDecodeError:
        raise _not_utf8(path, encoding) from None
    except csv.Error as exc:
        raise DataError(f"file {shown} is not valid CSV ({_one_line(str(exc))}); fix the file") from None
    except OSError as exc:
        raise DataError(
            f"file {shown} cannot be read ({_one_line(exc.strerror or str(exc))}); check the path "
            "and its permissions"
        ) from None
    if not rows:
        raise DataError(
            f"file {shown} is empty; it needs one value per line, e.g. '1949-01,112'"
        )
    return rows, lines, reader.dialect.delimiter


#: Codecs of two bytes or more per character whose bytes 0x00-0x3f are always the ASCII characters they are (a character's
#: second byte is 0x40 or more, or a digit), as `_scan` counts them; not UTF-16/32, UTF-7, ISO-2022 or Johab (';' as a
#: second byte).
_ASCII_SAFE = {"utf-8", "utf-8-sig", "cp949", "euc_kr", "cp932", "shift_jis", "shift_jis_2004", "shift_jisx0213", "euc_jp",
               "euc_jis_2004", "euc_jisx0213", "gbk", "gb2312", "gb18030", "big5", "cp950", "big5hkscs"}


def _ascii_safe(encoding: str) -> bool:
    """Whether `_scan` can count a file's separators, quotes and line ends in its bytes: UTF-8, the East Asian codecs of
    `_ASCII_SAFE`, and the code pages of one byte per character that keep ASCII (Windows-1252, Latin-1; not EBCDIC,
    nor ISO-2022 and HZ, whose escapes switch the meaning of the bytes that follow)."""
    name = codecs.lookup(encoding).name
    one_byte = len(bytes(range(256)).decode(encoding, "replace")) == 256 and not name.startswith(("iso2022", "hz"))
    return name in _ASCII_SAFE or (one_byte and '\0\t\n\r",;'.encode(encoding, "replace") == b'\0\t\n\r",;')


def _pandas_csv(path: Path, options: Callable[[list[str]], dict], refuse: tuple[bytes, ...] = (),
                encoding: str | None = None) -> tuple[pd.DataFrame, list[str], str, bool] | None:
    """A UTF-8 CSV file (or one in `encoding`) read by pandas' C parser, far faster and smaller than Python's csv
    module for many rows:
    (frame of columns 0 .. width-1, the first non-blank record's cells stripped, the separator, whether record i is on
    line i + 1: no blank line, no line break in quotes); or None when it may read otherwise than `_read_csv_rows`: a
    ragged row (pandas fills a short one), bytes that do not decode, a NUL, a BOM after the start, a '\\r' alone, a
    packed file, Excel's sep= line, or any of `refuse` in any case. `options(the first record's cells)`: read_csv's
    options (header=0 skips that record; dtype= ...), or a DataError (None)."""
    if not path.is_file():
        return None
    enc = _encoding(path, encoding)
    if enc != "utf-8-sig" and (encoding is None or not _ascii_safe(enc)):  # UTF-16: its separators are two bytes
        return None
    try:
        with path.open("rb") as fh:
            if fh.read(4).startswith((b"PAR1", *_PACKED)):
                return None
        with path.open("r", encoding=enc, newline="") as fh:
            reader = _csv_reader(fh)
            head = next(filter(lambda r: "".join(r).strip(), reader), None)
        sep = reader.dialect.delimiter
        if head is None or _is_sep_line(head):
            return None
        kwargs = options([cell.strip() for cell in head])
        scan = _scan(path, sep, refuse)
        if scan is None:
            return None
        with _quiet():  # a row with too many fields is an error; one with too few is filled: counted below
            frame = pd.read_csv(path, sep=sep, names=list(range(len(head))), encoding=enc, compression=None,
                                engine="c", **{"header": None, **kwargs})
    except (DataError, UnicodeDecodeError, csv.Error, OSError, ValueError, pd.errors.ParserError):
        return None
    separators, line_ends, quoted = scan
    records, width = len(frame) + (kwargs.get("header") == 0), len(head)
    if quoted:  # separators within quotes are no field's end
        separators -= sum(c.count(sep) for c in head) if kwargs.get("header") == 0 else 0
        separators -= sum(int(frame[j].astype(str).str.count(re.escape(sep)).sum()) for j in frame if frame[j].dtype == object)
    if len(frame) == 0 or separators != records * (width - 1):  # a short row
        return None
    return frame, [cell.strip() for cell in head], sep, line_ends == records


def _scan(path: Path, sep: str, refuse: tuple[bytes, ...]) -> tuple[int, int, bool] | None:
    """(how many `sep` characters a file holds, how many lines, whether it holds a '"'); None when it holds a NUL (where
    pandas' parser ends a cell and Python's csv module refuses the file), a '\\r' not before a '\\n', any of `refuse` in
    any case, or a UTF-8 BOM after its start (files joined with `cat`: pandas keeps it in the cell)."""
    count, lines, quoted, returns, pairs, tail, mark = 0, 0, False, 0, 0, b"", sep.encode()
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 24), b""):
            low = (tail + chunk).lower()
            if b"\0" in chunk or any(word in low for word in refuse) or b"\xef\xbb\xbf" in low[1:]:
                return None
            count, lines, quoted = count + chunk.count(mark), lines + chunk.count(b"\n"), quoted or b'"' in chunk
            returns, pairs = returns + chunk.count(b"\r"), pairs + (tail[-1:] + chunk).count(b"\r\n")
            tail = chunk[-8:]
    return (count, lines + (not tail.endswith(b"\n")), quoted) if returns == pairs else None


def _nul_bytes(path: Path, line: int, encoding: str | None = None) -> DataError:
    """A text file holding NUL bytes: UTF-16 or UTF-32 written without its byte-order mark ('line 74 has 1 field but line 1
    has 2', or columns named '\\x00d\\x00a\\x00t\\x00e' before), or a damaged one (a crash's run of zeros)."""
    return DataError(f"file {_show(str(path), 200)} is not {encoding or 'UTF-8'} text: line {line} holds NUL bytes (0x00), as "
                     "UTF-16 or UTF-32 text without its byte-order mark does (or a damaged file); save it as UTF-8 (in Excel: "
                     "CSV UTF-8)")


#: What a refusal of a file that is not UTF-8 advises.
_SAVE_UTF8 = "save it as UTF-8 (in Excel: CSV UTF-8)"
_PASS_ENCODING = (f"{_SAVE_UTF8} or pass its encoding, encoding= (CLI --encoding): cp949 for Korean Excel, cp1252 for Western "
                  "Windows, cp932 for Japanese")


def _korean(raw: bytes) -> bool:
    """Whether bytes that are no UTF-8 read as Korean EUC-KR (cp949's common part: KS X 1001) holding Hangul: then
    they are most likely Korean Excel's 'CSV' (a Japanese cp932 file's kana, a Latin-1 file's lone accents do not decode)."""
    try:
        text = raw.decode("euc_kr")
    except UnicodeDecodeError:
        return False
    return re.search("[\uac00-\ud7a3]", text) is not None


def _bad_line(raw: bytes, at: int, encoding: str) -> tuple[int, str]:
    """(1-based line number, its text with undecodable bytes as U+FFFD) of the byte at `at` of `raw` in `encoding`."""
    if _ascii_safe(encoding):  # lines end at b"\n" bytes: only that line decoded
        start, end = raw.rfind(b"\n", 0, at) + 1, raw.find(b"\n", at)
        line = raw[start : end if end >= 0 else len(raw)].rstrip(b"\r").decode(encoding, "replace")
        return raw.count(b"\n", 0, at) + 1, line
    before = raw[:at].decode(encoding, "replace")
    after = raw[at : at + 4096].decode(encoding, "replace")
    line = before[before.rfind("\n") + 1 :] + after.split("\n", 1)[0]
    return before.count("\n") + 1, line.rstrip("\r")


def _not_utf8(path: Path, given: str | None = None) -> DataError:
    """A file that is not UTF-8 (or not of the `given` encoding): Excel's 'Unicode Text' (UTF-16) cut short, or the line
    with the first byte that does not decode (a Latin-1 or Windows-1252 file, Korean cp949, or one such line appended to
    a UTF-8 file). Reads the whole file."""
    shown, fix = _show(str(path), 200), _PASS_ENCODING
    encoding = _encoding(path, given)
    if given is not None:
        raw = path.read_bytes()
        try:
            raw.decode(encoding)
            return DataError(f"file {shown} is not {given} text; pass its encoding (encoding=, CLI --encoding) or {_SAVE_UTF8}")
        except UnicodeDecodeError as e:
            number, line = _bad_line(raw, e.start, encoding)
            return DataError(f"file {shown} is not {given} text: line {number} ({_show(line)}) holds the byte 0x{raw[e.start]:02x}, "
                             f"which {given} does not decode; pass the file's encoding (encoding=, CLI --encoding) or {_SAVE_UTF8}")
    if encoding != "utf-8-sig":  # read as UTF-16 (or -32) by its mark, yet bytes no UTF-16 (cut short, say)
        excel = " (Excel's 'Unicode Text')" if encoding == "utf-16" else ""
        return DataError(f"file {shown} is not valid {encoding.upper()} text{excel}; {_SAVE_UTF8}")
    raw = path.read_bytes()
    try:
        raw.decode("utf-8")
        return DataError(f"file {shown} is not UTF-8 text; {fix}")  # changed since it was read
    except UnicodeDecodeError as e:
        at = e.start
    if _korean(raw):  # the line as cp949 reads it ('월,승객수'), not as U+FFFD boxes: '�,����'
        number, line = _bad_line(raw, at, "cp949")
        return DataError(f"file {shown} is not UTF-8 text: line {number} ({_show(line)} in cp949) holds the byte "
                         f"0x{raw[at]:02x}; it reads as cp949 (Korean): pass encoding='cp949' (CLI --encoding cp949), "
                         f"or {_SAVE_UTF8}")
    number, line = _bad_line(raw, at, "utf-8")
    return DataError(f"file {shown} is not UTF-8 text: line {number} ({_show(line)}) holds the "
                     f"byte 0x{raw[at]:02x} (an encoding such as Latin-1, Windows-1252 or EUC-KR); {fix}")


def _unambiguous_comma(cell: str) -> bool:
    """'1120,5' is a decimal comma; '105,207' may be a thousands separator."""
    return bool(_DECIMAL_COMMA_RE.match(cell)) and not _THOUSANDS_RE.match(cell)


def _decimal_column(cells: list[str]) -> list[str]:
    """One column's cells with decimal commas read as dots: '1120,5' always; '105,207' (a decimal comma or a
    thousands separator?) only in a column where some other cell settles it ('100,0', '1234,567'). The cells
    themselves (the same object) when none does."""
    if not any(_unambiguous_comma(c) for c in cells):  # (the first cell, mostly)
        return cells
    return [c.replace(",", ".") if _DECIMAL_COMMA_RE.match(c) else c for c in cells]


#: Thousands separators that are never a decimal mark: spaces (French, Polish, Russian exports; Excel writes a no-break
#: or a narrow no-break space) and apostrophes (Swiss: 1'000.50).
_SPACES = " \u00a0\u202f"
_NEVER_DECIMAL = _SPACES + "'\u2019"
#: A number grouped in thousands, one mark throughout, and maybe a decimal part: 1 000,50  1.000,50  1'000.50  1,000,000.
#: Its first group has no leading zero: '0.001' is a decimal.
_GROUPED_RE = re.compile(r"\s*[+-]?[1-9]\d{0,2}([ \u00a0\u202f'\u2019.,])\d{3}(?:\1\d{3})*(?:([.,])\d+)?\s*")


#: A number whose '.' or ',' can only be its decimal mark: not followed by exactly three digits ('999,5', '2.25',
#: '0,1234'), or after four digits or more ('1234,567', which grouping would write 1.234,567).
_DECIMAL_MARK_RE = re.compile(r"\s*[+-]?(?:\d+([.,])(?:\d{1,2}|\d{4,})|\d{4,}([.,])\d+)\s*")


def _grouping(cells: list[str]) -> tuple[str, str] | None:
    """(thousands separators, decimal marks) that a column's cells settle, or None: a cell grouped by a space or an
    apostrophe ('1 000', '1'000.5'), or by '.' or ',' with the other mark as decimals ('1.000,50', '1,000.50'),
    settles them; '1.000' or '1.000.000' alone does not (1.0 or 1000? a typo?), nor a column whose cells disagree
    ('1.000,50' beside '1,000.50'), nor one holding a ':' (times: 2020-01-01 10:00)."""
    text = "\n".join(cells)  # a cheap look first: most columns hold none of these
    if ":" in text or not (any(ch in text for ch in _NEVER_DECIMAL) or ("," in text and "." in text)):
        return None
    marks, points = set(), set()
    for cell in cells:
        m = _GROUPED_RE.fullmatch(cell)
        if m is not None and m[1] != m[2] and (m[1] in _NEVER_DECIMAL or m[2]):
            marks.add(" " if m[1] in _SPACES else m[1])
            points.add(m[2] or ".,".replace(m[1], ""))
    if len(marks) != 1 or len(points & {".", ","}) > 1 or marks & points:
        return None
    mark, point = marks.pop(), min(points, key=len)  # (a space's ".,": either mark, unless a cell shows one)
    return (_SPACES if mark == " " else mark), point


#: Marks that Excel's currency and percent formats write around a number, dropped where every value of a column
#: carries the same one (`_unmarked`): a sign before or after it ($5, -$5, $-5, 5 €), a currency word after it (5원, 5 zł),
#: or % after it (12.5%: read as 12.5, in percent units).
_SIGNS = "$€£¥￥₩￦₹"
_WORDS = ("원", "円", "元", "zł", "kr", "%")
_MARK_NUMBER = r"(?:\d|[.,]\d)(?:[\d.,'\u2019 \u00a0\u202f]*\d)?"  # digits, maybe grouped: 1,234.50  1 234,50  .5
_MARKED_RE = re.compile(rf"\s*(?P<sign>[+-]?)\s*(?:(?P<pre>[{_SIGNS}])\s*(?P<sign2>[+-]?)(?P<number>{_MARK_NUMBER})"
                        rf"|(?P<number2>{_MARK_NUMBER})\s*(?P<post>[{_SIGNS}]|{'|'.join(_WORDS)}))\s*")
#: Marks of currencies whose amounts are written with ',' between thousands and '.' before decimals ($112,000.50,
#: ₩112,000): in a column marked so, a ',' that no cell shows otherwise is a thousands separator, never a decimal comma.
_COMMA_THOUSANDS = frozenset("$£¥₩₹원円元")


#: Full-width signs, the same currency: cp949 (Korean Excel's 'CSV') holds ￦, not ₩.
_FULL_WIDTH = {"￥": "¥", "￦": "₩"}


def _mark(cell: Any) -> tuple[str, str] | None:
    """(the currency sign or % a text cell carries, the number without it: '-$1,234.50' -> ('$', '-1,234.50')), or None."""
    m = _MARKED_RE.fullmatch(cell) if isinstance(cell, str) else None
    if m is None or (m["sign"] and m["sign2"]):
        return None
    mark = m["pre"] or m["post"]
    mark = _FULL_WIDTH.get(mark, mark)  # the full-width yen of Japanese exports, the won of Korean cp949 ones: the same
    return mark, f"{m['sign'] or m['sign2'] or ''}{m['number'] or m['number2']}"


def _unmarked(cells: Sequence[Any]) -> tuple[list[Any], str] | None:
    """(`cells` without the mark, '' for a missing one; and the mark) when every non-missing cell carries the same
    currency sign or % (a first cell that is no number, a header, need not); None otherwise, at the first cell that
    does not. A column mixing '$5' and '7' (or '€5') is left as written, for `_parse_values` to refuse."""
    filled = (i for i, cell in enumerate(cells) if not _is_missing(cell))
    first = next(filled, None)
    if first == 0 and _mark(cells[0]) is None and isinstance(cells[0], str) and not _is_value(cells[0]):
        first = next(filled, None)  # a header: 'sales'
    found = _mark(cells[first]) if first is not None else None
    if found is None:
        return None
    out = ["" if _is_missing(cell) else cell for cell in cells]
    for i in range(first, len(cells)):
        if out[i]:
            marked = _mark(out[i])
            if marked is None or marked[0] != found[0]:
                return None
            out[i] = marked[1]
    return out, found[0]


def _number_column(cells: list[str] | np.ndarray, decimal_comma: bool) -> list[str] | np.ndarray:
    """A CSV column's cells without the currency sign or % that every value carries (`_unmarked`), with numbers grouped
    in thousands written plainly ('1 000,50' -> '1000.50', as `_grouping` settles the column, or ',' and '.' for a
    `_COMMA_THOUSANDS` currency), then, when `decimal_comma` (a file not separated by commas), `_decimal_column`'s
    decimal commas. The cells themselves (the same object) when nothing is to read, or when pandas' parser read them
    (floats)."""
    if isinstance(cells, np.ndarray) and cells.dtype.kind == "f":
        return cells
    marked = _unmarked(cells)
    comma_thousands = marked is not None and marked[1] in _COMMA_THOUSANDS
    if marked is not None:
        cells = marked[0]
        decimal_comma = decimal_comma and not comma_thousands
    grouping = _grouping(cells) or ((",", ".") if comma_thousands else None)
    if grouping is not None:
        marks, points = (re.escape(m) for m in grouping)
        number = re.compile(rf"\s*([+-]?)([1-9]\d{{0,2}}(?:[{marks}]\d{{3}})+|\d+)(?:[{points}](\d+))?\s*")

        def plain(cell: str) -> str:
            m = number.fullmatch(cell)
            if m is None:
                return cell
            digits = re.sub(f"[{marks}]", "", m[2])
            return f"{m[1]}{digits}.{m[3]}" if m[3] else f"{m[1]}{digits}"

        cells = [plain(c) for c in cells]
    elif any(_DECIMAL_COMMA_RE.fullmatch(c) and _DECIMAL_MARK_RE.fullmatch(c) for c in cells if type(c) is str and "," in c):
        cells = [_Ambiguous(c) if "." in c and "," not in c and _GROUPED_RE.fullmatch(c) else c for c in cells]  # '1.000'
    return _decimal_column(cells) if decimal_comma else cells


class _Ambiguous(str):
    """A cell such as '1.000' in a column whose decimal mark a cell shows as ',' ('999,5'): a German thousand, or one
    with a decimal point from another locale? `_parse_values` refuses it: read either way, a value could be 1000x off
    without a word (it read 1.0 beside 999.5)."""


def _read_csv_table(path: Path, encoding: str | None = None) -> tuple[list[list[str]], list[int], str]:
    """`_read_csv_rows`, refusing rows whose number of fields differs from the first row's. The cells are as written:
    in a file not separated by commas, the caller reads a cell like ``1120,5`` as a decimal comma (`_decimal_column`)."""
    rows, lines, delimiter = _read_csv_rows(path, encoding)
    width = len(rows[0])
    pipes = {record[0].count("|") if len(record) == 1 else 0 for record in rows}
    if len(pipes) == 1 and min(pipes) >= 1:  # one column, every line split alike by '|'
        raise DataError(
            f"file {_show(str(path), 200)} looks '|'-separated (line {lines[0]}: {_show(rows[0][0])}), but seqcast reads "
            "comma-, semicolon- or tab-separated files; save it with one of those separators"
        )
    for record, line in zip(rows, lines):
        if len(record) != width:
            raise DataError(
                f"line {line} has {_plural(len(record), 'field')} but line {lines[0]} has {width}; "
                f"give every row the same number of {_DELIMITER_NAMES[delimiter]}-separated fields"
            )
    while width > 1 and all(not record[-1].strip() for record in rows):  # a separator ending every line (Excel)
        rows, width = [record[:-1] for record in rows], width - 1
    return rows, lines, delimiter


def _csv_columns(path: Path, encoding: str | None = None) -> tuple[list[list[str]], list[int], str]:
    """`_read_csv_table`'s rows as (width, N) columns of stripped cells, the line each row is on, and the separator; read
    by pandas' parser (every cell as text) when it reads as that robust reader does, each record on its own line."""
    read = _pandas_csv(path, lambda head: {"dtype": object, "na_filter": False}, encoding=encoding)
    if read is not None:
        frame, _, sep, one_per_line = read
        columns = [[cell.strip() for cell in frame[j].tolist()] for j in frame]  # (width, N)
        blank = np.logical_and.reduce([np.asarray(column, dtype=object) == "" for column in columns])  # (N,) rows of spaces
        odd = any("|" in cell for cell in columns[0]) if len(columns) == 1 else not any(columns[-1])  # '|'-separated? Excel's ';' ending lines
        if one_per_line and not blank.any() and not odd:
            return columns, list(range(1, len(frame) + 1)), sep
    rows, lines, sep = _read_csv_table(path, encoding)
    return [[record[j].strip() for record in rows] for j in range(len(rows[0]))], lines, sep


def _from_csv(source: str | Path, *, column: Any, date_column: Any, header: bool | None, encoding: str | None = None) -> _Raw:
    path = Path(source).expanduser()
    shown = _show(str(path), 200)
    columns, lines, sep = _csv_columns(path, encoding)
    columns = [_number_column(column, sep != ",") for column in columns]  # 1 000,50; and 1120,5 if not comma-separated
    has_header = _row_is_header(columns) if header is None else header
    names: list[str] | None = None
    if has_header:
        names = [column[0] for column in columns]
        columns, lines = [column[1:] for column in columns], lines[1:]
        if not lines:
            raise DataError(f"file {shown} has a header line but no data rows; add the data below it")
    is_date = _DateColumns(lambda j: _detect_dates(columns[j]))

    def many() -> str:  # a long file read as one series (fit without --id-column): its dates repeat, once per series
        dated = [j for j in range(len(columns)) if is_date(j)]
        if any(len(set(columns[j])) < len(columns[j]) for j in dated):
            return ("; a file of many series in long format (an id, a date and a value column, each date once per series) "
                    "takes --id-column, --date-column and --value-column (Python: seqcast.load_long)")
        if names is not None and len(dated) == 1:  # a date column and a column per series (a wide table, as Darts writes)
            date = names[dated[0]]
            read = "" if date == "ds" else f", and read that with --date-column {shlex.quote(date)}"
            return (f"; to fit every column as its own series (one model for all), write them in long format first, e.g. with "
                    f"pandas df.melt(id_vars={date!r}, var_name='unique_id', value_name='y').to_csv(path, index=False){read}")
        return ""

    value_pos, date_pos = _choose_columns(columns, names, column, date_column, is_date=is_date, many=many,
                                          row_index=_row_numbers(names, columns))

    def where(i: int) -> str:
        return f"line {lines[i]}"

    values = _parse_values(columns[value_pos], where, _col_text(names, value_pos))
    dates = dates_dayfirst = None
    date_name = None
    if isinstance(date_pos, tuple):  # year and quarter (or month) columns, dates read once
        dates, date_name = date_pos[2], None
    elif date_pos is not None:
        dates, dates_dayfirst = _parse_dates(columns[date_pos], where, _col_text(names, date_pos), day_first=True,
                                             reading=is_date.reading(date_pos))
        date_name = names[date_pos] if names is not None else None
    name = names[value_pos] if names is not None and names[value_pos] else "y"
    return _Raw(values, dates, name, where, date_name=date_name, source=f"file {shown}",
                col=_col_text(names, value_pos),
                dates_dayfirst=dates_dayfirst)


def _pandas_values(values: pd.Series | pd.Index, where: Callable[[int], str], col: str) -> np.ndarray:
    dtype = values.dtype  # complex: no fast cast, which drops the imaginary parts; each value is refused below
    if pd.api.types.is_numeric_dtype(dtype) and not (pd.api.types.is_bool_dtype(dtype) or pd.api.types.is_complex_dtype(dtype)):
        return np.asarray(values.to_numpy(dtype="float64", na_value=np.nan), dtype=np.float64)
    return _text_values(list(values), where, col)


def _text_values(cells: list[Any], where: Callable[[int], str], col: str) -> np.ndarray:
    """`_parse_values` of a DataFrame's or a list's cells; text that carries a currency sign or % on every value
    ('$1,234.50') is read as in a CSV file (`_number_column`, decimal commas aside)."""
    return _parse_values(_number_column(cells, False) if _unmarked(cells) is not None else cells, where, col)


def _plain(values: pd.Index | pd.Series) -> pd.Index | pd.Series:
    """Categorical values (a groupby on a categorical column; pandas reads a Parquet dictionary column so) as the
    plain values of their categories, and an index of pyarrow dates or timestamps (read_parquet's dtype_backend=
    'pyarrow') as a DatetimeIndex, so that dates and steps read as such (they were positions 0, 1, ...)."""
    if isinstance(values, pd.Index) and isinstance(values.dtype, pd.ArrowDtype) and pd.api.types.is_datetime64_any_dtype(values.dtype):
        return pd.DatetimeIndex(values)
    if not isinstance(values.dtype, pd.CategoricalDtype):
        return values
    if isinstance(values, pd.Index):
        return pd.Index(np.asarray(values), name=values.name)
    return pd.Series(np.asarray(values), index=values.index, name=values.name)


def _index_dates(index: pd.Index) -> tuple[pd.DatetimeIndex | None, pd.DatetimeIndex | None]:
    """(the dates an index holds, or None when it is a plain position index; the day-first reading of
    ambiguous text dates such as 01/02/2020, or None)."""
    if isinstance(index, pd.DatetimeIndex):
        if index.hasnans:
            i = int(np.flatnonzero(index.isna())[0])
            raise DataError(f"row {i}: the date in the index is missing (NaT); fix or remove that row")
        return index, None
    if isinstance(index, pd.PeriodIndex):
        return index.to_timestamp(how="start"), None
    if index.dtype == object or pd.api.types.is_string_dtype(index.dtype):
        cells = list(index)
        found, reading = _detect_dates(cells)
        if found:
            return _parse_dates(cells, _row_where, " in the index", day_first=True, reading=reading)
    return None, None


def _detect_column_dates(col: pd.Series) -> tuple[bool, _Reading | None]:
    """(whether a frame column holds dates, `_detect_dates`' reading of its text dates or None)."""
    dtype = col.dtype
    if pd.api.types.is_datetime64_any_dtype(dtype) or isinstance(dtype, pd.PeriodDtype):
        return True, None
    if dtype == object or pd.api.types.is_string_dtype(dtype):
        return _detect_dates(list(col))
    return False, None


def _frame_dates(col: pd.Series, where: Callable[[int], str], text: str,
                 reading: _Reading | None = None) -> tuple[pd.DatetimeIndex, pd.DatetimeIndex | None]:
    """(a column's dates, the day-first reading of ambiguous text dates such as 01/02/2020, or None);
    `reading` as for `_parse_dates`."""
    dtype = col.dtype
    if isinstance(dtype, pd.PeriodDtype):
        return pd.PeriodIndex(col).to_timestamp(how="start"), None
    if pd.api.types.is_datetime64_any_dtype(dtype):
        dates = pd.DatetimeIndex(col)
        if dates.hasnans:
            i = int(np.flatnonzero(dates.isna())[0])
            raise DataError(f"{where(i)}: the date{text} is empty; fill it in or remove that row")
        return dates, None
    return _parse_dates(list(col), where, text, day_first=True, reading=reading)


def _refuse_multiindex(index: pd.Index, what: str, value: Any = None) -> None:
    """A (unique_id, ds) MultiIndex is many series: read as one, their values would run on one after another. The
    message gives the load_long call that reads them (sktime's (instances, timepoints) too); `value`: a DataFrame's
    value column."""
    if isinstance(index, pd.MultiIndex):
        names = ", ".join("None" if n is None else str(n) for n in index.names)
        how = (": .reset_index() with columns unique_id, ds, y" if index.nlevels != 2 else
               f": seqcast.load_long({_long_recipe(index.names, what, value)}) reads them")
        raise DataError(f"the {what} has a MultiIndex ({names}), but one series needs one index of dates or steps; "
                        f"pick one series (e.g. .xs(key)), or pass many to Forecaster.fit in long format{how}")


def _long_recipe(levels: list, what: str, value: Any) -> str:
    """The arguments of load_long for a frame or series indexed by (id, date) levels: the levels named, the names."""
    unnamed = any(n is None for n in levels)
    named = ["unique_id", "ds"] if unnamed else levels
    opts = [f"{opt}={n!r}" for opt, n, usual in (("id_column", named[0], "unique_id"), ("date_column", named[1], "ds"),
                                                 ("value_column", value, "y")) if n is not None and n != usual]
    obj = ("df" if what == "DataFrame" else "s.to_frame('y')") + (".rename_axis(['unique_id', 'ds'])" if unnamed else "")
    return obj + "".join(", " + o for o in opts)


_FRAME_MANY = ("; or pass one column, df[name]; many series go to Forecaster.fit as a dict (df.to_dict('series'): "
               "one per column) or in long format (unique_id, ds, y; seqcast.load_long names other columns)")


def _from_frame(frame: pd.DataFrame, *, column: Any, date_column: Any, many: str = _FRAME_MANY) -> _Raw:
    """A DataFrame's value and date columns; `many` ends the message when several columns could hold the values
    (a Parquet file's is empty: the DataFrame advice is Python's, its --column is already named)."""
    if frame.shape[1] == 0:
        raise DataError("the DataFrame has no columns; pass one with a column of numbers")
    index = _plain(frame.index)
    names = list(frame.columns)
    columns = [frame.iloc[:, j] for j in range(frame.shape[1])]
    index_dates, index_dayfirst = _index_dates(index) if date_column is None else (None, None)
    is_date = _DateColumns(lambda j: _detect_column_dates(columns[j]))
    value_pos, date_pos = _choose_columns(
        columns, names, column, date_column, is_date=is_date, has_index_dates=index_dates is not None,
        many=many,
    )
    values = _pandas_values(columns[value_pos], _row_where, _col_text(names, value_pos))
    dayfirst = None
    if isinstance(date_pos, tuple):  # year and quarter (or month) columns, dates read once
        dates, date_name = date_pos[2], None
    elif date_pos is not None:
        dates, dayfirst = _frame_dates(columns[date_pos], _row_where, _col_text(names, date_pos),
                                       reading=is_date.reading(date_pos))
        date_name = names[date_pos]
    else:  # the dates are the index's (a date column makes it unneeded)
        _refuse_multiindex(index, "DataFrame", names[value_pos])
        dates, dayfirst = index_dates, index_dayfirst
        date_name = index.name if dates is not None else None
    label = names[value_pos]
    name = "y" if label is None else str(label)
    raw = _Raw(values, dates, name, _row_where, date_name=date_name, source="the DataFrame",
               col=_col_text(names, value_pos), dates_dayfirst=dayfirst)
    if dates is frame.index:
        raw.freq = frame.index.freq
    elif dates is None and date_pos is None:  # an integer index holds time steps, as a Series' does
        _index_steps(raw, index, "df")
    return raw


def _from_series(series: pd.Series) -> _Raw:
    index = _plain(series.index)
    _refuse_multiindex(index, "Series")
    label = "" if series.name is None else f" in series {_show(str(series.name))}"
    values = _pandas_values(series, _row_where, label)
    dates, dayfirst = _index_dates(index)
    name = "y" if series.name is None else str(series.name)
    date_name = index.name if dates is not None else None
    raw = _Raw(values, dates, name, _row_where, date_name=date_name, source="the Series", col=label,
               dates_dayfirst=dayfirst)
    raw.freq = series.index.freq if dates is series.index else None
    if dates is None:
        _index_steps(raw, index, "series")
    return raw


def _index_steps(raw: _Raw, index: pd.Index, obj: str) -> None:
    """An integer index (whole floats too, as in a long file's ds) holds time steps: in step order, one per
    step (like dates); `raw` starts at the first. Any other index without dates: positions 0..n-1."""
    if not _whole_steps(index):
        return
    steps = np.asarray(index, dtype=np.int64)
    bad = np.flatnonzero(np.diff(steps) != 1)
    if len(bad):
        i = int(bad[0]) + 1
        what = "is not the step after" if steps[i] > steps[i - 1] else "comes before or repeats"
        raise DataError(f"row {i}: index {steps[i]} {what} {steps[i - 1]} (row {i - 1}); an integer index must count up "
                        f"by 1: sort it ({obj}.sort_index()), fill the missing steps, pass a DatetimeIndex, or drop an "
                        f"index that is not time ({obj}.reset_index(drop=True))")
    raw.start = int(steps[0])


def _whole_steps(index: pd.Index) -> bool:
    """Whether an index holds integer time steps: an int index, or floats that are all whole numbers (1950.0, ...)."""
    if not len(index) or pd.api.types.is_bool_dtype(index.dtype):
        return False
    if pd.api.types.is_integer_dtype(index.dtype):
        return True
    if not pd.api.types.is_float_dtype(index.dtype):
        return False
    v = np.asarray(index, dtype=np.float64)
    return bool(np.all(np.isfinite(v)) and np.all(v == np.round(v)) and np.all(np.abs(v) < 2**53))


_MANY_ROWS = "many series, one per row, to Forecaster.fit as a dict: dict(enumerate(arr{}))"


def _from_array(source: np.ndarray | list | tuple) -> _Raw:
    try:
        arr = np.asarray(unmasked(source))
    except (ValueError, TypeError) as exc:
        raise DataError(
            f"cannot turn the list into an array ({_one_line(str(exc))}); pass a flat list of numbers"
        ) from None
    if arr.ndim == 2 and arr.shape[1] == 1:
        arr = arr[:, 0]
    elif arr.ndim == 2:
        raise DataError(
            f"the array has shape {arr.shape}, but a univariate series is 1-D; pass one row or column "
            f"(arr[0], arr[:, 0]), or {_MANY_ROWS.format('')}"
        )
    elif arr.ndim != 1:
        raise DataError(
            f"the array has {arr.ndim} dimensions (shape {arr.shape}); pass a 1-D array of numbers"
            + (f", or {_MANY_ROWS.format('[..., 0]')}" if arr.ndim == 3 and arr.shape[2] == 1 else "")
        )
    if np.issubdtype(arr.dtype, np.number) and not np.issubdtype(arr.dtype, np.complexfloating):
        values = arr.astype(np.float64)
    else:
        values = _text_values(arr.tolist(), _row_where, "")
    return _Raw(values, None, "y", _row_where, source="the array")


# --------------------------------------------------------------------------- #
# Validation, frequency, gaps, filling
# --------------------------------------------------------------------------- #


def _fmt_date(ts: pd.Timestamp) -> str:
    ts = pd.Timestamp(ts)
    return ts.strftime("%Y-%m-%d") if ts == ts.normalize() else str(ts)


def _freq_name(offset: pd.DateOffset) -> str:
    return offset.freqstr


def _pd_infer(dates: pd.DatetimeIndex) -> pd.DateOffset | None:
    """``pd.infer_freq`` as an offset, or None (quiet about pandas' API change)."""
    if len(dates) < 3:
        return None
    try:
        with _quiet():
            found = pd.infer_freq(dates)
    except (ValueError, TypeError):
        return None
    if found is None:
        return None
    return _canonical_quarter(found if isinstance(found, pd.offsets.BaseOffset) else to_offset(found))


_QUARTERS = (pd.offsets.QuarterBegin, pd.offsets.BQuarterBegin, pd.offsets.QuarterEnd, pd.offsets.BQuarterEnd)


def _canonical_quarter(offset: pd.DateOffset) -> pd.DateOffset:
    """A quarterly offset under one of the four names of its dates: starts by their first month ('QS-JAN', pandas' own
    'QS', where infer_freq says 'QS-OCT'), ends by their last ('QE-DEC', as infer_freq says); any other offset as it is."""
    if not isinstance(offset, _QUARTERS):
        return offset
    first = (offset.startingMonth - 1) % 3 + 1
    return type(offset)(n=offset.n, startingMonth=first if isinstance(offset, (pd.offsets.QuarterBegin, pd.offsets.BQuarterBegin))
                        else first + 9)


def same_freq(a: str | None, b: str | None) -> bool:
    """Two frequency names (None: no dates) of the same dates: equal, or quarters anchored 3, 6 or 9 months apart
    ('QS-OCT', as seqcast named January quarters before 1cbb4b7, and 'QS-JAN'; 'QE-MAR' and 'QE-DEC')."""
    if a is None or b is None or a == b:
        return a == b
    try:
        with _quiet():
            x, y = _to_offset_lenient(a), _to_offset_lenient(b)
    except (ValueError, TypeError):
        return False
    return _canonical_quarter(x) == _canonical_quarter(y)


#: _infer_offset's answers by the dates' dtype and bytes: the series of a panel mostly share their dates (inferred once)
_OFFSETS: dict[tuple, pd.DateOffset | None] = {}
_OFFSETS_MAX, _OFFSETS_MAX_DATES = 64, 10_000  # entries, and dates in one (the key holds their bytes)


def _infer_offset(dates: pd.DatetimeIndex, run: int = 3, max_runs: int = 300) -> pd.DateOffset | None:
    """`_infer_offset_of`, remembered for the last few sets of dates (its answer depends on their values and dtype only)."""
    if len(dates) > _OFFSETS_MAX_DATES:
        return _infer_offset_of(dates, run, max_runs)
    key = (str(dates.dtype), repr(dates.tz), run, max_runs, dates.asi8.tobytes())  # (pytz and zoneinfo zones: same dtype name)
    hit = _OFFSETS.get(key, False)  # (None is an answer)
    if hit is not False:
        return hit
    found = _infer_offset_of(dates, run, max_runs)
    if len(_OFFSETS) >= _OFFSETS_MAX:
        _OFFSETS.clear()
    _OFFSETS[key] = found
    return found


def _is_grid(dates: pd.DatetimeIndex, offset: pd.DateOffset) -> bool:
    """Whether `dates` are all of `offset`'s dates from the first to the last. Not always so for pandas' infer_freq:
    month ends with one Friday the 28th (a typo for a leap day) it calls 'BME', though a Sunday the 31st is none;
    9:00-16:00 every day, weekends too, 'bh'."""
    try:
        grid = _date_grid(dates[0], dates[-1], offset)
    except (ValueError, OverflowError):
        return False
    return len(grid) == len(dates) and np.array_equal(grid.as_unit("ns").asi8, dates.as_unit("ns").asi8)


#: _run_votes' answers by a run's dtype and bytes: pd.infer_freq (~0.5 ms) on each of up to 300 runs a series, 1,000 series
#: of daily data with gaps (a gap in each: no two series alike for _OFFSETS) took 110 s to load, mostly asking the same runs
_RUNS: dict[tuple, pd.DateOffset | None] = {}
_RUNS_MAX = 100_000


def _run_votes(dates: pd.DatetimeIndex, run: int = 3, max_runs: int = 300) -> tuple[Counter, dict]:
    """Each run of `run` consecutive dates (at most `max_runs` of them, spread evenly) votes with pandas' infer_freq:
    (votes by frequency name, {name: offset})."""
    n = len(dates)
    size = min(run, n)
    starts = range(n - size + 1)
    if len(starts) > max_runs:
        starts = np.unique(np.linspace(0, n - size, max_runs).astype(int))
    votes: Counter[str] = Counter()
    offsets: dict[str, pd.DateOffset] = {}
    kind, times = (str(dates.dtype), repr(dates.tz)), dates.asi8
    for s in starts:
        key = (kind, times[s : s + size].tobytes())  # a panel's series share most runs (gaps in other places): asked once
        found = _RUNS.get(key, False)  # (None is an answer)
        if found is False:
            if len(_RUNS) >= _RUNS_MAX:
                _RUNS.clear()
            found = _RUNS[key] = _pd_infer(dates[s : s + size])
        if found is not None:
            votes[found.freqstr] += 1
            offsets[found.freqstr] = found
    return votes, offsets


def _infer_offset_of(dates: pd.DatetimeIndex, run: int = 3, max_runs: int = 300) -> pd.DateOffset | None:
    """The frequency of sorted unique dates, tolerating gaps.

    ``pd.infer_freq`` gives up on any gap, so when it does, every run of ``run``
    consecutive dates votes with its own ``infer_freq`` answer, and each pair of
    neighbours votes for the offsets that step from one to the other (a fixed
    step, 'B', weekly, month/quarter/year start or end). Among the answers
    whose grid holds every date, the one with the fewest grid points (so 'B'
    beats 'D' for weekday data), then a calendar offset over a fixed step (so
    'YS' beats '365D' for years with a gap), then the most votes wins. Returns None when
    no answer fits or it would leave more dates missing than there are dates.
    """
    whole = _pd_infer(dates)
    if whole is not None and _is_grid(dates, whole):
        return whole
    n = len(dates)
    if n < 3:
        return None
    votes, offsets = _run_votes(dates, run, max_runs)
    # Pairs of neighbours vote too, so short series with a gap still work:
    # one example pair per distinct spacing, weighted by how often it occurs.
    spacing = pd.Series(dates[1:] - dates[:-1])
    for step, count in spacing.value_counts().head(10).items():
        i = int(np.flatnonzero(np.asarray(spacing == step))[0])
        for offset in _pair_candidates(dates[i], dates[i + 1]):
            votes[offset.freqstr] += int(count)
            offsets.setdefault(offset.freqstr, offset)
    best: tuple[int, bool, int] | None = None
    chosen: pd.DateOffset | None = None
    for key, count in votes.items():
        offset = offsets[key]
        if not offset.is_on_offset(dates[0]):
            continue
        if isinstance(offset, FIXED_STEPS) and (dates[-1].value - dates[0].value) // offset.nanos >= 2 * n:
            continue  # over 2n points, not built: one date a century off made a grid of billions of seconds
        try:
            grid = pd.date_range(dates[0], dates[-1], freq=offset)
        except (ValueError, OverflowError):
            continue
        if len(grid) > 2 * n or not dates.isin(grid).all():
            continue
        score = (len(grid), isinstance(offset, FIXED_STEPS), -count)  # 'YS' before '365D', 'W-WED' before '7D'
        if best is None or score < best:
            best, chosen = score, offset
    return chosen


def _strays(dates: pd.DatetimeIndex, most: int = 10) -> tuple[pd.DateOffset, np.ndarray] | None:
    """(offset, positions) when all dates but a few (at most `most`, and under a tenth) fall on the grid that most
    runs of three neighbours agree on: those few are typos, not a finer frequency with half its dates missing.
    None otherwise (fewer than 10 dates, no agreement, or more strays)."""
    n = len(dates)
    if n < 10:
        return None
    votes, offsets = _run_votes(dates)
    if not votes:
        return None
    lead = offsets[votes.most_common(1)[0][0]]
    start = lead.rollback(dates[0])
    if isinstance(lead, FIXED_STEPS) and (dates[-1].value - start.value) // lead.nanos >= 2 * n:
        return None
    grid = pd.date_range(start, dates[-1], freq=lead)
    pos = np.flatnonzero(~dates.isin(grid))
    return (lead, pos) if 1 <= len(pos) <= min(most, n // 10) and len(grid) <= n + n // 4 else None  # (gaps: a few)


def _refuse_strays(dates: pd.DatetimeIndex, where, why: str = "") -> None:
    """DataError naming the few dates off the grid all the others share (`_strays`), if there are such."""
    stray = _strays(dates)
    if stray is None:
        return
    lead, pos = stray
    more = (f" (nor do {len(pos) - 1} more: {', '.join(_fmt_date(dates[i]) for i in pos[1:4])}{', ...' * (len(pos) > 4)})"
            if len(pos) > 1 else "")
    raise DataError(f"{where(int(pos[0]))}: date {_fmt_date(dates[pos[0]])} does not fall on the frequency {_freq_name(lead)!r} "
                    f"of the other dates{more}{why}; fix the date or pass the right freq= (CLI --freq)")


def _mid_month_hint(dates: pd.DatetimeIndex) -> str | None:
    """How to fix monthly (quarterly, yearly) dates on one day other than the 1st or the last, e.g. the
    15th: pandas' month frequencies are month starts or ends. None when that is not the case."""
    if len(dates) < 3 or len(set(dates.day)) != 1 or dates[0].day == 1 or dates.is_month_end.all():
        return None
    months = np.diff(dates.year * 12 + dates.month)
    if len(set(months)) != 1 or months[0] not in (1, 3, 12):
        return None
    step = {1: "month", 3: "quarter", 12: "year"}[int(months[0])]
    return (f"the dates fall on day {dates[0].day} of every {step}, and seqcast reads such dates on the 1st "
            f"or the last day of the {step}: write them as {dates[0]:%Y-%m} or {dates[0]:%Y-%m}-01")


def _utc_days_hint(dates: pd.DatetimeIndex, where: Callable[[int], str]) -> str | None:
    """How to fix daily (or coarser) local times written in UTC: a local midnight is 23:00 UTC in winter and 22:00 in
    summer, so their time of day moves by an hour at each daylight-saving change and no frequency holds them all.
    None when that is not the case (two times of day an hour apart, each kept for a run of dates)."""
    if len(dates) < 3:
        return None
    tod = (dates - dates.normalize()).asi8  # (N,) since midnight, in the dates' unit
    kinds, hour = np.unique(tod), pd.Timedelta(hours=1).as_unit(dates.unit).value
    switches = np.flatnonzero(np.diff(tod))
    if len(kinds) != 2 or hour not in (kinds[1] - kinds[0], 24 * hour - (kinds[1] - kinds[0])) or 2 * len(switches) > len(dates):
        return None
    i = int(switches[0]) + 1
    return (f"the time of day moves by an hour, from {dates[0]:%H:%M} to {dates[i]:%H:%M} at {where(i)} ({_fmt_date(dates[i])}): "
            "local days across a daylight-saving change written in UTC? write the local dates (YYYY-MM-DD), or the local times "
            "with their UTC offset, e.g. 2024-10-27T00:00:00+02:00")


def _pair_candidates(a: pd.Timestamp, b: pd.Timestamp) -> list[pd.DateOffset]:
    """Offsets that step from date ``a`` exactly to the next date ``b``."""
    o = pd.offsets
    step = b - a
    if step <= pd.Timedelta(0):
        return []
    if step % pd.Timedelta(days=1) == pd.Timedelta(0):
        fixed: pd.DateOffset = o.Day(int(step // pd.Timedelta(days=1)))
    else:
        fixed = to_offset(step)
    tries = [
        fixed, o.BusinessDay(), o.Week(weekday=a.weekday()), o.MonthBegin(), o.MonthEnd(),
        _canonical_quarter(o.QuarterBegin(startingMonth=a.month)),  # 'QS-JAN' for January, April, ...
        _canonical_quarter(o.QuarterEnd(startingMonth=a.month)),  # 'QE-DEC' for March, June, ...: as pandas' infer_freq
        o.YearBegin(month=a.month), o.YearEnd(month=a.month),
    ]
    for semi, anchored in ((o.SemiMonthBegin, a.day == 1), (o.SemiMonthEnd, a.is_month_end)):
        try:  # the 1st (or month end) and one other day: 'SMS-15', 'SME-15'
            tries.append(semi(day_of_month=b.day if anchored else a.day))
        except ValueError:  # a day pandas does not take (28th and later)
            continue
    found = []
    for offset in tries:
        try:
            if offset.is_on_offset(a) and a + offset == b:
                found.append(offset)
        except (ValueError, OverflowError):
            continue
    return found


#: Local clock times skip an hour and repeat one at daylight-saving changes: the offsets tell them apart.
_DST_HINT = ("; if these are local clock times across a daylight-saving change, write them with their UTC offset, "
             "e.g. 2024-10-27T02:00:00+01:00, or in UTC")


def _check_dates(raw: _Raw, offset: pd.DateOffset | None,
                 span: pd.DatetimeIndex | None = None) -> tuple[pd.DatetimeIndex, pd.DateOffset]:
    """Check order and spacing; return (the full regular grid, its offset).

    ``span``: an optional precomputed grid at ``offset`` that the series' grid is
    sliced from when it holds the first and last dates (many series share one).
    """
    dates, where = raw.dates, raw.where
    increasing = len(dates) < 2 or bool((np.diff(dates.asi8) > 0).all())  # then none is duplicated or out of order
    dup = [] if increasing else np.flatnonzero(dates.duplicated())
    if len(dup):
        i = int(dup[0])
        first = int(np.flatnonzero(dates == dates[i])[0])
        raise DataError(
            f"{where(i)}: date {_fmt_date(dates[i])} is duplicated (also at {where(first)}); "
            "keep one row per date" + (_DST_HINT if dates.tz is None and dates[i] != dates[i].normalize() else "")
        )
    if not increasing:
        diffs = np.asarray(dates[1:] < dates[:-1])
        if diffs.any():
            i = int(np.flatnonzero(diffs)[0]) + 1
            raise DataError(
                f"{where(i)}: date {_fmt_date(dates[i])} is earlier than the date before it "
                f"({_fmt_date(dates[i - 1])} at {where(i - 1)}); sort the rows by date"
            )
    first, last = dates[0], dates[-1]
    if offset is None:
        offset = _infer_offset(dates)
        if raw.freq is not None and (offset is None or len(_date_grid(first, last, offset)) > len(dates)):
            # the index's own frequency, where inference fails or sees gaps, if a saved model keeps it:
            # a model stores its frequency by name, and a holiday calendar's name ('C') has no holidays
            if pd.tseries.frequencies.to_offset(raw.freq.freqstr) != raw.freq:
                raise DataError(f"the index's frequency {raw.freq!r} cannot be saved with a model by its name "
                                f"{raw.freq.freqstr!r} (its forecasts would fall on its holidays); reindex the data to a "
                                "frequency pandas names, e.g. .asfreq('B') with a fill (fill='ffill')")
            offset = raw.freq
        if offset is None:
            utc_days = _utc_days_hint(dates, where)
            if utc_days is None:
                _refuse_strays(dates, where)  # two dates off a monthly grid: no frequency holds them all
            raise DataError(
                f"cannot infer the frequency of the dates in {raw.source} "
                f"({_fmt_date(dates[0])}, {_fmt_date(dates[1])}, ...); "
                + (utc_days or _mid_month_hint(dates) or "pass freq= e.g. freq='MS' for month starts, 'D' for days (CLI --freq)")
            )
    name = _freq_name(offset)
    if not offset.is_on_offset(first):
        raise DataError(
            f"{where(0)}: date {_fmt_date(first)} does not fall on the frequency {name!r}; "
            + (_mid_month_hint(dates) or "fix the date or pass the right freq= (CLI --freq)")
        )
    points = (last.value - first.value) // offset.nanos + 1 if isinstance(offset, FIXED_STEPS) else 0
    if _grid_too_long(points, len(dates)):
        raise DataError(
            f"the dates in {raw.source} run from {_fmt_date(first)} to {_fmt_date(last)}: {points} steps of {name!r} "
            f"for {len(dates)} values, too many to fill or list the gaps; check the dates for a wrong one (a typo?), or pass "
            "the right freq= (CLI --freq)"
        )
    try:
        grid = _span_slice(span, first, last, raw.date_name)
        if grid is None:
            grid = _date_grid(first, last, offset)[:]  # (a new index: the series may set its name and freq)
            grid.name = raw.date_name
    except (ValueError, OverflowError) as exc:
        raise DataError(
            f"cannot build {name!r} dates from {_fmt_date(first)} to {_fmt_date(last)} "
            f"({_one_line(str(exc))}); pass another freq= (CLI --freq)"
        ) from None
    on_grid = len(grid) == len(dates) and np.array_equal(grid.asi8, dates.asi8)  # the common case, without isin
    off_grid = [] if on_grid else np.flatnonzero(~dates.isin(grid))
    if len(off_grid):
        i = int(off_grid[0])
        raise DataError(
            f"{where(i)}: date {_fmt_date(dates[i])} does not fall on the frequency {name!r} of "
            "the other dates; " + (_utc_days_hint(dates, where) or "fix the date or pass the right freq= (CLI --freq)")
        )
    return grid, offset


#: _date_grid's last grids: the series of a panel mostly run over the same dates
_GRIDS: dict[tuple, pd.DatetimeIndex] = {}
_GRIDS_MAX = 64


def _date_grid(first: pd.Timestamp, last: pd.Timestamp, offset: pd.DateOffset) -> pd.DatetimeIndex:
    """``pd.date_range(first, last, freq=offset)``, built once for the same two dates and offset (a panel's series
    mostly share them). Shared: hand out a slice (``grid[:]``: its own ``freq``, which a user may set), never itself."""
    try:  # an offset is known by its type, name and parameters (Day(1) == Hour(24), but their grids' freq differ)
        key = (first.value, last.value, first.unit, repr(first.tz), last.unit, repr(last.tz), type(offset), offset.freqstr, offset)
        grid = _GRIDS.get(key)
    except TypeError:  # an unhashable offset
        return pd.date_range(first, last, freq=offset)
    if grid is None:
        grid = pd.date_range(first, last, freq=offset)
        if len(grid) <= _OFFSETS_MAX_DATES:  # (long ones are not kept)
            if len(_GRIDS) >= _GRIDS_MAX:
                _GRIDS.clear()
            _GRIDS[key] = grid
    return grid


def _span_slice(span: pd.DatetimeIndex | None, first: pd.Timestamp, last: pd.Timestamp,
                name: Any) -> pd.DatetimeIndex | None:
    """``span[first..last]`` when ``span`` holds both dates, else None."""
    if span is None:
        return None
    i0, i1 = int(span.searchsorted(first)), int(span.searchsorted(last))
    if i1 >= len(span) or span[i0] != first or span[i1] != last:
        return None
    return span[i0 : i1 + 1].rename(name)


def _finish(raw: _Raw, *, offset: pd.DateOffset | None, fill: str, min_values: int = 2,
            span: pd.DatetimeIndex | None = None) -> pd.Series:
    values, where = raw.values, raw.where
    n = len(values)
    if n < min_values:
        raise DataError(
            f"{raw.source} holds {n} value{'s' if n != 1 else ''}, but a series needs at least "
            f"{min_values}; pass more data"
        )
    inf = np.flatnonzero(np.isinf(values))
    if len(inf):
        i = int(inf[0])
        raise DataError(
            f"{where(i)}: value {values[i]}{raw.col} is infinite; replace it with a finite number or "
            "remove that row (fill does not apply to infinities)"
        )
    check_magnitude(values, lambda i: f"{where(i)}: value {values[i]:.4g}{raw.col}")
    if raw.dates is None and offset is not None:
        raise ConfigError(
            f"`freq` needs dates, but {raw.source} has none. Received: freq={_freq_name(offset)!r}; "
            "add a date column (date_column=, CLI --date-column) or leave freq as None (CLI: no --freq)"
        )
    missing = np.isnan(values)
    observed = n - int(missing.sum())
    if observed < max(min_values, 1):
        raise DataError(
            f"{raw.source} holds only {observed} number{'s' if observed != 1 else ''} among {n} rows, "
            f"but a series needs at least {max(min_values, 1)}; fix the data"
        )

    index: pd.Index
    if raw.dates_dayfirst is not None:  # 01/02/2020 ...: the frequency decides between the two readings
        raw.dates = _choose_reading(raw.dates, raw.dates_dayfirst, offset, raw.source)
    if raw.dates is not None:
        raw.dates = as_ns(raw.dates, where)  # a DatetimeIndex (a Parquet file's dates) in us or s: in ns, as pandas 2's
        given = offset
        grid, offset = _check_dates(raw, offset, span)
        if len(grid) != n:
            gap = grid.difference(raw.dates)
            if given is None and 2 * len(gap) >= n:  # one date on the 15th among month starts: not a semi-monthly
                _refuse_strays(raw.dates, where, f", which made them look like {_freq_name(offset)!r} with {len(gap)} dates missing")
            if fill == "none":
                first = ", ".join(_fmt_date(d) for d in gap[:_MAX_LISTED])
                more = ", ..." if len(gap) > _MAX_LISTED else ""
                natural = _infer_offset(raw.dates) if len(gap) > n else None  # more missing than present: freq wrong?
                if natural is not None and _freq_name(natural) != _freq_name(offset):
                    raise DataError(
                        f"{len(gap)} dates are missing at frequency {_freq_name(offset)!r}, more than the {n} present, "
                        f"and the dates fit {_freq_name(natural)!r}: pass freq={_freq_name(natural)!r} (CLI --freq) or none"
                    )
                hours = gap.floor("h").unique()  # a DST change skips one hour of one day a year, at one local time of day
                one_hour = (grid.tz is None and gap[0] != gap[0].normalize() and len(set(hours.hour)) == 1
                            and len(hours) <= 1 + (grid[-1] - grid[0]).days // 300)
                raise DataError(
                    f"{len(gap)} date{'s are' if len(gap) != 1 else ' is'} missing at frequency "
                    f"{_freq_name(offset)!r}: {first}{more}; pass fill='ffill' or "
                    "fill='interpolate' (CLI --fill) to fill them, or add the rows" + (_DST_HINT if one_hour else "")
                )
            values = pd.Series(values, index=raw.dates, dtype="float64").reindex(grid).to_numpy()
        index = grid
    else:
        index = pd.RangeIndex(raw.start, raw.start + n)

    if missing.any() and fill == "none":
        i = int(np.flatnonzero(missing)[0])
        count = int(missing.sum())
        others = f" ({count} missing values in all)" if count > 1 else ""
        held = np.flatnonzero(~missing)
        if len(held) and not missing[held[0] : held[-1] + 1].any():  # empty rows at the ends only: a month not reported yet
            side = "before the first value" if i < held[0] else "after the last value"
            raise DataError(
                f"{where(i)}: the value{raw.col} is missing (empty or NaN){others}, in a row {side}; delete such empty "
                "rows, or pass fill='ffill' or fill='interpolate' (CLI --fill), which drops empty rows at the ends"
            )
        raise DataError(
            f"{where(i)}: the value{raw.col} is missing (empty or NaN){others}; pass fill='ffill' or "
            "fill='interpolate' (CLI --fill), or fix the data"
        )

    seen = np.flatnonzero(~np.isnan(values))
    dropped = len(values) - (seen[-1] + 1 - seen[0])  # empty rows before the first value and after the last:
    if dropped:  # filling them would invent the ends
        values, index = values[seen[0] : seen[-1] + 1], index[seen[0] : seen[-1] + 1]
    gaps = np.isnan(values)
    filled = int(gaps.sum())
    if filled:
        series = pd.Series(values, index=index, dtype="float64")  # gaps inside only: the ends hold values
        series = series.ffill() if fill == "ffill" else series.interpolate(method="linear")
        values = series.to_numpy(dtype="float64")
    series = pd.Series(values, index=index, name=raw.name, dtype=np.float64)  # (a dtype, not its name: 20 us less)
    series.attrs["filled"], series.attrs["dropped"] = filled, int(dropped)
    if filled:  # where: an evaluation refills its training parts from their own values and scores observed values only
        filled_values.mark(series, gaps, fill)
    return series


def check_magnitude(values: np.ndarray, at: Callable[[int], str]) -> None:
    """Refuse values beyond ±MAX_VALUE with one DataError naming the first: `at(i)` says which it is ("line 2: value
    1.12e+300 in column 'y'"). NaN passes (missing values are another check's)."""
    huge = np.flatnonzero(np.abs(values) > MAX_VALUE)
    if len(huge):
        i = int(huge[0])
        raise DataError(f"{at(i)}{f' (and {len(huge) - 1} more)' if len(huge) > 1 else ''} is beyond ±{MAX_VALUE:g}, too large "
                        "to compute with: squares of values near 1e154 overflow 64-bit floats; express the data in larger units "
                        "(divide the values by a power of ten)")


def _choose_reading(mf: pd.DatetimeIndex, df: pd.DatetimeIndex, offset: pd.DateOffset | None,
                    source: str) -> pd.DatetimeIndex:
    """Month-first `mf` or day-first `df`, two regular readings of the same slash dates: the one that
    `offset` fits (month-first when both or neither do); without `offset`, a DataError."""
    a, b = mf.unique().sort_values(), df.unique().sort_values()  # the distinct dates of each reading
    if offset is None:
        raise DataError(
            f"the dates in {source} are ambiguous: {_fmt_date(a[0])}, {_fmt_date(a[1])}, ... month-first "
            f"({_freq_name(_infer_offset(a))}) or {_fmt_date(b[0])}, {_fmt_date(b[1])}, ... day-first "
            f"({_freq_name(_infer_offset(b))}); pass the frequency (freq=, CLI --freq) or write them as YYYY-MM-DD"
        )
    return df if not _fits(a, offset) and _fits(b, offset) else mf


def _tick_season(nanos: int) -> int | None:
    """Season of a fixed sub-daily step: steps per day, hour or minute (<= 288)."""
    if nanos <= 0:
        return None
    day = 86_400 * 10**9
    if nanos == day:
        return 7
    for cycle in (day, 3_600 * 10**9, 60 * 10**9):
        if cycle % nanos == 0:
            steps = cycle // nanos
            if 2 <= steps <= 288:
                return int(steps)
    return None
