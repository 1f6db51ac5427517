"""eta-MCTS with a toy policy and critics of known values: branching, merge, UCT, backup, tokens."""
import math

import pytest
from conftest import Judge, Stepper

from reasonforge.alphallm.mcts import MCTSConfig, Node, backup, merge, search, select, uct, width


def node_with(value, child_values, depth=0):
    node = Node(step="", path="", depth=depth, value=value)
    node.children = [Node(step=f"{i}\n", path=f"{i}\n", depth=depth + 1, parent=node, value=v)
                     for i, v in enumerate(child_values)]
    return node


def test_adaptive_width_follows_importance():
    cfg = MCTSConfig(alpha=4.0, c_min=[2], c_max=[4])
    assert width(node_with(0.5, []), cfg) == 2                 # no children: I = 0 -> c_min
    assert width(node_with(0.5, [0.5, 0.6]), cfg) == 2        # floor(4 * 0.1) + 1 = 1 -> c_min
    assert width(node_with(0.5, [0.5, 1.0]), cfg) == 3        # floor(4 * 0.5) + 1 = 3
    assert width(node_with(0.0, [1.0, 0.0]), cfg) == 4        # 5, capped at c_max
    assert width(node_with(0.0, [1.0]), MCTSConfig(adaptive=False, c_max=[3])) == 3
    deep = MCTSConfig(alpha=4.0, c_min=[2, 1], c_max=[4, 3, 2])
    assert width(node_with(0.0, [1.0], depth=5), deep) == 2    # the schedules' last entries hold below
    assert width(node_with(0.0, [], depth=1), deep) == 1


def test_state_merge_drops_near_duplicates_and_counts_them():
    options = [("Step 1: 2+3=5", "stop"), ("Step 1: 2+3=6", "stop"), ("Step 1: 7*8=56", "stop")]
    kept, dropped = merge(options, [], distance=2)
    assert [t for t, _ in kept] == ["Step 1: 2+3=5", "Step 1: 7*8=56"] and dropped == 1
    kept, dropped = merge(options, ["Step 1: 7*8=54"], distance=2)   # a sibling already holds it
    assert [t for t, _ in kept] == ["Step 1: 2+3=5"] and dropped == 2
    assert merge(options + options[:1], [], distance=0)[1] == 1       # 0: exact repeats only
    assert merge(options + options[:1], [], distance=None) == (options + options[:1], 0)


def test_uct_prefers_unvisited_then_the_formula():
    parent = Node(step="", path="", depth=0, visits=10)
    fresh = Node(step="a", path="a", depth=1, parent=parent)
    seen = Node(step="b", path="b", depth=1, parent=parent, visits=4, total=2.0)
    assert uct(fresh, parent, 1.0) == math.inf
    assert uct(seen, parent, 1.0) == pytest.approx(0.5 + math.sqrt(math.log(10) / 4))
    rare = Node(step="c", path="c", depth=1, parent=parent, visits=1, total=0.4)
    parent.children = [seen, rare]
    parent.sampled = 2  # full at c_min = c_max = 2: selection descends
    picked, k = select(parent, MCTSConfig(adaptive=False, c_max=[2], c_uct=1.0))
    assert picked is rare and k == 2  # 0.4 + sqrt(ln 10) > 0.5 + sqrt(ln 10 / 4); a fresh leaf gets c_max
    picked, _ = select(parent, MCTSConfig(adaptive=False, c_max=[2], c_uct=0.0))
    assert picked is seen  # no exploration: the higher mean


def test_backup_keeps_means_along_the_path():
    root = Node(step="", path="", depth=0)
    mid = Node(step="a", path="a", depth=1, parent=root)
    leaf = Node(step="b", path="ab", depth=2, parent=mid)
    backup(leaf, 1.0)
    backup(mid, 0.0)
    assert (root.visits, root.q) == (2, 0.5) and (mid.visits, mid.q) == (2, 0.5) and (leaf.visits, leaf.q) == (1, 1.0)


def two_way_policy(prompt, k):
    """At every state the options alternate good / bad; a path with two steps then answers."""
    steps = prompt.split("|", 1)[1].count("\n")
    if steps >= 2:
        return ("Answer: 1" if prompt.rstrip("\n").split("\n")[-1].startswith("good") else "Answer: 0"), "stop"
    return ("good" if k % 2 == 0 else "bad") + f" {steps}", "stop"


def good_share(prompt, path):
    lines = [s for s in path.split("\n") if s]
    return sum(s.startswith("good") or s == "Answer: 1" for s in lines) / len(lines) if lines else 0.5


def test_search_finds_the_valued_path_batched_and_counts_every_token():
    policy = Stepper(two_way_policy)
    value, prm, orm = Judge(good_share), Judge(good_share), Judge(lambda p, c: float("Answer: 1" in c))
    rollout = Stepper(lambda p, k: ("good\nAnswer: 1" if p.rstrip("\n").endswith(("good 0", "good 1")) else "bad", "stop"))
    cfg = MCTSConfig(iterations=6, c_min=[2], c_max=[2], merge_distance=None, rollouts=2)
    result = search(["A|", "B|"], policy, {"value": value, "prm": prm, "orm": orm}, cfg, rollout=rollout)
    for answer in result.answers:
        assert answer == "good 0\ngood 1\nAnswer: 1\n"
    assert result.best_leaves == result.answers and result.best_orm == [1.0, 1.0]
    # at most one policy call per search step (none when every selection is a finished leaf),
    # both problems' expansions in each; the critics read the roots, then each step's new nodes at once
    assert 1 < len(policy.calls) <= cfg.iterations
    assert all({p.split("|")[0] for p in call} == {"A", "B"} for call in policy.calls)
    assert len(value.calls) == len(policy.calls) + 1
    t = result.tokens
    assert (t.policy_read, t.policy_generated) == (policy.tokens_read, policy.tokens_generated)
    assert (t.rollout_read, t.rollout_generated) == (rollout.tokens_read, rollout.tokens_generated)
    assert t.critic_read == value.tokens_read + prm.tokens_read + orm.tokens_read
    assert t.total == sum(vars(t).values()) and t.rollout_generated > 0
    assert result.nodes == sum(1 for root in result.roots for _ in root.walk())
    assert {"select", "expand", "value", "prm", "rollout", "orm", "backup", "answer"} <= set(result.seconds)


def test_weights_leave_critics_and_rollouts_out():
    policy, rollout = Stepper(two_way_policy), Stepper(lambda p, k: ("x", "stop"))
    value = Judge(good_share)
    cfg = MCTSConfig(iterations=3, weights={"value": 1.0, "prm": 0.0, "orm": 0.0}, merge_distance=None)
    result = search(["A|"], policy, {"value": value, "prm": None, "orm": None}, cfg, rollout=rollout)
    assert rollout.calls == [] and result.tokens.rollout_generated == 0
    assert result.tokens.critic_read == value.tokens_read
    with pytest.raises(ValueError, match="weight prm"):
        search(["A|"], policy, {"value": value, "prm": None, "orm": None}, MCTSConfig(iterations=1))


def test_adaptive_branching_widens_where_children_differ():
    # the root and its good option differ by 1.0 in value: it widens to c_max; a node whose
    # children all look alike keeps c_min
    policy = Stepper(lambda p, k: (f"{'good' if k % 2 == 0 else 'bad'} {k}", "stop"))
    value = Judge(lambda p, c: 1.0 if c.startswith("good") else 0.0)  # the root (no path) 0: I = 1
    cfg = MCTSConfig(iterations=4, alpha=4.0, c_min=[2], c_max=[4], merge_distance=None, max_depth=1,
                     weights={"value": 1.0, "prm": 0.0, "orm": 0.0})
    root = search(["A|"], policy, {"value": value}, cfg).roots[0]
    assert root.sampled == 4 and len(root.children) == 4
    flat = Stepper(lambda p, k: (f"same {k}", "stop"))
    root = search(["A|"], flat, {"value": Judge(lambda p, c: 0.5)}, cfg).roots[0]
    assert root.sampled == 2


def test_state_merge_in_search_spares_repeated_options():
    policy = Stepper(lambda p, k: ("Step 1: 2+3=5", "stop") if "Step" not in p else ("Answer: 5", "stop"))
    cfg = MCTSConfig(iterations=3, c_min=[3], c_max=[3], merge_distance=2, weights={"value": 1.0, "prm": 0.0, "orm": 0.0})
    result = search(["A|"], policy, {"value": Judge(lambda p, c: 0.5)}, cfg)
    assert len(result.roots[0].children) == 1 and result.merged >= 2
    assert result.answers == ["Step 1: 2+3=5\nAnswer: 5\n"]


def test_a_short_path_is_finished_greedily_by_the_policy():
    policy = Stepper(lambda p, k: (f"step {k}", "stop") if not p.endswith("\n") or k < 50 else ("", "eos"))
    cfg = MCTSConfig(iterations=1, c_min=[1], c_max=[1], merge_distance=None, weights={"value": 1.0, "prm": 0.0, "orm": 0.0})
    result = search(["A|"], policy, {"value": Judge(lambda p, c: 0.5)}, cfg)
    assert result.answers == ["step 0\nstep 0"]  # the one expanded step, then the greedy completion
    assert len(policy.calls) == 2 and result.best_leaves == [None]
