"""Distributed training under `torchrun` with 2 CPU processes (gloo): the ranks hold identical weights after every
step, a run killed mid-way resumes to exactly the weights of an uninterrupted one, and 2 ranks with batch b take
the steps of one process with batch 2b."""
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
import torch

from conftest import ROOT

TORCHRUN = Path(sys.executable).parent / "torchrun"


def torchrun(out: Path, *args, nproc=2, check=True):
    out.mkdir(parents=True, exist_ok=True)
    env = {**os.environ, "OMP_NUM_THREADS": "1"}
    cmd = [str(TORCHRUN), "--standalone", f"--nproc_per_node={nproc}", str(ROOT / "tests" / "ddp_worker.py"),
           "--out", str(out), *map(str, args)]
    r = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=600)
    if check: assert r.returncode == 0, f"torchrun failed:\n{r.stdout[-3000:]}\n{r.stderr[-3000:]}"
    return r


def result(out: Path):
    return json.loads((out / "result.json").read_text()), torch.load(out / "weights.pt")


@pytest.mark.parametrize("kind", ["dg", "tst"])
def test_two_ranks_stay_identical_and_resume(kind, tmp_path):
    straight = tmp_path / "straight"
    torchrun(straight, "--model", kind, "--epochs", 3)
    res, w = result(straight)
    assert res["world"] == 2 and res["epoch"] == 3
    assert res["steps"] == list(range(1, 3 * 3 + 1))  # 48 series, 2 ranks × 8: 3 steps per epoch, each one checked
    assert res["max_diff"] == 0.0, f"ranks differ by {res['max_diff']}"
    assert all(set(h) >= {"epoch", "seconds", "samples_per_s"} for h in res["history"])

    crashed = tmp_path / "crashed"
    r = torchrun(crashed, "--model", kind, "--epochs", 3, "--kill-at", 5, check=False)  # mid epoch 2
    assert r.returncode != 0 and not (crashed / "result.json").exists()
    assert (crashed / "ck.pt").exists()  # the checkpoint after epoch 1
    torchrun(crashed, "--model", kind, "--epochs", 3, "--resume")
    res2, w2 = result(crashed)
    assert res2["steps"] == list(range(4, 10)) and res2["max_diff"] == 0.0  # epochs 2 and 3 again, from the checkpoint
    assert torch.equal(w2, w), f"resumed run differs from the uninterrupted one by {float((w2 - w).abs().max())}"


def test_two_ranks_equal_one_with_twice_the_batch(tmp_path):
    "TST in paper mode (no noise, no dropout): 2 ranks × batch 4 follow 1 process × batch 8 up to float rounding."
    torchrun(tmp_path / "two", "--model", "tst", "--epochs", 2, "--batch", 4)
    torchrun(tmp_path / "one", "--model", "tst", "--epochs", 2, "--batch", 8, nproc=1)
    (r2, w2), (r1, w1) = result(tmp_path / "two"), result(tmp_path / "one")
    assert r2["world"] == 2 and r1["world"] == 1 and len(r2["steps"]) == len(r1["steps"]) == 12
    assert float((w2 - w1).abs().max()) < 1e-4 * float(w1.abs().max())
    for h2, h1 in zip(r2["history"], r1["history"]):  # the same losses, averaged over the ranks
        assert abs(h2["loss"] - h1["loss"]) < 1e-4 * abs(h1["loss"])
