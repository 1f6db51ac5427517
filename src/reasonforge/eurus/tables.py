"""Eurus's tables: the preference trees and what is derived from them for training."""
from __future__ import annotations

import pandera.pandas as pa
from pandera.typing import Series

from ..tables import TASK_FAMILIES, Strict


class TreeNodes(Strict):
    """data/eurus/trees.parquet: one row per node of a preference tree (trees/build.py).
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
    """data/eurus/sft.parquet: one row per correct action (prompt -> completion)."""

    completion: Series[str] = pa.Field(str_length={"min_value": 1})
    obtained: Series[str] = pa.Field(isin=["sampled", "escalated", "reference"])


class Pairs(_FromTrees):
    """data/eurus/pairs.parquet: one row per preference pair; chosen verified correct,
    rejected verified incorrect, both continuing the same trajectory (prompt)."""

    chosen: Series[str] = pa.Field(str_length={"min_value": 1})
    rejected: Series[str]
    chosen_actor: Series[str]
    rejected_actor: Series[str]
    chosen_obtained: Series[str] = pa.Field(isin=["sampled", "escalated", "reference"])

    @pa.dataframe_check(error="chosen and rejected must differ")
    def sides_differ(cls, df):
        return df["chosen"] != df["rejected"]


class BonScores(Strict):
    """results/eurus/seed{seed}/bon/rm-{loss}/scores.parquet: a reward model's score of every best-of-N
    candidate (the ladder's pair accuracy on samples and length correlation read them)."""

    benchmark: Series[str]
    split: Series[str]
    id: Series[str]
    sample: Series[int] = pa.Field(ge=1)
    score: Series[float]


class BonLadder(Strict):
    """results/eurus/seed{seed}/bon_ladder.parquet: evaluate.bon.ladder per benchmark and split."""

    benchmark: Series[str]
    split: Series[str]
    rung: Series[str]
    metric: Series[str] = pa.Field(isin=["accuracy", "pair_accuracy", "length_corr"])
    value: Series[float] = pa.Field(nullable=True)
    n: Series[int] = pa.Field(ge=0)
