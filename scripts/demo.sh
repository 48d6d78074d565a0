#!/usr/bin/env bash
# The main job: trains a real model and writes its results to output/.
source "$(dirname "$0")/_venv.sh"
cd "$ROOT"
exec "$PY" examples/demo.py "$@"
