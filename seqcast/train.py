"""The compiled training loop, read top to bottom.

One epoch is one compiled call: `jax.jit` around `lax.scan` over shuffled minibatches (and, inside
the model, `lax.scan` over time steps). The last partial batch is kept, as Keras does: it runs as
one extra step of its own shape, so no rows are padded or dropped. Data stays on the device; the
only host work per epoch is reading one loss value (for history, early stopping, the progress bar).
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass, field

import jax
import jax.numpy as jnp
import numpy as np
import optax

from .errors import ConfigError
from .models import rnn

OPTIMIZERS = ("adam", "rmsprop", "sgd")
LOSSES = ("mse", "mae", "huber")
# Keras' default hyper-parameters (eps 1e-7; RMSprop rho 0.9, eps inside the sqrt as Keras 3 does).
DEFAULT_LR = {"adam": 1e-3, "rmsprop": 1e-3, "sgd": 1e-2}


@dataclass(frozen=True)
class TrainSpec:
    optimizer: str = "adam"
    learning_rate: float | None = None  # None -> Keras' default for the optimizer
    loss: str = "mse"
    epochs: int = 100
    batch_size: int = 32
    shuffle: bool = True
    patience: int = 0  # early stopping on validation loss; 0 = off


@dataclass
class History:
    loss: list = field(default_factory=list)
    val_loss: list = field(default_factory=list)
    best_epoch: int | None = None  # 1-based, when early stopping restored weights
    fit_s: float = 0.0


def make_optimizer(name: str, learning_rate: float | None = None) -> optax.GradientTransformation:
    if name not in OPTIMIZERS:
        raise ConfigError(f"`optimizer` must be one of {', '.join(OPTIMIZERS)}. Received: optimizer={name!r}")
    lr = DEFAULT_LR[name] if learning_rate is None else float(learning_rate)
    if not lr > 0:
        raise ConfigError(f"`learning_rate` must be > 0. Received: learning_rate={learning_rate!r}")
    if name == "adam":
        return optax.adam(lr, b1=0.9, b2=0.999, eps=1e-7)
    if name == "rmsprop":
        return optax.rmsprop(lr, decay=0.9, eps=1e-7, eps_in_sqrt=True)
    return optax.sgd(lr)


def loss_value(name: str, pred, y):
    if name not in LOSSES:
        raise ConfigError(f"`loss` must be one of {', '.join(LOSSES)}. Received: loss={name!r}")
    if name == "mse":
        return jnp.mean((pred - y) ** 2)
    if name == "mae":
        return jnp.mean(jnp.abs(pred - y))
    return jnp.mean(optax.huber_loss(pred, y, delta=1.0))


_COMPILED: dict = {}  # (spec, train, n, ...) -> compiled epoch: refits of the same shapes reuse it


def epoch_fn(spec: rnn.ModelSpec, train: TrainSpec, n: int):
    """A jitted `epoch(params, opt_state, X, Y, key) -> (params, opt_state, mean_loss)`."""
    key = ("epoch", spec, train, n)
    if key in _COMPILED:
        return _COMPILED[key]
    opt = make_optimizer(train.optimizer, train.learning_rate)
    B = min(train.batch_size, n)
    n_full, rem = divmod(n, B)

    def batch_loss(params, xb, yb):
        return loss_value(train.loss, rnn.apply(spec, params, xb), yb)

    grad_fn = jax.value_and_grad(batch_loss)

    @jax.jit
    def epoch(params, opt_state, X, Y, key):
        def step(state, idx):  # idx (B,) row indices into X, Y
            params, opt_state = state
            loss, grads = grad_fn(params, X[idx], Y[idx])
            updates, opt_state = opt.update(grads, opt_state, params)
            return (optax.apply_updates(params, updates), opt_state), loss

        perm = jax.random.permutation(key, n) if train.shuffle else jnp.arange(n)
        state, total = (params, opt_state), 0.0
        if n_full:
            state, losses = jax.lax.scan(step, state, perm[: n_full * B].reshape(n_full, B))
            total = losses.sum() * B
        if rem:  # the last partial batch, kept as Keras does
            state, loss = step(state, perm[n_full * B :])
            total = total + loss * rem
        return state[0], state[1], total / n  # sample-weighted mean loss, as Keras reports

    _COMPILED[key] = (opt, epoch)
    return opt, epoch


def predict_fn(spec: rnn.ModelSpec):
    key = ("predict", spec)
    if key not in _COMPILED:
        _COMPILED[key] = jax.jit(lambda params, X: rnn.apply(spec, params, X))
    return _COMPILED[key]


def predict(spec: rnn.ModelSpec, params, X, batch_size: int = 8192) -> np.ndarray:
    """Batched compiled forward pass; returns numpy."""
    f = predict_fn(spec)
    X = np.asarray(X, np.float32)
    outs = [np.asarray(f(params, jnp.asarray(X[i : i + batch_size]))) for i in range(0, len(X), batch_size)]
    return np.concatenate(outs) if outs else np.zeros((0,), np.float32)


def fit(spec, params, X, Y, *, train: TrainSpec, seed: int = 0, X_val=None, Y_val=None, progress: bool = False):
    """Train `params` on (X, Y). Returns (params, History). Same seed -> same result on CPU."""
    if int(train.epochs) < 1:
        raise ConfigError(f"`epochs` must be >= 1. Received: epochs={train.epochs!r}")
    if int(train.batch_size) < 1:
        raise ConfigError(f"`batch_size` must be >= 1. Received: batch_size={train.batch_size!r}")
    X = jnp.asarray(X, jnp.float32)
    Y = jnp.asarray(Y, jnp.float32)
    has_val = X_val is not None and len(X_val) > 0
    opt, epoch = epoch_fn(spec, train, len(X))
    opt_state = opt.init(params)
    key = jax.random.PRNGKey(seed)
    hist = History()
    best, best_loss, wait = params, math.inf, 0
    if has_val:
        Xv, Yv = jnp.asarray(X_val, jnp.float32), jnp.asarray(Y_val, jnp.float32)
        val_loss = jax.jit(lambda p: loss_value(train.loss, predict_fn(spec)(p, Xv), Yv))
    t0 = time.perf_counter()
    with _progress(progress, train.epochs) as bar:
        for ep in range(1, train.epochs + 1):
            key, sub = jax.random.split(key)
            params, opt_state, loss = epoch(params, opt_state, X, Y, sub)
            hist.loss.append(float(loss))
            if has_val:
                hist.val_loss.append(float(val_loss(params)))
            bar(ep, hist)
            if train.patience and has_val:
                if hist.val_loss[-1] < best_loss:
                    best, best_loss, wait, hist.best_epoch = params, hist.val_loss[-1], 0, ep
                else:
                    wait += 1
                    if wait >= train.patience:
                        break
    if train.patience and has_val:
        params = best
    hist.fit_s = time.perf_counter() - t0
    return params, hist


class _progress:
    """A rich progress bar when asked and stderr is a terminal; otherwise nothing."""

    def __init__(self, enabled: bool, total: int):
        import sys

        self.enabled = enabled and sys.stderr.isatty()
        self.total = total

    def __enter__(self):
        if not self.enabled:
            return lambda ep, hist: None
        from rich.progress import BarColumn, Progress, TextColumn, TimeRemainingColumn

        self.p = Progress(TextColumn("training"), BarColumn(), TextColumn("{task.completed}/{task.total}"),
                          TextColumn("{task.fields[msg]}"), TimeRemainingColumn(), transient=True)
        self.p.__enter__()
        task = self.p.add_task("fit", total=self.total, msg="")

        def update(ep, hist):
            msg = f"loss {hist.loss[-1]:.4g}" + (f" val {hist.val_loss[-1]:.4g}" if hist.val_loss else "")
            self.p.update(task, completed=ep, msg=msg)

        return update

    def __exit__(self, *exc):
        if self.enabled:
            self.p.__exit__(*exc)
        return False
