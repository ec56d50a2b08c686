# Åldersvänlig bygd: one entry point for running, testing and maintaining the project.
# `make help` lists the targets. `make run` and `make test` work on a fresh Debian machine.

SHELL := /bin/bash
.SHELLFLAGS := -euo pipefail -c
.DEFAULT_GOAL := help
MAKEFLAGS += --no-builtin-rules --no-print-directory

PYTHON ?= python3.11
VENV := .venv
PY := $(VENV)/bin/python
PORT ?= 8000
PYTEST_ARGS ?=

# gettext compiles the translations; pango, harfbuzz and the fonts are what WeasyPrint renders PDFs with.
DEBIAN_RUN_PACKAGES := gettext libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-dejavu-core
# The browser tests drive Debian's Chromium at /usr/bin/chromium; Playwright does not download a browser.
DEBIAN_TEST_PACKAGES := $(DEBIAN_RUN_PACKAGES) chromium

PO_FILES := $(shell find . \( -name .venv -o -name .git -o -name node_modules \) -prune -o -name '*.po' -print)
MO_FILES := $(PO_FILES:.po=.mo)

.PHONY: help run test lint format lock messages translations system-deps system-deps-run ci bench backup restore \
	clean distclean

help:
	@echo "make run        create .venv, install what is missing, migrate, load demo data, serve"
	@echo "                http://127.0.0.1:$(PORT)/ (PORT=8080 make run to change the port)"
	@echo "make test       run the whole test suite (PYTEST_ARGS='-k audit -x' to narrow it)"
	@echo "make lint       ruff check and ruff format --check"
	@echo "make format     apply ruff's fixes and formatting"
	@echo "make lock       regenerate requirements.lock from pyproject.toml (UPGRADE=1 to upgrade pins)"
	@echo "make messages   extract translatable strings into locale/*/LC_MESSAGES/django.po and compile them"
	@echo "make ci         everything CI runs, including the PostgreSQL + Redis pass (.ci/run)"
	@echo "make bench      load bench data on a throwaway PostgreSQL + Redis and write bench/RESULTS.md"
	@echo "make backup     dump the database and uploaded files into one checked archive (BACKUP_DIR)"
	@echo "make restore    restore such an archive (BACKUP=path/to/archive)"
	@echo "make clean      remove caches and collected static files"
	@echo "make distclean  also remove .venv, the demo database and uploaded files"

# The virtual environment is rebuilt from scratch whenever requirements.lock changes, so it always
# holds exactly the locked packages.
$(VENV): requirements.lock
	@command -v $(PYTHON) >/dev/null || { echo "$(PYTHON) is needed (Python 3.11; on Debian: apt-get install python3.11 python3.11-venv)." >&2; exit 1; }
	rm -rf $(VENV)
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --require-hashes -r requirements.lock || { rm -rf $(VENV); exit 1; }
	touch $(VENV)

system-deps:
	@bash scripts/ensure-debian-packages $(DEBIAN_TEST_PACKAGES)

system-deps-run:
	@bash scripts/ensure-debian-packages $(DEBIAN_RUN_PACKAGES)

translations: $(MO_FILES)

%.mo: %.po | system-deps-run
	msgfmt --check-format -o $@ $<

run: $(VENV) system-deps-run translations
	$(PY) manage.py migrate --noinput
	$(PY) manage.py seed_demo
	@echo
	@echo "Serving http://127.0.0.1:$(PORT)/ (e-mails are printed below; stop with Ctrl+C)"
	exec $(PY) manage.py runserver 127.0.0.1:$(PORT)

test: $(VENV) system-deps translations
	$(PY) -m pytest $(PYTEST_ARGS)

lint: $(VENV)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

format: $(VENV)
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

# uv keeps the pins already in the output file unless asked to upgrade, so the lock is compiled into a
# copy of itself and only replaced when something changed (an unchanged lock keeps .venv as it is).
lock: $(VENV)
	test -x $(VENV)/bin/uv || $(PY) -m pip install uv
	cp requirements.lock $(VENV)/requirements.lock.new
	$(VENV)/bin/uv pip compile pyproject.toml --extra dev --generate-hashes --python-version 3.11 \
		--no-header --quiet $(if $(UPGRADE),--upgrade) -o $(VENV)/requirements.lock.new
	if cmp -s $(VENV)/requirements.lock.new requirements.lock; then \
		echo "requirements.lock is unchanged"; rm $(VENV)/requirements.lock.new; \
	else \
		mv $(VENV)/requirements.lock.new requirements.lock; touch requirements.lock; \
		echo "requirements.lock updated; the next make run or make test rebuilds .venv"; \
	fi

messages: $(VENV) system-deps-run
	mkdir -p locale
	$(PY) manage.py makemessages --locale sv --locale en --add-location file \
		--ignore staticfiles --ignore media --ignore private-media --ignore node_modules --ignore test-artifacts
	$(PY) manage.py compilemessages --ignore .venv --ignore node_modules

ci:
	bash .ci/run

# BENCH_ARGS='--quick --scale 0.1' for a smoke run; bench/run.py --help lists the options.
bench: $(VENV) system-deps-run translations
	$(PY) bench/run.py $(BENCH_ARGS)

backup: $(VENV)
	bash scripts/backup $(BACKUP_ARGS)

restore: $(VENV)
	bash scripts/restore $(BACKUP)

clean:
	rm -rf staticfiles .pytest_cache .ruff_cache test-artifacts
	find . -name .venv -prune -o -name __pycache__ -type d -prune -exec rm -rf {} +

distclean: clean
	rm -rf $(VENV) db.sqlite3 db.sqlite3-journal db.sqlite3-wal db.sqlite3-shm media private-media
