#!/usr/bin/env bash
# The GPU checks, as one prepared run for a machine with CUDA (the project's device machine: its python3 has a
# CUDA PyTorch, numpy, h5py, PyYAML and pytest; fastkeras runs from this checkout through PYTHONPATH).
#
#     bash scripts/gpu_check.sh            # writes logs and tables under $OUT (default ./gpu_out)
#
# About 8 minutes on an H100/H200: the test suite on CUDA (weights and data go to the GPU by default), then the
# side-by-side benchmark on the GPU with jit_compile, then mixed precision on the convnet and Inception block.
# Each part has its own time limit, so a hang in one still leaves the others' results.
set -u
cd "$(dirname "$0")/.."
OUT="${OUT:-$PWD/gpu_out}"
mkdir -p "$OUT"
PY="${PYTHON:-python3}"
export PYTHONPATH="$PWD${PYTHONPATH:+:$PYTHONPATH}" PYTHONUNBUFFERED=1

{
  nvidia-smi --query-gpu=name,memory.total,driver_version --format=csv,noheader
  "$PY" -c "import torch, sys; print('python', sys.version.split()[0], 'torch', torch.__version__, 'cuda',
torch.version.cuda, 'cudnn', torch.backends.cudnn.version(), 'available', torch.cuda.is_available())"
} > "$OUT/machine.txt" 2>&1
cat "$OUT/machine.txt"

# 1. The whole test suite with CUDA as the default device (GPU-only tests run here and are skipped elsewhere).
#    --timeout only where pytest-timeout is installed (an unknown option would stop pytest before any test).
PER_TEST=""; "$PY" -c "import pytest_timeout" 2>/dev/null && PER_TEST="--timeout=120"
timeout 360 "$PY" -m pytest -q -p no:cacheprovider -o addopts="" tests $PER_TEST -rs > "$OUT/pytest.log" 2>&1
tail -n 5 "$OUT/pytest.log"

# 2. The seed models on the GPU: fastkeras eager and jit_compile against the hand-written PyTorch loop (and Keras 3
#    when KERAS3_PYTHON names a Python that has it).
timeout 240 "$PY" benchmarks/run.py --device cuda --jit --torch-compile --out "$OUT" > "$OUT/bench.log" 2>&1
tail -n 40 "$OUT/bench.log"

# 3. Mixed precision on the convolutional models (the issue's GPU target): float32 vs bfloat16 vs float16.
for model in convnet inception; do
  for policy in float32 mixed_bfloat16 mixed_float16; do
    flag=""; [ "$policy" != float32 ] && flag="--policy $policy"
    timeout 60 "$PY" benchmarks/kbench.py "$model" --impl fastkeras --steps 50 --size 256 --latency-reps 5 $flag \
      2>>"$OUT/mixed_precision.err" | tail -n 1 >> "$OUT/mixed_precision.jsonl"
  done
done
cat "$OUT/mixed_precision.jsonl"
