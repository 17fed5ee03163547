"""seqcast: neural time-series forecasting with recurrent networks (JAX + optax).

    import seqcast
    series = seqcast.datasets.airline()
    f = seqcast.Forecaster(model="lstm", units=(64,), window=12, seed=0).fit(series)
    f.forecast(24)
    seqcast.holdout(series)          # the model against naive / seasonal naive / linear AR on the last 20% of windows

Imports are lazy: `import seqcast` does not import JAX.
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
    import importlib

    if name in _LAZY:
        mod, attr = _LAZY[name]
        return getattr(importlib.import_module(mod), attr)
    if name in _MODULES:
        return importlib.import_module(f"seqcast.{name}")
    raise AttributeError(f"module 'seqcast' has no attribute {name!r}")


def __dir__():  # the lazy names too: dir(seqcast) and a notebook's tab completion list them
    return sorted({*globals(), *_LAZY, *_MODULES})
