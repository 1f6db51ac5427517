"""Preference trees (UltraInteract): per instruction and turn, sample actions, keep one correct and
one incorrect, expand the incorrect one with its observation and critique.

    nodes = build_trees(instructions, generators, TreeConfig(...), sandbox)

Per open branch and turn, every actor samples `k` actions (the paper paired actions of different
models; here the actors are models and temperatures). Actions are verified in one sandbox batch;
code that does not parse is dropped. The kept pair is one correct and one incorrect action, the
incorrect one from another actor when there is one. When no action is correct, the `escalate`
actor re-samples up to `rounds` times; then, where the family has a reference solution, it becomes
the correct action (`reference`). A correct action ends its branch; the incorrect one is expanded
into the next turn with its observation and the critic's feedback, up to `max_turns`, or until
the context no longer fits the actor's window.

The result is one row per node (tables.TreeNodes): a root per instruction (turn 0, no action), its
children at turn 1, and so on; turn = depth.
"""
from __future__ import annotations

import ast
import random
from dataclasses import dataclass, field

import pandas as pd

from ..tasks import code as code_task
from ..tasks import math as math_task
from ..tasks.verify import verify_batch
from .interact import InteractConfig, continue_context, critique_all, observation


@dataclass
class TreeConfig:
    actors: list[dict] = field(default_factory=lambda: [{"model": "strong", "temperature": 1.0}])
    k: int = 2                        # actions per actor per turn
    escalate: dict | None = None      # {model, temperature, k, rounds}: re-sampling when none is correct
    reference: bool = True            # fall back to the reference solution as the correct action
    interact: InteractConfig = field(default_factory=InteractConfig)
    max_context_tokens: int | None = None   # a branch stops when its context + max_new_tokens exceeds this
    seed: int = 0


def parses(row: dict, action: str) -> bool:
    """Program-aided and code actions must hold a program Python can parse; text always passes."""
    if row["form"] not in ("pot", "code"):
        return True
    program = math_task.extract_program(action) if row["form"] == "pot" else code_task.extract_code(action)
    if program is None:
        return True  # no program at all is an answer (a wrong one), not unparsable code
    try:
        ast.parse(program)
    except (SyntaxError, ValueError):
        return False
    return True


@dataclass
class _Branch:
    tree_id: str
    parent_id: str
    row: dict
    context: str
    candidates: list = field(default_factory=list)  # (action, actor, obtained, tokens, verdict)


def _sample(branches: list[_Branch], generator, name: str, temperature: float, k: int, obtained: str,
            cfg: TreeConfig, sandbox, seed: int) -> None:
    outs = generator.generate([b.context for b in branches], cfg.interact.sampling(n=k, temperature=temperature, seed=seed))
    flat = [(b, o) for b, os in zip(branches, outs) for o in os if parses(b.row, o.text)]
    verdicts = verify_batch([b.row for b, _ in flat], [o.text for _, o in flat], sandbox)
    for (b, o), v in zip(flat, verdicts):
        b.candidates.append((o.text, name, obtained, o.tokens, v))


def _pick(b: _Branch, rng: random.Random):
    right = [c for c in b.candidates if c[4].correct]
    wrong = [c for c in b.candidates if not c[4].correct]
    chosen = rng.choice(right) if right else None
    if chosen and any(c[1] != chosen[1] for c in wrong):
        wrong = [c for c in wrong if c[1] != chosen[1]]  # pair actions of different actors when possible
    return chosen, (rng.choice(wrong) if wrong else None)


def build_trees(instructions: pd.DataFrame, generators: dict, cfg: TreeConfig, sandbox, critic=None,
                count_tokens=None) -> pd.DataFrame:
    """generators: model name -> generator, for every actor and the escalation model.
    count_tokens(text) -> int measures contexts (for max_context_tokens) and reference actions."""
    rows = instructions.to_dict("records")
    nodes = []
    branches = []
    for r in rows:
        nodes.append(dict(tree_id=r["id"], node_id=f"{r['id']}/0", parent_id=None, turn=0, task=r["task"],
                          form=r["form"], instruction=r["prompt"], action="", observation="", critique="",
                          correct=False, actor="", tokens=0, obtained="root", n_candidates=0, n_correct=0))
        branches.append(_Branch(r["id"], f"{r['id']}/0", r, r["prompt"]))
    room = cfg.interact.max_new_tokens
    for turn in range(1, cfg.interact.max_turns + 1):
        if not branches:
            break
        seed = cfg.seed + 1000 * turn
        for j, actor in enumerate(cfg.actors):
            _sample(branches, generators[actor["model"]], actor["model"], actor["temperature"], cfg.k, "sampled",
                    cfg, sandbox, seed + j)
        esc = cfg.escalate
        for round_ in range(esc["rounds"] if esc else 0):
            stuck = [b for b in branches if not any(c[4].correct for c in b.candidates)]
            if not stuck:
                break
            _sample(stuck, generators[esc["model"]], esc["model"], esc["temperature"], esc["k"], "escalated",
                    cfg, sandbox, seed + 100 + round_)
        stuck = [b for b in branches if not any(c[4].correct for c in b.candidates) and b.row.get("solution")]
        if cfg.reference and stuck:
            verdicts = verify_batch([b.row for b in stuck], [b.row["solution"] for b in stuck], sandbox)
            for b, v in zip(stuck, verdicts):
                tokens = count_tokens(b.row["solution"]) if count_tokens else 0
                b.candidates.append((b.row["solution"], "reference", "reference", tokens, v))
        kept = []
        for b in branches:
            rng = random.Random(f"{cfg.seed}/{b.tree_id}/{turn}")
            chosen, rejected = _pick(b, rng)
            n_sampled = sum(c[2] != "reference" for c in b.candidates)
            n_right = sum(c[2] != "reference" and c[4].correct for c in b.candidates)
            for suffix, cand in (("c", chosen), ("w", rejected)):
                if cand is None:
                    continue
                action, actor, obtained, tokens, verdict = cand
                nodes.append(dict(tree_id=b.tree_id, node_id=f"{b.parent_id}.{turn}{suffix}", parent_id=b.parent_id,
                                  turn=turn, task=b.row["task"], form=b.row["form"], instruction=b.row["prompt"],
                                  action=action, observation=observation(b.row, verdict), critique="",
                                  correct=verdict.correct, actor=actor, tokens=tokens, obtained=obtained,
                                  n_candidates=n_sampled, n_correct=n_right))
                if not verdict.correct:
                    kept.append((b, len(nodes) - 1, action, verdict))
        if not kept:
            break
        critiques = critique_all(critic, [b.row for b, *_ in kept], [b.context for b, *_ in kept],
                                 [a for _, _, a, _ in kept], [v for *_, v in kept])
        branches = []
        for (b, index, action, verdict), text in zip(kept, critiques):
            nodes[index]["critique"] = text
            context = continue_context(b.context, b.row, action, nodes[index]["observation"], text)
            fits = not (cfg.max_context_tokens and count_tokens
                        and count_tokens(context) + room > cfg.max_context_tokens)
            if turn < cfg.interact.max_turns and fits:
                branches.append(_Branch(b.tree_id, nodes[index]["node_id"], b.row, context))
    return pd.DataFrame(nodes)
