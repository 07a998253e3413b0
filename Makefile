# The whole set-up on a fresh machine with python3 and make: `make run` or `make test`.
VENV  := .venv
PY    := $(VENV)/bin/python
STAMP := $(VENV)/.installed-stamp

.PHONY: run test test-engine bench bench-compare lint clean

$(STAMP): pyproject.toml
	python3 -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check -e '.[dev]'
	touch $(STAMP)

run: $(STAMP)
	$(VENV)/bin/nn-tui $(ARGS)

test: $(STAMP)
	$(PY) -m ruff check engine tui tests bench
	$(VENV)/bin/lint-imports
	$(VENV)/bin/mypy
	$(PY) -m pytest -q -n auto

# The engine tier alone (no Textual): the quick loop while working on the maths.
test-engine: $(STAMP)
	$(PY) -m pytest -q tests/engine

# QUICK=1: 3 rounds, and (c), (e), (j) left out.
bench: $(STAMP)
	$(PY) bench/run.py $(if $(QUICK),--quick)

# (a), (b), (c) against an earlier commit, interleaved in fresh processes: BASE=rev ROUNDS=n
bench-compare: $(STAMP)
	$(PY) bench/compare.py $(if $(BASE),--base $(BASE)) $(if $(ROUNDS),--rounds $(ROUNDS))

lint: $(STAMP)
	$(PY) -m ruff check engine tui tests bench

clean:
	rm -rf $(VENV) .pytest_cache build *.egg-info
