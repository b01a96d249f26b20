# Two entry points: `make demo` (set up and run the flagship exercise) and `make test`.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin

.PHONY: setup demo test lint typecheck golden clean

$(BIN)/whitecell: pyproject.toml
	$(PY) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e '.[dev]'
	touch $(BIN)/whitecell

setup: $(BIN)/whitecell

demo: setup
	$(BIN)/whitecell run taiwan-strait-crisis --seed 7 --report reports/demo-taiwan.html

lint: setup
	$(BIN)/ruff check src tests scripts benchmarks
	$(BIN)/mypy

test: setup lint
	$(BIN)/pytest

golden: setup
	$(BIN)/python scripts/regen_playthroughs.py

clean:
	rm -rf $(VENV) build *.egg-info reports
