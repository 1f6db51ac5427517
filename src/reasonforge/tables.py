"""pandera schemas, one per artifact table (strict: no extra columns; coerce: dtypes fixed).

`SCHEMA_FOR_PATH` maps artifact path patterns to their schema, for `reasonforge validate`.
"""
from __future__ import annotations

import fnmatch

import pandera.pandas as pa
from pandera.typing import Series

TASK_FAMILIES = ["math", "code", "logic"]
SPLITS = ["train", "test", "ood"]


class Strict(pa.DataFrameModel):
    class Config:
        strict = True
        coerce = True


class Instructions(Strict):
    """data/tasks/{task}/{split}.parquet: one row per instruction."""

    id: Series[str] = pa.Field(unique=True)
    task: Series[str] = pa.Field(isin=TASK_FAMILIES)
    source: Series[str]                       # synthetic | gsm8k | math | mbpp | humaneval
    split: Series[str] = pa.Field(isin=SPLITS)
    difficulty: Series[int] = pa.Field(ge=0)
    form: Series[str] = pa.Field(isin=["cot", "pot", "code"])
    prompt: Series[str] = pa.Field(str_length={"min_value": 1})
    answer: Series[str] = pa.Field(nullable=True)     # reference final answer (math, logic)
    tests: Series[str] = pa.Field(nullable=True)      # hidden test program (code)
    solution: Series[str] = pa.Field(nullable=True)   # reference completion, for training

    @pa.dataframe_check(error="every row needs an answer or tests")
    def answer_or_tests(cls, df):
        return df["answer"].notna() | df["tests"].notna()


class EvalSamples(Strict):
    """results/eval/{model}/{benchmark}.parquet: one row per (instruction, sample)."""

    id: Series[str]
    model: Series[str]
    benchmark: Series[str]
    split: Series[str] = pa.Field(isin=SPLITS)
    form: Series[str]
    sample: Series[int] = pa.Field(ge=0)
    greedy: Series[bool]
    completion: Series[str]
    answer: Series[str] = pa.Field(nullable=True)     # extracted final answer, if any
    correct: Series[bool]
    status: Series[str]                               # verifier verdict: correct | wrong | no_answer | error | timeout ...
    tokens: Series[int] = pa.Field(ge=0)


class Summary(Strict):
    """results/eval/summary.csv: long format, one row per (model, benchmark, split, metric)."""

    model: Series[str]
    benchmark: Series[str]
    split: Series[str]
    metric: Series[str]
    value: Series[float] = pa.Field(ge=0, le=1)
    ci_low: Series[float] = pa.Field(ge=0, le=1)
    ci_high: Series[float] = pa.Field(ge=0, le=1)
    n: Series[int] = pa.Field(ge=0)

    @pa.dataframe_check(error="need ci_low <= value <= ci_high")
    def ci_brackets_value(cls, df):
        return (df["ci_low"] <= df["value"] + 1e-12) & (df["value"] <= df["ci_high"] + 1e-12)


SCHEMA_FOR_PATH = {
    "data/tasks/*/*.parquet": Instructions,
    "results/eval/*/*.parquet": EvalSamples,
    "results/eval/summary.csv": Summary,
}


def schema_for(path: str):
    norm = str(path).replace("\\", "/")
    for pattern, schema in SCHEMA_FOR_PATH.items():
        if fnmatch.fnmatch(norm, pattern) or fnmatch.fnmatch(norm, "*/" + pattern):
            return schema
    raise KeyError(f"{path}: no schema for this artifact (known: {', '.join(SCHEMA_FOR_PATH)})")
