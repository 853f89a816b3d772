# jpoa: `make run` serves the site with the default data; `make test` runs the checks.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
export JPOA_DATA_DIR ?= $(CURDIR)/var
HOST ?= 127.0.0.1
PORT ?= 8000
# Test processes (pytest-xdist): one per core by default; more pytest options in PYTEST_ARGS.
TEST_WORKERS ?= auto
PYTEST_ARGS ?=

.PHONY: run demo test drills lint format messages clean

run: $(VENV)/.run-deps
	$(BIN)/jpoa init
	$(BIN)/jpoa serve --host $(HOST) --port $(PORT)

# The invented demonstration data set, in a database of its own (var/demo), then the site.
demo: $(VENV)/.run-deps
	JPOA_DATA_DIR=$(CURDIR)/var/demo $(BIN)/jpoa init
	JPOA_DATA_DIR=$(CURDIR)/var/demo $(BIN)/jpoa demo
	JPOA_DATA_DIR=$(CURDIR)/var/demo $(BIN)/jpoa serve --host $(HOST) --port $(PORT)

test: $(VENV)/.test-deps
	$(BIN)/ruff check jpoa tests
	$(BIN)/ruff format --check jpoa tests
	$(BIN)/lint-imports --no-logo
	$(BIN)/python -m django makemigrations --check --dry-run --settings=jpoa.settings
	$(BIN)/pytest -n $(TEST_WORKERS) --dist loadgroup --durations=25 $(PYTEST_ARGS)

# The long drills (kills, concurrent editors, backups under load, the end-to-end
# benchmark), which `make test` leaves out; CI runs them too.
drills: $(VENV)/.test-deps
	$(BIN)/pytest -n $(TEST_WORKERS) --dist loadgroup --drills -m drill --durations=15 $(PYTEST_ARGS)

lint: $(VENV)/.test-deps
	$(BIN)/ruff check jpoa tests

format: $(VENV)/.test-deps
	$(BIN)/ruff format jpoa tests
	$(BIN)/ruff check --fix jpoa tests

# Refresh the Russian catalogue from the code, then compile it (needs GNU gettext).
messages: $(VENV)/.test-deps
	cd jpoa && ../$(BIN)/python -m django makemessages -l ru --settings=jpoa.settings --ignore '*/migrations/*'
	cd jpoa && ../$(BIN)/python -m django compilemessages -l ru --settings=jpoa.settings

$(VENV)/.created:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	touch $@

$(VENV)/.run-deps: pyproject.toml $(VENV)/.created
	$(BIN)/pip install -q -e '.[postgres]'
	touch $@

$(VENV)/.test-deps: pyproject.toml $(VENV)/.created
	$(BIN)/pip install -q -e '.[test]'
	touch $@ $(VENV)/.run-deps

clean:
	rm -rf $(VENV) build *.egg-info .pytest_cache .ruff_cache
