"""Classical baselines, one-step-ahead on the same targets as the neural models.

Each takes the full value array `v` and the integer positions `t` of the targets and returns the
forecast of v[t] made from values before t only:

    naive           v[t - 1]
    seasonal_naive  v[t - m]      (m = season length, e.g. 12 for monthly data)
"""

from __future__ import annotations

import numpy as np

from ..errors import DataError


def naive(v, t) -> np.ndarray:
    v, t = np.asarray(v, dtype=np.float64), np.asarray(t)
    if t.min() < 1:
        raise DataError("the naive forecast needs one value before every target")
    return v[t - 1]


def seasonal_naive(v, t, season: int) -> np.ndarray:
    v, t = np.asarray(v, dtype=np.float64), np.asarray(t)
    if t.min() < season:
        raise DataError(f"the seasonal naive forecast needs {season} values before every target; the first target has {t.min()}")
    return v[t - season]


def one_step(v, t, season: int | None) -> dict:
    """All baselines that apply: {name: forecasts of v[t]}."""
    out = {"naive": naive(v, t)}
    if season and season > 1 and np.asarray(t).min() >= season:
        out["seasonal_naive"] = seasonal_naive(v, t, season)
    return out
