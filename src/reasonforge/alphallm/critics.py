"""The critics' data, their reading during search, and how well they judge held-out samples.

- `value_rows`, `orm_rows`: training rows from policy samples with verified correctness: every step
  prefix (the empty one too: the search values its roots) labelled with the sample's correctness,
  and every whole sample;
- `step_labels`: the PRM's labels by Monte-Carlo estimation: `rollouts` completions of the policy
  from each step prefix, verified; the step is good when their success rate exceeds `threshold`;
- `Critic`: a trained critic read as a number in [0, 1] (a regression head clipped, a BCE head's
  or a reward model's sigmoid), counting the tokens it reads;
- `heldout_ids`, `judge_metrics`: a seeded split by problem, and precision, recall and expected
  calibration error on the held-out part.
"""
from __future__ import annotations

import math
import random

import numpy as np
import pandas as pd

from ..models.generate import SamplingConfig
from ..models.score import SequenceScorer
from ..tasks.verify import verify_batch
from .mcts import SOLUTION_END, STEP_END


def step_prefixes(completion: str) -> list[str]:
    """"" then the completion up to and including each line break, then the whole (if it goes on)."""
    cuts = [i + 1 for i, ch in enumerate(completion) if ch == STEP_END]
    out = [""] + [completion[:i] for i in cuts]
    return out if out[-1] == completion else out + [completion]


def value_rows(samples: pd.DataFrame) -> pd.DataFrame:
    rows = [dict(id=s.id, prompt=s.prompt, completion=prefix, label=float(s.correct))
            for s in samples.itertuples() for prefix in step_prefixes(s.completion)]
    return pd.DataFrame(rows, columns=["id", "prompt", "completion", "label"])


def orm_rows(samples: pd.DataFrame) -> pd.DataFrame:
    return pd.DataFrame({"id": samples["id"], "prompt": samples["prompt"], "completion": samples["completion"],
                         "label": samples["correct"].astype(float)})


def step_labels(generator, samples: pd.DataFrame, tasks: pd.DataFrame, rollouts: int, threshold: float, gen: dict,
                sandbox, seed: int, timeout: float | None = None) -> pd.DataFrame:
    """One row per (sample, step prefix): `rollouts` policy completions from the prefix, verified.
    The whole sample's own step is labelled by its own correctness (nothing left to roll out)."""
    task_of = tasks.set_index("id")
    open_, rows = [], []
    for s in samples.itertuples():
        prefixes = step_prefixes(s.completion)[1:]
        for k, prefix in enumerate(prefixes):
            row = dict(id=s.id, sample=s.sample, step=k + 1, prompt=s.prompt, completion=prefix)
            if prefix == s.completion:
                rows.append({**row, "rollouts": 1, "successes": int(s.correct)})
            else:
                open_.append(row)
    sampling = SamplingConfig(n=rollouts, temperature=gen["temperature"], top_p=gen["top_p"], max_new_tokens=gen["max_new_tokens"],
                              stop=SOLUTION_END, seed=seed, batch_size=gen["batch_size"])
    outs = generator.generate([r["prompt"] for r in open_], sampling, progress=True,
                              prefixes=[r["completion"] for r in open_]) if open_ else []
    flat = [(r, r["completion"] + c.text) for r, cs in zip(open_, outs) for c in cs]
    verdicts = verify_batch([task_of.loc[r["id"]].to_dict() | {"id": r["id"]} for r, _ in flat], [t for _, t in flat],
                            sandbox, timeout=timeout)
    wins: dict[int, int] = {}
    for (r, _), v in zip(flat, verdicts):
        wins[id(r)] = wins.get(id(r), 0) + int(v.correct)
    rows += [{**r, "rollouts": rollouts, "successes": wins.get(id(r), 0)} for r in open_]
    columns = ["id", "sample", "step", "prompt", "completion", "rollouts", "successes"]
    out = pd.DataFrame(rows, columns=columns).sort_values(["id", "sample", "step"]).reset_index(drop=True)
    out["estimate"] = out["successes"] / out["rollouts"]
    out["label"] = (out["estimate"] > threshold).astype(float)
    return out


def heldout_ids(ids, fraction: float, seed: int) -> set:
    """A seeded `fraction` of the problems (by id): their samples train no critic."""
    unique = sorted(set(ids))
    random.Random(f"{seed}/critics-heldout").shuffle(unique)
    return set(unique[: max(1, round(fraction * len(unique)))]) if fraction > 0 else set()


def judge_metrics(labels, scores, threshold: float = 0.5, bins: int = 10) -> dict:
    """Precision and recall of `score >= threshold` for label 1, and expected calibration error:
    the mean |mean label - mean score| over equal-width score bins, weighted by their size."""
    y, p = np.asarray(labels, dtype=float), np.clip(np.asarray(scores, dtype=float), 0.0, 1.0)
    said, right = p >= threshold, y >= 0.5
    tp = int((said & right).sum())
    which = np.minimum((p * bins).astype(int), bins - 1)
    ece = sum(abs(y[which == b].mean() - p[which == b].mean()) * (which == b).sum() for b in range(bins) if (which == b).any())
    # None (JSON null) where a rate has no denominator: nothing judged positive, no positives
    return {"n": int(len(y)), "positives": int(right.sum()), "precision": tp / int(said.sum()) if said.any() else None,
            "recall": tp / int(right.sum()) if right.any() else None, "ece": float(ece / max(1, len(y))),
            "mean_score": float(p.mean()) if len(p) else None}


class Critic:
    """A critic read as a number in [0, 1]: a value head (trained with MSE) clipped to [0, 1]; a
    BCE head (PRM, ORM) or a reward model (the Eurus one as ORM) through a sigmoid."""

    def __init__(self, path: str, threads: int | None = None):
        self.scorer = SequenceScorer(path, threads=threads)
        self.regression = self.scorer.model.config.problem_type == "regression"

    @property
    def tokens_read(self) -> int:
        return self.scorer.tokens_read

    def score(self, prompts: list[str], completions: list[str]) -> list[float]:
        raw = self.scorer.score(prompts, completions)
        if self.regression:
            return [min(1.0, max(0.0, x)) for x in raw]
        return [1.0 / (1.0 + math.exp(-x)) if x > -700 else 0.0 for x in raw]
