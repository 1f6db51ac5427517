"""Imagination: new training problems written by the policy, kept only when they can be checked.

    candidates = imagine(generator, seeds, per_seed=2, cfg=..., seed=0)
    table = keep_verified(candidates, known, answer_fn)

The policy is shown one seed problem of the train pool with its reference solution, the way the
pretraining corpus chains problems (a blank line, then `Q:`), and writes the next question line
(the new-problem kind of AlphaLLM's synthesis; a backward rewrite needs an instruction following
a model of a million parameters cannot). A candidate is kept when
- the family's own grammar parses it and computes its answer (`tasks.grammar`): `grammar`;
- else, when `consistency_k` > 0, the policy answers it `consistency_k` times at temperature and the
  most common final answer holds at least `consistency_agree` of them: `consistency`.
Rejected: `not_new` (a train-pool problem, its seed included), `duplicate` (an earlier candidate),
`eval_pool` (a test or ood problem: it would leak into the methods that train on imagined data),
`unparsed` (no grammar, no consistency check), `inconsistent`.
"""
from __future__ import annotations

from collections import Counter

import pandas as pd

from ..models.generate import SamplingConfig
from ..tasks.document import SEPARATOR
from ..tasks.grammar import SOLVERS
from ..tasks.verify import final_answers

COLUMNS = ["id", "task", "form", "prompt", "answer", "seed_id", "status", "kept_by"]


def header(prompt: str) -> str:
    """The answer header that closes a prompt (`A (steps):\\n`, `A (python):\\n`, `Code:\\n`)."""
    return prompt.rstrip("\n").rsplit("\n", 1)[-1] + "\n"


def imagine(generator, seeds: pd.DataFrame, per_seed: int, cfg: dict, seed: int) -> pd.DataFrame:
    """per_seed question lines per seed row (id, task, form, prompt, solution), each closed with the
    seed's own answer header. cfg: temperature, top_p, max_new_tokens, batch_size."""
    asks = [s["prompt"] + s["solution"] + SEPARATOR + "Q:" for s in seeds.to_dict("records")]
    sampling = SamplingConfig(n=per_seed, temperature=cfg["temperature"], top_p=cfg["top_p"],
                              max_new_tokens=cfg["max_new_tokens"], stop=["\n"], seed=seed, batch_size=cfg["batch_size"])
    outs = generator.generate(asks, sampling, progress=True)
    rows = [dict(task=s["task"], form=s["form"], prompt="Q:" + c.text + "\n" + header(s["prompt"]), seed_id=s["id"])
            for s, cs in zip(seeds.to_dict("records"), outs) for c in cs if c.finish_reason == "stop"]
    return pd.DataFrame(rows, columns=["task", "form", "prompt", "seed_id"])


def keep_verified(candidates: pd.DataFrame, train_prompts: set, eval_prompts: set, generator=None, sandbox=None,
                  consistency_k: int = 0, consistency_agree: float = 1.0, cfg: dict | None = None, seed: int = 0) -> pd.DataFrame:
    """Every candidate with its status (kept or why not), its answer and how it was kept."""
    out, seen, unchecked = [], set(), []
    for r in candidates.to_dict("records"):
        status, answer, kept_by = "kept", None, None
        if r["prompt"] in eval_prompts:
            status = "eval_pool"
        elif r["prompt"] in train_prompts:
            status = "not_new"
        elif r["prompt"] in seen:
            status = "duplicate"
        else:
            seen.add(r["prompt"])
            answer = SOLVERS[r["task"]](r["prompt"])
            if answer is not None:
                kept_by = "grammar"
            elif consistency_k > 0:
                unchecked.append(len(out))
            else:
                status = "unparsed"
        out.append({**r, "status": status, "answer": answer, "kept_by": kept_by})
    if unchecked:
        if generator is None:
            raise ValueError("imagination: consistency_k > 0 needs the policy")
        rows = [out[i] for i in unchecked]
        sampling = SamplingConfig(n=consistency_k, temperature=cfg["temperature"], top_p=cfg["top_p"],
                                  max_new_tokens=cfg["max_new_tokens"], stop=cfg.get("stop", []), seed=seed,
                                  batch_size=cfg["batch_size"])
        outs = generator.generate([r["prompt"] for r in rows], sampling, progress=True)
        flat = [(r, c.text) for r, cs in zip(rows, outs) for c in cs]
        answers = final_answers([r for r, _ in flat], [t for _, t in flat], sandbox, timeout=cfg.get("timeout"))
        for k, r in enumerate(rows):
            votes = Counter(a for a in answers[k * consistency_k : (k + 1) * consistency_k] if a)
            top, count = votes.most_common(1)[0] if votes else (None, 0)
            if count / consistency_k >= consistency_agree:
                r.update(answer=top, kept_by="consistency")
            else:
                r.update(status="inconsistent")
    table = pd.DataFrame(out, columns=[c for c in COLUMNS if c != "id"])
    table.insert(0, "id", [f"imagined-{i:05d}" for i in range(len(table))])
    return table


def stats(table: pd.DataFrame) -> dict:
    """Candidates, kept (by grammar, by consistency) and why the rest were not, per family."""
    out = {}
    for task, g in table.groupby("task"):
        out[task] = {"candidates": len(g), "kept": int((g["status"] == "kept").sum()),
                     "kept_by": {k: int(v) for k, v in g["kept_by"].value_counts().items()},
                     "rejected": {k: int(v) for k, v in g.loc[g["status"] != "kept", "status"].value_counts().items()}}
    return out
