# The two commands of the README's Quick start. Each sets up what it needs.
VENV ?= .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

.PHONY: demo test check bench clean

$(STAMP): pyproject.toml scripts/system-deps
	scripts/system-deps
	python3 -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

demo: $(STAMP)
	$(VENV)/bin/motcua demo --data-dir .demo

test: $(STAMP)
	VENV=$(VENV) scripts/check
	VENV=$(VENV) scripts/test

check: $(STAMP)
	VENV=$(VENV) scripts/check

bench: $(STAMP)
	$(PY) bench/issue.py

clean:
	rm -rf $(VENV) .demo .mypy_cache .pytest_cache .ruff_cache
