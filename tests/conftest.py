"""Shared settings for the test suite."""
import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tools"))  # tools/docs.py: the docs build, which the tests share

# Tests compare runs bit for bit (resume against an uninterrupted run): keep torch's thread count fixed rather than
# adapting it to the load (`tsgen.train.usable_threads`), since results depend on it.
os.environ.setdefault("TSGEN_THREADS", "fixed")

# Under pytest-xdist each worker runs one notebook at a time: give each one thread so that two workers on a
# two-core machine do not oversubscribe the cores (torch's OpenMP threads spin and slow everything down).
if os.environ.get("PYTEST_XDIST_WORKER"):
    os.environ.setdefault("OMP_NUM_THREADS", "1")
    os.environ.setdefault("MKL_NUM_THREADS", "1")
    import torch

    torch.set_num_threads(1)
