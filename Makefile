# Mall Console. `make run`: set up, migrate, seed the demo world if the database is empty, serve.
#               `make test`: set up and run the test suite (TEST_DATABASE_URL for PostgreSQL).
PYTHON ?= python3.11
VENV   ?= .venv
BIN     = $(VENV)/bin
HOST   ?= 127.0.0.1
PORT   ?= 5000
export FLASK_APP = wsgi

.PHONY: run serve setup test test-pg lint format bench clean mutation

$(BIN)/flask: pyproject.toml requirements.lock
	@command -v $(PYTHON) >/dev/null || { echo "Python 3.11 is needed ($(PYTHON) not found)"; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -c requirements.lock -e '.[dev]'
	@touch $(BIN)/flask

setup: $(BIN)/flask

run: setup
	$(BIN)/flask db upgrade
	HOST=$(HOST) PORT=$(PORT) $(BIN)/flask seed-demo --if-empty
	$(BIN)/flask run --host $(HOST) --port $(PORT)

# The production server on this machine: gunicorn with gunicorn.conf.py and the production
# config (needs SECRET_KEY and TRUSTED_HOSTS in the environment; README "Deploying").
.PHONY: serve-prod
serve-prod: setup
	MALLCONSOLE_CONFIG=production $(BIN)/flask db upgrade
	MALLCONSOLE_CONFIG=production $(BIN)/gunicorn --bind $(HOST):$(PORT) wsgi:app

test: setup
	$(BIN)/python -m pytest -n auto --dist loadgroup -p no:cacheprovider $(PYTEST_ARGS)

test-pg: setup
	TEST_DATABASE_URL=$${TEST_DATABASE_URL:-postgresql+psycopg://postgres@127.0.0.1:5432/mallconsole_test} \
		$(BIN)/python -m pytest -n auto --dist loadgroup -p no:cacheprovider $(PYTEST_ARGS)

# Mutation testing of the core and money modules ([tool.mutmut] in pyproject.toml); `mutants/`
# is scratch. The whole run is some 8,000 mutants (hours on two cores): MUTANTS narrows it to
# one module or function, e.g. MUTANTS='mallconsole.services.money.payouts.*'; one child by
# default, so that others can still run tests (MUTATION_CHILDREN=2 on an idle machine). Each
# mutant's test session copies the migrated SQLite schema instead of migrating
# (TEST_SCHEMA_CACHE, tests/databases.py).
MUTANTS ?=
MUTATION_CHILDREN ?= 1
mutation: setup
	TEST_SCHEMA_CACHE=1 $(BIN)/mutmut run --max-children $(MUTATION_CHILDREN) $(MUTANTS)
	$(BIN)/mutmut results

lint: setup
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: setup
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

clean:
	rm -rf $(VENV) instance .pytest_cache .ruff_cache

# bench/README.md: the pages under load over a PostgreSQL demo world.
BENCH_ARGS ?= --scale 10 --cases 1000000
bench: setup
	$(BIN)/python bench/harness.py $(BENCH_ARGS)
