"""The documentation site and the README, both made from the notebooks.

    python tools/docs.py build [--profile smoke] [--flags slow] [--no-render]   # -> _docs/
    python tools/docs.py readme [--check]                                       # nbs/index.ipynb -> README.md

`build` executes every library notebook and `nbs/index.ipynb` (cells flagged `slow`/`cuda` skipped unless named in
`--flags`) into a staging copy of `nbs/`, so each page renders with its outputs; a notebook that raises stops the
build with its name and cell. Paper notebooks render from their executed copies in `build/<profile>/` when
`make reproduce` has made them, else from their sources. nbdev then processes the staged notebooks (API docs,
directives) into `_proc/`, and quarto renders the site into `_docs/`.
"""
from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
NBS = ROOT / "nbs"
STAGE = ROOT / "build" / "docs" / "nbs"
ALL_FLAGS = {"slow", "cuda"}
# The first code cell of every paper notebook (and of nbs/index.ipynb): installs tsgen where it is missing (Colab).
INSTALL_CELL = """\
# On Colab or any runtime without tsgen: clone the repository and install it (keeps the runtime's torch if >= 2.12).
import importlib.util, subprocess, sys
if importlib.util.find_spec("tsgen") is None:
    subprocess.run(["git", "clone", "-q", "--depth", "1", "https://github.com/tsgen/tsgen", "tsgen-src"], check=True)
    subprocess.run([sys.executable, "-m", "pip", "install", "-q", "-e", "tsgen-src"], check=True)
    sys.path.insert(0, "tsgen-src")"""


class NotebookError(RuntimeError):
    "A notebook raised while it was executed for the docs."


def docs_notebooks() -> list[Path]:
    "The notebooks executed for the site: the index page and every library notebook."
    return [NBS / "index.ipynb", *sorted(NBS.glob("[0-9]*.ipynb"))]


def execute_notebook(src: Path, dest: Path, flags: tuple = ()) -> float:
    "Run `src` top to bottom (as the tests do: from its folder, flagged cells skipped) and write it with outputs to `dest`."
    import time
    from execnb.nbio import write_nb
    from execnb.shell import CaptureShell
    from fastcore.xtras import working_directory
    from nbdev.process import NBProcessor
    os.environ["IN_TEST"] = "1"  # as under nbdev_test: nbdev_export() cells are no-ops
    os.environ.setdefault("MPLBACKEND", "Agg")
    sys.path.insert(0, str(ROOT))
    skip = ALL_FLAGS - set(flags)
    nb = NBProcessor(src, procs=[], rm_directives=False, process=True).nb

    def no_eval(cell):
        if cell.cell_type != "code" or "nbdev_export(" in cell.source: return True
        d = getattr(cell, "directives_", {}) or {}
        return d.get("eval:", [""])[0].lower() == "false" or bool(skip & d.keys())

    t0 = time.perf_counter()
    shell = CaptureShell(src)
    with working_directory(src.parent):
        try: shell.run_all(nb, exc_stop=True, preproc=no_eval)
        except Exception:
            raise NotebookError(f"{src.relative_to(ROOT)} failed:\n{shell.prettytb(fname=src)}") from None
    for cell in nb.cells:  # keep the cells as written; execution only adds outputs
        cell.pop("directives_", None)
    dest.parent.mkdir(parents=True, exist_ok=True)
    write_nb(nb, dest)
    return time.perf_counter() - t0


def _execute(args):
    src, flags = args
    return src.name, execute_notebook(src, STAGE / src.relative_to(NBS), flags)


def stage(profile: str = "smoke", flags: tuple = (), workers: int = 2) -> Path:
    "Copy `nbs/` to the staging folder, execute the docs notebooks into it, and use executed paper notebooks when present."
    shutil.rmtree(STAGE, ignore_errors=True)
    shutil.copytree(NBS, STAGE, ignore=shutil.ignore_patterns(".ipynb_checkpoints"))
    nbs = docs_notebooks()
    os.environ.setdefault("TSGEN_THREADS", "fixed")  # the pages' examples compare runs bit for bit: no thread adapting
    with ProcessPoolExecutor(workers, max_tasks_per_child=1) as pool:  # a fresh interpreter per notebook
        for name, secs in pool.map(_execute, [(nb, flags) for nb in nbs]):
            print(f"executed {name} in {secs:.0f} s", flush=True)
    executed = ROOT / "build" / profile
    for src in sorted((NBS / "paper").glob("*.ipynb")):
        run = executed / src.name
        if run.exists() and run.stat().st_mtime >= src.stat().st_mtime:
            shutil.copy(run, STAGE / "paper" / src.name)
            print(f"paper/{src.name}: the executed copy from build/{profile}/")
        else:
            print(f"paper/{src.name}: source only (run `make reproduce` first to render its figures)")
    return STAGE


def quarto() -> str | None:
    "The quarto executable: on PATH, or the one the quarto-cli package put beside this Python."
    return shutil.which("quarto") or shutil.which("quarto", path=str(Path(sys.executable).parent))


def process(stage_dir: Path = STAGE, workers: int = 2) -> Path:
    "nbdev's processing of the staged notebooks (API docs, directives, hidden cells) into `_proc/`; returns it."
    os.chdir(ROOT)
    from nbdev.quarto import refresh_quarto_yml
    from nbdev.serve import proc_nbs
    refresh_quarto_yml()  # nbs/nbdev.yml from settings.ini; the staged copy of nbs/ has the rest of the site's config
    shutil.copy(NBS / "nbdev.yml", stage_dir / "nbdev.yml")
    return proc_nbs(stage_dir, n_workers=workers, force=True)


def require_quarto() -> str:
    "The quarto executable, or a clear stop when there is none."
    q = quarto()
    if q is None:
        raise SystemExit("quarto is not installed: `make docs` installs it with `pip install quarto-cli`, whose build "
                         "downloads the quarto binary from GitHub; or install quarto from quarto.org")
    return q


def render(proc: Path) -> Path:
    "quarto renders `_proc/` into `_docs/`."
    subprocess.run([require_quarto(), "render", "--no-cache"], cwd=proc, check=True)
    out = ROOT / "_docs"
    shutil.rmtree(out, ignore_errors=True)
    shutil.move(str(proc / "_docs"), str(out))
    return out


def readme_text(nb_path: Path = NBS / "index.ipynb") -> str:
    """README.md as made from the index notebook: markdown cells as they are, code cells as Python blocks; hidden
    cells and outputs left out."""
    parts = []
    for cell in json.loads(nb_path.read_text(encoding="utf-8"))["cells"]:
        src = "".join(cell["source"]).strip()
        if not src: continue
        if cell["cell_type"] == "markdown": parts.append(src)
        elif cell["cell_type"] == "code":
            lines = src.splitlines()
            if any(l.startswith("#|") and "hide" in l for l in lines): continue
            code = "\n".join(l for l in lines if not l.startswith("#|")).strip()
            if code: parts.append(f"```python\n{code}\n```")
    return "<!-- Made from nbs/index.ipynb by `make readme`: edit the notebook, not this file. -->\n\n" + "\n\n".join(parts) + "\n"


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = p.add_subparsers(dest="cmd", required=True)
    b = sub.add_parser("build", help="execute the notebooks and build the site into _docs/")
    b.add_argument("--profile", default="smoke", help="whose executed paper notebooks to render (build/<profile>/)")
    b.add_argument("--flags", default="", help="also run cells with these flags, e.g. 'slow'")
    b.add_argument("--no-render", action="store_true", help="stop after nbdev's processing (no quarto needed)")
    b.add_argument("--workers", type=int, default=2)
    r = sub.add_parser("readme", help="remake README.md from nbs/index.ipynb")
    r.add_argument("--check", action="store_true", help="fail if README.md differs instead of writing it")
    a = p.parse_args(argv)
    if a.cmd == "readme":
        text, readme = readme_text(), ROOT / "README.md"
        if a.check:
            if readme.read_text(encoding="utf-8") != text: raise SystemExit("README.md differs from nbs/index.ipynb: run `make readme`")
            return print("README.md is nbs/index.ipynb")
        readme.write_text(text, encoding="utf-8")
        return print("wrote README.md")
    if not a.no_render: require_quarto()  # fail before the long part
    try: staged = stage(a.profile, tuple(a.flags.split()), a.workers)
    except NotebookError as e: raise SystemExit(str(e))
    proc = process(staged, a.workers)
    print(f"processed into {proc.relative_to(ROOT)}/")
    if not a.no_render: print(f"site in {render(proc).relative_to(ROOT)}/")


if __name__ == "__main__":
    main()
