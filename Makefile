# sbert-lab: `make lab` opens the workbook, `make test` runs the tests. Both set everything up first.
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
# Installed before anything else, so that pip never pulls a multi-GB CUDA build on a CPU machine.
# pip compiles every module at install (88 s here, 37 s with --no-compile): where
# PYTHONDONTWRITEBYTECODE=1 (as on this project's machines) Python never caches what it compiles on
# import, so without it each kernel would compile transformers again.
TORCH ?= torch==2.13.0
export SBERT_LAB_DATA ?= $(shell [ -d ../shared/data ] && cd ../shared/data && pwd)

.PHONY: install lab test notebooks check-notebooks bench clean

install: $(VENV)/.installed

$(VENV)/.installed: pyproject.toml requirements.txt
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -c "import torch" 2>/dev/null || $(PY) -m pip install -q "$(TORCH)"
	$(PY) -m pip install -q -e ".[dev,notebooks]"
	touch $@

# Kernels inherit the server's environment: idle OpenMP threads sleep instead of spinning (see test).
lab: install
	OMP_WAIT_POLICY=$${OMP_WAIT_POLICY:-PASSIVE} $(VENV)/bin/jupyter lab notebooks/

# OMP_WAIT_POLICY=PASSIVE: idle OpenMP threads sleep instead of spinning. On a busy 2-core machine
# spinning threads made encoding 5-15x slower (measured); on an idle one it costs next to nothing.
TEST_ENV = OMP_WAIT_POLICY=$${OMP_WAIT_POLICY:-PASSIVE} SBERT_LAB_PROFILE=$${SBERT_LAB_PROFILE:-offline} HF_HUB_OFFLINE=$${HF_HUB_OFFLINE:-1}
# The tests run on TEST_WORKERS processes (pytest-xdist) that share the cores: one OpenMP thread each
# on 2 cores, where two single-threaded processes do 1.4-1.6x the work of one on two threads. Tests
# that must run in order share a lane (tests/lanes.py). The lesson claims read every
# lesson's results/*.json, so they run afterwards, in a second call; both calls always run.
TEST_WORKERS ?= 2
TEST_THREADS = $$(( $$(nproc) / $(TEST_WORKERS) > 1 ? $$(nproc) / $(TEST_WORKERS) : 1 ))

test: install
	export SBERT_LAB_SESSION_STARTED=$$(date +%s) $(TEST_ENV); status=0; \
	OMP_NUM_THREADS=$(TEST_THREADS) MKL_NUM_THREADS=$(TEST_THREADS) \
	  $(PY) -m pytest -n $(TEST_WORKERS) -m "not claims" || status=$$?; \
	SBERT_LAB_NOTEBOOKS_RAN=1 $(PY) -m pytest tests/lessons/test_lesson_claims.py || status=1; \
	exit $$status

notebooks: install
	$(PY) -m tools.notebooks sync

check-notebooks: install
	$(PY) -m tools.notebooks check

bench: install
	$(PY) bench/encode.py
	$(PY) bench/train.py

clean:
	rm -rf $(VENV) .pytest_cache build *.egg-info
