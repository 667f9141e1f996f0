# Two commands do everything:  make demo  and  make test.  make check is the fast loop while working.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: install demo test check lint types fast-tests bench clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test]'
	touch $(STAMP)

install: $(STAMP)

## Fresh SQLite database, bundled demo data, scores, proposals and documents in out/demo; then a nightly run.
demo: $(STAMP)
	rm -f demo.db demo.db-wal demo.db-shm
	$(BIN)/partnermatch --database-url sqlite:///demo.db --output-dir out/demo demo
	$(BIN)/partnermatch --database-url sqlite:///demo.db --output-dir out/demo nightly --no-mail --log-format text

## The whole test suite, PostgreSQL included when the server is reachable (always in CI).
test: $(STAMP)
	$(BIN)/pytest -q -n 2 --durations=25

## The fast loop while working (under a minute on 2 cores): lint, types, then the unit and property tests.
## It stops at the first step with findings; `make -k check` runs every step.
check: lint types fast-tests

## Lint and code format (ruff), both always run; CI runs it before the tests and fails on any finding.
lint: $(STAMP)
	$(BIN)/ruff check .; status=$$?; $(BIN)/ruff format --check . && exit $$status

## Type check (mypy, incremental through .mypy_cache); CI runs it before the tests and fails on any finding.
types: $(STAMP)
	$(BIN)/mypy

## Unit and property tests: not the integration tests (CLI, HTTP, browser, PostgreSQL end to end) nor the slow ones.
fast-tests: $(STAMP)
	$(BIN)/pytest -q -m "not slow" --ignore=tests/integration

clean:
	rm -rf $(VENV) out demo.db demo.db-wal demo.db-shm .pytest_cache .hypothesis .mypy_cache .ruff_cache
