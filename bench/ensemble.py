"""Ensembles at the price of one? Fit time of M members trained together against one member (in
threads, one per core, on a CPU; at once with jax.vmap elsewhere: see train.member_threads).

    .venv/bin/python bench/ensemble.py [--tasks auto-airline,simple-rnn,...] [--members 8] [--repeat 2] [--sweep] [--json]

--sweep: the M models differ in learning rate instead of seed (train.sweep; the learning rate is an argument of the compiled epoch, so they share one).

Every model trains on the same data with the same epochs; only the member axis differs. Times are
steady-state fits (compiled code reused), best of `--repeat`, and compile seconds (cold fit minus
steady fit, with an empty compilation cache) beside them. The ratio is M-member time / 1-member
time: 1.0 would be free members, M would be no gain over training them one after another.

    auto-airline     seqcast's default model (GRU(32) + skip, window 24, 200 epochs, batch 32) on
                     the airline series' 117 training months (93 windows)
    deep-rnn-dense,  Hands-On ML ch. 15 models on 7000 synthetic series, the seed's epochs and batch
    seq2vec-10, ...
"""

from __future__ import annotations

import argparse
import json
import os
import tempfile
import time

import numpy as np

TASKS = ["auto-airline", "simple-rnn", "deep-rnn-dense", "seq2vec-10", "seq2seq-10"]


def problem(task):
    """(spec, TrainSpec, X, Y) for a task."""
    if task == "auto-airline":
        from seqcast import datasets, panel, train
        from seqcast.honest import AIRLINE_CUT, auto_config
        from seqcast.scaling import fit_scaler

        y = datasets.airline().to_numpy()[:AIRLINE_CUT]
        cfg = auto_config([y], h=1, season=12, ensemble=1)
        spec = panel.model_spec(cfg, 1, 12)
        sc = fit_scaler(y, cfg.scaler, log=cfg.log)
        X = train.Windows.of(sc.transform(y), cfg.window, 1)
        tspec = train.TrainSpec(optimizer=cfg.optimizer, loss=cfg.loss, epochs=cfg.epochs, batch_size=cfg.batch_size)
        return spec, tspec, X, None
    from seqcast import homl

    m = homl.get([task])[0]
    X, Y = homl.make_data(m.target, seed=0)["train"]
    return m.spec, m.train, X, Y


def fit_seconds(task, members, repeat):
    import jax

    from seqcast import train
    from seqcast.forecast import init_params

    spec, tspec, X, Y = problem(task)
    times = []
    for _ in range(repeat + 1):  # the first fit compiles
        params = init_params(spec, 0, members)
        t = time.perf_counter()
        params, _ = train.fit(spec, params, X, Y, train=tspec, seed=0, members=members)
        jax.block_until_ready(params)
        times.append(time.perf_counter() - t)
    return min(times[1:]), max(times[0] - min(times[1:]), 0.0)


def sweep_seconds(task, runs, repeat):
    """Like fit_seconds, for `runs` models that differ in learning rate (the task's, times 2^k for k around 0)
    trained by train.sweep: (steady s, compile s, [validation-free final training loss per run])."""
    import dataclasses

    import jax

    from seqcast import train
    from seqcast.forecast import init_params

    spec, tspec, X, Y = problem(task)
    lr = tspec.learning_rate or train.DEFAULT_LR[tspec.optimizer]
    specs = [dataclasses.replace(tspec, learning_rate=lr * 2.0 ** (k - runs // 2)) for k in range(runs)]
    times = []
    for _ in range(repeat + 1):  # the first sweep compiles the one epoch all learning rates share
        t = time.perf_counter()
        out = train.sweep([(spec, init_params(spec, 0, 1), ts) for ts in specs], X, Y, seed=0)
        jax.block_until_ready([p for p, _ in out])
        times.append(time.perf_counter() - t)
    return min(times[1:]), max(times[0] - min(times[1:]), 0.0), [h.loss[-1] for _, h in out]


def main():
    os.environ["SEQCAST_CACHE_DIR"] = tempfile.mkdtemp(prefix="seqcast-bench-cache-")  # cold compiles (read on import)
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--tasks", default=",".join(TASKS))
    ap.add_argument("--members", type=int, default=8)
    ap.add_argument("--repeat", type=int, default=2, help="fits per size after the cold one (>= 1)")
    ap.add_argument("--sweep", action="store_true", help="M learning rates (train.sweep) instead of M seed members")
    ap.add_argument("--json", action="store_true")
    a = ap.parse_args()
    if a.repeat < 1 or a.members < 2:
        ap.error(f"--repeat must be >= 1 and --members >= 2. Received: repeat={a.repeat}, members={a.members}")
    unknown = [t for t in a.tasks.split(",") if t not in TASKS]
    if unknown:
        ap.error(f"--tasks must be among {', '.join(TASKS)}. Received: {unknown[0]!r}")
    rows = []
    for task in a.tasks.split(","):
        one, c1 = fit_seconds(task, 1, a.repeat)
        if a.sweep:
            many, cm, losses = sweep_seconds(task, a.members, a.repeat)
        else:
            many, cm = fit_seconds(task, a.members, a.repeat)
        rows.append({"task": task, "members": a.members, "fit_s_1": one, "fit_s_m": many, "compile_s_1": c1, "compile_s_m": cm,
                     "ratio": many / one, **({"mode": "sweep", "final_loss": losses} if a.sweep else {})})
        if a.json:
            print(json.dumps(rows[-1]), flush=True)
    if not a.json:
        what = "learning rates (train.sweep)" if a.sweep else "members"
        print(f"{'task':16s} {'1 member s':>10s} {a.members:>3d} members s {'ratio':>6s}   compile 1 / {a.members}    ({a.members} {what})")
        for r in rows:
            print(f"{r['task']:16s} {r['fit_s_1']:10.2f} {r['fit_s_m']:13.2f} {r['ratio']:6.2f}   "
                  f"{r['compile_s_1']:.2f} / {r['compile_s_m']:.2f}")
        target = " (issue 5's target for 8 members: <= 2)" if a.members == 8 else ""
        print(f"geometric mean ratio: {float(np.exp(np.mean([np.log(r['ratio']) for r in rows]))):.2f}{target}")


if __name__ == "__main__":
    main()
