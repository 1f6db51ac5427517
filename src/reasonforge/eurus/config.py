"""The `eurus` params section as one dataclass tree, its defaults in one place.

    EURUS = config.build(EurusConfig, params["eurus"], "eurus")    # rules/eurus.smk
    EURUS.preference.algos, EURUS.trees.escalate.k, ...

tests/test_eurus_config.py checks the tree against schemas/params.schema.yaml (keys and defaults).
"""
from __future__ import annotations

from dataclasses import dataclass, field

ALGOS = ["dpo", "kto", "nca", "orpo"]
LOSSES = ["bt", "dr", "bt+dr"]


@dataclass(kw_only=True)
class Actor:
    model: str                        # a base model's name
    temperature: float = 1.0


@dataclass(kw_only=True)
class Escalate:
    """Re-sampling when no action at a node is correct."""
    model: str
    temperature: float = 1.0
    k: int = 4
    rounds: int = 1


@dataclass(kw_only=True)
class Trees:
    actors: list[Actor]
    k: int = 2                        # actions per actor per open branch and turn
    escalate: Escalate | None = None
    reference: bool = True            # the reference solution is the correct action when none is
    max_turns: int = 5
    critic: str = "verifier"          # verifier | a base model's name
    max_new_tokens: int = 128


@dataclass(kw_only=True)
class SFT:
    history: bool = False             # train on the interaction history too (the paper's best: without)
    trl: dict = field(default_factory=dict)
    lora: dict | None = None


@dataclass(kw_only=True)
class Preference:
    algos: list[str] = field(default_factory=lambda: list(ALGOS))
    trl: dict = field(default_factory=dict)
    per_algo: dict = field(default_factory=dict)   # algo -> TRL options over the shared ones
    lora: dict | None = None


@dataclass(kw_only=True)
class Reward:
    losses: list[str] = field(default_factory=lambda: list(LOSSES))
    heldout: float = 0.2              # fraction of trees held out for pair accuracy
    trl: dict = field(default_factory=dict)
    lora: dict | None = None


@dataclass(kw_only=True)
class BestOfN:
    n: int = 16
    selectors: list[str] = field(default_factory=lambda: ["random", "majority", *(f"rm-{loss}" for loss in LOSSES)])


@dataclass(kw_only=True)
class EurusConfig:
    instructions: int                 # train-pool instructions per family that get a tree
    trees: Trees
    sft: SFT = field(default_factory=SFT)
    preference: Preference = field(default_factory=Preference)
    reward: Reward = field(default_factory=Reward)
    bon: BestOfN = field(default_factory=BestOfN)

    def tree_models(self) -> list[str]:
        """The base models the trees need: every actor's, the escalation's, a model critic's."""
        names = {a.model for a in self.trees.actors} | ({self.trees.escalate.model} if self.trees.escalate else set())
        return sorted(names | ({self.trees.critic} - {"verifier"}))
