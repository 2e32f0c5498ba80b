# xiaotu — `make run` to try it, `make test` to check it. Both set everything up on a fresh machine.
# The project targets Python 3.11: python3.11, or python3 where that is 3.11 (as on Debian 12).
ifeq ($(origin PYTHON), undefined)
PYTHON := $(shell for p in python3.11 python3; do command -v $$p >/dev/null 2>&1 \
	&& $$p -c 'import sys; sys.exit(sys.version_info[:2] != (3, 11))' 2>/dev/null && command -v $$p && break; done)
endif
VENV := .venv
BIN := $(VENV)/bin
export XIAOTU_DATA_DIR ?= $(CURDIR)/var
PG_TEST_URL ?= postgres://postgres@127.0.0.1:5432/postgres

.PHONY: run install dev test lint typecheck test-sqlite test-postgres system-deps messages clean

$(BIN)/.installed: pyproject.toml
	@test -n "$(PYTHON)" || { echo "Python 3.11 is needed: install python3.11 (Debian 12: python3)" >&2; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e .
	touch $@

$(BIN)/.installed-dev: $(BIN)/.installed pyproject.toml
	$(BIN)/pip install -q -e '.[dev]'
	touch $@

install: $(BIN)/.installed

dev: $(BIN)/.installed-dev

## run: install, migrate, load the demo school if the database is empty, and serve on http://127.0.0.1:8000
run: install
	$(BIN)/xiaotu migrate --noinput
	$(BIN)/xiaotu demo --if-empty
	$(BIN)/xiaotu serve --host 127.0.0.1 --port 8000

## test: lint, type check, and the whole suite on SQLite and on PostgreSQL
test: dev system-deps lint typecheck test-sqlite test-postgres

system-deps:
	@scripts/system-deps

lint:
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck:
	$(BIN)/mypy xiaotu conftest.py

test-sqlite:
	XIAOTU_DATA_DIR=$(CURDIR)/var/test-sqlite $(BIN)/xiaotu makemigrations --check --dry-run
	XIAOTU_DATA_DIR=$(CURDIR)/var/test-sqlite $(BIN)/pytest

test-postgres:
	@scripts/postgres-ready "$(PG_TEST_URL)"
	XIAOTU_DATA_DIR=$(CURDIR)/var/test-postgres DATABASE_URL=$(PG_TEST_URL) $(BIN)/pytest -m "not browser"

## messages: rebuild the English translation catalogue after changing user text
messages: dev
	cd xiaotu && ../$(BIN)/xiaotu makemessages -l en --no-obsolete && ../$(BIN)/xiaotu compilemessages -l en

clean:
	rm -rf $(VENV) var/test-sqlite var/test-postgres
