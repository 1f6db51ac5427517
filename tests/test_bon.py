import numpy as np
import pandas as pd
import pytest

from reasonforge.evaluate.bon import candidates, ladder, length_correlation, no_skill_accuracy, sample_pair_accuracy, select
from reasonforge.tables import EvalSamples


def samples(rows):
    """rows: (id, sample, answer, correct[, form, completion])"""
    recs = []
    for r in rows:
        id_, j, answer, correct = r[:4]
        form = r[4] if len(r) > 4 else "cot"
        recs.append(dict(id=id_, model="sft", benchmark="math", split="test", form=form, sample=j, greedy=False,
                         completion=r[5] if len(r) > 5 else f"Answer: {answer}", answer=answer, correct=correct,
                         status="correct" if correct else "wrong", tokens=3))
    recs.append(dict(recs[0], sample=0, greedy=True))  # a greedy row is never a candidate
    return EvalSamples.validate(pd.DataFrame(recs))


S = samples([("a", 1, "3", False), ("a", 2, "4", True), ("a", 3, "4", True), ("a", 4, "3", False),
             ("b", 1, None, False), ("b", 2, "7", False), ("b", 3, "9", True)])


def test_majority_picks_the_earliest_sample_of_the_most_common_answer():
    out = EvalSamples.validate(select(S, "majority")).set_index("id")
    assert out.loc["a", "sample"] == 1  # tie 3 vs 4 (two each): the earliest vote wins
    assert out.loc["b", "sample"] == 2  # None is no vote; 7 and 9 tie, 7 came first
    assert (out["greedy"]).all() and set(out["model"]) == {"majority"}


def test_scored_selection_takes_the_highest_and_breaks_ties_early():
    scores = [0.1, 0.9, 0.9, 0.2, 5.0, 1.0, 4.0]
    out = select(S, "rm", scores=scores, name="bon-rm").set_index("id")
    assert out.loc["a", "sample"] == 2 and out.loc["b", "sample"] == 1 and not out.loc["b", "correct"]
    assert set(out["model"]) == {"bon-rm"}
    with pytest.raises(ValueError, match="3 scores for 7 samples"):
        select(S, "rm", scores=[1, 2, 3])
    with pytest.raises(ValueError, match="needs scores"):
        select(S, "rm")


def test_random_is_seeded_and_uniform():
    picks = {seed: tuple(select(S, "random", seed=seed)["sample"]) for seed in range(40)}
    assert picks[3] == tuple(select(S, "random", seed=3)["sample"])
    assert {p[0] for p in picks.values()} == {1, 2, 3, 4}


def test_code_votes_on_the_program():
    prog = "```python\ndef f(x):\n    return x + 1\n```"
    other = "```python\ndef f(x):\n    return x\n```"
    s = samples([("c", 1, None, False, "code", other), ("c", 2, None, True, "code", prog),
                 ("c", 3, None, True, "code", prog.replace("+ 1", "+ 1   "))])
    assert select(s, "majority")["sample"].item() == 2  # trailing spaces do not split the vote


def test_ladder_puts_selectors_beside_the_ceiling_and_length_alone():
    # ids: a (2 of 4 correct), b (1 of 3); tokens grow with the sample number
    s = S.assign(tokens=S["sample"] * 10)
    scores = [0.1, 0.9, 0.8, 0.2, 5.0, 1.0, 4.0]      # rm: right on every pair of a, wrong on b's (9 vs None)
    lad = ladder(s, {"rm": scores}).set_index(["rung", "metric"])["value"]
    assert lad["verifier", "accuracy"] == 1.0                           # both ids hold a correct candidate
    assert lad["random", "accuracy"] == pytest.approx((2 / 4 + 1 / 3) / 2)  # the expected pick, not one draw
    assert lad["no-skill", "accuracy"] == pytest.approx((1 / 2 + 1 / 3) / 2)  # a: "Answer: 4" of 2 texts, b: 1 of 3
    assert lad["majority", "accuracy"] == 0.0                           # a: 3 (earliest of a tie), b: 7
    assert lad["shortest", "accuracy"] == 0.0 and lad["longest", "accuracy"] == 0.5   # a: sample 4 (3), b: 3 (9)
    assert lad["rm", "accuracy"] == 0.5
    # pairs: a has 2 x 2 (all right), b has 1 x 2 (9 beats 7, loses to None)
    assert lad["rm", "pair_accuracy"] == pytest.approx(5 / 6)
    lad_n = ladder(s, {"rm": scores}).set_index(["rung", "metric"])["n"]
    assert lad_n["rm", "pair_accuracy"] == 6 and lad_n["verifier", "accuracy"] == 2


def test_length_correlation_says_which_way_a_scorer_leans():
    s = candidates(S.assign(tokens=S["sample"] * 10))
    assert length_correlation(s, list(s["tokens"])) == pytest.approx(1.0)
    assert length_correlation(s, list(-s["tokens"])) == pytest.approx(-1.0)
    assert np.isnan(length_correlation(s, [1.0] * len(s)))       # a constant scorer ranks nothing
    acc, pairs = sample_pair_accuracy(s, [1.0] * len(s))
    assert (acc, pairs) == (0.0, 6)                              # ties count as wrong


def test_a_scorer_at_chance_is_below_random_when_right_answers_are_copies():
    """Why a reward model with no skill on the candidates lands below random (issue 21: bon-rm 16.0 against
    random 31.0 on math, its pair accuracy on the candidates 0.50): scores are a function of the text, the
    right completions are copies of one text and the wrong ones all differ, so the highest of the draws
    lands on a wrong text far more often than a uniform pick of a sample does."""
    rows, rng = [], np.random.default_rng(0)
    for i in range(300):  # 16 candidates: 6 copies of the right text, 10 distinct wrong ones
        rows += [(f"q{i}", j + 1, "12", True, "cot", "Step 1: 3*4=12\nAnswer: 12") for j in range(6)]
        rows += [(f"q{i}", 7 + j, str(20 + j), False, "cot", f"Step 1: 3*4={20 + j}\nAnswer: {20 + j}") for j in range(10)]
    s = samples(rows)
    cands = candidates(s)
    noise = {text: rng.normal() for text in cands["completion"] + cands["id"]}  # one draw per (instruction, text)
    scores = [noise[t] for t in cands["completion"] + cands["id"]]
    lad = ladder(s, {"chance": scores}).set_index(["rung", "metric"])["value"]
    assert lad["random", "accuracy"] == pytest.approx(6 / 16)
    assert lad["no-skill", "accuracy"] == pytest.approx(1 / 11) == no_skill_accuracy(cands)
    assert lad["chance", "pair_accuracy"] == pytest.approx(0.5, abs=0.03)      # no skill on the candidates ...
    assert lad["chance", "accuracy"] == pytest.approx(1 / 11, abs=0.04)        # ... and below random, at no-skill
