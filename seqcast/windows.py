"""Windows -> targets, pure numpy in and out.

For values v[0..n-1], `window` = w and `horizon` = h there are N = n - w - h + 1 windows:

    X[i] = v[i     : i + w]        inputs   (N, w)
    Y[i] = v[i + w : i + w + h]    targets  (N, h)

e.g. v = arange(6), w = 3, h = 1:  X = [[0,1,2],[1,2,3],[2,3,4]], Y = [[3],[4],[5]].

Seq-to-seq targets for series s of shape (B, T + k): at every step t the next k values,

    Y[:, t, j] = s[:, t + 1 + j]   for t < T, j < k        (B, T, k)
"""

from __future__ import annotations

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

from .errors import ConfigError, DataError


def check_positive(name: str, value, minimum: int = 1) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < minimum:
        raise ConfigError(f"`{name}` must be an integer >= {minimum}. Received: {name}={value!r}")
    return int(value)


def is_real(value) -> bool:
    """A real number: a Python or numpy int or float, not a bool (True is no size, rate or level)."""
    return isinstance(value, (int, float, np.integer, np.floating)) and not isinstance(value, bool)


def unmasked(a):
    """`a` with the values a numpy masked array masks as None (NaN as floats: missing values, as pandas reads them), which
    np.asarray would keep as they were under the mask; anything else as it is."""
    if not np.ma.isMaskedArray(a):
        return a
    data, mask = np.ma.getdata(a), np.ma.getmaskarray(a)
    if data.dtype.kind == "f":  # floats: NaN, no Python object a value (1,000,000 values: 0.8 s less in load_series)
        return np.where(mask, np.nan, data)
    return np.where(mask, None, data.astype(object))


def check_fraction(name: str, value) -> float:
    """A fraction in [0, 1) (test_size, val_size): a number, not text or True."""
    if not is_real(value) or not 0 <= value < 1:
        raise ConfigError(f"`{name}` must be a number in [0, 1). Received: {name}={value!r}")
    return float(value)


def n_windows(n_values: int, window: int, horizon: int = 1) -> int:
    return n_values - window - horizon + 1


def make_windows(values, window: int, horizon: int = 1):
    """Return X (N, window) and Y (N, horizon) as read-only views of `values` (no copy).

    `values` (n,), or one column (n, 1) such as sklearn's `fit_transform` gives (the Keras tutorial's `s_data`).
    A masked array's masked values are missing, NaN in the windows (train.fit refuses those; drop or fill them), not
    the values under the mask (then the windows are a copy).

    >>> X, Y = make_windows(np.arange(6), window=3)
    >>> X.tolist(), Y.tolist()
    ([[0, 1, 2], [1, 2, 3], [2, 3, 4]], [[3], [4], [5]])
    """
    window = check_positive("window", window)
    horizon = check_positive("horizon", horizon)
    v = np.asarray(unmasked(values) if np.ma.is_masked(values) else np.ma.getdata(values))
    if v.dtype == object and np.ma.is_masked(values):  # masked ints: None under the mask -> NaN
        v = v.astype(np.float64)
    if v.ndim == 2 and v.shape[1] == 1:  # one column: one series
        v = v[:, 0]
    if v.ndim != 1:
        raise DataError(f"`values` must be one series, a 1-D array or one column (n, 1). Received: shape {v.shape}; for a batch of series "
                        "use seq2seq_targets or a long DataFrame")
    n = n_windows(len(v), window, horizon)
    if n < 1:
        raise DataError(
            f"the series is too short for the window: {len(v)} values, but window={window} and "
            f"horizon={horizon} need at least {window + horizon}; use a smaller `window` (CLI --window) or more data"
        )
    X = sliding_window_view(v[: n + window - 1], window)
    Y = sliding_window_view(v[window:], horizon)[:n]
    return X, Y


def seq2seq_targets(series, n_steps: int, k: int):
    """(B, n_steps + k) or (B, n_steps + k, 1) -> Y (B, n_steps, k) with Y[:, t, j] = s[:, t + 1 + j].

    >>> seq2seq_targets([[0, 1, 2, 3, 4]], 3, 2).tolist()
    [[[1, 2], [2, 3], [3, 4]]]
    """
    n_steps, k = check_positive("n_steps", n_steps), check_positive("k", k)
    s = np.asarray(series)
    if s.ndim == 3 and s.shape[-1] == 1:
        s = s[..., 0]
    if s.ndim != 2:
        raise DataError(f"`series` must be a batch of series, shape (B, T) or (B, T, 1). Received: shape {np.shape(series)}")
    if s.shape[1] < n_steps + k:
        raise DataError(f"series need n_steps + k = {n_steps + k} values for seq-to-seq targets. Received: {s.shape[1]}")
    return np.stack([s[:, 1 + j : 1 + j + n_steps] for j in range(k)], axis=-1)


def split_train_test(n: int, test_size: float) -> int:
    """Chronological split: the first int(n * (1 - test_size)) windows train.

    >>> split_train_test(132, 0.2)
    105
    """
    test_size = check_fraction("test_size", test_size)
    n = check_positive("n", n, 0)
    n_train = int(n * (1.0 - test_size))
    if n_train < 1:
        raise DataError(f"no training windows left: {n} windows with test_size={test_size}; use more data or a smaller `test_size` (CLI --test-size)")
    return n_train


def split_validation(n_train: int, val_size: float) -> int:
    """Number of validation windows taken from the end of the training windows."""
    val_size = check_fraction("val_size", val_size)
    n_train = check_positive("n_train", n_train, 0)
    n_val = max(1, int(round(n_train * val_size))) if val_size > 0 else 0  # at least one when asked for
    if val_size > 0 and n_val >= n_train:
        raise DataError(f"val_size={val_size} leaves {n_val} validation windows out of {n_train}; choose a val_size that leaves at least one of each")
    return n_val


# ---- many equal-length series: inputs first, targets after ----------------------------------------------


def _as_batch(series) -> np.ndarray:
    """(B, T) or (B, T, 1), or a long DataFrame (unique_id, ds, y) -> (B, T) float32."""
    if any(c in getattr(series, "columns", ()) for c in ("unique_id", "ds", "y")):  # long format: one row per series and time
        return long_to_array(series)[0]  # (a wide DataFrame, one row per series, is an array (B, T) as before)
    from .metrics import _numbers

    s = _numbers("series", series).astype(np.float32)
    if s.ndim == 3 and s.shape[-1] == 1:
        s = s[..., 0]
    if s.ndim != 2:
        raise DataError(f"a batch of series must have shape (n_series, n_values) or (n_series, n_values, 1). Received: {s.shape}")
    return s


def split_inputs_targets(series, n_steps: int, k: int = 1, *, seq2seq: bool = False):
    """Each series' first `n_steps` values are the input, the next `k` values the target.

    series (B, n_steps + k) or (B, n_steps + k, 1), or long format (unique_id, ds, y; see long_to_array) ->
        X (B, n_steps, 1)   and   Y (B, k)                       (next value, next k values)
                                  Y (B, n_steps, k) = seq2seq_targets(series, n_steps, k)   (seq2seq)

    >>> X, Y = split_inputs_targets([[0, 1, 2, 3, 4]], n_steps=3, k=2)
    >>> X.tolist(), Y.tolist()
    ([[[0.0], [1.0], [2.0]]], [[3.0, 4.0]])

    (Hands-On ML: X = series[:, :50], y = series[:, -10:, 0] for 60 values).
    Values past n_steps + k are not used.
    """
    n_steps = check_positive("n_steps", n_steps)
    k = check_positive("k", k)
    s = _as_batch(series)
    if s.shape[1] < n_steps + k:
        raise DataError(
            f"each series needs n_steps + k = {n_steps} + {k} = {n_steps + k} values (inputs, then targets). Received: {s.shape[1]}"
        )
    X = s[:, :n_steps, None]
    Y = seq2seq_targets(s, n_steps, k) if seq2seq else s[:, n_steps : n_steps + k]
    return X, Y


def long_to_array(frame, *, id_col: str = "unique_id", time_col: str = "ds", value_col: str = "y"):
    """Long format (one row per series and time: unique_id, ds, y) -> (values (B, T) float32, ids (B,)).

    Rows are ordered by `ds` within each series; series keep the order in which their ids first
    appear. Every series must have the same number of values, no repeated `ds`, and no missing `y`.
    """
    for name, col in (("id_col", id_col), ("time_col", time_col), ("value_col", value_col)):
        if not isinstance(col, str) or not col.strip():  # as long.load_long's id_column
            raise ConfigError(f"`{name}` must be a column name (a non-empty str). Received: {name}={col!r}")
    missing = [c for c in (id_col, time_col, value_col) if c not in getattr(frame, "columns", ())]
    if missing:
        raise DataError(f"long-format data needs the columns {id_col}, {time_col}, {value_col}; missing: {', '.join(missing)}")
    if len(frame) == 0:
        raise DataError("long-format data has no rows")
    df = frame[[id_col, time_col, value_col]]
    if df[value_col].isna().any():
        raise DataError(f"column {value_col!r} has {int(df[value_col].isna().sum())} missing values; fill or drop them first")
    dup = df.duplicated([id_col, time_col])
    if dup.any():
        row = df[dup].iloc[0]
        raise DataError(f"series {row[id_col]!r} has more than one row for {time_col}={row[time_col]!r}")
    counts = df.groupby(id_col, sort=False).size()
    if counts.nunique() != 1:
        raise DataError(
            f"all series must have the same length; lengths range from {counts.min()} ({counts.idxmin()!r}) to {counts.max()} ({counts.idxmax()!r})"
        )
    ids = df[id_col].drop_duplicates().to_numpy()
    order = {u: i for i, u in enumerate(ids)}
    df = df.assign(_order=df[id_col].map(order)).sort_values(["_order", time_col], kind="stable")
    values = df[value_col].to_numpy(dtype=np.float32).reshape(len(ids), int(counts.iloc[0]))
    return values, ids
