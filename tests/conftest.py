"""Shared test data: tiny and the same everywhere, so the compiled epochs are shared between modules."""

import numpy as np
import pandas as pd

FAST = dict(units=(4,), window=6, epochs=2, batch_size=16)  # Forecaster options for quick fits


def monthly(n: int = 60) -> pd.Series:
    """A monthly series with trend and a yearly cycle, from 2000-01."""
    idx = pd.date_range("2000-01-01", periods=n, freq="MS")
    t = np.arange(n)
    return pd.Series(100 + 2 * t + 10 * np.sin(2 * np.pi * t / 12), index=idx, name="y")
