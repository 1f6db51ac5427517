"""Best-of-N reranking: pick one of N sampled completions per instruction.

    chosen = select(samples, "majority")                 # or "random", or with scores from any scorer
    chosen = select(samples, "rm", scores=scorer.score(prompts, completions))

`samples` are EvalSamples rows (N sampled completions per id, verified). Selectors:
- random: a seeded uniform choice (the expected accuracy of one sample);
- majority: the most common vote, the earliest sample holding it; the vote is the extracted final
  answer, or the normalised program for code (no answer to extract);
- scored: the highest score (ties: the earliest sample).
The result is one EvalSamples row per id, flagged greedy (the one answer the reranked system gives),
with model = the name it is reported under.
"""
from __future__ import annotations

import random

import pandas as pd

from ..tasks.code import extract_code
from .metrics import majority_index


def _vote(row) -> str | None:
    if isinstance(row["answer"], str) and row["answer"]:
        return row["answer"]
    if row["form"] == "code":
        program = extract_code(row["completion"])
        return "\n".join(line.rstrip() for line in program.strip().splitlines()) if program else None
    return None


def select(samples: pd.DataFrame, selector: str, scores=None, seed: int = 0, name: str | None = None) -> pd.DataFrame:
    sampled = samples[~samples["greedy"]].sort_values(["id", "sample"]).reset_index(drop=True)
    if scores is not None:
        if len(scores) != len(sampled):
            raise ValueError(f"best-of-N {selector}: {len(scores)} scores for {len(sampled)} samples")
        sampled["score"] = list(scores)
    picks = []
    for id_, g in sampled.groupby("id", sort=False):
        if selector == "random":
            picks.append(g.index[random.Random(f"{seed}/{id_}").randrange(len(g))])
        elif selector == "majority":
            winner = majority_index([_vote(r) for _, r in g.iterrows()])
            picks.append(g.index[winner or 0])  # nobody voted: the first sample
        elif scores is not None:
            picks.append(g["score"].idxmax())  # idxmax returns the first of equal maxima
        else:
            raise ValueError(f"best-of-N selector {selector!r} needs scores (random and majority do not)")
    out = sampled.loc[picks].drop(columns=["score"], errors="ignore").copy()
    out["greedy"] = True
    out["model"] = name or selector
    return out.reset_index(drop=True)
