# Catalog: `make run` starts the app on http://localhost:3000; `make test` runs the whole suite.
SHELL := /bin/bash
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

export PATH := $(CURDIR)/$(VENV)/bin:$(PATH)
export REFLEX_USE_NPM := 1
export REFLEX_CHECK_LATEST_VERSION := 0
export PYTHONPATH := $(CURDIR)

.PHONY: run test lint format check-migrations install services browser clean firebase-tools

$(STAMP): requirements.txt
	test -x $(PY) || python3 -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements.txt
	touch $(STAMP)

install: $(STAMP)

# The local demo answers sync tasks from the YouTube API simulator when no credentials are set.
run: export YOUTUBE_SIMULATOR ?= true
run: $(STAMP)
	$(PY) -m catalog_ui run

# Local PostgreSQL and Redis (started when they are not answering) and Chromium for Playwright.
services:
	@pg_isready -q -h 127.0.0.1 -p 5432 || pg_ctlcluster --skip-systemctl-redirect $$(ls /etc/postgresql) main start
	@redis-cli -h 127.0.0.1 -p 6379 ping >/dev/null 2>&1 || redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save "" --appendonly no

browser:
	@test -x /usr/bin/chromium || (apt-get update -qq && apt-get install -y -qq chromium >/dev/null)

# firebase-tools (npm) for the Firebase Auth emulator the tests start and stop; git-ignored.
FIREBASE_TOOLS := .tools/firebase/node_modules/.bin/firebase
$(FIREBASE_TOOLS):
	npm install --no-audit --no-fund --loglevel=error --prefix .tools/firebase firebase-tools@15.34.2

firebase-tools: $(FIREBASE_TOOLS)

test: $(STAMP) services browser $(FIREBASE_TOOLS)
	$(PY) -m ruff check .
	$(PY) -m pytest tests/unit tests/integration -q
	$(PY) -m pytest tests/e2e -q

lint: $(STAMP)
	$(PY) -m ruff check .
	$(PY) -m ruff format --check .

format: $(STAMP)
	$(PY) -m ruff format .
	$(PY) -m ruff check --fix .

clean:
	rm -rf .web .states
