# Two commands for readers and CI:
#   make book   create .venv if missing, install the pinned requirements, build the site
#   make test   unit tests, strict nbval over every notebook, toc check, strict build, site checks
# and a few for authors: make lab, make refresh NB=..., make bench, make clean.

SHELL := /bin/bash
# Idle OpenMP threads sleep instead of spinning: on a busy 2-core machine spinning threads made
# small torch models 10-30x slower. It changes no result.
export OMP_WAIT_POLICY := PASSIVE
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
JB := $(VENV)/bin/jupyter-book
STAMP := $(VENV)/.installed
NOTEBOOKS := $(shell find book -name '*.ipynb' -not -path '*/.ipynb_checkpoints/*' | sort)
# Notebooks run in parallel, one whole notebook per worker (--dist loadfile); JOBS workers,
# default one per core. Each notebook fixes its own thread count in nnbook.setup(), so the
# number of workers changes no result.
JOBS ?= $(shell nproc 2>/dev/null || echo 2)
NBVAL := $(PY) -m pytest --nbval --nbval-current-env --nbval-sanitize-with tests/nbval_sanitize.cfg \
         -p nbval_tolerance -p nbval_timing -p no:cacheprovider --ignore-glob='*.ipynb_checkpoints*' \
         -q -n $(JOBS) --dist loadfile
# The portability lane: torch's own kernels restricted to AVX2 (ATen), and so are MKL and oneDNN
# below it, as on a laptop without AVX-512. The machine's OPENBLAS_* settings are left alone.
AVX2 := ATEN_CPU_CAPABILITY=avx2 MKL_ENABLE_INSTRUCTIONS=AVX2 ONEDNN_MAX_CPU_ISA=AVX2

.PHONY: book test unit notebooks notebooks-native notebooks-avx2 toc build-strict site lab refresh bench clean

$(STAMP): requirements.txt code/pyproject.toml
	@test -x $(PY) || { echo "creating $(VENV)"; $(PYTHON) -m venv $(VENV); }
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements.txt
	@touch $(STAMP)

book: $(STAMP)
	$(JB) build .
	@echo "Open _build/html/index.html in a browser."

test: $(STAMP)
	@echo "== 1/5 unit tests (tests/)"
	$(MAKE) --no-print-directory unit
	@echo "== 2/5 notebooks: pytest --nbval (strict, with tolerances) over book/, two kernel lanes"
	$(MAKE) --no-print-directory notebooks
	@echo "== 3/5 table of contents"
	$(MAKE) --no-print-directory toc
	@echo "== 4/5 strict site build (any Sphinx warning fails)"
	$(MAKE) --no-print-directory build-strict
	@echo "== 5/5 checks of the built site (offline resources, headless browser)"
	$(MAKE) --no-print-directory site
	@echo "make test: all checks passed"

unit: $(STAMP)
	$(PY) -m pytest tests --ignore=tests/site -p no:cacheprovider -q -n 2

# Every notebook is re-executed twice against the same stored outputs: with the kernels this
# machine picks (native) and with AVX2 kernels only (avx2). NB=... checks some notebooks only.
NB ?= $(NOTEBOOKS)
notebooks: $(STAMP)
	$(MAKE) --no-print-directory notebooks-native
	$(MAKE) --no-print-directory notebooks-avx2

notebooks-native: $(STAMP)
	@echo "-- lane native: the kernels this machine selects"
	NNBOOK_LANE=native PYTHONPATH=tests $(NBVAL) $(NB)

notebooks-avx2: $(STAMP)
	@echo "-- lane avx2: $(AVX2)"
	NNBOOK_LANE=avx2 $(AVX2) PYTHONPATH=tests $(NBVAL) $(NB)

toc: $(STAMP)
	$(PY) tests/book_checks.py toc

build-strict: $(STAMP)
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
	@test "$(origin NB)" = "command line" || { echo "usage: make refresh NB=path/to/notebook.ipynb"; exit 2; }
	for nb in $(NB); do \
	  $(VENV)/bin/jupyter nbconvert --to notebook --execute --inplace --ExecutePreprocessor.timeout=600 "$$nb" || exit 1; \
	done
	$(MAKE) --no-print-directory notebooks NB="$(NB)"

bench: $(STAMP)
	$(PY) benchmarks/run.py

clean:
	rm -rf _build
