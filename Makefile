# sbert-lab: `make lab` opens the workbook, `make test` runs the tests. Both set everything up first.
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
# Installed before anything else, so that pip never pulls a multi-GB CUDA build on a CPU machine.
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
test: install
	OMP_WAIT_POLICY=$${OMP_WAIT_POLICY:-PASSIVE} SBERT_LAB_PROFILE=$${SBERT_LAB_PROFILE:-offline} HF_HUB_OFFLINE=$${HF_HUB_OFFLINE:-1} $(PY) -m pytest

notebooks: install
	$(PY) -m tools.notebooks sync

check-notebooks: install
	$(PY) -m tools.notebooks check

bench: install
	$(PY) bench/encode.py
	$(PY) bench/train.py

clean:
	rm -rf $(VENV) .pytest_cache build *.egg-info
