"""Installing tsgen: compatible ranges for users, exact versions for the reproduction, Binder.

Fast checks run always. The fresh-venv checks run under `make test-install` (TSGEN_TEST_FLAGS=install): each builds
a virtual environment from the package index (a few minutes, a few GB for a CUDA build of torch).
"""
import configparser
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from packaging.requirements import Requirement
from packaging.version import Version

from conftest import ROOT

VENVS = "install" in os.environ.get("TSGEN_TEST_FLAGS", "").split()
slow = pytest.mark.skipif(not VENVS, reason="builds fresh virtual environments (minutes): `make test-install`")
# a torch other than the reproduction's, inside the range tsgen claims: installing tsgen must keep it
OTHER_TORCH = "2.12.0"
# what `import tsgen` and its modules must not pull in
MACHINERY = {"nbdev", "fastcore", "execnb", "pytest", "_pytest", "IPython", "ipykernel", "papermill", "nbclient", "nbformat"}


def _settings():
    cfg = configparser.ConfigParser(delimiters=["="])
    cfg.read(ROOT / "settings.ini")
    return cfg["DEFAULT"]


def _requirements():
    return [Requirement(r) for r in _settings()["requirements"].split()]


def _pins(lines):
    out = {}
    for line in lines:
        line = line.split("#")[0].strip()
        m = re.fullmatch(r"([A-Za-z0-9_.\-]+)==([^\s;]+)", line)
        if m: out[m.group(1).lower().replace("_", "-")] = m.group(2)
    return out


def _constraints():
    return _pins((ROOT / "constraints.txt").read_text().splitlines())


def test_requirements_are_ranges():
    "Every library requirement is a range with a lower and an upper bound, never one exact version."
    for req in _requirements():
        ops = {s.operator for s in req.specifier}
        assert "==" not in ops and "===" not in ops, f"{req}: an exact pin would replace the user's version"
        assert ops & {">=", ">", "~="}, f"{req}: no lower bound"
        assert ops & {"<", "<=", "~="}, f"{req}: no upper bound"


def test_constraints_lie_in_the_ranges():
    "The reproduction's exact versions (constraints.txt) satisfy tsgen's own ranges, and pin every requirement."
    pins = _constraints()
    for req in _requirements():
        name = req.name.lower().replace("_", "-")
        assert name in pins, f"{req.name} is not pinned in constraints.txt"
        assert req.specifier.contains(Version(pins[name]), prereleases=True), f"constraints.txt {name}=={pins[name]} is outside {req}"


def test_lowest_constraints_are_the_lower_bounds():
    "constraints-lowest.txt (the low end the tests are run at) pins each requirement at its range's lower bound."
    low = _pins((ROOT / "constraints-lowest.txt").read_text().splitlines())
    for req in _requirements():
        name = req.name.lower().replace("_", "-")
        assert name in low, f"constraints-lowest.txt does not pin {req.name}"
        bound = next(s.version for s in req.specifier if s.operator == ">=")
        assert req.specifier.contains(Version(low[name])), f"{name}=={low[name]} is outside {req}"
        assert Version(low[name]).release[:2] == Version(bound).release[:2], f"{name}=={low[name]} is not {req}'s lower end"


def test_environment_yml_pins_the_constraints():
    "environment.yml (conda) pins the same versions as constraints.txt."
    env = yaml.safe_load((ROOT / "environment.yml").read_text())
    pip = next(d["pip"] for d in env["dependencies"] if isinstance(d, dict))
    pins, want = _pins(pip), _constraints()
    assert pins, "environment.yml pins nothing"
    differ = {k: (v, want.get(k)) for k, v in pins.items() if want.get(k, v) != v}
    assert not differ, f"environment.yml vs constraints.txt: {differ}"
    for req in _requirements():
        assert req.name.lower().replace("_", "-") in pins, f"environment.yml does not pin {req.name}"


def test_distribution_name():
    "The distribution is `tsgen-nts` (`tsgen` on the package index is another project); the import name is `tsgen`."
    s = _settings()
    assert s["lib_name"] == "tsgen-nts" and s["lib_path"] == "tsgen"


def test_binder_files():
    req = (ROOT / "binder" / "requirements.txt").read_text()
    assert "download.pytorch.org/whl/cpu" in req and re.search(r"^torch==[\d.]+\+cpu$", req, re.M), "Binder must install CPU torch"
    assert not re.search(r"^\s*(-e|\.)", req, re.M), "requirements.txt runs before the repository is copied in"
    post = ROOT / "binder" / "postBuild"
    assert os.access(post, os.X_OK) and "-e" in post.read_text()


def _venv(path: Path) -> Path:
    subprocess.run([sys.executable, "-m", "venv", str(path)], check=True)
    py = path / "bin" / "python"
    subprocess.run([str(py), "-m", "pip", "install", "-q", "--upgrade", "pip"], check=True)
    return py


def _run(py, *args, **kw):
    r = subprocess.run([str(py), *args], capture_output=True, text=True, **kw)
    assert r.returncode == 0, f"{' '.join(map(str, args))} failed:\n{r.stdout[-3000:]}\n{r.stderr[-3000:]}"
    return r.stdout


def _checkout(dest: Path) -> Path:
    "A copy of the working tree (what a clone would hold, without the build outputs)."
    skip = shutil.ignore_patterns(".git", ".venv", "runs", "build", "figures", "_proc", "_docs", "*.egg-info", "__pycache__")
    shutil.copytree(ROOT, dest, ignore=skip)
    return dest


_USE = ("import sys, tsgen, tsgen.core, tsgen.dg, tsgen.transformer, tsgen.metrics\n"
        "from tsgen.simulate import simulate\n"
        "from tsgen.dg import DoppelGANger\n"
        "d = simulate('wwt', 32, seed=0)\n"
        "g = DoppelGANger(epochs=1, batch_size=16, sample_len=10, device='cpu').fit(d, progress=False).generate(4, seed=1)\n"
        "assert g.features.shape == (4, 550, 1), g.features.shape\n"
        "print(sorted({m.split('.')[0] for m in sys.modules} & set(sys.argv[1].split(','))))\n")


@slow
def test_binder_postbuild(tmp_path):
    "Binder's two steps in a fresh venv: CPU torch from requirements.txt, then postBuild; torch stays the CPU build."
    repo = _checkout(tmp_path / "repo")
    py = _venv(tmp_path / "venv")
    _run(py, "-m", "pip", "install", "-q", "-r", str(repo / "binder" / "requirements.txt"))
    env = {**os.environ, "PATH": f"{py.parent}:{os.environ['PATH']}"}
    out = subprocess.run(["bash", str(repo / "binder" / "postBuild")], capture_output=True, text=True, env=env)
    assert out.returncode == 0, out.stdout[-3000:] + out.stderr[-3000:]
    assert "+cpu" in _run(py, "-c", "import torch; print(torch.__version__)")
    _run(py, "-c", "import tsgen.reproduce, papermill, nbdev")


@slow
def test_pip_install_keeps_torch(tmp_path):
    """`pip install git+<repository>` into a venv that already has another compatible torch keeps that torch, and
    `import tsgen` pulls in no test or notebook machinery. Installs the committed HEAD of this checkout."""
    py = _venv(tmp_path / "venv")
    _run(py, "-m", "pip", "install", "-q", f"torch=={OTHER_TORCH}")
    _run(py, "-m", "pip", "install", "-q", f"tsgen-nts @ git+file://{ROOT}")
    assert _run(py, "-c", "import torch; print(torch.__version__)").split("+")[0].strip() == OTHER_TORCH
    assert _run(py, "-c", _USE, ",".join(sorted(MACHINERY)), cwd=tmp_path).strip().splitlines()[-1] == "[]"
