# Quick start: `make demo` and `make test` each build the environment from nothing.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
PYTEST_ARGS ?=

.PHONY: demo test test-fast docs fuzz clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

# Runtime install with the plotting extra, then the main job on bundled data.
demo: $(BIN)/python
	$(BIN)/python -m pip install --quiet -e ".[plot]"
	$(BIN)/emkit demo

# Development install (all extras + test tools), then the whole suite, slow tests included.
# The kernels are compiled once into numba's cache before pytest starts, so that the two
# workers load them instead of each compiling every one.
test: $(BIN)/python
	$(BIN)/python -m pip install --quiet -e ".[dev]"
	$(BIN)/python -m emkit.engine.compile
	$(BIN)/python -m pytest -n 2 $(PYTEST_ARGS)

# The default run without the slow tests, for quick iterations.
test-fast: $(BIN)/python
	$(BIN)/python -m emkit.engine.compile
	$(BIN)/python -m pytest -n 2 -m "not slow" $(PYTEST_ARGS)

# The documentation site (Sphinx, PyData theme, numpydoc, a gallery that runs) into
# docs/_build/html, with every warning an error, then the built pages opened in headless
# Chromium (no console errors, a screenshot that is not blank). Needs the docs extra.
SPHINXOPTS ?=
docs: $(BIN)/python
	$(BIN)/python -m pip install --quiet -e ".[docs]"
	$(BIN)/python -m emkit.engine.compile
	$(BIN)/python -m sphinx -b html -W --keep-going -j 1 $(SPHINXOPTS) docs docs/_build/html
	$(BIN)/python -m pytest -q -p no:cacheprovider tests/docs/test_docs_site.py

# The long property runs (60 examples for each of the ~44 models and components, under 30
# minutes) and the fuzz job (1,200 examples for each of its 7 targets: fit, load, the command
# line; under 10 minutes): over 10,000 examples in all, each step under a time limit (a hang
# fails). CI runs it after `make test`. The draws are fixed by FUZZ_SEED, so a CI failure
# reproduces; `make fuzz FUZZ_SEED=$$RANDOM` explores new draws.
FUZZ_SEED ?= 0
FUZZ_PYTEST = $(BIN)/python -m pytest -n 2 -p no:cacheprovider --hypothesis-seed=$(FUZZ_SEED)
fuzz: $(BIN)/python
	$(BIN)/python -m pip install --quiet -e ".[dev]"
	$(BIN)/python -m emkit.engine.compile
	EMKIT_PROPERTY_EXAMPLES=60 timeout 1800 $(FUZZ_PYTEST) tests/properties $(PYTEST_ARGS)
	EMKIT_FUZZ_EXAMPLES=1200 timeout 600 $(FUZZ_PYTEST) fuzz $(PYTEST_ARGS)

clean:
	rm -rf $(VENV) build dist src/*.egg-info emkit-demo.png
	rm -rf docs/_build docs/_generated docs/api docs/auto_examples docs/sg_execution_times.rst
