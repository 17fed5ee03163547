"""Training throughput and peak memory as the number of training windows grows.

    .venv/bin/python bench/scaling.py [--sizes 10000,100000,1000000] [--model gru] [--units 32]
                                      [--window 50] [--batch-size 256] [--json]

Data: synthetic series of 100 steps (seqcast.datasets.synthetic), laid end to end in one array;
the windows are int32 start indices into it (train.Windows), never copied, so memory should stay
at data + model + a constant. Each size runs in a fresh process (honest peak RSS): one epoch to
compile, then one timed epoch with the compiled code.
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import time


def rss_mb():
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def one(n_windows, model, units, window, batch_size):
    import jax
    import numpy as np

    from seqcast import train
    from seqcast.datasets import synthetic
    from seqcast.models import rnn

    L = 100  # steps per series; each gives L - window windows (one-step targets)
    per = L - window
    n_series = -(-n_windows // per)
    base = rss_mb()  # after imports, before data
    values = synthetic(n_series, L, seed=0)[..., 0].reshape(-1)  # (n_series * L,) float32
    starts = (np.arange(n_series)[:, None] * L + np.arange(per)[None, :]).reshape(-1)[:n_windows].astype(np.int32)
    data = train.Windows(jax.numpy.asarray(values), jax.numpy.asarray(starts), window, 1)
    data_mb = (values.nbytes + starts.nbytes) / 2**20
    spec = rnn.ModelSpec(cell=model, units=(units,))
    params = rnn.init_params(spec, key=0)
    ts = train.TrainSpec(optimizer="adam", epochs=1, batch_size=batch_size)
    t = time.perf_counter()
    train.fit(spec, params, data, None, train=ts)  # compile + one epoch
    first = time.perf_counter() - t
    t = time.perf_counter()
    p, hist = train.fit(spec, params, data, None, train=ts)  # compiled: one epoch
    jax.block_until_ready(p)
    steady = time.perf_counter() - t
    return {"n_windows": n_windows, "model": f"{model}({units})", "window": window, "batch_size": batch_size,
            "epoch_s": steady, "first_epoch_s": first, "windows_per_s": n_windows / steady,
            "data_mb": data_mb, "copied_windows_mb": n_windows * (window + 1) * 4 / 2**20,
            "peak_rss_mb": rss_mb(), "rss_over_baseline_mb": rss_mb() - base, "loss": hist.loss[-1]}


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--sizes", default="10000,100000,1000000")
    ap.add_argument("--model", default="gru")
    ap.add_argument("--units", type=int, default=32)
    ap.add_argument("--window", type=int, default=50)
    ap.add_argument("--batch-size", type=int, default=256)
    ap.add_argument("--json", action="store_true")
    ap.add_argument("--one", type=int, help=argparse.SUPPRESS)
    a = ap.parse_args()
    if a.one:
        print(json.dumps(one(a.one, a.model, a.units, a.window, a.batch_size)))
        return
    rows = []
    for n in (int(s) for s in a.sizes.split(",")):
        out = subprocess.run([sys.executable, __file__, "--one", str(n), "--model", a.model, "--units", str(a.units),
                              "--window", str(a.window), "--batch-size", str(a.batch_size)], capture_output=True, text=True)
        if out.returncode != 0:
            raise SystemExit(out.stderr[-3000:])
        rows.append(json.loads(out.stdout.strip().splitlines()[-1]))
        print(json.dumps(rows[-1]) if a.json else
              f"{n:>9,d} windows  {rows[-1]['epoch_s']:7.2f} s/epoch  {rows[-1]['windows_per_s']:9,.0f} windows/s  "
              f"peak RSS {rows[-1]['peak_rss_mb']:6.0f} MB (+{rows[-1]['rss_over_baseline_mb']:.0f} over start-up; "
              f"data {rows[-1]['data_mb']:.3g} MB, copied windows would be {rows[-1]['copied_windows_mb']:.3g} MB)", flush=True)
    if len(rows) > 1 and not a.json:
        r0, r1 = rows[0], rows[-1]
        print(f"time per window, largest / smallest: {(r1['epoch_s'] / r1['n_windows']) / (r0['epoch_s'] / r0['n_windows']):.2f} (1.00 = linear)")


if __name__ == "__main__":
    main()
