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
            r = report["results"][model][impl]
            assert r["ms_per_step"] > 0
            # Peak memory of build + fit over the baseline after imports and data (host RSS, MiB); None on CPU
            # for the device figure.
            assert r["fit_peak_rss_mib"] >= 0 and r["rss_peak_mib"] >= r["rss_baseline_mib"] > 0
            assert "fit_peak_device_mib" in r
    # Batch-1 latency: predict() for the Keras implementations, the direct call for both; none for the stateful
    # seed (its batch size is fixed).
    mlp = report["results"]["mlp"]
    assert mlp["fastkeras"]["predict_b1_ms"] >= mlp["fastkeras"]["predict_b1_min_ms"] > 0
    assert mlp["fastkeras"]["call_b1_ms"] > 0 and mlp["PyTorch eager"]["call_b1_ms"] > 0
    assert "predict_b1_ms" not in report["results"]["stateful_lstm"]["fastkeras"]
    table = (tmp_path / (report_path.stem + ".md")).read_text()
    assert "| mlp |" in table and "fastkeras / PyTorch eager" in table
    assert "| model (predict, batch 1, ms) |" in table and "| model (peak memory during fit, MiB) |" in table


def test_peak_memory_sees_a_peak_inside_the_window_and_not_one_before():
    sys.path.insert(0, os.path.join(ROOT, "benchmarks"))
    try:
        import numpy as np
        import peakmem
    finally:
        sys.path.pop(0)
    before = np.ones(64 * 2**20 // 8)  # 64 MiB touched and freed before the baseline
    del before
    mem = peakmem.PeakMemory()
    inside = np.ones(32 * 2**20 // 8)  # 32 MiB touched and freed inside the window
    del inside
    r = mem.stop()
    if r["rss_peak_reset"]:
        assert 28 <= r["fit_peak_rss_mib"] < 60, r
    else:  # no /proc/self/clear_refs: the earlier peak hides this one (an upper bound), and the record says so
        assert r["rss_peak_before_baseline"], r
    assert r["fit_peak_device_mib"] is None and r["device_memory"] is None


def test_repeated_runs_report_each_figure_as_the_median():
    import importlib.util
    spec = importlib.util.spec_from_file_location("bench_run", os.path.join(ROOT, "benchmarks", "run.py"))
    bench_run = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(bench_run)
    runs = [{"impl": "fastkeras", "ms_per_step": v, "fit_peak_rss_mib": m, "flag": True}
            for v, m in ((3.0, 150.0), (1.0, 190.0), (2.0, 160.0))]
    merged = bench_run.median_record(runs)
    assert merged["ms_per_step"] == 2.0 and merged["fit_peak_rss_mib"] == 160.0
    assert merged["impl"] == "fastkeras" and merged["flag"] is True and merged["runs"] == runs
    failed = bench_run.median_record(runs[:2] + [{"error": "boom"}])
    assert failed["error"] == "boom" and len(failed["runs"]) == 3
    assert bench_run.median_record(runs[:1]) is runs[0]
