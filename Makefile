# The two commands: `make demo` and `make test`. Everything else here serves them.
PYTHON ?= python3.11
VENV   := .venv
BIN    := $(VENV)/bin
HOST   ?= 127.0.0.1
PORT   ?= 8000

.PHONY: demo test serve setup setup-dev lint typecheck pytest bench clean

$(VENV)/.runtime: requirements.txt pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --disable-pip-version-check -r requirements.txt
	touch $@

$(VENV)/.dev: $(VENV)/.runtime requirements-dev.txt
	$(BIN)/pip install -q --disable-pip-version-check -r requirements-dev.txt
	touch $@

setup: $(VENV)/.runtime
setup-dev: $(VENV)/.dev

## make demo: install, migrate, load the demo network, serve it on http://127.0.0.1:8000
demo: setup
	OMNIPOINT_DEMO=1 $(BIN)/python manage.py migrate --noinput -v0
	$(BIN)/python manage.py demo_seed
	$(BIN)/python manage.py demo_serve --host $(HOST) --port $(PORT)

## make test: lint, type-check, then the suite on SQLite, and on PostgreSQL when DATABASE_URL is set
## (the two runs side by side, one a core each: the SQLite run's report follows the PostgreSQL one)
test: setup-dev lint typecheck
	@if [ -z "$$DATABASE_URL" ]; then \
		OMNIPOINT_VAR_DIR=var/test-sqlite $(BIN)/pytest && echo "DATABASE_URL not set: PostgreSQL run skipped"; \
	else \
		mkdir -p var; \
		env -u DATABASE_URL OMNIPOINT_VAR_DIR=var/test-sqlite $(BIN)/pytest > var/test-sqlite.log 2>&1 & lite=$$!; \
		echo "== on PostgreSQL (SQLite alongside) =="; \
		OMNIPOINT_SQLITE_ALONGSIDE=1 OMNIPOINT_VAR_DIR=var/test-pg $(BIN)/pytest; pg=$$?; \
		wait $$lite; sqlite=$$?; \
		echo "== on SQLite =="; cat var/test-sqlite.log; \
		test $$pg -eq 0 && test $$sqlite -eq 0; \
	fi

lint: setup-dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	PYTHONPATH=src $(BIN)/lint-imports --no-logo --cache-dir var/import-linter

typecheck: setup-dev
	$(BIN)/mypy src bench

bench: setup-dev
	$(BIN)/python -m bench.run

clean:
	rm -rf var .venv
