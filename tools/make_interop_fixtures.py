"""Model files moved between fastkeras, tf-keras 2.21 and Keras 3.15.1, in both directions.

The models are tools/interop_models.py's cases (Sequential; functional with several inputs and outputs, shared
layers and nested models; masks; Bidirectional and stateful RNNs; RNNs given symbolic initial states; layers
under mixed_float16; Attention, AdditiveAttention, MultiHeadAttention, GroupQueryAttention; K functions and
operators, Keras 3 ops; Normalization, Rescaling, BatchNormalization; a registered custom layer; loss objects and
function-wrapping metrics in compile), each trained one epoch with Adam and saved as ``.keras``, ``.h5`` and
``.weights.h5`` (tools/interop_checks.py says what is written and compared). Run from the repository root:

  Fixtures for CI (tests/saving/test_interop.py loads them with fastkeras):
      TF_CPP_MIN_LOG_LEVEL=3 /work/kvenv/bin/python tools/make_interop_fixtures.py --keras2
      KERAS_BACKEND=jax /work/k3venv/bin/python tools/make_interop_fixtures.py --keras3

  The other direction, a manual check (not CI): fastkeras writes into DIR, then tf-keras and Keras 3 load what
  it wrote and print one row per file (prediction error, optimizer state), also kept as DIR/rows_<lib>.json:
      .venv/bin/python tools/make_interop_fixtures.py --fastkeras-write DIR
      TF_CPP_MIN_LOG_LEVEL=3 /work/kvenv/bin/python tools/make_interop_fixtures.py --keras2-check DIR
      KERAS_BACKEND=jax /work/k3venv/bin/python tools/make_interop_fixtures.py --keras3-check DIR

  With --cross, the check modes also load the other real Keras' fixtures (what tf-keras makes of Keras 3's files
  and the reverse), and --fastkeras-check DIR prints fastkeras' rows for the fixtures and DIR: the full matrix.
"""
import argparse
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from interop_checks import check_all, save_rows, write_all  # noqa: E402
from interop_models import FK, K2, K3  # noqa: E402

FIXTURES = os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(__file__)), os.pardir, "tests",
                                         "fixtures", "interop"))


def check(lib, directory, cross):
    directories = [directory] + ([FIXTURES] if cross else [])
    writers = None if cross or lib == FK else [FK]
    rows = check_all(lib, directories, writers)
    save_rows(rows, os.path.join(directory, f"rows_{lib}.json"))
    failed = [row for row in rows if row["status"] != "ok"]
    print(f"{len(rows) - len(failed)} of {len(rows)} files loaded and matched")
    return 1 if failed else 0


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    group = parser.add_mutually_exclusive_group(required=True)
    group.add_argument("--keras2", nargs="?", const=FIXTURES, metavar="DIR", help="tf-keras writes (fixtures)")
    group.add_argument("--keras3", nargs="?", const=FIXTURES, metavar="DIR", help="Keras 3 writes (fixtures)")
    group.add_argument("--fastkeras-write", metavar="DIR")
    group.add_argument("--keras2-check", metavar="DIR")
    group.add_argument("--keras3-check", metavar="DIR")
    group.add_argument("--fastkeras-check", metavar="DIR")
    parser.add_argument("--cross", action="store_true", help="check modes also load the fixtures")
    parser.add_argument("--case", action="append", help="only these cases (writing)")
    args = parser.parse_args()
    if args.keras2:
        write_all(K2, args.keras2, args.case)
    elif args.keras3:
        write_all(K3, args.keras3, args.case)
    elif args.fastkeras_write:
        write_all(FK, args.fastkeras_write, args.case)
    elif args.keras2_check:
        sys.exit(check(K2, args.keras2_check, args.cross))
    elif args.keras3_check:
        sys.exit(check(K3, args.keras3_check, args.cross))
    else:
        sys.exit(check(FK, args.fastkeras_check, True))
