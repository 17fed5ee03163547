"""Forecast accuracy metrics: plain numpy, `y_true` first.

    mse   mean((y - p)^2)          rmse  sqrt(mse)            mae  mean(|y - p|)
    mape  100 * mean(|y - p| / |y|)                          (percent; y == 0 is skipped)
    smape 100 * mean(2 |y - p| / (|y| + |p|))                (percent, 0..200)
    mase  mae / mean(|y_t - y_{t-m}|) over the training series (in-sample seasonal naive)
    last_time_step_mse  mse of the last time step of seq-to-seq outputs (B, T, k) -> [:, -1]
"""

from __future__ import annotations

import numpy as np

from .errors import DataError


def _pair(y_true, y_pred):
    y = np.asarray(y_true, dtype=np.float64)
    p = np.asarray(y_pred, dtype=np.float64)
    if y.shape != p.shape:
        raise DataError(f"y_true and y_pred must have the same shape. Received: {y.shape} and {p.shape}")
    return y, p


def mse(y_true, y_pred) -> float:
    y, p = _pair(y_true, y_pred)
    return float(np.mean((y - p) ** 2))


def rmse(y_true, y_pred) -> float:
    return float(np.sqrt(mse(y_true, y_pred)))


def mae(y_true, y_pred) -> float:
    y, p = _pair(y_true, y_pred)
    return float(np.mean(np.abs(y - p)))


def mape(y_true, y_pred) -> float:
    y, p = _pair(y_true, y_pred)
    ok = y != 0
    if not ok.any():
        return float("nan")
    return float(100.0 * np.mean(np.abs(y[ok] - p[ok]) / np.abs(y[ok])))


def smape(y_true, y_pred) -> float:
    y, p = _pair(y_true, y_pred)
    den = np.abs(y) + np.abs(p)
    ratio = np.divide(2.0 * np.abs(y - p), den, out=np.zeros_like(den), where=den > 0)
    return float(100.0 * np.mean(ratio))


def mase(y_true, y_pred, y_train, season: int = 1) -> float:
    """MAE scaled by the in-sample MAE of the seasonal naive forecast on `y_train`."""
    y_train = np.asarray(y_train, dtype=np.float64)
    if len(y_train) <= season:
        raise DataError(f"MASE needs a training series longer than the season. Received: len={len(y_train)}, season={season}")
    scale = np.mean(np.abs(y_train[season:] - y_train[:-season]))
    return float(mae(y_true, y_pred) / scale) if scale > 0 else float("nan")


def last_time_step_mse(y_true, y_pred) -> float:
    """MSE of the last time step: y (B, T, k) -> y[:, -1] (B, k)."""
    y, p = _pair(y_true, y_pred)
    return mse(y[:, -1], p[:, -1])


def point_metrics(y_true, y_pred) -> dict:
    """rmse, mae, mape in the data's own units."""
    return {"rmse": rmse(y_true, y_pred), "mae": mae(y_true, y_pred), "mape": mape(y_true, y_pred)}
