# The two commands of the README. Both create ./.venv (Python 3.11) on first use and
# install skillgap with every dependency declared in pyproject.toml.
PYTHON ?= python3.11
VENV ?= .venv
BIN := $(VENV)/bin
export HF_HUB_OFFLINE := 1
export TRANSFORMERS_OFFLINE := 1

.PHONY: setup demo test test-slow browser lint typecheck wheel clean

setup: $(VENV)/.installed

$(VENV)/.installed: pyproject.toml
	@command -v $(PYTHON) >/dev/null || { echo "error: $(PYTHON) not found; set PYTHON=/path/to/python3.11"; exit 1; }
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $@

## Set up, then run the main job on the embedded demo data (and the embedded ESCO taxonomy).
demo: setup
	$(BIN)/skillgap demo

## Set up, then run the test suite (slow-marked tests excluded; `make test-slow` runs them).
test: setup browser
	$(BIN)/python -m pytest

## Headless Chromium for the report-rendering test (Debian package; skipped where apt is absent
## or we are not root: that test then skips with its reason).
browser:
	@if command -v chromium >/dev/null 2>&1; then :; \
	elif [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	  echo "installing Debian chromium for the report-rendering test"; \
	  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null) \
	  || echo "warning: could not install chromium; the rendering test will skip"; \
	else echo "note: chromium not installed; the rendering test will skip"; fi

test-slow: setup
	$(BIN)/python -m pytest -m slow

# The layer folders at the root, then the package core (skillgap/) and the rest.
SRC := taxonomies nlp ingest store gaps reports demo flows cli skillgap tests benchmarks scripts

lint: setup
	$(BIN)/ruff check $(SRC)
	$(BIN)/ruff format --check $(SRC)

## mypy over the whole package, on a symlink view of the layer folders (scripts/typecheck.py).
typecheck: setup
	$(BIN)/python scripts/typecheck.py

## Build the wheel into dist/ (the layer folders land inside skillgap/).
wheel: setup
	$(BIN)/python -m pip wheel --no-deps --no-build-isolation -w dist .

clean:
	rm -rf $(VENV) build dist *.egg-info .pytest_cache .ruff_cache .mypy_cache
