"""One rank of a distributed training run, started by `torchrun` from tests/test_distributed.py.

After every step, every rank's weights (and buffers) are gathered and compared; rank 0 writes what it saw to
`<out>/result.json` and the final weights to `<out>/weights.pt`. `--kill-at STEP` kills rank 0 (SIGKILL) right
after that step, as a crash would.
"""
import argparse
import json
import os
import signal
import sys
from pathlib import Path

import numpy as np
import torch
import torch.distributed as dist

from tsgen.core import Schema, TSData, categorical, continuous
from tsgen.dg import DoppelGANger
from tsgen.transformer import TST


def data(n=48, t=20, seed=0):
    "Small WWT-like data: two categorical attributes, one positive feature, every series full length."
    rng = np.random.default_rng(seed)
    level = rng.lognormal(2, 1, size=(n, 1))
    x = (level * (1 + 0.3 * np.sin(2 * np.pi * np.arange(t) / 7)) * rng.lognormal(0, 0.1, (n, t)))[..., None]
    schema = Schema([categorical("domain", ["a", "b", "c"]), categorical("agent", ["x", "y"])], [continuous("views")], t)
    return TSData(schema, np.stack([rng.integers(0, 3, n), rng.integers(0, 2, n)], 1), x, np.full(n, t))


def model(kind, batch, epochs):
    if kind == "dg":  # DG with both critics: gradient penalties, BatchNorm in the attribute generator
        return DoppelGANger(epochs=epochs, batch_size=batch, sample_len=5, attr_hidden=16, lstm_units=16, disc_hidden=16,
                            disc_layers=2, self_norm=True, aux_disc=True, log1p=("views",), device="cpu")
    return TST(mode="paper", epochs=epochs, batch_size=batch, window=None, n_layer=2, n_head=2, d_model=16, ffn_hidden=32,
               dropout=0.0, lr=3e-3, device="cpu")


def flat(m):
    "Every floating tensor of the model's state, as one vector."
    return torch.cat([t.detach().reshape(-1).double() for mod in m._modules().values()
                      for t in mod.state_dict().values() if t.is_floating_point()])


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--model", choices=["dg", "tst"]); p.add_argument("--out", type=Path)
    p.add_argument("--epochs", type=int, default=3); p.add_argument("--batch", type=int, default=8)
    p.add_argument("--kill-at", type=int, default=0); p.add_argument("--resume", action="store_true")
    a = p.parse_args()
    torch.set_num_threads(1)
    seen = {"steps": [], "max_diff": 0.0}

    def check(m, step):
        w = flat(m)
        if dist.is_initialized():
            parts = [torch.empty_like(w) for _ in range(dist.get_world_size())]
            dist.all_gather(parts, w)
            seen["max_diff"] = max(seen["max_diff"], max(float((q - parts[0]).abs().max()) for q in parts))
        seen["steps"].append(step)
        if step == a.kill_at and m.rank == 0: os.kill(os.getpid(), signal.SIGKILL)

    m = model(a.model, a.batch, a.epochs).fit(data(), checkpoint=a.out / "ck.pt", checkpoint_every=1, resume=a.resume,
                                               progress=False, callback=check)
    if m.rank == 0:
        torch.save(flat(m), a.out / "weights.pt")
        (a.out / "result.json").write_text(json.dumps({"world": m.world, **seen, "epoch": m.epoch,
                                                       "history": m.history}))
    if dist.is_initialized(): dist.barrier()  # rank 0's files are written
    sys.stdout.flush(); sys.stderr.flush()
    # skip the interpreter's shutdown: gloo's worker thread can still be releasing the last collective's work then,
    # and a thread needing the interpreter during its shutdown aborts the process ("terminate called without an
    # active exception"), a failure of the run after its results were written
    os._exit(0)


if __name__ == "__main__":
    main()
