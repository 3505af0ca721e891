# The two commands a newcomer needs: `make run` and `make test`.
PYTHON ?= $(shell sh scripts/find-python.sh)
VENV ?= .venv
BIN := $(VENV)/bin
MANAGE := $(BIN)/python manage.py
PORT ?= 8000

.DEFAULT_GOAL := help
.PHONY: help install install-test messages makemessages run demo test lint format bench clean assets

help:
	@echo "make run    install, migrate, load demo data, start web + worker + beat (Ctrl-C stops)"
	@echo "make test   install test dependencies and run lint and the whole test suite"
	@echo "make bench  run the benchmarks"

$(BIN)/python:
	@test -n "$(PYTHON)" || (echo "Python 3.12 or newer is required" && exit 1)
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed: $(BIN)/python pyproject.toml
	$(BIN)/pip install --quiet -e .
	@touch $@

$(VENV)/.installed-test: $(VENV)/.installed pyproject.toml
	$(BIN)/pip install --quiet -e '.[test]'
	@touch $@

install: $(VENV)/.installed
install-test: $(VENV)/.installed-test

# Compiled catalogues are built, not committed; Babel needs no system gettext.
# A domain without a catalogue yet is skipped: pybabel refuses to compile nothing.
messages: $(VENV)/.installed
	@for domain in django djangojs; do \
	    if ls locale/*/LC_MESSAGES/$$domain.po >/dev/null 2>&1; then \
	        $(BIN)/pybabel compile --statistics -D $$domain -d locale || exit 1; \
	    fi; \
	done

# Regenerates the .po files from the source (needs GNU gettext: apt-get install gettext).
makemessages: $(VENV)/.installed
	$(MANAGE) makemessages --locale zh_Hans --no-obsolete --ignore '.venv/*' --ignore 'static/*' --ignore 'node_modules/*'
	$(MANAGE) makemessages --locale zh_Hans --domain djangojs --no-obsolete --ignore '.venv/*' --ignore 'static/vendor/*' --ignore 'node_modules/*'

# Without DATABASE_URL the settings start the project's own PostgreSQL under var/postgres;
# scripts/with-database.sh stops it again when the command ends (Ctrl-C included).
WITH_DB := sh scripts/with-database.sh $(BIN)/python

demo: install messages
	@mkdir -p "$${VAR_DIR:-var}"
	$(MANAGE) migrate --noinput
	$(MANAGE) seed_demo

run: install messages
	@mkdir -p "$${VAR_DIR:-var}"
	$(WITH_DB) sh -c '$(MANAGE) migrate --noinput && $(MANAGE) seed_demo && \
		PATH="$(abspath $(BIN)):$$PATH" PORT=$(PORT) DESK_URL=http://127.0.0.1:$(PORT)/ \
		$(BIN)/honcho -f Procfile.dev start'

test: install-test messages
	@mkdir -p "$${VAR_DIR:-var}"
	$(WITH_DB) sh -c '$(BIN)/ruff check . && $(BIN)/ruff format --check . && $(BIN)/mypy && \
		DJANGO_SETTINGS_MODULE=config.settings.test $(MANAGE) makemigrations --check --dry-run && \
		$(BIN)/pytest'

lint: install-test
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: install-test
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

# The generated network's size; BENCH_DATABASE_URL names the server and database (see the
# README's Performance section). The peer is measured when ../shared/bench-peer exists.
BENCH_CASES ?= 1000000
bench: install-test messages
	@command -v wrk >/dev/null || echo "wrk is missing: the peer is not measured (apt-get install -y wrk)"
	BENCH_CASES=$(BENCH_CASES) $(WITH_DB) $(BIN)/python -m bench

# Front-end libraries: pinned in package.json, their built files copied into static/vendor/
# and committed, so that `make run` needs no Node.js. Run after changing package.json.
VENDOR := static/vendor
assets:
	npm install --no-audit --no-fund
	rm -rf $(VENDOR) && mkdir -p $(VENDOR)/bootstrap/css $(VENDOR)/bootstrap/js \
		$(VENDOR)/bootstrap-icons/fonts $(VENDOR)/htmx $(VENDOR)/chart.js
	cp node_modules/bootstrap/dist/css/bootstrap.min.css* $(VENDOR)/bootstrap/css/
	cp node_modules/bootstrap/dist/js/bootstrap.bundle.min.js* $(VENDOR)/bootstrap/js/
	cp node_modules/bootstrap-icons/font/bootstrap-icons.min.css $(VENDOR)/bootstrap-icons/
	cp node_modules/bootstrap-icons/font/fonts/bootstrap-icons.woff* $(VENDOR)/bootstrap-icons/fonts/
	cp node_modules/htmx.org/dist/htmx.min.js $(VENDOR)/htmx/
	cp node_modules/chart.js/dist/chart.umd.min.js* $(VENDOR)/chart.js/
	cp node_modules/bootstrap/LICENSE $(VENDOR)/bootstrap/LICENSE
	cp node_modules/bootstrap-icons/LICENSE $(VENDOR)/bootstrap-icons/LICENSE
	cp node_modules/htmx.org/LICENSE $(VENDOR)/htmx/LICENSE
	cp node_modules/chart.js/LICENSE.md $(VENDOR)/chart.js/LICENSE.md

clean:
	-$(BIN)/python -m config.embedded_postgres stop
	rm -rf $(VENV) var staticfiles
