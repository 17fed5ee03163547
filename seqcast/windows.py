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


def n_windows(n_values: int, window: int, horizon: int = 1) -> int:
    return n_values - window - horizon + 1


def make_windows(values, window: int, horizon: int = 1):
    """Return X (N, window) and Y (N, horizon) as read-only views of `values` (no copy)."""
    window = check_positive("window", window)
    horizon = check_positive("horizon", horizon)
    v = np.asarray(values)
    n = n_windows(len(v), window, horizon)
    if n < 1:
        raise DataError(
            f"the series is too short for the window: {len(v)} values, but window={window} and "
            f"horizon={horizon} need at least {window + horizon}; use a smaller --window or more data"
        )
    X = sliding_window_view(v[: n + window - 1], window)
    Y = sliding_window_view(v[window:], horizon)[:n]
    return X, Y


def seq2seq_targets(series, n_steps: int, k: int):
    """(B, n_steps + k) or (B, n_steps + k, 1) -> Y (B, n_steps, k) with Y[:, t, j] = s[:, t + 1 + j]."""
    s = np.asarray(series)
    if s.ndim == 3:
        s = s[..., 0]
    if s.shape[1] < n_steps + k:
        raise DataError(f"series need n_steps + k = {n_steps + k} values for seq-to-seq targets. Received: {s.shape[1]}")
    return np.stack([s[:, 1 + j : 1 + j + n_steps] for j in range(k)], axis=-1)


def split_train_test(n: int, test_size: float) -> int:
    """Chronological split: the first int(n * (1 - test_size)) windows train (132, 0.2 -> 105)."""
    if not 0.0 <= test_size < 1.0:
        raise ConfigError(f"`test_size` must be in [0, 1). Received: test_size={test_size!r}")
    n_train = int(n * (1.0 - test_size))
    if n_train < 1:
        raise DataError(f"no training windows left: {n} windows with test_size={test_size}; use more data or a smaller --test-size")
    return n_train


def split_validation(n_train: int, val_size: float) -> int:
    """Number of validation windows taken from the end of the training windows."""
    if not 0.0 <= val_size < 1.0:
        raise ConfigError(f"`val_size` must be in [0, 1). Received: val_size={val_size!r}")
    n_val = int(round(n_train * val_size))
    if val_size > 0 and (n_val < 1 or n_val >= n_train):
        raise DataError(f"val_size={val_size} leaves {n_val} validation windows out of {n_train}; choose a val_size that leaves at least one of each")
    return n_val
