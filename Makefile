# The whole set-up on a fresh machine with python3 and make: `make run` or `make test`.
VENV  := .venv
PY    := $(VENV)/bin/python
STAMP := $(VENV)/.installed-stamp
# Every package pinned, so a fresh machine gets the versions the snapshots were made with.
LOCK  := constraints.txt

.PHONY: run test test-engine bench bench-compare lint clean lock

$(STAMP): pyproject.toml $(LOCK)
	python3 -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check -c $(LOCK) -e '.[dev]'
	touch $(STAMP)

# Refreshes the lock after a change to the dependencies in pyproject.toml: a throwaway venv gets
# the newest versions allowed of the dependencies and of every extra (read from pyproject.toml,
# so nothing is built), and pip freeze pins them. The old lock stays until the new one is whole.
lock:
	@rm -rf .lock-venv
	python3 -m venv .lock-venv
	python3 -c 'import tomllib; p = tomllib.load(open("pyproject.toml", "rb"))["project"]; \
	  print(*p["dependencies"], *(d for e in p.get("optional-dependencies", {}).values() \
	  for d in e), sep="\n")' > .lock-venv/requirements.in
	.lock-venv/bin/python -m pip install --quiet --disable-pip-version-check --no-compile \
	  -r .lock-venv/requirements.in
	{ echo "# Every package \`make\` installs, pinned. Made by \`make lock\` from pyproject.toml (the"; \
	  echo "# dependencies and every extra); change those there and run \`make lock\` again."; \
	  echo "# Python $$(.lock-venv/bin/python -c 'import platform; print(platform.python_version())')"; \
	  .lock-venv/bin/python -m pip freeze --all --exclude pip --disable-pip-version-check; \
	} > $(LOCK).tmp
	mv $(LOCK).tmp $(LOCK)
	rm -rf .lock-venv

run: $(STAMP)
	$(VENV)/bin/nn-tui $(ARGS)

test: $(STAMP)
	$(PY) -m ruff check engine tui tests bench
	$(VENV)/bin/lint-imports
	$(VENV)/bin/mypy
	@# numba compiles the training step once into its on-disk cache; the test workers load it
	$(PY) -c "from engine import warm_up_backend; warm_up_backend('auto', ('float32', 'float64'))"
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
	rm -rf $(VENV) .lock-venv .pytest_cache build *.egg-info
