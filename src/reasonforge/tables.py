"""The shared tables' pandera schemas: instructions, the pretraining corpus, evaluation samples and
the summary (strict: no extra columns; coerce: dtypes fixed). Each method keeps its own tables'
schemas in its package (`eurus.tables`, `w2s.tables`, `alphallm.tables`), and a script names the
schema of each table it reads or writes: an edit of one method's schema then changes the code of
that method's stages alone (when io.py found schemas by path, tables.py was a code input of all 76).
"""
from __future__ import annotations

import pandera.pandas as pa
from pandera.typing import Series

TASK_FAMILIES = ["math", "code", "logic"]
SPLITS = ["pretrain", "train", "test", "ood"]


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


class Corpus(Strict):
    """data/corpus/pretrain.parquet: one row per document of the web-like pretraining corpus."""

    doc_id: Series[str] = pa.Field(unique=True)
    task: Series[str] = pa.Field(isin=TASK_FAMILIES)
    text: Series[str] = pa.Field(str_length={"min_value": 1})
    n_problems: Series[int] = pa.Field(ge=1)
    n_flawed: Series[int] = pa.Field(ge=0)
    flaws: Series[str]                                # kinds of the flawed solutions, comma-separated
    sources: Series[str]                              # instruction ids of the pretrain pool, comma-separated

    @pa.dataframe_check(error="n_flawed must not exceed n_problems")
    def flawed_within_problems(cls, df):
        return df["n_flawed"] <= df["n_problems"]


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
