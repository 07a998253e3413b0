"""The maths: layers, activations, losses, optimizers, schedules and the specs. NumPy only."""
