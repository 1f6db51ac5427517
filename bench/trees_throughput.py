"""Preference-tree construction throughput with the default params: trees per minute and sandbox
executions per tree, on the first N train instructions of each family, with the built base models.

Every program the verifier runs (code tests, program-aided math) is one sandbox execution; the
count comes from a wrapper around the pool's `map`. Needs `snakemake models/base/strong
models/base/weak data/tasks/math/train.parquet ...` (the default build) first.

    python bench/trees_throughput.py [--per-family 30]
"""
from __future__ import annotations

import argparse
import time

import pandas as pd

from reasonforge import config, io
from reasonforge.eurus.interact import InteractConfig
from reasonforge.models.generate import load_generator
from reasonforge.sandbox import Sandbox
from reasonforge.eurus.trees import TreeConfig, build_trees


class CountingSandbox:
    def __init__(self, sandbox):
        self.sandbox, self.runs = sandbox, 0

    def map(self, codes, timeout=None, progress=False):
        self.runs += len(codes)
        return self.sandbox.map(codes, timeout=timeout)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--per-family", type=int, default=30)
    ap.add_argument("--threads", type=int, default=2)
    args = ap.parse_args()
    p = config.load_params("params.yaml")
    t, gen = p["eurus"]["trees"], p["generation"]
    rows = pd.concat([io.read_table(f"data/tasks/{f}/train.parquet").head(args.per_family) for f in ("math", "code", "logic")])
    names = {a["model"] for a in t["actors"]} | ({t["escalate"]["model"]} if t["escalate"] else set())
    gens = {n: load_generator(f"models/base/{n}", "hf", threads=args.threads) for n in names}
    cfg = TreeConfig(actors=t["actors"], k=t["k"], escalate=t["escalate"], reference=t["reference"],
                     interact=InteractConfig(max_turns=t["max_turns"], top_p=gen["top_p"], max_new_tokens=t["max_new_tokens"],
                                             batch_size=gen["batch_size"], stop=tuple(gen["stop"])),
                     max_context_tokens=min(g.model.config.max_position_embeddings for g in gens.values()))
    tok = next(iter(gens.values())).tok
    with Sandbox(workers=args.threads) as sb:
        counting = CountingSandbox(sb)
        start = time.perf_counter()
        nodes = build_trees(rows, gens, cfg, counting, count_tokens=lambda s: len(tok(s, add_special_tokens=False)["input_ids"]))
        elapsed = time.perf_counter() - start
    trees = nodes["tree_id"].nunique()
    by_family = nodes.groupby("task")["tree_id"].nunique()
    print(f"{trees} trees ({', '.join(f'{f} {n}' for f, n in by_family.items())}) in {elapsed:.1f} s: "
          f"{60 * trees / elapsed:.0f} trees/min, {counting.runs} sandbox executions = {counting.runs / trees:.1f} per tree, "
          f"{len(nodes) - trees} nodes, deepest turn {nodes['turn'].max()}")


if __name__ == "__main__":
    main()
