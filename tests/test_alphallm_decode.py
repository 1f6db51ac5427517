"""The compute problems' decoding: each variant's search config (budgets and the ablation ladder)."""
import pandas as pd

from reasonforge.alphallm.compute import LADDER
from reasonforge.alphallm.config import VERIFIER
from reasonforge.alphallm.decode import ABLATIONS, VerifierCritic, mcts_config

PARAMS = dict(iterations=8, c_min=[2], c_max=[4], merge_distance=2, rollouts=1)


def test_variants_are_budgets_and_the_ablation_ladder():
    assert mcts_config(PARAMS, "b16", seed=1, batch_size=8).iterations == 16
    vanilla = mcts_config(PARAMS, "vanilla", 0, 8)
    assert (vanilla.adaptive, vanilla.merge_distance, vanilla.rollouts, vanilla.iterations) == (False, None, 0, 8)
    assert vanilla.weights == {"value": 1.0, "prm": 0.0, "orm": 0.0}
    assert mcts_config(PARAMS, "prm", 0, 8).weights["prm"] == 1.0 and mcts_config(PARAMS, "prm", 0, 8).adaptive
    rollout = mcts_config(PARAMS, "rollout", 0, 8)
    assert rollout.weights["orm"] == 1.0 and rollout.merge_distance is None and rollout.rollouts == 1


def test_the_ladder_names_every_rung():
    assert list(ABLATIONS) == LADDER


def test_the_verifier_critic_scores_finished_paths_by_the_reference(sandbox):
    problems = pd.DataFrame([dict(id="m1", task="math", form="cot", prompt="Q: 2+2?\nA (steps):\n", answer="4", tests=None,
                                  solution="Step 1: 2+2=4\nAnswer: 4", split="test", difficulty=1, source="synthetic")])
    critic = VerifierCritic(problems, sandbox)
    p = problems["prompt"].iloc[0]
    assert critic.score([p, p, p], ["Step 1: 2+2=4\nAnswer: 4", "Answer: 5", "Answer: 4 or 5"]) == [1.0, 0.0, 0.0]
    assert critic.tokens_read == 0       # a search pays nothing for it
    assert mcts_config({}, VERIFIER, 0, 8) == mcts_config({}, "b8", 0, 8)   # eta-MCTS as configured
