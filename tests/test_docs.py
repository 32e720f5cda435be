"""The docs site and README are made from the notebooks (tools/docs.py).

Fast checks run always; building the site (every library notebook and the index executed, then nbdev's processing,
then quarto where it is installed) runs under `make test-docs` (TSGEN_TEST_FLAGS=docs), since it takes minutes.
"""
import ast
import json
import os

import pytest
import yaml

from conftest import ROOT

import docs

NBS = ROOT / "nbs"
BUILD = "docs" in os.environ.get("TSGEN_TEST_FLAGS", "").split()


def test_readme_is_the_index_notebook():
    "README.md is exactly what `make readme` makes from nbs/index.ipynb."
    made = docs.readme_text()
    assert "make reproduce" in made and "make test" in made, "the index must carry the two commands"
    assert (ROOT / "README.md").read_text(encoding="utf-8") == made, "README.md differs from nbs/index.ipynb: run `make readme`"


def _sidebar_entries(node):
    if isinstance(node, str): return [node]
    if isinstance(node, list): return [e for n in node for e in _sidebar_entries(n)]
    if isinstance(node, dict): return _sidebar_entries(node.get("contents", []))
    return []


def test_sidebar_lists_every_notebook_once():
    listed = _sidebar_entries(yaml.safe_load((NBS / "sidebar.yml").read_text())["website"]["sidebar"]["contents"])
    have = sorted(str(p.relative_to(NBS)) for p in NBS.rglob("*.ipynb") if ".ipynb_checkpoints" not in p.parts)
    assert sorted(listed) == have, f"sidebar.yml lists {sorted(set(listed) ^ set(have))} differently from nbs/"
    assert len(listed) == len(set(listed)), "a notebook is listed twice"
    assert listed[0] == "index.ipynb"


def _import_cells_with_code(nb):
    "Non-exported code cells that import and also do something else (nbdev runs import cells while rendering)."
    bad = []
    for i, cell in enumerate(json.loads(nb.read_text())["cells"]):
        if cell["cell_type"] != "code": continue
        src = "".join(cell["source"])
        if any(l.startswith("#|") and "export" in l for l in src.splitlines()) or src == docs.INSTALL_CELL: continue
        tree = ast.parse(src)
        if any(isinstance(n, (ast.Import, ast.ImportFrom)) for n in ast.walk(tree)) and \
           not all(isinstance(n, (ast.Import, ast.ImportFrom)) for n in tree.body):
            bad.append(i)
    return bad


@pytest.mark.parametrize("nb", docs.docs_notebooks(), ids=lambda p: p.stem)
def test_import_cells_are_import_only(nb):
    assert not _import_cells_with_code(nb), f"{nb.name}: cells {_import_cells_with_code(nb)} mix imports with other code"


def test_import_check_can_fail(tmp_path):
    nb = tmp_path / "x.ipynb"
    cell = lambda s: {"cell_type": "code", "source": s, "metadata": {}, "outputs": [], "execution_count": None}
    nb.write_text(json.dumps({"cells": [cell("import os"), cell("import sys\nx = 1"), cell("#| export\ndef f():\n    import os\n    return 1")]}))
    assert _import_cells_with_code(nb) == [1]


@pytest.fixture(scope="module")
def processed():
    "Execute the docs notebooks and process them with nbdev (what `make docs` does before quarto)."
    staged = docs.stage("smoke", workers=2)
    return staged, docs.process(staged, workers=2)


@pytest.mark.skipif(not BUILD, reason="builds the docs site (minutes): `make test-docs`")
def test_docs_notebooks_execute_and_process(processed):
    staged, proc = processed
    def outputs(nb, kind):
        return [o for c in json.loads(nb.read_text())["cells"] for o in c.get("outputs", []) if kind in o.get("data", {})]
    for name in ("index.ipynb", "02_simulate.ipynb", "21_plots.ipynb"):  # executed: their plots are in the pages
        assert outputs(staged / name, "image/png"), f"{name} was staged without its figures"
    for src in docs.docs_notebooks()[1:]:  # every library notebook renders its API docs
        assert outputs(proc / src.name, "text/markdown"), f"{src.name}: no API docs (show_doc) were rendered"
    listed = _sidebar_entries(yaml.safe_load((NBS / "sidebar.yml").read_text())["website"]["sidebar"]["contents"])
    missing = [p for p in listed if not (proc / p).exists()]
    assert not missing, f"not processed: {missing}"
    assert any("TSData" in "".join(o["data"]["text/markdown"]) for o in outputs(proc / "00_core.ipynb", "text/markdown"))
    for f in ("_quarto.yml", "sidebar.yml", "nbdev.yml"):
        assert (proc / f).exists(), f


@pytest.mark.skipif(not BUILD, reason="builds the docs site (minutes): `make test-docs`")
def test_docs_site_renders(processed):
    if docs.quarto() is None: pytest.skip("quarto is not installed here (`make docs` installs it from the package index)")
    out = docs.render(processed[1])
    for page in ["index.html", "core.html", "dg.html", "ar.html", "paper/dg_fig01_autocorr.html"]:
        assert (out / page).exists(), page
