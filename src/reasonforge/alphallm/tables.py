"""AlphaLLM's tables: imagined prompts, samples, step labels, search rounds, decoding, compute."""
from __future__ import annotations

import pandera.pandas as pa
from pandera.typing import Series

from ..tables import Strict

ALPHA_TASKS = ["math", "logic"]


class AlphaImagined(Strict):
    """data/alphallm/imagined.parquet: every problem the policy imagined, kept or not and why."""

    id: Series[str] = pa.Field(unique=True)
    task: Series[str] = pa.Field(isin=ALPHA_TASKS)
    form: Series[str] = pa.Field(isin=["cot", "pot"])
    prompt: Series[str] = pa.Field(str_length={"min_value": 1})
    answer: Series[str] = pa.Field(nullable=True)     # the grammar's answer, or the consistent one
    seed_id: Series[str]                              # the train-pool problem it was imagined from
    status: Series[str] = pa.Field(isin=["kept", "not_new", "duplicate", "eval_pool", "unparsed", "inconsistent"])
    kept_by: Series[str] = pa.Field(nullable=True, isin=["grammar", "consistency"])

    @pa.dataframe_check(error="a kept problem needs its answer and how it was kept; a rejected one neither")
    def kept_rows_are_checked(cls, df):
        kept = df["status"] == "kept"
        return (kept == df["kept_by"].notna()) & (~kept | df["answer"].notna())


class AlphaSamples(Strict):
    """data/alphallm/samples.parquet: the policy's samples on the AlphaLLM prompts, verified."""

    id: Series[str]
    task: Series[str] = pa.Field(isin=ALPHA_TASKS)
    form: Series[str]
    prompt: Series[str] = pa.Field(str_length={"min_value": 1})
    sample: Series[int] = pa.Field(ge=0)
    completion: Series[str]
    correct: Series[bool]


class AlphaStepLabels(Strict):
    """data/alphallm/step_labels.parquet: the PRM's labels, one row per (sample, step prefix)."""

    id: Series[str]
    sample: Series[int] = pa.Field(ge=0)
    step: Series[int] = pa.Field(ge=1)
    prompt: Series[str]
    completion: Series[str]                           # the sample up to and including this step
    rollouts: Series[int] = pa.Field(ge=1)
    successes: Series[int] = pa.Field(ge=0)
    estimate: Series[float] = pa.Field(ge=0, le=1)
    label: Series[float] = pa.Field(isin=[0.0, 1.0])


class AlphaSearch(Strict):
    """data/alphallm/search/round{r}.parquet: per imagined problem, the best finished leaf of the
    search and whether self-improvement keeps it (ORM score >= gamma)."""

    id: Series[str] = pa.Field(unique=True)
    task: Series[str] = pa.Field(isin=ALPHA_TASKS)
    form: Series[str]
    prompt: Series[str]
    answer: Series[str] = pa.Field(nullable=True)     # the imagined problem's answer (reports only)
    completion: Series[str] = pa.Field(nullable=True)  # the best leaf; null when no path finished
    orm: Series[float] = pa.Field(nullable=True)
    kept: Series[bool]
    correct: Series[bool]                             # its answer equals the imagined answer (reports only)


class AlphaDecoded(Strict):
    """results/alphallm/mcts/{variant}.parquet: one search's answers to the compute problems, with
    each family's counted tokens shared out per problem."""

    id: Series[str]
    task: Series[str] = pa.Field(isin=ALPHA_TASKS)
    variant: Series[str]
    iterations: Series[int] = pa.Field(ge=0)
    completion: Series[str]
    answer: Series[str] = pa.Field(nullable=True)
    correct: Series[bool]
    policy_tokens: Series[float] = pa.Field(ge=0)
    rollout_tokens: Series[float] = pa.Field(ge=0)
    critic_tokens: Series[float] = pa.Field(ge=0)
    merged: Series[float] = pa.Field(ge=0)


class AlphaCompute(Strict):
    """results/alphallm/compute.parquet: accuracy against counted tokens per problem, per method,
    budget and family."""

    method: Series[str]
    budget: Series[int] = pa.Field(ge=0)              # samples N, or search iterations
    task: Series[str] = pa.Field(isin=ALPHA_TASKS + ["mean"])
    problems: Series[int] = pa.Field(ge=1)
    accuracy: Series[float] = pa.Field(ge=0, le=1)
    policy_tokens: Series[float] = pa.Field(ge=0)
    rollout_tokens: Series[float] = pa.Field(ge=0)
    critic_tokens: Series[float] = pa.Field(ge=0)
    tokens: Series[float] = pa.Field(ge=0)            # their sum, per problem
