"""rule build_trees -> reasonforge.eurus.trees.build_trees"""
import pandas as pd

from dataclasses import asdict

from reasonforge import io, job
from reasonforge.configtree import build
from reasonforge.eurus.config import Trees
from reasonforge.eurus.tables import TreeNodes
from reasonforge.tables import Instructions
from reasonforge.eurus.interact import InteractConfig, make_critic
from reasonforge.models.generate import load_generator
from reasonforge.sandbox import Sandbox
from reasonforge.eurus.trees import TreeConfig, build_trees

sm = snakemake  # noqa: F821
with job.running(sm.log[0]):
    cfg = sm.params.cfg
    t, gen = build(Trees, cfg["eurus"]["trees"], "eurus.trees"), cfg["generation"]
    n = cfg["eurus"]["instructions"]
    instructions = pd.concat([io.read_table(p, Instructions).head(n) for p in sm.input.tasks], ignore_index=True)
    dirs = {path.rsplit("/", 1)[1]: path for path in sm.input.models}
    generators = {name: load_generator(path, gen["backend"], seed=cfg["seed"], threads=sm.threads) for name, path in dirs.items()}
    first = generators[t.actors[0].model]
    tok = getattr(first, "tok", None)
    # a branch ends when its context + max_new_tokens no longer fits the actors' context length
    window = min(getattr(g.model.config, "max_position_embeddings", 10**9) for g in generators.values() if hasattr(g, "model"))
    tree_cfg = TreeConfig(
        actors=[asdict(a) for a in t.actors], k=t.k, escalate=asdict(t.escalate) if t.escalate else None,
        reference=t.reference, seed=cfg["seed"],
        interact=InteractConfig(max_turns=t.max_turns, top_p=gen["top_p"], max_new_tokens=t.max_new_tokens,
                                batch_size=gen["batch_size"], stop=tuple(gen["stop"]), seed=cfg["seed"]),
        max_context_tokens=window)
    critic = make_critic(t.critic, dirs, gen["backend"], threads=sm.threads)
    count = (lambda text: len(tok(text, add_special_tokens=False)["input_ids"])) if tok is not None else None
    box = cfg["sandbox"]
    with Sandbox(workers=sm.threads, timeout=box["timeout_s"], memory_mb=box["memory_mb"]) as sandbox:
        nodes = build_trees(instructions, generators, tree_cfg, sandbox, critic=critic, count_tokens=count)
    if nodes["turn"].max() > t.max_turns:
        raise RuntimeError(f"trees deeper than eurus.trees.max_turns={t.max_turns}")
    io.write_table(nodes, sm.output[0], TreeNodes)
    kids = nodes[nodes["turn"] > 0]
    print(f"{sm.output[0]}: {nodes['tree_id'].nunique()} trees, {len(kids)} nodes, "
          f"{int(kids['correct'].sum())} correct, deepest turn {int(nodes['turn'].max())}")
