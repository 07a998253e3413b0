# The whole set-up on a fresh machine with python3 and make: `make run` or `make test`.
VENV  := .venv
PY    := $(VENV)/bin/python
STAMP := $(VENV)/.installed-stamp
# Every package pinned, so a fresh machine gets the versions the snapshots were made with.
LOCK  := constraints.txt

.PHONY: run test test-checks test-suite test-engine bench bench-compare lint clean lock

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

# Bytecode is written even where PYTHONDONTWRITEBYTECODE is set (this machine sets it): without
# it every pytest worker and every subprocess test compiles engine/, tui/ and the tests again,
# and pytest rewrites every test module's asserts again. mypy and lint-imports keep their own
# caches (.mypy_cache, .grimp_cache), so a second run checks only what changed.
# The static checks run beside the tests (a sub-make with -j2): with their caches they take a
# few seconds, mostly while the test workers start. `make test` fails if either part fails.
test test-checks test-suite test-engine: export PYTHONDONTWRITEBYTECODE :=
test-checks test-suite: $(STAMP)
test: $(STAMP)
	@$(MAKE) --no-print-directory -j2 test-checks test-suite

test-checks:
	$(PY) -m ruff check engine tui tests bench
	$(VENV)/bin/lint-imports
	$(VENV)/bin/mypy

# Two test workers a core: about half of an app test's wall is waiting (Textual's idle checks
# after each key, timers, the training thread, subprocesses), which a second worker fills;
# worksteal evens out the end, where the long pty and sweep tests would leave one core idle.
TEST_WORKERS ?= $(shell echo $$(( 2 * $$(nproc) )))

test-suite:
	@# numba compiles the training step once into its on-disk cache; the test workers load it
	$(PY) -c "from engine import warm_up_backend; warm_up_backend('auto', ('float32', 'float64'))"
	$(PY) -m pytest -q -n $(TEST_WORKERS) --dist worksteal

# The engine tier alone, the quick loop while working on the maths: no Textual comes in (the
# snapshot plugin, which imports it, stays off; 5 s less a process). One worker a core: its
# tests wait little, and each worker's start and collection cost 3-4 s of CPU (the tier took
# 25-26 s with 2 workers against 29-32 s with 4, 2026-12-03, interleaved).
ENGINE_WORKERS ?= $(shell nproc)

test-engine: $(STAMP)
	$(PY) -m pytest -q -p no:textual-snapshot -n $(ENGINE_WORKERS) --dist worksteal tests/engine

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
