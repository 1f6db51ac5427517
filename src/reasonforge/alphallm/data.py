"""What AlphaLLM's rules read: its prompt pool, the compute problems, and the critics for a search."""
from __future__ import annotations

import pandas as pd

from .critics import Critic


def prompt_pool(train_pools: list[pd.DataFrame], n: int) -> pd.DataFrame:
    """The last n problems of each family's train pool: imagination's seeds and the critics' data.
    (Eurus takes the first instructions; weak-to-strong a seeded draw, which may share a few.)"""
    for pool in train_pools:
        if len(pool) < n:
            raise ValueError(f"alphallm.prompts: {n} asked of a train pool of {len(pool)} ({pool['task'].iloc[0]})")
    return pd.concat([pool.iloc[-n:] for pool in train_pools], ignore_index=True)


def compute_problems(test_pools: list[pd.DataFrame], n: int) -> pd.DataFrame:
    """The first n problems of each family's test split: every method of the compute comparison
    answers the same ones."""
    return pd.concat([pool.iloc[:n] for pool in test_pools], ignore_index=True)


def load_critics(value: str, prm: str, orm: str, weights: dict, threads: int, keep_orm: bool = False) -> dict:
    """The critics with weight (a search reads, and pays for, only those); the ORM also when
    `keep_orm` (self-improvement keeps finished leaves by its score)."""
    return {"value": Critic(value, threads) if weights.get("value", 0) > 0 else None,
            "prm": Critic(prm, threads) if weights.get("prm", 0) > 0 else None,
            "orm": Critic(orm, threads) if keep_orm or weights.get("orm", 0) > 0 else None}
