# One command to run the app, one to run every check. Both set themselves up on a fresh machine.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
TQI_TEST_POSTGRES_URL ?= postgresql:///tqi_test
export TQI_TEST_POSTGRES_URL
# Some machines (this one's image) set PYTHONDONTWRITEBYTECODE: every process the suite and the
# benchmarks start (hundreds of `python -m etl`, servers, workers) then compiled our modules from
# source again, ~0.6 s each. Recipes here cache bytecode in __pycache__ as a normal install does.
unexport PYTHONDONTWRITEBYTECODE

.PHONY: run test lint bench venv system screenshots test-under-load test-e2e

$(VENV)/.installed: requirements.txt requirements-dev.txt
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -r requirements-dev.txt
	touch $@

venv: $(VENV)/.installed

## make run — set up and start the app on embedded SQLite (data/tqi.sqlite3); `streamlit run
## app.py` through the launcher (ui/launch.py), which settles the multipage mode first
run: venv
	$(PY) -m ui.launch

system:
	bash scripts/setup-system.sh

## make test — set up (Python packages, Chromium, CJK fonts, PostgreSQL) and run every check
test: venv system
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy
	$(PY) -m pytest -q -n 2 --dist loadgroup

## make test-under-load — `make test` RUNS times in a row (default 3) while LOAD_PROCS busy
## loops (default one per core) keep the machine busy: the suite must not need an idle machine
RUNS ?= 3
test-under-load: venv system
	RUNS=$(RUNS) bash scripts/under-load.sh $(MAKE) --no-print-directory test

## make test-e2e — only the end-to-end files (headless Chromium); under load:
## `bash scripts/under-load.sh make test-e2e`
test-e2e: venv system
	$(PY) -m pytest -q -n 2 --dist loadgroup tests/test_e2e_*.py

lint: venv
	$(VENV)/bin/ruff check . && $(VENV)/bin/ruff format --check . && $(VENV)/bin/mypy

bench: venv
	$(PY) bench/bench_load.py
	$(PY) bench/bench_briefing.py

.PHONY: cluster cluster-stop test-cluster

## make cluster — the scaled layout on this machine (README "Deployment at scale"):
## PostgreSQL primary + streaming replica, two app processes, nginx on http://127.0.0.1:8600/
cluster: venv system
	bash scripts/cluster.sh start

cluster-stop:
	bash scripts/cluster.sh stop

## make test-cluster — the layout end to end in headless Chromium (own ports, own run folder)
test-cluster: venv system
	TQI_CLUSTER_TESTS=1 $(PY) -m pytest -q tests/test_cluster.py

## make screenshots — regenerate docs/screenshots/ (every page, desktop and phone, ?screenshot=1)
screenshots: venv system
	$(PY) scripts/screenshots.py
