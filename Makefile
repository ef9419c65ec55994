# bascule: two commands on a fresh machine. `make demo` runs the main job on the embedded
# default (SQLite, local folders); `make test` installs what the tests need and runs them all.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-$(shell cksum < pyproject.toml | cut -d' ' -f1)

.PHONY: demo test lint bench clean

$(STAMP): pyproject.toml
	scripts/install-system-packages.sh scripts/build-packages.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	rm -f $(VENV)/.installed-* && touch $@

demo: $(STAMP)
	@scripts/demo.sh

test: $(STAMP)
	scripts/install-system-packages.sh
	$(BIN)/ruff check src tests benchmarks
	$(BIN)/lint-imports
	$(BIN)/mypy
	$(BIN)/pytest

bench: $(STAMP)
	$(BIN)/python benchmarks/read.py

clean:
	rm -rf $(VENV) bascule-data .pytest_cache .ruff_cache .hypothesis
