"""Checks on a zip archive's directory before any entry is read (``.keras`` archives and ``.npz`` files).

Nothing is ever extracted to disk; these checks keep an entry from naming a
path outside the archive (zip slip), from decompressing to an unbounded size
(zip bomb) or from smuggling content the format does not define.
"""
import stat

from fastkeras.saving.errors import UnsafeFileError, in_file
from fastkeras.saving.safety import LIMITS


def _unsafe_name(name):
    """Why an entry name is unsafe, or None."""
    if not name or "\x00" in name:
        return "an empty name or a NUL byte"
    normalized = name.replace("\\", "/")
    if normalized.startswith("/") or (len(normalized) > 1 and normalized[1] == ":"):
        return "an absolute path"
    if any(part == ".." for part in normalized.split("/")):
        return "a '..' component (it points outside the archive)"
    return None


def check_zip_entries(archive, label, allowed=None, allowed_prefixes=()):
    """The archive's entries (``ZipInfo``), after refusing unsafe names, sizes, links and duplicates.

    ``allowed``: the exact entry names the format defines (None: any safe name);
    ``allowed_prefixes``: directories whose contents are accepted too.
    """
    infos = archive.infolist()
    seen = set()
    for info in infos:
        name = info.filename
        problem = _unsafe_name(name)
        if problem:
            raise in_file(UnsafeFileError, label, f"the archive entry {name!r} has {problem}; refused.")
        if name in seen:
            raise in_file(UnsafeFileError, label, f"the archive holds the entry {name!r} twice; refused.")
        seen.add(name)
        if stat.S_ISLNK(info.external_attr >> 16):
            raise in_file(UnsafeFileError, label, f"the archive entry {name!r} is a symbolic link; refused.")
        if info.flag_bits & 0x1:
            raise in_file(UnsafeFileError, label, f"the archive entry {name!r} is encrypted; refused.")
        if info.file_size > LIMITS["max_entry_bytes"]:
            raise in_file(UnsafeFileError, label, f"the archive entry {name!r} decompresses to {info.file_size} bytes, "
                          f"more than the limit of {LIMITS['max_entry_bytes']}; refused.")
        if info.file_size > 2 ** 20 and info.file_size > LIMITS["max_compression_ratio"] * max(info.compress_size, 1):
            raise in_file(UnsafeFileError, label, f"the archive entry {name!r} expands {info.compress_size} bytes into "
                          f"{info.file_size} (a ratio above {LIMITS['max_compression_ratio']}, a zip bomb); refused.")
        if allowed is not None and name not in allowed and not name.endswith("/") and \
                not any(name.startswith(prefix) for prefix in allowed_prefixes):
            raise in_file(UnsafeFileError, label, f"the archive holds the unexpected entry {name!r} (expected only "
                          f"{sorted(allowed)}); refused.")
    # The per-entry ratio check spares entries up to 1 MiB (small files compress well); many such entries can
    # still expand a small archive into gigabytes (12,000 entries of 1 MiB of zeros: 13 MB on disk, 12 GiB read).
    # The whole archive is held to the same ratio.
    total = sum(info.file_size for info in infos)
    compressed = sum(info.compress_size for info in infos)
    if total > 2 ** 20 and total > LIMITS["max_compression_ratio"] * max(compressed, 1):
        raise in_file(UnsafeFileError, label, f"the archive's {len(infos)} entries expand {compressed} bytes into "
                      f"{total} in all (a ratio above {LIMITS['max_compression_ratio']}, a zip bomb); refused.")
    return [info for info in infos if not info.filename.endswith("/")]
