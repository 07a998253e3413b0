"""The inside view's pure parts: numbers from `engine.inside` turned into lines of text, and the
view's own state, all without Textual (rich `Text` only), so each is tested as a plain function
against the engine's results.

- `glyphs`: sparklines, signed shaded cells (readable without colour), the update-ratio gauge.
- `layers_table`: per layer over epochs: shape, weights, activations, |dW|, update ratio.
- `tiles`: the first layer's weights as pictures (image datasets) or as a signed grid.
- `forward_rows`: one sample through the network, each layer's z and a.
- `step_view`: one training step for one sample, stage by stage, formula and numbers.
- `tutorial_lines`: that step in the tutorial's names (h1, w1, dL/dw1 ...) for its 2-2-1 network.
- `params`: the weights and biases by name, for editing by hand.
- `own_input`: typed feature values, and the `people` tutorial's table.
- `session`: what the inside view shows and what a person has changed in it.

Styles come in as a `Palette` (a role name to a style), which the screen derives from its CSS:
colours stay in tcss, and every function gives a readable picture with no styles at all.
"""
