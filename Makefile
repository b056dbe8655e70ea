# Xinfeng: `make run` serves the platform with demo data; `make test` runs every test.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8000
LOCK := requirements.lock
STAMP := $(VENV)/.lock-$(shell sha1sum $(LOCK) 2>/dev/null | cut -c1-12)

.PHONY: run test lint bench setup install migrate messages catalog demo worker clean

$(STAMP): $(LOCK)
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --disable-pip-version-check -r $(LOCK)
	@rm -f $(VENV)/.lock-* && touch $(STAMP)

install: $(STAMP)

messages: install
	@$(BIN)/python manage.py compile_catalogs

# Refresh the project catalog (core, places, accounts, demo, xinfeng/templates) after
# changing strings there; the other apps keep their own catalogs in xinfeng/<app>/locale.
OWN_CATALOG_APPS := volunteers projects orders activities insights open311 emergency surveys notifications assessment kiosk sync governance workplans
catalog: install
	$(BIN)/python manage.py makemessages -l en $(foreach a,$(OWN_CATALOG_APPS),--ignore=xinfeng/$(a)) \
	  --ignore=.venv --ignore=tests --ignore=bench

migrate: install
	@$(BIN)/python manage.py migrate --noinput -v0

setup: install messages migrate

demo: setup
	@$(BIN)/python manage.py seed_demo --if-empty

run: demo
	@$(BIN)/python manage.py demo_accounts
	@PORT=$(PORT) BIN=$(BIN) ./scripts/serve.sh

worker: setup
	$(BIN)/python manage.py worker

# Prints the suite's wall time last ("make test: N s"); PYTEST_ARGS passes options through.
# Runs in parallel, one pytest-xdist worker per core (TEST_WORKERS=0: serial); the
# demo-city tests form one group on one worker (tests/conftest.py), and a run that reports
# fewer tests than it collected fails (tests/conftest.py).
TEST_WORKERS ?= $(shell nproc 2>/dev/null || echo 2)
test: setup
	@start=$$(date +%s); \
	  $(BIN)/python -m pytest -rs -n $(TEST_WORKERS) --dist loadgroup $(PYTEST_ARGS); rc=$$?; \
	  echo "make test: $$(( $$(date +%s) - start )) s"; \
	  if [ $$rc -eq 5 ]; then echo "pytest: no tests collected"; exit 0; fi; exit $$rc

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports
	$(BIN)/mypy
	$(BIN)/python manage.py makemigrations --check --dry-run

bench: setup
	@for b in bench/bench_*.py; do [ -e "$$b" ] || continue; $(BIN)/python $$b || exit 1; done

clean:
	rm -rf $(VENV) var static_root
