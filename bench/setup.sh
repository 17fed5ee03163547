#!/usr/bin/env bash
# A separate environment for the competitors (Keras 3 on JAX and on TensorFlow) and seqcast itself.
# Keras and TensorFlow are never dependencies of the seqcast package.
set -euo pipefail
cd "$(dirname "$0")/.."
python3 -m venv .venv-bench
.venv-bench/bin/pip install -q --upgrade pip
.venv-bench/bin/pip install -q -e . "keras>=3" "jax[cpu]" tensorflow-cpu
echo "ready: .venv-bench/bin/python bench/vs_keras.py"
