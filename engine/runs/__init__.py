"""The run store (SQLite) that records every training run, and sweeps over an executor (a local
process pool or a Dask cluster). The top layer of the engine: it builds on `engine.experiment`."""
