"""Datasets: the built-ins, CSV/NPZ files, split and scale, and the metrics."""
