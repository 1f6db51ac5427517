"""pandera schemas, one per artifact table (strict: no extra columns; coerce: dtypes fixed).

`SCHEMA_FOR_PATH` maps artifact path patterns to their schema, for `reasonforge validate`.
"""
from __future__ import annotations

import fnmatch
import re

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


class TreeNodes(Strict):
    """data/ultrainteract/trees.parquet: one row per node of a preference tree (trees/build.py).
    Integrity: one root per tree (turn 0, no parent), parents exist in the same tree, turn = depth,
    correct nodes are leaves, at most one correct and one incorrect child per node."""

    tree_id: Series[str]
    node_id: Series[str] = pa.Field(unique=True)
    parent_id: Series[str] = pa.Field(nullable=True)
    turn: Series[int] = pa.Field(ge=0)
    task: Series[str] = pa.Field(isin=TASK_FAMILIES)
    form: Series[str] = pa.Field(isin=["cot", "pot", "code"])
    instruction: Series[str] = pa.Field(str_length={"min_value": 1})
    action: Series[str]
    observation: Series[str]
    critique: Series[str]
    correct: Series[bool]
    actor: Series[str]
    tokens: Series[int] = pa.Field(ge=0)
    obtained: Series[str] = pa.Field(isin=["root", "sampled", "escalated", "reference"])
    n_candidates: Series[int] = pa.Field(ge=0)        # actions sampled at this expansion (all actors, escalation)
    n_correct: Series[int] = pa.Field(ge=0)           # of them verified correct

    @pa.dataframe_check(error="every tree needs exactly one root (turn 0, no parent, obtained=root)")
    def one_root_per_tree(cls, df):
        root = df["parent_id"].isna()
        ok_root = ~root | ((df["turn"] == 0) & (df["obtained"] == "root"))
        roots = root.groupby(df["tree_id"]).transform("sum")
        return ok_root & (roots == 1) & (root == (df["obtained"] == "root"))

    @pa.dataframe_check(error="a node's parent must exist in the same tree, with turn = parent's turn + 1")
    def parents_exist_and_turn_is_depth(cls, df):
        parents = df.set_index("node_id")[["tree_id", "turn"]]
        p = df["parent_id"].map(parents["tree_id"]), df["parent_id"].map(parents["turn"])
        return df["parent_id"].isna() | ((p[0] == df["tree_id"]) & (p[1] + 1 == df["turn"]))

    @pa.dataframe_check(error="correct nodes must be leaves (a node's parent must not be correct)")
    def correct_nodes_are_leaves(cls, df):
        correct = df.set_index("node_id")["correct"]
        return df["parent_id"].isna() | ~df["parent_id"].map(correct).fillna(False).astype(bool)

    @pa.dataframe_check(error="at most one correct and one incorrect child per node")
    def one_pair_per_node(cls, df):
        return df.groupby(["parent_id", "correct"], dropna=False)["node_id"].transform("size").where(
            df["parent_id"].notna(), 1) == 1


class _FromTrees(Strict):
    tree_id: Series[str]
    turn: Series[int] = pa.Field(ge=1)
    task: Series[str] = pa.Field(isin=TASK_FAMILIES)
    form: Series[str]
    prompt: Series[str] = pa.Field(str_length={"min_value": 1})


class SFTData(_FromTrees):
    """data/ultrainteract/sft.parquet: one row per correct action (prompt -> completion)."""

    completion: Series[str] = pa.Field(str_length={"min_value": 1})
    obtained: Series[str] = pa.Field(isin=["sampled", "escalated", "reference"])


class Pairs(_FromTrees):
    """data/ultrainteract/pairs.parquet: one row per preference pair; chosen verified correct,
    rejected verified incorrect, both continuing the same trajectory (prompt)."""

    chosen: Series[str] = pa.Field(str_length={"min_value": 1})
    rejected: Series[str]
    chosen_actor: Series[str]
    rejected_actor: Series[str]
    chosen_obtained: Series[str] = pa.Field(isin=["sampled", "escalated", "reference"])

    @pa.dataframe_check(error="chosen and rejected must differ")
    def sides_differ(cls, df):
        return df["chosen"] != df["rejected"]


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


SCHEMA_FOR_PATH = {
    "data/tasks/*/*.parquet": Instructions,
    "data/corpus/*.parquet": Corpus,
    "data/ultrainteract/trees.parquet": TreeNodes,
    "data/ultrainteract/sft.parquet": SFTData,
    "data/ultrainteract/pairs.parquet": Pairs,
    "results/eval/*/*.parquet": EvalSamples,
    "results/bon/*/*.parquet": EvalSamples,
    "results/seeds/*.parquet": EvalSamples,           # the claims' seeded evaluations and rerankings
    "results/eval/summary.csv": Summary,
    "data/w2s/split.parquet": W2SSplit,
    "data/w2s/gold_train_*.parquet": W2SGold,
    "data/w2s/*labels.parquet": W2SLabels,
    "data/w2s/relabels/*.parquet": W2SLabels,
    "data/w2s/stage2/samples.parquet": W2SLabels,
    "data/w2s/stage1/*.parquet": W2SSelection,
    "data/w2s/stage2/pairs.parquet": W2SPairs,
    "data/alphallm/imagined.parquet": AlphaImagined,
    "data/alphallm/samples.parquet": AlphaSamples,
    "data/alphallm/step_labels.parquet": AlphaStepLabels,
    "data/alphallm/search/*.parquet": AlphaSearch,
    "results/alphallm/samples/*.parquet": EvalSamples,
    "results/alphallm/mcts/*.parquet": AlphaDecoded,
    "results/alphallm/compute.parquet": AlphaCompute,
}


def schema_for(path: str):
    norm = re.sub(r"data/seeds/seed\d+/w2s/", "data/w2s/", str(path).replace("\\", "/"))  # the claims' seeded reruns
    norm = re.sub(r"(data|results)/seeds/seed\d+/alphallm/", r"\1/alphallm/", norm)
    for pattern, schema in SCHEMA_FOR_PATH.items():
        if fnmatch.fnmatch(norm, pattern) or fnmatch.fnmatch(norm, "*/" + pattern):
            return schema
    raise KeyError(f"{path}: no schema for this artifact (known: {', '.join(SCHEMA_FOR_PATH)})")
