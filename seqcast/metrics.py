"""Forecast accuracy metrics: plain numpy, `y_true` first.

    mse   mean((y - p)^2)          rmse  sqrt(mse)            mae  mean(|y - p|)
    mape  100 * mean(|y - p| / |y|)                          (percent; y == 0 is skipped)
    smape 100 * mean(2 |y - p| / (|y| + |p|))                (percent, 0..200; a term with y == p == 0 is 0)
    mase  mae / mean(|y_t - y_{t-m}|) over the training series (in-sample seasonal naive)
    rmsse sqrt(mse / mean((y_t - y_{t-m})^2) over the training series)       (M5's scaled RMSE, with MASE's seasonal
          naive scale: M5 scales by the one-step naive, m = 1, which this equals without a season)
    smape is M4's variant, |y| + |p| below; M3's and Hyndman & Koehler's (2006) y + p is the same for values and forecasts >= 0
    last_time_step_mse  mse of the last time step of seq-to-seq outputs (B, T, k) -> [:, -1]

Many series, many steps: :func:`scores` scores R forecasts of h steps each (one row per series per
forecast origin) overall, per step and per series; :func:`insample_scales` gives each row's scales.
:func:`ratio_interval` says how far the ratio of two models' mean errors on the same rows is from noise.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable

import numpy as np

from .errors import DataError
from .windows import unmasked

#: The metrics :func:`scores` reports, in order.
SCORE_METRICS = ("mae", "rmse", "mape", "smape", "mase", "rmsse")


def _numbers(name: str, a) -> np.ndarray:
    try:
        return np.asarray(unmasked(a), dtype=np.float64)
    except (TypeError, ValueError):  # text, a set, a dict, ragged rows
        raise DataError(f"`{name}` must be an array of numbers only. Received: {name}={a!r:.80}") from None


def _pair(y_true, y_pred):
    y, p = _numbers("y_true", y_true), _numbers("y_pred", y_pred)
    if y.shape != p.shape:
        raise DataError(f"y_true and y_pred must have the same shape. Received: {y.shape} and {p.shape}")
    return y, p


def mse(y_true, y_pred) -> float:
    """Mean squared error of two arrays of the same shape (any shape, all values pooled); inf, without numpy's overflow
    warning, where it exceeds the largest float (errors beyond ~1e154: their squares do): `rmse` stays finite there.

    >>> mse([1, 2, 3], [1, 2, 5])
    1.3333333333333333
    """
    y, p = _pair(y_true, y_pred)
    with np.errstate(over="ignore"):
        return float(np.mean((y - p) ** 2))


def rmse(y_true, y_pred) -> float:
    """Root mean squared error, in the data's units (finite for finite errors, however large: see `root_mean_square`).

    >>> rmse([1, 2, 3], [1, 2, 6])
    1.7320508075688772
    """
    y, p = _pair(y_true, y_pred)
    return float(root_mean_square(y - p))


def root_mean_square(e: np.ndarray, axis: int | None = None, over=1.0, mean=np.mean) -> np.ndarray:
    """sqrt(mean(e ** 2, axis) / over), as written (the same bits) where e ** 2 does not overflow; where it does (errors
    beyond ~1e154, a forecast that diverged), from e divided by a power of two near its largest |e|, which changes no
    digit: errors of 1e200 give 1e200, not inf, and no numpy warning. inf where the result itself is beyond the largest
    float or an error is infinite; `mean` may be a NaN-skipping one (NaN errors: targets not scored)."""
    with np.errstate(over="ignore"):
        out = np.sqrt(mean(e**2, axis=axis) / over)
    if not np.isinf(out).any():  # nothing overflowed (nearly always): no second pass over e (backtest's per-series blocks)
        return out
    top = np.fmax.reduce(np.abs(e), axis=axis, keepdims=True, initial=-np.inf)  # (.., 1, ..) the largest |e|, NaN skipped
    redo = np.isinf(out) & np.isfinite(np.squeeze(top, axis=axis))
    if not np.any(redo):
        return out
    k = np.frexp(np.where(np.isfinite(top) & (top > 0), top, 1.0))[1]  # |e| / 2**k < 1
    with np.errstate(over="ignore"):
        again = np.ldexp(np.sqrt(mean(np.ldexp(e, -k) ** 2, axis=axis) / over), np.squeeze(k, axis=axis))
    return np.where(redo, again, out)


def scaled_squares(e) -> tuple[np.ndarray, int]:
    """(e ** 2 / 4 ** k, k) for errors e: k = 0 where no square can overflow (every |e| below 2**500, ~3e150: the squares
    as they are), else the exponent that brings the largest |e| below 1 (a forecast that diverged). A ratio of two models'
    sums, sqrt(sum_a / sum_b) * 2 ** (k_a - k_b), is then finite and, dividing by powers of two, the same bits."""
    top = float(np.max(np.abs(e), initial=0.0))
    k = int(np.frexp(top)[1]) if np.isfinite(top) and top > 2.0**500 else 0
    return np.ldexp(e, -k) ** 2, k


def mae(y_true, y_pred) -> float:
    """Mean absolute error, in the data's units.

    >>> mae([1, 2, 3], [2, 2, 5])
    1.0
    """
    y, p = _pair(y_true, y_pred)
    return float(np.mean(np.abs(y - p)))


def mape(y_true, y_pred) -> float:
    """Mean absolute percentage error (percent), skipping the points where y_true is 0; nan when every one is.

    >>> mape([100, 200, 0], [110, 180, 5])
    10.0
    """
    y, p = _pair(y_true, y_pred)
    ok = y != 0
    if not ok.any():
        return float("nan")
    return float(100.0 * np.mean(np.abs(y[ok] - p[ok]) / np.abs(y[ok])))


def smape(y_true, y_pred) -> float:
    """Symmetric MAPE (M4's: percent, 0..200), 2 |y - p| / (|y| + |p|) averaged; a point with y == p == 0 counts 0.

    >>> smape([100, 0], [300, 0])
    50.0
    """
    y, p = _pair(y_true, y_pred)
    den = np.abs(y) + np.abs(p)
    ratio = np.divide(2.0 * np.abs(y - p), den, out=np.zeros_like(den), where=den != 0)  # NaN stays NaN, as in mae
    return float(100.0 * np.mean(ratio))


def mase(y_true, y_pred, y_train, season: int = 1) -> float:
    """MAE scaled by the in-sample MAE of the seasonal naive forecast on `y_train` (1: as good as it was in-sample);
    nan when that scale is 0 or inf (steps beyond the largest float), as :func:`scores` leaves such rows out.
    DataError when `y_train` is no longer than the season.

    >>> mase([10, 12], [11, 11], y_train=[1, 3, 5, 7], season=1)    # in-sample naive MAE 2
    0.5
    """
    scale, _ = _train_scales("MASE", y_train, season)
    return float(mae(y_true, y_pred) / scale) if _usable(scale) else float("nan")


def rmsse(y_true, y_pred, y_train, season: int = 1) -> float:
    """RMSE scaled by the in-sample RMSE of the seasonal naive forecast on `y_train` (M5's RMSSE with MASE's scale).

    sqrt(mean((y - p)^2) / mean((y_t - y_{t-m})^2 over y_train)); nan when that scale is 0 or inf (steps beyond ~1e154,
    whose squares overflow), as :func:`scores` leaves such rows out. M5 scales by the
    one-step naive forecast (season 1, from the first nonzero value): pass season=1 for its figure (on a series without leading zeros).
    """
    _, scale = _train_scales("RMSSE", y_train, season)
    y, p = _pair(y_true, y_pred)
    return float(root_mean_square(y - p, over=scale)) if _usable(scale) else float("nan")


def _train_scales(what: str, y_train, season: int) -> tuple[float, float]:
    """`insample_scales` of one training series for mase / rmsse, which refuse one no longer than the season."""
    from .windows import check_positive

    season = check_positive("season", season)
    y_train = _numbers("y_train", y_train).ravel()
    if len(y_train) <= season:
        raise DataError(f"{what} needs a training series longer than the season. Received: len={len(y_train)}, season={season}")
    return insample_scales(y_train, season)


def _usable(scale):
    """Where a MASE / RMSSE scale can divide: finite and > 0 (the one rule of mase, rmsse and :func:`scores`)."""
    return np.isfinite(scale) & (scale > 0)


def insample_scales(y_train, season: int = 1) -> tuple[float, float]:
    """(MAE, MSE) of the in-sample seasonal naive forecast y_{t-m} of y_t on one training series.

    The denominators of MASE and RMSSE. A series no longer than the season (len <= m) falls back to
    season 1 (the naive forecast); one with fewer than 2 values has no scale and gives (nan, nan).
    A constant series gives (0.0, 0.0): :func:`scores` leaves such rows out of mase / rmsse, as it does an MSE
    of inf (steps beyond ~1e154, whose squares overflow: no numpy warning).
    """
    from .windows import check_positive

    season = check_positive("season", season)
    y = _numbers("y_train", y_train).ravel()
    if len(y) <= season:
        season = 1
    if len(y) < 2:
        return float("nan"), float("nan")
    with np.errstate(over="ignore"):  # steps (or their squares) beyond the largest float: inf
        diff = y[season:] - y[:-season]
        return float(np.mean(np.abs(diff))), float(np.mean(diff**2))


def season_note(lengths, season: int, what: str = "MASE") -> str:
    """The note for scores whose scale fell back to season 1 in :func:`insample_scales`: training parts
    of `lengths` values no longer than `season` have no seasonal naive error to scale by ("" when none)."""
    lengths = [int(n) for n in lengths]
    short = [n for n in lengths if n <= season] if season > 1 else []
    if not short:
        return ""
    which = (f"the training part ({short[0]} values) is" if len(lengths) == 1 else
             f"{len(short)} of {len(lengths)} training parts ({min(short)}{'' if min(short) == max(short) else f'-{max(short)}'} values) are")
    return (f"note: {what} is scaled by the naive forecast's in-sample error (season 1) where {which} not longer "
            f"than the season {season}, which leaves no seasonal naive error to scale by")


def _rows(name: str, a, shape: tuple[int, ...] | None = None) -> np.ndarray:
    x = _numbers(name, a)
    if shape is None and x.ndim != 2:
        raise DataError(f"`{name}` must be 2-D (rows, steps), one forecast per row. Received: shape {x.shape}; use x[None, :] for one forecast")
    if shape is not None and x.shape != shape:
        raise DataError(f"`{name}` must have shape {shape}, one value per row of truth. Received: shape {x.shape}")
    return x


def _nanmean(x: np.ndarray, axis: int | None = None):
    """np.nanmean without its warning: NaN where a mean has no value."""
    nan = np.isnan(x)
    count = np.sum(~nan, axis=axis)
    total = np.sum(np.where(nan, 0.0, x), axis=axis)  # np.nansum's sum (NaN as 0), without its second isnan and checks
    return np.divide(total, count, out=np.full(np.shape(total), np.nan), where=count > 0)


def _block(y: np.ndarray, p: np.ndarray, s1: np.ndarray, s2: np.ndarray, steps: bool = True,
           mask: np.ndarray | None = None) -> tuple[dict, dict | None]:
    """Overall and per-step metrics of rows y, p (r, h) with scales s1, s2 (r,) (`steps=False`: overall only);
    `mask` (r, h): the targets scored, the others NaN in y and left out of every mean (None: all scored)."""
    mean = np.mean if mask is None else _nanmean
    e = y - p  # (r, h)
    ae = np.abs(e)
    nz = y != 0 if mask is None else (y != 0) & mask
    den = np.abs(y) + np.abs(p)
    ratio = np.divide(2.0 * ae, den, out=np.zeros_like(den), where=den > 0)  # smape terms
    if mask is not None:
        ratio = np.where(mask, ratio, np.nan)
    ape = np.divide(ae, np.abs(y), out=np.zeros_like(ae), where=nz)  # mape terms where y != 0

    def mape_of(axis):
        count = nz.sum(axis=axis)
        total = 100.0 * ape.sum(axis=axis)
        return np.divide(total, count, out=np.full(np.shape(total), np.nan), where=count > 0)

    ok1 = _usable(s1)  # rows with a usable MASE scale
    ok2 = _usable(s2)
    nan_h = np.full(y.shape[1], np.nan)
    if ok1.any():
        scaled1 = ae[ok1] / s1[ok1, None]  # (r1, h)
        # the mean of the rows' MASE: with a mask, a row's over its scored targets (pooled, one of 4 weighed a quarter)
        mase_all = float(np.mean(scaled1) if mask is None else mean(mean(scaled1, axis=1)))
        mase_step = mean(scaled1, axis=0) if steps else None
    else:
        mase_all, mase_step = float("nan"), nan_h
    if ok2.any():
        rmsse_all = float(mean(root_mean_square(e[ok2], axis=1, over=s2[ok2], mean=mean)))
        rmsse_step = mean(ae[ok2] / np.sqrt(s2[ok2])[:, None], axis=0) if steps else None
    else:
        rmsse_all, rmsse_step = float("nan"), nan_h
    overall = {
        "mae": float(mean(ae)),
        "rmse": float(root_mean_square(e, mean=mean)),
        "mape": float(mape_of(None)),
        "smape": float(100.0 * mean(ratio)),
        "mase": mase_all,
        "rmsse": rmsse_all,
    }
    if not steps:
        return overall, None
    per_step = {
        "mae": mean(ae, axis=0),
        "rmse": root_mean_square(e, axis=0, mean=mean),
        "mape": mape_of(0),
        "smape": 100.0 * mean(ratio, axis=0),
        "mase": mase_step,
        "rmsse": rmsse_step,
    }
    return overall, {k: [float(v) for v in per_step[k]] for k in SCORE_METRICS}


def scores(truth, pred, mae_scale, mse_scale, ids=None, scored=None) -> dict:
    """Score R forecasts of h steps each: overall, per step and (with `ids`) per series.

    Args:
        truth, pred: (R, h) arrays, one forecast per row (e.g. one per series per backtest origin).
        mae_scale, mse_scale: (R,) each row's :func:`insample_scales`, from that row's own training data.
        ids: optional (R,) series ids; several rows may share one (several origins of one series).
        scored: optional (R, h) bool, the targets to score (None: all); the others (values filled, not observed: their
            truth may be NaN) are left out of every figure: a row's mase / rmsse is over its scored targets (a row with
            none is left out), each step's over the rows that score it (their mean is then not the overall mase).

    Returns plain python floats and lists::

        {"overall": {metric: float}, "per_step": {metric: [h floats]},
         "per_series": {id: {metric: float}}}          # per_series only when ids are given

    for the metrics ``SCORE_METRICS`` = mae, rmse, mape, smape, mase, rmsse:

    * mae, rmse, mape, smape pool all R * h points (mape skips y == 0 and is in percent,
      smape is in percent 0..200, a point with y == p == 0 counting 0); per step they pool the R points of that step.
    * mase = mean over rows of mean_j |e_rj| / mae_scale_r (with one row per series, the mean of per-series
      MASE, as in the Tourism competition; with several origins, the mean over (series, origin) rows, so a
      series with rows left out below weighs less than the others); per step: mean over rows of |e_rj| / mae_scale_r, so the mean of the
      per-step values equals the overall value.
    * rmsse = mean over rows of sqrt(mean_j e_rj^2 / mse_scale_r) (M5's form; M5's scale is season 1's); per step: mean over rows of
      |e_rj| / sqrt(mse_scale_r).

    Rows whose scale is 0 or not finite (a constant or too short training series) are left out of
    mase / rmsse (only those); when every row is, the value is nan. A per_series entry scores that
    series' rows only.

    Raises:
        DataError: shapes that do not match, or values that are not finite.
    """
    y = _rows("truth", truth)
    r, h = y.shape
    if r == 0 or h == 0:
        raise DataError(f"`truth` must hold at least one row of at least one step. Received: shape {y.shape}")
    p = _rows("pred", pred, (r, h))
    s1 = _rows("mae_scale", mae_scale, (r,))
    s2 = _rows("mse_scale", mse_scale, (r,))
    mask = None if scored is None else _rows("scored", scored, (r, h)).astype(bool)
    if mask is not None and mask.all():  # every target scored: the figures as without a mask, to the last bit
        mask = None
    if mask is not None:
        y = np.where(mask, y, np.nan)
    for name, a in (("truth", y), ("pred", p)):
        bad = np.argwhere(~np.isfinite(a) & (mask if mask is not None and name == "truth" else True))
        if len(bad):
            i, j = (int(v) for v in bad[0])
            raise DataError(f"`{name}` holds {len(bad)} non-finite value(s), the first at row {i}, step {j} ({a[i, j]}); score finite forecasts only")
    overall, per_step = _block(y, p, s1, s2, mask=mask)
    out: dict = {"overall": overall, "per_step": per_step}
    if ids is not None:
        if isinstance(ids, (str, bytes)) or not isinstance(ids, Iterable) or (isinstance(ids, np.ndarray) and ids.ndim == 0):
            raise DataError(f"`ids` must be a list or 1-D array of one id per row of truth ({r}). Received: ids={ids!r:.80}")
        keys = list(ids)  # kept as the objects given: ints and text may mix, a tuple is one id
        if len(keys) != r:
            raise DataError(f"`ids` must hold one id per row of truth ({r}). Received: {len(keys)} ids")
        if not all(isinstance(k, Hashable) for k in keys):  # rows of a 2-D array, lists
            raise DataError(f"`ids` must hold one id (text or a number) per row of truth. Received: ids={ids!r:.80}")
        rows: dict = {}
        for i, key in enumerate(keys):  # by first appearance
            rows.setdefault(key.item() if isinstance(key, np.generic) else key, []).append(i)
        out["per_series"] = _per_series(y, p, s1, s2, rows, mask)
    return out


def _per_series(y: np.ndarray, p: np.ndarray, s1: np.ndarray, s2: np.ndarray, rows: dict,
                mask: np.ndarray | None = None) -> dict:
    """{key: overall metrics of its rows}: `_block(...)[0]` of each key's rows (with their `mask` rows), to the last bit.
    Series with the same number of rows, all with both scales, are scored together ((G, r, h) blocks, each reduced as
    `_block` reduces its (r, h): the same sums in the same order); the others (a row without a scale) one by one."""
    out = dict.fromkeys(rows)
    ok = _usable(s1) & _usable(s2)  # (R,)
    by_size: dict = {}
    for key, m in rows.items():
        if ok[m].all():
            by_size.setdefault(len(m), []).append(key)
        else:
            out[key] = _block(y[m], p[m], s1[m], s2[m], steps=False, mask=None if mask is None else mask[m])[0]
    for keys in by_size.values():
        idx = np.array([rows[k] for k in keys])  # (G, r)
        scored = _blocks(y[idx], p[idx], s1[idx], s2[idx], None if mask is None else mask[idx])  # metric -> (G,)
        for g, key in enumerate(keys):
            out[key] = {name: float(v[g]) for name, v in scored.items()}
    return out


def _blocks(y: np.ndarray, p: np.ndarray, s1: np.ndarray, s2: np.ndarray, mask: np.ndarray | None = None) -> dict:
    """`_block`'s overall metrics of G blocks at once: y, p (G, r, h), scales s1, s2 (G, r) all finite and > 0, `mask`
    (G, r, h) as `_block`'s (None: all scored). Each block's r * h values are one contiguous row (G, r * h), summed as
    `_block` sums its own (r, h); its rows' (G, r, h) along the last axis, as `_block` sums its rows."""
    G, r, h = y.shape
    mean = np.mean if mask is None else _nanmean
    e = y - p
    ae = np.abs(e)
    nz = y != 0 if mask is None else (y != 0) & mask
    den = np.abs(y) + np.abs(p)
    ratio = np.divide(2.0 * ae, den, out=np.zeros_like(den), where=den > 0)
    if mask is not None:
        ratio = np.where(mask, ratio, np.nan)
    ape = np.divide(ae, np.abs(y), out=np.zeros_like(ae), where=nz)
    count, total = nz.reshape(G, -1).sum(axis=1), 100.0 * ape.reshape(G, -1).sum(axis=1)
    scaled1 = ae / s1[:, :, None]  # (G, r, h)
    return {
        "mae": mean(ae.reshape(G, -1), axis=1),
        "rmse": root_mean_square(e.reshape(G, -1), axis=1, mean=mean),
        "mape": np.divide(total, count, out=np.full(G, np.nan), where=count > 0),
        "smape": 100.0 * mean(ratio.reshape(G, -1), axis=1),
        "mase": np.mean(scaled1.reshape(G, -1), axis=1) if mask is None else mean(mean(scaled1, axis=2), axis=1),
        "rmsse": mean(root_mean_square(e, axis=2, over=s2, mean=mean), axis=1),
    }


#: The fewest independent units (series, rows, blocks of test points) :func:`ratio_interval` draws an interval from.
MIN_UNITS = 10


def ratio_interval(a, b, groups=None, *, level: float = 95.0, n_boot: int = 2000, seed: int = 0) -> tuple[float, float, int]:
    """Paired bootstrap interval of the ratio sum(a) / sum(b) (= mean(a) / mean(b)) of two models' errors on the same rows.

    Args:
        a, b: (R,) errors of the two models on the same rows (e.g. each row's MASE; squared errors for an MSE ratio).
        groups: optional (R,) labels: rows with one label are drawn together (a series' origins, a block of
            consecutive test points), so errors that move together inside a group are not counted as independent.
            None: every row is its own unit, drawn as independent.
        level: the interval's level in percent; n_boot: bootstrap draws; seed: the same seed, the same interval.

    Returns (lo, hi, n_units): the percentile interval of the ratio over `n_boot` resamples of the units with
    replacement (a and b resampled together, which keeps their pairing), and how many units there are. A ratio
    whose whole interval lies below 1 says `a` is smaller beyond the resampling noise. (nan, nan, n_units) when
    there are fewer than MIN_UNITS units (too few for any claim) or sum(b) is 0.
    """
    a, b = _numbers("a", a).ravel(), _numbers("b", b).ravel()
    if a.shape != b.shape:
        raise DataError(f"`a` and `b` must hold one error per row each. Received: {a.shape} and {b.shape}")
    codes: dict = {}
    inv = np.arange(len(a)) if groups is None else np.array([codes.setdefault(g, len(codes)) for g in groups], dtype=np.int64)
    if len(inv) != len(a):
        raise DataError(f"`groups` must hold one label per row ({len(a)}). Received: {len(inv)} labels")
    A, B = np.bincount(inv, weights=a), np.bincount(inv, weights=b)  # (U,) per-unit sums
    n = len(A)
    if n < MIN_UNITS or not B.sum() > 0:
        return float("nan"), float("nan"), n
    rng = np.random.default_rng(seed)
    ratios = []
    chunk = max(1, min(250, 2**20 // n))  # (chunk, U) draws at a time, at most 2**20 cells (8 MiB): (250, 100_000) took 600 MB
    for start in range(0, n_boot, chunk):
        idx = rng.integers(0, n, (min(chunk, n_boot - start), n))
        num, den = A[idx].sum(axis=1), B[idx].sum(axis=1)
        with np.errstate(divide="ignore", invalid="ignore"):
            ratios.append(np.where(den > 0, num / den, np.where(num > 0, np.inf, 1.0)))  # 0 / 0: both exact, a tie
    tail = (100.0 - level) / 200.0
    lo, hi = np.quantile(np.concatenate(ratios), [tail, 1.0 - tail], method="inverted_cdf")
    return float(lo), float(hi), n


def last_time_step_mse(y_true, y_pred) -> float:
    """MSE of the last time step: y (B, T, k) -> y[:, -1] (B, k). Only for sequence-to-sequence outputs:
    a (B, k) array of k steps ahead is refused (its "last step" would be the k-th step alone)."""
    y, p = _pair(y_true, y_pred)
    if y.ndim != 3:
        raise DataError(f"last_time_step_mse needs seq2seq arrays of shape (B, T, k); use mse for other shapes. "
                        f"Received: shape={y.shape}")
    return mse(y[:, -1], p[:, -1])


def point_metrics(y_true, y_pred) -> dict:
    """rmse, mae, mape in the data's own units."""
    return {"rmse": rmse(y_true, y_pred), "mae": mae(y_true, y_pred), "mape": mape(y_true, y_pred)}
