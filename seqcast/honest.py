"""Honest evaluations: the airline test months done leak-free, and competition benchmarks.

`auto_config` is the neural configuration a user gets without tuning ("--model auto"). It is derived
from the data's shape only (season, horizon, sign, size), never from test values:

    window     2 seasons, at least 12 steps (capped by the longest training part, and, with intervals,
               to leave room for their calibration on the full data: `auto_for`)
    log        (log1p) when the series are never negative (every value the caller has: the sign is known
               like the frequency, and a log model could not read a later value <= -1); the log values
               are then used as they are (scaler none: a change in log is a relative change, comparable
               across series), except for a series in small units (its training values have mean |y| < 1:
               log1p is nearly linear there and its values would stay tiny beside the network's offsets),
               which gets a standard scaler on its training part, as series with negative values do
               (scaler "auto" decides per series). Deciding for the whole panel failed both ways: one
               small series switching every series to standard scalers made tourism yearly's MASE
               2.856 -> 4.091, and unscaled log values made a 1e-3 series' forecasts 150x worse than
               seasonal naive in a panel of larger ones.
    norm       "season": the network predicts the residual over the seasonal naive forecast, from the
               window minus its last value (when season >= 2), else "last" (the change from the last value)
    skip       a linear path from the window to the outputs beside the GRU (LSTNet's AR "highway")
    strategy   direct (a Dense(h) head) for h > 1; a one-step model for h = 1
    training   GRU(32), Adam, MAE loss (what MASE scores), about 3000 optimiser steps (batch 32 below
               2000 windows, else 256; 5..200 epochs), fewer for windows longer than 24 steps where those
               would pass more than 3000 x 256 windows of 24 steps (AUTO_WORK) through the network, no
               early stopping, a 5-member seed ensemble (median)
"""

from __future__ import annotations

import dataclasses

import numpy as np

from .config import Config, check_config, unknown_option
from .errors import ConfigError, DataError, said_once

AUTO_STEPS = 3000  # optimiser steps per fit, whatever the data size (epochs derived from it)
# ...and at most this many window time steps per member, AUTO_STEPS batches of 256 windows of 24 steps (two
# monthly seasons: every window up to 24 trains as before): a step costs what its window's length costs, and
# half-hourly data's window of 672 (season 336) trained 200 epochs in 23.5 min (taylor: MASE 0.941; 10 epochs:
# 68 s, MASE 0.728; seasonal naive 0.631)
AUTO_WORK = AUTO_STEPS * 256 * 24


def auto_config(ys, *, h: int, season: int | None, base: Config | None = None, ensemble: int = 5,
                overrides: dict | None = None, nonneg: bool | None = None, max_window: int | None = None) -> Config:
    """The default neural configuration for these training series (see the module docstring).

    `nonneg`: whether the series are never negative, from all their values (default: from `ys`).
    `max_window`: a cap on the window beyond the training series' own (e.g. what calibrating intervals
    over a long horizon leaves of the full series).

    `overrides` (options the user set explicitly) win over the automatic choices; choices that they
    make impossible are adjusted (norm "season" with a window shorter than the season becomes "last", with
    strategy seq2seq "mean": its causal "last" would give the network an input of zeros;
    no skip path or window norm where the model cannot have them)."""
    from .windows import check_positive

    h = check_positive("h", h)
    season = None if season is None else check_positive("season", season)
    if max_window is not None and (isinstance(max_window, bool) or not isinstance(max_window, (int, np.integer))):
        # any integer: a cap below 2 (a short series with intervals) leaves the smallest window, 2
        raise ConfigError(f"`max_window` must be an integer or None. Received: max_window={max_window!r}")
    check_config(base, "base")
    if overrides is not None and not isinstance(overrides, dict):
        raise ConfigError(f"`overrides` must be a dict of options or None. Received: overrides={overrides!r}")
    ys = [np.asarray(y, dtype=np.float64).ravel() for y in ys]
    if not ys or not any(len(y) for y in ys):
        raise DataError("`auto_config` needs at least one training series with values. Received: none")
    unknown_option(overrides or {}, " in overrides")
    m = int(season or 1)
    longest = max(len(y) for y in ys)
    window = max(2, min(max(12, 2 * m), longest - h - 1, max_window if max_window is not None else longest))
    positive = all(np.all(y >= 0) for y in ys) if nonneg is None else bool(nonneg)  # log1p: zeros are fine
    n_windows = sum(max(0, len(y) - window - h + 1) for y in ys)
    batch = 32 if n_windows < 2000 else 256
    epochs = int(np.clip(round(AUTO_STEPS * batch / max(n_windows, 1)), 5, 200))
    epochs = min(epochs, max(5, round(AUTO_WORK / max(n_windows * window, 1))))  # long windows: fewer epochs
    cfg = (base or Config()).replace(
        model="gru", units=(32,), window=int(window), log=positive, scaler="auto" if positive else "standard", norm="season",
        skip=True, strategy="direct" if h > 1 else "recursive", horizon=int(h), epochs=epochs, batch_size=batch, patience=0,
        val_size=0.0, ensemble=ensemble, optimizer="adam", loss="mae",
        season=m if m > 1 else None)  # the season its norm was chosen for: arrays without dates imply none
    cfg = cfg.replace(**(overrides or {}))
    if cfg.patience and not cfg.val_size and "val_size" not in (overrides or {}):  # early stopping asked for: it needs
        cfg = cfg.replace(val_size=Config().val_size)  # a validation tail, which auto leaves out otherwise
    if cfg.norm == "season" and (m < 2 or cfg.window < m or cfg.strategy == "seq2seq"):
        cfg = cfg.replace(norm="mean" if cfg.strategy == "seq2seq" else "last")  # seq2seq's causal last: an input of zeros
    if cfg.skip and (cfg.strategy == "seq2seq" or cfg.model == "linear"):
        cfg = dataclasses.replace(cfg, skip=False)
    return cfg


def auto_for(series_list, base: Config, explicit: dict, nonneg: bool | None = None, calibrate_on: int | None = None,
             levels=(), fit_horizon: int | None = None) -> Config:
    """`auto_config` for loaded series (pd.Series, training parts): the season from `base.season` or their
    frequency, h from `explicit["horizon"]` (else 1), and the `explicit` options winning.

    `calibrate_on`: the length of the longest series that intervals at `levels` will be calibrated on (the
    full data), over the steps `forecast.interval_horizon` gives for `fit_horizon` (fit's horizon argument):
    the window then leaves room for those steps and for enough origins one step apart that the lowest
    level gets a finite width (a 36-month series with levels 80, 95 was refused: window 24 and 12 steps
    need 37 values)."""
    from .forecast import interval_horizon, season_of

    m = season_of(base, series_list[0])
    h = int(explicit.get("horizon") or 1)
    ys = [s.to_numpy(float) for s in series_list]
    cfg = auto_config(ys, h=h, season=m, base=base, overrides=explicit, nonneg=nonneg)
    if calibrate_on is None or not levels:
        return cfg
    from .intervals import min_residuals

    steps = interval_horizon(cfg, fit_horizon)  # what fit(levels=...) will calibrate for
    H = 1 if cfg.strategy == "recursive" else cfg.horizon  # targets per training window
    origins = -(-min_residuals(min(levels)) // len(series_list))  # residuals = origins x series
    cap = calibrate_on - steps - (origins - 1) - H - 1  # the first origin keeps 2 training windows
    if cfg.window <= cap:
        return cfg
    return auto_config(ys, h=h, season=m, base=base, overrides=explicit, nonneg=nonneg, max_window=cap)


# ---- the airline tutorial's test months, honestly ----------------------------------------------------------

AIRLINE_CUT = 117  # the tutorial's 105 training windows of 12 end their targets at month 117 (1958-09)


@said_once  # a warning of its fits once, not for every seed
def airline_honest(*, seeds: int = 5, config: Config | None = None, progress: bool = False) -> dict:
    """One step ahead on the tutorial's 27 test months, everything fitted on the 117 months before them."""
    import time

    from . import datasets, metrics
    from .models import baselines
    from .panel import fit_panel, forecast_panel

    if isinstance(seeds, bool) or not isinstance(seeds, int) or seeds < 1:
        raise ConfigError(f"`seeds` must be an integer >= 1. Received: seeds={seeds!r}")
    series = datasets.airline()
    v = series.to_numpy(np.float64)
    cut, m = AIRLINE_CUT, 12
    T = np.arange(cut, len(v))  # the 27 test targets
    cfg = config or auto_config([v[:cut]], h=1, season=m)
    rmse, mape, fit_s, preds, history = [], [], [], [], None
    for seed in range(seeds):
        t0 = time.perf_counter()
        fitted = fit_panel([v[:cut]], cfg.replace(seed=seed), horizon=1, season=m, progress=progress)
        p = forecast_panel(fitted, [v[:t] for t in T], 1, scalers=fitted.scalers * len(T))[:, 0]
        fit_s.append(time.perf_counter() - t0)
        preds.append(p)
        history = fitted.history if seed == 0 else history
        rmse.append(metrics.rmse(v[T], p))
        mape.append(metrics.mape(v[T], p))
    base = {}
    for name in baselines.BASELINES:  # each re-fitted on everything before its target (it can only help them)
        b = np.array([baselines.forecast(name, v[:t], 1, season=m, window=baselines.beside(name, cfg.window))[0] for t in T])
        base[name] = {"rmse": metrics.rmse(v[T], b), "mape": metrics.mape(v[T], b)}
    return {
        "test": {"first": str(series.index[T[0]].date()), "last": str(series.index[T[-1]].date()), "n": len(T)},
        "n_train_values": cut,
        "rmse_per_seed": rmse,
        "rmse_mean": float(np.mean(rmse)),
        "rmse_sd": float(np.std(rmse)),
        "mape_per_seed": mape,
        "mape_mean": float(np.mean(mape)),
        "fit_s_mean": float(np.mean(fit_s)),
        "config": cfg.to_dict(),
        "baselines": base,
        "history": history,  # train.History of seed 0's fit (not JSON-able)
        "predictions": {"dates": [str(d.date()) for d in series.index[T]], "truth": v[T].tolist(),
                        "mean_over_seeds": np.mean(preds, axis=0).tolist()},
    }


# ---- competition benchmarks -------------------------------------------------------------------------------


@said_once  # its evaluation and calibration warn once
def benchmark(name: str, models, *, config: Config | None = None, levels=None, progress: bool = False):
    """Fit on each series' official training part, forecast its horizon, score MASE and sMAPE.
    Neural models without an explicit `config` use `auto_config`.

    With `levels` (e.g. (80, 95)), conformal intervals: every model is also fitted on the training
    parts minus their last h values and forecasts those h (calibration, no test value seen); the
    residuals, divided by each series' in-sample seasonal naive MAE, give per-step widths; the test coverage is measured.
    Returns (backtest.Result, Competition, Config, coverage {model: {level: %}})."""
    from . import datasets, intervals
    from .backtest import check_models, evaluate

    comp = datasets.competition(name)
    ids = list(comp.train)
    trains = [comp.train[k] for k in ids]
    tests = [comp.test[k] for k in ids]
    h, m = comp.horizon, comp.season
    cfg = config or auto_config(trains, h=h, season=m)
    res = evaluate(trains, tests, ids, models, h=h, season=m, config=cfg, progress=progress)
    cover = {}
    if levels:
        cal = evaluate([t[:-h] for t in trains], [t[-h:] for t in trains], ids, check_models(models), h=h, season=m, config=cfg,
                       progress=progress)
        ok = res.mae_scale > 0  # a constant training part has no scale, so no band (as no MASE): left out, as backtest does
        for model in res.forecasts:
            widths = res.widths[model] = intervals.conformal_widths(cal.scaled_residuals(model), levels)
            b = intervals.bands(res.forecasts[model][ok], widths, scale=res.mae_scale[ok], floor=res.floor[ok])
            cover[model] = {lv: intervals.coverage(res.truth[ok], lo, hi) if np.isfinite(widths[lv]).all() else float("nan")
                            for lv, (lo, hi) in b.items()}  # infinite widths (too few residuals) measure nothing
    return res, comp, cfg, cover
