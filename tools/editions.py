"""Build the book's downloadable editions: ``make student`` and ``make bundle``.

``python tools/editions.py student [OUT]`` (default ``_build/student``)
    The student edition: a copy of every notebook of ``book/`` in which the cells tagged
    ``solution`` (solution code and solution prose) are removed, and the cells tagged ``stub`` or
    ``exercise-check`` keep their source but lose their outputs (the reader fills in the stub
    and runs the check). Every other cell is copied unchanged, outputs included.

``python tools/editions.py bundle [OUT]`` (default ``_build/downloads``)
    The downloads the site offers: ``nnbook-book.zip`` (every notebook, full edition),
    ``nnbook-student.zip`` (the student edition) and one ``nnbook-student-<chapter>.zip`` per
    chapter. Each zip runs without the repository: it holds the notebooks, a wheel of the
    ``nnbook`` package, ``requirements.txt`` (the book's pins) and a README with the two
    commands that install and open it.

Cell tags (``metadata.tags``), the contract between the notebooks and this script:

* ``solution`` -- part of a worked solution; hidden on the site, removed for students.
* ``stub`` -- the code a student completes (``raise NotImplementedError`` until then).
* ``exercise-check`` -- a call of ``nnbook.exercises.check``; prints "not yet" on a stub.
"""
from __future__ import annotations

import copy
import json
import shutil
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BOOK = ROOT / "book"
SOLUTION, STUB, CHECK = "solution", "stub", "exercise-check"
# pages that read files of the repository (benchmarks/results.json) stay out of the downloads
NOT_IN_DOWNLOADS = ("appendix/benchmarks.ipynb",)

README = """\
# {title}

The notebooks of *Neural Networks, Executed*{edition}, with the book's code package `nnbook`.
You need Python 3.11, 3.12 or 3.13. In this folder, run:

    python3 -m venv .venv && .venv/bin/pip install -r requirements.txt wheels/*.whl
    .venv/bin/jupyter lab notebooks

(On Windows: `py -m venv .venv`, then `.venv\\Scripts\\pip install -r requirements.txt` followed by
the wheel's file name, and `.venv\\Scripts\\jupyter lab notebooks`.) The install takes a few
minutes and about 1.5 GB, most of it PyTorch's CPU build; no GPU is needed. Every notebook runs
top to bottom in under a minute on a laptop.{student}

The text of the book is licensed CC BY 4.0, its code MIT.
"""
STUDENT_NOTE = """

This is the student edition: the solutions are removed. Each coding exercise has a stub to fill
in and a check cell that grades your function on random inputs ("passed" or "not yet", with a
hint); the full book, with solutions, is on the book's site."""


def tags(cell) -> set[str]:
    return set(cell.get("metadata", {}).get("tags", []))


def student_notebook(nb: dict) -> dict:
    """The student copy of one notebook (a new dict; ``nb`` is not changed)."""
    out = copy.deepcopy(nb)
    cells = []
    for cell in out["cells"]:
        t = tags(cell)
        if SOLUTION in t:
            continue
        if cell["cell_type"] == "code" and t & {STUB, CHECK}:
            cell["outputs"], cell["execution_count"] = [], None
        cells.append(cell)
    out["cells"] = cells
    return out


def notebooks() -> list[Path]:
    return sorted(p for p in BOOK.rglob("*.ipynb")
                  if ".ipynb_checkpoints" not in p.parts and not p.name.startswith("_"))


def write_student(out: Path) -> list[Path]:
    """Write the student edition of every notebook under ``out`` (book/ layout); return the paths."""
    written = []
    for path in notebooks():
        target = out / path.relative_to(BOOK)
        target.parent.mkdir(parents=True, exist_ok=True)
        nb = json.loads(path.read_text(encoding="utf-8"))
        target.write_text(json.dumps(student_notebook(nb), indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
        written.append(target)
    return written


def build_wheel(out: Path) -> Path:
    """A wheel of ``code/`` (the nnbook package), built without network or dependencies."""
    out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        # build from a copy: building in code/ would leave build/ and *.egg-info there
        src = Path(tmp) / "code"
        shutil.copytree(ROOT / "code", src, ignore=shutil.ignore_patterns("build", "*.egg-info", "__pycache__"))
        subprocess.run([sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "--no-build-isolation",
                        "--wheel-dir", str(out), str(src)], check=True)
    return next(out.glob("nnbook-*.whl"))


#: What a reader needs besides the package's own dependencies: a notebook server and its kernel.
READER_TOOLS = ("jupyterlab", "ipykernel")


def _pins() -> dict[str, str]:
    """The book's requirements.txt as {canonical name: pinned line} (the editable code/ left out)."""
    from packaging.utils import canonicalize_name

    pins = {}
    for line in (ROOT / "requirements.txt").read_text(encoding="utf-8").splitlines():
        line = line.strip()
        if line and not line.startswith(("#", "-e ")):
            pins[canonicalize_name(line.split("==")[0])] = line
    return pins


def reader_requirements() -> str:
    """The pinned requirements of a reader's install: the dependency closure of nnbook's declared
    dependencies (``code/pyproject.toml``) and :data:`READER_TOOLS`, each at the book's pin.

    The closure is read from the installed distributions' metadata (this runs in the book's
    .venv, which requirements.txt made), extras included where a dependency asks for them. The
    book's own tools (Jupyter Book, Sphinx, pytest, nbval, selenium) are not in it.
    """
    import importlib.metadata as metadata
    import tomllib

    from packaging.requirements import Requirement
    from packaging.utils import canonicalize_name

    pins = _pins()
    declared = tomllib.loads((ROOT / "code" / "pyproject.toml").read_text(encoding="utf-8"))["project"]["dependencies"]
    todo = [Requirement(r) for r in [*declared, *READER_TOOLS]]
    seen: set[tuple[str, str]] = set()
    needed: set[str] = set()
    while todo:
        req = todo.pop()
        name = canonicalize_name(req.name)
        for extra in ("", *sorted(req.extras)):
            if (name, extra) in seen:
                continue
            seen.add((name, extra))
            needed.add(name)
            for line in metadata.requires(name) or []:
                dep = Requirement(line)
                # a dependency without a marker belongs to the distribution itself (extra "")
                if (dep.marker.evaluate({"extra": extra}) if dep.marker else extra == ""):
                    todo.append(dep)
    missing = sorted(needed - set(pins))
    if missing:
        raise ValueError(f"requirements.txt pins no version of {missing}, which a reader's install needs")
    return "".join(pins[name] + "\n" for name in sorted(needed))


def _zip(zip_path: Path, folder: str, files: dict[str, Path | str]) -> None:
    """Write ``files`` (name inside the folder -> source path or text) into ``zip_path``."""
    with zipfile.ZipFile(zip_path, "w", zipfile.ZIP_DEFLATED) as z:
        for name, source in sorted(files.items()):
            arc = f"{folder}/{name}"
            if isinstance(source, Path):
                z.write(source, arc)
            else:
                z.writestr(arc, source)


def write_bundles(out: Path) -> list[Path]:
    """Write the full, student and per-chapter zips into ``out``; return their paths."""
    out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        wheel = build_wheel(Path(tmp) / "wheels")
        student_root = Path(tmp) / "student"
        write_student(student_root)
        common = {f"wheels/{wheel.name}": wheel, "requirements.txt": reader_requirements()}

        def pages(root: Path, chapter: str | None = None) -> dict[str, Path]:
            found = {}
            for path in sorted(root.rglob("*.ipynb")):
                rel = path.relative_to(root).as_posix()
                if rel in NOT_IN_DOWNLOADS or (chapter and not rel.startswith(chapter + "/")):
                    continue
                found[f"notebooks/{rel}"] = path
            return found

        made = []
        book = out / "nnbook-book.zip"
        _zip(book, "nnbook-book", {**common, **pages(BOOK),
                                   "README.md": README.format(title="Neural Networks, Executed", edition="", student="")})
        made.append(book)
        student = out / "nnbook-student.zip"
        _zip(student, "nnbook-student", {**common, **pages(student_root), "README.md": README.format(
            title="Neural Networks, Executed: student edition", edition=" (student edition)", student=STUDENT_NOTE)})
        made.append(student)
        for chapter in sorted(p.name for p in BOOK.glob("ch[0-9]*") if p.is_dir()):
            zip_path = out / f"nnbook-student-{chapter}.zip"
            _zip(zip_path, f"nnbook-student-{chapter}", {**common, **pages(student_root, chapter), "README.md": README.format(
                title=f"Neural Networks, Executed: {chapter}, student edition",
                edition=f" ({chapter}, student edition)", student=STUDENT_NOTE)})
            made.append(zip_path)
    return made


def main(argv: list[str]) -> int:
    if not argv or argv[0] not in ("student", "bundle"):
        print(__doc__.split("\n\n")[0] + "\nusage: python tools/editions.py {student|bundle} [OUT]", file=sys.stderr)
        return 2
    if argv[0] == "student":
        out = Path(argv[1]) if len(argv) > 1 else ROOT / "_build" / "student"
        written = write_student(out)
        print(f"student edition: {len(written)} notebooks in {out}")
    else:
        out = Path(argv[1]) if len(argv) > 1 else ROOT / "_build" / "downloads"
        for path in write_bundles(out):
            print(f"{path.stat().st_size / 1e6:6.2f} MB  {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
