# ntm — the two commands: `make run` and `make test` (see README.md).
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
EN_PO := src/ntm/locale/en/LC_MESSAGES/django.po

.PHONY: run test lint typecheck audit pytest pytest-postgres bench clean messages

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
	$(BIN)/lint-imports

typecheck: $(STAMP)
	$(BIN)/mypy

# Browser tests (marker `browser`) drive Debian's Chromium; without it they are skipped, and
# said so here. They run in both passes: on PostgreSQL the live server's own connections and
# the workflow's row locks behave differently than on SQLite, for some 15 s more.
pytest: $(STAMP)
	@chromium="$${NTM_CHROMIUM:-/usr/bin/chromium}"; test -x "$$chromium" || \
	  echo "== Browser tests skipped: $$chromium is missing (apt-get install chromium; .ci/run installs it)"
	$(BIN)/pytest -q

# Django tests again on PostgreSQL when NTM_TEST_POSTGRES (or DATABASE_URL) names one: all but
# the pure tests and those marked `once` (the backend plays no part in them).
pytest-postgres: $(STAMP)
	@url="$${NTM_TEST_POSTGRES:-$$DATABASE_URL}"; \
	if [ -n "$$url" ]; then \
	  echo "== Django tests on PostgreSQL"; \
	  test -x "$${NTM_CHROMIUM:-/usr/bin/chromium}" || echo "== Browser tests skipped (no Chromium)"; \
	  DATABASE_URL="$$url" $(BIN)/pytest -q -m "not pure and not once"; \
	else \
	  echo "== PostgreSQL tests skipped: set NTM_TEST_POSTGRES=postgresql://user@host:5432/db to run them"; \
	fi

# Known vulnerabilities of the installed, pinned dependencies (pip-audit), when its source --
# PyPI's JSON API for a pinned release -- answers; skipped, and said so, where it does not (no
# network, or a registry mirror without that API).
audit: $(STAMP)
	@if $(BIN)/python -c "import django, urllib.request as r; r.urlopen(f'https://pypi.org/pypi/Django/{django.__version__}/json', timeout=10)" >/dev/null 2>&1; then \
	  echo "== pip-audit"; $(BIN)/pip-audit --skip-editable --progress-spinner off; \
	else \
	  echo "== pip-audit skipped: its vulnerability source (https://pypi.org/pypi/<package>/<version>/json) does not answer here"; \
	fi

# The two passes run side by side (one per core); each prints its output when it ends.
test: lint typecheck audit
	$(MAKE) --no-print-directory -j2 --output-sync=target pytest pytest-postgres

# Interface translations: extract every marked string of src/ntm into the vi and en catalogues
# (src/ntm/locale), fill English from the English source strings, and compile the .mo files.
# The compiled .mo files are committed, so `make run` needs no gettext tools; after adding
# strings, run this, translate the new empty Vietnamese entries, and run it again.
messages: $(STAMP)
	cd src/ntm && DJANGO_SETTINGS_MODULE=ntm.settings ../../$(BIN)/django-admin makemessages \
	  --locale vi --locale en --no-obsolete --no-location --no-wrap --ignore 'tests/*'
	@# English is its own msgid: empty every entry, fill it from the msgid, drop fuzzy marks.
	msgfilter --keep-header --no-wrap -i $(EN_PO) -o $(EN_PO) sed -e d
	msgen --no-wrap -o $(EN_PO) $(EN_PO)
	msgattrib --no-wrap --clear-fuzzy --clear-previous -o $(EN_PO) $(EN_PO)
	cd src/ntm && DJANGO_SETTINGS_MODULE=ntm.settings ../../$(BIN)/django-admin compilemessages

bench: $(STAMP)
	$(BIN)/python benchmarks/evaluate.py
	$(BIN)/python benchmarks/reports.py

clean:
	rm -rf $(VENV) var/*.sqlite3*
