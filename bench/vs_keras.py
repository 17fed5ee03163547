"""seqcast vs Keras 3 (JAX and TensorFlow backends), one run on one machine.

    bash bench/setup.sh                                  # once: .venv-bench with keras, jax, tensorflow-cpu
    .venv-bench/bin/python bench/vs_keras.py [--tasks airline,deep-rnn] [--systems seqcast,keras-jax]
                                             [--repeat 3] [--first-seed 0] [--precision bfloat16] [--json]

Every (task, system, seed) runs in a fresh process (bench/_run_one.py), one after another, never two
at once. seqcast runs twice per seed: with an empty compilation cache (cold) and again with it
filled (warm). Printed: fit seconds (compilation included), compile seconds, peak RSS, the accuracy
figure (airline: test RMSE in passengers; Hands-On ML models: validation MSE), and the ratio
Keras-JAX time / seqcast time; with Keras-JAX, also seqcast's error / Keras-JAX's over the same seeds
(`metric_vs_keras_jax`). With --json: one JSON object per task and system on stdout.

--precision bfloat16 runs both sides in mixed precision: seqcast's recurrent matmuls take bfloat16
inputs (ModelSpec.precision), Keras runs its "mixed_bfloat16" policy. The airline floor stays the
float32 matmul's, so fit / floor below 1 is possible there; `matmul_bf16_gflops_per_s` is printed beside it.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
TASKS = ["airline", "linear", "simple-rnn", "deep-rnn", "deep-rnn-dense", "seq2vec-10", "seq2seq-10"]
SYSTEMS = ["seqcast", "keras-jax", "keras-tf"]


def run_one(system, task, seed, env_extra=None, precision="float32"):
    env = dict(os.environ, SEQCAST_BENCH_PRECISION=precision, **(env_extra or {}))
    out = subprocess.run([sys.executable, str(HERE / "_run_one.py"), system, task, str(seed)], capture_output=True, text=True, env=env)
    lines = [ln for ln in out.stdout.splitlines() if ln.startswith("{")]
    if out.returncode != 0 or not lines:
        raise SystemExit(f"{system} {task} seed {seed} failed:\n{out.stderr[-3000:]}")
    return json.loads(lines[-1])


def mean(rows, key):
    vals = [r[key] for r in rows if r.get(key) is not None]
    return float(np.mean(vals)) if vals else None


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--tasks", default=",".join(TASKS))
    ap.add_argument("--systems", default=",".join(SYSTEMS))
    ap.add_argument("--repeat", type=int, default=1, help="N seeds: FIRST..FIRST+N-1; figures are means")
    ap.add_argument("--first-seed", type=int, default=0, help="the first seed (default 0)")
    ap.add_argument("--precision", default="float32", choices=["float32", "bfloat16"], help="both systems' matmul precision")
    ap.add_argument("--json", action="store_true")
    a = ap.parse_args()
    if a.repeat < 1 or a.first_seed < 0:
        ap.error(f"--repeat must be >= 1 and --first-seed >= 0. Received: --repeat {a.repeat}, --first-seed {a.first_seed}")
    tasks, systems = a.tasks.split(","), a.systems.split(",")
    for what, given, known in (("task", tasks, TASKS), ("system", systems, SYSTEMS)):
        if unknown := [x for x in given if x not in known]:
            ap.error(f"unknown {what} {unknown[0]!r}; known: {', '.join(known)}")
    results = []
    for task in tasks:
        by_sys = {}
        for system in systems:
            rows = []
            for seed in range(a.first_seed, a.first_seed + a.repeat):
                if system == "seqcast":
                    with tempfile.TemporaryDirectory() as cache:
                        cold = run_one(system, task, seed, {"SEQCAST_CACHE_DIR": cache}, a.precision)
                        warm = run_one(system, task, seed, {"SEQCAST_CACHE_DIR": cache}, a.precision)
                    cold["compile_s_warm"] = warm["compile_s"]
                    cold["fit_s_warm"] = warm["fit_s"]
                    rows.append(cold)
                else:
                    rows.append(run_one(system, task, seed, precision=a.precision))
                print(f"  {task:15s} {system:10s} seed {seed}: fit {rows[-1]['fit_s']:.2f}s {rows[-1]['metric_name']} {rows[-1]['metric']:.5g}",
                      file=sys.stderr, flush=True)
            agg = {"task": task, "system": system, "seeds": a.repeat, "first_seed": a.first_seed, "precision": a.precision}
            for k in ("fit_s", "compile_s", "compile_s_warm", "fit_s_warm", "steady_fit_s", "peak_rss_mb", "metric",
                      "gflops_per_s", "matmul_gflops_per_s", "matmul_bf16_gflops_per_s", "floor_s"):
                v = mean(rows, k)
                if v is not None:
                    agg[k] = v
            agg["metric_name"] = rows[0]["metric_name"]
            agg["fit_s_per_seed"] = [r["fit_s"] for r in rows]
            agg["metric_per_seed"] = [r["metric"] for r in rows]
            by_sys[system] = agg
            results.append(agg)
        if "seqcast" in by_sys:
            s = by_sys["seqcast"]
            for other, key in (("keras-jax", "speedup_vs_keras_jax"), ("keras-tf", "speedup_vs_keras_tf")):
                if other in by_sys:
                    s[key] = by_sys[other]["fit_s"] / s["fit_s"]
            if "keras-jax" in by_sys:  # accuracy: seqcast's error / Keras-JAX's, same seeds (lower is better)
                s["metric_vs_keras_jax"] = s["metric"] / by_sys["keras-jax"]["metric"]
    if a.json:
        for r in results:
            print(json.dumps(r))
        return
    print(f"{'task':15s} {'system':10s} {'fit s':>7s} {'compile':>8s} {'warm':>6s} {'RSS MB':>7s} {'metric':>10s} {'vs keras-jax':>12s} {'vs keras-tf':>11s}")
    for r in results:
        print(f"{r['task']:15s} {r['system']:10s} {r['fit_s']:7.2f} {r.get('compile_s', float('nan')):8.2f} "
              f"{r.get('compile_s_warm', float('nan')):6.2f} {r['peak_rss_mb']:7.0f} {r['metric']:10.5g} "
              f"{r.get('speedup_vs_keras_jax', float('nan')):12.2f} {r.get('speedup_vs_keras_tf', float('nan')):11.2f}")
        if "metric_vs_keras_jax" in r:
            print(f"{'':15s} {r['metric_name']} seqcast / keras-jax = {r['metric_vs_keras_jax']:.3f} (mean of seeds "
                  f"{r['first_seed']}-{r['first_seed'] + r['seeds'] - 1})")
        if r["task"] == "airline" and r["system"] == "seqcast":
            print(f"{'':15s} airline: {r['gflops_per_s']:.0f} GFLOP/s; matmul {r['matmul_gflops_per_s']:.0f} GFLOP/s -> floor {r['floor_s']:.2f}s; "
                  f"fit / floor = {r['fit_s'] / r['floor_s']:.2f}"
                  + (f" (bfloat16 matmul {r['matmul_bf16_gflops_per_s']:.0f} GFLOP/s)" if "matmul_bf16_gflops_per_s" in r else ""))
    suite = [t for t in tasks if t != "airline"]
    if suite:
        tot = {s: sum(r["fit_s"] for r in results if r["system"] == s and r["task"] in suite) for s in systems}
        print("Hands-On ML suite total fit s: " + ", ".join(f"{s} {v:.1f}" for s, v in tot.items()))
        if "seqcast" in tot:
            for s in systems:
                if s != "seqcast":
                    print(f"  {s} / seqcast = {tot[s] / tot['seqcast']:.2f}x")


if __name__ == "__main__":
    main()
