# Day-to-day commands (CONTRIBUTING.md). Every target uses the venv made by `make install`.
VENV ?= .venv
PY := $(VENV)/bin/python
PG_URL ?= postgresql+asyncpg://postgres@127.0.0.1:5432/test
CODE := app migrations tests bench

.PHONY: install lint format types fast test test-pg bench demo ci

install:  ## a venv with coach and its dev tools, and the git hooks
	python3 -m venv $(VENV)
	$(VENV)/bin/pip install -e '.[dev]'
	$(VENV)/bin/pre-commit install

lint:  ## ruff: lint rules and formatting
	$(VENV)/bin/ruff check $(CODE)
	$(VENV)/bin/ruff format --check $(CODE)

format:  ## ruff: fix what it can, then format
	$(VENV)/bin/ruff check --fix $(CODE)
	$(VENV)/bin/ruff format $(CODE)

types:  ## mypy, strict, over app/
	$(VENV)/bin/mypy

fast:  ## the fast tier: rules, parsers, renderers (seconds)
	$(PY) -m pytest -q tests/fast

test:  ## the whole suite on a temporary SQLite file
	$(PY) -m pytest -q

test-pg:  ## the whole suite on PostgreSQL (a database you can throw away)
	TEST_DATABASE_URL=$(PG_URL) $(PY) -m pytest -q

bench:  ## the benchmarks, each printing its figures (slow: see bench/README.md)
	$(PY) bench/profile_reads.py
	$(PY) bench/fanout.py
	$(PY) bench/ack_latency.py
	$(PY) bench/tick_cost.py
	$(PY) bench/memory.py

demo:  ## the main job: one week of the bot against the local Slack sandbox
	$(VENV)/bin/coach demo

ci:  ## what CI runs, from this checkout
	bash .ci/run
