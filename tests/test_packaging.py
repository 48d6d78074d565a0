"""What a non-editable install ships: every module under fastkeras/ must be inside a package that
pyproject's `packages.find` (include = fastkeras*) discovers, or `pip install .` silently leaves it out."""
import os

import setuptools

ROOT = os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(__file__)), os.pardir))


def test_every_module_is_in_a_discovered_package():
    found = set(setuptools.find_packages(where=ROOT, include=["fastkeras*"]))
    missing = []
    for directory, subdirs, files in os.walk(os.path.join(ROOT, "fastkeras")):
        subdirs[:] = [d for d in subdirs if d != "__pycache__"]
        if any(f.endswith(".py") for f in files):
            package = os.path.relpath(directory, ROOT).replace(os.sep, ".")
            if package not in found:
                missing.append(package)
    assert not missing, f"directories with modules that `pip install .` would leave out (no __init__.py?): {missing}"
