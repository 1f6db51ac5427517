import pandas as pd
import pytest

from reasonforge import io
from reasonforge.eurus.interact import InteractConfig
from reasonforge.eurus.tables import Pairs, SFTData, TreeNodes
from reasonforge.tasks.pools import build_family
from reasonforge.tasks.verify import verify_batch
from reasonforge.eurus.derive import contexts, pair_rows, reference_rows, sft_rows, stats_markdown
from reasonforge.eurus.trees import TreeConfig, build_trees, parses

from conftest import Scripted

CFG = {"n_pretrain": 2, "n_train": 2, "n_test": 6, "n_ood": 1, "forms": ["cot", "pot"],
       "train": {"min_steps": 2, "max_steps": 2, "max_operand": 9}, "ood": {"min_steps": 3, "max_steps": 3, "max_operand": 9}}


@pytest.fixture(scope="module")
def tasks():
    return pd.concat([build_family(f, CFG, 0)["test"] for f in ["math", "code", "logic"]], ignore_index=True)


def wrong_for(prompt):
    return "```python\nprint(0)\n```" if "(python)" in prompt or "Code:" in prompt else "Step 1: 1+1=3\nAnswer: 3"


@pytest.fixture(scope="module")
def trees(tasks, sandbox):
    """weak is always wrong; strong is right on its second sample, but only from turn 2 on, and
    never on the first instruction (escalation then the reference must supply its correct action)."""
    solution = dict(zip(tasks["prompt"], tasks["solution"]))
    first = tasks["prompt"].iloc[0]

    def strong(ctx, j):
        prompt = next(p for p in solution if ctx.startswith(p))
        if j == 1 and "Feedback:" in ctx and prompt != first:
            return solution[prompt]
        return "```python\ndef f(x:\n```" if j == 2 else wrong_for(prompt)  # sample 3: does not parse

    gens = {"weak": Scripted(lambda c, j: wrong_for(c)), "strong": Scripted(strong)}
    cfg = TreeConfig(actors=[{"model": "weak", "temperature": 1.0}, {"model": "strong", "temperature": 0.7}], k=3,
                     escalate={"model": "strong", "temperature": 1.2, "k": 3, "rounds": 2},
                     interact=InteractConfig(max_turns=3))
    nodes = build_trees(tasks, gens, cfg, sandbox, count_tokens=lambda t: len(t.split()))
    return TreeNodes.validate(nodes), gens


def test_trees_have_the_documented_shape(tasks, trees):
    nodes, gens = trees
    kids = nodes[nodes["turn"] > 0]
    assert nodes["tree_id"].nunique() == len(tasks) and (nodes["obtained"] == "root").sum() == len(tasks)
    t1 = kids[kids["turn"] == 1]
    # turn 1: nobody is right; escalation ran (2 rounds), then the reference gave the correct action
    assert set(t1[t1["correct"]]["obtained"]) == {"reference"} and len(t1) == 2 * len(tasks)
    assert set(t1[~t1["correct"]]["actor"]) <= {"weak", "strong"}
    # turn 2 on: strong's second sample is right, except on the first instruction (the reference again)
    t2 = kids[kids["turn"] == 2]
    right2 = t2[t2["correct"]].set_index("tree_id")
    first = tasks["id"].iloc[0]
    assert len(t2) == 2 * len(tasks) and right2.loc[first, "obtained"] == "reference"
    assert set(right2.drop(first)["obtained"]) == {"sampled"} and set(right2.drop(first)["actor"]) == {"strong"}
    assert nodes["turn"].max() == 3  # max_turns
    # each turn generated all open branches in one call per actor; escalation only for the stuck ones
    n = len(tasks)
    calls = {name: [(len(p), k, t) for p, k, t in g.calls] for name, g in gens.items()}
    assert calls["weak"] == [(n, 3, 1.0)] * 3
    assert calls["strong"] == [(n, 3, 0.7), (n, 3, 1.2), (n, 3, 1.2)] + [(n, 3, 0.7), (1, 3, 1.2), (1, 3, 1.2)] * 2
    # per branch: 3 weak, 3 strong and 3 per escalation round, less strong's unparsable third
    # sample where the action is a program (it is only wrong text elsewhere)
    program = t1["form"].isin(["pot", "code"])
    assert (t1["n_candidates"] == program.map({True: 3 + 2 + 2 * 2, False: 12})).all() and (t1["n_correct"] == 0).all()


def test_incorrect_actions_are_expanded_with_feedback(tasks, sandbox):
    solution = dict(zip(tasks["prompt"], tasks["solution"]))

    def actor(ctx, j):
        prompt = next(p for p in solution if ctx.startswith(p))
        return solution[prompt] if "Feedback:" in ctx else wrong_for(prompt)  # right once told

    cfg = TreeConfig(actors=[{"model": "a", "temperature": 1.0}], k=2, reference=False, interact=InteractConfig(max_turns=3))
    nodes = TreeNodes.validate(build_trees(tasks, {"a": Scripted(actor)}, cfg, sandbox))
    kids = nodes[nodes["turn"] > 0]
    assert (kids.groupby("tree_id")["turn"].max() == 2).all()
    t1, t2 = kids[kids["turn"] == 1], kids[kids["turn"] == 2]
    assert not t1["correct"].any() and len(t1) == len(tasks) and (t1["critique"] != "").all()
    assert t2["correct"].sum() == len(tasks) and set(t2["obtained"]) == {"sampled"}
    assert set(t2["parent_id"]) == set(t1["node_id"])
    ctx = contexts(nodes)
    for _, n in t1.iterrows():
        assert ctx[n["node_id"]].startswith(n["instruction"] + n["action"]) and "Feedback: " + n["critique"] in ctx[n["node_id"]]
    assert pair_rows(nodes).empty  # no node had both a correct and an incorrect child


def test_pairs_are_verified_both_ways(tasks, trees, sandbox):
    nodes, _ = trees
    pairs = Pairs.validate(pair_rows(nodes))
    assert len(pairs) == 3 * len(tasks) and sorted(set(pairs["turn"])) == [1, 2, 3]
    ctx = contexts(nodes)
    parent = {(t, n): p for t, n, p in zip(nodes["tree_id"], nodes["turn"], nodes["parent_id"])}
    assert (pairs["prompt"] == [ctx[parent[(t, n)]] for t, n in zip(pairs["tree_id"], pairs["turn"])]).all()
    assert (pairs[pairs["turn"] == 1]["prompt"] == tasks.set_index("id").loc[pairs[pairs["turn"] == 1]["tree_id"], "prompt"].values).all()
    assert pairs[pairs["turn"] > 1]["prompt"].str.contains("Feedback: ").all()
    rows = tasks.set_index("id").loc[pairs["tree_id"]].reset_index().to_dict("records")
    assert all(v.correct for v in verify_batch(rows, list(pairs["chosen"]), sandbox))
    assert not any(v.correct for v in verify_batch(rows, list(pairs["rejected"]), sandbox))


def test_unparsable_code_is_dropped():
    assert not parses({"form": "code"}, "```python\ndef f(x:\n```")
    assert parses({"form": "code"}, "```python\ndef f(x):\n    return x\n```")
    assert parses({"form": "pot"}, "no program here") and parses({"form": "cot"}, "Step 1: ((")


def test_sft_rows_with_and_without_history(trees):
    nodes, _ = trees
    plain, hist = SFTData.validate(sft_rows(nodes)), SFTData.validate(sft_rows(nodes, history=True))
    assert len(plain) == len(hist) == nodes["correct"].sum()
    assert (plain["prompt"] == nodes[nodes["correct"]]["instruction"].values).all()


def test_reference_rows_hold_each_tree_instruction_with_its_reference(trees, tasks, sandbox):
    nodes, _ = trees
    ref = SFTData.validate(reference_rows(nodes, tasks))
    assert sorted(ref["tree_id"]) == sorted(nodes.loc[nodes["turn"] == 0, "tree_id"])    # one row per tree
    assert (ref["prompt"] == tasks.set_index("id").loc[ref["tree_id"], "prompt"].values).all()
    rows = tasks.set_index("id").loc[ref["tree_id"]].reset_index().to_dict("records")
    assert all(v.correct for v in verify_batch(rows, list(ref["completion"]), sandbox))
    assert set(ref["obtained"]) == {"reference"} and set(ref["turn"]) == {1}
    with pytest.raises(ValueError, match="no reference solution for the instructions of 1 trees"):
        reference_rows(nodes, tasks[tasks["id"] != ref["tree_id"].iloc[0]])


def corrupt(nodes, how):
    bad = nodes.copy()
    kid = bad.index[bad["turn"] == 1][0]
    if how == "two roots":
        bad.loc[kid, ["parent_id", "turn", "obtained"]] = [None, 0, "root"]
    elif how == "orphan":
        bad.loc[kid, "parent_id"] = "nowhere/0"
    elif how == "turn is not depth":
        bad.loc[kid, "turn"] = 2
    elif how == "child of a correct node":
        right = bad[bad["correct"]].iloc[0]
        extra = right.copy()
        extra[["node_id", "parent_id", "turn"]] = [right["node_id"] + ".x", right["node_id"], right["turn"] + 1]
        bad = pd.concat([bad, extra.to_frame().T], ignore_index=True)
    elif how == "two correct siblings":
        right = bad[bad["correct"]].iloc[0]
        extra = right.copy()
        extra["node_id"] = right["node_id"] + "bis"
        bad = pd.concat([bad, extra.to_frame().T], ignore_index=True)
    return bad


@pytest.mark.parametrize("how, message", [("two roots", "one root"), ("orphan", "parent must exist"),
                                          ("turn is not depth", "parent must exist"),
                                          ("child of a correct node", "leaves"),
                                          ("two correct siblings", "one correct and one incorrect")])
def test_a_corrupt_tree_is_rejected(trees, tmp_path, how, message):
    nodes, _ = trees
    path = tmp_path / "data/eurus/trees.parquet"
    with pytest.raises(io.TableError, match=message):
        io.write_table(corrupt(nodes, how), path, TreeNodes)
    assert not path.exists()


def test_stats_count_what_the_trees_hold(trees):
    nodes, _ = trees
    text = stats_markdown(nodes, pair_rows(nodes))
    n = nodes["tree_id"].nunique()
    assert f"trees: {n}," in text and f"pairs: {3 * n}" in text and f"from the reference {n + 2}" in text
    assert "| 1 | " in text


def test_a_branch_ends_when_its_context_no_longer_fits(tasks, sandbox):
    actor = Scripted(lambda c, j: wrong_for(c))
    words = lambda t: len(t.split())
    longest = max(map(words, tasks["prompt"]))
    cfg = TreeConfig(actors=[{"model": "a", "temperature": 1.0}], k=1, reference=False,
                     interact=InteractConfig(max_turns=5, max_new_tokens=4), max_context_tokens=longest + 4 + 1)
    nodes = TreeNodes.validate(build_trees(tasks, {"a": actor}, cfg, sandbox, count_tokens=words))
    assert nodes["turn"].max() == 1  # every turn-2 context (prompt + action + feedback) is too long
    cfg.max_context_tokens = None
    assert build_trees(tasks, {"a": actor}, cfg, sandbox)["turn"].max() == 5
