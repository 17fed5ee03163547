"""Shared test data: tiny and the same everywhere, so the compiled epochs are shared between modules."""

import numpy as np
import pandas as pd

FAST = dict(units=(4,), window=6, epochs=2, batch_size=16)  # Forecaster options for quick fits


def monthly(n: int = 60) -> pd.Series:
    """A monthly series with trend and a yearly cycle, from 2000-01."""
    idx = pd.date_range("2000-01-01", periods=n, freq="MS")
    t = np.arange(n)
    return pd.Series(100 + 2 * t + 10 * np.sin(2 * np.pi * t / 12), index=idx, name="y")


class compiles:
    """`with compiles() as c: ...` then c.n: the JAX programs traced or compiled inside the block."""

    def __enter__(self):
        import jax

        self.n = 0
        self._listen = lambda name, *a, **kw: setattr(self, "n", self.n + name.startswith("/jax/core/compile/"))
        jax.monitoring.register_event_duration_secs_listener(self._listen)
        return self

    def __exit__(self, *exc):
        import jax

        jax.monitoring.unregister_event_duration_listener(self._listen)
