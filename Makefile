# Three Notebooks: `make run` to try it, `make test` to check it.
SHELL := /bin/bash
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run test serve venv setup lint bench gunicorn-args two-servers backup

venv: $(STAMP)

# Reinstall only when the requirements change.
$(STAMP): requirements.txt requirements-dev.txt
	@command -v $(PYTHON) >/dev/null 2>&1 || { echo "$(PYTHON) not found: install Python 3.11 or run make PYTHON=python3"; exit 1; }
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements-dev.txt
	touch $(STAMP)

# Migrate, load the study edition and the motif catalogue (both idempotent),
# and the demo accounts.
setup: venv
	DJANGO_DEBUG=true $(BIN)/python manage.py migrate --noinput
	DJANGO_DEBUG=true $(BIN)/python manage.py load_edition content/study-edition
	DJANGO_DEBUG=true $(BIN)/python manage.py load_motifs content/motifs
	DJANGO_DEBUG=true $(BIN)/python manage.py create_demo_accounts

# Mail (notifications, password resets) is printed on this console, its links
# to this server. Without a worker beside runserver, mail is sent by the
# request itself, after its commit (THREE_NOTEBOOKS_TASKS_BACKEND=immediate);
# `make serve` queues it for `manage.py db_worker`.
run: setup
	@echo "Serving http://$(HOST):$(PORT)/  (Ctrl-C stops; mail is printed here)"
	DJANGO_DEBUG=true THREE_NOTEBOOKS_TASKS_BACKEND=$${THREE_NOTEBOOKS_TASKS_BACKEND:-immediate} \
	  THREE_NOTEBOOKS_SITE_URL=$${THREE_NOTEBOOKS_SITE_URL:-http://$(HOST):$(PORT)} \
	  $(BIN)/python manage.py runserver $(HOST):$(PORT)

test: venv
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/python manage.py makemigrations --check --dry-run
	$(BIN)/pytest

# How gunicorn serves the site, shared by `make serve` and `make bench`
# (bench/server.py asks `make gunicorn-args`), so the benchmark measures
# what is deployed.
GUNICORN_ARGS := config.wsgi --workers 3 --access-logfile -

# Production-like: debug off, hashed static files, gunicorn. Needs
# DJANGO_SECRET_KEY (and DATABASE_URL for PostgreSQL). HTTPS only by
# default (redirect, HSTS): behind a TLS proxy set DJANGO_BEHIND_TLS_PROXY=true;
# plain http on your own machine: DJANGO_SECURE_SSL_REDIRECT=false
# DJANGO_SECURE_HSTS_SECONDS=0.
#
# One machine: SQLite in var/ will do (`make backup` copies it while it runs).
# Several app servers (the scale-out path, checked by `make two-servers`):
# every one runs `make serve` with the same environment:
#   DATABASE_URL=postgres://user:password@db.internal:5432/notebooks
#                   (one PostgreSQL: notes, sessions, accounts)
#   REDIS_URL=redis://cache.internal:6379/0
#                   (one Redis: the passage and page caches, and the content
#                    generation that makes cached pages new on every server)
#   DJANGO_SECRET_KEY=<the same on every server: sessions and CSRF>
#   DJANGO_MEDIA_ROOT=/srv/three-notebooks/media
#                   (a folder every server mounts: uploads wait there between
#                    an import's preview and its confirmation)
# behind a reverse proxy that spreads requests over them (docs/DEPLOYMENT.md).
serve: venv
	DJANGO_DEBUG=false $(BIN)/python manage.py migrate --noinput
	DJANGO_DEBUG=false $(BIN)/python manage.py collectstatic --noinput --verbosity 0
	DJANGO_DEBUG=false $(BIN)/gunicorn $(GUNICORN_ARGS) --bind $(HOST):$(PORT)

# Two gunicorn servers over one fresh PostgreSQL database and one Redis: a
# note, a revision, an upload and (when configured) the login throttle, seen
# from both (deploy/two_servers.py; CI runs it after the PostgreSQL pass).
two-servers: venv
	$(BIN)/python deploy/two_servers.py

# A consistent copy of the database in var/backups (SQLite: while the site
# runs; PostgreSQL: pg_dump). `manage.py restore FILE --yes` puts one back.
backup: venv
	$(BIN)/python manage.py backup

gunicorn-args:
	@echo '$(GUNICORN_ARGS)'

lint: venv
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

# Benchmarks (not part of the test suite): medians, printed. The server
# benchmark serves the site with gunicorn as `serve` does (BENCH_QUICK=1 for
# a short run; see bench/server.py for its knobs). Then the browser
# (skipped, saying why, without chromium) and the exports.
bench: venv
	$(BIN)/python bench/server.py
	$(BIN)/python bench/reanchor.py
	$(BIN)/python bench/browser.py
	$(BIN)/python bench/exports.py
