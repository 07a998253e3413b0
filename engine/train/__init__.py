"""Training: the events, the epoch loop, the background runner and `fit`."""
