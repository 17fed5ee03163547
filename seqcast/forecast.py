"""Forecaster: fit / predict / forecast for one series or many, intervals, and a holdout evaluation.

    f = Forecaster(model="lstm", units=(64,), window=12, epochs=300, seed=0).fit(series)
    f.forecast(24)            # DataFrame: date, forecast — the next 24 periods after the data
    g = Forecaster(strategy="direct", horizon=12).fit(long_df, levels=(80, 95))   # many series, intervals
    g.forecast(12)            # long DataFrame: unique_id, ds, forecast, lo_80, hi_80, lo_95, hi_95
    holdout(series, config)   # the tutorial's chronological split, model vs naive / seasonal naive / linear AR

Every fit is a `panel.fit_panel` (one series is a panel of one): one model, one scaler per series.

sklearn's contract: options are keywords of __init__ (the fields of `Config`), `fit` returns self and
sets attributes ending in `_`, and anything used before `fit` raises NotFittedError.
"""

from __future__ import annotations

import dataclasses
import functools
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from . import data as data_mod
from . import gaps
from . import long as long_mod
from . import metrics
from .backtest import floored, nonneg_floor
from .config import (MODEL_NAMES, Config, check_config, check_model_combination, check_norm_combination, is_auto, unknown_option,
                     validate)
from .errors import ConfigError, DataError, not_fitted, said_once
from .models import baselines
from .scaling import fit_scaler
from .windows import make_windows, split_train_test, split_validation, unmasked

__all__ = ["Forecaster", "Holdout", "holdout"]  # what help(seqcast.forecast) shows; the other names serve the CLI and io


class Forecaster:
    """A global recurrent forecaster for one series or many (one model, per-series scalers).

    `fit(y)` takes one series (anything `load_series` reads) or many: a long DataFrame
    (unique_id, ds, y), a dict {id: series}, or a long CSV / Parquet path. Multi-step forecasts follow
    `strategy`: recursive (a one-step model fed back), direct or seq2seq (all `horizon` steps at once;
    such a model forecasts at most the horizon it was trained for).

    Options: a `Config`, or its fields as keywords, e.g. ``Forecaster(model="gru", units=(32,), epochs=100)``;
    `help(seqcast.Config)` lists them all. Without options: an LSTM(64), window 12, minmax scaler, Adam,
    up to 300 epochs with early stopping (patience 20) on the last 10% of the windows (`val_size`).
    ``Forecaster(model="auto")`` is the CLI's default instead: seqcast's choice for the training data, made
    at each fit (`config_` shows it), the options you set winning (`get_params` shows the others as None;
    of a Config passed in, and of options set before the model became auto, those that differ from the defaults).
    `progress=True` shows the training: a bar on a terminal or in Jupyter, lines on stderr elsewhere.

    After `fit` (sklearn's trailing underscores):
        config_       the options the model was fitted with (`set_params` changes `config`, for the next fit)
        params_       the weights, a tree of arrays (`seqcast.models.rnn.n_params(f.params_)` counts them)
        history_      per-epoch training loss `history_.loss` and validation loss `history_.val_loss` (Keras'
                      history.history), `best_epoch` when early stopping restored weights, `fit_s`
        n_windows_    (training windows, validation windows)
        scaler_       one series: its fitted scaler (`transform`, `inverse_transform`); `scalers_` per series
        series_ids_, season_, horizon_, levels_ and widths_ (conformal intervals, when fitted with levels)
        fit_horizon_  the horizon fit was asked for (its `horizon`, or the config's when set), else None
        columns_      the column names the data was read from, where known: {"id", "date", "value"} (None: unknown)
        encoding_     the CSV's text encoding the CLI's fit was given (--encoding), else None: forecast(h, y=path) and
                      predict --data read a new file in it unless told another

    Keras' `model.predict(X_test)` on windows is `predict_windows(X)`; `forecast(h)` (alias `predict(h)`)
    forecasts the next h values after the data, with dates; `seqcast.holdout(series, ...)` is fit + evaluate
    on the last `test_size` of the windows beside the baselines.

    Example (5 epochs, to run fast):

        >>> import seqcast
        >>> series = seqcast.datasets.airline()
        >>> f = seqcast.Forecaster(model="gru", units=(8,), epochs=5).fit(series)
        >>> f                                              # the options that differ from the defaults
        Forecaster(model='gru', units=(8,), epochs=5)
        >>> f.forecast(12).shape                           # 12 rows: date, forecast
        (12, 2)
        >>> f.predict_windows(series.to_numpy()[-24:].reshape(2, 12)).shape   # 2 windows (2, 12) -> (2,) next values
        (2,)
    """

    def __init__(self, config: Config | None = None, /, *, progress: bool = False, **options):
        if config is not None and not isinstance(config, Config):
            mine = "; for another Forecaster's options pass its config, Forecaster(f.config)" if isinstance(config, Forecaster) else ""
            raise ConfigError(f"the first argument must be a Config (or nothing); pass options as keywords, e.g. "
                              f"Forecaster(model='gru', epochs=50). Received: {config!r}{mine}")
        base = config if config is not None else Config()
        default = Config()
        # the options set: a keyword (None means "not set": the default, or auto's choice), or a Config's non-defaults
        self._given = {f.name for f in dataclasses.fields(Config) if getattr(base, f.name) != getattr(default, f.name)}
        self.config = base
        self.progress = progress
        self.set_params(**options)

    def get_params(self, deep: bool = True) -> dict:
        """The keyword options, as stored (sklearn's contract, which `sklearn.base.clone` checks by identity;
        `deep` is accepted and changes nothing: no nested estimators). With model="auto" an option not set
        reads None (auto chooses it at fit), so that Forecaster(**get_params()) is the same forecaster."""
        auto = self.config.model == "auto"
        return {**{f.name: getattr(self.config, f.name) if not auto or f.name in self._given or f.name == "model" else None
                   for f in dataclasses.fields(Config)}, "progress": self.progress}

    def set_params(self, **options) -> Forecaster:
        """Change options (validated as in __init__) for the next fit. With model="auto", None unsets an option
        (auto's choice again); otherwise None is a value, valid where an option takes it (learning_rate, season,
        output_activation). A fitted model keeps its parameters and the options it was fitted with (`config_`)
        until then: it forecasts and saves with those."""
        if "progress" in options:
            self.progress = options.pop("progress")
        auto = is_auto(options.get("model", self.config.model))  # 'AUTO' too, as validate reads it
        unset = {k for k, v in options.items() if v is None and auto}
        default = Config()
        self.config = _options(self.config, {k: getattr(default, k) if k in unset else v for k, v in options.items()})
        # what auto must keep: under auto every option set; otherwise only values that differ from the defaults, so
        # that a clone of a plain forecaster (every option passed back) turned auto by set_params lets auto choose
        kept = {k for k in set(options) - unset if auto or getattr(self.config, k) != getattr(default, k)}
        self._given = (self._given - set(options)) | kept
        return self

    def __repr__(self) -> str:  # the options that differ from the defaults, as sklearn shows them (auto: the ones set)
        default, auto = Config(), self.config.model == "auto"
        shown = ", ".join(f"{k}={v!r}" for k, v in self.get_params().items()
                          if k != "progress" and (k in self._given or k == "model" if auto else v != getattr(default, k)))
        return f"Forecaster({shown})"

    # ---- fitting -------------------------------------------------------------------------------

    @said_once  # its calibration fit warns as the fit does
    def fit(self, y: pd.Series | pd.DataFrame | np.ndarray | list | Mapping | str | Path, targets=None, /, *,
            levels: Sequence[float] | str | None = None, horizon: int | None = None, calibration_windows: int = 24,
            scaler_data: pd.Series | np.ndarray | None = None) -> Forecaster:
        """Fit on one series or many; returns self. (`targets`: only for sklearn's fit(X, y) form, which must
        leave it None: the windows and their targets are made from the series.)

        y: one series (anything `load_series` reads), or many: a long DataFrame (unique_id, ds, y),
            a dict {id: series}, or a long CSV / Parquet path (detected by its `unique_id` column).
            Many series give forecasts in long format (unique_id, ds, forecast, ...).
        horizon: steps a direct / seq2seq model is trained for, and steps the intervals are calibrated
            for (default `config.horizon`; a recursive model's intervals: 12 steps when that is 1).
        levels: interval levels in percent, e.g. (80, 95). Conformal half-widths per horizon step are
            calibrated on a rolling-origin backtest of the training data itself: one extra fit on the
            data before the first of `calibration_windows` origins one step apart (fewer when the data
            is short), which then forecasts h steps from every origin. With many series, the origin count
            giving the most residuals is used, on the series long enough for it; a shorter series is left
            out and gets the others' widths at its own scale (`calibration_series_` counts the series
            used). Residuals are divided by each series' in-sample MAE of the
            seasonal naive forecast; `forecast` multiplies the widths by each series' scale from the
            full training data. Widths exist only up to the calibrated horizon: a longer forecast with
            intervals is a ConfigError. Too few residuals for a level (e.g. fewer than 19 for 95%)
            give infinite bounds: use more series or calibration windows.
        scaler_data: one series only: the scaler is fitted on it instead of `y` (the tutorial's leak).

        Raises:
            DataError: the data cannot be used (too short for the window, NaN or gaps without `fill`, ...).
            ConfigError: an option value is wrong (`horizon`, `levels`, `calibration_windows`).
        """
        from . import intervals
        from .panel import fit_panel

        if targets is not None:  # Keras' model.fit(X, Y)
            raise ConfigError("Forecaster.fit takes the series itself, fit(series): it makes the windows and their targets; "
                              "for arrays of windows X and targets Y use seqcast.train.fit (README: the Hands-On ML section)")
        cfg = self.config
        lv = intervals.parse_levels(levels) if levels is not None and not intervals.no_levels(levels) else ()
        h_fit = cfg.horizon if horizon is None else horizon
        if isinstance(h_fit, bool) or not isinstance(h_fit, (int, np.integer)) or h_fit < 1:
            raise ConfigError(f"`horizon` must be an integer >= 1. Received: horizon={horizon!r}")
        h_fit = int(h_fit)
        if lv and (isinstance(calibration_windows, bool) or not isinstance(calibration_windows, (int, np.integer))
                   or calibration_windows < 1):
            raise ConfigError(f"`calibration_windows` must be an integer >= 1. Received: calibration_windows={calibration_windows!r}")
        ids, series, long_format = _as_panel(y, cfg.fill)
        cfg = resolve_auto(cfg, series, self._given, horizon, levels=lv)
        h_fit = cfg.horizon if horizon is None else h_fit
        values = [s.to_numpy(np.float64) for s in series]
        scalers = None
        if not long_format:
            v = values[0]
            fit_on = v if scaler_data is None else _as_series(scaler_data, cfg.fill).to_numpy(np.float64)
            scalers = [fit_scaler(fit_on, cfg.scaler, log=cfg.log, feature_range=cfg.scaler_range)]
            H = 1 if cfg.strategy == "recursive" else h_fit
            X, _ = make_windows(v, cfg.window, H)  # checks the length with the usual message
            split_validation(len(X), cfg.val_size)
        elif scaler_data is not None:
            raise ConfigError("`scaler_data` applies to one series only. Received: scaler_data with many series")
        season = season_of(cfg, series[0])
        h_levels = interval_horizon(cfg, horizon)
        if lv:  # before the fit: data too short for the intervals is refused before any training
            calibration_windows, calibrate_on = _calibration_plan(values, ids, cfg, h_levels, int(calibration_windows))
        fitted = fit_panel(values, cfg, horizon=h_fit, season=season, scalers=scalers, ids=ids, progress=self.progress)
        for stale in ("scaler_", "schema_", "context_"):  # one-series attributes of an earlier fit (a failed fit
            self.__dict__.pop(stale, None)  # above leaves the earlier model whole)
        # the options this model was fitted with (set_params changes `config`, not these), with the horizon a direct /
        # seq2seq model was trained for when fit's `horizon` overrode the config's
        self.config_ = cfg if cfg.strategy == "recursive" else cfg.replace(horizon=fitted.horizon)
        self.spec_, self.params_, self.history_ = fitted.spec, fitted.params, fitted.history
        self.n_windows_, self.horizon_, self.season_ = tuple(fitted.n_windows), fitted.horizon, fitted.season
        self.leaks_ = scaler_data is not None
        self.long_format_ = long_format
        self.series_ids_ = ids
        self.scalers_ = list(fitted.scalers)
        self.schemas_ = [_schema(s, cfg) for s in series]
        self.columns_ = _columns(series, long_format)
        self.encoding_ = None  # the CLI's fit sets the --encoding it read its CSV in
        # the horizon asked for (fit's argument, or the config's when set): predict's default for a recursive model
        self.fit_horizon_ = int(h_fit) if horizon is not None or "horizon" in self._given else None
        self.contexts_ = [v[-cfg.window:].copy() for v in values]  # the last window of each: where forecasts start
        if len(ids) == 1:
            self.scaler_, self.schema_, self.context_ = self.scalers_[0], self.schemas_[0], self.contexts_[0]
        self.levels_, self.widths_, self.interval_scales_, self.interval_horizon_ = (), {}, None, None
        self.floors_ = nonneg_floor(values)  # (S,) 0 for a series never negative: no forecast nor band below it
        self.calibration_windows_ = self.calibration_series_ = self.calibration_unscored_ = 0
        if lv:
            self._calibrate(values, lv, h_levels, season, calibration_windows, calibrate_on, series)
        return self

    def _calibrate(self, values, levels, h: int, season: int, n_windows: int, on: list[int], series=None) -> None:
        """Conformal widths per step from a rolling-origin backtest on the training data of the series `on`
        (see _calibration_plan): origins one step apart, the model fitted once at the first (n_windows
        residual rows per series for one extra fit). Widths are in units of each series' in-sample scale."""
        from . import intervals
        from .backtest import backtest

        cfg = self.config_
        nw = int(n_windows)  # checked by _calibration_plan
        scales = np.array([metrics.insample_scales(v, season)[0] for v in values])
        if not np.isfinite(scales).all():
            bad = self.series_ids_[int(np.flatnonzero(~np.isfinite(scales))[0])]
            raise DataError(f"series {bad!r} has fewer than 2 values: it has no scale for its intervals; drop it or pass no levels")
        # filled values (the loaded series say where) are not scored, and each origin's part is refilled from its own values
        marked = series is not None and any(gaps.filled(series[i]).any() for i in on)
        res = backtest({self.series_ids_[i]: (series if marked else values)[i] for i in on}, [cfg.model], h=h, n_windows=nw,
                       step=1, refit=False, config=cfg, season=season)
        # a constant part has no scale: its residuals, in data units, would swamp (or shrink) the others' scaled ones, so
        # it is left out of the widths, and used in data units only when every part is constant (one constant series)
        res.mae_scale = np.where(res.mae_scale > 0, res.mae_scale, np.nan if (res.mae_scale > 0).any() else 1.0)
        self.widths_ = intervals.conformal_widths(res.scaled_residuals(cfg.model), levels)
        self.levels_ = tuple(levels)
        self.interval_scales_ = np.where(scales > 0, scales, 1.0)
        self.interval_horizon_ = h
        self.calibration_windows_ = nw
        self.calibration_series_ = len(on)  # the others were too short for nw origins: they use these widths
        self.calibration_unscored_ = res.unscored  # filled targets, left out of the residuals (not saved)

    def __sklearn_is_fitted__(self) -> bool:  # sklearn.utils.validation.check_is_fitted asks this
        return hasattr(self, "params_")

    def __sklearn_tags__(self):
        """sklearn's estimator tags (sklearn >= 1.6 asks every estimator; only sklearn calls this, so it is
        installed): fit(y) needs no separate targets, and seqcast validates its inputs itself."""
        from sklearn.utils import Tags, TargetTags

        return Tags(estimator_type=None, target_tags=TargetTags(required=False), no_validation=True)

    def _check_fitted(self):
        if not self.__sklearn_is_fitted__():
            raise not_fitted("this Forecaster is not fitted yet; call fit(series) first (or load a saved model)")

    def _panel(self):
        from .panel import PanelFit

        return PanelFit(self.config_, self.horizon_, self.season_, self.spec_, self.params_, self.scalers_, self.history_,
                        self.n_windows_)

    # ---- prediction ----------------------------------------------------------------------------

    def _predict_z(self, z) -> np.ndarray:
        """Scaled windows (N, window) -> scaled forecasts: (N,) for a one-step model, (N, horizon) otherwise."""
        from .panel import _one_shot

        out = _one_shot(self._panel(), np.asarray(z, np.float32))
        return out[:, 0] if self.horizon_ == 1 else out

    def _scaler_of(self, id):
        if id is None:
            if len(self.series_ids_) != 1:
                raise ConfigError(f"`id` must name one of the {len(self.series_ids_)} fitted series to use its scaler. Received: id=None")
            return self.scalers_[0]
        return self.scalers_[self._index([id])[0]]

    def predict_windows(self, X, id=None) -> np.ndarray:
        """Forecasts, in the data's units, for raw input windows X (N, window) or (N, window, 1) of one series (`id`
        when the model was fitted on many): (N,) for a one-step model (recursive, or horizon 1), else (N, horizon)."""
        self._check_fitted()  # before the scalers are read: NotFittedError, not a bare AttributeError
        return self._scaler_of(id).inverse_transform(self.predict_scaled(X, id))

    def predict_scaled(self, X, id=None) -> np.ndarray:
        """Forecasts in scaled units for raw input windows X (N, window) of one series (see predict_windows)."""
        self._check_fitted()
        try:
            X = np.asarray(unmasked(X), dtype=np.float64)  # masked values: NaN, refused below
        except (TypeError, ValueError) as e:  # text, None, ragged rows
            raise DataError(f"input windows must be numbers in an array of shape (N, {self.config_.window}); "
                            f"{str(e).splitlines()[0]}") from None
        if X.ndim == 3 and X.shape[2] == 1:  # Keras' (N, window, 1)
            X = X[..., 0]
        if X.ndim != 2 or X.shape[1] != self.config_.window:
            raise DataError(f"input windows must have shape (N, {self.config_.window}) or (N, {self.config_.window}, 1). "
                            f"Received: {X.shape}")
        if not np.isfinite(X).all():
            i = int(np.flatnonzero(~np.isfinite(X).all(axis=1))[0])
            raise DataError(f"input window {i} holds NaN or inf; fill the gaps first (e.g. load_series(..., fill='interpolate'))")
        return self._predict_z(self._scaler_of(id).transform(X))

    def _index(self, ids) -> list[int]:
        pos = {str(k): i for i, k in enumerate(self.series_ids_)}  # 1 and "1" name the same series
        if isinstance(ids, str) or not hasattr(ids, "__iter__"):  # one id (a float, 3.5, too: refused below by name)
            ids = [ids]
        ids = list(ids)
        if len({str(k) for k in ids}) != len(ids):
            raise ConfigError(f"`ids` must name each series once. Received: ids={ids!r}")
        out = []
        for k in ids:
            if str(k) not in pos:
                shown = ", ".join(map(repr, self.series_ids_[:5])) + (", ..." if len(self.series_ids_) > 5 else "")
                raise ConfigError(f"`ids` must be ids of the fitted series ({shown}). Received: {k!r}{_form_hint(k, self.series_ids_)}")
            out.append(pos[str(k)])
        if not out:
            raise ConfigError(f"`ids` must name at least one fitted series. Received: ids={ids!r}")
        return out

    def _levels_for(self, levels, horizon: int) -> tuple:
        from . import intervals

        if levels is None:
            lv = self.levels_
        elif intervals.no_levels(levels):
            return ()
        else:
            lv = intervals.parse_levels(levels)
            if not self.levels_:
                raise ConfigError(f"`levels` needs a model fitted with levels, e.g. fit(y, levels=(80, 95)) (CLI: seqcast fit "
                                  "--levels 80,95); this one has no intervals. "
                                  f"Received: levels={levels!r}")
            missing = [q for q in lv if q not in self.levels_]
            if missing:
                want = ",".join(f"{q:g}" for q in sorted({*self.levels_, *lv}))
                raise ConfigError(f"`levels` must be among the calibrated levels {', '.join(f'{q:g}' for q in self.levels_)}. "
                                  f"Received: levels={levels!r}; refit with levels=({want}) (CLI: seqcast fit --levels {want}) "
                                  "for the others")
        if lv and horizon > self.interval_horizon_:
            raise ConfigError(f"`horizon` must be <= {self.interval_horizon_}, the horizon the intervals were calibrated for. "
                              f"Received: horizon={horizon}; refit with horizon={horizon} (CLI: seqcast fit --horizon {horizon}), or forecast without intervals (levels=(), CLI --levels none)")
        return tuple(lv)

    def extend(self, y: pd.Series | pd.DataFrame | np.ndarray | list | str | Path) -> Forecaster:
        """Make a one-series model's forecasts start after `y` (the fitted series with newer values, e.g.
        the test part a holdout kept back) without refitting: `y`'s last window and dates become the
        context that `forecast` and `save` use; parameters and scalers stay as fitted. Returns self."""
        self._check_fitted()
        if self.long_format_:
            raise ConfigError(f"`extend` applies to a one-series model, and this one has {len(self.series_ids_)} series; "
                              "pass the newer data to forecast(horizon, y) instead")
        s = _as_series(y, self.config_.fill)
        w = self.config_.window
        _check_length(s, w, "the series")
        self._check_freq(0, s)
        self.schemas_, self.contexts_ = [_schema(s, self.config_)], [s.to_numpy(np.float64)[-w:].copy()]
        self.schema_, self.context_ = self.schemas_[0], self.contexts_[0]
        self.floors_ = self._floors([0], [s])  # newer values below 0: the series is no longer never negative
        return self

    def _floors(self, idx: list, series: list | None = None):
        """(S,) floors of the series `idx`: 0 for one never negative, in the fitted data nor in `series` (the newer
        data forecast from, aligned with idx), else NaN; None for a model file saved without them."""
        if self.floors_ is None:
            return None
        fl = self.floors_[idx]
        return fl if series is None else np.where(np.isnan(nonneg_floor(series)), np.nan, fl)

    def _check_freq(self, j: int, s: pd.Series) -> None:
        """New data for series j must have the fitted frequency: the model learned that frequency's patterns
        (and season), and the forecast's dates continue it."""
        fitted_freq, freq = self.schemas_[j]["freq"], getattr(s.index, "freqstr", None)
        if not data_mod.same_freq(fitted_freq, freq):  # a model saved before 1cbb4b7 says 'QS-OCT' for 'QS-JAN'
            name = f"series {self.series_ids_[j]!r} in `y` (CLI --data)" if self.long_format_ else "`y` (CLI --data)"
            raise DataError(f"{name} has frequency {freq or 'none (no dates)'}, and the model was fitted on "
                            f"{fitted_freq or 'series without dates'}; pass data of that frequency"
                            + (" (a pd.Series with its dates)" if fitted_freq and not freq else ""))

    def forecast(self, horizon: int, y: pd.Series | pd.DataFrame | np.ndarray | list | Mapping | str | Path | None = None, *,
                 ids: Sequence | None = None, levels: Sequence[float] | str | None = None) -> pd.DataFrame:
        """The next `horizon` values after the end of each fitted series (or of the series in `y`).

        One series: columns date, forecast. Many series: long format unique_id, ds, forecast.
        With intervals (a model fitted with levels), also lo_<level>, hi_<level> per level, ascending.
        `ids` picks some of the fitted series; `levels` some of the calibrated levels (() for none).
        A direct / seq2seq model forecasts at most the horizon it was trained for (ConfigError beyond).
        No value below 0 is forecast for a series that never was negative, in the fitted data nor in `y` (nor a
        band: the intervals' floor), with or without levels.

        y: new data (as `fit` takes it; CLI `predict --data`), to forecast after its end instead; the model is not
            refitted. It need not continue the fitted data, but must have its frequency and at least `window` values.
            Many series: only the ones in `y` (series the model was fitted on, by id), each with at least its last
            window of values.

        Raises:
            NotFittedError: before `fit`. ConfigError: a bad `horizon`, `ids` or `levels`. DataError: unusable `y`.

        >>> import seqcast
        >>> s = seqcast.datasets.airline()
        >>> g = seqcast.Forecaster(strategy="direct", horizon=6, units=(8,), epochs=5).fit({"a": s, "b": 2 * s}, levels=(80,))
        >>> g.forecast(6).columns.tolist()                 # 6 rows per series
        ['unique_id', 'ds', 'forecast', 'lo_80', 'hi_80']
        >>> g.forecast(3, ids=["b"], levels=()).shape     # one series, no intervals
        (3, 3)
        """
        from . import intervals
        from .panel import check_horizon, forecast_panel

        self._check_fitted()
        if np.ndim(horizon) > 0:  # Keras' model.predict(X_test)
            raise ConfigError(f"`horizon` must be an integer >= 1: forecast(h) and predict(h) forecast the next h values after the "
                              f"data; for windows of values use predict_windows(X). Received: an array of shape {np.shape(horizon)}")
        if isinstance(horizon, bool) or not isinstance(horizon, (int, np.integer)) or horizon < 1:
            raise ConfigError(f"`horizon` must be an integer >= 1. Received: horizon={horizon!r}")
        horizon = int(horizon)
        check_horizon(self.config_.strategy, self.horizon_, horizon)  # before any date is made (also a direct model trained for 1 step)
        lv = self._levels_for(levels, horizon)
        w = self.config_.window
        series = None  # the newer data, when `y` gives it
        if y is None:
            idx = list(range(len(self.series_ids_))) if ids is None else self._index(ids)
            ctxs = [self.contexts_[i] for i in idx]
            dates = [_future_dates(self.schemas_[i], horizon) for i in idx]
        elif not self.long_format_:
            encoding = data_mod.kept_encoding(y, self.encoding_)
            if isinstance(y, Mapping) or _is_long(y, encoding):  # load_series would say "3 columns could hold the values"
                raise DataError("this model was fitted on one series, and `y` (CLI --data) holds many (a dict or long format); pass one "
                                "series of the kind it was fitted on")
            s = _as_series(y, self.config_.fill, encoding)
            _check_length(s, w, "`y` (CLI --data)")
            self._check_freq(0, s)
            idx, ctxs, dates, series = [0], [s.to_numpy(np.float64)[-w:]], [data_mod.future_index(s, horizon)], [s]
        else:
            new_ids, series, _ = _as_panel(y, self.config_.fill, many=True, encoding=data_mod.kept_encoding(y, self.encoding_))
            if ids is not None:  # the series of `y` that `ids` names (each of them: one missing was dropped in silence)
                wanted = {str(self.series_ids_[i]) for i in self._index(ids)}
                absent = sorted(wanted - {str(k) for k in new_ids})
                if absent:
                    raise ConfigError(f"`ids` must name series present in `y` (CLI --data). Received: {absent[0]!r}, which it does not hold")
                pick = [j for j, k in enumerate(new_ids) if str(k) in wanted]
                new_ids, series = [new_ids[j] for j in pick], [series[j] for j in pick]
            fitted = set(text_ids(self.series_ids_))
            unknown = [k for k in new_ids if str(k) not in fitted]
            if unknown:
                known = [str(k) for k in new_ids if str(k) in fitted]
                more = f" and {len(unknown) - 1} more" if len(unknown) > 1 else ""
                leave = (f"leave {'them' if more else 'it'} out with `ids` (CLI --ids, e.g. --ids {','.join(known[:3])}{',...' if len(known) > 3 else ''}) "
                         "or refit" if known else "refit")
                raise DataError(f"series {unknown[0]!r}{more} in `y` (CLI --data) {'were' if more else 'was'} not in the fitted "
                                f"data{_form_hint(unknown[0], fitted)}; the model "
                                f"has scalers for the fitted series only: {leave} on data that holds {'them' if more else 'it'}")
            idx = self._index(new_ids)
            for j, s in zip(idx, series):
                self._check_freq(j, s)
                need = min(w, int(self.schemas_[j].get("n_obs", w)))  # a series fitted shorter than the window may stay so
                if len(s) < need:  # padded, its forecast would rest on made-up values (its newest rows only: 634.9 for 446.3)
                    why = "the window" if need == w else f"as many as it was fitted with; the window is {w}"
                    raise DataError(f"series {self.series_ids_[j]!r} in `y` (CLI --data) has {len(s)} value{'s' * (len(s) != 1)}, but its forecast "
                                    f"needs its last {need} ({why}); pass its whole history, or at least its last {need} values")
            ctxs = [s.to_numpy(np.float64)[-w:] for s in series]  # a series fitted shorter than the window: padded, as in fit
            dates = [data_mod.future_index(s, horizon) for s in series]
        _check_size(len(idx), horizon, len(lv))
        point = forecast_panel(self._panel(), ctxs, horizon, scalers=[self.scalers_[i] for i in idx])  # (S, h)
        floors = self._floors(idx, series)
        if floors is not None:  # a never-negative series gets no forecast below 0 (None: a model file saved without them)
            point = floored(point, floors)
        bounds = {}
        if lv:
            b = intervals.bands(point, {q: self.widths_[q][:horizon] for q in lv}, scale=self.interval_scales_[idx],
                                floor=floors)
            bounds = {q: b[q] for q in lv}
        cols = {f"{side}_{q:g}": b.ravel() for q, (lo, hi) in bounds.items() for side, b in (("lo", lo), ("hi", hi))}
        if not self.long_format_:  # the frame built at once: a column set per level made 99 levels warn 100 times
            return pd.DataFrame({"date": dates[0], "forecast": point[0], **cols})  # ('DataFrame is highly fragmented')
        return pd.DataFrame({"unique_id": [self.series_ids_[i] for i in idx for _ in range(horizon)],  # one column built
                             "ds": dates[0].append(dates[1:]).rename(None),  # at once: its ids keep their type (uint64 too)
                             "forecast": point.ravel(), **cols})

    def predict(self, horizon: int = 1, y: pd.Series | pd.DataFrame | np.ndarray | list | Mapping | str | Path | None = None,
                **kwargs) -> pd.DataFrame:
        """sklearn-style alias of `forecast`: the next `horizon` values after the data."""
        return self.forecast(horizon, y, **kwargs)

    # ---- persistence -----------------------------------------------------------------------------

    def save(self, path: str | Path) -> None:
        """Write the fitted model to the directory `path`: weights.safetensors and model.json, never pickle.
        The folder is built beside `path` and swapped in, so an earlier model there is replaced whole or not at all;
        a file, or a non-empty folder holding no seqcast model, is refused (ConfigError), as is a folder another process
        is writing meanwhile (a `seqcast fit --out`, another save: see `io.holding`).

        >>> import tempfile, seqcast
        >>> f = seqcast.Forecaster(model="gru", units=(4,), epochs=2).fit(seqcast.datasets.airline())
        >>> with tempfile.TemporaryDirectory() as d:
        ...     f.save(f"{d}/model")
        ...     seqcast.Forecaster.load(f"{d}/model").forecast(6).equals(f.forecast(6))
        True
        """
        import sys

        from . import io
        from .runs import shell_join

        self._check_fitted()
        path = io.check_target(io.model_path(path))  # in one line before the lock: 'data.csv/m' could make no lock file
        who = f"Forecaster.save in Python: {shell_join([Path(sys.executable).name, *filter(None, sys.argv)])}"
        with io.holding(path, who, mine_ok=True):  # another process saving there meanwhile: refused, as a CLI command is
            io.save_model(self, path)

    def summary(self, print_fn=print) -> str | None:
        """Print what this model is, as Keras' `model.summary()` does: its options (and what auto chose), a table of
        its layers with their weight shapes and parameter counts, the data it was fitted on, its intervals. The text
        is `seqcast info`'s for the saved model (without its files and run.json). `print_fn`: called with the text
        instead of print; None returns the text instead of printing it."""
        from . import io, summary

        self._check_fitted()
        shapes = {k: tuple(v.shape) for k, v in io.flatten(self.params_).items()}
        text = summary.text(summary.facts(io.model_meta(self), shapes))
        if print_fn is None:
            return text
        print_fn(text)
        return None

    @classmethod
    def load(cls, path: str | Path) -> Forecaster:
        """The fitted Forecaster saved in the directory `path` (by `save` or `seqcast fit --out`); ModelFileError
        when it is missing, corrupt or of another format version."""
        from . import io

        return io.load_model(path)


def init_params(spec, seed: int, members: int = 1):
    """Keras-style initial parameters from `seed`; stacked (M, ...) for an ensemble of M members."""
    from .models import rnn
    from .train import stack_members

    if members == 1:
        return rnn.init_params(spec, key=(seed, 1))
    return stack_members([rnn.init_params(spec, key=(seed, 1, i)) for i in range(members)])


def _as_series(y, fill: str, encoding: str | None = None) -> pd.Series:
    s = data_mod.load_series(y, fill=fill, encoding=encoding)
    if isinstance(y, pd.Series):  # an already loaded series keeps the count of values filled when loading it
        s.attrs["filled"] = int(s.attrs.get("filled", 0)) + int(y.attrs.get("filled", 0))
        s.attrs.update({k: y.attrs[k] for k in ("id_column", "value_column") if k in y.attrs})  # load_long's column names
        gaps.carry(s, y)  # and where they were filled
    return s


def text_ids(keys) -> list[str]:
    """The series ids as text, as models order and look them up; two that read the same (1 and "1") are refused."""
    texts = [str(k) for k in keys]
    seen: set = set()
    same = next((t for t in texts if t in seen or seen.add(t)), None)  # linear: a panel may hold 100k series
    if same is not None:
        raise DataError(f"two series have the id {same!r} once written as text; give every series its own id")
    return texts


def series_ids(keys) -> list:
    """The ids a model keeps and writes in its outputs: integers when every id is one (an int id column
    merges back on its own type), else text (`text_ids`)."""
    texts = text_ids(keys)
    if all(isinstance(k, (int, np.integer)) and not isinstance(k, (bool, np.bool_)) for k in keys):
        return [int(k) for k in keys]
    return texts


def _is_long(y, encoding: str | None = None) -> bool:
    """A long DataFrame, or the path of a long CSV (read in `encoding`) / Parquet file (unique_id, ds, y): many series."""
    return isinstance(y, (pd.DataFrame, str, Path)) and long_mod.is_long(y, encoding=encoding)


def _as_panel(y, fill: str, many: bool = False, encoding: str | None = None) -> tuple[list[str], list[pd.Series], bool]:
    """(ids, series, long_format): a dict {id: series}, a long DataFrame or a long CSV/Parquet path (a CSV read in
    `encoding`) are many series (long format); anything else is one series (`many=True` refuses it). Ids as
    `series_ids` gives them."""
    if isinstance(y, Mapping):
        if not y:
            raise DataError("the dict of series is empty; pass {id: series} with at least one series")
        out = {}
        for key, v in zip(series_ids(y), y.values()):
            try:
                s = _as_series(v, fill)
            except DataError as e:
                raise DataError(f"series {key!r}: {e}") from None
            s.name = key
            out[key] = s
        freqs = {k: getattr(s.index, "freqstr", None) for k, s in out.items()}  # None: positions, no dates
        a = next(iter(freqs))
        b = next((k for k, f in freqs.items() if f != freqs[a]), None)
        if b is not None:
            raise DataError(f"the series must share one frequency (one model, one season): {a!r} has {freqs[a] or 'no dates'}, "
                            f"{b!r} has {freqs[b] or 'no dates'}; resample them to one frequency or fit them apart")
        return list(out), list(out.values()), True
    if _is_long(y, encoding):
        d = long_mod.load_long(y, fill=fill, encoding=encoding)
        return series_ids(d), list(d.values()), True
    if many:
        raise DataError("this model was fitted on many series: pass `y` as a dict {id: series}, a long DataFrame "
                        f"(unique_id, ds, y) or a long CSV/Parquet path{data_mod.to_pandas_hint(y)}")
    s = _as_series(y, fill)
    return [str(s.name) if s.name is not None else "y"], [s], False


RECURSIVE_INTERVAL_HORIZON = 12  # a recursive model's default horizon 1 would allow no interval past one step


def interval_horizon(cfg: Config, horizon: int | None = None) -> int:
    """The steps `fit(levels=...)` calibrates intervals for: `horizon` when given, else `cfg.horizon`,
    except that a recursive model with the default horizon 1 gets 12."""
    if horizon is not None:
        return horizon
    return RECURSIVE_INTERVAL_HORIZON if cfg.strategy == "recursive" and cfg.horizon == 1 else cfg.horizon


def resolve_auto(cfg: Config, series: list, given, horizon: int | None = None, nonneg: bool | None = None,
                 levels=()) -> Config:
    """`cfg` itself, or for model="auto" seqcast's choices for these training series (honest.auto_for) with
    the options named in `given` (the ones the user set) winning, as the CLI's flags do. `horizon`: the
    steps to train for when given apart from the config (fit's argument); `nonneg`: the sign of all the
    data, when more than these training series is known; `levels`: the window leaves room to calibrate them."""
    if cfg.model != "auto":
        return cfg
    from .honest import auto_for

    explicit = {k: getattr(cfg, k) for k in given if k != "model"}
    if horizon is not None:
        explicit["horizon"] = horizon
    return auto_for(series, cfg, explicit, nonneg=nonneg, calibrate_on=max(len(s) for s in series), levels=levels,
                    fit_horizon=horizon)


def _options(base: Config, options: dict) -> Config:
    """`base` with the keyword `options`, validated (unknown names and impossible combinations refused)."""
    unknown_option(options)
    cfg = validate(dataclasses.replace(base, **options))  # None sets None (Config.replace skips None: CLI flags not given)
    check_norm_combination(cfg.strategy, cfg.norm, fitting=False)  # 'last' is refused at fit: a saved model still loads
    check_model_combination(cfg.model, cfg.strategy, cfg.skip)  # now, not at fit (and without importing JAX)
    return cfg


def season_of(cfg: Config, series: pd.Series) -> int:
    """The season a fit uses: the config's, else the one the series' frequency implies, else 1."""
    idx = series.index
    freq = idx.freqstr if isinstance(idx, pd.DatetimeIndex) and idx.freq is not None else None
    return int(cfg.season or data_mod.season_length(freq) or 1)


def _calibration_plan(values, ids, cfg: Config, h: int, n_windows: int) -> tuple[int, list[int]]:
    """(origins, the series calibrated on): of the origin counts <= n_windows, the one giving the most
    residual rows, on the series long enough for it. A series too short for them is left out and gets
    the widths the others give, scaled to its own size, instead of one short series cutting every
    series' calibration down to its own few origins. DataError when no series can be calibrated on."""
    H = 1 if cfg.strategy == "recursive" else h
    best = None
    for nw in range(n_windows, 0, -1):
        keep = [i for i, v in enumerate(values) if len(v) >= h + nw + 1]  # before_first + 2, as _backtest_fits
        if keep and _backtest_fits([values[i] for i in keep], cfg, h, H, nw) and (best is None or len(keep) * nw > len(best[1]) * best[0]):
            best = (nw, keep)
    if best is not None:
        return best
    shortest = int(np.argmin([len(v) for v in values]))
    if len(values) == 1 and len(values[shortest]) < h + 2:
        raise DataError(f"series {ids[shortest]!r} has {len(values[shortest])} values, too few to calibrate intervals over "
                        f"horizon={h} (it needs {h + 2}); pass a smaller horizon (CLI --horizon), or no levels")
    longest = max(len(v) for v in values)
    need = next(n for n in range(longest, 10**7) if _backtest_fits([np.zeros(n)], cfg, h, H, 1))
    val = (f" (with early stopping the last {cfg.val_size:.0%} of the windows validate: patience=0, CLI --patience 0, frees them)"
           if cfg.val_size > 0 and cfg.patience > 0 else "")
    raise DataError(f"the series are too short to calibrate intervals over horizon={h}: the longest has {longest} values, "
                    f"and window={cfg.window} needs {need}{val}; pass a smaller horizon or window (CLI --horizon, --window), or no levels")


def _backtest_fits(values, cfg: Config, h: int, H: int, n_windows: int) -> bool:
    """Whether a rolling-origin backtest with n_windows origins one step apart can run and fit at its first origin."""
    before_first = h + n_windows - 1  # values after the first origin
    if min(len(v) for v in values) < before_first + 2:
        return False
    from .panel import window_counts

    return any(window_counts(len(v) - before_first, cfg, H)[0] >= 1 for v in values)


def _schema(series: pd.Series, cfg: Config) -> dict:
    idx = series.index
    dated = isinstance(idx, pd.DatetimeIndex)
    return {
        "name": str(series.name) if series.name is not None else "y",
        "freq": idx.freqstr if dated and idx.freq is not None else None,
        "first": idx[0].isoformat() if dated else int(idx[0]),
        "last": idx[-1].isoformat() if dated else int(idx[-1]),
        "tz": str(idx.tz) if dated and idx.tz is not None else None,  # a zone with DST: an offset alone would drift
        "n_obs": int(len(series)),
        "window": cfg.window,
        "filled": int(series.attrs.get("filled", 0)),
        "min": float(series.min()), "max": float(series.max()),  # the fitted values' range (predict --data's far note)
    }


def _check_size(n_series: int, horizon: int, n_levels: int) -> None:
    """Refuse, before computing it, a forecast whose frame cannot fit in the machine's memory (10,000 series of
    100,000 steps): at least 8 bytes a cell (id, date, forecast, two a level) and 40 of CSV text a row (measured on
    1,000 series x 1,000 steps: 57 and 68 bytes a row)."""
    from .train import _gib, machine_memory

    rows, ram = n_series * horizon, machine_memory()
    need = rows * (8 * (3 + 2 * n_levels) + 40)
    if ram and need > ram:
        raise ConfigError(f"this forecast of {rows:,} rows ({n_series:,} series x {horizon:,} steps) needs at least {_gib(need)} of "
                          f"memory, more than the {_gib(ram)} of memory and swap this machine (or container) allows; forecast fewer "
                          "steps (`horizon`), or fewer series at a time (`ids`; CLI --ids)")


def _form_hint(name, fitted) -> str:
    """Why an id that looks like a fitted one is not it: its letters are written in another Unicode form (NFC, NFD)."""
    twin = long_mod.unicode_twin(name, fitted)
    return "" if twin is None else (f" (written {ascii(str(name))}; the fitted {twin!r} is {ascii(twin)}: the same letters in another "
                                    "Unicode form, NFC or NFD)")


def _check_length(s: pd.Series, w: int, what: str) -> None:
    """New data for a one-series model holds at least the window it forecasts from."""
    if len(s) < w:
        raise DataError(f"forecasting needs at least window={w} values; {what} has {len(s)}: pass its last {w} values or more "
                        "(its whole history)")


def _columns(series: list, long_format: bool) -> dict:
    """The column names the fitted data was read from, where known (None: unknown): the date column (the index's
    name), the value column (one series: its name; many: load_long's), the id column (load_long's)."""
    s = series[0]

    def text(name):
        return name if isinstance(name, str) else None

    if long_format:
        return {"id": text(s.attrs.get("id_column")), "date": text(s.index.name), "value": text(s.attrs.get("value_column"))}
    return {"id": None, "date": text(s.index.name), "value": text(s.name)}


def _future_dates(schema: dict, horizon: int) -> pd.Index:
    if schema["freq"]:
        last, tz, freq = schema["last"], schema.get("tz"), schema["freq"]  # tz: absent in models saved before seqcast kept it
        if isinstance(last, str) and isinstance(freq, str) and (tz is None or isinstance(tz, str)) and horizon <= _KEPT_STEPS:
            return _dates_after(last, tz, freq, horizon)[:]  # its own index (a caller may set its freq), the dates built once
        return _dates_after.__wrapped__(last, tz, freq, horizon)
    return pd.RangeIndex(schema["last"] + 1, schema["last"] + 1 + horizon)


_KEPT_STEPS = data_mod._OFFSETS_MAX_DATES  # longer horizons are built each time (256 kept 1e6-date indexes: 2 GB)


@functools.lru_cache(maxsize=256)
def _dates_after(last: str, tz: str | None, freq: str, horizon: int) -> pd.DatetimeIndex:
    """The `horizon` dates at `freq` after `last` (ISO, in zone `tz`): the same for a panel's series that end together."""
    start = pd.Timestamp(last)
    if tz:
        start = start.tz_convert(tz)
    return data_mod.within_dates(horizon, lambda: pd.date_range(start, periods=horizon + 1, freq=freq,
                                                                unit="ns")[1:])  # pandas 3: in start's unit


# ---- holdout evaluation against baselines ----------------------------------------------------------


@dataclass
class Holdout:
    """Model and baselines on the same test targets (one step ahead, chronological split): Keras' evaluate,
    with the baselines beside it. `leaderboard()` is `table` as a DataFrame (rows ranked by RMSE), `verdict()`
    says whether the model beats every baseline, `frame()` holds predictions vs truth per test date, and
    `forecaster` is the model fitted on the training part: its forecasts start after that part unless you
    give it the rest (`ho.forecaster.extend(series).forecast(12)`)."""

    model_name: str
    n_train: int  # training windows (validation tail included)
    n_test: int  # test targets scored (the observed ones: `unscored` counts the filled ones left out)
    dates: pd.Index  # dates of the test targets
    truth: np.ndarray  # (n_test,) in data units
    predictions: dict  # name -> (n_test,) forecasts
    test_mse_scaled: float  # the tutorial's figure: MSE in scaled units
    fit_s: float
    leaks: bool  # the scaler saw the test period
    season: int | None
    forecaster: Forecaster
    table: list = field(default_factory=list)  # rows: model, rmse, mae, mape, mase
    unscored: int = 0  # test values filled, not observed: left out (n_test counts the others)
    filled_dates: pd.Index | None = None  # (unscored,) their dates: forecast as the others, in frame() with no truth
    filled_predictions: dict = field(default_factory=dict)  # name -> (unscored,) their forecasts, not scored

    def verdict(self) -> str:
        """One line: whether the model beats the best baseline by RMSE on the test points (or ties, or is worse, by how much)."""
        from .report import fmt_cell, fmt_pct

        rows = {r["model"]: r for r in self.table}
        me = rows[self.model_name]
        base = [r for r in self.table if r["model"] != self.model_name]
        best = min(base, key=lambda r: r["rmse"])
        on = f"on the {self.n_test} test point{'' if self.n_test == 1 else 's'}"
        if not np.isfinite(me["rmse"]):  # NaN must never read as a win
            return (f"verdict: {self.model_name} gave non-finite predictions {on}, so it is no better than the {best['model']} "
                    f"baseline (RMSE {fmt_cell(best['rmse'])}); check the data and the model's options.")
        rmse = f"RMSE {fmt_cell(me['rmse'])} vs {fmt_cell(best['rmse'])}"
        if me["rmse"] == best["rmse"]:
            return f"verdict: {self.model_name} ties with the {best['model']} baseline {on} ({rmse})." + self._few()
        if me["rmse"] > best["rmse"]:
            more = f", {fmt_pct(me['rmse'] / best['rmse'] - 1)} higher{self._noise(best['model'], 'worse')}" if best["rmse"] > 0 else ""
            return f"verdict: {self.model_name} is WORSE than the {best['model']} baseline {on} ({rmse}{more})." + self._few()
        return (f"verdict: {self.model_name} beats every baseline {on} ({rmse} for {best['model']}, "
                f"{fmt_pct(1 - me['rmse'] / best['rmse'])} lower{self._noise(best['model'], 'better')}).") + self._few()

    def rmse_ratio(self, base: str | None = None, level: float = 95.0) -> dict:
        """RMSE(model) / RMSE(base) (default: the baseline with the lowest RMSE) and its block bootstrap interval.

        The test points are consecutive, so their errors are not independent: `metrics.ratio_interval` (seed 0) draws
        blocks of L = ceil(n ** (1/3)) consecutive test points (of squared errors; the interval's ends are square-rooted).
        Fewer than `metrics.MIN_UNITS` blocks give no interval (lo, hi NaN): under 37 test points. Returns {"vs": base,
        "ratio", "lo", "hi": floats, "blocks": how many, "block": L}. The interval covers which test points came up, not
        the training's random seed.
        """
        base = base or min((r for r in self.table if r["model"] != self.model_name), key=lambda r: r["rmse"])["model"]
        n = len(self.truth)
        L = int(np.ceil(n ** (1 / 3)))
        (a, ka), (b, kb) = (metrics.scaled_squares(self.truth - self.predictions[k]) for k in (self.model_name, base))  # (n,) squared errors
        lo, hi, blocks = metrics.ratio_interval(a, b, np.arange(n) // L, level=level)
        ratio = float(np.sqrt(a.sum() / b.sum())) if b.sum() > 0 else float("nan")
        lo, hi, ratio = (float(np.ldexp(x, ka - kb)) for x in (np.sqrt(lo), np.sqrt(hi), ratio))  # k: squares scaled by 4**k
        return {"vs": base, "ratio": ratio, "lo": lo, "hi": hi, "blocks": blocks, "block": L}

    def _noise(self, base: str, word: str) -> str:
        """The verdict's clause on noise (from 10 test points; `_few` speaks below): `rmse_ratio`'s interval, or too few blocks."""
        if self.n_test < 10 or base not in self.predictions or len(self.truth) != self.n_test:
            return ""
        q = self.rmse_ratio(base)
        size = f"{'' if self.n_test % q['block'] == 0 else 'up to '}{q['block']}"  # 58 points: 15 blocks of up to 4 (the last of 2)
        if not np.isfinite(q["lo"]):
            return (f"; {self.n_test} test points make {q['blocks']} blocks of {size} consecutive ones: too few (under "
                    f"{metrics.MIN_UNITS}) to tell a difference from noise")
        from .report import ratio_clause

        return ratio_clause("RMSE", q["lo"], q["hi"], f"{q['blocks']} blocks of {size} test points", word)

    def season_note(self) -> str:
        """Says when MASE's scale falls back to season 1 (a training part no longer than the season) and when the
        seasonal naive row is missing (a test target with less than a season before it, or no dates and no `season`);
        "" otherwise."""
        note = metrics.season_note([self.n_train + self.forecaster.config_.window], self.season or 1)
        if self.season and self.season > 1 and "snaive" not in self.predictions:  # no target has a value a season before it
            note = (note + "; " if note else "note: ") + (f"no seasonal naive row: its first test target has fewer than "
                                                          f"{self.season} values before it")
        if self.season == 1 and self.forecaster.config_.season is None and not isinstance(self.dates, pd.DatetimeIndex):
            note = (note + "; " if note else "note: ") + ("no seasonal naive row: the data has no dates to imply a season; "
                                                          "pass season= (e.g. season=12 for monthly values; CLI --season 12)")
        elif self.season == 1 and self.forecaster.config_.season is None:  # yearly sunspots: the row went without a word
            freq = self.forecaster.schema_.get("freq")  # (backtest's snaive row, the naive one, says so too)
            note = (note + "; " if note else "note: ") + (f"no seasonal naive row: the frequency {freq!r} implies no season; "
                                                          "pass season= for a cycle in steps of the data (CLI --season)")
        return note

    def mape_note(self) -> str:
        """Says how many test values MAPE leaves out: it divides by the truth, so the values that are 0 (intermittent
        demand) are not in it ("" when none is 0)."""
        zeros, n = int(np.sum(self.truth == 0)), self.n_test
        if not zeros:
            return ""
        if zeros == n:
            return "note: MAPE is nan: every test value is 0, and MAPE divides by them"
        return (f"note: MAPE leaves out the {zeros} test value{'s' * (zeros != 1)} that {'are' if zeros != 1 else 'is'} 0 (it divides "
                f"by them): it rests on the other {n - zeros}; RMSE, MAE and MASE count all {n}")

    def bound_note(self) -> str:
        """A bounded head (sigmoid / tanh on scaled values, no window norm) cannot forecast past what its scaler
        maps the activation's range to (the training range for minmax (0, 1)): the tutorial's LSTM + sigmoid on
        MinMax-scaled airline data can never exceed the training maximum. Says so, with the bounds and how many test values lie beyond them ("" when unbounded)."""
        b = output_bounds(self.forecaster.config_, [self.forecaster.scaler_])
        if b is None:
            return ""
        lo, hi = b[0]
        out = int(np.sum((self.truth < lo) | (self.truth > hi)))
        cfg = self.forecaster.config_
        act, (a, b) = cfg.output_activation, BOUNDED[cfg.output_activation]
        seen = "all its values, test part included (scaler_fit='all')" if cfg.scaler_fit == "all" else "its training values"
        what = (f"the range of {seen}" if cfg.scaler == "minmax" and tuple(cfg.scaler_range) == (a, b)
                else f"where the scaler puts the {act}'s {a:g}..{b:g}")
        fix = (f"output_activation=None or norm='{level_norm(cfg)}' (seqcast fit --output-activation none, or --norm {level_norm(cfg)})"
               if norm_last_helps(act)
               else f"output_activation=None (seqcast fit --output-activation none; with norm='last' the {act}'s change from the "
                    "last value would be a rise, never a fall)")
        return (f"note: the {act} output keeps every forecast of {self.model_name} within [{lo:.4g}, {hi:.4g}], {what}; "
                f"{out} of the {self.n_test} test values lie outside it. For data that can leave its "
                f"past range (a trend), use {fix}.")

    def _few(self) -> str:
        """A caveat when the test part is too small to rank models on."""
        if self.n_test >= 10:
            return ""
        return (f" Only {self.n_test} test point{'' if self.n_test == 1 else 's'}: too few to rank the models; a backtest "
                "(seqcast backtest) scores more origins.")

    def leaderboard(self) -> pd.DataFrame:
        """The model and the baselines ranked by RMSE: model, rmse, mae (data units), mape (percent), mase."""
        return pd.DataFrame(self.table)

    def __repr__(self) -> str:  # a notebook cell's output: each row's RMSE, not every array (dates, truth, the model)
        rmse = ", ".join(f"{r['model']!r}: {float(format(r['rmse'], '.4g'))}" for r in self.table)  # 4 significant digits
        return f"Holdout(model_name={self.model_name!r}, n_train={self.n_train}, n_test={self.n_test}, rmse={{{rmse}}})"

    def _repr_html_(self) -> str:  # display(ho) in Jupyter: the leaderboard as the report's table, and the verdict
        import html

        from .report import _table

        return _table(self.table) + f"<p>{html.escape(self.verdict())}</p>"

    def frame(self) -> pd.DataFrame:
        """Prediction vs truth, one row per test date; a filled value's row (forecast, not scored) has no truth (NaN), as
        a backtest's predictions have."""
        df = pd.DataFrame({"date": self.dates, "truth": self.truth})
        for k, v in self.predictions.items():
            df[k] = v
        if self.filled_dates is None or not len(self.filled_dates):
            return df
        filled = pd.DataFrame({"date": self.filled_dates, "truth": np.nan,
                               **{k: self.filled_predictions.get(k, np.nan) for k in self.predictions}})
        return pd.concat([df, filled]).sort_values("date", kind="stable", ignore_index=True)


BOUNDED = {"sigmoid": (0.0, 1.0), "tanh": (-1.0, 1.0)}  # head activations with a finite output range


def norm_last_helps(activation: str) -> bool:
    """Whether norm='last' frees a bounded head from its range: tanh's (-1, 1) change from the last value goes
    either way; a sigmoid's (0, 1) would only ever rise (recursively: every step above the one before)."""
    return BOUNDED[activation][0] < 0


def level_norm(cfg: Config) -> str:
    """The window norm to advise where forecasts must leave the fitted levels: 'last' (the change from the last value);
    for seq2seq 'mean', since a fit refuses its causal 'last' (config.check_norm_combination)."""
    return "mean" if cfg.strategy == "seq2seq" else "last"


def output_bounds(cfg: Config, scalers) -> list | None:
    """Per series, the (low, high) in data units that a bounded head (sigmoid, tanh) can reach when the
    network's output is the scaled value itself (norm 'none'); None when forecasts are not bounded."""
    if cfg.output_activation not in BOUNDED or cfg.norm != "none":
        return None
    z = np.array(BOUNDED[cfg.output_activation])
    return [tuple(float(x) for x in s.inverse_transform(z)) for s in scalers]


def training_values(n: int, test_size: float) -> int:
    """The first values, of n, that a holdout's automatic choices see: all but the test part's round(n * test_size)."""
    cut = n - int(round(n * test_size))
    if cut < 1:  # nothing left to choose on (auto_config would say so in its own terms)
        raise DataError(f"no training values left: test_size={test_size:g} holds out all {n} values; use a smaller "
                        "`test_size` (CLI --test-size) or more data")
    return cut


def holdout(y: pd.Series | pd.DataFrame | np.ndarray | list | str | Path, config: Config | None = None, *,
            progress: bool = False, **options) -> Holdout:
    """Split the windows chronologically (first int(N*(1-test_size)) train), fit on the training
    part, and forecast each test target one step ahead; baselines on the same targets. With model="auto"
    the choices are made on the training values (as `seqcast fit` does), the options set winning.

    y: one series (anything `load_series` reads). config / options: as `Forecaster` takes them (`test_size`,
    default 0.2, is the fraction of windows held out). Values `fill` made up (a loaded series marks them: `seqcast.gaps`)
    are refilled from the values up to the end of the training part and of each input window, and not scored (forecast
    still: `frame()` has their rows, with no truth).
    Returns a `Holdout` (`leaderboard()`, `verdict()`, `frame()`, `forecaster`). Raises DataError (many series, too few
    values for a test part, or a test part of filled values only) and ConfigError.

    >>> import seqcast
    >>> ho = seqcast.holdout(seqcast.datasets.airline(), model="gru", units=(8,), epochs=5)
    >>> ho.n_train, ho.n_test                              # windows of 12 values: 105 train, 27 test targets
    (105, 27)
    >>> ho.leaderboard()["model"].tolist()  # doctest: +SKIP
    ['linear_ar', 'snaive', 'naive', 'GRU']
    """
    check_config(config)  # before Forecaster says "the first argument must be a Config", of its own arguments
    f = Forecaster(config, progress=progress, **options)
    cfg = f.config
    if cfg.test_size <= 0:
        raise ConfigError("`test_size` must be > 0 for a holdout evaluation. Received: test_size=0")
    if isinstance(y, Mapping) or _is_long(y):  # what _as_panel reads as many series
        raise DataError("holdout evaluates one series, and `y` holds many; pass one of them, or evaluate them all with "
                        "seqcast.backtest.backtest(y, [model, 'snaive'], h=..., config=...) (CLI: seqcast backtest)")
    series = _as_series(y, cfg.fill)
    filled, how = gaps.filled(series), gaps.method(series)  # (n,) values made up by `fill`: refilled as known, not scored
    if cfg.model == "auto":  # chosen on the training values only (the test part's sign is known, like its dates)
        train_values = training_values(len(series), cfg.test_size)
        cfg = resolve_auto(cfg, [gaps.refill_series(series.iloc[:train_values])], f._given, nonneg=bool((series >= 0).all()))
        f = Forecaster(cfg, progress=progress)
    v = series.to_numpy(np.float64)
    X, _ = make_windows(v, cfg.window)
    n_train = split_train_test(len(X), cfg.test_size)
    n_test = len(X) - n_train
    if n_test < 1:
        raise DataError(f"no test windows: {len(X)} windows with test_size={cfg.test_size}; use a larger `test_size` (CLI --test-size) or more data")
    cut = n_train + cfg.window  # values before `cut` are the training part
    from .panel import needs, window_counts

    H = 1 if cfg.strategy == "recursive" else cfg.horizon
    if window_counts(cut, cfg, H)[0] < 1:  # said here: the fit would count the training part's values as the series'
        raise DataError(f"the training part is too short to fit on: the first {cut} of the {len(v)} values (test_size={cfg.test_size:g} "
                        f"holds out the last {len(v) - cut}), and one training window needs {needs(cfg, H, cut)}; use a smaller "
                        "`window` or `horizon` (CLI --window, --horizon), a smaller test_size (CLI --test-size, 0: no test), or more data")
    t = np.arange(cut, len(v))  # positions of the test targets
    scored = ~filled[t]  # a filled target is not scored
    if not scored.any():
        raise DataError(f"every one of the {n_test} test values was filled (fill={how!r}), none observed: nothing to score; use a "
                        "larger `test_size` (CLI --test-size) or data with observed values at its end")
    train = gaps.refill_series(series.iloc[:cut])  # filled from its own values only: the scaler and auto see no test value
    t0 = time.perf_counter()
    f.fit(train, scaler_data=series if cfg.scaler_fit == "all" else None)
    fit_s = time.perf_counter() - t0

    def model(targets: np.ndarray) -> tuple[np.ndarray, np.ndarray]:  # (N,) -> the model's (N,) forecasts, scaled and in units
        X_t = X[n_train:] if not filled.any() else gaps.known_at(v, filled, how, targets - 1, targets[:, None] + np.arange(-cfg.window, 0))
        z = f.predict_scaled(X_t)  # one forward pass: scaled for the tutorial's MSE, units for the rest
        if z.ndim == 2:  # a direct / seq2seq model: its first step is the one-step-ahead forecast
            z = z[:, 0]
        # as f.forecast gives them: not below 0 for a never-negative training part (test_mse_scaled: Keras' evaluate, as is)
        return z, floored(f.scaler_.inverse_transform(z)[None], f.floors_)[0]

    season = season_of(cfg, series)
    name = MODEL_NAMES[cfg.model]
    base = baselines.one_step(v, t, season, filled, how, scored)  # the filled targets forecast too, changing no scored one
    t, t_filled = t[scored], t[~scored]
    truth = v[t]
    z_pred, pred = model(t)
    preds = {name: pred, **{k: p[scored] for k, p in base.items()}}
    filled_preds = {name: model(t_filled)[1], **{k: p[~scored] for k, p in base.items()}} if len(t_filled) else {}
    z_truth = f.scaler_.transform(truth)
    ho = Holdout(model_name=name, n_train=n_train, n_test=len(t), dates=series.index[t], truth=truth, predictions=preds,
                 test_mse_scaled=metrics.mse(z_truth, z_pred), fit_s=fit_s, leaks=f.leaks_, season=season, forecaster=f,
                 unscored=len(t_filled), filled_dates=series.index[t_filled], filled_predictions=filled_preds)
    m = season if season and cut > season else 1
    v_train = train.to_numpy(np.float64)
    for k, p in preds.items():
        row = {"model": k, **metrics.point_metrics(truth, p), "mase": metrics.mase(truth, p, v_train, m)}
        ho.table.append(row)
    ho.table.sort(key=lambda r: r["rmse"])
    return ho
