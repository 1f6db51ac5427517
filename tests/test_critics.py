"""The critics' data and judgement: step prefixes, value / ORM rows, Monte-Carlo step labels with a
scripted policy, the held-out split, and precision / recall / ECE by hand."""
import pandas as pd
import pytest
from conftest import Scripted

from reasonforge.alphallm.critics import heldout_ids, judge_metrics, orm_rows, step_labels, step_prefixes, value_rows

GEN = dict(temperature=1.0, top_p=1.0, max_new_tokens=16, batch_size=8)
TASK = dict(id="m1", task="math", form="cot", prompt="Q: 2+3?\nA (steps):\n", answer="5", tests=None, split="train")


def test_step_prefixes_end_at_line_breaks():
    assert step_prefixes("Step 1: 2+3=5\nAnswer: 5") == ["", "Step 1: 2+3=5\n", "Step 1: 2+3=5\nAnswer: 5"]
    assert step_prefixes("a\nb\n") == ["", "a\n", "a\nb\n"]
    assert step_prefixes("") == [""]


def test_value_rows_label_every_prefix_with_the_outcome_and_orm_rows_the_whole():
    samples = pd.DataFrame([dict(id="m1", prompt="P", sample=1, completion="x\nAnswer: 5", correct=True),
                            dict(id="m1", prompt="P", sample=2, completion="Answer: 4", correct=False)])
    v = value_rows(samples)
    assert list(v["completion"]) == ["", "x\n", "x\nAnswer: 5", "", "Answer: 4"] and list(v["label"]) == [1, 1, 1, 0, 0]
    o = orm_rows(samples)
    assert list(o["completion"]) == list(samples["completion"]) and list(o["label"]) == [1.0, 0.0]


def test_step_labels_estimate_success_from_rollouts():
    # rollouts from a prefix holding the right first step succeed 3 times in 4; from a wrong one never
    def rollout(prompt, j):
        return "Answer: 5" if "2+3=5" in prompt and j < 3 else "Answer: 6"

    samples = pd.DataFrame([dict(id="m1", prompt=TASK["prompt"], sample=1, completion="Step 1: 2+3=5\nAnswer: 5", correct=True),
                            dict(id="m1", prompt=TASK["prompt"], sample=2, completion="Step 1: 2+3=6\nAnswer: 6", correct=False)])
    policy = Scripted(rollout)
    labels = step_labels(policy, samples, pd.DataFrame([TASK]), rollouts=4, threshold=0.5, gen=GEN, sandbox=None, seed=0)
    assert policy.calls[0][1] == 4  # one batch, 4 rollouts per open prefix
    got = labels.set_index(["sample", "step"])
    assert got.loc[(1, 1), ["successes", "rollouts", "label"]].tolist() == [3, 4, 1.0]
    assert got.loc[(2, 1), ["successes", "label"]].tolist() == [0, 0.0]
    assert got.loc[(1, 2), ["successes", "rollouts", "label"]].tolist() == [1, 1, 1.0]  # the whole: its own outcome
    assert got.loc[(2, 2), "label"] == 0.0 and labels["estimate"].between(0, 1).all()


def test_heldout_is_seeded_by_problem():
    ids = [f"p{i}" for i in range(10)] * 3
    held = heldout_ids(ids, 0.2, seed=0)
    assert len(held) == 2 and held == heldout_ids(reversed(ids), 0.2, seed=0) and heldout_ids(ids, 0.0, 0) == set()


def test_judge_metrics_by_hand():
    labels = [1, 1, 0, 0, 1]
    scores = [0.9, 0.4, 0.6, 0.1, 0.95]
    m = judge_metrics(labels, scores, bins=2)
    assert m["precision"] == pytest.approx(2 / 3) and m["recall"] == pytest.approx(2 / 3)
    # bin [0, .5): labels 1, 0 vs scores .4, .1 -> |0.5 - 0.25|; bin [.5, 1]: labels 1, 0, 1 vs .9, .6, .95
    want = (2 * abs(0.5 - 0.25) + 3 * abs(2 / 3 - (0.9 + 0.6 + 0.95) / 3)) / 5
    assert m["ece"] == pytest.approx(want)
    assert judge_metrics([0, 0], [0.1, 0.2])["recall"] is None and judge_metrics([1], [0.1])["precision"] is None
