"""The maths: NumPy only."""
