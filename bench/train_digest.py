"""Digests of trained parameters, to check that a change to the training code changes no number.

    .venv/bin/python bench/train_digest.py > before.txt     # on the old commit
    .venv/bin/python bench/train_digest.py | diff before.txt -   # on the new one: no output = bit-identical

Five tiny models (gru/adam, lstm/rmsprop with early stopping, rnn/sgd, a 3-member gru ensemble with early
stopping, linear) trained 7 epochs on fixed random windows, and a 2-member GRU forecaster on the airline series:
a sha256 prefix of every model's parameters, its last epoch loss, and the forecaster's first 3 forecasts.
On one machine (same CPU, same library versions) the output is the same run after run.
"""

from __future__ import annotations

import hashlib

import jax
import numpy as np

from seqcast import Forecaster, datasets, train
from seqcast.forecast import init_params
from seqcast.models import rnn


def digest(tree) -> str:
    return hashlib.sha256(b"".join(np.asarray(x).tobytes() for x in jax.tree_util.tree_leaves(tree))).hexdigest()[:16]


def main():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(70, 8)).astype(np.float32)
    Y = (X[:, -3:].sum(1, keepdims=True) * 0.3).astype(np.float32)
    for cell, opt, lr, members, patience in [("gru", "adam", None, 1, 0), ("lstm", "rmsprop", None, 1, 3), ("rnn", "sgd", 0.05, 1, 0),
                                             ("gru", "adam", 0.01, 3, 2), ("linear", "adam", None, 1, 0)]:
        spec = rnn.ModelSpec(cell=cell, units=(5,), window=8)
        ts = train.TrainSpec(optimizer=opt, learning_rate=lr, epochs=7, batch_size=16, patience=patience)
        p, hist = train.fit(spec, init_params(spec, 1, members), X, Y, train=ts, seed=2, members=members, X_val=X[:10], Y_val=Y[:10])
        print((cell, opt, members, digest(p), hist.loss[-1]))
    f = Forecaster(model="gru", units=(8,), window=12, epochs=20, ensemble=2).fit(datasets.airline())
    print(("forecaster", f.forecast(3)["forecast"].round(10).tolist()))


if __name__ == "__main__":
    main()
