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

# Bytecode is written even where PYTHONDONTWRITEBYTECODE is set (this machine sets it): without
# it every pytest worker and every subprocess test compiles engine/, tui/ and the tests again,
# and pytest rewrites every test module's asserts again. mypy and lint-imports keep their own
# caches (.mypy_cache, .grimp_cache), so a second run checks only what changed.
test: export PYTHONDONTWRITEBYTECODE :=
test: $(STAMP)
	$(PY) -m ruff check engine tui tests bench
	$(VENV)/bin/lint-imports
	$(VENV)/bin/mypy
	$(PY) -m pytest -q -n auto

# The engine tier alone (no Textual): the quick loop while working on the maths.
test-engine: $(STAMP)
	$(PY) -m pytest -q tests/engine

bench: $(STAMP)
	$(PY) bench/run.py

# (a), (b), (c) against an earlier commit, interleaved in fresh processes: BASE=rev ROUNDS=n
bench-compare: $(STAMP)
	$(PY) bench/compare.py $(if $(BASE),--base $(BASE)) $(if $(ROUNDS),--rounds $(ROUNDS))

lint: $(STAMP)
	$(PY) -m ruff check engine tui tests bench

clean:
	rm -rf $(VENV) .pytest_cache build *.egg-info
