import random

import pandas as pd

from reasonforge.w2s.pairs import PairRule, majority, pair_for, stage2_pairs

RULE = PairRule(skip_below=0.6, flip_at=0.8)


def pair(weak_answer, answers, task="logic"):
    responses = [f"r{i}:{a}" for i, a in enumerate(answers)]
    return pair_for(task, "weak", weak_answer, responses, answers, RULE, random.Random(0))


def test_majority_groups_agreeing_answers_and_ties_go_to_the_first_group():
    assert majority("logic", ["T", "F", "F", "T"]) == [0, 3]
    assert majority("logic", [None, "", "F"]) == [2]
    assert majority("logic", [None, None]) == []
    assert majority("math", ["19", "19.0", "7", "7", "7"]) == [2, 3, 4]  # 19 and 19.0 agree (math-verify)


def test_confidence_exactly_at_skip_below_is_kept_and_just_under_is_skipped():
    p, why = pair("A", ["A"] * 6 + ["B"] * 4)
    assert why == "weak_chosen" and p["chosen"] == "weak" and p["rejected"].endswith(":B") and p["confidence"] == 0.6
    assert pair("A", ["A"] * 5 + ["B"] * 3 + [None] * 2) == (None, "low_confidence")  # empties count against


def test_flip_needs_confidence_at_least_flip_at():
    p, why = pair("B", ["A"] * 8 + ["B"] * 2)
    assert why == "majority_chosen" and p["chosen"] == "r0:A" and p["rejected"] == "weak" and p["confidence"] == 0.8
    assert pair("B", ["A"] * 7 + ["B"] * 3) == (None, "weak_disagrees")


def test_empty_weak_answer_is_never_the_majority_but_can_be_rejected():
    p, why = pair(None, ["A"] * 9 + [None])
    assert why == "majority_chosen" and p["rejected"] == "weak"
    assert pair(float("nan"), ["A"] * 7 + ["B"] * 3) == (None, "weak_disagrees")


def test_unanimous_agreement_with_the_weak_answer_has_no_rejected_side():
    assert pair("A", ["A"] * 10) == (None, "no_contrast")
    p, _ = pair("A", ["A"] * 9 + [None])  # an empty sample is a different answer
    assert p["rejected"] == "r9:None"


def test_tied_majority_below_threshold_is_skipped():
    assert pair("A", ["A"] * 5 + ["B"] * 5) == (None, "low_confidence")


def test_stage2_pairs_counts_every_question_and_keeps_the_weak_side():
    samples = pd.DataFrame([dict(id=q, task="logic", prompt=f"Q{q}", sample=i, response=f"{q}{i}", answer=a)
                            for q, answers in (("x", ["T"] * 9 + ["F"]), ("y", ["F"] * 10), ("z", ["T", "F"] * 5))
                            for i, a in enumerate(answers)])
    weak = pd.DataFrame(dict(id=["x", "y", "z"], response=["wx", "wy", "wz"], answer=["T", "T", "T"]))
    pairs, outcomes = stage2_pairs(samples, weak, RULE, seed=0)
    assert outcomes == {"weak_chosen": 1, "majority_chosen": 1, "low_confidence": 1}
    x, y = pairs.set_index("id").loc["x"], pairs.set_index("id").loc["y"]
    assert (x["chosen"], x["rejected"]) == ("wx", "x9") and (y["chosen"], y["rejected"]) == ("y0", "wy")
