"""The compiled training loop, read top to bottom.

One epoch is one compiled call: `jax.jit` around `lax.scan` over shuffled minibatches (and, inside
the model, `lax.scan` over time steps). The last partial batch is kept, as Keras does: it runs as
one extra step of its own shape, or, when that adds at most 2% rows (PAD_LIMIT), is padded to a full
batch whose padding rows weigh 0; no row is dropped. Data stays on the device; the
only host work per epoch is reading one loss value (for history, early stopping, the progress bar).
"""

from __future__ import annotations

import os
import re
import threading
import time
import warnings
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, NamedTuple

import jax
import jax.numpy as jnp
import numpy as np

from .config import DEFAULT_LR, check_limit  # Keras' default learning rates
from .errors import ConfigError, DataError
from .models import rnn
from .windows import n_windows

if TYPE_CHECKING:  # imported by the functions that train: forecasting with a saved model needs no optax
    import optax

OPTIMIZERS = ("adam", "rmsprop", "sgd")
LOSSES = ("mse", "mae", "huber")
# Keras' default hyper-parameters and update rules (Adam: `keras_adam`; RMSprop rho 0.9, eps 1e-7 inside the sqrt).


@dataclass(frozen=True)
class TrainSpec:
    """How `fit` trains, as Keras' compile + fit arguments (note: 100 epochs and no early stopping by default, unlike `Config`)."""

    optimizer: str = "adam"
    learning_rate: float | None = None  # None -> Keras' default for the optimizer
    loss: str = "mse"
    epochs: int = 100
    batch_size: int = 32
    shuffle: bool = True
    patience: int = 0  # early stopping on validation loss; 0 = off


@dataclass
class History:
    """A fit's record (Keras' history.history): mean training loss per epoch, validation loss per epoch (empty without
    validation data), the 1-based epoch early stopping restored (one per member for an ensemble; None without early
    stopping) and the seconds the fit took."""

    loss: list = field(default_factory=list)
    val_loss: list = field(default_factory=list)
    best_epoch: int | list | None = None  # 1-based, when early stopping restored weights (per member)
    fit_s: float = 0.0


def make_optimizer(name: str, learning_rate: float | None = None) -> optax.GradientTransformation:
    return _optimizer(name, learning_rate_of(name, learning_rate))


def learning_rate_of(name: str, learning_rate: float | None = None) -> float:
    """The learning rate an optimizer uses (Keras' default for None), checked."""
    if not isinstance(name, str) or name not in OPTIMIZERS:
        raise ConfigError(f"`optimizer` must be one of {', '.join(OPTIMIZERS)}. Received: optimizer={name!r}")
    from .windows import is_real

    lr = DEFAULT_LR[name] if learning_rate is None else float(learning_rate) if is_real(learning_rate) else float("nan")  # not '1e-3', True
    if not 0 < lr < float("inf"):
        raise ConfigError(f"`learning_rate` must be a finite number > 0. Received: learning_rate={learning_rate!r}")
    return lr


def _optimizer(name: str, lr) -> optax.GradientTransformation:  # lr: a float, or a traced scalar inside the epoch
    import optax

    if name == "adam":
        return keras_adam(lr)
    if name == "rmsprop":
        return optax.rmsprop(lr, decay=0.9, eps=1e-7, eps_in_sqrt=True)
    return optax.sgd(lr)


class _AdamState(NamedTuple):
    count: jax.Array  # steps taken, int32
    mu: optax.Updates
    nu: optax.Updates


def keras_adam(learning_rate: float, b1: float = 0.9, b2: float = 0.999, eps: float = 1e-7) -> optax.GradientTransformation:
    """Adam as Keras computes it: the bias corrections go into the step size and eps is added to the
    uncorrected sqrt(v), i.e. optax.adam with eps / sqrt(1 - b2^t) in place of eps:

        alpha_t = lr * sqrt(1 - b2^t) / (1 - b1^t);   update = -alpha_t * m / (sqrt(v) + eps)

    Early on that eps is ~30x larger (3e-6 at t = 1), which damps the first steps of weights with tiny
    gradients. With optax.adam the parameters drifted 6e-4 from Keras' after one step at lr 0.01 (the
    Hands-On ML seq2seq model), with this they agree to 1e-8."""
    import optax

    def init(params):
        zeros = jax.tree_util.tree_map(jnp.zeros_like, params)
        return _AdamState(jnp.zeros([], jnp.int32), zeros, zeros)

    def update(grads, state, params=None):
        del params
        t = state.count + 1
        mu = jax.tree_util.tree_map(lambda m, g: m + (g - m) * (1 - b1), state.mu, grads)
        nu = jax.tree_util.tree_map(lambda v, g: v + (g * g - v) * (1 - b2), state.nu, grads)
        tf = t.astype(jnp.float32)
        alpha = learning_rate * jnp.sqrt(1 - b2**tf) / (1 - b1**tf)
        updates = jax.tree_util.tree_map(lambda m, v: -alpha * m / (jnp.sqrt(v) + eps), mu, nu)
        return updates, _AdamState(t, mu, nu)

    return optax.GradientTransformation(init, update)


CPU_COMPILER_OPTIONS = {"xla_backend_optimization_level": 1, "xla_cpu_use_fusion_emitters": False}


def jit(f):
    """`jax.jit` with two XLA options on CPU, both measured with bench/vs_keras.py:
    - backend optimisation level 1: compiles 15-20% faster, and the epochs ran as fast or faster
      (level 0 ran deep RNNs 3x slower);
    - XLA's older elemental fusion emitters (`xla_cpu_use_fusion_emitters` off): compiles a 300-unit
      LSTM's epoch in half the time (0.96 -> 0.49 s) and the small models' a third or more faster
      (deep RNN 0.55 -> 0.35 s, linear 0.20 -> 0.11 s), while the epochs run as fast.
    It traces `f` with numpy-style rank promotion allowed, whatever the user's
    `jax_numpy_rank_promotion` says (our (B, H) + (H,) bias adds are written that way)."""
    f = rnn.allow_rank_promotion(f)
    if jax.default_backend() == "cpu":
        return jax.jit(f, compiler_options=CPU_COMPILER_OPTIONS)
    return jax.jit(f)


def to_device(a, dtype=np.float32) -> jax.Array:
    """`a` as a device array of `dtype`, put there without compiling anything: `jnp.asarray` of numpy data
    compiles a copy (or a cast) per shape, 10-50 ms each (a demo compiled 19 of them)."""
    if isinstance(a, jax.Array) and a.dtype == dtype:
        return a
    return jax.device_put(np.asarray(a, dtype))


@jax.tree_util.register_pytree_node_class
class Windows:
    """Training windows as indices into one value array, so they are never copied:

        X[i] = values[starts[i] : starts[i] + window]
        Y[i] = values[starts[i] + window : starts[i] + window + horizon]

    With seq2seq=True the targets are the next `horizon` values after every input step:

        Y[i, t] = values[starts[i] + t + 1 : starts[i] + t + 1 + horizon]     (window, horizon)

    Memory is the values plus one int32 per window, whatever the window length."""

    def __init__(self, values, starts, window: int, horizon: int = 1, seq2seq: bool = False):
        self.values, self.starts, self.window, self.horizon = values, starts, int(window), int(horizon)
        self.seq2seq = bool(seq2seq)

    def __len__(self):
        return int(self.starts.shape[0])

    @rnn.allow_rank_promotion
    def take(self, idx, xp=jnp):
        """Rows `idx` as arrays: X (b, window), Y (b, horizon), or Y (b, window, horizon) with seq2seq.
        xp=np: numpy arrays, built on the host (jnp's indexing outside a jit compiles ~13 programs per shape)."""
        values, s = xp.asarray(self.values), xp.asarray(self.starts)[idx][:, None]
        X = values[s + xp.arange(self.window)]
        if self.seq2seq:  # (b, window, horizon)
            return X, values[s[:, :, None] + 1 + xp.arange(self.window)[:, None] + xp.arange(self.horizon)]
        return X, values[s + self.window + xp.arange(self.horizon)]

    def tree_flatten(self):
        return (self.values, self.starts), (self.window, self.horizon, self.seq2seq)

    @classmethod
    def tree_unflatten(cls, aux, leaves):
        return cls(*leaves, *aux)

    @classmethod
    def of(cls, values, window: int, horizon: int = 1, start: int = 0, stop: int | None = None):
        """Windows starting at positions start..stop-1 of `values` (default: all that fit)."""
        stop = n_windows(len(values), window, horizon) if stop is None else stop
        return cls(to_device(values), to_device(np.arange(start, stop), np.int32), window, horizon)


def _rows(X, Y, idx):
    """A minibatch: rows `idx` of arrays (X, Y), or of index windows X (Y is then None)."""
    if isinstance(X, Windows):
        return X.take(idx)
    return X[idx], Y[idx]


def sample_loss(name: str, pred, y):
    """Per-sample loss (B,): the elementwise loss averaged over every axis but the first."""
    if name not in LOSSES:
        raise ConfigError(f"`loss` must be one of {', '.join(LOSSES)}. Received: loss={name!r}")
    if name == "mse":
        e = (pred - y) ** 2
    elif name == "mae":
        e = jnp.abs(pred - y)
    else:
        import optax

        e = optax.huber_loss(pred, y, delta=1.0)
    return e.reshape(e.shape[0], -1).mean(axis=1)


def loss_value(name: str, pred, y):
    return jnp.mean(sample_loss(name, pred, y))


def default_cache_home() -> str:
    """$XDG_CACHE_HOME when set to an absolute path (the XDG base directory rule), else ~/.cache; "" (no cache) where
    the home is a relative path (HOME=x: the cache was made as x/.cache/seqcast/jax in whatever folder a command ran in)."""
    xdg, home = os.environ.get("XDG_CACHE_HOME", ""), os.path.expanduser("~")
    return xdg if os.path.isabs(xdg) else os.path.join(home, ".cache") if os.path.isabs(home) else ""


def enable_compilation_cache() -> None:
    """JAX's persistent compilation cache, so a second run of the same shapes starts at once.
    Where: $SEQCAST_CACHE_DIR, else $XDG_CACHE_HOME/seqcast/jax, else ~/.cache/seqcast/jax; SEQCAST_CACHE_DIR=off
    disables it. Set in JAX's process-wide config (its cache then serves the host program's own jitted code too),
    unless the program set a cache folder first. Kept under $SEQCAST_CACHE_MAX_MB (1024 MB) by `prune_cache`."""
    path = os.environ.get("SEQCAST_CACHE_DIR")
    if path is None:
        home = default_cache_home()
        path = os.path.join(home, "seqcast", "jax") if home else ""
    if path.lower() in ("", "0", "off", "none") or jax.config.jax_compilation_cache_dir:
        return
    try:  # a folder that cannot be written (a read-only home): no cache, not JAX's UserWarning at every compile
        os.makedirs(path, exist_ok=True)
    except OSError:
        return
    if not os.access(path, os.W_OK | os.X_OK):
        return
    prune_cache(path, cache_cap_bytes())
    jax.config.update("jax_compilation_cache_dir", path)
    jax.config.update("jax_persistent_cache_min_compile_time_secs", 0.2)
    # an entry cut short or damaged on disk (a full disk, a killed process) is compiled again: not a raw
    # "UserWarning: Error reading persistent compilation cache entry ... incorrect header check" at every compile
    warnings.filterwarnings("ignore", message="Error (reading|writing) persistent compilation cache entry", category=UserWarning)


CACHE_CAP_MB = 1024  # the cache's size cap ($SEQCAST_CACHE_MAX_MB): some 25,000 compiled functions of ~40 KB


def cache_cap_bytes() -> int:
    """$SEQCAST_CACHE_MAX_MB in bytes, else CACHE_CAP_MB's; a value that is not a finite number >= 0 is ignored."""
    try:
        mb = float(os.environ.get("SEQCAST_CACHE_MAX_MB", CACHE_CAP_MB))
    except ValueError:
        mb = CACHE_CAP_MB
    return int((mb if 0 <= mb < 2**40 else CACHE_CAP_MB) * 2**20)  # nan, inf and negatives: the default


_JAX_ENTRY = re.compile(r"(.*-)?[0-9a-f]{64}-cache")  # JAX's cache key (module name - sha256), then -cache


def prune_cache(path: str, cap: int) -> int:
    """Delete JAX's least recently used entries (files named *-<sha256>-cache, and their *-atime twins) from the folder
    `path` until it holds at most 3/4 of `cap` bytes, when it holds more than `cap`; other files are never touched.
    Each process that trains runs it once, before JAX uses the folder. Returns the number of entries deleted.
    (JAX's own cap, jax_compilation_cache_max_size, needs the filelock package and fails on entries written
    without it.) A file another process deletes or reads meanwhile is skipped: at worst an entry is compiled again."""
    entries, total = [], 0
    try:
        with os.scandir(path) as it:
            for e in it:
                try:
                    if not (_JAX_ENTRY.fullmatch(e.name) and e.is_file(follow_symlinks=False)):
                        continue
                    st = e.stat(follow_symlinks=False)
                except OSError:  # deleted meanwhile by another process (pruning too)
                    continue
                entries.append((max(st.st_atime, st.st_mtime), e.path, st.st_size))  # (last use, path, bytes)
                total += st.st_size
    except OSError:  # no folder, or one that cannot be listed
        return 0
    if total <= cap:
        return 0
    deleted = 0
    for _, file, size in sorted(entries):  # oldest use first
        if total <= cap * 3 // 4:
            break
        for f in (file, file[: -len("-cache")] + "-atime"):
            try:
                os.unlink(f)
            except OSError:
                pass
        total -= size
        deleted += 1
    return deleted


enable_compilation_cache()


def check_backend() -> None:
    """Start JAX's backend (once; later calls are free): a JAX_PLATFORMS (or `jax_platforms`) naming a platform
    this machine lacks ('cuda' without the plugin, 'tpu', a typo) is one ConfigError, not JAX's traceback at the
    first array nor, on load, a model wrongly called corrupt."""
    try:
        jax.devices()
    except (RuntimeError, AssertionError) as e:  # AssertionError: every platform named was unknown and skipped
        asked = os.environ.get("JAX_PLATFORMS") or jax.config.jax_platforms
        why = " ".join(str(e).split("(set JAX_PLATFORMS")[0].split()) or "no backend for it is installed"
        raise ConfigError(f"JAX cannot start{f' on the platform(s) JAX_PLATFORMS={asked!r} asks for' if asked else ''} ({why}); "
                          "unset JAX_PLATFORMS, or set it to one this machine has, such as 'cpu'") from None

# Member i's epochs are shuffled by numpy from (seed, SHUFFLE_STREAM + i, epoch) (`shuffle_order`).
SHUFFLE_STREAM = 0x5EED
PAD_LIMIT = 0.02  # pad a partial last batch (one compiled step, not two) when that adds <= 2% rows

COMPILED_MAX = 64  # compiled functions kept (epoch, validation loss, forward pass), the least recently used dropped
_COMPILED: dict = {}  # (kind, spec, ...) -> compiled function, least recently used first: refits of the same shapes reuse it
_COMPILED_LOCK = threading.Lock()  # sweep's threads share them


def _compiled(key, build):
    """`_COMPILED[key]`, made by `build()` when missing. At most COMPILED_MAX kept: an epoch is compiled per number of
    windows, and a loop fitting series of 40 lengths kept 40 (7 MB each for a GRU(8): RSS +270 MB, never freed);
    a dropped one's XLA programs are freed with it (JAX's own caches keep ~0.5 MB each, up to their 2048-4096 entries)."""
    with _COMPILED_LOCK:
        f = _COMPILED.pop(key, None)
        _COMPILED[key] = f = build() if f is None else f  # (re)inserted last: the most recently used
        while len(_COMPILED) > COMPILED_MAX:
            del _COMPILED[next(iter(_COMPILED))]
        return f


def epoch_fn(spec: rnn.ModelSpec, train: TrainSpec, n: int, members: int = 1):
    """`(init, epoch)`: `init(params) -> opt_state` (numpy zeros, `zero_state`) and the jitted
    `epoch(params, opt_state, X, Y, order, lr) -> (params, opt_state, mean_loss)`.

    The learning rate `lr` (a float32 scalar, `learning_rate_of(train.optimizer, train.learning_rate)`) is an
    argument, not a constant of the program: runs that differ only in it, or in epochs, patience or shuffling (a
    `sweep`), share one compilation, and the arithmetic is the same as with a constant (the same float32 value in the
    same operations).

    `order` (n,) int32 is the epoch's order of the rows (`shuffle_order`), drawn on the host: a
    permutation compiled into the epoch (threefry + sort) made it compile 0.2-0.25 s longer, half of a
    linear model's compile time. With members > 1, params, opt_state and order carry a leading member
    axis (M, ...): M models train at once with `jax.vmap`, each with its own initialisation and
    shuffling, on shared data."""
    learning_rate_of(train.optimizer, train.learning_rate)  # checked here, used by the caller
    # the fields the compiled epoch does not read are left out of the key (a field added later is in it)
    key = ("epoch", spec, replace(train, learning_rate=None, epochs=1, patience=0, shuffle=True), n, members)
    return _compiled(key, lambda: _epoch(spec, key[2], n, members))


def _epoch(spec: rnn.ModelSpec, train: TrainSpec, n: int, members: int):
    """Builds `epoch_fn`'s `(init, epoch)` (jit compiles `epoch` at its first call)."""
    import optax

    opt_state_of = _optimizer(train.optimizer, 1.0).init  # the state does not depend on the learning rate
    B = min(train.batch_size, n)
    rem = n % B
    pad = B - rem if rem and (B - rem) <= PAD_LIMIT * n else 0  # pad the last batch (masked) when cheap

    def batch_loss(params, xb, yb, wb):  # wb (B,): 1 for real rows, 0 for padding
        return jnp.sum(sample_loss(train.loss, rnn.apply(spec, params, xb), yb) * wb) / jnp.sum(wb)

    grad_fn = jax.value_and_grad(batch_loss)

    def epoch(params, opt_state, X, Y, order, lr):
        opt = _optimizer(train.optimizer, lr)

        def step(state, batch):  # batch: idx (B,) row indices into X, Y and their weights (B,)
            params, opt_state = state
            idx, w = batch
            loss, grads = grad_fn(params, *_rows(X, Y, idx), w)
            updates, opt_state = opt.update(grads, opt_state, params)
            return (optax.apply_updates(params, updates), opt_state), loss * jnp.sum(w)

        w = jnp.ones(n, jnp.float32)
        if pad:  # one graph for all batches: the last one's padding rows weigh 0
            order = jnp.concatenate([order, jnp.zeros(pad, order.dtype)])
            w = jnp.concatenate([w, jnp.zeros(pad, jnp.float32)])
        n_scan = len(order) // B
        state, total = (params, opt_state), 0.0
        if n_scan:
            state, losses = jax.lax.scan(step, state, (order[: n_scan * B].reshape(n_scan, B), w[: n_scan * B].reshape(n_scan, B)))
            total = losses.sum()
        if n_scan * B < len(order):  # the last partial batch, kept as Keras does, as a step of its own shape
            state, loss = step(state, (order[n_scan * B :], w[n_scan * B :]))
            total = total + loss
        return state[0], state[1], total / n  # sample-weighted mean loss, as Keras reports

    run = epoch if members == 1 else jax.vmap(epoch, in_axes=(0, 0, None, None, 0, None))
    return zero_state(opt_state_of if members == 1 else jax.vmap(opt_state_of)), jit(run)


def zero_state(init):
    """`init(params)` -> the optimizer's initial state, built with numpy from its shapes: every optimizer here
    starts from zeros (Adam's step count, moments, RMSprop's mean square; tests/test_train.py compares with
    `init`), and a jitted `init` was a compilation of its own in every cold fit (airline LSTM: 0.28 of 3.6 s
    compiling under load)."""

    def zeros(params):
        return jax.tree_util.tree_map(lambda s: np.zeros(s.shape, s.dtype), jax.eval_shape(init, params))

    return zeros


def shuffle_order(train: TrainSpec, n: int, seed: int, stream: int, ep: int, members: int = 1) -> np.ndarray:
    """The rows' order in epoch `ep`: int32 (n,), or (M, n) where member i uses stream + i. Drawn with
    numpy from (seed, stream, ep), so every epoch of every member has its own permutation, independent
    of the initial weights' numbers (those mix in rnn.INIT_STREAM)."""
    if not train.shuffle:
        order = np.arange(n, dtype=np.int32)
        return order if members == 1 else np.tile(order, (members, 1))
    perms = [np.random.default_rng([int(seed), int(stream) + i, int(ep)]).permutation(n).astype(np.int32) for i in range(members)]
    return perms[0] if members == 1 else np.stack(perms)


def val_fn(spec: rnn.ModelSpec, loss: str, members: int = 1):
    """Compiled `val_loss(params, X, Y)`: the mean loss, per member (M,) for an ensemble."""
    key = ("val", spec, loss, members)
    f = lambda params, X, Y: loss_value(loss, rnn.apply(spec, params, X), Y)  # noqa: E731
    return _compiled(key, lambda: jit(f if members == 1 else jax.vmap(f, in_axes=(0, None, None))))


def predict_fn(spec: rnn.ModelSpec, members: int = 1):
    """Compiled forward pass; with members > 1 params are stacked and the output is (M, ...)."""
    key = ("predict", spec, members)
    f = lambda params, X: rnn.apply(spec, params, X)  # noqa: E731
    return _compiled(key, lambda: jit(f if members == 1 else jax.vmap(f, in_axes=(0, None))))


def predict(spec: rnn.ModelSpec, params, X, batch_size: int = 8192, members: int = 1, min_rows: int = 1) -> np.ndarray:
    """Batched compiled forward pass; returns numpy, (N, ...) or (M, N, ...) for an ensemble. `min_rows` (MIN_ROWS):
    run on at least that many rows, so that a row's result is the same bits whichever rows come with it."""
    from .windows import check_positive

    batch_size, members = check_positive("batch_size", batch_size), check_positive("members", members)
    _check_model(spec, params, "pass the parameters that `fit` returned (params, history = fit(...))", members)
    f = predict_fn(spec, members)
    X, _ = check_arrays(spec, X)
    if len(X) == 0:  # no windows: an empty result of the right shape (np.concatenate([]) would raise)
        out = jax.eval_shape(f, params, jax.ShapeDtypeStruct((1,) + X.shape[1:], jnp.float32))
        shape = list(out.shape)
        shape[0 if members == 1 else 1] = 0
        return np.zeros(shape, out.dtype)
    low = _min_rows(spec, members, min_rows)
    outs = [_predict_rows(f, params, X[i : i + batch_size], batch_size, members, low) for i in range(0, len(X), batch_size)]
    return np.concatenate(outs, axis=0 if members == 1 else 1)


#: The fewest rows a many-series model's forward pass runs on (padded; `predict(min_rows=)`): XLA's CPU matmuls round
#: a row alike in any batch of 64 rows or more, but not in batches of 1-32 (a GRU's forecast of one series moved by
#: ~1e-7 with the series beside it, `predict --ids`). Not where the pad's activations would pass MIN_ROWS_BYTES (a
#: window of hundreds of steps, a large ensemble), whose forecasts the pad would slow down most.
MIN_ROWS, MIN_ROWS_BYTES = 64, 64 << 20


def _min_rows(spec: rnn.ModelSpec, members: int, wanted: int) -> int:
    """`wanted`, or 1 where `wanted` rows of the forward pass's activations (every layer's states and the largest
    layer's gates, T x (sum(H) + G * max(H)) floats a row, per member) would take more than MIN_ROWS_BYTES."""
    units = [int(h) for h in spec.units] if spec.cell != "linear" else [1]
    per_row = 4 * spec.window * (sum(units) + rnn.GATES.get(spec.cell, 1) * max(units)) * members
    return wanted if wanted > 1 and wanted * per_row <= MIN_ROWS_BYTES else 1


def _predict_rows(f, params, X: np.ndarray, batch_size: int, members: int, low: int = 1) -> np.ndarray:
    """f on the rows of X (n, ...) padded to the next power of two, at least `low` (`_min_rows`; at most batch_size),
    with copies of the last row: a service forecasting 1, 2, ... 2000 series compiles about 12 programs (6 with low 64),
    not one per count (each ~0.1-0.9 s and ~4 MB for good). numpy goes in as is: jnp.asarray compiles a conversion per
    new shape."""
    n = len(X)
    rows = min(batch_size, max(low, 1 << (n - 1).bit_length()))
    out = np.asarray(f(params, np.pad(X, [(0, rows - n)] + [(0, 0)] * (X.ndim - 1), mode="edge")))
    return out[:n] if members == 1 else out[:, :n]


def fit(spec, params, X, Y, *, train: TrainSpec, seed: int = 0, X_val=None, Y_val=None, progress: bool = False,
        members: int = 1):
    """Train `params` on (X, Y). Returns (params, History). Same seed -> same result on CPU.

    members > 1: `params` is stacked (M, ...) and M models train, each with its own initialisation and
    shuffling (member i shuffles with stream SHUFFLE_STREAM + i, so member 0 is the single model); the
    history holds the members' mean losses, and early stopping keeps each member's own best epoch.
    On a CPU the members train in threads (one per core, `member_threads`), one compiled single-model epoch each;
    elsewhere at once, with `jax.vmap` over the member axis (`vmap_members`)."""
    from .windows import check_positive

    check_backend()
    _check_train(train)
    seed, members = check_positive("seed", seed, 0), check_positive("members", members)
    _check_model(spec, params, "pass rnn.init_params(spec, key=seed), or the parameters an earlier fit returned", members)
    if not isinstance(X, Windows):  # arrays (N, T[, F]) and (N, K...); Windows index one array instead
        X, Y = (to_device(a) for a in check_arrays(spec, X, _needed(Y, "Y")))
    _check_windows(len(X))
    checked = isinstance(X_val, Windows)
    if checked:  # checked first: its windows copied out, (N_val, T) floats, may be what does not fit
        check_memory(spec, len(X), len(X_val), train.batch_size, members, train.optimizer)
        X_val, Y_val = (to_device(a) for a in X_val.take(np.arange(len(X_val)), xp=np))
    if X_val is not None and not (np.ndim(X_val) > 0 and len(X_val) == 0):  # [] or an empty array: no validation
        X_val, Y_val = (to_device(a) for a in check_arrays(spec, X_val, _needed(Y_val, "Y_val"), "X_val", "Y_val"))
    else:
        X_val = Y_val = None
        if train.patience:
            raise ConfigError(f"early stopping needs validation data: pass X_val and Y_val, or patience=0. "
                              f"Received: patience={train.patience!r} and no X_val")
    if not checked:
        check_memory(spec, len(X), 0 if X_val is None else len(X_val), train.batch_size, members, train.optimizer)
    seed = int(seed) % 2**31  # non-negative: numpy seeds the shuffles with it
    threads = 0 if members == 1 or vmap_members(members) else member_threads(members)  # 0: all members at once
    t0 = time.perf_counter()
    with _progress(progress, train.epochs * (members if threads else 1), members if threads else 1) as bar:
        if not threads:
            params, hist = _fit(spec, params, X, Y, train, seed, SHUFFLE_STREAM, X_val, Y_val, bar, members)
        else:
            params, hist = _fit_in_threads(spec, params, X, Y, train, seed, X_val, Y_val, bar, members, threads)
    hist.fit_s = time.perf_counter() - t0
    return params, hist


def _check_train(train: TrainSpec) -> None:
    """Every field of a TrainSpec, before anything compiles: 3.5 epochs or True as a batch size are refused, not rounded."""
    from .windows import check_positive

    if not isinstance(train, TrainSpec):
        raise ConfigError(f"`train` must be a seqcast.train.TrainSpec(epochs=..., batch_size=..., ...). Received: train={train!r:.80}")
    check_limit("epochs", check_positive("epochs", train.epochs))
    check_positive("batch_size", train.batch_size)
    check_positive("patience", train.patience, 0)
    if not isinstance(train.shuffle, (bool, np.bool_)):
        raise ConfigError(f"`shuffle` must be True or False. Received: shuffle={train.shuffle!r}")
    if not isinstance(train.loss, str) or train.loss not in LOSSES:
        raise ConfigError(f"`loss` must be one of {', '.join(LOSSES)}. Received: loss={train.loss!r}")
    learning_rate_of(train.optimizer, train.learning_rate)


def _check_model(spec, params, hint: str, members=1) -> None:
    """`spec` a ModelSpec and `params` its parameter tree, every leaf of `rnn.param_shapes(spec)`'s shape
    ((members, ...) for an ensemble): not a KeyError or a vmap error from inside the compiled function."""
    if not isinstance(spec, rnn.ModelSpec):
        raise ConfigError(f"`spec` must be a seqcast.models.rnn.ModelSpec. Received: spec={spec!r:.80}")
    if params is None:
        raise ConfigError(f"`params` is None: {hint}")
    lead = () if isinstance(members, bool) or not isinstance(members, (int, np.integer)) or members == 1 else (int(members),)
    want = jax.tree_util.tree_map(lambda s: lead + s, rnn.param_shapes(spec), is_leaf=lambda x: isinstance(x, tuple))
    got = jax.tree_util.tree_map(np.shape, params)
    if jax.tree_util.tree_structure(got, is_leaf=lambda x: isinstance(x, tuple)) != jax.tree_util.tree_structure(
            want, is_leaf=lambda x: isinstance(x, tuple)) or got != want:
        raise ConfigError(f"`params` must be the parameters of `spec`{f' stacked for members={members}' if lead else ''}, "
                          f"shapes {want}: {hint}. Received: params={got!r:.120}")


def _needed(Y, name: str):
    if Y is None:
        raise DataError(f"`{name}` must be the targets of the windows: an array (N, K). Received: {name}=None")
    return Y


def _check_windows(n: int) -> None:
    if n == 0:  # the epoch's batch size would be 0
        raise DataError(f"`X` must hold at least one window to train on. Received: {n} windows")


def machine_memory() -> int | None:
    """The machine's physical memory plus its swap (Linux: /proc/meminfo's SwapTotal; a fit that swaps runs, slowly),
    or a Linux container's smaller limit (`_cgroup_limit`), in bytes; None where the OS does not say (the memory check is then skipped): no os.sysconf (Windows), a name it
    does not know, or -1 for a value it cannot tell."""
    try:
        pages, size = os.sysconf("SC_PHYS_PAGES"), os.sysconf("SC_PAGE_SIZE")
    except (AttributeError, ValueError, OSError):
        return None
    if pages <= 0 or size <= 0:  # -1 * 4096 would refuse every fit
        return None
    host = pages * size + _swap_bytes()
    return min(host, _cgroup_limit(host - pages * size) or host)


def _cgroup_limit(swap: int, root: str = "/sys/fs/cgroup", proc: str = "/proc/self/cgroup") -> int | None:
    """The memory plus swap a Linux container (cgroup) may use, in bytes, None where it sets no limit: `docker run
    --memory 4g` on a 64 GiB host kills a fit at 4 GiB, which the host's figures would have let start. Version 2:
    memory.max (+ memory.swap.max, or the host's `swap` where that is unlimited); version 1: memory.memsw.limit_in_bytes
    (memory and swap), else memory.limit_in_bytes + `swap`. Each is looked for in this process's own group (from
    /proc/self/cgroup), then at the top of the mount (a container sees its own group there)."""
    def read(path: str) -> int | None:  # a limit's bytes; None for "max", an unlimited v1 (~2**63) or no such file
        try:
            with open(path, encoding="ascii") as fh:
                text = fh.read().strip()
        except (OSError, UnicodeDecodeError):
            return None
        return int(text) if text.isdigit() and int(text) < 2**60 else None

    groups = {}  # "2" or "1" -> the group's path below its mount
    try:
        with open(proc, encoding="utf-8", errors="replace") as fh:
            for line in fh:
                _, ctrl, path = (line.rstrip("\n").split(":", 2) + ["", ""])[:3]
                if ctrl == "":
                    groups["2"] = path
                elif "memory" in ctrl.split(","):
                    groups["1"] = path
    except OSError:
        return None

    def first(mount: str, group: str, name: str) -> int | None:
        dirs = dict.fromkeys([os.path.join(mount, group.lstrip("/")), mount])
        return next((v for v in (read(os.path.join(d, name)) for d in dirs) if v is not None), None)

    if "2" in groups:
        mem = first(root, groups["2"], "memory.max")
        if mem is not None:
            extra = first(root, groups["2"], "memory.swap.max")
            return mem + (swap if extra is None else extra)
    if "1" in groups:
        mount = os.path.join(root, "memory")
        both = first(mount, groups["1"], "memory.memsw.limit_in_bytes")
        if both is not None:
            return both
        mem = first(mount, groups["1"], "memory.limit_in_bytes")
        if mem is not None:
            return mem + swap
    return None


def _swap_bytes(meminfo: str = "/proc/meminfo") -> int:
    """Linux's swap space in bytes (SwapTotal), 0 where it is not known."""
    try:
        with open(meminfo, encoding="ascii", errors="replace") as fh:
            for line in fh:
                if line.startswith("SwapTotal:"):
                    return int(line.split()[1]) * 1024  # kB
    except (OSError, ValueError, IndexError):
        pass
    return 0


def fit_memory(spec: rnn.ModelSpec, n_fit: int, n_val: int, batch_size: int, members: int = 1, optimizer: str = "adam") -> dict:
    """A lower bound of the bytes a fit holds at once ("total"), and its parts (float32 values, P = rnn.n_values(spec)):

        parameters   the M members' stacked (M, P); for each of the c members training at once, the epoch's input weights
                     and optimizer moments (Adam 2, RMSprop 1), its updated copies (the epoch donates no buffer) and the
                     gradients; between epochs the updated copies and gradients are gone
        training     one batch's activations: every layer's states (kept for the backward pass), T x B x H, and
                     the largest layer's input projections T x B x G*H, per member training at once
        validation   every validation window in one forward pass: the largest layer's T x N_val x (G + 1) x H, per
                     member at once; and the windows themselves

    The backward pass keeps the gates too, so a fit needs more than this. c members train at once: threads on a
    CPU, else all M (vmap)."""
    T, K, P, M = spec.window, spec.n_outputs, rnn.n_values(spec), members
    c = members if vmap_members(members) else member_threads(members)
    G, units = rnn.GATES.get(spec.cell, 0), [int(h) for h in spec.units] if spec.cell != "linear" else [0]
    m = {"adam": 2, "rmsprop": 1}.get(optimizer, 0)
    y_val = n_val * T * K if spec.seq2seq else n_val * K
    parts = {"parameters": 4 * P * (M + c * (2 + 2 * m)),
             "training": 4 * c * T * min(batch_size, n_fit) * (sum(units) + G * max(units)),
             "validation": 4 * (c * T * n_val * (G + 1) * max(units) + n_val * T + y_val)}
    between = 4 * P * (M + c * m)  # the weights while the validation windows run (the members' inputs are the stacked M)
    return {**parts, "total": max(parts["parameters"] + parts["training"], between + parts["validation"])}


def check_memory(spec: rnn.ModelSpec, n_fit: int, n_val: int, batch_size: int, members: int = 1, optimizer: str = "adam") -> None:
    """Refuse, before anything is drawn or compiled, a fit on a CPU whose `fit_memory` exceeds the machine's memory:
    it would otherwise work for minutes or hours, then crash, be killed by the OS, or end 'RESOURCE_EXHAUSTED'."""
    ram = machine_memory()
    if not ram or jax.default_backend() != "cpu":  # an accelerator's memory is its own: XLA says RESOURCE_EXHAUSTED there
        return
    parts = fit_memory(spec, n_fit, n_val, batch_size, members, optimizer)
    need = parts.pop("total")
    if need <= ram:
        return
    big = max(parts, key=parts.get)
    fix = {"parameters": "fewer `units` or a smaller `ensemble` (CLI --units, --ensemble, or in a --config file)",
           "training": "a smaller `batch_size`, `window` or `units` (CLI --batch-size, --window, --units, or in a --config file)",
           "validation": "a smaller `val_size`, `window` or `units` (CLI --val-size, --window, --units, or in a --config file), or less data"}[big]
    units = "" if spec.cell == "linear" else f"units={list(spec.units)}, "
    raise ConfigError(f"this fit needs at least {_gib(need)} of memory, most of it for the {big} ({_gib(parts[big])}), more "
                      f"than the {_gib(ram)} of memory and swap this machine (or container) allows; use {fix}. Received: window={spec.window}, {units}batch_size={batch_size}, "
                      f"ensemble={members}, {n_fit} training and {n_val} validation windows")


def _gib(n: int) -> str:  # 1.5 GiB, 381 GiB, 63,200,000 GiB
    return f"{n / 2**30:.3g} GiB" if n < 1000 * 2**30 else f"{n / 2**30:,.0f} GiB"


def sweep(runs, X, Y, *, seed: int = 0, X_val=None, Y_val=None) -> list:
    """Several models trained at once on the same data, for a sweep over learning rates, optimizers, epochs or
    layer sizes: `runs` is a list of (spec, params, TrainSpec). Returns [(params, History)], in the order of
    `runs`; run i gives exactly what fit(spec, params, X, Y, train=..., seed=seed) gives alone.

    On a CPU with several cores the runs train in threads, one per core, as ensemble members do
    (`member_threads`), so that both cores stay busy while each small model waits on its steps' latency.
    Runs that differ only in learning rate, epochs or patience share one compiled epoch (`epoch_fn` takes the
    learning rate as an argument)."""
    given, runs = runs, list(runs) if isinstance(runs, (list, tuple)) or hasattr(runs, "__next__") else None
    if not runs or any(not isinstance(r, (tuple, list)) or len(r) != 3 or not isinstance(r[2], TrainSpec) for r in runs):
        raise ConfigError("`runs` must be a non-empty list of (spec, params, TrainSpec). "
                          f"Received: runs={given!r:.80}")

    def one(run):
        spec, params, train = run
        return fit(spec, params, X, Y, train=train, seed=seed, X_val=X_val, Y_val=Y_val)

    for spec, params, train in runs:  # checked before any run trains (and before epoch_fn divides by the batch size)
        _check_train(train)
        _check_model(spec, params, "each run needs rnn.init_params(spec, key=seed), or the parameters an earlier fit returned")
    if not isinstance(X, Windows):
        X, Y = check_arrays(runs[0][0], X, _needed(Y, "Y"))
    _check_windows(len(X))
    for spec, _, train in runs:  # built here, so that runs differing only in learning rate share one compiled epoch
        epoch_fn(spec, train, len(X), 1)
        val_fn(spec, train.loss, 1)

    return _map_in_threads(one, runs, member_threads(len(runs)))


def check_arrays(spec: rnn.ModelSpec, X, Y=None, x_name: str = "X", y_name: str = "Y"):
    """(X, Y) as float32 numpy arrays of the shapes `spec` takes, or a DataError saying what to change:

        X (N, T) or (N, T, F)      F = spec.n_inputs; T = spec.window for the linear model
        Y (N, K), or (N, T, K) when spec.seq2seq     K = spec.n_outputs

    A target without its last axis of size 1 ((N,) for K = 1, as Keras accepts) gets it back; any other
    mismatch is refused, since a (B,) target against (B, 1) outputs would broadcast to (B, B) and train
    to the mean without a sign of trouble. Y may be None (prediction)."""
    X = _floats(X, x_name)
    F, K = spec.n_inputs, spec.n_outputs
    if X.ndim not in (2, 3) or (X.ndim == 3 and X.shape[2] != F) or (X.ndim == 2 and F != 1):
        want = "(N, T) or (N, T, 1)" if F == 1 else f"(N, T, {F})"
        raise DataError(f"`{x_name}` must have shape {want}: N windows of T steps. Received: {x_name}.shape={X.shape}")
    if spec.cell == "linear" and X.shape[1] != spec.window:
        raise DataError(f"the linear model takes windows of window={spec.window} steps; set ModelSpec(window={X.shape[1]}) "
                        f"or cut the windows. Received: {x_name}.shape={X.shape}")
    if not np.isfinite(X).all():
        raise DataError(f"`{x_name}` contains NaN or inf; drop or fill those windows first")
    if Y is None:
        return X, None
    Y = _floats(Y, y_name)
    want = (len(X), X.shape[1], K) if spec.seq2seq else (len(X), K)
    if K == 1 and Y.shape == want[:-1]:
        Y = Y[..., None]
    if Y.shape != want:
        shape = "(N, T, K)" if spec.seq2seq else "(N, K)"
        hint = ("; targets at every step (N, T, K) need ModelSpec(seq2seq=True)" if Y.ndim == 3 and not spec.seq2seq else
                "; a seq2seq model learns the next K values at every step: split_inputs_targets(series, T, K, seq2seq=True)"
                if Y.ndim == 2 and spec.seq2seq else "")
        raise DataError(f"`{y_name}` must have shape {shape} = {want} for {x_name}.shape={X.shape} and n_outputs={K}. "
                        f"Received: {y_name}.shape={Y.shape}{hint}")
    if not np.isfinite(Y).all():
        raise DataError(f"`{y_name}` contains NaN or inf; drop or fill those windows first")
    return X, Y


def _floats(a, name: str) -> np.ndarray:  # (..) float32; text, sets, dicts or ragged rows: one DataError
    from .metrics import _numbers

    if isinstance(a, (np.ndarray, jax.Array)) and a.dtype.kind in "fiub":  # numbers already: no float64 copy
        return np.asarray(a, np.float32)
    return _numbers(name, a).astype(np.float32)


def vmap_members(members: int) -> bool:
    """Whether an ensemble's members train at once, with jax.vmap over the member axis: on a GPU / TPU. On a CPU
    they train as single models in `member_threads` threads, whatever its cores: the same numbers on one core
    as on many (vmapped, the last bits differed)."""
    return members > 1 and jax.default_backend() != "cpu"


def member_threads(members: int) -> int:
    """Threads for an ensemble's members on CPU: one per core. XLA runs a small RNN's steps on one core,
    so vmap over members only makes each step's ops larger (8 members of the Hands-On ML models took
    7-12x one member's time), while two threads keep both cores of this machine busy (4 members: 2x
    one member, against 4.2x with vmap)."""
    if members < 2 or jax.default_backend() != "cpu":
        return 1
    return max(1, min(members, usable_cores()))


def usable_cores() -> int:
    """The cores this process may run on: `taskset` and container CPU sets count (os.cpu_count() is the machine's)."""
    try:
        return len(os.sched_getaffinity(0)) or 1
    except (AttributeError, OSError):  # no affinity on macOS / Windows
        return os.cpu_count() or 1


def _fit_in_threads(spec, params, X, Y, train, seed, X_val, Y_val, bar, members, threads):
    """Each member trained by `_fit` as a single model in a thread pool; results stacked (M, ...)."""
    lock, done = threading.Lock(), [0]

    def tick(_, hist):  # one bar over all members' epochs
        with lock:
            done[0] += 1
            bar(done[0], hist)

    def member(i):
        p = jax.tree_util.tree_map(lambda a: np.asarray(a)[i], params)  # numpy: a device slice compiles per shape
        return _fit(spec, p, X, Y, train, seed, SHUFFLE_STREAM + i, X_val, Y_val, tick, 1)

    epoch_fn(spec, train, len(X), 1)  # built here, so the threads share one set of compiled functions
    val_fn(spec, train.loss, 1)
    fits = _map_in_threads(member, range(members), threads)
    stacked = stack_members([p for p, _ in fits])
    hists = [h for _, h in fits]
    hist = History(loss=_ragged_mean([h.loss for h in hists]), val_loss=_ragged_mean([h.val_loss for h in hists]))
    if hists[0].best_epoch is not None:
        hist.best_epoch = [h.best_epoch for h in hists]
    return stacked, hist


_STOPS = threading.local()  # .events: the stop events of the _map_in_threads calls a pool thread runs under


def _map_in_threads(fn, items, threads: int) -> list:
    """[fn(x) for x in items] in a pool of `threads` threads. Should the waiting thread stop (Ctrl-C in a notebook or a
    script: the KeyboardInterrupt lands there; or an item's error), the items still training end at their next epoch
    (`_fit` checks) instead of training all their epochs in the background first."""
    from concurrent.futures import ThreadPoolExecutor

    stop, outer = threading.Event(), getattr(_STOPS, "events", ())  # outer: a sweep's, around an ensemble's members

    def run(x):
        _STOPS.events = (*outer, stop)
        return fn(x)

    with ThreadPoolExecutor(threads) as pool:
        try:
            return list(pool.map(run, items))
        except BaseException:
            stop.set()
            raise


def stack_members(trees: list):
    """Parameter trees of M members -> one tree of stacked (M, ...) arrays."""
    return jax.device_put(jax.tree_util.tree_map(lambda *a: np.stack([np.asarray(x) for x in a]), *trees))  # no compile


def _ragged_mean(rows: list) -> list:
    """Mean per epoch over members whose run reached that epoch (early stopping ends runs apart)."""
    return [float(np.mean([r[e] for r in rows if e < len(r)])) for e in range(max(len(r) for r in rows))]


def _fit(spec, params, X, Y, train, seed, stream, X_val, Y_val, bar, members):
    """The epoch loop: one compiled epoch per call, validation loss and early stopping on the host."""
    from .io import stop_if_interrupted  # a Ctrl-C the CLI saw but whose exception was swallowed where it landed

    has_val = X_val is not None
    stop_early = bool(train.patience) and has_val
    init, epoch = epoch_fn(spec, train, len(X), members)
    lr = np.float32(learning_rate_of(train.optimizer, train.learning_rate))
    opt_state = init(params)
    hist = History()
    val_loss = val_fn(spec, train.loss, members)
    best, best_loss = params, np.full(members, np.inf)
    wait, best_epoch = np.zeros(members, int), np.zeros(members, int)
    running = np.ones(members, bool)  # members whose patience has not run out (vmapped, a stopped member trains on, ignored)
    for ep in range(1, train.epochs + 1):
        stop_if_interrupted()
        if any(e.is_set() for e in getattr(_STOPS, "events", ())):  # a thread of _map_in_threads whose caller stopped
            raise KeyboardInterrupt
        params, opt_state, loss = epoch(params, opt_state, X, Y, shuffle_order(train, len(X), seed, stream, ep, members), lr)
        hist.loss.append(float(np.mean(np.atleast_1d(np.asarray(loss))[running])))  # as _ragged_mean over threads' runs
        if has_val:
            vl = np.atleast_1d(np.asarray(val_loss(params, X_val, Y_val)))
            hist.val_loss.append(float(vl[running].mean()))
        bar(ep, hist)
        if stop_early:
            better = (vl < best_loss) & running  # a stopped member keeps its best epoch, as it would alone
            if members > 1:
                best = _where(better, params, best)
            elif better[0]:
                best = params
            best_loss = np.where(better, vl, best_loss)
            best_epoch = np.where(better, ep, best_epoch)
            wait = np.where(better, 0, wait + 1)
            running &= wait < train.patience
            if not running.any():
                break
    if stop_early:
        params = jax.device_put(best)  # _where's numpy choice back where the parameters live, without compiling
        hist.best_epoch = int(best_epoch[0]) if members == 1 else [int(e) for e in best_epoch]
    return params, hist


def _where(mask, new, old):
    """Per-member choice between two stacked parameter trees: mask (M,). In numpy on the host: jnp.where compiled a
    program per weight shape, op by op (and a copy of the mask: 8 programs for a one-layer GRU ensemble)."""
    if mask.all():
        return new
    if not mask.any():
        return old
    return jax.tree_util.tree_map(lambda a, b: np.where(mask.reshape((-1,) + (1,) * (np.ndim(a) - 1)), a, b), new, old)


class _progress:
    """When asked: a rich progress bar on a terminal; in Jupyter one line of text, a bar and the loss, that each update
    rewrites (IPython's display handle); elsewhere (a log file, a pipe) a plain line on stderr about every tenth of the
    epochs, and one where the fit ends (early stopping). Not asked: nothing. `members` > 1: the members train in threads,
    and `total` counts all their epochs."""

    def __init__(self, enabled: bool, total: int, members: int = 1):
        import sys

        self.asked, self.total, self.members = enabled, total, members
        self.jupyter = enabled and _in_jupyter()
        self.enabled = enabled and (sys.stderr.isatty() or self.jupyter)
        self.last = None  # (done, text) of the latest update not yet printed as a line
        self.done = 0  # the latest update's epochs, as lines count them

    def __enter__(self):
        if not self.enabled:
            return self._line if self.asked else (lambda ep, hist: None)
        if self.jupyter:
            return self._notebook()
        from rich.progress import BarColumn, Progress, TextColumn, TimeRemainingColumn

        self.p = Progress(TextColumn("training"), BarColumn(), TextColumn("{task.completed}/{task.total}"),
                          TextColumn("{task.fields[msg]}"), TimeRemainingColumn(), transient=True)
        self.p.__enter__()
        task = self.p.add_task("fit", total=self.total, msg="")

        def update(ep, hist):
            self.p.update(task, completed=ep, msg=_loss_text(hist))

        return update

    def _notebook(self):
        """Jupyter's line, redrawn at most 4 times a second and where the fit ends (what stays in the notebook). rich's
        bar needs ipywidgets there, which seqcast does not install: without it a fit showed rich's warning 'install
        "ipywidgets" for Jupyter support' and an empty output, no bar."""
        from IPython.display import Pretty, display

        self.handle, self.shown = display(Pretty(self._bar(0, "")), display_id=True), time.monotonic()
        self.drawn = (0, "")  # (done, text) the line shows

        def update(done, hist):
            self.last = (done, _loss_text(hist))
            if done == self.total or time.monotonic() - self.shown >= 0.25:
                self._redraw()

        return update

    def _bar(self, done: int, text: str) -> str:
        full = round(24 * done / max(1, self.total))
        return f"training {'█' * full}{'░' * (24 - full)} {self._epochs(done)}" + (f": {text}" if text else "")

    def _epochs(self, done: int) -> str:
        return f"{done}/{self.total} epochs" + (f" of {self.members} members" if self.members > 1 else "")

    def _redraw(self, end: str = ""):
        from IPython.display import Pretty

        self.handle.update(Pretty(self._bar(*self.last) + end))
        self.drawn, self.last, self.shown = self.last, None, time.monotonic()

    def _line(self, done, hist):
        self.done = done
        self.last = (done, f"{self._epochs(done)}: {_loss_text(hist)}" + (" (the latest member's)" if self.members > 1 else ""))
        if done % max(1, self.total // 10) == 0 or done == self.total:
            self._print()

    def _print(self):
        import sys

        print(self.last[1], file=sys.stderr, flush=True)
        self.last = None

    def __exit__(self, *exc):
        if self.jupyter:
            # the last update, drawn if it was not yet, marked where early stopping or Ctrl-C ended the fit (also when it
            # was drawn already: epochs 0.25 s apart draw each)
            fresh, self.last = self.last is not None, self.last or self.drawn
            end = (" (interrupted)" if exc[0] is KeyboardInterrupt
                   else "" if exc[0] is not None or self.last[0] == self.total else " (stopped early)")
            if fresh or end:
                self._redraw(end)
        elif self.enabled:
            self.p.__exit__(*exc)
        elif exc[0] is None and 0 < self.done < self.total:  # early stopping ended the fit
            self.last = ((self.last[0], self.last[1] + " (stopped early)") if self.last is not None  # between two lines
                         else (self.done, f"stopped early after {self._epochs(self.done)}"))  # on a line just printed
            self._print()
        return False


def _loss_text(hist) -> str:
    return f"loss {hist.loss[-1]:.4g}" + (f" val {hist.val_loss[-1]:.4g}" if hist.val_loss else "")


def _in_jupyter() -> bool:
    """A Jupyter kernel (IPython's ZMQ shell: also VS Code's and Colab's notebooks)."""
    from rich.console import Console

    return Console().is_jupyter
