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
NBVAL := $(PY) -m pytest --nbval --nbval-current-env --nbval-sanitize-with tests/nbval_sanitize.cfg \
         -p nbval_timing -p no:cacheprovider --ignore-glob='*.ipynb_checkpoints*'

.PHONY: book test unit notebooks toc build-strict site lab refresh bench clean

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
	@echo "== 2/5 notebooks: pytest --nbval (strict) over book/"
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

notebooks: $(STAMP)
	PYTHONPATH=tests $(NBVAL) $(NOTEBOOKS)

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

# Re-execute one notebook and store its new outputs, after a deliberate change:
#   make refresh NB=book/ch3-backprop/01-losses.ipynb
refresh: $(STAMP)
	@test -n "$(NB)" || { echo "usage: make refresh NB=path/to/notebook.ipynb"; exit 2; }
	$(VENV)/bin/jupyter nbconvert --to notebook --execute --inplace --ExecutePreprocessor.timeout=600 "$(NB)"

bench: $(STAMP)
	$(PY) benchmarks/run.py

clean:
	rm -rf _build
