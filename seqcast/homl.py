"""Hands-On ML chapter 15's sequence-model suite on many synthetic series, reproduced.

The seed notebook (seeds/001) trains seven forecasters on 10,000 series of two sines plus noise
(:func:`seqcast.datasets.synthetic`), split 7000 / 2000 / 1000 by series, and prints each one's
validation MSE. Here every network is an :class:`~seqcast.models.rnn.ModelSpec` trained by the same
:func:`seqcast.train.fit` as everything else; only the data layout differs: each series' first 50
values are the input and what follows is the target (:func:`seqcast.windows.split_inputs_targets`).

    target   series   y                           models
    next     51       (B, 1)   the 51st value     naive, linear, simple-rnn, deep-rnn, deep-rnn-dense
    next10   60       (B, 10)  values 51..60      seq2vec-10  (MSE over the 10 outputs)
    seq2seq  60       (B, 50, 10) at every step t the next 10 values; scored on the last step
                                                  seq2seq-10  (last_time_step_mse)

Hyper-parameters are the notebook's (seed document 001): Adam (Keras defaults, eps 1e-7), lr 1e-3 except 0.01 for seq2seq,
20 epochs, batch 32 (Keras' default where the seed sets none) and 128 for the two deep RNNs.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

import numpy as np

from .errors import ConfigError, did_you_mean
from .models.rnn import ModelSpec
from .train import TrainSpec

N_STEPS = 50  # input values per series
N_SERIES = 10_000  # 7000 train / 2000 valid / 1000 test


@dataclass(frozen=True)
class HomlModel:
    name: str
    seed_mse: float  # the validation MSE the seed notebook printed
    spec: ModelSpec | None  # None: naive (last value)
    train: TrainSpec | None
    target: str  # "next" | "next10" | "seq2seq"
    label: str = ""  # the notebook's model, in Keras terms


def _adam(batch_size: int = 32, lr: float | None = None) -> TrainSpec:
    return TrainSpec(optimizer="adam", learning_rate=lr, loss="mse", epochs=20, batch_size=batch_size)


MODELS: tuple[HomlModel, ...] = (
    HomlModel("naive", 0.0201, None, None, "next", "y_pred = X[:, -1]"),
    HomlModel("linear", 0.0043, ModelSpec(cell="linear", window=N_STEPS, n_outputs=1), _adam(), "next", "Flatten + Dense(1)"),
    HomlModel("simple-rnn", 0.0113, ModelSpec(cell="rnn", units=(1,), head=False), _adam(), "next", "SimpleRNN(1)"),
    HomlModel("deep-rnn", 0.0028, ModelSpec(cell="rnn", units=(20, 20, 1), head=False), _adam(128), "next",
              "SimpleRNN(20, 20, 1), batch 128"),
    HomlModel("deep-rnn-dense", 0.0027, ModelSpec(cell="rnn", units=(20, 20), n_outputs=1), _adam(128), "next",
              "SimpleRNN(20, 20) + Dense(1), batch 128"),
    HomlModel("seq2vec-10", 0.0083, ModelSpec(cell="rnn", units=(20, 20), n_outputs=10), _adam(), "next10",
              "SimpleRNN(20, 20) + Dense(10)"),
    HomlModel("seq2seq-10", 0.0062, ModelSpec(cell="rnn", units=(20, 20), n_outputs=10, seq2seq=True), _adam(lr=0.01), "seq2seq",
              "SimpleRNN(20, 20, seq) + TimeDistributed(Dense(10)), lr 0.01"),
)
NAMES = tuple(m.name for m in MODELS)
HORIZON = {"next": 1, "next10": 10, "seq2seq": 10}


def get(names=None) -> list[HomlModel]:
    """The suite's models by name (a list or "a,b"; all when None), in the table's order."""
    if names is None:
        return list(MODELS)
    if isinstance(names, str):
        names = names.split(",")
    names = [n.strip().lower() for n in names if n.strip()]
    unknown = [n for n in names if n not in NAMES]
    if unknown or not names:
        raise ConfigError(f"`models` must be names from {', '.join(NAMES)}. Received: models={','.join(names) if names else ''!r}"
                          + (did_you_mean(unknown[0], NAMES) if unknown else ""))
    return [m for m in MODELS if m.name in names]


def make_data(target: str, n_series: int = N_SERIES, seed: int = 0) -> dict:
    """The seed's data for a target kind: {"train"|"valid"|"test": (X, Y)} from ``synthetic``."""
    from .datasets import homl_split, synthetic
    from .windows import split_inputs_targets

    k = HORIZON[target]
    series = synthetic(n_series, N_STEPS + k, seed=seed)
    parts = homl_split(series)
    return {name: split_inputs_targets(part, N_STEPS, k, seq2seq=target == "seq2seq") for name, part in zip(("train", "valid", "test"), parts)}


def score(target: str, y_true, y_pred) -> float:
    """Validation/test MSE as the seed computes it: last_time_step_mse for seq2seq, plain MSE otherwise."""
    from . import metrics

    return metrics.last_time_step_mse(y_true, y_pred) if target == "seq2seq" else metrics.mse(y_true, y_pred)


def naive_forecast(X, Y):
    """Repeat the last input value: X (N, T) or (N, T, 1) -> the shape of Y. For seq2seq targets
    Y (N, T, k), the value seen at every step t, X[:, t], for all k steps after it."""
    X = np.asarray(X)
    x = X[..., 0] if X.ndim == 3 else X  # (N, T)
    if np.ndim(Y) == 3:
        return np.broadcast_to(x[:, :, None], np.shape(Y))  # (N, T, k)
    return np.broadcast_to(x[:, -1:], np.shape(Y)) if np.ndim(Y) == 2 else x[:, -1]  # (N, k) or (N,)


def run(models=None, seed: int = 0, *, n_series: int = N_SERIES, epochs: int | None = None, data_seed: int | None = None,
        keep_predictions: bool = False, progress: bool = False) -> list[dict]:
    """Train and score the suite. One dict per model: model, seed_mse, valid_mse, test_mse, fit_s, and
    naive_valid_mse (the naive forecast on the same validation targets, the line a trained model must beat).

    `seed` sets the parameters' init and the minibatch shuffling; `data_seed`
    (default: `seed`) the synthetic series. `n_series` and `epochs` shrink the run (tests, quick looks).
    With `keep_predictions`, rows also hold valid_inputs, valid_true, valid_pred (numpy arrays).
    """
    from .models import rnn
    from .train import check_backend, fit, predict

    chosen = get(models)
    if epochs is not None and (isinstance(epochs, bool) or not isinstance(epochs, (int, np.integer)) or epochs < 1):
        raise ConfigError(f"`epochs` must be an integer >= 1. Received: epochs={epochs!r}")
    for name, v in (("seed", seed), ("data_seed", data_seed)):
        if v is not None and (isinstance(v, bool) or not isinstance(v, (int, np.integer)) or v < 0):
            raise ConfigError(f"`{name}` must be an integer >= 0. Received: {name}={v!r}")
    data_seed = seed if data_seed is None else data_seed
    if any(m.spec is not None for m in chosen):
        check_backend()
    data: dict = {}
    rows = []
    for m in chosen:
        if m.target not in data:
            data[m.target] = make_data(m.target, n_series, data_seed)
        d = data[m.target]
        (Xtr, Ytr), (Xva, Yva), (Xte, Yte) = d["train"], d["valid"], d["test"]
        naive_valid = naive_forecast(Xva, Yva)  # the line every trained model must beat
        if m.spec is None:  # naive: the last input value
            pv, pt, fit_s = naive_valid, naive_forecast(Xte, Yte), 0.0
        else:
            train = m.train if epochs is None else dataclasses.replace(m.train, epochs=int(epochs))
            params = rnn.init_params(m.spec, key=seed)
            params, hist = fit(m.spec, params, Xtr, Ytr, train=train, seed=seed, progress=progress)
            pv, pt, fit_s = predict(m.spec, params, Xva), predict(m.spec, params, Xte), hist.fit_s
        valid_mse = score(m.target, Yva, pv)
        row = {"model": m.name, "seed_mse": m.seed_mse, "valid_mse": valid_mse, "test_mse": score(m.target, Yte, pt),
               "fit_s": float(fit_s), "seed": seed, "data_seed": data_seed, "n_series": n_series, "target": m.target,
               "naive_valid_mse": valid_mse if m.spec is None else score(m.target, Yva, naive_valid)}
        if keep_predictions:
            row.update(valid_inputs=Xva, valid_true=Yva, valid_pred=np.asarray(pv))
        rows.append(row)
    return rows


def summarize(runs: list[list[dict]]) -> list[dict]:
    """Several `run` results (one per seed) -> one row per model: means, sample std, per-seed lists.

    A model can fail on one seed and not on others (SimpleRNN(1) stays at MSE ~0.14 from some inits),
    so the per-seed values and the median of valid_mse are kept next to the mean, and
    `seeds_worse_than_naive` lists the seeds whose trained model did not beat the naive forecast.
    """
    out = []
    for i, first in enumerate(runs[0]):
        per = [r[i] for r in runs]
        row = {"model": first["model"], "seed_mse": first["seed_mse"]}
        for key in ("valid_mse", "test_mse", "fit_s"):
            vals = [float(p[key]) for p in per]
            row[key] = float(np.mean(vals))
            row[f"{key}_std"] = float(np.std(vals, ddof=1)) if len(vals) > 1 else 0.0
            row[f"{key}_per_seed"] = vals
        row["valid_mse_median"] = float(np.median(row["valid_mse_per_seed"]))
        row["seeds"] = [p["seed"] for p in per]
        row["seeds_worse_than_naive"] = [p["seed"] for p in per if p["valid_mse"] > p["naive_valid_mse"]]
        row["ratio"] = row["valid_mse"] / row["seed_mse"]
        out.append(row)
    return out
