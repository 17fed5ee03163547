"""Classical baselines: one step ahead on the neural models' targets, and h steps from one origin.

One step ahead, each takes the full value array `v` and the integer positions `t` of the targets
and returns the forecast of v[t] made from values before t only:

    naive           v[t - 1]
    snaive          v[t - m]      (m = season length, e.g. 12 for monthly data; `seasonal_naive`)
    linear_ar       the least-squares AR below, fitted on v[:t] for every target (every k-th past 60)

(named as the many-step ones below, and as backtest's --models name them)

Many steps from one origin, :func:`forecast` takes one history y[0..n-1] (only values before the
origin) and returns the next h values (h,); :func:`forecast_many` does it for S series (S, h):

    naive           y[n-1] repeated
    snaive          the last season y[n-m..n-1] repeated (naive when m is None/1 or n < m)
    drift           y[n-1] + k (y[n-1] - y[0]) / (n - 1), k = 1..h (naive when n == 1)
    window_average  mean of the last `window` values (all of them when window is None or > n)
    linear_ar       least-squares AR(p) with intercept on the standardised series, recursive

:func:`statsforecast_forecast` gives AutoETS / AutoTheta / AutoARIMA references through the optional
package statsforecast.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from .. import gaps
from ..errors import ConfigError, DataError

#: The multi-step baselines :func:`forecast` knows.
BASELINES = ("naive", "snaive", "drift", "window_average", "linear_ar")

#: The statistical references :func:`statsforecast_forecast` knows.
STATS_MODELS = ("autoets", "autotheta", "autoarima")

#: linear_ar keeps at least this many more training rows than coefficients (p lags + intercept).
AR_SPARE_ROWS = 4


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


def one_step(v, t, season: int | None, filled=None, method: str | None = None, scored=None) -> dict:
    """All baselines that apply: {name: forecasts of v[t]}. linear_ar refits on v[:t] before every target
    (before every k-th beyond ONE_STEP_FITS targets). `filled` (n,) bool and `method`: the values `fill` made up
    (`seqcast.gaps`), each target forecast from the values as known before it (a filled value that reads a later
    one refilled: `gaps.known_at`); None: `v` as it is. `scored` (N,) bool: the targets scored (None: all); the
    others (filled values, forecast too) change none of their forecasts: linear_ar's fits are spread over the scored
    ones, and the scored ones say whether snaive applies (NaN for another target with less than a season before it)."""
    v, t = np.asarray(v, dtype=np.float64), np.atleast_1d(t)
    naive(v, t)  # its check: a value before every target
    out = {"naive": _before(v, t, [1], filled, method)[:, 0]}
    if season and season > 1 and (t if scored is None else t[scored]).min() >= season:
        out["snaive"] = np.where(t >= season, _before(v, np.maximum(t, season), [season], filled, method)[:, 0], np.nan)
    out["linear_ar"] = _linear_ar_one_step(v, t, season, filled, method, scored)
    return out


# ---- many steps from one origin ---------------------------------------------------------------------


def _check_int(name: str, value, allow_none: bool = True) -> int | None:
    if value is None and allow_none:
        return None
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 1:
        raise ConfigError(f"`{name}` must be an integer >= 1{' or None' if allow_none else ''}. Received: {name}={value!r}")
    return int(value)


def _history(y, label: str = "y") -> np.ndarray:
    try:
        v = np.asarray(y, dtype=np.float64)
    except (TypeError, ValueError):
        raise DataError(f"{label} must hold numbers only; pass a 1-D float array") from None
    if v.ndim != 1:
        raise DataError(f"{label} must be 1-D (one history). Received: shape {v.shape}")
    if len(v) == 0:
        raise DataError(f"{label} is empty; a forecast needs at least one past value")
    bad = np.flatnonzero(~np.isfinite(v))
    if len(bad):
        raise DataError(f"{label} holds a non-finite value at position {int(bad[0])} ({v[bad[0]]}); fill or drop it first")
    return v


#: linear_ar refits with half the lags while its fitted recursion's fastest mode grows more than this
#: factor over the forecast horizon (spectral radius ** h).
AR_MAX_GROWTH = 2.0


def _linear_ar(y: np.ndarray, h: int, p: int) -> np.ndarray:
    """AR(p) with intercept by ridge-stabilised least squares on (y - mean) / std, recursive for h steps.
    An explosive fit (companion matrix spectral radius r with r ** h > AR_MAX_GROWTH: forecasts that
    run away within the horizon, as many lags fitted to a short series give) is refitted with p // 2
    lags, down to naive. Steady growth such as the airline's ~1% a month stays allowed."""
    fit = _ar_fit(y, h, p)
    if fit is None:
        return np.full(h, y[-1])
    mu, sd, coef = fit
    p = len(coef) - 1
    recent = list((y[-p:][::-1] - mu) / sd)  # z[n-1], z[n-2], ..., z[n-p]
    out = np.empty(h)
    for k in range(h):
        nxt = coef[0] + float(np.dot(coef[1:], recent))
        out[k] = nxt
        recent = [nxt, *recent[:-1]]
    return mu + sd * out


def _ar_fit(y: np.ndarray, h: int, p: int) -> tuple[float, float, np.ndarray] | None:
    """(mean, std, coefficients [intercept, lag 1..p]) of `_linear_ar`'s fit, with fewer lags for an explosive
    one; None where it falls back to naive (too short, constant)."""
    n = len(y)
    p = min(p, (n - 1 - AR_SPARE_ROWS) // 2)  # n - p rows >= (p + 1) + AR_SPARE_ROWS
    sd = float(np.std(y))
    if p < 1 or not sd > 0:
        return None
    mu = float(np.mean(y))
    z = (y - mu) / sd  # (n,)
    # Row t = p..n-1: [1, z[t-1], ..., z[t-p]] -> z[t]. The normal equations from one (n - p, p + 1) array
    # M = [z[t], z[t-1], ..., z[t-p]] (a long series' lag matrix was built twice: 2 x 300 MB per fit)
    M = np.ascontiguousarray(np.lib.stride_tricks.sliding_window_view(z, p + 1)[:, ::-1])  # (n - p, p + 1)
    G, sums = M.T @ M, M.sum(axis=0)  # (p + 1, p + 1), (p + 1,)
    xtx = np.block([[np.array([[n - p]], float), sums[None, 1:]], [sums[1:, None], G[1:, 1:]]])  # X = [1, lags]
    xty = np.concatenate([[sums[0]], G[1:, 0]])  # X^T z[p:]
    ridge = 1e-6 * np.trace(xtx) / (p + 1)
    coef = np.linalg.solve(xtx + ridge * np.eye(p + 1), xty)  # (p + 1,)
    if _spectral_radius(coef[1:]) ** h > AR_MAX_GROWTH:
        return _ar_fit(y, h, p // 2)
    return mu, sd, coef


#: One step ahead over a test part, linear_ar refits before every target up to this many targets, and
#: every k-th target beyond (k = ceil(targets / ONE_STEP_FITS)): 288 lags of 5-minute data took 1 s a fit.
ONE_STEP_FITS = 60


def _linear_ar_one_step(v: np.ndarray, t: np.ndarray, season: int | None, filled=None, method: str | None = None,
                        scored=None) -> np.ndarray:
    """linear_ar's forecasts of v[t], each from the values before it, with the coefficients of a fit on
    everything before the block of targets it opens (see ONE_STEP_FITS: every k-th scored target opens one);
    `filled`, `method`, `scored` as `one_step` takes them."""
    p0 = 2 * season if season is not None and season > 1 else 12
    at = np.arange(len(t)) if scored is None else np.flatnonzero(scored)  # (the targets the fits are spread over)
    k = max(1, -(-len(at) // ONE_STEP_FITS))
    opens = at[::k]  # each block's first target
    if len(t) and (not len(opens) or opens[0] > 0):  # targets before the first scored one: a block of their own
        opens = np.concatenate([[0], opens])
    out = np.empty(len(t))
    known = gaps.history(v, filled, method) if filled is not None and filled.any() else lambda e: v  # e -> as known at e
    for b, e in zip(opens, [*opens[1:], len(t)]):
        fit = _ar_fit(known(t[b] - 1)[: t[b]], 1, p0)
        block = _before(v, t[b:e], np.arange(1, 2 if fit is None else len(fit[2])), filled, method)  # (e - b, p) v[i-1..i-p]
        for j in range(b, e):
            if fit is None:
                out[j] = block[j - b, 0]
                continue
            mu, sd, coef = fit
            lags = (block[j - b] - mu) / sd  # standardised as in the fit
            out[j] = mu + sd * (coef[0] + float(np.dot(coef[1:], lags)))
    return out


def _before(v: np.ndarray, t: np.ndarray, lags, filled=None, method: str | None = None) -> np.ndarray:
    """(N, L) v[t - lag] for each target t (N,) and lag (L,); with `filled` values, as known before the target
    (`gaps.known_at`: one look at the positions wanted, not a copy of the series per target, which was quadratic)."""
    idx = t[:, None] - np.asarray(lags)  # (N, L)
    return v[idx] if filled is None or not filled.any() else gaps.known_at(v, filled, method, t - 1, idx)


def _spectral_radius(phi: np.ndarray) -> float:
    """Largest |root| of the AR recursion z_t = phi_1 z_{t-1} + ... + phi_p z_{t-p} (its companion matrix)."""
    companion = np.eye(len(phi), k=-1)
    companion[0] = phi
    return float(np.abs(np.linalg.eigvals(companion)).max())


def forecast(name: str, y, h: int, *, season: int | None = None, window: int | None = None) -> np.ndarray:
    """The next `h` values after history `y` (1-D, only values before the forecast origin): (h,).

    `name` is one of ``BASELINES`` (see the module docstring). `season` is the season length m
    (snaive; linear_ar's default order), `window` the averaging window (window_average) or the AR
    order p (linear_ar).

    linear_ar: p = window, or 2 m when m > 1, else 12. It is capped at (n - 5) // 2 so that the
    n - p training rows outnumber the p + 1 coefficients by at least ``AR_SPARE_ROWS`` = 4; when
    that leaves p < 1 (n < 7) or the series is constant, it falls back to naive. The fit is least
    squares on the series standardised by its own mean and std, with a ridge of 1e-6 times the mean
    diagonal of X'X for stability (the intercept included); forecasts feed back in step by step. A fit
    whose recursion runs away within the horizon (spectral radius r of the fitted recursion with
    r ** h > ``AR_MAX_GROWTH`` = 2) is refitted with p // 2 lags, and so on down to the naive forecast.

    Raises:
        ConfigError: an unknown name, or h / season / window that is not an integer >= 1.
        DataError: y is not a non-empty 1-D array of finite numbers.
    """
    if name not in BASELINES:
        raise ConfigError(f"`name` must be one of {', '.join(map(repr, BASELINES))}. Received: name={name!r}")
    h = _check_int("h", h, allow_none=False)
    season = _check_int("season", season)
    window = _check_int("window", window)
    v = _history(y)
    return _forecast(name, v, h, season, window)


def _forecast(name: str, v: np.ndarray, h: int, season: int | None, window: int | None) -> np.ndarray:
    n = len(v)
    if name == "snaive" and season is not None and 1 < season <= n:
        return np.resize(v[-season:], h)  # v[n-m+(k mod m)]
    if name == "drift" and n > 1:
        return v[-1] + np.arange(1, h + 1) * (v[-1] - v[0]) / (n - 1)
    if name == "window_average":
        w = n if window is None or window > n else window
        return np.full(h, float(np.mean(v[-w:])))
    if name == "linear_ar":
        p = window if window is not None else (2 * season if season is not None and season > 1 else 12)
        return _linear_ar(v, h, p)
    return np.full(h, v[-1])  # naive, and the short-series fallbacks of snaive / drift


def beside(name: str, model_window: int) -> int | None:
    """The `window` a baseline gets beside a neural model: window_average averages the model's input
    window; linear_ar keeps its own order (2 m lags), so that a short neural window cannot weaken it."""
    return model_window if name == "window_average" else None


def forecast_many(name: str, ys: Sequence, h: int, *, season: int | None = None, window: int | None = None) -> np.ndarray:
    """:func:`forecast` of every history in `ys` (a list of 1-D arrays, any lengths): (S, h)."""
    if name not in BASELINES:
        raise ConfigError(f"`name` must be one of {', '.join(map(repr, BASELINES))}. Received: name={name!r}")
    h = _check_int("h", h, allow_none=False)
    season = _check_int("season", season)
    window = _check_int("window", window)
    histories = [_history(y, f"series {i}") for i, y in enumerate(_series_list(ys))]
    out = np.empty((len(histories), h))
    for i, v in enumerate(histories):
        out[i] = _forecast(name, v, h, season, window)
    return out


def _series_list(ys) -> list:
    if isinstance(ys, np.ndarray) and ys.ndim == 2:
        return list(ys)
    if isinstance(ys, (str, bytes)) or not isinstance(ys, (Sequence, np.ndarray)):
        raise DataError(f"`ys` must be a list of 1-D arrays, one history per series. Received: {type(ys).__name__}")
    if isinstance(ys, np.ndarray) and ys.ndim != 1:
        raise DataError(f"`ys` must be a list of 1-D arrays or a 2-D array. Received: shape {ys.shape}")
    return list(ys)


def statsforecast_forecast(names: Sequence[str], ys: Sequence, h: int, season: int | None = None) -> dict[str, np.ndarray]:
    """Statistical references from statsforecast: {name: (S, h) forecasts}, rows in the order of `ys`.

    `names` from ``STATS_MODELS``: autoets (AutoETS), autotheta (AutoTheta), autoarima (AutoARIMA),
    each with ``season_length`` = `season` (1 when None). All series are fitted in one
    ``StatsForecast(..., freq=1, n_jobs=1)`` call on integer time steps. Where a model fails on a
    series, statsforecast's ``fallback_model`` gives the seasonal naive forecast (naive when the
    season is 1) for it instead.

    Raises:
        ConfigError: an unknown name, a bad h / season, or statsforecast is not installed.
        DataError: a history that is not a non-empty 1-D array of finite numbers.
    """
    if isinstance(names, str):
        names = [names]
    names = list(names)
    unknown = [n for n in names if n not in STATS_MODELS]
    if not names or unknown:
        raise ConfigError(
            f"`names` must list some of {', '.join(map(repr, STATS_MODELS))}. Received: names={names!r}"
        )
    h = _check_int("h", h, allow_none=False)
    m = _check_int("season", season) or 1
    histories = [_history(y, f"series {i}") for i, y in enumerate(_series_list(ys))]
    import pandas as pd

    try:
        from statsforecast import StatsForecast
        from statsforecast.models import (
            AutoARIMA,
            AutoETS,
            AutoTheta,
            Naive,
            SeasonalNaive,
        )
    except ImportError:
        raise ConfigError(
            "the statistical references need the optional package statsforecast: pip install 'seqcast[stats]'"
        ) from None
    if not histories:
        return {n: np.empty((0, h)) for n in dict.fromkeys(names)}
    makers = {"autoets": AutoETS, "autotheta": AutoTheta, "autoarima": AutoARIMA}
    models = [makers[n](season_length=m, alias=n) for n in dict.fromkeys(names)]
    fallback = SeasonalNaive(season_length=m) if m > 1 else Naive()
    frame = pd.DataFrame({
        "unique_id": np.repeat(np.arange(len(histories)), [len(v) for v in histories]),
        "ds": np.concatenate([np.arange(len(v)) for v in histories]),
        "y": np.concatenate(histories),
    })
    sf = StatsForecast(models=models, freq=1, n_jobs=1, fallback_model=fallback)
    out = sf.forecast(df=frame, h=h)
    out = out.sort_values(["unique_id", "ds"], kind="stable")
    return {n: out[n].to_numpy(dtype=np.float64).reshape(len(histories), h) for n in dict.fromkeys(names)}
