"""The reference training loop (see `engine.nn.reference`): full-batch gradient descent that
puts the passes, an optimizer and a schedule together."""

from __future__ import annotations

from collections.abc import Sequence

from engine.nn.reference import Array, Layer
from engine.nn.reference_backprop import flatten, loss_and_gradients, parameters
from engine.nn.reference_optimizers import Optimizer
from engine.nn.reference_schedules import SCHEDULES


def train(layers: Sequence[Layer], x: Array, t: Array, loss: str, optimizer: Optimizer,
          lr: float, epochs: int, l2: float = 0.0, schedule: str = "constant",
          **schedule_options: float) -> list[float]:
    """Full-batch gradient descent: each epoch is one step on the whole of x (n, d), t (n, k),
    at the learning rate the schedule gives for that epoch. Updates the layers' W and b in place
    and returns the loss of each epoch (measured before that epoch's step)."""
    losses = []
    for epoch in range(epochs):
        rate = SCHEDULES[schedule](lr, epoch, epochs, **schedule_options)
        value, grads = loss_and_gradients(layers, x, t, loss, l2)
        optimizer.step(parameters(layers), flatten(grads), rate)
        losses.append(value)
    return losses
