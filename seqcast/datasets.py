"""Built-in datasets, and :func:`load` for "a built-in name or a file path".

Built-in datasets are registered in ``_BUILTINS`` (name -> loader), so new ones
(e.g. a synthetic generator) only need a function and one entry there.
"""

from __future__ import annotations

import importlib.resources
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pandas as pd

from seqcast.data import load_series
from seqcast.errors import ConfigError, DataError

__all__ = ["airline", "load", "builtin_names"]


def _airline(**kwargs: Any) -> pd.Series:
    """The airline CSV through ``load_series``; ``kwargs`` may set freq/fill only."""
    for opt in ("column", "date_column", "header"):
        value = kwargs.pop(opt, None)
        if value is not None:
            raise ConfigError(
                f"`{opt}` does not apply to the built-in dataset 'airline'. "
                f"Received: {opt}={value!r}; leave it unset"
            )
    ref = importlib.resources.files("seqcast") / "_data" / "airline.csv"
    with importlib.resources.as_file(ref) as path:
        series = load_series(path, header=False, date_column=0, column=1,
                             freq=kwargs.pop("freq", None) or "MS", **kwargs)
    series.name = "passengers"
    return series


def airline() -> pd.Series:
    """Monthly international airline passengers (thousands), 1949-01 to 1960-12.

    The classic Box & Jenkins series: 144 values, ``name="passengers"``,
    a month-start (``freq='MS'``) ``DatetimeIndex`` from 1949-01-01 to 1960-12-01.
    """
    return _airline()


#: Built-in dataset name -> loader accepting ``load_series`` keyword options.
_BUILTINS: dict[str, Callable[..., pd.Series]] = {
    "airline": _airline,
}


def builtin_names() -> list[str]:
    """Names of the built-in datasets, sorted."""
    return sorted(_BUILTINS)


def load(name_or_path: Any, **kwargs: Any) -> pd.Series:
    """Load a built-in dataset by name, or anything :func:`load_series` accepts.

    ``"airline"`` gives :func:`airline` (``freq``/``fill`` options may be given;
    ``None`` options are ignored). Any other str or path is read as a CSV file
    with ``load_series(path, **kwargs)``; Series, DataFrames, arrays and lists
    go to ``load_series`` as they are.

    Raises:
        DataError: a name that is neither a built-in dataset nor an existing file,
            or any problem ``load_series`` finds.
    """
    if isinstance(name_or_path, str) and name_or_path.strip().lower() in _BUILTINS:
        loader = _BUILTINS[name_or_path.strip().lower()]
        options = {k: v for k, v in kwargs.items() if v is not None}
        return loader(**options)
    if isinstance(name_or_path, (str, Path)):
        path = Path(name_or_path).expanduser()
        if not path.exists():
            raise DataError(
                f"no file or built-in dataset named {str(name_or_path)!r}; "
                f"built-in datasets: {', '.join(builtin_names())}"
            )
        return load_series(path, **kwargs)
    return load_series(name_or_path, **kwargs)
