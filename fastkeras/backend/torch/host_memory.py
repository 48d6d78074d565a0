"""Host memory: let glibc reuse freed tensor memory between training steps, up to blocks of 32 MiB.

PyTorch has no caching allocator for CPU tensors: every tensor's memory comes from ``malloc`` and goes back with
``free``. glibc serves a large block (above ``M_MMAP_THRESHOLD``) with a fresh ``mmap`` and returns it with
``munmap``; the kernel then zero-fills every 4 KiB page of the next step's tensor of the same size on first
write. glibc raises that threshold by itself when such a block is freed (up to 32 MiB on 64-bit systems), but
sets its trim threshold to only twice the new value, so the top of the heap keeps being handed back and faulted
in again, and which blocks fault depends on the order of earlier allocations. Measured on this
project's machine, a 20 MB temporary cost 1.5 ms with the page faults and 0.6 ms without.

``retain_freed_host_memory`` fixes glibc's mmap threshold at 32 MiB (the ceiling of its own adaptation) and its
trim threshold at 512 MiB, once: blocks below 32 MiB come from the heap and freed heap stays there for the next
step, as jemalloc, tcmalloc and TensorFlow's CPU allocator keep it. Larger blocks (an LSTM's whole-sequence
workspace, a convolution's activations over a big batch) keep glibc's mmap: keeping those in the heap as well
(a 256 MiB threshold) made the seed models' CPU steps up to twice as fast, but the heap's fragmentation around
blocks of tens of MiB raised the peak memory of fit by 40-70% (siamese_lstm 83 -> 147 MiB, inception
322 -> 638 MiB), above Keras 3 on torch's. docs/benchmarks.md has the measurements. A user who prefers that
trade sets glibc's own variables (``MALLOC_MMAP_THRESHOLD_=268435456 MALLOC_TRIM_THRESHOLD_=536870912``).

``predict`` is different: without a gradient graph only a layer's input and output are alive at once, so the
heap does not fragment around its large blocks. While it runs (``inference_host_memory``) blocks up to 1 GiB
come from the heap, which made the seed convnet's ``predict`` at batch 256 1.4x-2x faster, and when a predict that
took more than 10 ms ends, the freed heap is handed back to the kernel (``malloc_trim``, some 10-30 ms for
hundreds of MiB); a short one (a single sample) skips that.

It applies to the whole process, so fastkeras does it only when it first trains or predicts on the CPU, and
never where the user has set glibc's malloc thresholds (those variables, or ``GLIBC_TUNABLES``).
``FASTKERAS_RETAIN_HOST_MEMORY=0`` turns it off. Where the C library is not glibc (macOS, musl, Windows) or
another allocator is preloaded, it changes nothing.
"""
import contextlib
import ctypes
import os
import platform
import time

# mallopt() parameter numbers from glibc's <malloc.h>.
_M_TRIM_THRESHOLD = -1
_M_MMAP_THRESHOLD = -3

MMAP_THRESHOLD_BYTES = 32 << 20
TRIM_THRESHOLD_BYTES = 512 << 20
INFERENCE_MMAP_THRESHOLD_BYTES = 1 << 30
# Above the largest block predict keeps in the heap, so glibc does not trim the heap's top at every free of one.
INFERENCE_TRIM_THRESHOLD_BYTES = 2 << 30
_TRIM_AFTER_SECONDS = 0.01

# Where the user tuned glibc's malloc at process start; then their setting stands.
_GLIBC_MALLOC_VARIABLES = ("MALLOC_MMAP_THRESHOLD_", "MALLOC_TRIM_THRESHOLD_")
_GLIBC_MALLOC_TUNABLES = ("glibc.malloc.mmap_threshold", "glibc.malloc.trim_threshold")

_state = {"done": False, "applied": False, "libc": None}


def _user_tuned_malloc():
    tunables = os.environ.get("GLIBC_TUNABLES", "")
    return any(os.environ.get(name) for name in _GLIBC_MALLOC_VARIABLES) or \
        any(name in tunables for name in _GLIBC_MALLOC_TUNABLES)


def retain_freed_host_memory():
    """Tune glibc's malloc once for step-after-step tensors of the same sizes; True if it was applied."""
    if _state["done"]:
        return _state["applied"]
    _state["done"] = True
    if os.environ.get("FASTKERAS_RETAIN_HOST_MEMORY", "1").strip().lower() in ("0", "false", "no", "off"):
        return False
    if platform.system() != "Linux" or platform.libc_ver()[0] != "glibc" or _user_tuned_malloc():
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
    if _state["applied"]:
        _state["libc"] = libc
    return _state["applied"]


@contextlib.contextmanager
def inference_host_memory():
    """Inside: glibc serves blocks up to 1 GiB from its heap (where ``retain_freed_host_memory`` was applied).
    On leaving: the fit setting again, and the freed heap handed back if the block took 10 ms or more."""
    libc = _state["libc"]
    if libc is None:
        yield
        return
    libc.mallopt(_M_TRIM_THRESHOLD, INFERENCE_TRIM_THRESHOLD_BYTES)
    libc.mallopt(_M_MMAP_THRESHOLD, INFERENCE_MMAP_THRESHOLD_BYTES)
    start = time.perf_counter()
    try:
        yield
    finally:
        libc.mallopt(_M_MMAP_THRESHOLD, MMAP_THRESHOLD_BYTES)
        libc.mallopt(_M_TRIM_THRESHOLD, TRIM_THRESHOLD_BYTES)
        if time.perf_counter() - start >= _TRIM_AFTER_SECONDS:
            libc.malloc_trim(0)
