"""The test suite: every library notebook in nbs/ runs as a test (nbdev's `test_nb`), the exported package
must be what the notebooks export, the notebooks must be clean, and paper notebooks must be papermill-ready.

Cells flagged `#| slow` or `#| cuda` are skipped unless named in TSGEN_TEST_FLAGS (e.g. `make test FLAGS=slow`).
"""
import ast
import filecmp
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from nbdev.test import test_nb as run_notebook_tests

from conftest import ROOT
from docs import ALL_FLAGS, INSTALL_CELL  # tools/docs.py: the flags and the install cell, one home each

NBS = [ROOT / "nbs" / "index.ipynb", *sorted((ROOT / "nbs").glob("[0-9]*.ipynb"))]  # the home page runs as a test too
PAPER_NBS = sorted((ROOT / "nbs" / "paper").glob("*.ipynb"))
BIN = Path(sys.executable).parent


def _force_flags():
    return set(os.environ.get("TSGEN_TEST_FLAGS", "").split())


@pytest.mark.parametrize("nb", NBS, ids=lambda p: p.stem)
def test_notebook(nb):
    force = _force_flags()
    ok, secs = run_notebook_tests(nb, skip_flags=sorted(ALL_FLAGS - force), force_flags=sorted(force), basepath=ROOT)
    assert ok, f"{nb.name} failed (traceback above)"


def _nbdev(cmd, cwd, *args):
    "Run an nbdev command; without IN_TEST, which `test_nb` sets and which makes nbdev_export a no-op."
    env = {k: v for k, v in os.environ.items() if k != "IN_TEST"}
    r = subprocess.run([str(BIN / cmd), *args], cwd=cwd, env=env, capture_output=True, text=True)
    assert r.returncode == 0, f"{cmd} failed:\n{r.stdout}\n{r.stderr}"


def _copy_project(tmp_path):
    for name in ("settings.ini", "pyproject.toml", "setup.py", "README.md"):
        shutil.copy(ROOT / name, tmp_path / name)
    shutil.copytree(ROOT / "nbs", tmp_path / "nbs", ignore=shutil.ignore_patterns(".ipynb_checkpoints"))
    return tmp_path


def test_exported_package_in_sync(tmp_path):
    "tsgen/*.py must be exactly what nbdev_export makes from nbs/ (the notebooks are the source of truth)."
    proj = _copy_project(tmp_path)
    for init in (ROOT / "tsgen").rglob("__init__.py"):  # package markers are written by hand, the rest is exported
        dest = proj / init.relative_to(ROOT)
        dest.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(init, dest)
    _nbdev("nbdev_export", proj)
    made = {str(p.relative_to(proj / "tsgen")) for p in (proj / "tsgen").rglob("*.py")}
    have = {str(p.relative_to(ROOT / "tsgen")) for p in (ROOT / "tsgen").rglob("*.py")}
    assert made == have, f"modules differ: only exported {sorted(made - have)}, only in tsgen/ {sorted(have - made)}"
    differ = [n for n in sorted(made) if not filecmp.cmp(proj / "tsgen" / n, ROOT / "tsgen" / n, shallow=False)]
    assert not differ, f"tsgen/ is out of sync with the notebooks for {differ}: run `make export`"


def test_notebooks_clean(tmp_path):
    "Notebooks carry no outputs or stray metadata (as nbdev_clean leaves them), and papermill's tag survives."
    proj = _copy_project(tmp_path)
    _nbdev("nbdev_clean", proj, "--fname", "nbs")
    for src in sorted((ROOT / "nbs").rglob("*.ipynb")):
        cleaned = proj / src.relative_to(ROOT)
        assert src.read_bytes() == cleaned.read_bytes(), f"{src.relative_to(ROOT)} is not clean: run `make clean-nbs`"


def _cells(nb):
    return json.loads(nb.read_text())["cells"]


COLAB = "https://colab.research.google.com/github/tsgen/tsgen/blob/main/"


@pytest.mark.parametrize("nb", PAPER_NBS, ids=lambda p: p.stem)
def test_paper_notebook_parameters(nb):
    """The first code cell is the install cell; the second is tagged `parameters` and holds literal assignments only
    (derived values come after; papermill injects its parameters right after the tagged cell)."""
    code = [c for c in _cells(nb) if c["cell_type"] == "code"]
    assert len(code) >= 2, f"{nb.name} has no install and parameters cells"
    assert "".join(code[0]["source"]) == INSTALL_CELL, f"{nb.name}: first code cell is not the install cell (INSTALL_CELL)"
    first = code[1]
    assert "parameters" in first.get("metadata", {}).get("tags", []), f"{nb.name}: second code cell is not tagged 'parameters'"
    assert not any("parameters" in c.get("metadata", {}).get("tags", []) for c in code[2:]), f"{nb.name}: more than one 'parameters' cell"
    tree = ast.parse("".join(first["source"]))
    for stmt in tree.body:
        assert isinstance(stmt, ast.Assign), f"{nb.name}: parameters cell may only assign literals, found {ast.dump(stmt)[:60]}"
        ast.literal_eval(stmt.value)  # raises if the value is not a literal
    assert not any("default_exp" in "".join(c["source"]) for c in code), f"{nb.name}: paper notebooks export nothing"


@pytest.mark.parametrize("nb", PAPER_NBS, ids=lambda p: p.stem)
def test_paper_notebook_colab_badge(nb):
    "The title cell opens the notebook itself in Colab."
    title = "".join(_cells(nb)[0]["source"])
    link = f"{COLAB}{nb.relative_to(ROOT).as_posix()}"
    assert f"[![Open In Colab](https://colab.research.google.com/assets/colab-badge.svg)]({link})" in title, \
        f"{nb.name}: the first cell has no Colab badge linking {link}"


def test_index_notebook_opens_in_colab():
    "The home page starts like the paper notebooks: a Colab badge near the top and the install cell first."
    nb = ROOT / "nbs" / "index.ipynb"
    cells = _cells(nb)
    code = [c for c in cells if c["cell_type"] == "code"]
    assert "".join(code[0]["source"]) == INSTALL_CELL, "index.ipynb: first code cell is not the install cell"
    top = "".join("".join(c["source"]) for c in cells[:2] if c["cell_type"] == "markdown")
    assert f"({COLAB}nbs/index.ipynb)" in top, "index.ipynb: no Colab badge in its first cells"
