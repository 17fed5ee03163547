"""SimpleRNN / LSTM / GRU stacks and a Dense head, as pure functions over parameter trees.

A cell is one step; the loop over time (`lax.scan`) is separate. Input projections of all time
steps are computed in one matmul before the scan, so each step only does `h @ U` (all gates fused).

Keras conventions, so results compare with the seeds:
    kernel W (F, G*H)   glorot-uniform        G = 1 (rnn), 3 (gru), 4 (lstm)
    recurrent U (H, G*H) orthogonal
    bias b (G*H,) zeros; LSTM forget-gate bias 1 (gate order i, f, c, o)
    GRU: Keras 3 default reset_after=True, gate order z, r, h, bias (2, 3H) = input and recurrent

Parameters:  {"layers": [{"W", "U", "b"}, ...], "head": {"W", "b"}}   ("head" absent when head=False)
Shapes: B batch, T time steps, F input features, H units, K outputs.
"""

from __future__ import annotations

import functools
import math
from dataclasses import dataclass

import jax
import jax.numpy as jnp
import numpy as np

from ..config import check_model_combination
from ..errors import ConfigError
from ..windows import check_positive
from . import fused

CELLS = ("lstm", "gru", "rnn", "linear")
NORMS = ("none", "last", "mean", "revin", "season")
GATES = {"rnn": 1, "gru": 3, "lstm": 4}
ACTIVATIONS = {None: lambda z: z, "linear": lambda z: z, "sigmoid": jax.nn.sigmoid, "tanh": jnp.tanh, "relu": jax.nn.relu}
UNROLL = 1  # lax.scan unroll factor over time steps
FUSED = True  # use the scans with hand-written backward passes; False = plain autodiff of the cells


@dataclass(frozen=True)
class ModelSpec:
    """A network's shape: train it with `seqcast.train.fit(spec, init_params(spec, key=0), X, Y, train=...)`.

    Keras' layers in these terms (X (N, T) or (N, T, 1); Y (N, K), or (N, T, K) with seq2seq):

    >>> n_values(ModelSpec(cell="lstm", units=300, output_activation="sigmoid"))   # LSTM(300) + Dense(1, sigmoid)
    362701
    >>> n_values(ModelSpec(cell="linear", window=50))                              # Flatten + Dense(1) on 50 steps
    51
    >>> n_values(ModelSpec(cell="rnn", units=(20, 20, 1), head=False))             # SimpleRNN(20, 20, 1), no Dense
    1282
    >>> n_values(ModelSpec(cell="rnn", units=(20, 20), n_outputs=10))              # SimpleRNN(20, 20) + Dense(10)
    1470
    >>> n_values(ModelSpec(cell="rnn", units=(20, 20), n_outputs=10, seq2seq=True))  # + TimeDistributed(Dense(10))
    1470

    `return_sequences=True` between layers is implied by `units`; `seq2seq` keeps every step's output.
    """

    cell: str = "lstm"
    units: tuple = (64,)
    n_outputs: int = 1  # K: size of the head (or of the last layer when head=False)
    head: bool = True  # Dense(K) after the last recurrent layer
    output_activation: str | None = None  # None/'linear', 'sigmoid', 'tanh', 'relu'
    seq2seq: bool = False  # an output at every time step (Keras TimeDistributed(Dense))
    window: int = 12  # T, needed by 'linear' (flatten + dense)
    n_inputs: int = 1  # F
    norm: str = "none"  # per-window normalisation, see `apply`: none | last | mean | season
    season: int = 1  # m, for norm="season"
    skip: bool = False  # add a linear map of the (normalised) window to the output (an AR "highway", LSTNet-style)
    precision: str = "float32"  # the recurrent layers' matmul inputs: float32 | bfloat16 (mixed precision, see fused.py)

    def __post_init__(self):
        # Keras' SimpleRNN(20) is units=20, a list is a tuple (the spec is hashed: compiled functions are cached by it)
        units = (self.units,) if isinstance(self.units, (int, np.integer)) else self.units
        if not isinstance(units, (list, tuple)) or any(isinstance(u, bool) or not isinstance(u, (int, np.integer)) for u in units):
            raise ConfigError(f"`units` must be a list of layer sizes >= 1, e.g. (64,) or (20, 20). Received: units={self.units!r}")
        object.__setattr__(self, "units", tuple(int(u) for u in units))
        for name in ("n_outputs", "window", "n_inputs", "season"):  # 2.0 or 0 outputs: refused here, not inside jax
            object.__setattr__(self, name, check_positive(name, getattr(self, name)))
        for name in ("head", "seq2seq", "skip"):  # head="False" was true
            if not isinstance(getattr(self, name), (bool, np.bool_)):
                raise ConfigError(f"`{name}` must be True or False. Received: {name}={getattr(self, name)!r}")
            object.__setattr__(self, name, bool(getattr(self, name)))
        if self.norm not in NORMS:
            raise ConfigError(f"`norm` must be one of {', '.join(NORMS)}. Received: norm={self.norm!r}")
        if self.norm == "season" and (self.seq2seq or self.season < 1 or self.window < self.season):
            raise ConfigError(f"norm='season' needs a one-shot model and window >= season. Received: window={self.window}, "
                              f"season={self.season}, seq2seq={self.seq2seq}")
        if self.norm == "revin" and self.seq2seq:  # (its window statistics would see the steps each output forecasts)
            raise ConfigError("norm='revin' needs a one-shot model (strategy recursive or direct). Received: seq2seq=True")
        check_model_combination(self.cell, "seq2seq" if self.seq2seq else None, self.skip)
        if self.precision not in fused.PRECISIONS:
            raise ConfigError(f"`precision` must be one of {', '.join(fused.PRECISIONS)}. Received: precision={self.precision!r}")
        if self.cell not in CELLS:
            raise ConfigError(f"`cell` must be one of {', '.join(CELLS)} (SimpleRNN is 'rnn'). Received: cell={self.cell!r}")
        if self.output_activation not in ACTIVATIONS:
            names = ", ".join(str(k) for k in ACTIVATIONS if k)
            raise ConfigError(f"`output_activation` must be one of {names}. Received: output_activation={self.output_activation!r}")
        if self.cell != "linear":
            if not self.units or any(int(u) < 1 for u in self.units):
                raise ConfigError(f"`units` must be a list of layer sizes >= 1. Received: units={list(self.units)!r}")
            if not self.head and int(self.units[-1]) != self.n_outputs:
                raise ConfigError(
                    f"without a Dense head the last layer's size is the output: units[-1] must be {self.n_outputs}. Received: units={list(self.units)!r}"
                )


INIT_STREAM = 0x1417  # mixed into the seed: data drawn with default_rng(seed) must not share the init's numbers


def _rng(key) -> np.random.Generator:
    """numpy's generator from an int seed, a sequence of ints, or a JAX PRNG key (its bits)."""
    if isinstance(key, (int, np.integer)):
        key = [key]
    elif not isinstance(key, (tuple, list)):
        if jnp.issubdtype(key.dtype, jax.dtypes.prng_key):
            key = jax.random.key_data(key)
        key = np.asarray(key, np.uint64).ravel().tolist()
    return np.random.default_rng([int(k) for k in key] + [INIT_STREAM])


def glorot_uniform(rng, shape):
    limit = np.sqrt(6.0 / (shape[0] + shape[1]))
    return rng.uniform(-limit, limit, shape).astype(np.float32)


def orthogonal(rng, shape):
    """Keras' (and jax.nn.initializers') orthogonal: QR of a Gaussian matrix, signs fixed by diag(R)."""
    rows, cols = shape
    q, r = np.linalg.qr(rng.standard_normal((max(rows, cols), min(rows, cols))))
    q *= np.sign(np.diag(r))
    return (q.T if rows < cols else q).astype(np.float32)


def param_shapes(spec: ModelSpec) -> dict:
    """The parameter tree of `spec` with each leaf's shape: what `init_params` draws (and a saved model must hold)."""
    K, flat_in = spec.n_outputs, spec.window * spec.n_inputs
    if spec.cell == "linear":
        return {"head": {"W": (flat_in, K), "b": (K,)}}
    G, F, layers = GATES[spec.cell], spec.n_inputs, []
    for H in map(int, spec.units):
        layers.append({"W": (F, G * H), "U": (H, G * H), "b": (2, G * H) if spec.cell == "gru" else (G * H,)})
        F = H
    shapes = {"layers": layers}
    if spec.head:
        shapes["head"] = {"W": (F, K), "b": (K,)}
    if spec.skip:
        shapes["skip"] = {"W": (flat_in, K)}
    return shapes


def init_params(spec: ModelSpec, *, key) -> dict:
    """Keras-style initial parameters for `spec`, drawn with numpy (no compilation: microseconds,
    where JAX's random ops compiled for about a second). `key`: an int seed, a tuple of ints, or a
    JAX PRNG key. Draw order (it fixes what a seed gives): each layer's W then U, then the head's W."""
    rng, shapes = _rng(key), param_shapes(spec)
    params = {}
    if "layers" in shapes:
        params["layers"] = []
        for s in shapes["layers"]:
            b = np.zeros(s["b"], np.float32)
            if spec.cell == "lstm":
                H = s["U"][0]
                b[H : 2 * H] = 1.0  # unit_forget_bias
            params["layers"].append({"W": glorot_uniform(rng, s["W"]), "U": orthogonal(rng, s["U"]), "b": b})
    if "head" in shapes:
        params["head"] = {"W": glorot_uniform(rng, shapes["head"]["W"]), "b": np.zeros(shapes["head"]["b"], np.float32)}
    if "skip" in shapes:  # starts at zero: the recurrent network and the linear path learn together
        params["skip"] = {"W": np.zeros(shapes["skip"]["W"], np.float32)}
    return jax.device_put(params)  # not jnp.asarray: it compiles a copy per shape (~17 ms each, 0.2 s a model)


# ---- cells: one time step each. carry -> (carry, h) ---------------------------------------------


def rnn_step(p, h, xw):  # h (B, H), xw (B, H) = x_t @ W + b
    h = jnp.tanh(xw + h @ p["U"])
    return h, h


def lstm_step(p, carry, xw):  # carry (h, c) each (B, H); xw (B, 4H)
    h, c = carry
    i, f, g, o = jnp.split(xw + h @ p["U"], 4, axis=-1)
    c = jax.nn.sigmoid(f) * c + jax.nn.sigmoid(i) * jnp.tanh(g)
    h = jax.nn.sigmoid(o) * jnp.tanh(c)
    return (h, c), h


def gru_step(p, h, xw):  # h (B, H); xw (B, 3H) = x_t @ W + b[0]
    xz, xr, xh = jnp.split(xw, 3, axis=-1)
    rz, rr, rh = jnp.split(h @ p["U"] + p["b"][1], 3, axis=-1)
    z = jax.nn.sigmoid(xz + rz)
    r = jax.nn.sigmoid(xr + rr)
    hh = jnp.tanh(xh + r * rh)
    h = z * h + (1.0 - z) * hh
    return h, h


STEPS = {"rnn": rnn_step, "lstm": lstm_step, "gru": gru_step}


def run_layer(cell: str, p: dict, xs, precision: str = "float32"):
    """One recurrent layer over time. xs (T, B, F) -> hs (T, B, H). `precision` applies to the fused
    scans' recurrent matmuls, where the time goes; the input projection (one matmul outside the loop,
    so the data keep their float32 digits) and the plain-autodiff cells (FUSED = False) stay float32."""
    T, B, F = xs.shape
    H = p["U"].shape[0]
    b_in = p["b"][0] if cell == "gru" else p["b"]
    xw = (xs.reshape(T * B, F) @ p["W"] + b_in).reshape(T, B, -1)  # all input projections at once
    if FUSED:  # same maths, hand-written backward pass (models/fused.py)
        if cell == "gru":
            return fused.gru_scan(xw, p["U"], p["b"][1], precision)
        return (fused.lstm_scan if cell == "lstm" else fused.rnn_scan)(xw, p["U"], precision)
    h0 = jnp.zeros((B, H), xs.dtype)
    carry = (h0, h0) if cell == "lstm" else h0
    step = STEPS[cell]
    _, hs = jax.lax.scan(lambda c, x: step(p, c, x), carry, xw, unroll=UNROLL)
    return hs


def allow_rank_promotion(f):
    """`f` run with numpy-style rank promotion allowed, whatever the user's `jax_numpy_rank_promotion`
    says: seqcast writes (B, H) + (H,) bias adds and the like that way."""

    @functools.wraps(f)
    def allowed(*args, **kwargs):
        with jax.numpy_rank_promotion("allow"):
            return f(*args, **kwargs)

    return allowed


@allow_rank_promotion
def apply(spec: ModelSpec, params: dict, x):
    """Forward pass. x (B, T) or (B, T, F) -> (B, K), or (B, T, K) when spec.seq2seq.

    Per-window normalisation (`spec.norm`, RevIN-style, on the first feature): the network sees the
    window minus a reference level r and predicts the change from a base:
        last    r = x[T-1]            base = r            (seq2seq: r_t = x_t, causal: its input x - r is 0 for one
                                                           feature, so seqcast's fits refuse it, panel.check_combination)
        mean    r = mean(x)           base = r            (seq2seq: running mean up to t)
        revin   (x - mean(x)) / std(x), and the output is scaled back: out * std + mean
        season  r = x[T-1]            base_k = x[T - m + k % m]  (the seasonal naive forecast)
    """
    if x.ndim == 2:
        x = x[..., None]  # (B, T, 1)
    if spec.norm == "none":
        return _network(spec, params, x)
    lvl = x[..., :1]  # (B, T, 1)
    if spec.norm == "revin":  # (a one-shot model: ModelSpec refuses seq2seq)
        mu, sd = lvl.mean(axis=1, keepdims=True), lvl.std(axis=1, keepdims=True) + 1e-3  # (B, 1, 1)
        return _network(spec, params, (x - mu) / sd) * sd[:, 0] + mu[:, 0]
    if spec.norm == "mean":
        ref = jnp.cumsum(lvl, axis=1) / jnp.arange(1, x.shape[1] + 1)[:, None] if spec.seq2seq else lvl.mean(axis=1, keepdims=True)
    else:
        ref = lvl if spec.seq2seq else lvl[:, -1:]  # (B, T, 1) or (B, 1, 1)
    out = _network(spec, params, x - ref)
    if spec.seq2seq:
        return out + ref  # (B, T, K)
    if spec.norm == "season":
        T, m = x.shape[1], spec.season
        return out + lvl[:, T - m + jnp.arange(out.shape[-1]) % m, 0]  # (B, K)
    return out + ref[:, 0]  # (B, K)


def _network(spec: ModelSpec, params: dict, x):
    """The recurrent stack and head. x (B, T, F) -> (B, K) or (B, T, K)."""
    act = ACTIVATIONS[spec.output_activation]
    if spec.cell == "linear":
        h = x.reshape(x.shape[0], -1)  # (B, T*F)
        return act(h @ params["head"]["W"] + params["head"]["b"])
    h = jnp.swapaxes(x, 0, 1)  # (T, B, F) time-major for scan
    for p in params["layers"]:
        h = run_layer(spec.cell, p, h, spec.precision)  # (T, B, H)
    if not spec.seq2seq:
        h = h[-1]  # (B, H)
    if spec.head:
        h = h @ params["head"]["W"] + params["head"]["b"]  # (B, K) or (T, B, K)
    if spec.seq2seq:
        h = jnp.swapaxes(h, 0, 1)  # (B, T, K)
    if spec.skip:
        h = h + x.reshape(x.shape[0], -1) @ params["skip"]["W"]  # (B, K)
    return act(h)


def n_values(spec: ModelSpec) -> int:
    """How many numbers `init_params(spec)` draws, counted from the shapes alone (exactly: Python ints, not int64)."""
    return sum(math.prod(s) for s in jax.tree_util.tree_leaves(param_shapes(spec), is_leaf=lambda x: isinstance(x, tuple)))


def n_params(params) -> int:
    """How many numbers a parameter tree holds: `n_params(f.params_)` for a fitted Forecaster (an ensemble's
    stacked members all counted); `n_values(spec)` counts one model from its spec alone, without drawing it."""
    return int(sum(x.size for x in jax.tree_util.tree_leaves(params)))
