"""The `w2s` params section as one dataclass tree, its defaults in one place.

    W2S = config.build(W2SConfig, params["w2s"], "w2s")    # rules/w2s.smk
    W2S.stage1.set, W2S.stage2.algos, ...

tests/test_w2s_config.py checks the tree against schemas/params.schema.yaml (keys and defaults).
"""
from __future__ import annotations

from dataclasses import dataclass, field

SETS = ["weak", "icl", "hybrid"]


@dataclass(kw_only=True)
class Weak:
    model: str = "weak"               # the base model fine-tuned on train_1's gold
    trl: dict = field(default_factory=dict)


@dataclass(kw_only=True)
class ICL:
    k: int = 4                        # weak responses shown before each question


@dataclass(kw_only=True)
class Stage1:
    set: str = "hybrid"               # weak | icl | hybrid: what the iterations train on
    compare_sets: list[str] = field(default_factory=lambda: list(SETS))   # also trained at iteration 1
    iterations: int = 2
    trl: dict = field(default_factory=dict)


@dataclass(kw_only=True)
class Stage2:
    n: int = 10                       # samples of the starting model per question
    temperature: float = 1.0
    skip_below: float = 0.6           # majority confidence below this: no pair
    flip_at: float = 0.8              # weak answer not the majority: a pair only from this confidence
    algos: list[str] = field(default_factory=lambda: ["dpo", "orpo"])
    start: str | None = None          # a model's name; None: the last stage-I iteration of stage1.set
    trl: dict = field(default_factory=dict)
    per_algo: dict = field(default_factory=dict)


@dataclass(kw_only=True)
class W2SConfig:
    tasks: list[str]                  # families with a final answer to agree on
    train_1: int                      # questions per family whose gold trains the weak model
    train_2: int                      # questions per family the strong side labels
    weak: Weak = field(default_factory=Weak)
    icl: ICL = field(default_factory=ICL)
    stage1: Stage1 = field(default_factory=Stage1)
    stage2: Stage2 = field(default_factory=Stage2)

    @property
    def iterations(self) -> list[int]:
        return list(range(1, self.stage1.iterations + 1))

    @property
    def stage1_runs(self) -> list[tuple[str, int]]:
        """(set, iteration) of every stage-I model: the chosen set at every iteration, the others at 1."""
        return sorted({(self.stage1.set, k) for k in self.iterations} | {(s, 1) for s in self.stage1.compare_sets})

    @property
    def stage2_start(self) -> str:
        """The name of the model stage II starts from."""
        return self.stage2.start or f"w2s-s1-{self.stage1.set}-{self.iterations[-1]}"
