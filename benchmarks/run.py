"""Run the seed-model benchmarks side by side and write a markdown table plus the raw JSON.

    .venv/bin/python benchmarks/run.py                      # all models, CPU or the GPU if present
    .venv/bin/python benchmarks/run.py --models mlp --steps 50
    .venv/bin/python benchmarks/run.py --tiny               # smoke test (CI): tiny sizes, no Keras 3
    KERAS3_PYTHON=/path/to/venv/bin/python benchmarks/run.py   # also Keras 3 (torch and jax backends)
    .venv/bin/python benchmarks/run.py --repeats 3          # every figure the median of three interleaved runs

Each measurement is a separate process, run one after another (never two at
once: on a small machine a concurrent process changes the figures several-fold).
Per model and implementation it records ms per training step, predict throughput,
batch-1 latency of predict() and of a direct call (median and min), and the peak
memory of building and fitting the model: host RSS high-water mark over the RSS
after imports and data creation, and on CUDA the peak tensor memory (peakmem.py).
"""
import argparse
import datetime
import json
import os
import platform
import statistics
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
MODELS = ["mlp", "headline", "siamese_lstm", "shared_vision", "convnet", "inception", "stateful_lstm"]
# tbench.py has no stateful model variant for compile; everything else runs everywhere.


def run(cmd, env=None, timeout=1800):
    """One measurement: the JSON line the script prints, or an error record."""
    try:
        proc = subprocess.run(cmd, capture_output=True, text=True, env=env, timeout=timeout)
    except subprocess.TimeoutExpired:
        return {"error": f"timed out after {timeout}s"}
    lines = [line for line in proc.stdout.splitlines() if line.startswith("{")]
    if proc.returncode != 0 or not lines:
        tail = (proc.stderr or proc.stdout).strip().splitlines()[-3:]
        return {"error": " | ".join(tail) or f"exit code {proc.returncode}"}
    return json.loads(lines[-1])


def median_record(records):
    """One implementation's figures over repeated runs: the median of each number, the runs kept under "runs".
    A run that failed makes the record an error (with the others kept), so that a flaky failure shows."""
    if len(records) == 1:
        return records[0]
    failed = [r for r in records if "error" in r]
    if failed:
        return {"error": failed[0]["error"], "runs": records}
    merged = {}
    for key, value in records[0].items():
        values = [r.get(key) for r in records]
        if all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in values):
            merged[key] = round(statistics.median(values), 4)
        else:
            merged[key] = value
    merged["runs"] = records
    return merged


def implementations(args, device):
    """(label, command prefix, environment) for every implementation measured in this run."""
    py = sys.executable
    env = dict(os.environ)
    impls = [("fastkeras", [py, os.path.join(HERE, "kbench.py"), "--impl", "fastkeras"], env)]
    if args.jit:
        impls.append(("fastkeras jit", [py, os.path.join(HERE, "kbench.py"), "--impl", "fastkeras", "--jit", "1"],
                      env))
    impls.append(("PyTorch eager", [py, os.path.join(HERE, "tbench.py"), "--device", device], env))
    if args.retained_malloc_reference:
        # The hand-written loop with glibc set as fastkeras sets it on the CPU (fastkeras/backend/torch/
        # host_memory.py): shows how much of a difference is the allocator setting rather than the step.
        from fastkeras.backend.torch import host_memory
        impls.append(("PyTorch eager, malloc kept", [py, os.path.join(HERE, "tbench.py"), "--device", device],
                      dict(env, MALLOC_MMAP_THRESHOLD_=str(host_memory.MMAP_THRESHOLD_BYTES),
                           MALLOC_TRIM_THRESHOLD_=str(host_memory.TRIM_THRESHOLD_BYTES))))
    if args.torch_compile:
        impls.append(("PyTorch compiled", [py, os.path.join(HERE, "tbench.py"), "--device", device,
                                           "--compile", "1"], env))
    keras_py = args.keras_python or os.environ.get("KERAS3_PYTHON")
    if keras_py and not args.tiny:
        for backend in ("jax", "torch"):
            impls.append((f"Keras 3 {backend}", [keras_py, os.path.join(HERE, "kbench.py"), "--impl", "keras"],
                          dict(env, KERAS_BACKEND=backend)))
    return impls


def versions(keras_py):
    info = {"python": platform.python_version(), "machine": platform.machine(), "processor": platform.processor(),
            "cpus": os.cpu_count()}
    try:
        import torch
        info["torch"] = torch.__version__
        if torch.cuda.is_available():
            info["gpu"] = torch.cuda.get_device_name(0)
    except ImportError:
        pass
    import fastkeras
    info["fastkeras"] = fastkeras.__version__
    if keras_py:
        out = subprocess.run([keras_py, "-c", "import keras, jax; print(keras.__version__, jax.__version__)"],
                             capture_output=True, text=True, env=dict(os.environ, KERAS_BACKEND="jax"))
        info["keras3_and_jax"] = out.stdout.strip() or out.stderr.strip().splitlines()[-1:]
    return info


def table(results, labels):
    head = "| model | " + " | ".join(labels) + " | fastkeras (default) / PyTorch eager | fastkeras (best) / best other |"
    lines = [head, "|" + "---|" * (len(labels) + 3)]
    for model, row in results.items():
        cells, times = [], {}
        for label in labels:
            r = row.get(label, {})
            if "ms_per_step" in r:
                times[label] = r["ms_per_step"]
                cells.append(f"{r['ms_per_step']:.3g}")
            else:
                cells.append("error" if "error" in r else "-")
        fk = times.get("fastkeras")  # the default (eager) against the hand-written loop
        best_fk = min(t for k, t in times.items() if k.startswith("fastkeras")) if fk or "fastkeras jit" in times \
            else None  # the default or jit_compile=True, whichever is faster, against everyone else
        eager = times.get("PyTorch eager")
        others = [t for k, t in times.items() if not k.startswith("fastkeras")]
        ratio_eager = f"{fk / eager:.2f}x" if fk and eager else "-"
        ratio_best = f"{best_fk / min(others):.2f}x" if best_fk and others else "-"
        lines.append(f"| {model} | " + " | ".join(cells) + f" | {ratio_eager} | {ratio_best} |")
    return "\n".join(lines)


def predict_table(results, labels):
    """predict() throughput (samples/s, higher is better) for the implementations that report it."""
    labels = [label for label in labels if any("predict_samples_s" in row.get(label, {}) for row in results.values())]
    lines = ["| model (predict, samples/s) | " + " | ".join(labels) + " |", "|" + "---|" * (len(labels) + 1)]
    for model, row in results.items():
        cells = [str(row.get(label, {}).get("predict_samples_s", "-")) for label in labels]
        lines.append(f"| {model} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def _best_keras3(values):
    k3 = [v for k, v in values.items() if k.startswith("Keras 3")]
    return min(k3) if k3 else None


RATIOS = {"fastkeras / best Keras 3": _best_keras3,
          "fastkeras / Keras 3 torch": lambda values: values.get("Keras 3 torch"),
          "fastkeras / PyTorch eager": lambda values: values.get("PyTorch eager")}


def metric_table(results, labels, title, key, ratios, min_key=None):
    """One figure per model and implementation (lower is better), "median (min)" where min_key is given, and
    fastkeras' (default settings) figure over the others' named by `ratios` (keys of RATIOS). Only the
    implementations that report `key` get a column; None where no implementation does."""
    labels = [label for label in labels if any(row.get(label, {}).get(key) is not None for row in results.values())]
    if not labels:
        return None
    present = {label: 1 for label in labels}
    ratios = [r for r in ratios if "fastkeras" in labels and RATIOS[r](present)]  # drop ratios to absent columns
    lines = [f"| model ({title}) | " + " | ".join(labels) + "".join(f" | {r}" for r in ratios) + " |",
             "|" + "---|" * (len(labels) + len(ratios) + 1)]
    for model, row in results.items():
        cells, values = [], {}
        for label in labels:
            r = row.get(label, {})
            if r.get(key) is not None:
                values[label] = r[key]
                cell = f"{r[key]:.3g}"
                if min_key and r.get(min_key) is not None:
                    cell += f" ({r[min_key]:.3g})"
                if key == "fit_peak_rss_mib" and r.get("rss_peak_before_baseline"):
                    cell = "<=" + cell  # the high-water mark could not be reset and was set before: an upper bound
                cells.append(cell)
            else:
                cells.append("error" if "error" in r else "-")
        fk = values.get("fastkeras")
        for name in ratios:
            other = RATIOS[name](values)
            cells.append(f"{fk / other:.2f}x" if fk is not None and other else "-")
        lines.append(f"| {model} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def extra_tables(results, labels, device):
    """The batch-1 latency and peak-memory tables (markdown), each with a line on how to read it."""
    vs_memory = ["fastkeras / Keras 3 torch", "fastkeras / PyTorch eager"]
    specs = [  # (title, JSON key, ratio columns, key of the min figure, how to read the table)
        ("predict, batch 1, ms", "predict_b1_ms", ["fastkeras / best Keras 3"], "predict_b1_min_ms",
         "`model.predict(x[:1], verbose=0)` on one sample, median (min) ms over the timed calls after 10 warm-up "
         "calls; ratio of the medians. None for stateful_lstm, whose batch size is fixed."),
        ("direct call, batch 1, ms", "call_b1_ms", ["fastkeras / PyTorch eager", "fastkeras / best Keras 3"],
         "call_b1_min_ms",
         "`model(x[:1], training=False)` with the result read back as NumPy, median (min) ms; PyTorch eager: "
         "`net.eval()` forward under `torch.no_grad()`."),
    ]
    if device == "cuda":
        specs.append(("peak memory during fit, device, MiB", "fit_peak_device_mib", vs_memory, None,
                      "Peak tensor memory on the GPU while building and fitting the model (warm-up and timed steps) "
                      "over that at the baseline, MiB: torch.cuda.max_memory_allocated (fastkeras, PyTorch, Keras 3 "
                      "torch), peak_bytes_in_use (Keras 3 jax); see benchmarks/peakmem.py."))
    specs += [
        ("peak memory during fit, MiB" + (", host RSS" if device == "cuda" else ""), "fit_peak_rss_mib", vs_memory,
         None, "Peak resident set size of the process while building and fitting the model (warm-up and timed "
               "steps) minus its RSS after the imports and the data creation, MiB (high-water mark reset at the "
               "baseline; see benchmarks/peakmem.py)."),
        ("peak RSS during fit, MiB", "rss_peak_mib", vs_memory, None,
         "The same high-water mark as an absolute figure: the process's peak resident set size during the fit, "
         "MiB, what the operating system charges the training process (framework, imports, data and fit "
         "together)."),
    ]
    out = []
    for title, key, ratios, min_key, reading in specs:
        t = metric_table(results, labels, title, key, ratios, min_key=min_key)
        if t:
            out.append(reading + "\n\n" + t)
    return out


def write_report(report, out_dir, tiny=False):
    """Writes <device>.json and <device>.md under out_dir; returns the markdown."""
    results = report["results"]
    labels = list(dict.fromkeys(label for row in results.values() for label in row))
    md = "\n\n".join([table(results, labels), predict_table(results, labels)]
                      + extra_tables(results, labels, report["device"]))
    os.makedirs(out_dir, exist_ok=True)
    stem = os.path.join(out_dir, f"{'tiny-' if tiny else ''}{report['device']}")
    with open(stem + ".json", "w") as f:
        json.dump(report, f, indent=1)
    with open(stem + ".md", "w") as f:
        repeats = report.get("repeats", 1)
        how = f"; every figure the median of {repeats} interleaved runs" if repeats > 1 else ""
        f.write(f"{report['date']} on {report['device']} ({report['versions']}){how}\n\n{md}\n")
    return md


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--models", default=",".join(MODELS))
    p.add_argument("--steps", type=int, default=None, help="training steps measured per model (default 100, "
                                                            "20 for the conv models on CPU)")
    p.add_argument("--bs", type=int, default=32)
    p.add_argument("--device", default=None)
    p.add_argument("--jit", action="store_true", help="also measure compile(jit_compile=True)")
    p.add_argument("--torch-compile", action="store_true", help="also measure the torch.compile reference")
    p.add_argument("--retained-malloc-reference", action="store_true",
                   help="also measure the PyTorch loop with glibc keeping freed memory, as fastkeras sets it")
    p.add_argument("--keras-python", default=None, help="a Python with Keras 3 (and jax) installed")
    p.add_argument("--latency-reps", type=int, default=50, help="timed batch-1 predict() and model() calls")
    p.add_argument("--repeats", type=int, default=1, help="run every measurement this many times (interleaved) "
                                                         "and report each figure's median")
    p.add_argument("--tiny", action="store_true", help="smoke test: 8 steps, small sizes, 5 latency calls, no Keras 3")
    p.add_argument("--out", default=os.path.join(HERE, "results"))
    p.add_argument("--render", default=None, metavar="JSON", help="only rewrite the tables from a saved run's JSON")
    args = p.parse_args()
    if args.render:
        with open(args.render) as f:
            print(write_report(json.load(f), args.out))
        return

    try:
        import torch
        device = args.device or ("cuda" if torch.cuda.is_available() else "cpu")
    except ImportError:
        device = "cpu"
    models = [m for m in args.models.split(",") if m]
    impls = implementations(args, device)
    labels = [label for label, _, _ in impls]
    results = {}
    for model in models:
        steps = args.steps or (8 if args.tiny else (20 if model in ("convnet", "inception") and device == "cpu"
                                                     else 100))
        size = "32" if args.tiny else ("64" if device == "cpu" else "256")
        bs = str(4 if args.tiny else args.bs)
        reps = str(5 if args.tiny else args.latency_reps)
        runs = {label: [] for label in labels}
        for repeat in range(args.repeats):
            # Interleaved, each repeat starting one implementation later: a drift of the machine during the run
            # then falls on every implementation alike.
            shift = repeat % len(impls)
            for label, cmd, env in impls[shift:] + impls[:shift]:
                runs[label].append(run(cmd + [model, "--steps", str(steps), "--bs", bs, "--size", size,
                                              "--latency-reps", reps], env=env))
        results[model] = {}
        for label in labels:
            r = results[model][label] = median_record(runs[label])
            shown = f"{r['ms_per_step']} ms/step" if "ms_per_step" in r else r.get("error")
            if "fit_peak_rss_mib" in r:
                shown += f", fit peak +{r['fit_peak_rss_mib']} MiB RSS"
            if r.get("predict_b1_ms") is not None:
                shown += f", predict(1) {r['predict_b1_ms']} ms"
            print(f"{model:14s} {label:18s} {shown}", flush=True)
    report = {"date": datetime.datetime.now().isoformat(timespec="seconds"), "device": device,
              "versions": versions(args.keras_python or os.environ.get("KERAS3_PYTHON")),
              "command": " ".join([os.path.basename(sys.executable)] + sys.argv), "repeats": args.repeats,
              "results": results}
    md = write_report(report, args.out, args.tiny)
    print()
    print(md)
    errors = [(m, k, r["error"]) for m, row in results.items() for k, r in row.items() if "error" in r]
    if errors and args.tiny:
        for e in errors:
            print("error:", *e, file=sys.stderr)
        sys.exit(1)


if __name__ == "__main__":
    main()
