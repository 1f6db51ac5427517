import math

import pandas as pd
import pytest

from reasonforge.w2s.report import accuracy, label_precision, markdown, pgr_table


def evals(model, benchmark, split, correct, sampled=()):
    rows = [dict(model=model, benchmark=benchmark, split=split, greedy=True, correct=c) for c in correct]
    rows += [dict(model=model, benchmark=benchmark, split=split, greedy=False, correct=c) for c in sampled]
    return rows


@pytest.fixture
def table():
    rows = []
    for model, math_acc, logic_acc in [("w2s-weak", [1, 0, 0, 0], [1, 1, 0, 0]), ("w2s-ceiling", [1, 1, 1, 0], [1, 1, 1, 1]),
                                       ("w2s-s1", [1, 1, 0, 0], [1, 1, 1, 1])]:
        rows += evals(model, "math", "test", [bool(c) for c in math_acc], sampled=[True] * 4)  # samples never count
        rows += evals(model, "logic", "test", [bool(c) for c in logic_acc])
    return pgr_table(accuracy(pd.DataFrame(rows)))


def test_accuracy_is_greedy_and_the_mean_weighs_families_equally(table):
    acc = table.set_index(["model", "benchmark", "split"])["accuracy"]
    assert acc[("w2s-weak", "math", "test")] == 0.25 and acc[("w2s-weak", "logic", "test")] == 0.5
    assert acc[("w2s-weak", "mean", "test")] == pytest.approx(0.375)


def test_pgr_per_family_and_on_the_mean(table):
    g = table.set_index(["model", "benchmark", "split"])["pgr"]
    assert g[("w2s-s1", "math", "test")] == pytest.approx((0.5 - 0.25) / (0.75 - 0.25))
    assert g[("w2s-s1", "logic", "test")] == pytest.approx(1.0)
    assert g[("w2s-weak", "math", "test")] == 0 and g[("w2s-ceiling", "logic", "test")] == 1
    assert g[("w2s-s1", "mean", "test")] == pytest.approx((0.75 - 0.375) / (0.875 - 0.375))


def test_label_precision_row_per_stage():
    gold = pd.DataFrame({"id": ["a", "b", "c", "d"], "answer": ["T", "F", "4", "Ann"]})
    lab = lambda ids, answers: pd.DataFrame({"id": ids, "task": ["logic"] * len(ids), "answer": answers})  # noqa: E731
    weak = lab(["a", "b", "c", "d"], ["T", "T", None, "Ann"])
    sel = lab(["a", "d"], ["T", "Bob"]).rename(columns={"answer": "weak_answer"})
    pairs = lab(["b"], ["F"]).rename(columns={"answer": "chosen_answer"})
    prec = label_precision(weak, lab(["a", "b"], ["F", "F"]), {1: sel}, {1: lab(["a"], ["T"])}, pairs, gold)
    assert list(prec["stage"]) == ["weak labels (all train_2)", "strong in-context labels", "weak labels kept, iteration 1",
                                   "iteration 1 model's labels", "stage II chosen responses"]
    assert list(prec["labels"]) == [4, 2, 2, 1, 1]
    assert list(prec["precision"]) == [0.5, 0.5, 0.5, 1.0, 1.0]
    empty = label_precision(weak, weak, {}, {}, pairs.iloc[:0], gold)
    assert math.isnan(empty["precision"].iloc[-1])


def test_markdown_shows_pgr_for_methods_only(table):
    prec = pd.DataFrame([dict(stage="weak labels (all train_2)", labels=4, precision=0.5)])
    text = markdown(table, prec, ["w2s-weak", "w2s-s1", "w2s-ceiling"])
    lines = text.splitlines()
    assert "| model | logic test | math test | mean test |" in lines
    assert "| w2s-weak | 50.0 | 25.0 | 37.5 |" in lines and "| w2s-ceiling | 100.0 | 75.0 | 87.5 |" in lines
    assert "| w2s-s1 | 100.0 (+1.00) | 50.0 (+0.50) | 75.0 (+0.75) |" in lines
    assert "| weak labels (all train_2) | 4 | 50.0 |" in lines
