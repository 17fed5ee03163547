"""Values that `fill` made up: where they are, and a series as it was known at a time.

``load_series(..., fill=...)`` fills every gap of a series at once, so an interpolated value reads the value
after its gap. An honest evaluation forecasts from what was known at the forecast's time only, and scores
observed values only. The loaders mark the filled values (``series.attrs["filled_at"]``: their index labels
as integers, nanoseconds for dates, which slicing keeps; ``attrs["fill"]``: the method; ``attrs["filled_grid"]``:
the frequency and zone they were made on, as pandas also carries attrs to a resampled series), and the evaluations
(holdout, backtest, interval calibration) fill each training part and input window from the values up to
its own end, as ``refill`` does:

    interpolate   a gap closed within the span (its next value is in it): linear between its two sides, as loaded;
                  a gap still open at the span's end: the last value before it (pandas' linear interpolate
                  carries the last value forward there, as a forecast's own data would be filled)
    ffill         the last value before the gap, as loaded
"""

from __future__ import annotations

import numpy as np
import pandas as pd

FILLED_AT, METHOD, GRID = "filled_at", "fill", "filled_grid"  # the attrs keys


def _labels(index: pd.Index) -> np.ndarray:
    """(n,) the index labels as int64: nanoseconds for dates (UTC for a zone), the positions of a RangeIndex."""
    if isinstance(index, pd.DatetimeIndex):
        return index.as_unit("ns").asi8
    return np.asarray(index, dtype=np.int64)


def _grid(index: pd.Index) -> tuple[str, bool]:
    """(frequency, or '' when none is set; whether the dates have a zone): the grid the labels of marks lie on."""
    return str(getattr(index, "freqstr", None) or ""), getattr(index, "tz", None) is not None


def _stale(y: pd.Series) -> bool:
    """Marks that pandas carried (attrs follow most operations) onto another grid, where their labels name other values:
    hourly data's resample('D').mean() (its days are mostly observed), tz_localize (its labels move)."""
    grid = y.attrs.get(GRID)
    if grid is None:
        return False
    freq, zoned = _grid(y.index)
    return zoned != grid[1] or bool(freq and grid[0] and freq != grid[0])  # (a boolean mask drops the freq: the same grid)


def mark(series: pd.Series, filled: np.ndarray, method: str) -> None:
    """Record in `series.attrs` that the values at (n,) bool `filled` were filled by `method`."""
    series.attrs[FILLED_AT] = tuple(_labels(series.index[filled]).tolist())  # a tuple: attrs are compared and deep-copied
    series.attrs[METHOD] = method
    series.attrs[GRID] = _grid(series.index)


def carry(dst: pd.Series, src) -> None:
    """Keep `src`'s marks on `dst` (the same series read again, e.g. a loaded series passed to load_series)."""
    if isinstance(src, pd.Series) and src.attrs.get(FILLED_AT) and not _stale(src):
        dst.attrs[FILLED_AT] = tuple(sorted({*dst.attrs.get(FILLED_AT, ()), *src.attrs[FILLED_AT]}))
        dst.attrs[METHOD] = src.attrs.get(METHOD, dst.attrs.get(METHOD))
        dst.attrs[GRID] = src.attrs.get(GRID, dst.attrs.get(GRID))


FRAME = "filled_marks"  # a long DataFrame's attrs key (`long.to_long`): {id as text: that series' marks}


def frame_marks(series) -> dict:
    """{id as text: marks} of the marked series of a dict, for the long DataFrame `long.to_long` makes of them."""
    return {str(k): {key: s.attrs[key] for key in (FILLED_AT, METHOD, GRID) if key in s.attrs}
            for k, s in series.items() if filled(s).any()}


def carry_frame(frame: pd.DataFrame, out: dict) -> None:
    """Put the marks a long DataFrame holds (`frame_marks`) back on the series `load_long` read from it, beside the
    marks of values load_long's own `fill` made up (rows dropped from the frame, say)."""
    marks = frame.attrs.get(FRAME) or {}
    for k, s in out.items():
        if str(k) in marks:
            src = s.copy(deep=False)  # the series' dates, with the frame's marks
            src.attrs = dict(marks[str(k)])
            carry(s, src)
            s.attrs["filled"] = int(filled(s).sum())


def filled(y, n: int | None = None) -> np.ndarray:
    """(n,) bool: where the values of `y` were filled when loading (all False for anything but a marked pd.Series, and
    for marks on another grid than the series': `_stale`)."""
    at = y.attrs.get(FILLED_AT) if isinstance(y, pd.Series) and not _stale(y) else None
    if not at:
        return np.zeros(len(y) if n is None else n, dtype=bool)
    return np.isin(_labels(y.index), np.asarray(at, dtype=np.int64))


def method(y) -> str | None:
    """The fill method of a marked pd.Series, else None."""
    return y.attrs.get(METHOD) if isinstance(y, pd.Series) and y.attrs.get(FILLED_AT) and not _stale(y) else None


def refill(values: np.ndarray, filled: np.ndarray, method: str | None) -> np.ndarray:
    """(n,) `values` with the `filled` ones filled again from the observed ones up to the last position (see the
    module's table); `values` itself when none is filled."""
    if method is None or not filled.any():
        return values
    out = _fill(np.where(filled, np.nan, values), method)
    lead = int(np.argmin(filled)) if not filled.all() else len(filled)  # filled before the first observed value (a slice
    out[:lead] = values[:lead]  # that starts in a gap): filled from earlier values, its gap closed here: as loaded
    return out


def _fill(raw: np.ndarray, method: str) -> np.ndarray:
    """(n,) `raw` with its NaN filled as pandas' ffill() or interpolate(method="linear") fills a Series' (the same
    np.interp on positions; leading NaN kept, trailing NaN: the last value, carried) in numpy: a backtest refills a
    part per series and origin, and pandas' ~0.5 ms a call made 200 series x 5 origins 1.8x slower."""
    miss = np.isnan(raw)
    pos = np.arange(len(raw))
    if miss.all():
        return raw.copy()
    if method == "ffill":
        return raw[np.maximum.accumulate(np.where(miss, 0, pos))]  # position 0 where none before: NaN, kept
    out = raw.copy()
    out[miss] = np.interp(pos[miss], pos[~miss], raw[~miss])
    out[: int(np.argmin(miss))] = np.nan  # np.interp's first value before the first observed one: pandas keeps NaN
    return out


def refill_series(s: pd.Series) -> pd.Series:
    """A marked series with its values as known at its last date (`refill`), its index and attrs kept."""
    v = s.to_numpy(np.float64)
    out = refill(v, filled(s), method(s))
    if out is v:
        return s
    new = pd.Series(out, index=s.index, name=s.name)
    new.attrs.update(s.attrs)
    return new


def observed(values: np.ndarray, filled: np.ndarray) -> np.ndarray:
    """(n,) `values` with NaN at the `filled` ones (targets not to score); `values` itself when none is."""
    return np.where(filled, np.nan, values) if filled.any() else values


def _last_observed(filled: np.ndarray) -> np.ndarray:
    """(n,) the last position at or before each that was observed, not filled; -1 where none is (a slice starting in a gap)."""
    return np.maximum.accumulate(np.where(filled, -1, np.arange(len(filled))))


def known_at(values: np.ndarray, filled: np.ndarray, method: str | None, ends: np.ndarray, idx: np.ndarray) -> np.ndarray:
    """(N, k) the values at positions `idx` (N, k) as known at positions `ends` (N,) (idx <= ends): an interpolated
    value in the gap still open at its row's end takes the last value before that gap; the others are as loaded."""
    if method is None or not filled.any():
        return values[idx]
    prev = _last_observed(filled)
    ends = np.asarray(ends)[:, None]  # (N, 1)
    held = filled[idx] if method == "ffill" else filled[ends] & (prev[idx] == prev[ends])  # (N, k) the last value before
    held &= prev[idx] >= 0  # a value before the first observed one: as loaded, as `refill` keeps it
    return np.where(held, values[np.maximum(prev[idx], 0)], refill(values, filled, method)[idx])


def history(values: np.ndarray, filled: np.ndarray, method: str | None):
    """e -> (n,) the values as known at position e (only [:e + 1] is meaningful): for baselines that read a
    history before each target; one array, refilled once, where e was observed (every gap before it is closed)."""
    closed = refill(values, filled, method)  # as known at the end
    prev = _last_observed(filled)

    def at(e: int) -> np.ndarray:  # at a filled e, the gap open there holds the value before it: a copy, not a refill
        if not filled[e] or prev[e] < 0:
            return closed
        out = closed.copy()
        out[prev[e] + 1 : e + 1] = values[prev[e]]
        return out
    return at
