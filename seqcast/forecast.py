"""Forecaster: fit / predict / forecast, and a holdout evaluation beside the baselines.

    f = Forecaster(model="lstm", units=(64,), window=12, epochs=300, seed=0).fit(series)
    f.forecast(24)            # DataFrame: date, forecast — the next 24 periods after the data
    holdout(series, config)   # the tutorial's chronological split, model vs naive / seasonal naive

sklearn's contract: options are keywords of __init__ (the fields of `Config`), `fit` returns self and
sets attributes ending in `_`, and anything used before `fit` raises NotFittedError.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from . import data as data_mod
from . import metrics
from .config import Config, validate
from .errors import ConfigError, DataError, NotFittedError
from .models import baselines
from .scaling import fit_scaler
from .windows import make_windows, split_train_test, split_validation

MODEL_NAMES = {"lstm": "LSTM", "gru": "GRU", "rnn": "SimpleRNN", "linear": "Linear"}


class Forecaster:
    """A one-step recurrent forecaster; multi-step forecasts are recursive."""

    def __init__(self, config: Config | None = None, /, *, progress: bool = False, **options):
        base = config if config is not None else Config()
        known = set(Config.__dataclass_fields__)
        for k in options:
            if k not in known:
                raise ConfigError(f"unknown option {k!r}; known options: {', '.join(sorted(known))}")
        self.config = validate(base.replace(**options) if options else base)
        self.progress = progress

    def get_params(self) -> dict:
        return self.config.to_dict()

    # ---- fitting -------------------------------------------------------------------------------

    def fit(self, y, *, scaler_data=None) -> "Forecaster":
        """Fit on the series `y` (anything `load_series` reads). The scaler sees `y` only, unless
        `scaler_data` is given (the tutorial's leak: scaler fitted on all data, test included)."""
        from . import train
        from .models import rnn

        cfg = self.config
        series = _as_series(y, cfg.fill)
        v = series.to_numpy(np.float64)
        fit_on = v if scaler_data is None else _as_series(scaler_data, cfg.fill).to_numpy(np.float64)
        self.scaler_ = fit_scaler(fit_on, cfg.scaler, log=cfg.log, feature_range=cfg.scaler_range)
        self.leaks_ = scaler_data is not None
        z = self.scaler_.transform(v).astype(np.float32)
        X, _ = make_windows(z, cfg.window)  # checks the length; (N, w) views
        n_val = split_validation(len(X), cfg.val_size)
        n_fit = len(X) - n_val
        fit_w, val_w = train.Windows.of(z, cfg.window, 1, 0, n_fit), train.Windows.of(z, cfg.window, 1, n_fit)  # no copies
        self.spec_ = rnn.ModelSpec(cell=cfg.model, units=cfg.units, output_activation=cfg.output_activation, window=cfg.window)
        params = init_params(self.spec_, cfg.seed, cfg.ensemble)
        tspec = train.TrainSpec(optimizer=cfg.optimizer, learning_rate=cfg.learning_rate, loss=cfg.loss, epochs=cfg.epochs,
                                batch_size=cfg.batch_size, shuffle=cfg.shuffle, patience=cfg.patience)
        self.params_, self.history_ = train.fit(self.spec_, params, fit_w, None, train=tspec, seed=cfg.seed,
                                                X_val=val_w, progress=self.progress, members=cfg.ensemble)
        self.n_windows_ = (n_fit, n_val)
        self.schema_ = _schema(series, cfg)
        self.context_ = v[-cfg.window:].copy()  # the last window: where forecasts start
        return self

    def _check_fitted(self):
        if not hasattr(self, "params_"):
            raise NotFittedError("this Forecaster is not fitted yet; call fit(series) first (or load a saved model)")

    # ---- prediction ----------------------------------------------------------------------------

    def _predict_z(self, z) -> np.ndarray:
        """Scaled windows (N, window) -> scaled one-step forecasts (N,); an ensemble's median."""
        from . import train

        out = train.predict(self.spec_, self.params_, np.asarray(z, np.float32), members=self.config.ensemble)
        return (out if self.config.ensemble == 1 else np.median(out, axis=0))[:, 0]

    def predict_windows(self, X) -> np.ndarray:
        """One-step forecasts, in the data's units, for raw input windows X (N, window)."""
        self._check_fitted()  # before self.scaler_ is read: NotFittedError, not a bare AttributeError
        return self.scaler_.inverse_transform(self.predict_scaled(X))

    def predict_scaled(self, X) -> np.ndarray:
        """One-step forecasts in scaled units for raw input windows X (N, window)."""
        self._check_fitted()
        X = np.asarray(X, dtype=np.float64)
        if X.ndim != 2 or X.shape[1] != self.config.window:
            raise DataError(f"input windows must have shape (N, {self.config.window}). Received: {X.shape}")
        return self._predict_z(self.scaler_.transform(X))

    def forecast(self, horizon: int, y=None) -> pd.DataFrame:
        """The next `horizon` values after the end of the fitted series (or of `y`), recursively:
        each one-step forecast is fed back as the newest input. Columns: date, forecast."""
        self._check_fitted()
        if isinstance(horizon, bool) or not isinstance(horizon, (int, np.integer)) or horizon < 1:
            raise ConfigError(f"`horizon` must be an integer >= 1. Received: horizon={horizon!r}")
        w = self.config.window
        if y is None:
            ctx, dates = self.context_, _future_dates(self.schema_, horizon)
        else:
            s = _as_series(y, self.config.fill)
            if len(s) < w:
                raise DataError(f"forecasting needs at least window={w} values; the series has {len(s)}")
            ctx, dates = s.to_numpy(np.float64)[-w:], data_mod.future_index(s, horizon)
        z = list(self.scaler_.transform(ctx))
        for _ in range(horizon):
            z.append(float(self._predict_z(np.asarray(z[-w:])[None])[0]))
        out = self.scaler_.inverse_transform(np.asarray(z[w:]))
        return pd.DataFrame({"date": dates, "forecast": out})

    def predict(self, horizon: int = 1, y=None) -> pd.DataFrame:
        """sklearn-style alias of `forecast`: the next `horizon` values after the data."""
        return self.forecast(horizon, y)

    # ---- persistence -----------------------------------------------------------------------------

    def save(self, path) -> None:
        from . import io

        self._check_fitted()
        io.save_model(self, path)

    @classmethod
    def load(cls, path) -> "Forecaster":
        from . import io

        return io.load_model(path)


def init_params(spec, seed: int, members: int = 1):
    """Keras-style initial parameters from `seed`; stacked (M, ...) for an ensemble of M members."""
    import jax

    from .models import rnn

    key = jax.random.fold_in(jax.random.PRNGKey(seed), 1)
    if members == 1:
        return rnn.init_params(spec, key=key)
    return jax.vmap(lambda k: rnn.init_params(spec, key=k))(jax.random.split(key, members))


def _as_series(y, fill: str) -> pd.Series:
    s = data_mod.load_series(y, fill=fill)
    if isinstance(y, pd.Series):  # an already loaded series keeps the count of values filled when loading it
        s.attrs["filled"] = int(s.attrs.get("filled", 0)) + int(y.attrs.get("filled", 0))
    return s


def _schema(series: pd.Series, cfg: Config) -> dict:
    idx = series.index
    dated = isinstance(idx, pd.DatetimeIndex)
    return {
        "name": str(series.name) if series.name is not None else "y",
        "freq": idx.freqstr if dated and idx.freq is not None else None,
        "first": idx[0].isoformat() if dated else int(idx[0]),
        "last": idx[-1].isoformat() if dated else int(idx[-1]),
        "n_obs": int(len(series)),
        "window": cfg.window,
        "filled": int(series.attrs.get("filled", 0)),
    }


def _future_dates(schema: dict, horizon: int) -> pd.Index:
    if schema["freq"]:
        start = pd.Timestamp(schema["last"])
        return pd.date_range(start, periods=horizon + 1, freq=schema["freq"])[1:]
    return pd.RangeIndex(schema["last"] + 1, schema["last"] + 1 + horizon)


# ---- holdout evaluation against baselines ----------------------------------------------------------


@dataclass
class Holdout:
    """Model and baselines on the same test targets (one step ahead, chronological split)."""

    model_name: str
    n_train: int  # training windows (validation tail included)
    n_test: int
    dates: pd.Index  # dates of the test targets
    truth: np.ndarray  # (n_test,) in data units
    predictions: dict  # name -> (n_test,) forecasts
    test_mse_scaled: float  # the tutorial's figure: MSE in scaled units
    fit_s: float
    leaks: bool  # the scaler saw the test period
    season: int | None
    forecaster: Forecaster
    table: list = field(default_factory=list)  # rows: name, rmse, mae, mape, mase

    def verdict(self) -> str:
        rows = {r["model"]: r for r in self.table}
        me = rows[self.model_name]
        base = [r for r in self.table if r["model"] != self.model_name]
        best = min(base, key=lambda r: r["rmse"])
        ratio = me["rmse"] / best["rmse"] if best["rmse"] > 0 else float("inf")
        if ratio > 1.0:
            return (f"verdict: {self.model_name} is WORSE than the {best['model']} baseline on the {self.n_test} test points "
                    f"(RMSE {me['rmse']:.1f} vs {best['rmse']:.1f}, {100 * (ratio - 1):.0f}% higher).")
        return (f"verdict: {self.model_name} beats every baseline on the {self.n_test} test points "
                f"(RMSE {me['rmse']:.1f} vs {best['rmse']:.1f} for {best['model']}, {100 * (1 - ratio):.0f}% lower).")

    def frame(self) -> pd.DataFrame:
        """Prediction vs truth, one row per test date."""
        df = pd.DataFrame({"date": self.dates, "truth": self.truth})
        for k, v in self.predictions.items():
            df[k] = v
        return df


def holdout(y, config: Config | None = None, *, progress: bool = False, **options) -> Holdout:
    """Split the windows chronologically (first int(N*(1-test_size)) train), fit on the training
    part, and forecast each test target one step ahead; baselines on the same targets."""
    f = Forecaster(config, progress=progress, **options)
    cfg = f.config
    if cfg.test_size <= 0:
        raise ConfigError("`test_size` must be > 0 for a holdout evaluation. Received: test_size=0")
    series = _as_series(y, cfg.fill)
    v = series.to_numpy(np.float64)
    X, _ = make_windows(v, cfg.window)
    n_train = split_train_test(len(X), cfg.test_size)
    n_test = len(X) - n_train
    if n_test < 1:
        raise DataError(f"no test windows: {len(X)} windows with test_size={cfg.test_size}; use a larger --test-size or more data")
    cut = n_train + cfg.window  # values before `cut` are the training part
    t0 = time.perf_counter()
    f.fit(series.iloc[:cut], scaler_data=series if cfg.scaler_fit == "all" else None)
    fit_s = time.perf_counter() - t0
    t = np.arange(cut, len(v))  # positions of the test targets
    truth = v[t]
    z_pred = f.predict_scaled(X[n_train:])  # one forward pass: scaled for the tutorial's MSE, units for the rest
    pred = f.scaler_.inverse_transform(z_pred)
    season = cfg.season or data_mod.season_length(series.index.freqstr if isinstance(series.index, pd.DatetimeIndex) else None)
    name = MODEL_NAMES[cfg.model]
    preds = {name: pred, **baselines.one_step(v, t, season)}
    z_truth = f.scaler_.transform(truth)
    ho = Holdout(model_name=name, n_train=n_train, n_test=n_test, dates=series.index[t], truth=truth, predictions=preds,
                 test_mse_scaled=metrics.mse(z_truth, z_pred), fit_s=fit_s, leaks=f.leaks_, season=season, forecaster=f)
    m = season if season and cut > season else 1
    for k, p in preds.items():
        row = {"model": k, **metrics.point_metrics(truth, p), "mase": metrics.mase(truth, p, v[:cut], m)}
        ho.table.append(row)
    ho.table.sort(key=lambda r: r["rmse"])
    return ho
