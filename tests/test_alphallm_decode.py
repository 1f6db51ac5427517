"""The compute problems' decoding: each variant's search config (budgets and the ablation ladder)."""
from reasonforge.alphallm.compute import LADDER
from reasonforge.alphallm.decode import ABLATIONS, mcts_config

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
