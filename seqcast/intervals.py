"""Prediction intervals from backtest residuals: split conformal, per horizon step (plain numpy).

A rolling-origin backtest gives rows of residuals, truth - forecast, one row per (series, origin) and
one column per horizon step. Per step, the half-width of the level-q interval is the finite-sample
conformal quantile of the absolute residuals; the interval is forecast ± that width::

    levels = parse_levels("80,95")                      # (80.0, 95.0)
    widths = conformal_widths(residuals, levels)        # {80.0: (h,), 95.0: (h,)}
    b = bands(point, widths, scale=series_mae)          # {80.0: (lo, hi), 95.0: (lo, hi)}, each (S, h)
    coverage(truth, *b[95.0])                           # percent of truth inside, e.g. 94.6

Many series of different scales share one width table when the caller divides each series'
residuals by that series' scale (e.g. its in-sample MAE of the naive forecast) before calling
`conformal_widths`, and passes the same scales to `bands`, which multiplies them back.

Guarantee (when the test residual is exchangeable with the calibration ones): each step's interval
covers the truth with probability >= level%, and < level% + 100/(n+1).
"""

from __future__ import annotations

import math
from collections.abc import Iterable

import numpy as np

from .config import split_list
from .errors import ConfigError, DataError


def no_levels(levels) -> bool:
    """levels=() / [] / False / "none" (any case; the CLI's --levels none): no intervals."""
    if levels is False:
        return True
    if isinstance(levels, str):
        return levels.strip().lower() == "none"
    return isinstance(levels, (list, tuple)) and len(levels) == 0


#: The most interval levels one fit, forecast or backtest takes: every whole percentile, 1 to 99. Each level adds two
#: columns to every forecast and a band to every figure (10,000 of them ran for minutes, with a warning per column).
MAX_LEVELS = 99


def parse_levels(levels) -> tuple[float, ...]:
    """Interval levels in percent, ascending: "80,95" (or "80 95"), [80, 95] or 90 -> (80.0, 95.0) / (90.0,).

    Levels are read to the 6 significant digits that name their columns (lo_97.5, hi_97.5; 100 * 0.9 is 90): 80.0000001
    and 80.0000002, both lo_80, are a repeat, and 99.9999999, lo_100, is not below 100. Raises ConfigError for text that is
    not a number, a level outside [1, 100), a repeat or more than MAX_LEVELS levels: levels are percentages, and one
    below 1 is almost surely a fraction (0.95) meant as 95.

    >>> parse_levels("95, 80"), parse_levels(90)
    ((80.0, 95.0), (90.0,))
    """
    items = (split_list(levels) or [""]) if isinstance(levels, str) else (  # "80,95", "80, 95" or "80 95"
        list(levels) if isinstance(levels, Iterable) else [levels])
    if not items or items == [""]:
        raise ConfigError(f"`levels` must be one or more percentages in [1, 100) such as 80,95. Received: levels={levels!r}")
    if len(items) > MAX_LEVELS:
        raise ConfigError(f"`levels` must be at most {MAX_LEVELS} levels (every whole percentile, 1 to 99), each one two columns "
                          f"of every forecast and a band of every figure. Received: {len(items)} levels")
    out = []
    for item in items:
        try:
            if isinstance(item, bool):
                raise TypeError
            v = float(f"{float(item):g}")  # as its columns name it
        except (TypeError, ValueError, OverflowError):  # OverflowError: an int of 400 digits
            raise ConfigError(f"`levels` must be numbers in [1, 100) separated by commas, such as 80,95. Received: levels={levels!r}") from None
        if not 1 <= v < 100:  # also refuses nan
            raise ConfigError(f"`levels` must be in [1, 100), in percent (95, not 0.95 or 120). Received: levels={levels!r}")
        out.append(v)
    if len(set(out)) != len(out):
        raise ConfigError(f"`levels` must not repeat a level (to the 6 significant digits that name its columns, lo_80 and "
                          f"hi_80). Received: levels={levels!r}")
    return tuple(sorted(out))


def _check_level(level) -> float:
    from .windows import is_real

    if not is_real(level) or not 1 <= level < 100:
        raise ConfigError(f"`level` must be a number in [1, 100), in percent (95, not 0.95). Received: level={level!r}")
    return float(level)


def conformal_rank(n: int, level: float) -> int:
    """The 1-based rank ceil((n+1) * level/100) of the conformal quantile among n scores (may exceed n)."""
    from .windows import check_positive

    level, n = _check_level(level), check_positive("n", n, 0)
    return math.ceil((n + 1) * level / 100)  # (n+1)*level first: exact when the product is a multiple of 100


def min_residuals(level: float) -> int:
    """The fewest residuals n with a finite level-% width: conformal_rank(n, level) <= n.

    >>> min_residuals(80), min_residuals(95)
    (4, 19)
    """
    level = _check_level(level)  # 100 would never be reached
    n = max(1, math.ceil(level / (100 - level)) - 1)  # n >= level / (100 - level), then exact by the rank itself
    while conformal_rank(n, level) > n:
        n += 1
    return n


def conformal_widths(residuals, levels=(80, 95)) -> dict[float, np.ndarray]:
    """Half-widths of conformal intervals per horizon step, from backtest residuals.

    residuals: (R, h) array of truth - forecast, one row per backtest (series, origin), one column per
        horizon step; a 1-D array is one step (R,). Rows may mix many series and origins; when the
        series differ in scale, pass residuals in scaled units (each series' residuals divided by its
        scale) and give the same scales to `bands`. NaN residuals (a step past a series' end, say) are
        ignored, so each step uses its own n = number of non-NaN values.
    levels: percentages in [1, 100), anything `parse_levels` accepts.

    Returns {level: (h,) array}: for step j the ceil((n+1)*q)-th smallest |residuals[:, j]|, q =
    level/100. When that rank exceeds n (too few residuals for the level: n < q/(1-q), e.g. n < 19 for
    95%) the width is +inf: a finite width would not carry the guarantee.

    >>> conformal_widths([[1.0], [-2.0], [3.0], [-4.0], [5.0]], (80, 95))   # ranks ceil(6 * 0.8) = 5, ceil(6 * 0.95) = 6
    {80.0: array([5.]), 95.0: array([inf])}
    """
    lv = parse_levels(levels)
    r = _numeric(residuals, "residuals")
    if r.ndim == 1:
        r = r[:, None]
    if r.ndim != 2 or r.shape[1] == 0:
        raise DataError(f"`residuals` must be a (rows, horizon) array of truth - forecast. Received: shape {r.shape}")
    out = {q: np.empty(r.shape[1]) for q in lv}
    for j in range(r.shape[1]):
        a = np.sort(np.abs(r[~np.isnan(r[:, j]), j]))
        for q in lv:
            k = conformal_rank(len(a), q)
            out[q][j] = a[k - 1] if k <= len(a) else np.inf
    return out


def bands(point, widths: dict, scale=None, floor=None) -> dict[float, tuple[np.ndarray, np.ndarray]]:
    """Lower and upper bounds point ∓ width for each level.

    point: (S, h) forecasts (S series, h steps) or (h,) for one series.
    widths: {level: (h,)} from `conformal_widths`.
    scale: optional (S,) non-negative per-series factors multiplying the widths (when the widths were
        computed from residuals divided by each series' scale); a scalar applies to all series.
    floor: optional lowest possible value, a scalar or (S,) per series (NaN: none), e.g. 0 for series
        that are never negative; bounds below it are raised to it (coverage of values >= floor
        is unchanged, the band just stops claiming impossible values).

    Returns {level: (lo, hi)}, each shaped like `point`.
    """
    p = _numeric(point, "point")
    if p.ndim not in (1, 2):
        raise DataError(f"`point` must be (series, horizon) or (horizon,). Received: shape {p.shape}")
    h = p.shape[-1]
    s = np.ones(1) if scale is None else np.atleast_1d(_numeric(scale, "scale"))
    if s.ndim != 1 or (p.ndim == 2 and len(s) not in (1, p.shape[0])) or (p.ndim == 1 and len(s) != 1):
        n_series = p.shape[0] if p.ndim == 2 else 1
        raise DataError(f"`scale` must hold one value per series ({n_series}). Received: shape {np.shape(scale)}")
    if not (np.isfinite(s).all() and (s >= 0).all()):
        raise DataError(f"`scale` must be finite and >= 0 (e.g. each series' in-sample MAE). Received: scale={s[:5].tolist()}...")
    s = s[:, None] if p.ndim == 2 else s
    if not isinstance(widths, dict):
        raise DataError(f"`widths` must be a dict {{level: (horizon,) widths}} from conformal_widths. Received: widths={widths!r:.80}")
    fl = None
    if floor is not None:
        fl = np.atleast_1d(_numeric(floor, "floor"))
        n_series = p.shape[0] if p.ndim == 2 else 1
        if fl.ndim != 1 or len(fl) not in (1, n_series):
            raise DataError(f"`floor` must be one number, or one per series ({n_series}). Received: shape {np.shape(floor)}")
        fl = fl[:, None] if p.ndim == 2 else fl  # (S, 1) or (1, 1); (0, 1) for no series (a constant series left out)
    out = {}
    for q, w in widths.items():
        w = _numeric(w, f"widths[{q}]").reshape(-1)
        if len(w) != h:
            raise DataError(f"widths for level {q} have {len(w)} steps, the forecasts {h}; compute them from a backtest with the same horizon")
        half = w * s
        lo, hi = p - half, p + half
        if fl is not None:  # neither bound below the floor (a point forecast below it must not invert the band)
            lo = np.where(np.isnan(fl), lo, np.maximum(lo, np.nan_to_num(fl, nan=-np.inf)))
            hi = np.where(np.isnan(fl), hi, np.maximum(hi, np.nan_to_num(fl, nan=-np.inf)))
        out[q] = (lo, hi)
    return out


def coverage(truth, lo, hi) -> float:
    """Percent of the finite truth values that lie inside [lo, hi] (bounds included); NaN when none is finite."""
    y, a, b = (_numeric(x, name) for x, name in ((truth, "truth"), (lo, "lo"), (hi, "hi")))
    try:
        y, a, b = np.broadcast_arrays(y, a, b)
    except ValueError:
        raise DataError(f"`truth`, `lo` and `hi` must have the same shape. Received: {y.shape}, {a.shape}, {b.shape}") from None
    ok = np.isfinite(y)
    if not ok.any():
        return float("nan")
    return float(100.0 * np.mean((y[ok] >= a[ok]) & (y[ok] <= b[ok])))


def _numeric(x, name: str) -> np.ndarray:
    from .metrics import _numbers

    return _numbers(name, x)
