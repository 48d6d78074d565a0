# Sourced by the set-up scripts: create or reuse .venv and install the pinned
# dependencies, re-installing only when a requirements file changed.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
VENV="$ROOT/.venv"
REQ="$ROOT/requirements-dev.txt"
[ -x "$VENV/bin/python" ] || python3 -m venv "$VENV"
STAMP="$VENV/.fastkeras-installed"
WANT="$(cat "$ROOT"/requirements*.txt "$ROOT/pyproject.toml" | sha256sum | cut -d' ' -f1)"
if [ ! -f "$STAMP" ] || [ "$(cat "$STAMP")" != "$WANT" ]; then
  "$VENV/bin/pip" install --quiet --disable-pip-version-check -r "$REQ"
  "$VENV/bin/pip" install --quiet --disable-pip-version-check --no-deps -e "$ROOT"
  echo "$WANT" > "$STAMP"
fi
PY="$VENV/bin/python"
# plot_model renders through Graphviz's `dot`, a system program pip cannot install. As root with apt-get we
# install it quietly; otherwise we say so once (plot_model then explains the missing piece itself).
if ! command -v dot >/dev/null 2>&1; then
  if command -v apt-get >/dev/null 2>&1 && [ "$(id -u)" = "0" ]; then
    { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq graphviz; } >/dev/null 2>&1 \
      || echo "warning: could not install Graphviz (apt-get install graphviz); plot_model will not render." >&2
  else
    echo "warning: Graphviz's \`dot\` is not installed; plot_model needs it (apt-get install graphviz," \
         "brew install graphviz, or https://graphviz.org/download/)." >&2
  fi
fi
