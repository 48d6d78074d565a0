"""The CPU allocator setting of fastkeras/backend/torch/host_memory.py, observed through glibc's mallinfo2 in a
fresh process (the setting is process-wide and made once)."""
import os
import platform
import subprocess
import sys

import pytest

ON_GLIBC = platform.system() == "Linux" and platform.libc_ver()[0] == "glibc"

# Allocates and frees a 20 MiB and a 48 MiB tensor after asking for the setting, and prints whether it was
# applied and how many of each block's bytes glibc served with mmap rather than from its heap.
_PROBE = """
import ctypes, sys, torch
import fastkeras.backend as K
class MallInfo2(ctypes.Structure):
    _fields_ = [(n, ctypes.c_size_t) for n in ("arena", "ordblks", "smblks", "hblks", "hblkhd", "usmblks",
                                               "fsmblks", "uordblks", "fordblks", "keepcost")]
libc = ctypes.CDLL("libc.so.6"); libc.mallinfo2.restype = MallInfo2
applied = K.retain_freed_host_memory()
mapped = []
for mib in (20, 48):
    before = libc.mallinfo2().hblkhd
    t = torch.ones(mib << 18)  # float32: mib MiB
    mapped.append((libc.mallinfo2().hblkhd - before) >> 20)
    del t
sys.stdout.write(f"{applied} {mapped[0]} {mapped[1]}")
"""


def _probe(**env_changes):
    env = {k: v for k, v in os.environ.items()
           if k not in ("FASTKERAS_RETAIN_HOST_MEMORY", "MALLOC_MMAP_THRESHOLD_", "MALLOC_TRIM_THRESHOLD_")}
    env.update(env_changes)
    out = subprocess.run([sys.executable, "-c", _PROBE], capture_output=True, text=True, env=env)
    assert out.returncode == 0, out.stderr
    applied, small, large = out.stdout.split()
    return applied == "True", int(small), int(large)


@pytest.mark.skipif(not ON_GLIBC, reason="the setting applies to glibc only")
def test_blocks_below_32_mib_come_from_the_heap_and_larger_ones_from_mmap():
    assert _probe() == (True, 0, 48)


@pytest.mark.skipif(not ON_GLIBC, reason="the setting applies to glibc only")
def test_glibc_default_maps_a_20_mib_block():
    # The contrast that makes the test above mean something: untouched, glibc maps the 20 MiB block.
    assert _probe(FASTKERAS_RETAIN_HOST_MEMORY="0") == (False, 20, 48)


@pytest.mark.skipif(not ON_GLIBC, reason="the setting applies to glibc only")
def test_the_users_own_glibc_thresholds_stand():
    # The user keeps every block up to 256 MiB in the heap: fastkeras must not lower that to 32 MiB.
    assert _probe(MALLOC_MMAP_THRESHOLD_=str(256 << 20), MALLOC_TRIM_THRESHOLD_=str(512 << 20)) == (False, 0, 0)
    assert _probe(GLIBC_TUNABLES=f"glibc.malloc.mmap_threshold={256 << 20}")[0] is False


def test_off_the_switch_or_off_glibc_nothing_is_applied():
    code = "import fastkeras.backend as K, sys; sys.stdout.write(str(K.retain_freed_host_memory()))"
    env = {k: v for k, v in os.environ.items() if not k.startswith("MALLOC_")}
    off = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                         env=dict(env, FASTKERAS_RETAIN_HOST_MEMORY="0"))
    assert off.stdout == "False"
    on = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                        env={k: v for k, v in env.items() if k != "FASTKERAS_RETAIN_HOST_MEMORY"})
    assert on.stdout == str(ON_GLIBC)


# Predicts with a small model; at each batch's end a callback takes a 48 MiB block and reports whether glibc
# mapped it and the process's RSS while it was alive. After predict: whether a 100 MiB block is mapped (the
# fit setting's 32 MiB threshold is back) and the RSS (the freed heap was handed back).
_PREDICT_PROBE = """
import ctypes, sys, time, numpy as np, torch
import fastkeras as keras
class MallInfo2(ctypes.Structure):
    _fields_ = [(n, ctypes.c_size_t) for n in ("arena", "ordblks", "smblks", "hblks", "hblkhd", "usmblks",
                                               "fsmblks", "uordblks", "fordblks", "keepcost")]
libc = ctypes.CDLL("libc.so.6"); libc.mallinfo2.restype = MallInfo2
def rss_mib():
    with open("/proc/self/status") as f:
        return next(int(line.split()[1]) for line in f if line.startswith("VmRSS")) >> 10
def mapped_mib(mib):
    before = libc.mallinfo2().hblkhd
    t = torch.ones(mib << 18)
    return (libc.mallinfo2().hblkhd - before) >> 20, rss_mib()
during = []
class Probe(keras.callbacks.Callback):
    def on_predict_batch_end(self, batch, logs=None):
        during.append(mapped_mib(48))
        time.sleep(0.02)  # a predict long enough for the hand-back
model = keras.Sequential([keras.Input((4,)), keras.layers.Dense(2)])
model.predict(np.ones((64, 4), "float32"), batch_size=32, verbose=0, callbacks=[Probe()])
rss_after = rss_mib()
sys.stdout.write(f"{max(m for m, _ in during)} {max(r for _, r in during) - rss_after} {mapped_mib(100)[0]}")
"""


@pytest.mark.skipif(not ON_GLIBC, reason="the setting applies to glibc only")
def test_predict_keeps_large_blocks_in_the_heap_and_hands_them_back_after():
    env = {k: v for k, v in os.environ.items()
           if k not in ("FASTKERAS_RETAIN_HOST_MEMORY", "MALLOC_MMAP_THRESHOLD_", "MALLOC_TRIM_THRESHOLD_")}
    out = subprocess.run([sys.executable, "-c", _PREDICT_PROBE], capture_output=True, text=True, env=env)
    assert out.returncode == 0, out.stderr
    mapped_during, rss_drop, mapped_after = map(int, out.stdout.split())
    assert mapped_during == 0  # from the heap while predicting
    assert rss_drop >= 40  # the freed block was handed back when predict ended
    assert mapped_after == 100  # mmap again above 32 MiB: the fit setting is back
