"""Shared test data: tiny and the same everywhere, so the compiled epochs are shared between modules."""

import shutil
from pathlib import Path

import numpy as np
import pandas as pd

FAST = dict(units=(4,), window=6, epochs=2, batch_size=16)  # Forecaster options for quick fits


def monthly(n: int = 60) -> pd.Series:
    """A monthly series with trend and a yearly cycle, from 2000-01."""
    idx = pd.date_range("2000-01-01", periods=n, freq="MS")
    t = np.arange(n)
    return pd.Series(100 + 2 * t + 10 * np.sin(2 * np.pi * t / 12), index=idx, name="y")


_OPEN: list = []  # the `compiles` blocks open now
_LISTENING: list = []  # [True] once _count_compiles is registered: jax.monitoring has no unregister up to jax 0.8.0


def _count_compiles(name, *args, **kwargs):
    for c in _OPEN:
        c.n += name.startswith("/jax/core/compile/")


class compiles:
    """`with compiles() as c: ...` then c.n: the JAX programs traced or compiled inside the block."""

    def __enter__(self):
        import jax

        self.n = 0
        if not _LISTENING:  # one listener for every block, for the whole session
            jax.monitoring.register_event_duration_secs_listener(_count_compiles)
            _LISTENING.append(True)
        _OPEN.append(self)
        return self

    def __exit__(self, *exc):
        _OPEN.remove(self)


class compiled_names:
    """`with compiled_names() as names: ...`: the names of the jitted functions XLA compiled inside the block, in order
    (a model's are epoch and <lambda>: its validation loss and forward pass; jnp ops run eagerly show up by their own)."""

    def __enter__(self):
        import logging

        import jax

        names = self.names = []

        class Names(logging.Handler):
            def emit(self, record):
                if (m := record.getMessage()).startswith("Compiling jit("):
                    names.append(m.split("jit(")[1].split(")")[0])

        self.handler, self.logger = Names(level=logging.DEBUG), logging.getLogger("jax")
        self.logger.addHandler(self.handler)
        self.logging = jax.log_compiles(True)
        self.logging.__enter__()
        return names

    def __exit__(self, *exc):
        self.logging.__exit__(*exc)
        self.logger.removeHandler(self.handler)


def copy_model(saved: Path, tmp_path: Path) -> Path:
    """A copy of a saved model folder to damage in a test, leaving the module's fixture intact."""
    d = tmp_path / "copy"
    shutil.copytree(saved, d)
    return d
