# Two commands for a newcomer: `make run` (serve the seeded API on SQLite) and `make test`.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000
STAMP := $(VENV)/.installed

.PHONY: install run serve migrate seed test lint typecheck docs pytest schema examples eval-draft bench bench-smoke bench-ab soak soak-smoke clean

$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "conflict-reports needs Python 3.11 or newer (set PYTHON=python3.11)")'
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

## run: set up, migrate, load the seed and serve on http://$(HOST):$(PORT) (Swagger UI at /docs)
run: install migrate seed serve

migrate: install
	$(BIN)/conflict-reports migrate

seed: install
	$(BIN)/conflict-reports seed

serve: install
	$(BIN)/conflict-reports serve --host $(HOST) --port $(PORT)

## test: set up, then lint (ruff, the import-linter contracts), type-check, build the docs
## and run the whole suite
test: install lint typecheck docs pytest

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports

typecheck: install
	$(BIN)/mypy

pytest: install
	$(BIN)/pytest

## docs: build the documentation site (docs/ to docs/_build/html) offline, from scratch (-E:
## a warning is reported again on every run); any warning fails it
docs: install
	$(BIN)/sphinx-build -E -W --keep-going -n -q -b html docs docs/_build/html

## schema: regenerate seed/schema.json from the bundle models
schema: install
	$(BIN)/conflict-reports schema --output seed/schema.json

## examples: regenerate the OpenAPI examples (app/operations/examples.json) from the seed
examples: install
	$(BIN)/python -m app.examples

## eval-draft: score `conflict-reports draft` against the gold bundles (precision, recall
## and F1 of direct and indirect speech, channels, stated dates), into bench/results/eval-draft/
eval-draft: install
	$(BIN)/python -m bench.eval_draft --save

## bench: the full benchmark (10k and 1M claims on SQLite and PostgreSQL; about 40 min)
## bench-smoke: the same harness on 10k claims with short loads (CI runs it)
## (both end with the write stall test: cheap reads while a 100,000-claim bundle, 5,000 in
## the smoke run, is posted; see `python -m bench.write_stall --help`)
DATASETTE := $(VENV)-datasette/bin/datasette

$(DATASETTE):
	$(PYTHON) -m venv $(VENV)-datasette
	$(VENV)-datasette/bin/python -m pip install --quiet datasette

bench-tools: install $(DATASETTE)
	@command -v wrk >/dev/null 2>&1 || echo "wrk is not installed (apt-get install wrk): using the built-in load generator"

bench: bench-tools
	$(BIN)/python -m bench.run
	$(BIN)/python -m bench.write_stall --save

bench-smoke: bench-tools
	$(BIN)/python -m bench.run --smoke
	$(BIN)/python -m bench.write_stall --smoke

## bench-ab: is this change slower? Claims by claimant and a page of 500, the checkout in
## HEAD_DIR (default: this one, uncommitted changes included) against BASE (a git revision,
## checked out into a temporary worktree, or a checkout's directory; default HEAD, the last
## commit: `make bench-ab` measures the uncommitted changes, `BASE=HEAD~1` the last commit,
## `BASE=main` a branch), one worker each on the same 10k-claim SQLite corpus, 3 alternating
## rounds of 15 s per query and side (about 4 min); prints req/s, p50/p99, errors, timeouts and
## the head/base ratios. AB_ARGS passes more options: e.g. AB_ARGS="--engine postgresql --save"
## (see `python -m bench.ab --help`).
BASE ?= HEAD
HEAD_DIR ?= .
AB_ARGS ?=

bench-ab: install
	@command -v wrk >/dev/null 2>&1 || echo "wrk is not installed (apt-get install wrk): using the built-in load generator"
	$(BIN)/python -m bench.ab --base $(BASE) --head $(HEAD_DIR) $(AB_ARGS)

## soak: 64 connections for 60 s through the query mix on PostgreSQL, default workers: zero
## errors, p99, RSS at the end within 10% of RSS after warm-up (about 2 min)
## soak-smoke: a few seconds at 16 connections, failing on any error (CI runs it; at 64
## connections two cores queue requests past the time budget: 503s, see docs/serving.md)
soak: install
	$(BIN)/python -m bench.soak

soak-smoke: install
	$(BIN)/python -m bench.soak --smoke --connections 16

clean:
	rm -rf $(VENV) $(VENV)-datasette data docs/_build .pytest_cache .mypy_cache .ruff_cache
