# Two commands do everything:  make demo  and  make test.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: install demo test bench clean

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
	$(BIN)/pytest -q

clean:
	rm -rf $(VENV) out demo.db demo.db-wal demo.db-shm .pytest_cache .hypothesis
