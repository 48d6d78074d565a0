"""Host memory: keep the C allocator from handing large tensors' memory back to the kernel between steps.

PyTorch has no caching allocator for CPU tensors: every tensor's memory comes from ``malloc`` and goes back with
``free``. glibc serves a large block (above ``M_MMAP_THRESHOLD``, which starts at 128 KiB and adapts only up to
the largest block freed so far) with a fresh ``mmap`` and returns it with ``munmap``, so the next step's tensor
of the same size starts on untouched pages and the kernel zero-fills every 4 KiB page on first write. A training
step on the CPU allocates the same large activations, gradients and optimizer temporaries step after step;
measured on this project's machine, a 20 MB temporary cost 1.5 ms with the page faults and 0.6 ms without, and
the seeds' Embedding + LSTM model's step went from 18 to 12 ms once freed memory stayed in the heap (see
docs/benchmarks.md).

``retain_freed_host_memory`` raises glibc's mmap threshold and its trim threshold once, so that blocks below
256 MiB come from the heap and freed memory up to 512 MiB stays there for the next step (what jemalloc and
tcmalloc, and TensorFlow's and JAX's own CPU allocators, do by design). The cost is that a process keeps up to
that much freed memory mapped instead of returning it at once. It applies to the whole process, so fastkeras
does it only when it first trains or predicts on the CPU, and ``FASTKERAS_RETAIN_HOST_MEMORY=0`` turns it off.
Where the C library is not glibc (macOS, musl, Windows) or another allocator is preloaded, it changes nothing.
"""
import ctypes
import os
import platform

# mallopt() parameter numbers from glibc's <malloc.h>.
_M_TRIM_THRESHOLD = -1
_M_MMAP_THRESHOLD = -3

MMAP_THRESHOLD_BYTES = 256 << 20
TRIM_THRESHOLD_BYTES = 512 << 20

_state = {"done": False, "applied": False}


def retain_freed_host_memory():
    """Tune glibc's malloc once for step-after-step tensors of the same sizes; True if it was applied."""
    if _state["done"]:
        return _state["applied"]
    _state["done"] = True
    if os.environ.get("FASTKERAS_RETAIN_HOST_MEMORY", "1").strip().lower() in ("0", "false", "no", "off"):
        return False
    if platform.system() != "Linux" or platform.libc_ver()[0] != "glibc":
        return False
    try:
        libc = ctypes.CDLL("libc.so.6")
        mallopt = libc.mallopt
    except (OSError, AttributeError):
        return False
    mallopt.argtypes = (ctypes.c_int, ctypes.c_int)
    mallopt.restype = ctypes.c_int
    # Both calls return 1 on success; each also stops glibc's own threshold adaptation, which is the point.
    _state["applied"] = bool(mallopt(_M_MMAP_THRESHOLD, MMAP_THRESHOLD_BYTES)) and \
        bool(mallopt(_M_TRIM_THRESHOLD, TRIM_THRESHOLD_BYTES))
    return _state["applied"]
