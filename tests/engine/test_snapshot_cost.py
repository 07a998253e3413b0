"""A snapshot (the read-only copy the runner hands the panels) of a big network writes the pages
of its weights and its decay mask, and no others: every page a new array writes costs a fault
(about 17 us on this VM), and with zeros_like the unused gradients and the layers' placeholders
were written too, 2.5x the pages (a 100,000-unit layer in the app: 0.4 s a snapshot)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
# Counted in a process of its own where every big array is a fresh mapping (a fixed mmap
# threshold): in a test worker, freed memory that malloc kept would hide the faults.
COUNT = """
import json, resource
import numpy as np
np._core.multiarray._set_madvise_hugepage(False)  # a fault a page, not one per huge page
from engine.nn.network import NetworkCore
from engine.nn.spec import LayerSpec, ModelSpec

def faults():
    return resource.getrusage(resource.RUSAGE_SELF).ru_minflt

spec = ModelSpec((LayerSpec(20_000, "relu"), LayerSpec(10, "softmax")), "cross_entropy")
net = NetworkCore.from_spec(spec, n_inputs=64)  # 1.5M float32 parameters: 6 MB
before = faults()
one = np.ones(net.params.shape, net.params.dtype)
one_array = faults() - before
before = faults()
snapshot = net.snapshot()
print(json.dumps({"one_array": one_array, "snapshot": faults() - before,
                  "read_only": not snapshot.params.flags.writeable}))
"""


def test_a_snapshot_writes_the_pages_of_its_weights_and_mask_only() -> None:
    env = {**os.environ, "MALLOC_MMAP_THRESHOLD_": "131072", "MALLOC_TOP_PAD_": "0"}
    out = subprocess.run([sys.executable, "-c", COUNT], cwd=ROOT, env=env, check=True,
                         capture_output=True, text=True).stdout
    counts = json.loads(out)
    assert counts["read_only"] and counts["one_array"] > 1400  # 1,465 pages
    # The weights' copy and the mask: 2 arrays' worth. zeros_like made it 5 (the gradients,
    # and each layer's dW, float64).
    assert counts["snapshot"] < 3 * counts["one_array"], counts
