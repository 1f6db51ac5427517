"""Weak-to-strong's tables: the split, gold, labels, selections and stage II pairs."""
from __future__ import annotations

import pandera.pandas as pa
from pandera.typing import Series

from ..tables import Strict

W2S_TASKS = ["math", "logic"]  # weak-to-strong needs a final answer to agree on


class W2SSplit(Strict):
    """data/w2s/split.parquet: the train-pool questions weak-to-strong uses, no gold: train_1 (the
    weak model's gold) and train_2 (the strong side's questions)."""

    id: Series[str] = pa.Field(unique=True)
    task: Series[str] = pa.Field(isin=W2S_TASKS)
    form: Series[str] = pa.Field(isin=["cot", "pot"])
    part: Series[str] = pa.Field(isin=["train_1", "train_2"])
    prompt: Series[str] = pa.Field(str_length={"min_value": 1})


class W2SGold(Strict):
    """data/w2s/gold_train_{1,2}.parquet: reference solutions (completion) and answers of one part.
    train_1's train the weak model; train_2's train only the ceiling and score the reports."""

    id: Series[str] = pa.Field(unique=True)
    task: Series[str] = pa.Field(isin=W2S_TASKS)
    form: Series[str] = pa.Field(isin=["cot", "pot"])
    prompt: Series[str] = pa.Field(str_length={"min_value": 1})
    completion: Series[str] = pa.Field(str_length={"min_value": 1})
    answer: Series[str]


class W2SLabels(Strict):
    """data/w2s/{weak_labels,icl_labels}.parquet, data/w2s/relabels/iter{k}.parquet,
    data/w2s/stage2/samples.parquet: a model's responses to train_2 questions, one row per sample,
    with the final answer read from the response (never from the gold)."""

    id: Series[str]
    task: Series[str] = pa.Field(isin=W2S_TASKS)
    form: Series[str] = pa.Field(isin=["cot", "pot"])
    prompt: Series[str] = pa.Field(str_length={"min_value": 1})   # the question (without demonstrations)
    sample: Series[int] = pa.Field(ge=0)
    response: Series[str]
    answer: Series[str] = pa.Field(nullable=True)
    demos: Series[int] = pa.Field(ge=0)                            # demonstrations the model was shown

    @pa.dataframe_check(error="(id, sample) must be unique")
    def one_row_per_sample(cls, df):
        return ~df.duplicated(["id", "sample"])


class W2SSelection(Strict):
    """data/w2s/stage1/iter{k}.parquet: the train_2 questions whose weak answer (non-empty) equals
    the strong side's, with both responses."""

    id: Series[str] = pa.Field(unique=True)
    task: Series[str] = pa.Field(isin=W2S_TASKS)
    prompt: Series[str] = pa.Field(str_length={"min_value": 1})
    weak_response: Series[str]
    weak_answer: Series[str]
    icl_response: Series[str]
    icl_answer: Series[str]


class W2SPairs(Strict):
    """data/w2s/stage2/pairs.parquet: stage II's pairs, the weak response always one side."""

    id: Series[str] = pa.Field(unique=True)
    task: Series[str] = pa.Field(isin=W2S_TASKS)
    prompt: Series[str] = pa.Field(str_length={"min_value": 1})
    chosen: Series[str]
    rejected: Series[str]
    kind: Series[str] = pa.Field(isin=["weak_chosen", "majority_chosen"])
    chosen_answer: Series[str]                                     # for the report's precision
    confidence: Series[float] = pa.Field(ge=0, le=1)
