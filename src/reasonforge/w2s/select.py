"""Stage I of weak-to-strong: which weak labels the strong model learns from.

- `split_pool`: the train pool of each family into train_1 (gold, for the weak model only) and
  train_2 (the strong side never sees its gold);
- `icl_prompts`: each train_2 question after k demonstrations, other train_2 questions of its
  family and form with the weak model's responses, chained the way the corpus chains problems
  (a blank line between them), so a base model reads them as a document it knows;
- `select_consistent`: keep a question when the weak final answer is non-empty and equals the
  strong side's (math answers compared with math-verify), as the paper's final-answer consistency;
- `stage1_rows`: the SFT rows of the kept questions: the weak responses, the strong side's, or both
  (hybrid).
Nothing the method runs reads a gold answer: labels carry the answers extracted from the models' own
output. Two functions do, for reports and ladders alone: `precision` (label precision) and
`select_right` (the oracle rung: the weak labels that are right, the ceiling of any selection).
"""
from __future__ import annotations

import random

import pandas as pd

from ..tasks import math
from ..tasks.document import SEPARATOR

SETS = ("weak", "icl", "hybrid")


def split_pool(train: pd.DataFrame, n_1: int, n_2: int, seed: int) -> pd.DataFrame:
    """One family's train pool -> its first n_1 + n_2 rows in a seeded order, `part` train_1 / train_2."""
    if n_1 + n_2 > len(train):
        raise ValueError(f"w2s split: {n_1} + {n_2} instructions asked of a train pool of {len(train)} "
                         f"({train['task'].iloc[0] if len(train) else '?'})")
    order = list(range(len(train)))
    random.Random(f"{seed}/w2s-split").shuffle(order)
    out = train.iloc[order[: n_1 + n_2]].copy()
    out["part"] = ["train_1"] * n_1 + ["train_2"] * n_2
    return out.reset_index(drop=True)


def empty(answer) -> bool:
    """No final answer: None, NaN (a parquet null) or blank."""
    return answer is None or (isinstance(answer, float) and answer != answer) or not str(answer).strip()


def same_answer(task: str, a: str | None, b: str | None) -> bool:
    """Do two final answers agree? An empty answer agrees with nothing."""
    if empty(a) or empty(b):
        return False
    return math.answers_match(a, b) if task == "math" else a.strip() == b.strip()


def icl_prompts(questions: pd.DataFrame, weak: pd.DataFrame, k: int, seed: int, fits=None) -> tuple[list[str], list[int]]:
    """For each question row (id, task, form, prompt), k demonstrations drawn from the weak labels
    (id, task, form, prompt, response) of other questions of the same task and form; while
    `fits(prompt)` is False, the demonstration farthest from the question is dropped. Returns the
    prompts and how many demonstrations each kept."""
    pools = {key: g.to_dict("records") for key, g in weak.groupby(["task", "form"])}
    rng = random.Random(f"{seed}/w2s-icl")
    prompts, kept = [], []
    for q in questions.to_dict("records"):
        others = [d for d in pools.get((q["task"], q["form"]), []) if d["id"] != q["id"]]
        demos = [d["prompt"] + d["response"] for d in rng.sample(others, min(k, len(others)))]
        while demos and fits is not None and not fits(SEPARATOR.join(demos + [q["prompt"]])):
            demos = demos[1:]
        prompts.append(SEPARATOR.join(demos + [q["prompt"]]))
        kept.append(len(demos))
    return prompts, kept


def select_consistent(weak: pd.DataFrame, strong: pd.DataFrame) -> pd.DataFrame:
    """Questions whose weak answer is non-empty and equals the strong side's. Both tables: id, task,
    prompt, response, answer. Returns id, task, prompt, weak_response, weak_answer, icl_response,
    icl_answer (the strong side's labels are called icl in every iteration's table)."""
    both = weak.merge(strong[["id", "response", "answer"]], on="id", suffixes=("_weak", "_icl"), validate="1:1")
    keep = [same_answer(t, a, b) for t, a, b in zip(both["task"], both["answer_weak"], both["answer_icl"])]
    out = both[keep].rename(columns={"response_weak": "weak_response", "answer_weak": "weak_answer",
                                     "response_icl": "icl_response", "answer_icl": "icl_answer"})
    return out[["id", "task", "prompt", "weak_response", "weak_answer", "icl_response", "icl_answer"]].reset_index(drop=True)


def right_mask(labels: pd.DataFrame, gold: pd.DataFrame) -> list[bool]:
    """For each label (id, task, answer): does its answer match the gold (id, answer)?"""
    merged = labels[["id", "task", "answer"]].merge(gold[["id", "answer"]].rename(columns={"answer": "gold"}),
                                                    on="id", how="left", validate="m:1")
    if merged["gold"].isna().any():
        raise ValueError(f"weak-to-strong: no gold answer for label {merged.loc[merged['gold'].isna(), 'id'].iloc[0]!r}")
    return [same_answer(t, a, g) for t, a, g in zip(merged["task"], merged["answer"], merged["gold"])]


def select_right(labels: pd.DataFrame, gold: pd.DataFrame) -> pd.DataFrame:
    """The oracle filter of stage I's ladder: the labels whose answer is right (never a method's input)."""
    return labels[right_mask(labels, gold)].reset_index(drop=True)


def stage1_rows(selected: pd.DataFrame, which: str) -> pd.DataFrame:
    """SFT rows (id, prompt, completion, source) of the selected questions: weak, icl or hybrid (both)."""
    if which not in SETS:
        raise ValueError(f"w2s.stage1.set: {which!r} is not one of {', '.join(SETS)}")
    parts = [("weak", "weak_response"), ("icl", "icl_response")]
    rows = [selected[["id", "prompt", col]].rename(columns={col: "completion"}).assign(source=src)
            for src, col in parts if which in (src, "hybrid")]
    return pd.concat(rows, ignore_index=True)


def precision(labels: pd.DataFrame, gold: pd.DataFrame) -> float:
    """Share of the labels (id, task, answer) whose answer matches the gold (id, answer): for reports
    only. NaN for no labels."""
    if labels.empty:
        return float("nan")
    return float(sum(right_mask(labels, gold)) / len(labels))
