# Two entry points: `make demo` (set up and run the flagship exercise) and `make test`.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin

.PHONY: setup llm-local demo test lint typecheck golden clean

# llama-cpp-python builds from source (~6-20 min on 2 cores); its wheel is kept outside
# the clone so a machine builds it once. GGML_NATIVE=OFF: the native build dies with
# SIGILL on CPUs without the build host's instruction set.
WHEELS ?= $(HOME)/.cache/whitecell/wheels
LLAMA_VERSION := 0.3.36

$(BIN)/whitecell: pyproject.toml
	$(PY) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e '.[dev]'
	touch $(BIN)/whitecell

setup: $(BIN)/whitecell

llm-local: setup
	@mkdir -p $(WHEELS)
	@ls $(WHEELS)/llama_cpp_python-$(LLAMA_VERSION)-*.whl >/dev/null 2>&1 || \
	  CMAKE_ARGS="-DGGML_NATIVE=OFF" $(BIN)/pip wheel -q --no-deps \
	    llama-cpp-python==$(LLAMA_VERSION) -w $(WHEELS)
	$(BIN)/pip install -q --find-links $(WHEELS) -e '.[dev,llm-local]'

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
