# chwlink: `make run` for the demo, `make test` for the tests.
PYTHON ?= python3.11
VENV ?= .venv
PY := $(VENV)/bin/python
MEDPLUM := tests/medplum/node_modules/.installed
HOST ?= 127.0.0.1
PORT ?= 8000
# The address in the printed sign-in link and in e-mails' links.
SITE_URL ?= http://$(HOST):$(PORT)

.PHONY: run test lint format messages stop worker clean mutate bench bench-run

$(VENV)/.installed: requirements.txt requirements-dev.txt
	@command -v $(PYTHON) >/dev/null || { echo "$(PYTHON) is needed"; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements-dev.txt
	touch $@

## Set up and run the demo at http://$(HOST):$(PORT)/ (Ctrl-C stops it);
## e.g. make run PORT=8001.
run: export SITE_URL := $(SITE_URL)
run: $(VENV)/.installed
	$(PY) manage.py migrate --noinput
	$(PY) manage.py seed_demo
	@echo "Starting the Celery worker and beat (reminders, e-mail) in the background..."
	@$(VENV)/bin/celery -A chwlink worker --beat --pool=solo --queues=celery,reports \
		--loglevel=WARNING \
		--schedule=var/celerybeat-schedule & worker=$$!; \
	trap "kill $$worker 2>/dev/null" EXIT INT TERM; \
	$(PY) manage.py runserver $(HOST):$(PORT)

## Run the whole test suite (embedded PostgreSQL unless DATABASE_URL is set).
test: $(VENV)/.installed $(MEDPLUM)
	$(PY) -m pytest

# A third-party FHIR server (Medplum's router) for the light client's tests, from
# the npm registry by its lock file; without Node those tests skip (fail in CI).
$(MEDPLUM): tests/medplum/package-lock.json
	@if command -v npm >/dev/null; then \
		npm ci --prefix tests/medplum --no-audit --no-fund --loglevel=error && touch $@; \
	else echo "npm not found: the tests against a third-party FHIR server will skip"; fi

## Mutation-test one module: make mutate MODULE=partners/statements/earnings.py [TESTS="..."]
## AGAIN=1 re-runs only the survivors of the last run (after adding tests);
## ONLY='*x_funnel*' mutates only the functions whose mutant names match.
## (mutmut's progress spinner is dropped from the output; the summary comes last)
mutate: $(VENV)/.installed
	@test -n "$(MODULE)" || { echo "usage: make mutate MODULE=path/to/module.py"; exit 2; }
	@$(PY) scripts/mutate.py $(MODULE) $(TESTS) $(if $(AGAIN),--again) $(if $(ONLY),--only '$(ONLY)') 2>&1 | tr '\r' '\n' | grep -Ev '^[⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏]|^ *$$'

## The performance benchmark (never part of `make test`): load SCALE referrals into
## BENCH_DATABASE_URL (wiping it), then measure every page; bench-run only measures.
## REPEAT=5 runs per page, ONLY='dashboard' a subset, JSON=file saves the results.
BENCH_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/chwlink_bench
SCALE ?= 20000
REPEAT ?= 5
# Measured as served in production: without DEBUG's query log and template checks.
BENCH_ENV := DATABASE_URL=$(BENCH_DATABASE_URL) DJANGO_SETTINGS_MODULE=chwlink.settings DJANGO_DEBUG=false

bench: $(VENV)/.installed
	$(BENCH_ENV) $(PY) -m bench.generate --referrals $(SCALE) $(if $(FORCE),--force)
	$(MAKE) bench-run

bench-run: $(VENV)/.installed
	$(BENCH_ENV) $(PY) -m bench.run --repeat $(REPEAT) $(if $(ONLY),--only '$(ONLY)') $(if $(JSON),--json $(JSON))

lint: $(VENV)/.installed
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/lint-imports --no-cache

format: $(VENV)/.installed
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

## Refresh the translation catalogues after changing user-facing strings.
messages: $(VENV)/.installed
	$(PY) manage.py makemessages --locale es --ignore '.venv/*' --ignore 'var/*' --ignore 'mutants/*' --no-obsolete
	$(PY) manage.py makemessages --locale es --domain djangojs --ignore '.venv/*' --ignore 'mutants/*' --ignore 'staticfiles/*' --ignore 'static/vendor/*'
	$(PY) manage.py compilemessages --ignore '.venv/*' --ignore 'mutants/*'

## Stop the embedded PostgreSQL started by `make run` or `make test`.
stop:
	$(PY) -c "from pathlib import Path; from chwlink.lib import embedded_db; embedded_db.stop(Path('var'))"

clean: stop
	rm -rf var
