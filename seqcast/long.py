"""Many series in long format, one row per (series id, date, value), as in statsforecast.

:func:`load_long` reads a CSV / Parquet file or a DataFrame into ``{id: pd.Series}``, validating
each series as :func:`seqcast.data.load_series` does (same cell, date and frequency rules, same
one-line :class:`~seqcast.errors.DataError` messages, which name the series); :func:`to_long`
writes such a dict back as a DataFrame; :func:`is_long` tells whether a source looks like long
format (its columns include the id column).
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from seqcast import gaps
from seqcast.data import (
    _MAX_COLUMNS_LISTED,
    _MAX_LISTED,
    _MISSING_TOKENS,
    _YEAR_MAX,
    _YEAR_MIN,
    FIXED_STEPS,
    MAX_VALUE,
    PARQUET_SUFFIXES,
    _check_fill,
    _check_freq,
    _choose_reading,
    check_encoding,
    _finish,
    _fmt_date,
    _frame_dates,
    _date_grid,
    _freq_name,
    _number_column,
    _pandas_csv,
    _grid_too_long,
    _infer_offset,
    _refuse_strays,
    _strays,
    _is_missing,
    _mid_month_hint,
    _utc_days_hint,
    _pandas_values,
    _parse_dates,
    _plain,
    _parse_values,
    _Raw,
    _read_csv_table,
    _read_parquet,
    _row_where,
    _same_label,
    _show,
    _yyyymmdd,
    as_ns,
    column_names,
    to_pandas_hint,
)
from seqcast.errors import ConfigError, DataError

__all__ = ["is_long", "load_long", "to_long"]

_INT_RE = re.compile(r"^[+-]?\d+$")


def load_long(
    source: Any,
    *,
    id_column: str = "unique_id",
    date_column: str = "ds",
    value_column: str = "y",
    freq: str | None = None,
    fill: str = "none",
    encoding: str | None = None,
) -> dict[str, pd.Series]:
    """Load many series from long format: one row per (series id, date, value).

    Args:
        source: a CSV path, a Parquet path (``.parquet`` / ``.pq``, read with
            ``pandas.read_parquet``) or a pandas DataFrame with a header naming
            the three columns below (or index levels so named, as
            ``df.set_index(["unique_id", "ds"])`` has); any other columns are ignored.
        id_column, date_column, value_column: the column names (statsforecast's
            ``unique_id``, ``ds``, ``y`` by default).
        freq: as in :func:`load_series`; ``None`` infers it from each series
            with 3 or more dates, and all of them must agree.
        fill: as in :func:`load_series` (gaps and missing values per series;
            a series' empty rows before its first value and after its last, as a
            wide table melted to long format has, are dropped, not filled).
        encoding: as in :func:`load_series`: a CSV file's text encoding
            (``"cp949"`` for Korean Excel); ``None`` reads UTF-8 (or UTF-16 / 32
            by its byte-order mark). Ignored for other sources.

    The rows may come in any order; each series is sorted by date. A date column
    holding only whole numbers is read as years (Jan 1st of each, frequency
    'YS') when all of them lie in 1678..2261 (``1700, 1701``), as dates when all
    of them are written YYYYMMDD (``20200131``), else as integer time steps
    (``0, 1, 2``): each series gets an integer ``RangeIndex`` from its first
    step, and its steps must be consecutive (or ``fill`` fills them; a step so far from the others that
    the range would hold over 100 steps per value and 10 million in all is refused).
    CSV files are read as :func:`load_series` reads them (``,``, ``;`` or tab).

    Returns:
        ``{id: series}`` in the order each id first appears. A DataFrame's or
        Parquet file's integer id column gives ``int`` ids (so that forecasts
        merge back on it); any other ids, and all ids read from CSV, are text
        (``str(id)``, stripped). Each series is ``float64``, named after its id, indexed
        like :func:`load_series` output (index named after the date column),
        with ``attrs["filled"]``, ``attrs["id_column"]`` and ``attrs["value_column"]``. A series may hold a single value: callers
        check the lengths they need.

    Raises:
        DataError: a missing column, an empty id or date, a duplicated
            (id, date) pair, text in the value column, NaN / inf, a gap, or
            series with different frequencies; the message names the series
            and the CSV line (or the 0-based DataFrame row).
        ConfigError: an option value is wrong.

    >>> import pandas as pd
    >>> df = pd.DataFrame({"unique_id": ["a"] * 3 + ["b"] * 3, "ds": ["2020-01", "2020-02", "2020-03"] * 2, "y": range(6)})
    >>> d = load_long(df)                                   # monthly: 3 dates per series are enough to tell
    >>> {k: s.tolist() for k, s in d.items()}, d["a"].index.freqstr
    ({'a': [0.0, 1.0, 2.0], 'b': [3.0, 4.0, 5.0]}, 'MS')
    """
    fill = _check_fill(fill)
    offset = _check_freq(freq) if freq is not None else None
    check_encoding(encoding)
    for opt, val in (("id_column", id_column), ("date_column", date_column),
                     ("value_column", value_column)):
        if not isinstance(val, str) or not val.strip():
            raise ConfigError(f"`{opt}` must be a column name (a non-empty str). Received: {opt}={val!r}")
    wanted = {"id_column": id_column, "date_column": date_column, "value_column": value_column}
    if len(set(wanted.values())) < 3:
        raise ConfigError(
            "`id_column`, `date_column` and `value_column` must name three different columns. "
            f"Received: id_column={id_column!r}, date_column={date_column!r}, value_column={value_column!r}"
        )

    table = _parsed_csv(source, (id_column, date_column, value_column), encoding)
    if table is not None:  # the common case, read by pandas' parser
        try:
            return _load(table, id_column, date_column, value_column, offset, fill)
        except (DataError, ConfigError, _LinesUnknown):
            table = None  # (freed) the robust reader below gives the message, naming the line
    out = _load(_read_long(source, tuple(wanted.values()), encoding), id_column, date_column, value_column, offset, fill)
    if isinstance(source, pd.DataFrame):  # to_long's frame of series that fill made up values in: where they are
        gaps.carry_frame(source, out)
    return out


def _load(table: _Table, id_column: str, date_column: str, value_column: str, offset: pd.DateOffset | None,
          fill: str) -> dict[str, pd.Series]:
    """`load_long`'s work on a table read."""
    cols = _long_columns(table, id_column, date_column, value_column)
    where, source_text = table.where, table.source
    ids = _long_ids(cols[id_column], where, _show(id_column), table.text)
    int_ids = not table.text and _whole_numbers(cols[id_column])  # a DataFrame's int ids stay ints
    steps, dates, dates_dayfirst = _long_dates(cols[date_column], where, f" in column {_show(date_column)}", table.text)
    if dates_dayfirst is not None:  # 01/02/2020 ...: read month-first or day-first, as the frequency says
        dates = _choose_reading(dates, dates_dayfirst, offset, table.source)
    if steps is not None and _YEAR_MIN <= steps.min() and steps.max() <= _YEAR_MAX:
        steps, dates = None, pd.DatetimeIndex(pd.to_datetime(steps.astype(str), format="%Y"))  # years
    elif steps is not None and _yyyymmdd(steps):  # 20200131, ...: dates written as numbers, not steps with gaps
        steps, dates = None, _parse_dates(steps.astype(str).tolist(), where, f" in column {_show(date_column)}")  # 20210229: one line
    if dates is not None:
        dates = as_ns(dates, where)  # pandas 3's us or s (a DataFrame's, a Parquet file's, years): ns, as pandas 2's
    value_col = f" in column {_show(value_column)}"
    if table.text:
        values = _parse_values(_number_column(cols[value_column], table.decimal), where, value_col)
    else:
        values = _pandas_values(cols[value_column], where, value_col)
    if steps is not None and offset is not None:
        raise ConfigError(
            f"`freq` needs dates, but column {_show(date_column)} holds integer steps. "
            f"Received: freq={_freq_name(offset)!r}; leave freq as None (CLI: no --freq) or write the dates as e.g. 2020-01-31"
        )

    codes, uniques = pd.factorize(pd.Index(ids, dtype=object), sort=False)
    _check_unicode_forms(uniques, id_column)
    key_num = steps if steps is not None else dates.asi8  # (N,) one int per date
    order = np.lexsort((key_num, codes))  # rows by series (first appearance), then by date
    if ((np.diff(codes[order]) == 0) & (np.diff(key_num[order]) == 0)).any():  # a pair twice: which rows?
        _check_long_duplicates(codes, key_num, uniques, where, id_column, date_column, dates)
    starts = np.concatenate([[0], np.cumsum(np.bincount(codes, minlength=len(uniques)))[:-1]])  # (S,) first sorted row
    groups = list(zip(map(str, uniques), np.split(order, starts[1:])))

    grid = None  # the dates (or None: integer steps) whose consecutive runs are the series that need no fill
    if steps is None:
        if offset is None:
            offset = _long_offset(groups, dates, source_text, where)
        span = _long_span(dates, offset)
        grid = _long_span(dates, offset, fixed=True) if span is None else span
        if grid is None or grid.dtype != dates.dtype:  # (a date_range is in ns)
            grid = pd.DatetimeIndex([], dtype=dates.dtype)
    sorted_values = values[order]
    complete, first = _complete(key_num[order], sorted_values, starts, None if grid is None else grid.asi8)
    if grid is not None:
        grid = grid.rename(date_column)
    out: dict[str, pd.Series] = {}
    failed: list[tuple[str, str]] = []  # (id, message): every series is checked, so one message names them all
    for s, (key, rows) in enumerate(groups):
        try:
            if complete[s]:  # on its grid, every value finite: nothing to check, fill or drop one by one
                n, i = len(rows), int(first[s])
                index = pd.RangeIndex(i, i + n, name=date_column) if grid is None else grid[i : i + n]
                series = pd.Series(sorted_values[starts[s] : starts[s] + n], index=index, copy=True)
                series.attrs["filled"], series.attrs["dropped"] = 0, 0
            elif steps is None:
                raw = _Raw(values[rows], dates[rows], key, _sub_where(where, rows),
                           date_name=date_column, source=source_text, col=value_col)
                series = _finish(raw, offset=offset, fill=fill, min_values=1, span=span)
            else:
                series = _finish_steps(steps[rows], values[rows], rows, key, where, fill,
                                       date_column, source_text, value_col)
        except DataError as exc:
            failed.append((key, str(exc)))
            continue
        key = int(key) if int_ids else key
        series.name = key
        series.attrs["id_column"], series.attrs["value_column"] = id_column, value_column  # kept by a saved model
        out[key] = series
    if failed:
        key, msg = failed[0]
        more = ""
        if len(failed) > 1:
            others = [_show(k) for k, _ in failed[1:]]
            more = (f" ({len(others)} more series fail too, for this or another reason: {', '.join(others[:_MAX_LISTED])}"
                    f"{', ...' if len(others) > _MAX_LISTED else ''})")
        raise DataError(f"series {_show(key)}: {msg}{more}")
    return out


def to_long(series: Any, value_name: str = "y") -> pd.DataFrame:
    """``{id: series}`` as one long DataFrame with columns ``unique_id``, ``ds``, ``value_name``.

    Rows follow the dict's order, each series in its index order; ``ds`` holds
    the index values (dates, or integer positions for a ``RangeIndex``). Arrays
    and lists are accepted as series with positions 0..n-1. ``load_long`` reads
    the result back (write it with ``frame.to_csv(path, index=False)`` or
    ``frame.to_parquet(path)``); in memory, with where ``fill`` made up values
    (``frame.attrs``, :mod:`seqcast.gaps`), which a file does not keep.

    Raises:
        DataError: ``series`` is not a dict of series.
        ConfigError: ``value_name`` is not a usable column name.

    >>> to_long({"a": [1.0, 2.0], "b": [3.0]})
      unique_id  ds    y
    0         a   0  1.0
    1         a   1  2.0
    2         b   0  3.0
    """
    from collections.abc import Mapping

    if not isinstance(value_name, str) or not value_name.strip() or value_name in ("unique_id", "ds"):
        raise ConfigError(
            "`value_name` must be a non-empty column name other than 'unique_id' and 'ds'. "
            f"Received: value_name={value_name!r}"
        )
    if not isinstance(series, Mapping):
        raise DataError(
            f"to_long needs a dict of id -> pandas Series. Received: {type(series).__name__}; "
            "e.g. to_long({'a': series_a, 'b': series_b})"
        )
    frames = [s if isinstance(s, pd.Series) else pd.Series(np.asarray(s, dtype=np.float64).ravel())
              for s in series.values()]
    if not frames:
        return pd.DataFrame({"unique_id": [], "ds": [], value_name: np.array([], dtype=np.float64)})
    # each column built at once (a DataFrame per series, then concat, took a minute for 100k series): the
    # dates joined as concat joins columns, the ids as a list so that they keep their type (concat turns
    # uint64 + int64 into float)
    if all(len(s) for s in frames):
        ds = pd.concat([pd.Series(s.index) for s in frames], ignore_index=True)
    else:  # an empty series' index counts in the dtype, as it did (a concat of Series leaves it out)
        ds = pd.concat([pd.DataFrame({"ds": s.index}) for s in frames], ignore_index=True)["ds"]
    frame = pd.DataFrame({
        "unique_id": [k for k, s in zip(series, frames) for _ in range(len(s))],
        "ds": ds,
        value_name: np.concatenate([s.to_numpy(dtype=np.float64) for s in frames]),
    })
    marks = gaps.frame_marks(series)  # values `fill` made up, which evaluations refill as known and leave unscored
    if marks:
        frame.attrs[gaps.FRAME] = marks
    return frame


def is_long(source: Any, *, id_column: str = "unique_id", encoding: str | None = None) -> bool:
    """True when ``source`` is a DataFrame, or a CSV / Parquet file, whose columns (or a DataFrame's index levels) include ``id_column``.

    Cheap: a file is read up to its header (the Parquet schema, or the first
    non-blank CSV line). Anything unreadable or of another type gives False,
    so callers can fall back to :func:`load_series` and its error messages.
    ``encoding``: a CSV file's, as :func:`load_long` takes it.
    """
    if isinstance(source, pd.DataFrame):  # an index level counts, as load_long reads it
        return any(_same_label(c, id_column) for c in [*source.columns, *source.index.names])
    return id_column in column_names(source, index=True, encoding=encoding)  # []: unreadable or of another type


class _Table:
    """A long table's columns by name, how to name a row, whether cells are CSV text, and whether its values may
    write decimal commas (a file not separated by commas: its ids, dates and names are read as written), and a
    DataFrame's named index levels that are not columns (`levels`, for a message)."""

    __slots__ = ("columns", "decimal", "levels", "names", "source", "text", "where")

    def __init__(self, names: list, columns: list, where: Callable[[int], str], source: str, text: bool,
                 decimal: bool = False, levels: list | tuple = ()):
        self.names, self.columns, self.where, self.source, self.text = names, columns, where, source, text
        self.decimal, self.levels = decimal, list(levels)


def _read_long(source: Any, wanted: tuple[str, ...], encoding: str | None = None) -> _Table:
    if isinstance(source, pd.DataFrame):
        return _frame_table(source, "the DataFrame", wanted)
    if not isinstance(source, (str, Path)):
        raise DataError(
            f"cannot load long-format series from a {type(source).__name__}; pass a CSV or Parquet "
            f"path or a pandas DataFrame with columns unique_id, ds, y{to_pandas_hint(source)}"
        )
    path = Path(source).expanduser()
    shown = _show(str(path), 200)
    if path.suffix.lower() in PARQUET_SUFFIXES:
        return _frame_table(_read_parquet(path), f"file {shown}", wanted)
    rows, lines, sep = _read_csv_table(path, encoding)
    if len(rows) < 2:
        raise DataError(f"file {shown} has a header line but no data rows; add the data below it")
    names = [cell.strip() for cell in rows[0]]
    data_lines = lines[1:]
    columns = [[record[j].strip() for record in rows[1:]] for j in range(len(rows[0]))]
    return _Table(names, columns, lambda i: f"line {data_lines[i]}", f"file {shown}", True, decimal=sep != ",")


class _LinesUnknown(Exception):
    """A message would name a CSV line, which pandas' parser does not tell: the robust reader's turn."""


def _lines_unknown(i: int) -> str:
    raise _LinesUnknown


#: The value cells `_parsed_csv` has pandas read as NaN (matched as written): those `_parse_values` reads as missing
#: (empty, NA, nan, null ...) in lower, upper or title case; any other spelling (' NA', 'nA') fails the float column,
#: which leaves the file to the robust reader. The other columns keep every cell as text.
_NA_CELLS = sorted({spell(t) for t in _MISSING_TOKENS for spell in (str.lower, str.upper, str.title)} | {"NaN", "NaT"})


def _parsed_csv(source: Any, wanted: tuple[str, str, str], encoding: str | None = None) -> _Table | None:
    """A long CSV file read by pandas' C parser (`_pandas_csv`: the ids and dates as stripped text, the values as float64,
    a missing value written as `_NA_CELLS` spell it NaN), or None when it may read otherwise than `_read_long` reads it:
    anything unusual (a ragged row, a NUL, decimal commas, text or True in the value column, an empty id or date ...) is
    left to that robust reader, which names the line."""
    if isinstance(source, pd.DataFrame) or not isinstance(source, (str, Path)):
        return None
    path = Path(source).expanduser()
    if path.suffix.lower() in PARQUET_SUFFIXES:
        return None
    pos: dict[str, int] = {}

    def options(names: list[str]) -> dict:
        pos.update(_long_columns(_Table(names, list(range(len(names))), _lines_unknown, "", True), *wanted))
        return {"header": 0, "keep_default_na": False, "na_values": {pos[wanted[2]]: _NA_CELLS}, "float_precision": "round_trip",
                "dtype": {pos[wanted[0]]: object, pos[wanted[1]]: object, pos[wanted[2]]: np.float64}}

    read = _pandas_csv(path, options, refuse=(b"true", b"false"), encoding=encoding)  # (pandas reads true and false as 1.0 and 0.0)
    if read is None:
        return None
    frame, names, _, _ = read
    columns: list[Any] = [None] * len(names)
    for name in wanted[:2]:
        columns[pos[name]] = _stripped(frame[pos[name]])
        if columns[pos[name]] is None:
            return None
    columns[pos[wanted[2]]] = frame[pos[wanted[2]]].to_numpy(dtype=np.float64)
    return _Table(names, columns, _lines_unknown, f"file {_show(str(path), 200)}", True)


def _stripped(col: pd.Series) -> np.ndarray | None:
    """(N,) a text column's cells stripped, as `_read_long` gives them (each distinct cell stripped once); None when
    one is empty."""
    codes, distinct = pd.factorize(col.to_numpy(dtype=object))
    cells = [c.strip() if isinstance(c, str) else None for c in distinct]
    if (codes < 0).any() or any(not c for c in cells):
        return None
    return np.asarray(cells, dtype=object)[codes]


def _frame_table(frame: pd.DataFrame, source: str, wanted: tuple[str, ...] = ()) -> _Table:
    """A DataFrame's columns; an index level named like a wanted column the frame lacks is read as that column
    (df.set_index(['unique_id', 'ds']), and a Parquet file written from such a frame: pandas reads its index back)."""
    if len(frame) == 0:
        raise DataError(f"{source} has no rows; long format needs one row per (id, date) pair")
    names = list(frame.columns)
    columns = [frame.iloc[:, j] for j in range(frame.shape[1])]
    levels = list(frame.index.names)
    for name in wanted:
        if levels.count(name) == 1 and not any(_same_label(n, name) for n in names):
            names.append(name)
            columns.append(pd.Series(frame.index.get_level_values(name), index=frame.index, name=name))
    return _Table(names, columns, _row_where, source, False, levels=[n for n in levels if n is not None and n not in names])


def _long_columns(table: _Table, *wanted: str) -> dict[str, Any]:
    """The id, date and value columns by name (exact, then ignoring surrounding spaces)."""
    found: dict[str, Any] = {}
    missing: list[str] = []
    for name in wanted:
        pos = [j for j, n in enumerate(table.names) if _same_label(n, name)]
        if not pos:
            pos = [j for j, n in enumerate(table.names) if isinstance(n, str) and n.strip() == name.strip()]
        if len(pos) > 1:
            raise DataError(
                f"column name {_show(name)} appears {len(pos)} times in {table.source}; rename one of them"
            )
        if pos:
            found[name] = table.columns[pos[0]]
        else:
            missing.append(name)
    if missing:
        listed = table.names[:_MAX_COLUMNS_LISTED]
        shown = ", ".join(_show(n) if isinstance(n, str) else str(n) for n in listed)
        more = f", ... ({len(table.names)} in all)" if len(table.names) > _MAX_COLUMNS_LISTED else ""
        which = ", ".join(_show(n) for n in missing)
        if table.levels:  # (instances, timepoints), say: names the options below can give
            more += f" and its index levels {', '.join(_show(n) if isinstance(n, str) else str(n) for n in table.levels)}"
        raise DataError(
            f"{table.source} has no column {which}; its columns are {shown}{more}; name the id, date "
            "and value columns with seqcast.load_long(..., id_column=, date_column=, value_column=), whose dict "
            "Forecaster.fit and backtest take (CLI --id-column, --date-column, --value-column)"
        )
    return found


def _whole_numbers(col: Any) -> bool:
    """An integer column, or a float one whose values are all whole (an int column that went through NaN)."""
    dtype = col.dtype
    if isinstance(dtype, pd.CategoricalDtype):  # integer categories 1, 2, 3 (float ones stay text, as '7.0')
        return pd.api.types.is_integer_dtype(dtype.categories.dtype)
    if pd.api.types.is_bool_dtype(dtype):
        return False
    if pd.api.types.is_integer_dtype(dtype):
        return True
    v = col.dropna().to_numpy()
    if dtype == object:  # Python ints in an object column
        return len(v) > 0 and all(isinstance(x, (int, np.integer)) and not isinstance(x, (bool, np.bool_)) for x in v)
    return pd.api.types.is_float_dtype(dtype) and bool(np.all(np.mod(v, 1) == 0))


def _long_ids(col: Any, where: Callable[[int], str], name: str, text: bool) -> list[str] | np.ndarray:
    """The ids as text (whole floats without '.0'); an empty id is an error."""
    if text:
        ids = list(col)
        empty = np.zeros(len(ids), dtype=bool)
    else:
        empty = np.asarray(col.isna(), dtype=bool)
        filled = col[~empty]
        if _whole_numbers(filled) and pd.api.types.is_float_dtype(filled.dtype):
            filled = filled.astype(np.int64)
        codes, distinct = pd.factorize(filled)
        if pd.api.types.is_integer_dtype(filled.dtype) or pd.api.types.infer_dtype(filled, skipna=False) == "string":
            values = pd.Index(distinct)  # equal ints or texts write equal ids: each distinct one written once
        else:  # 1 and 1.0 in an object column are equal but written differently: row by row
            values, codes = filled, np.arange(len(filled))
        texts = values.astype(str).str.strip()
        if len(distinct) > texts.nunique():  # 1 and "1", or "a" and "a ": two series would become one
            seen: dict = {}
            for value, t in zip(values, texts):  # rows, or distinct ids in the order they first appear
                if seen.setdefault(t, value) != value:
                    raise DataError(f"two series in column {name} have the id {t!r} once written as text ({seen[t]!r} and "
                                    f"{value!r}); give every series its own id")
        ids = np.full(len(col), "", dtype=object)
        ids[~empty] = texts.to_numpy(dtype=object)[codes]
    blank = np.flatnonzero(empty | (np.asarray(ids, dtype=object) == ""))
    if len(blank):
        i = int(blank[0])
        raise DataError(f"{where(i)}: the id in column {name} is empty; fill it in or remove that row")
    return ids


def _long_dates(col: Any, where: Callable[[int], str], text_col: str,
                text: bool) -> tuple[np.ndarray | None, pd.DatetimeIndex | None, pd.DatetimeIndex | None]:
    """(integer steps, None, None) when the column holds whole numbers only, else (None, dates, the day-first
    reading of ambiguous CSV slash dates such as 01/02/2020, or None)."""
    if text:
        codes, cells = pd.factorize(np.asarray(col, dtype=object))  # each distinct cell looked at once
        ints = np.array([bool(_INT_RE.match(c)) for c in cells], dtype=bool)[codes]  # (N,)
        if ints.all():
            steps = _int_steps([int(c) for c in cells], lambda k: where(int(np.argmax(codes == k))), text_col)
            return steps[codes], None, None
        try:
            return (None, *_parse_dates(list(cells), where, text_col, day_first=True, codes=codes))
        except DataError:
            if 2 * int(ints.sum()) > len(ints) and not any(_is_missing(c) for c in cells):
                # mostly steps: pandas named the first step ('0' cannot be parsed), not the cell that is no step
                i, j = int(np.argmin(ints)), int(np.argmax(ints))
                raise DataError(
                    f"{where(i)}: {_show(cells[codes[i]])}{text_col} is not a whole number, but most rows hold whole numbers "
                    f"(integer steps, years or YYYYMMDD dates, e.g. {_show(cells[codes[j]])} at {where(j)}); write every one as a "
                    "whole number, or every one as a date such as 2020-01-31"
                ) from None
            raise
    col = _plain(col)  # categorical steps: their numbers
    dtype = col.dtype
    if pd.api.types.is_integer_dtype(dtype) and not pd.api.types.is_bool_dtype(dtype):
        return _int_steps(col, where, text_col), None, None
    if pd.api.types.is_float_dtype(dtype):
        arr = np.asarray(col, dtype=np.float64)
        bad = np.flatnonzero(np.isnan(arr))
        if len(bad):
            raise DataError(f"{where(int(bad[0]))}: the date{text_col} is empty; fill it in or remove that row")
        if np.all(arr == np.round(arr)):
            return _int_steps(arr, where, text_col), None, None
    if dtype == object or pd.api.types.is_string_dtype(dtype):
        cells = list(col)
        if cells and all(
            (isinstance(c, (int, np.integer)) and not isinstance(c, (bool, np.bool_)))
            or (isinstance(c, str) and _INT_RE.match(c.strip()))
            for c in cells
        ):
            return _int_steps([int(c) for c in cells], where, text_col), None, None
    return (None, *_frame_dates(col, where, text_col))


def _int_steps(values: Any, where: Callable[[int], str], text_col: str) -> np.ndarray:
    """Whole numbers (Python ints, an int or whole-float column) as (N,) int64; one beyond int64 is an error."""
    arr = np.asarray(values)
    if arr.dtype.kind != "i":  # uint64, whole floats, Python ints beyond int64 (object)
        big = np.flatnonzero(~((arr >= -2**63) & (arr < 2**63)))
        if len(big):
            i = int(big[0])
            step = f"{arr[i]:.0f}" if isinstance(arr[i], float) else str(arr[i])
            raise DataError(f"{where(i)}: step {step}{text_col} is beyond the 64-bit integer range; fix that row (a typo?)")
    return arr.astype(np.int64)


def unicode_twin(name: Any, names: Any) -> str | None:
    """The one of `names` that is `name` in another Unicode form, or None: NFC and NFD, 'ü' as one character or as
    u + U+0308 (as macOS writes file names), a Hangul syllable or its letters."""
    text = unicodedata.normalize("NFC", str(name))
    return next((k for k in map(str, names) if k != str(name) and unicodedata.normalize("NFC", k) == text), None)


def _check_unicode_forms(uniques: Any, id_column: str) -> None:
    """Two ids that are the same letters written two ways would be two series, or gaps in each: refused."""
    seen: dict[str, str] = {}
    for k in uniques:
        if isinstance(k, str) and not k.isascii():
            first = seen.setdefault(unicodedata.normalize("NFC", k), k)
            if first != k:
                raise DataError(f"ids {first!r} and {k!r} in column {_show(id_column)} are the same letters written two ways "
                                f"({ascii(first)} and {ascii(k)}: Unicode NFC and NFD, as macOS writes names); write each id one way")


def _check_long_duplicates(codes: np.ndarray, key_num: np.ndarray, uniques: Any,
                           where: Callable[[int], str], id_column: str, date_column: str,
                           dates: pd.DatetimeIndex | None) -> None:
    pairs = pd.DataFrame({"id": codes, "t": key_num})
    dup = np.flatnonzero(pairs.duplicated(keep="first").to_numpy())
    if not len(dup):
        return
    i = int(dup[0])
    first = int(np.flatnonzero((codes == codes[i]) & (key_num == key_num[i]))[0])
    when = _fmt_date(dates[i]) if dates is not None else f"step {int(key_num[i])}"
    raise DataError(
        f"{where(i)}: series {_show(str(uniques[codes[i]]))} has {when} twice (also at {where(first)}); "
        f"keep one row per ({id_column}, {date_column}) pair"
    )


def _sub_where(where: Callable[[int], str], rows: np.ndarray) -> Callable[[int], str]:
    return lambda i: where(int(rows[i]))


def _long_offset(groups: list[tuple[str, np.ndarray]], dates: pd.DatetimeIndex,
                 source: str, where: Callable[[int], str]) -> pd.DateOffset:
    """The frequency of the series: the one inferred for most series with 3+ dates.

    A series inferred as a multiple of it ('2MS' among 'MS' series: months with gaps
    that happen to fall evenly) is fine when all its dates lie on its grid (the
    per-series check then names the gaps); a series of another frequency (quarterly
    among monthly ones), or off the grid, is an error naming it and a series of the
    common frequency, whatever `fill` says: filling would invent most of its values.
    """
    inferred: list[tuple[str, np.ndarray, pd.DateOffset]] = []  # (id, rows, offset)
    seen: dict[bytes, pd.DateOffset | None] = {}  # series on the same dates (most panels): inferred once
    times = dates.asi8
    for key, rows in groups:  # each series' dates sorted, unique (duplicates were checked before)
        if len(rows) >= 3:
            same = times[rows].tobytes()
            offset = seen[same] if same in seen else seen.setdefault(same, _infer_offset(dates[rows]))
            if offset is not None:
                inferred.append((key, rows, offset))
    if not inferred:  # a series with two dates on the 15th among month starts has no frequency that holds them all
        key, rows = max(groups, key=lambda g: len(g[1]))  # the longest (one check: this is an error path of any size)
        utc_days = _utc_days_hint(dates[rows], lambda i: f"series {_show(key)}: {where(int(rows[i]))}")
        if utc_days is None:
            _refuse_strays(dates[rows], lambda i: f"series {_show(key)}: {where(int(rows[i]))}")
        hint = utc_days or next(filter(None, (_mid_month_hint(dates[rows]) for _, rows in groups)), None)
        raise DataError(
            f"cannot infer the frequency of the dates in {source}: no series has 3 or more evenly "
            "spaced dates; " + (hint or "pass freq= e.g. freq='MS' for month starts, 'D' for days (CLI --freq; in Python "
                                 "load_long(df, freq=...) and fit the dict it returns)")
        )
    votes = Counter(_freq_name(offset) for _, _, offset in inferred)
    common = votes.most_common(1)[0][0]  # ties: the first to appear
    example, rows, chosen = next(item for item in inferred if _freq_name(item[2]) == common)
    sub = dates[rows]
    missing = len(_date_grid(sub[0], sub[-1], chosen)) - len(sub)  # (at most 2x: _infer_offset)
    if 2 * missing >= len(sub):  # one date on the 15th among month starts, in every series (or the only one)
        _refuse_strays(sub, lambda i: f"series {_show(example)}: {where(int(rows[i]))}",
                       f", which made them look like {common!r} with {missing} dates missing")
    for key, rows, offset in inferred:
        if _freq_name(offset) == common:
            continue
        sub = dates[rows]
        on_grid = _on_grid(sub, chosen)
        gaps = on_grid and len(pd.date_range(sub[0], sub[-1], freq=chosen)) > len(sub)
        if not on_grid or (gaps and offset.base != chosen.base):  # off the grid, or a coarser frequency on it
            stray = _strays(sub)
            if stray is not None and _freq_name(stray[0]) == common:  # one of its dates on the 15th, among month starts
                pos = stray[1]
                raise DataError(
                    f"series {_show(key)}: date {_fmt_date(sub[pos[0]])}{f' (and {len(pos) - 1} more)' if len(pos) > 1 else ''} "
                    f"does not fall on the frequency {common!r} of its other dates and of series {_show(example)}, which "
                    f"made it look like {_freq_name(offset)!r}; fix the date or pass the right freq= (CLI --freq)"
                )
            raise DataError(
                f"series {_show(key)} has frequency {_freq_name(offset)!r} but series {_show(example)} "
                f"has {common!r}; all series must share one frequency: resample them to one, fit them apart, "
                "or pass freq= (CLI --freq) to check every series against one"
            )
    return chosen


def _on_grid(dates: pd.DatetimeIndex, offset: pd.DateOffset) -> bool:
    try:
        if not offset.is_on_offset(dates[0]):
            return False
        return bool(dates.isin(pd.date_range(dates[0], dates[-1], freq=offset)).all())
    except (ValueError, OverflowError):
        return False


def _long_span(dates: pd.DatetimeIndex, offset: pd.DateOffset, fixed: bool = False) -> pd.DatetimeIndex | None:
    """One grid from the earliest to the latest date that the series' grids are sliced from; None when there is none.

    fixed=False: for calendar offsets only (month, quarter, week, business day, ...), whose ``date_range`` is slow per
    series; every series' grid is sliced from it. fixed=True: for a fixed step ('D', 'h', ...) only, and not when it
    would be far longer than the data: the grid the series already on it are cut from (fixed steps could put series
    on different phases, which then go through `_finish` one by one).
    """
    if isinstance(offset, FIXED_STEPS) != fixed or len(dates) == 0:
        return None
    first, last = dates.min(), dates.max()
    if fixed and (last.value - first.value) // offset.nanos >= max(4 * len(dates), 10**6):
        return None
    try:
        if not fixed and not offset.is_on_offset(first):
            return None
        return pd.date_range(first, last, freq=offset)
    except (ValueError, OverflowError):
        return None


def _complete(t: np.ndarray, v: np.ndarray, starts: np.ndarray, grid: np.ndarray | None) -> tuple[np.ndarray, np.ndarray]:
    """(S,) whether each series needs no per-series check, fill or drop, and (S,) its first position on the grid.

    t, v: (N,) times (int64 dates or steps) and values sorted by series, then time; series s holds rows starts[s] up
    to starts[s + 1]. A series is complete when every value is finite (at most MAX_VALUE) and its times are consecutive points of `grid`
    (sorted int64 dates; None: consecutive integer steps); its grid is then its index.
    """
    if grid is None:
        pos, on = t, np.ones(len(t), dtype=bool)
    elif len(grid) == 0:
        return np.zeros(len(starts), dtype=bool), np.zeros(len(starts), dtype=np.int64)
    else:
        pos = np.searchsorted(grid, t)
        on = grid[np.minimum(pos, len(grid) - 1)] == t
    step = np.ones(len(t), dtype=bool)
    step[1:] = np.diff(pos) == 1
    step[starts] = True  # a series' first time follows no other
    bad = ~(on & step & (np.abs(v) <= MAX_VALUE))  # NaN, inf and values too large for _finish's check too
    return ~np.logical_or.reduceat(bad, starts), pos[starts]


def _finish_steps(steps: np.ndarray, values: np.ndarray, rows: np.ndarray, key: str,
                  where: Callable[[int], str], fill: str, date_column: str, source: str,
                  col: str) -> pd.Series:
    """One series on integer steps (sorted, unique): consecutive, or filled when ``fill`` allows."""
    start, stop = int(steps[0]), int(steps[-1]) + 1  # Python ints: no overflow
    n_gap = stop - start - len(steps)
    if _grid_too_long(stop - start, len(steps)):
        raise DataError(
            f"its steps run from {start} to {stop - 1}: {n_gap} are missing beside its {len(steps)} values, too many to fill "
            f"or list; check column {_show(date_column)} for a wrong step (a typo, or a timestamp among steps?)"
        )
    if n_gap and fill == "none":  # named from the steps: the full range may be far too long to allocate
        jumps = np.flatnonzero(np.diff(steps) != 1)[:_MAX_LISTED]
        gap = [t for j in jumps for t in range(int(steps[j]) + 1, min(int(steps[j + 1]), int(steps[j]) + 1 + _MAX_LISTED))]
        first = ", ".join(map(str, gap[:_MAX_LISTED]))
        more = ", ..." if n_gap > _MAX_LISTED else ""
        raise DataError(
            f"{n_gap} step{'s are' if n_gap != 1 else ' is'} missing from column "
            f"{_show(date_column)}: {first}{more}; pass fill='ffill' or fill='interpolate' "
            "(CLI --fill) to fill them, or add the rows"
        )
    pos = steps - start  # (n,) positions on the full range start..stop-1
    row_of = np.full(stop - start, -1, dtype=np.int64)
    row_of[pos] = rows
    full = np.full(stop - start, np.nan)
    full[pos] = values

    def at(i: int) -> str:
        return where(int(row_of[i])) if row_of[i] >= 0 else f"step {start + i}"

    raw = _Raw(full, None, key, at, source=source, col=col)
    raw.start = start
    series = _finish(raw, offset=None, fill=fill, min_values=1)  # empty rows at the ends dropped
    series.index = series.index.rename(date_column)
    return series
