# ntm — the two commands: `make run` and `make test` (see README.md).
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test lint typecheck pytest pytest-postgres bench clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PY) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

run: $(STAMP)
	$(BIN)/ntm run

lint: $(STAMP)
	$(BIN)/ruff check src benchmarks
	$(BIN)/ruff format --check src benchmarks

typecheck: $(STAMP)
	$(BIN)/mypy

pytest: $(STAMP)
	$(BIN)/pytest -q

# Django tests again on PostgreSQL when NTM_TEST_POSTGRES (or DATABASE_URL) names one.
pytest-postgres: $(STAMP)
	@url="$${NTM_TEST_POSTGRES:-$$DATABASE_URL}"; \
	if [ -n "$$url" ]; then \
	  echo "== Django tests on PostgreSQL"; \
	  DATABASE_URL="$$url" $(BIN)/pytest -q -m "not pure"; \
	else \
	  echo "== PostgreSQL tests skipped: set NTM_TEST_POSTGRES=postgresql://user@host:5432/db to run them"; \
	fi

test: lint typecheck pytest pytest-postgres

bench: $(STAMP)
	$(BIN)/python benchmarks/evaluate.py

clean:
	rm -rf $(VENV) var/*.sqlite3*
