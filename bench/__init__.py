"""`make bench`: speed figures for the engine and the app (run `python bench/run.py`)."""
