"""Stage II of weak-to-strong: preference pairs anchored on the weak response.

The final stage-I model samples N answers per train_2 question (T = 1.0). Its majority answer (the
largest group of agreeing non-empty answers; ties: the group that appeared first) has confidence =
group size / N, empty answers counting against it. Per question:
- confidence < skip_below (0.6): skipped;
- the weak answer equals the majority: chosen = the weak response, rejected = a sample whose answer
  differs (an empty one counts as different); none differs: skipped;
- otherwise, when confidence >= flip_at (0.8): chosen = a majority response, rejected = the weak
  response; below: skipped.
The weak response is always one side. Thresholds are compared on counts (k/N), so confidence
exactly at a threshold is never lost to float rounding.
"""
from __future__ import annotations

import random
from dataclasses import dataclass

import pandas as pd

from .select import empty, same_answer


@dataclass
class PairRule:
    skip_below: float = 0.6
    flip_at: float = 0.8


def majority(task: str, answers: list[str | None]) -> list[int]:
    """Indices of the samples in the majority group (empty list when no sample has an answer)."""
    groups: list[list[int]] = []
    for i, a in enumerate(answers):
        if empty(a):
            continue
        for g in groups:
            if same_answer(task, answers[g[0]], a):
                g.append(i)
                break
        else:
            groups.append([i])
    return max(groups, key=len) if groups else []  # max keeps the first of equal sizes


def pair_for(task: str, weak_response: str, weak_answer: str | None, responses: list[str],
             answers: list[str | None], rule: PairRule, rng: random.Random) -> tuple[dict | None, str]:
    """(pair or None, why): pair = {chosen, rejected, kind, chosen_answer, confidence}."""
    n, top = len(answers), majority(task, answers)
    confidence = len(top) / n if n else 0.0
    if not top or len(top) < rule.skip_below * n - 1e-9:
        return None, "low_confidence"
    if same_answer(task, weak_answer, answers[top[0]]):
        differ = [i for i in range(n) if i not in top]
        if not differ:
            return None, "no_contrast"
        pair = dict(chosen=weak_response, rejected=responses[rng.choice(differ)], kind="weak_chosen",
                    chosen_answer=weak_answer)
    elif len(top) >= rule.flip_at * n - 1e-9:
        pair = dict(chosen=responses[top[0]], rejected=weak_response, kind="majority_chosen",
                    chosen_answer=answers[top[0]])
    else:
        return None, "weak_disagrees"
    return {**pair, "confidence": confidence}, pair["kind"]


def stage2_pairs(samples: pd.DataFrame, weak: pd.DataFrame, rule: PairRule, seed: int) -> tuple[pd.DataFrame, dict]:
    """samples: id, task, prompt, sample, response, answer (N per question); weak: id, response,
    answer. Returns the pairs (id, task, prompt, chosen, rejected, kind, chosen_answer, confidence) and a count of
    what happened to every question."""
    rng = random.Random(f"{seed}/w2s-pairs")
    weak_by_id = weak.set_index("id")
    rows, outcomes = [], {}
    for qid, group in samples.sort_values(["id", "sample"]).groupby("id", sort=True):
        w = weak_by_id.loc[qid]
        task, prompt = group["task"].iloc[0], group["prompt"].iloc[0]
        pair, why = pair_for(task, w["response"], w["answer"], list(group["response"]), list(group["answer"]), rule, rng)
        outcomes[why] = outcomes.get(why, 0) + 1
        if pair:
            rows.append(dict(id=qid, task=task, prompt=prompt, **pair))
    cols = ["id", "task", "prompt", "chosen", "rejected", "kind", "chosen_answer", "confidence"]
    return pd.DataFrame(rows, columns=cols), outcomes
