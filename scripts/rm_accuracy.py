"""rule rm_accuracy: the reward models' held-out pair accuracies in one DVC metrics file"""
import json
from pathlib import Path

from reasonforge import io, job

sm = snakemake  # noqa: F821
with job.running(sm.log[0]):
    table = {Path(p).name: json.loads((Path(p) / "heldout.json").read_text()) for p in sm.input.models}
    io.write_json(sm.output[0], table)
    for loss, acc in table.items():
        print(f"{loss}: held-out pair accuracy {acc['accuracy']:.3f} [{acc['ci_low']:.3f}, {acc['ci_high']:.3f}] "
              f"on {acc['pairs']} pairs; " + ", ".join(f"{kind} {r['accuracy']:.3f} ({r['pairs']})"
                                                      for kind, r in acc.get("by_kind", {}).items()))
