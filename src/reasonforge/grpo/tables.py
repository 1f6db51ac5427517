"""The schemas of GRPO's tables; only its scripts import them."""
from __future__ import annotations

import pandera.pandas as pa
from pandera.typing import Series

from ..tables import Strict


class GRPOPrompts(Strict):
    """data/grpo/prompts.parquet: the instructions GRPO samples from, with what the verifiers read."""

    id: Series[str] = pa.Field(unique=True)
    task: Series[str] = pa.Field(isin=["math", "code", "logic"])
    form: Series[str] = pa.Field(isin=["cot", "pot", "code"])
    prompt: Series[str] = pa.Field(str_length={"min_value": 1})
    answer: Series[str] = pa.Field(nullable=True)
    tests: Series[str] = pa.Field(nullable=True)

    @pa.dataframe_check(error="every prompt needs an answer or tests (the reward is a verifier)")
    def answer_or_tests(cls, df):
        return df["answer"].notna() | df["tests"].notna()


class GRPOSteps(Strict):
    """results/grpo/seed{seed}/steps.csv: one row per training step (TRL's logs, named plainly)."""

    step: Series[int] = pa.Field(ge=1)
    reward: Series[float] = pa.Field(ge=0)
    reward_std: Series[float] = pa.Field(ge=0)
    zero_spread_share: Series[float] = pa.Field(ge=0, le=1)   # groups whose completions all got one reward
    kl: Series[float] = pa.Field(nullable=True)               # none when beta = 0 (no reference model)
    completion_length: Series[float] = pa.Field(ge=0)
    completions: Series[int] = pa.Field(ge=1)
    trained_tokens: Series[int] = pa.Field(ge=0)              # cumulative prompt + completion tokens
    generated_tokens: Series[int] = pa.Field(ge=0)            # cumulative completion tokens
    generate_s: Series[float] = pa.Field(ge=0)
    verify_s: Series[float] = pa.Field(ge=0)
    step_s: Series[float] = pa.Field(ge=0)
