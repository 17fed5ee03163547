"""Models as pure functions: rnn (SimpleRNN / LSTM / GRU stacks), fused (their scans with hand-written
backward passes), baselines (naive, seasonal naive, drift, window average, linear AR; statsforecast's)."""


def __getattr__(name):  # seqcast.models.rnn without importing it first (and JAX only when asked for)
    import importlib

    if name in ("rnn", "fused", "baselines"):
        return importlib.import_module(f"seqcast.models.{name}")
    raise AttributeError(f"module 'seqcast.models' has no attribute {name!r}")
