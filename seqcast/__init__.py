"""seqcast: neural time-series forecasting with recurrent networks (JAX + optax).

    >>> import seqcast
    >>> series = seqcast.datasets.airline()          # pd.Series: 144 monthly values, 1949-01 .. 1960-12
    >>> f = seqcast.Forecaster(model="gru", units=(8,), epochs=5, seed=0).fit(series)
    >>> fc = f.forecast(3)                             # DataFrame: the next 3 months
    >>> fc.columns.tolist(), len(fc), str(fc["date"].iloc[0].date())
    (['date', 'forecast'], 3, '1961-01-01')
    >>> ho = seqcast.holdout(series, model="gru", units=(8,), epochs=5)   # the last 20% of the windows held out
    >>> ho.leaderboard().columns.tolist()            # the model beside naive, seasonal naive and linear AR
    ['model', 'rmse', 'mae', 'mape', 'mase']

Forecaster      fit(y) / forecast(h) / predict_windows(X) / save(path) / load(path): one series or many
holdout         fit on the first windows, score one step ahead on the rest beside baselines -> Holdout
Config          every option (the keywords of Forecaster, the keys of a TOML file); help(seqcast.Config)
load_series     one series from a CSV / Parquet path, a Series, a DataFrame or an array, checked
load_long       many series from long format (unique_id, ds, y) -> {id: series}
load_model      a saved model directory -> a fitted Forecaster (same as Forecaster.load)
datasets        airline(), the Hands-On ML generator, competition sets;  errors: the exceptions raised
backtest.backtest  rolling-origin evaluation of models and baselines; metrics, scaling, windows, report, ...

Imports are lazy: `import seqcast` does not import JAX; the names above and the submodules load on first use.
"""

__version__ = "0.1.0"

_LAZY = {
    "Forecaster": ("seqcast.forecast", "Forecaster"),
    "holdout": ("seqcast.forecast", "holdout"),
    "Config": ("seqcast.config", "Config"),
    "load_series": ("seqcast.data", "load_series"),
    "load_long": ("seqcast.long", "load_long"),
    "load_model": ("seqcast.io", "load_model"),
    "Holdout": ("seqcast.forecast", "Holdout"),  # what holdout returns
}
# submodules reachable as attributes without importing them first (seqcast.config.TUTORIAL, seqcast.report...)
_MODULES = ("backtest", "config", "data", "datasets", "errors", "homl", "honest", "intervals", "io", "long", "metrics", "models",
            "panel", "report", "runs", "scaling", "summary", "train", "windows")
__all__ = ["__version__", "datasets", "errors", *_LAZY]  # not every module: `from seqcast import *` stays light


def __getattr__(name):
    """The lazy names and submodules, imported on first use (PEP 562)."""
    import importlib

    if name in _LAZY:
        mod, attr = _LAZY[name]
        return getattr(importlib.import_module(mod), attr)
    if name in _MODULES:
        return importlib.import_module(f"seqcast.{name}")
    raise AttributeError(f"module 'seqcast' has no attribute {name!r}")


def __dir__():
    """The module's names with the lazy ones: dir(seqcast) and a notebook's tab completion list them."""
    return sorted({*globals(), *_LAZY, *_MODULES})
