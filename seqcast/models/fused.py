"""Recurrent scans with hand-written backward passes (`jax.custom_vjp`).

Forward: the same equations as the cells in rnn.py, over precomputed input projections
xw (T, B, G*H). Backward: one reverse scan that only carries dh (and dc) and does one matmul per
step (dz @ U^T); the weight gradient dU = sum_t h_{t-1}^T dz_t is then ONE large matmul
(H, T*B) @ (T*B, G*H) after the scan, instead of T small ones accumulated inside it.
Gradients flow to xw, so W and the input bias stay in ordinary autodiff.

    lstm_scan(xw, U, precision)         -> hs (T, B, H)     gates i, f, g, o
    gru_scan(xw, U, b_rec, precision)   -> hs (T, B, H)     Keras reset_after GRU, gates z, r, n
    rnn_scan(xw, U, precision)          -> hs (T, B, H)     tanh

`precision` is the matmuls' input type: "float32", or "bfloat16" (mixed precision: the matmul
inputs are rounded to bfloat16 and accumulate in float32; the state, the gates and the weights stay
float32). On a CPU with AMX (Intel Sapphire Rapids and later) XLA runs the airline LSTM's
64x300 @ 300x1200 step at 576 GFLOP/s in bfloat16 against 181 in float32.
"""

from __future__ import annotations

import functools

import jax
import jax.numpy as jnp

from ..config import CHOICES

UNROLL = 1
PRECISIONS = CHOICES["precision"]  # float32, bfloat16


def dot(a, b, precision: str = "float32"):  # a @ b, inputs rounded to `precision`, float32 result
    if precision == "float32":
        return a @ b
    dt = jnp.dtype(precision)
    return jnp.dot(a.astype(dt), b.astype(dt), preferred_element_type=jnp.float32)


def _shift(hs):  # h_{t-1} for every t: (T, B, H) with zeros at t = 0
    return jnp.concatenate([jnp.zeros_like(hs[:1]), hs[:-1]], axis=0)


def _outer(hprev, dz, precision):  # sum_t hprev_t^T dz_t as one matmul: (H, T*B) @ (T*B, G)
    T, B, H = hprev.shape
    if precision == "float32":
        return hprev.reshape(T * B, H).T @ dz.reshape(T * B, -1)
    # bfloat16 as one contraction over (t, b): the transposed-matmul form above ran no faster than
    # float32 (2.3 ms for the airline LSTM's 300 x 768 @ 768 x 1200), this one 3.6x faster (0.64 ms)
    dt = jnp.dtype(precision)
    return jnp.einsum("tbh,tbg->hg", hprev.astype(dt), dz.astype(dt), preferred_element_type=jnp.float32)


def _cast(U, precision):  # the recurrent weights rounded once, outside the loop over time
    return U if precision == "float32" else U.astype(precision)


# ---- SimpleRNN ---------------------------------------------------------------------------------------


def _rnn_fwd_scan(xw, U, precision):
    Uc = _cast(U, precision)

    def step(h, x):
        h = jnp.tanh(x + dot(h, Uc, precision))
        return h, h

    h0 = jnp.zeros((xw.shape[1], U.shape[0]), xw.dtype)
    return jax.lax.scan(step, h0, xw, unroll=UNROLL)[1]


@functools.partial(jax.custom_vjp, nondiff_argnums=(2,))
def rnn_scan(xw, U, precision="float32"):
    return _rnn_fwd_scan(xw, U, precision)


def _rnn_fwd(xw, U, precision):
    hs = _rnn_fwd_scan(xw, U, precision)
    return hs, (hs, U)


def _rnn_bwd(precision, res, dhs):
    hs, U = res
    Ut = _cast(U.T, precision)

    def step(dh_next, inp):
        dh_out, h = inp
        da = (dh_out + dh_next) * (1.0 - h * h)
        return dot(da, Ut, precision), da

    _, da = jax.lax.scan(step, jnp.zeros_like(hs[0]), (dhs, hs), reverse=True, unroll=UNROLL)
    return da, _outer(_shift(hs), da, precision)


rnn_scan.defvjp(_rnn_fwd, _rnn_bwd)


# ---- LSTM --------------------------------------------------------------------------------------------


def _lstm_fwd_scan(xw, U, precision):
    H = U.shape[0]
    Uc = _cast(U, precision)

    def step(carry, x):
        h, c = carry
        z = x + dot(h, Uc, precision)
        i = jax.nn.sigmoid(z[:, :H])
        f = jax.nn.sigmoid(z[:, H : 2 * H])
        g = jnp.tanh(z[:, 2 * H : 3 * H])
        o = jax.nn.sigmoid(z[:, 3 * H :])
        c = f * c + i * g
        h = o * jnp.tanh(c)
        return (h, c), (h, c, jnp.concatenate([i, f, g, o], axis=-1))

    h0 = jnp.zeros((xw.shape[1], H), xw.dtype)
    _, (hs, cs, gates) = jax.lax.scan(step, (h0, h0), xw, unroll=UNROLL)
    return hs, cs, gates


@functools.partial(jax.custom_vjp, nondiff_argnums=(2,))
def lstm_scan(xw, U, precision="float32"):
    return _lstm_fwd_scan(xw, U, precision)[0]


def _lstm_fwd(xw, U, precision):
    hs, cs, gates = _lstm_fwd_scan(xw, U, precision)
    return hs, (hs, cs, gates, U)


def _lstm_bwd(precision, res, dhs):
    hs, cs, gates, U = res
    H = U.shape[0]
    Ut = _cast(U.T, precision)
    cprev = _shift(cs)

    def step(carry, inp):
        dh_next, dc_next = carry
        dh_out, c, cp, gt = inp
        i, f, g, o = gt[:, :H], gt[:, H : 2 * H], gt[:, 2 * H : 3 * H], gt[:, 3 * H :]
        dh = dh_out + dh_next
        tc = jnp.tanh(c)
        dc = dc_next + dh * o * (1.0 - tc * tc)
        dz = jnp.concatenate(
            [dc * g * i * (1.0 - i), dc * cp * f * (1.0 - f), dc * i * (1.0 - g * g), dh * tc * o * (1.0 - o)], axis=-1
        )
        return (dot(dz, Ut, precision), dc * f), dz

    zero = jnp.zeros_like(hs[0])
    _, dz = jax.lax.scan(step, (zero, zero), (dhs, cs, cprev, gates), reverse=True, unroll=UNROLL)
    return dz, _outer(_shift(hs), dz, precision)


lstm_scan.defvjp(_lstm_fwd, _lstm_bwd)


# ---- GRU (Keras reset_after) ---------------------------------------------------------------------------


def _gru_fwd_scan(xw, U, b_rec, precision):
    H = U.shape[0]
    Uc = _cast(U, precision)

    def step(h, x):
        rec = dot(h, Uc, precision) + b_rec
        z = jax.nn.sigmoid(x[:, :H] + rec[:, :H])
        r = jax.nn.sigmoid(x[:, H : 2 * H] + rec[:, H : 2 * H])
        rh = rec[:, 2 * H :]
        n = jnp.tanh(x[:, 2 * H :] + r * rh)
        h_new = z * h + (1.0 - z) * n
        return h_new, (h_new, jnp.concatenate([z, r, n, rh], axis=-1))

    h0 = jnp.zeros((xw.shape[1], H), xw.dtype)
    _, (hs, saved) = jax.lax.scan(step, h0, xw, unroll=UNROLL)
    return hs, saved


@functools.partial(jax.custom_vjp, nondiff_argnums=(3,))
def gru_scan(xw, U, b_rec, precision="float32"):
    return _gru_fwd_scan(xw, U, b_rec, precision)[0]


def _gru_fwd(xw, U, b_rec, precision):
    hs, saved = _gru_fwd_scan(xw, U, b_rec, precision)
    return hs, (hs, saved, U)


def _gru_bwd(precision, res, dhs):
    hs, saved, U = res
    H = U.shape[0]
    Ut = _cast(U.T, precision)
    hprev = _shift(hs)

    def step(dh_next, inp):
        dh_out, hp, sv = inp
        z, r, n, rh = sv[:, :H], sv[:, H : 2 * H], sv[:, 2 * H : 3 * H], sv[:, 3 * H :]
        dh = dh_out + dh_next
        dzg = dh * (hp - n) * z * (1.0 - z)
        dn = dh * (1.0 - z) * (1.0 - n * n)
        dr = dn * rh * r * (1.0 - r)
        dx = jnp.concatenate([dzg, dr, dn], axis=-1)
        drec = jnp.concatenate([dzg, dr, dn * r], axis=-1)
        return dh * z + dot(drec, Ut, precision), (dx, drec)

    _, (dx, drec) = jax.lax.scan(step, jnp.zeros_like(hs[0]), (dhs, hprev, saved), reverse=True, unroll=UNROLL)
    return dx, _outer(hprev, drec, precision), drec.sum(axis=(0, 1))


gru_scan.defvjp(_gru_fwd, _gru_bwd)
