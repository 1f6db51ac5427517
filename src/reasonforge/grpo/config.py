"""The `grpo` params section as one dataclass tree, its defaults in one place.

    GRPO = config.build(GRPOMethodConfig, params["grpo"], "grpo")    # rules/grpo.smk

tests/test_grpo_config.py checks the tree against schemas/params.schema.yaml (keys and defaults).
"""
from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(kw_only=True)
class PassAtK:
    n: int = 16                       # samples per test instruction, before and after (claim G2)
    k: list[int] = field(default_factory=lambda: [1, 4, 16])


@dataclass(kw_only=True)
class GRPOMethodConfig:
    start: str = "sft"                # the model GRPO starts from, by name (a model of the DAG)
    tasks: list[str] = field(default_factory=lambda: ["math", "code", "logic"])
    instructions: int = 300           # per family: the first train-pool instructions (the Eurus trees' own)
    format_weight: float = 0.0        # > 0: a format reward beside the verifier's, with this weight
    match_tokens: str | None = "dpo"  # stop at the tokens this model was trained on (G3); None: trl's max_steps
    trl: dict = field(default_factory=dict)   # trl.GRPOConfig options
    lora: dict | None = None
    passk: PassAtK = field(default_factory=PassAtK)
