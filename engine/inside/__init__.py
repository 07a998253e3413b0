"""What the views show of the network: per-layer statistics, one training step traced, gradient
checks, maps of the input plane and a 2-D projection of the data.

Modules (all UI-free; nothing here changes a network it is given, results are frozen dataclasses
holding read-only arrays):
- `forward`: the forward pass written out layer by layer, keeping every `z` and `a`; a flat
  buffer (params, grads) split into `(W, b)` per layer.
- `layer_stats`: per-layer figures on a fixed probe batch, cheap enough for every epoch (weight
  histogram, mean activation, saturated or dead units, |dW|, update-to-weight ratio);
  `LayerStatsTracker` keeps the last N epochs for sparklines.
- `step_trace`: one step on one sample or a small batch with every quantity of the backprop
  equations (z, a, delta, dW, db, W before and after, the loss before and after), each with its
  formula.
- `run_state`: a run's own optimizer state, per layer, for tracing the step the run takes next.
- `weight_edits`: a copy with a weight changed by hand (`edit_weight`), or a traced step applied.
- `step_update`: that step's update by the configured optimizer's rule (sgd, momentum,
  nesterov, rmsprop, adam) in textbook form, keeping m, v, m_hat, v_hat ... for the views.
- `names`: the tutorial's names for a 2-2-1 network (w1..w6, b1..b3, h1, h2, o1, dL/dw1 ...).
- `gradient_check`: central finite differences against backprop, per layer, on a float64 copy.
- `input_maps`: the input plane as a grid, the predicted class and confidence over it, every
  hidden unit's activation over it, a one-input network's curve; Playground's extra input
  features (x1^2, x1*x2, sin x1 ...).
- `projection`: a 2-D PCA view of data with more than two features, fitted on the training split.
"""
