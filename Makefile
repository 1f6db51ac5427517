# The two commands of the README: `make demo` and `make test`.
VENV    ?= .venv
PY      := $(VENV)/bin/python
TORCH   ?= torch==2.13.0
SNAKE   := $(VENV)/bin/snakemake
STAMP   := $(VENV)/.installed

.PHONY: install demo test lint dvc-check bench clean claims

$(VENV)/bin/python:
	python3 -m venv $(VENV)

# torch first (pinned CPU wheel), then the project: an unpinned torch would pull GBs of CUDA.
$(STAMP): $(VENV)/bin/python pyproject.toml
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q "$(TORCH)"
	$(PY) -m pip install -q -e ".[dev]"
	touch $(STAMP)

install: $(STAMP)

demo: install
	$(SNAKE) --cores all
	$(VENV)/bin/reasonforge show results/eval/table.md

claims: install
	$(SNAKE) --cores all claims
	$(VENV)/bin/reasonforge show results/claims/eurus.md
	$(VENV)/bin/reasonforge show results/claims/w2s.md
	$(VENV)/bin/reasonforge show results/claims/alphallm.md
	$(VENV)/bin/reasonforge show results/claims/grpo.md

test: install
	$(VENV)/bin/reasonforge dvc-sync --check
	$(VENV)/bin/reasonforge readme --check
	$(SNAKE) --lint
	$(PY) -m pytest -q -x -rs --durations 25 --timeout 1800 tests; rc=$$?; if [ $$rc -eq 5 ]; then echo "no tests collected"; exit 1; fi; exit $$rc

bench: install
	$(PY) bench/sandbox_throughput.py
	$(PY) bench/generation_throughput.py

clean:
	rm -rf data models results logs .snakemake .checkpoints
