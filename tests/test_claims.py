import math

import pytest

import pandas as pd

from reasonforge.evaluate.claims import greedy_test_accuracy, mean_ci, sampled_test_metrics, seed_of


def test_mean_ci_is_a_student_t_interval():
    ci = mean_ci([1.0, 2.0, 3.0])
    half = 4.3027 * 1.0 / math.sqrt(3)  # sd 1, t(0.975, 2)
    assert ci["mean"] == 2.0 and ci["low"] == pytest.approx(2 - half) and ci["high"] == pytest.approx(2 + half)
    assert mean_ci([5.0, 5.0, 5.0])["low"] == 5.0
    single = mean_ci([0.3])
    assert single["low"] == -math.inf and single["high"] == math.inf
    with pytest.raises(ValueError):
        mean_ci([])


def test_greedy_test_accuracy_counts_each_benchmark_once():
    small = pd.DataFrame({"greedy": [True, True, False], "split": ["test", "test", "test"], "correct": [True, False, True]})
    large = pd.DataFrame({"greedy": [True] * 4 + [True], "split": ["test"] * 4 + ["ood"], "correct": [True] * 4 + [False]})
    # small: 1 of 2 greedy test rows; large: 4 of 4 (the ood row and the sampled row do not count)
    assert greedy_test_accuracy([small, large]) == pytest.approx((0.5 + 1.0) / 2)
    with pytest.raises(ValueError, match="no eval tables"):
        greedy_test_accuracy([])


def test_seed_of_reads_the_seed_directory():
    assert seed_of("results/eval/seed12/sft/math.parquet") == 12
    assert seed_of("models/eurus/seed3/pref/dpo") == 3
    with pytest.raises(ValueError, match="models/eurus/pref/dpo"):
        seed_of("models/eurus/pref/dpo")


def test_greedy_test_accuracy_of_reads_the_tables(tmp_path):
    from reasonforge import io
    from reasonforge.evaluate.claims import greedy_test_accuracy_of
    from reasonforge.tables import EvalSamples

    rows = [dict(id=f"m{i}", model="x", benchmark="math", split="test", form="cot", sample=0, greedy=True, completion="",
                 answer=None, correct=i < 1, status="wrong", tokens=1) for i in range(4)]
    path = tmp_path / "results/eval/x/math.parquet"
    io.write_table(pd.DataFrame(rows), path, EvalSamples)
    assert greedy_test_accuracy_of([str(path)]) == 0.25


def test_a_claim_that_cannot_be_computed_is_an_error():
    """eval.splits [ood]: no test rows, which every claim reads; it used to write `nan [nan, nan]`."""
    ood = pd.DataFrame({"model": ["sft"], "benchmark": ["math"], "greedy": [True], "split": ["ood"], "correct": [True]})
    with pytest.raises(ValueError, match=r"no greedy rows of the test split in the eval table of model sft benchmark math"
                                         r".*eval\.splits must hold test"):
        greedy_test_accuracy([ood])
    with pytest.raises(ValueError, match="not a finite number"):
        mean_ci([0.1, float("nan"), 0.2])


def test_sampled_test_metrics_average_the_tables_that_have_each_metric():
    def table(rows):  # (id, sample, answer, correct); a greedy row and an ood row never count
        recs = [dict(id=i, sample=j, greedy=False, split="test", answer=a, correct=c) for i, j, a, c in rows]
        recs += [dict(id="g", sample=0, greedy=True, split="test", answer="1", correct=True),
                 dict(id="o", sample=1, greedy=False, split="ood", answer="1", correct=True)]
        return pd.DataFrame(recs)

    math_ = table([("a", 1, "3", True), ("a", 2, "3", True), ("b", 1, "4", False), ("b", 2, "5", True)])
    code = table([("c", 1, None, False), ("c", 2, None, False)])   # no final answers: no maj@k
    m = sampled_test_metrics([math_, code], 2)
    assert m["pass@1"] == pytest.approx(((1.0 + 0.5) / 2 + 0.0) / 2)
    assert m["pass@2"] == pytest.approx((1.0 + 0.0) / 2)
    assert m["maj@2"] == pytest.approx(0.5)          # math alone: a votes 3 (right), b ties 4/5, 4 first (wrong)
    assert "maj@1" not in m
    with pytest.raises(ValueError, match="no sampled rows of the test split"):
        sampled_test_metrics([math_[math_["greedy"]]], 2)


def test_write_claims_writes_the_page_and_its_json_twin(tmp_path):
    import json

    from reasonforge.evaluate.claims import write_claims

    claims = [dict(id="X1", claim="x beats y", reproduced=True, rule="the CI of x - y above 0",
                   numbers={"x - y": {"mean": 0.05, "low": 0.01, "high": 0.09}})]
    text = write_claims("X", claims, [1, 2, 3], "a note", str(tmp_path / "x.md"), str(tmp_path / "x.json"))
    assert (tmp_path / "x.md").read_text() == text
    assert "| **X1** x beats y | reproduced | x - y 5.0 [1.0, 9.0] |" in text and "a note" in text
    assert json.loads((tmp_path / "x.json").read_text()) == {
        "X1": {"reproduced": 1, "x_-_y": {"mean": 0.05, "low": 0.01, "high": 0.09}}}
