#!/usr/bin/env bash
# Runs the whole test suite in .venv (created on first use).
source "$(dirname "$0")/_venv.sh"
cd "$ROOT"
exec "$PY" -m pytest tests "$@"
