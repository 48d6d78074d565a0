"""The benchmark command at a tiny size: it runs and writes its table and JSON (no timing is asserted)."""
import json
import os
import subprocess
import sys

ROOT = os.path.join(os.path.dirname(__file__), "..")


def test_benchmark_command_runs_at_tiny_size(tmp_path):
    proc = subprocess.run([sys.executable, os.path.join(ROOT, "benchmarks", "run.py"), "--tiny",
                           "--models", "mlp,stateful_lstm", "--out", str(tmp_path)],
                          capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stdout[-2000:] + proc.stderr[-2000:]
    (report_path,) = [p for p in tmp_path.iterdir() if p.suffix == ".json"]
    report = json.loads(report_path.read_text())
    for model in ("mlp", "stateful_lstm"):
        for impl in ("fastkeras", "PyTorch eager"):
            assert report["results"][model][impl]["ms_per_step"] > 0
    table = (tmp_path / (report_path.stem + ".md")).read_text()
    assert "| mlp |" in table and "fastkeras / PyTorch eager" in table
