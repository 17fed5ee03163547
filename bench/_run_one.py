"""One benchmark run in a fresh process: python bench/_run_one.py SYSTEM TASK SEED -> one JSON line.

SYSTEM: seqcast | keras-jax | keras-tf. TASK: airline | linear | simple-rnn | deep-rnn | deep-rnn-dense |
seq2vec-10 | seq2seq-10. Each system gets the same data, model, initialisation scheme (Keras'),
epochs, batch size and optimizer. Run by bench/vs_keras.py; a fresh process per run keeps the
compile times and peak memory honest.
"""

from __future__ import annotations

import dataclasses
import json
import os
import resource
import sys
import time

import numpy as np

PRECISION = os.environ.get("SEQCAST_BENCH_PRECISION", "float32")  # float32 | bfloat16, set by vs_keras.py --precision
AIRLINE_FLOP = 3 * 2 * 105 * 12 * 300 * 1200 * 300  # fwd + 2x bwd of h @ U: (64..41)x300 @ 300x1200, 12 steps, 300 epochs


def airline_data():
    from seqcast import datasets
    from seqcast.scaling import fit_scaler
    from seqcast.windows import make_windows

    v = datasets.airline().to_numpy()
    sc = fit_scaler(v, "minmax")  # the tutorial's recipe: scaler on all data
    X, Y = make_windows(sc.transform(v).astype(np.float32), 12)
    X, Y = np.array(X), np.array(Y)
    return sc, (X[:105], Y[:105]), (X[105:], Y[105:])


def homl_data(task, seed):
    from seqcast import homl

    m = homl.get([task])[0]
    return m, homl.make_data(m.target, seed=seed)


def peak_rss_mb():
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def matmul_gflops(dtype="float32"):
    """Best GFLOP/s of the airline step's matmul (64x300 @ 300x1200) on this CPU, through XLA
    (inputs in `dtype`, float32 accumulation)."""
    import jax
    import jax.numpy as jnp

    a = jnp.ones((64, 300), dtype)
    b = jnp.ones((300, 1200), dtype)
    f = jax.jit(lambda a, b: jnp.dot(a, b, preferred_element_type=jnp.float32).sum())
    f(a, b).block_until_ready()
    best = 0.0
    for _ in range(5):
        t = time.perf_counter()
        for _ in range(200):
            r = f(a, b)
        r.block_until_ready()
        best = max(best, 200 * 2 * 64 * 300 * 1200 / (time.perf_counter() - t) / 1e9)
    return best


def run_seqcast(task, seed):
    import jax
    import optax  # noqa: F401  (seqcast.train imports it on first use: an import, not fit time, as Keras' are outside its timer)

    from seqcast import homl, train
    from seqcast.models import rnn

    if task == "airline":
        sc, (X, Y), (Xt, Yt) = airline_data()
        spec = rnn.ModelSpec(cell="lstm", units=(300,), output_activation="sigmoid")
        tspec = train.TrainSpec(optimizer="rmsprop", epochs=300, batch_size=64)
    else:
        m, d = homl_data(task, seed)
        (X, Y), (Xt, Yt) = d["train"], d["valid"]
        spec, tspec = m.spec, m.train
    spec = dataclasses.replace(spec, precision=PRECISION)

    def once():
        params = rnn.init_params(spec, key=seed)
        t = time.perf_counter()
        params, _ = train.fit(spec, params, X, Y, train=tspec, seed=seed)
        jax.block_until_ready(params)
        return params, time.perf_counter() - t

    params, fit_s = once()  # cold in this process: tracing + compilation included
    _, steady_s = once()  # same shapes again: compiled code reused
    pred = train.predict(spec, params, Xt)
    row = {"fit_s": fit_s, "compile_s": max(fit_s - steady_s, 0.0), "steady_fit_s": steady_s}
    if task == "airline":
        row["metric_name"] = "test_rmse"
        row["metric"] = float(np.sqrt(np.mean((sc.inverse_transform(pred) - sc.inverse_transform(Yt)) ** 2)))
        row["gflops_per_s"] = AIRLINE_FLOP / fit_s / 1e9
        row["matmul_gflops_per_s"] = matmul_gflops()
        row["floor_s"] = AIRLINE_FLOP / row["matmul_gflops_per_s"] / 1e9  # the float32 floor, the yardstick
        if PRECISION == "bfloat16":
            row["matmul_bf16_gflops_per_s"] = matmul_gflops("bfloat16")
    else:
        row["metric_name"] = "valid_mse"
        row["metric"] = homl.score(m.target, Yt, pred)
    return row


def keras_model(task):
    import keras
    from keras import layers

    if task == "airline":
        return keras.Sequential([keras.Input((12, 1)), layers.LSTM(300), layers.Dense(1, activation="sigmoid")])
    rnn20 = lambda seq=True: layers.SimpleRNN(20, return_sequences=seq)  # noqa: E731
    inp = keras.Input((50, 1))
    return {
        "linear": lambda: keras.Sequential([inp, layers.Flatten(), layers.Dense(1)]),
        "simple-rnn": lambda: keras.Sequential([inp, layers.SimpleRNN(1)]),
        "deep-rnn": lambda: keras.Sequential([inp, rnn20(), rnn20(), layers.SimpleRNN(1)]),
        "deep-rnn-dense": lambda: keras.Sequential([inp, rnn20(), rnn20(False), layers.Dense(1)]),
        "seq2vec-10": lambda: keras.Sequential([inp, rnn20(), rnn20(False), layers.Dense(10)]),
        "seq2seq-10": lambda: keras.Sequential([inp, rnn20(), rnn20(), layers.TimeDistributed(layers.Dense(10))]),
    }[task]()


def run_keras(task, seed):
    import keras

    from seqcast import homl

    keras.utils.set_random_seed(seed)
    if PRECISION == "bfloat16":  # Keras' own mixed precision: bfloat16 compute, float32 weights
        keras.mixed_precision.set_global_policy("mixed_bfloat16")
    if task == "airline":
        sc, (X, Y), (Xt, Yt) = airline_data()
        opt, epochs, batch = keras.optimizers.RMSprop(), 300, 64
    else:
        m, d = homl_data(task, seed)
        (X, Y), (Xt, Yt) = d["train"], d["valid"]
        lr = m.train.learning_rate or 1e-3
        opt, epochs, batch = keras.optimizers.Adam(learning_rate=lr), m.train.epochs, m.train.batch_size
    X = X[..., None]
    Xt = Xt[..., None]
    model = keras_model(task)
    model.compile(optimizer=opt, loss="mse")
    times = []

    class Clock(keras.callbacks.Callback):
        def on_epoch_begin(self, epoch, logs=None):
            self.t = time.perf_counter()

        def on_epoch_end(self, epoch, logs=None):
            times.append(time.perf_counter() - self.t)

    t = time.perf_counter()
    model.fit(X, Y, epochs=epochs, batch_size=batch, verbose=0, shuffle=True, callbacks=[Clock()])
    fit_s = time.perf_counter() - t
    pred = np.asarray(model.predict(Xt, verbose=0, batch_size=2048))
    row = {"fit_s": fit_s, "compile_s": max(times[0] - float(np.median(times[1:])), 0.0) if len(times) > 1 else None}
    if task == "airline":
        row["metric_name"] = "test_rmse"
        row["metric"] = float(np.sqrt(np.mean((sc.inverse_transform(pred) - sc.inverse_transform(Yt)) ** 2)))
        row["gflops_per_s"] = AIRLINE_FLOP / fit_s / 1e9  # the floor is the machine's: seqcast's row measures it
    else:
        row["metric_name"] = "valid_mse"
        row["metric"] = homl.score(m.target, Yt, pred)
    return row


def main():
    system, task, seed = sys.argv[1], sys.argv[2], int(sys.argv[3])
    if system.startswith("keras"):
        # seqcast (imported for the data) would switch on its JAX compilation cache; Keras must compile cold
        os.environ["SEQCAST_CACHE_DIR"] = "off"
        os.environ["KERAS_BACKEND"] = "jax" if system == "keras-jax" else "tensorflow"
        os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
        row = run_keras(task, seed)
    else:
        row = run_seqcast(task, seed)
    row.update(task=task, system=system, seed=seed, peak_rss_mb=peak_rss_mb(), precision=PRECISION)
    print(json.dumps(row), flush=True)


if __name__ == "__main__":
    main()
