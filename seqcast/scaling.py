"""Scalers as plain data: fit on the training part only, then transform / invert.

A `Scaler` is a frozen dataclass of floats, so it saves to JSON as it is.
The optional log transform (log1p) is applied before the scaler and undone after it; when it was
fitted on values that are all >= 0, undoing it never gives a negative value (`nonneg`).

    kind        transform(x)                          fitted on
    minmax      lo + (x - min) / (max - min) * (hi-lo)  min, max of the training values
    standard    (x - mean) / std                        mean, std
    robust      (x - median) / IQR                      median, IQR (q75 - q25)
    none        x
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, fields

import numpy as np

from .errors import ConfigError, DataError

SCALERS = ("minmax", "standard", "robust", "none")


@dataclass(frozen=True)
class Scaler:
    """A fitted scaler (`fit_scaler` makes one): `transform(x)` to the network's units, `inverse_transform(z)` back;
    both take any array shape and return float64 arrays of that shape. Plain floats: `to_dict()` / `from_dict`.

    >>> s = fit_scaler([100.0, 200.0, 300.0])             # minmax onto (0, 1)
    >>> s.transform([100.0, 250.0]).tolist(), s.inverse_transform([1.0]).tolist()
    ([0.0, 0.75], [300.0])
    """

    kind: str = "minmax"
    log: bool = False
    shift: float = 0.0  # subtracted after the log: min / mean / median
    scale: float = 1.0  # divided after the shift: max-min / std / IQR
    lo: float = 0.0  # minmax target range
    hi: float = 1.0
    nonneg: bool = False  # log fitted on values >= 0: inverted values are clipped at 0 (expm1 could give -1 < x < 0)

    def transform(self, x) -> np.ndarray:
        """Data units -> the network's units (log1p first when `log`); any shape in, float64 of that shape out."""
        x = np.asarray(x, dtype=np.float64)
        if self.log:
            x = _log1p(x)
        z = (x - self.shift) / self.scale
        if self.kind == "minmax":
            z = self.lo + z * (self.hi - self.lo)
        return z

    def inverse_transform(self, z) -> np.ndarray:
        """The network's units -> data units: undoes `transform` (clipped at 0 when `nonneg`)."""
        z = np.asarray(z, dtype=np.float64)
        if self.kind == "minmax":
            z = (z - self.lo) / (self.hi - self.lo)
        x = z * self.scale + self.shift
        if self.log:
            x = np.expm1(x)
            if self.nonneg:
                x = np.maximum(x, 0.0)
        return x

    def to_dict(self) -> dict:
        """The fitted state as plain floats (saved in model.json)."""
        return asdict(self)

    @classmethod
    def from_dict(cls, d: dict) -> Scaler:
        """The Scaler `to_dict` wrote; `nonneg` may be absent (files saved before it: False, as they forecast).
        Raises TypeError for a non-object, ValueError for another field missing (a default `shift` or `scale` would
        forecast wrong silently) or unknown (a newer seqcast's: ignoring it could too)."""
        names = [f.name for f in fields(cls)]
        if not isinstance(d, dict):
            raise TypeError(f"scaler must be an object of {', '.join(names)}. Received: {d!r:.80}")
        missing = [k for k in names if k not in d and k != "nonneg"]
        unknown = [k for k in d if k not in names]
        if missing or unknown:
            raise ValueError(f"scaler {'has no ' + repr(missing[0]) if missing else 'has unknown field ' + repr(unknown[0])}; "
                             f"it holds {', '.join(names)}")
        return cls(**d)


def _log1p(x: np.ndarray) -> np.ndarray:
    """log1p, refusing values <= -1 (where it would give NaN or -inf silently)."""
    if np.any(x <= -1):
        raise DataError(f"`log=True` needs values > -1 (it uses log1p), and the data has {x[x <= -1][0]:.6g}; "
                        "turn log off (CLI --no-log, or log = false in a --config file) or shift the data.")
    return np.log1p(x)


def fit_scaler(x, kind: str = "minmax", *, log: bool = False, feature_range=(0.0, 1.0)) -> Scaler:
    """Fit a scaler on `x` (the training values only, unless you mean to leak).

    kind "auto" (seqcast's automatic configuration) decides per series: "none" with log for a series in
    units of 1 or more (its log values as they are: a change in log is a relative change, comparable
    across series), else "standard": without log, or for a series in small units (mean |x| < 1, where
    log1p is nearly linear and its values would stay tiny beside the network's offsets)."""
    from .metrics import _numbers

    if not isinstance(log, (bool, np.bool_)):
        raise ConfigError(f"`log` must be true or false. Received: log={log!r}")
    log = bool(log)
    if not isinstance(kind, str):
        raise ConfigError(f"`scaler` must be one of {', '.join(SCALERS)}, auto. Received: scaler={kind!r}")
    x = _numbers("x", x).ravel()
    if kind == "auto":
        kind = "none" if log and x.size and np.mean(np.abs(x)) >= 1 else "standard"
    if kind not in SCALERS:
        raise ConfigError(f"`scaler` must be one of {', '.join(SCALERS)}, auto. Received: scaler={kind!r}")
    from .windows import is_real

    ok = isinstance(feature_range, (list, tuple, np.ndarray)) and len(feature_range) == 2 and all(
        is_real(v) and np.isfinite(v) for v in feature_range)
    lo, hi = (float(v) for v in feature_range) if ok else (0.0, 0.0)
    if not lo < hi:
        raise ConfigError(f"`scaler_range` must be (low, high), finite numbers with low < high. Received: scaler_range={feature_range!r}")
    if x.size == 0 or not np.isfinite(x).all():
        raise DataError(f"a scaler needs finite values to fit on. Received: {x.size} values"
                        + (f", {int((~np.isfinite(x)).sum())} of them NaN or inf" if x.size else "")
                        + "; fill the gaps first (load_series(..., fill='interpolate'))")
    nonneg = bool(log and np.all(x >= 0))
    if log:
        x = _log1p(x)
    if kind == "minmax":
        shift, scale = x.min(), x.max() - x.min()
    elif kind == "standard":
        shift, scale = x.mean(), x.std()
    elif kind == "robust":
        q25, shift, q75 = np.percentile(x, [25, 50, 75])
        scale = q75 - q25
    else:
        shift, scale = 0.0, 1.0
    if not scale > 0 or np.ptp(x) == 0:  # constant training data (whose std may be rounding, 1e-16): scale 1, a pure shift
        scale = 1.0
    return Scaler(kind=kind, log=log, shift=float(shift), scale=float(scale), lo=lo, hi=hi, nonneg=nonneg)
