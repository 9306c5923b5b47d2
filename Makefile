# DSRS developer commands. `make run` and `make test` are the two the README starts with.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin

.PHONY: install run test test-fast lint infra-up infra-down bench clean

install: $(VENV)/.installed

$(VENV)/.installed: requirements.txt requirements-data.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -r requirements.txt
	$(BIN)/pip install --quiet --no-deps -r requirements-data.txt
	touch $@

# The embedded default: SQLite, the local event transport, no external server.
run: install
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py ensure_superuser --username admin --password admin
	$(BIN)/python manage.py seed_households --count 50 --if-empty
	scripts/dashboard-assets
	scripts/run-embedded

# The whole suite, real infrastructure included (PostgreSQL, Kafka, MongoDB-wire server, Redis).
test: install
	scripts/test

# The suite without the tests that need real servers, on SQLite (quick feedback while coding).
test-fast: install
	$(BIN)/lint-imports
	$(BIN)/pytest -m "not kafka and not postgres" -q

lint: install
	$(BIN)/lint-imports
	$(BIN)/python manage.py makemigrations --check --dry-run

infra-up:
	scripts/infra up

infra-down:
	scripts/infra down

# End-to-end throughput and latency on the real servers (see README, Benchmark).
HOUSEHOLDS ?= 20000
bench: install
	scripts/infra up
	eval "$$(scripts/infra env)" && $(BIN)/python manage.py migrate --noinput && \
	  $(BIN)/python manage.py bench_saga --households $(HOUSEHOLDS) --transport kafka --fresh-database

clean:
	rm -rf $(VENV) db.sqlite3* test-db.sqlite3* .celery
