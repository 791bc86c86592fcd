# Two commands set up everything on a fresh machine: `make demo` and `make test`.
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-stamp
PYTHON ?= python3

.PHONY: demo test lint unit postgres-tests serve clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --disable-pip-version-check -e '.[dev]'
	touch $(STAMP)

demo: $(STAMP)
	$(BIN)/ember demo

serve: $(STAMP)
	$(BIN)/ember serve

test: $(STAMP) lint unit postgres-tests

lint: $(STAMP)
	$(BIN)/ruff check src tests bench
	$(BIN)/mypy

unit: $(STAMP)
	$(BIN)/python -m pytest -n 2 --dist loadfile -q

# The database tests again on PostgreSQL when a test database is given.
postgres-tests: $(STAMP)
	@if [ -n "$$EMBER_TEST_DATABASE_URL" ]; then \
		echo "Database tests on PostgreSQL"; \
		EMBER_TEST_BACKEND=postgres $(BIN)/python -m pytest -m db -q; \
	else \
		echo "EMBER_TEST_DATABASE_URL is not set: PostgreSQL pass skipped"; \
	fi

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
