"""The `alphallm` params section as one dataclass tree, its defaults in one place; its `mcts`
subsection is the search's own MCTSConfig.

    ALPHA = config.build(AlphaLLMConfig, params["alphallm"], "alphallm")    # rules/alphallm.smk
    ALPHA.mcts.iterations, ALPHA.compute.budgets, ...

tests/test_alphallm_config.py checks the tree against schemas/params.schema.yaml (keys and defaults).
"""
from __future__ import annotations

from dataclasses import dataclass, field

RUN_FIELDS = ("alphallm.mcts.batch_size", "alphallm.mcts.seed")   # MCTSConfig's, not params: a job sets them
LADDER_RUNGS = ["vanilla", "adaptive", "prm", "rollout"]
VERIFIER = "verifier"   # eta-MCTS with the verifier in the ORM's place: the ceiling of search (the claims' ladder)


@dataclass
class MCTSConfig:
    """eta-MCTS (alphallm/mcts.py): the `alphallm.mcts` params and a run's batch size and seed."""
    iterations: int = 8                 # search steps: one selection + expansion per tree each
    c_uct: float = 1.0                  # UCT exploration constant
    alpha: float = 4.0                  # importance -> width: floor(alpha * I) + 1
    c_min: list[int] = field(default_factory=lambda: [2])   # by depth; the last entry holds below
    c_max: list[int] = field(default_factory=lambda: [4])
    adaptive: bool = True               # False: every node gets c_max(d) options at once
    merge_distance: int | None = 2      # None: no state merge
    weights: dict = field(default_factory=lambda: {"value": 1.0, "prm": 1.0, "orm": 1.0})
    rollouts: int = 1                   # fast rollouts per new node (orm weight > 0 and a rollout model)
    max_depth: int = 8
    step_tokens: int = 48               # most tokens in one step
    max_new_tokens: int = 128           # most tokens of a whole solution (rollouts, greedy completion)
    temperature: float = 1.0
    top_p: float = 0.95
    answer: str = "visits"              # visits | value
    # how a run goes, not params (RUN_FIELDS)
    batch_size: int = 64
    seed: int = 0

    def __post_init__(self):
        if self.answer not in ("visits", "value"):
            raise ValueError(f"mcts answer {self.answer!r}: visits | value")
        unknown = set(self.weights) - {"value", "prm", "orm"}
        if unknown or not any(self.weights.get(k, 0) > 0 for k in ("value", "prm", "orm")):
            raise ValueError(f"mcts weights {self.weights}: keys value, prm, orm, at least one above 0")

    @staticmethod
    def at_depth(widths: list[int], depth: int) -> int:
        return widths[min(depth, len(widths) - 1)]


@dataclass(kw_only=True)
class Imagine:
    per_seed: int = 8                 # new problems asked for after each seed problem
    temperature: float = 1.0
    consistency_k: int = 0            # > 0: an unparsable problem is kept when the policy answers it consistently
    consistency_agree: float = 1.0


@dataclass(kw_only=True)
class Critics:
    samples: int = 4                  # policy samples per prompt
    heldout: float = 0.2              # fraction of prompts held out for precision, recall, ECE
    prm_samples: int = 1              # samples per prompt whose steps get Monte-Carlo labels
    prm_rollouts: int = 4
    prm_threshold: float = 0.5
    orm: str = "own"                  # own | rm-<loss>: a Eurus reward model as the ORM
    max_length: int = 256
    args: dict = field(default_factory=dict)   # transformers.TrainingArguments options


@dataclass(kw_only=True)
class Improve:
    rounds: int = 2
    gamma: float = 0.5                # keep a best leaf when its ORM score is at least this
    trl: dict = field(default_factory=dict)


@dataclass(kw_only=True)
class Compute:
    problems: int = 100               # per family: the first problems of the test split
    n: list[int] = field(default_factory=lambda: [1, 2, 4, 8, 16])
    budgets: list[int] = field(default_factory=lambda: [2, 4, 8, 16])
    ablations: bool = True
    reward_model: str = "rm-bt+dr"    # the Eurus reward model best-of-N reranks with


@dataclass(kw_only=True)
class AlphaLLMConfig:
    tasks: list[str]                  # families with steps on lines and a final answer
    policy: str                       # the starting policy, a model's name
    rollout: str                      # the fast-rollout model, by name
    prompts: int                      # per family: imagination's seeds and the critics' data
    imagine: Imagine = field(default_factory=Imagine)
    critics: Critics = field(default_factory=Critics)
    mcts: MCTSConfig = field(default_factory=MCTSConfig)
    improve: Improve = field(default_factory=Improve)
    compute: Compute = field(default_factory=Compute)

    @property
    def variants(self) -> list[str]:
        """Every MCTS decoding of the compute comparison: eta-MCTS at each budget, the ablation ladder,
        and eta-MCTS at mcts.iterations with the verifier scoring finished paths."""
        return [f"b{b}" for b in self.compute.budgets] + (LADDER_RUNGS if self.compute.ablations else []) + [VERIFIER]

    @property
    def claim_variants(self) -> list[str]:
        """What the claims read: eta-MCTS at mcts.iterations, the ablation ladder and the verifier's search."""
        return [f"b{self.mcts.iterations}"] + [v for v in self.variants if not v.startswith("b")]
