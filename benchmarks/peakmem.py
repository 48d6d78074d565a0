"""Peak memory of one stretch of a benchmark process, measured the same way for every framework.

    mem = PeakMemory(backend)  # after the imports and the data creation; backend 'torch', 'jax' or None
    ...                        # build, compile, warm-up fit, timed fit
    record.update(mem.stop())

Host: the process's resident set size high-water mark (Linux VmHWM, the figure getrusage's ru_maxrss gives)
minus its RSS at `PeakMemory()`, in MiB (1 MiB = 2**20 bytes). The baseline is taken after the imports, the data
creation and the start of the framework's runtime (`jax.devices()`, the CUDA context). Before taking it, freed
heap is handed back to the OS (gc.collect, malloc_trim) and the high-water mark is reset to the current RSS by
writing 5 to /proc/self/clear_refs, so a peak reached earlier (by the data creation's temporaries, say) does not
hide the fit's. The growth counts everything the process touches during the stretch: weights, optimizer slots,
gradients, activations, the framework's caches and compiled code, and the pages of its shared libraries first
run then (`rss_file_growth_mib`: how much more of the RSS is file-backed at the end than at the baseline), and
the Python modules first imported then (`modules_imported`, a count). Where
the reset is not possible (no /proc, a kernel or sandbox that refuses it) the peak since the process started is
used instead, and `rss_peak_before_baseline` says whether that peak was already above the baseline (then the
figure is an upper bound: the earlier peak minus the baseline, or the fit's, whichever is higher).

Device: on CUDA (fastkeras, the PyTorch reference, Keras 3 on torch) torch.cuda.max_memory_allocated after
reset_peak_memory_stats, minus memory_allocated at the baseline: tensors only, not the caching allocator's
reserve nor the CUDA context. Keras 3 on jax on a GPU: the device's memory_stats() peak_bytes_in_use minus
bytes_in_use at the baseline (jax cannot reset the peak; the kbench data are NumPy arrays on the host, so
nothing is on the device before the model is built). Elsewhere None.
"""
import ctypes
import gc
import resource
import sys

MIB = 1024.0 * 1024.0


def _status_kib():
    """VmRSS, VmHWM, RssAnon, RssFile of this process in KiB from /proc/self/status, or {}."""
    out = {}
    try:
        with open("/proc/self/status") as f:
            for line in f:
                key, _, value = line.partition(":")
                if key in ("VmRSS", "VmHWM", "RssAnon", "RssFile"):
                    out[key] = int(value.split()[0])
    except OSError:
        pass
    return out


def _maxrss_kib():
    r = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return r // 1024 if sys.platform == "darwin" else r  # bytes on macOS, KiB on Linux


def _trim_heap():
    try:
        ctypes.CDLL("libc.so.6").malloc_trim(0)
    except (OSError, AttributeError):
        pass


def _reset_hwm():
    try:
        with open("/proc/self/clear_refs", "w") as f:
            f.write("5")
        return True
    except OSError:
        return False


class _Device:
    """Peak tensor memory on the accelerator, where there is one to ask. Starting the runtime here (the CUDA
    context, jax's client) puts its fixed cost before the baseline, for every framework alike."""

    def __init__(self, backend):
        self.kind, self.base = None, 0
        if backend == "torch":
            import torch
            if torch.cuda.is_available():
                torch.cuda.init()
                torch.cuda.synchronize()
                torch.cuda.reset_peak_memory_stats()
                self.kind, self.base, self.torch = "torch.cuda.max_memory_allocated", torch.cuda.memory_allocated(), torch
        elif backend == "jax":
            import jax
            dev = jax.devices()[0]
            stats = dev.memory_stats() if dev.platform != "cpu" else None
            if stats and "peak_bytes_in_use" in stats:
                self.kind, self.base, self.dev = "jax memory_stats peak_bytes_in_use", stats.get("bytes_in_use", 0), dev

    def peak_mib(self):
        if self.kind is None:
            return None
        if self.kind.startswith("torch"):
            self.torch.cuda.synchronize()
            peak = self.torch.cuda.max_memory_allocated()
        else:
            peak = self.dev.memory_stats()["peak_bytes_in_use"]
        return round((peak - self.base) / MIB, 1)


class PeakMemory:
    def __init__(self, backend=None):
        """Take the baseline now. backend: 'torch' or 'jax' to also measure the accelerator, None for host only."""
        self.device = _Device(backend) if backend else None
        gc.collect()
        _trim_heap()
        before = _maxrss_kib()
        self.reset = _reset_hwm()
        status = _status_kib()
        self.base_kib = status.get("VmRSS", before)
        self.base_file_kib = status.get("RssFile")
        self.before_kib = before
        self.modules = set(sys.modules)

    def stop(self):
        """The JSON fields of the stretch since the baseline."""
        status = _status_kib()
        peak = status.get("VmHWM", _maxrss_kib()) if self.reset else _maxrss_kib()
        out = {"fit_peak_rss_mib": round((peak - self.base_kib) / 1024, 1),
               "rss_baseline_mib": round(self.base_kib / 1024, 1), "rss_peak_mib": round(peak / 1024, 1),
               "rss_peak_reset": self.reset}
        if not self.reset:
            out["rss_peak_before_baseline"] = self.before_kib > self.base_kib + 1024
        if self.base_file_kib is not None and "RssFile" in status:
            # Of the RSS at the end of the stretch, how much more is file-backed (library code pages) than at the
            # baseline: the part of the growth that is not the framework's data.
            out["rss_file_growth_mib"] = round((status["RssFile"] - self.base_file_kib) / 1024, 1)
        # Python modules first imported inside the stretch: their code and data are part of the growth.
        out["modules_imported"] = len(set(sys.modules) - self.modules)
        dev = self.device.peak_mib() if self.device else None
        out["fit_peak_device_mib"] = dev
        out["device_memory"] = self.device.kind if self.device else None
        return out
