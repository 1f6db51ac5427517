"""Imagination with a scripted policy: what it is asked, what is kept (grammar, consistency) and why
the rest is not."""
import pandas as pd
from conftest import Scripted

from reasonforge.alphallm.imagine import header, imagine, keep_verified, stats

CFG = dict(temperature=1.0, top_p=1.0, max_new_tokens=32, batch_size=8)
SEEDS = pd.DataFrame([
    dict(id="math-train-1", task="math", form="pot", prompt="Q: Ann has 2 pens. How many?\nA (python):\n", solution="```python\nprint(2)\n```"),
    dict(id="logic-train-1", task="logic", form="cot", prompt="Q: Let a = T. Evaluate: a\nA (steps):\n", solution="a\nAnswer: T"),
])


def test_the_policy_continues_a_seed_and_its_header_closes_the_question():
    policy = Scripted(lambda p, j: f" new {j}")
    out = imagine(policy, SEEDS, per_seed=2, cfg=CFG, seed=0)
    asked, n, temperature = policy.calls[0]
    assert asked[0] == SEEDS["prompt"][0] + SEEDS["solution"][0] + "\n\nQ:" and n == 2 and temperature == 1.0
    assert list(out["prompt"]) == ["Q: new 0\nA (python):\n", "Q: new 1\nA (python):\n", "Q: new 0\nA (steps):\n", "Q: new 1\nA (steps):\n"]
    assert list(out["seed_id"]) == ["math-train-1"] * 2 + ["logic-train-1"] * 2
    assert header("Q: x\nCode:\n") == "Code:\n"


def candidates(*prompts):
    return pd.DataFrame([dict(task=t, form="cot", prompt=p, seed_id="s") for t, p in prompts])


def test_kept_by_grammar_and_every_reason_for_the_rest():
    good = "Q: Ann has 3 pens. Ann gets 2 more. How many pens does Ann have?\nA (steps):\n"
    table = keep_verified(candidates(("math", good), ("math", good), ("math", "Q: in the test pool\n"),
                                     ("math", "Q: a train problem\n"), ("logic", "Q: gibberish\nA (steps):\n")),
                          train_prompts={"Q: a train problem\n"}, eval_prompts={"Q: in the test pool\n"})
    assert list(table["status"]) == ["kept", "duplicate", "eval_pool", "not_new", "unparsed"]
    assert table.loc[0, "answer"] == "5" and table.loc[0, "kept_by"] == "grammar"
    assert table["kept_by"].iloc[1:].isna().all() and table["id"].is_unique
    s = stats(table)
    assert s["math"] == {"candidates": 4, "kept": 1, "kept_by": {"grammar": 1},
                         "rejected": {"duplicate": 1, "eval_pool": 1, "not_new": 1}}


def test_kept_by_the_policys_consistent_answers(sandbox):
    steady, shaky = "Q: steady\nA (steps):\n", "Q: shaky\nA (steps):\n"
    policy = Scripted(lambda p, j: "Answer: 7" if p == steady else f"Answer: {j}")
    table = keep_verified(candidates(("math", steady), ("math", shaky)), set(), set(), policy, sandbox,
                          consistency_k=3, consistency_agree=1.0, cfg=CFG)
    assert list(table["status"]) == ["kept", "inconsistent"]
    assert table.loc[0, "answer"] == "7" and table.loc[0, "kept_by"] == "consistency"
    assert policy.calls[0][1:] == (3, 1.0)
