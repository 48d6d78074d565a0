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
