import pandas as pd
import pytest

from reasonforge.tasks.pools import build_family
from reasonforge.tasks.document import SEPARATOR
from reasonforge.w2s.select import (icl_prompts, precision, same_answer, select_consistent, select_right, split_pool,
                                    stage1_rows)

CFG = {"n_train": 60, "n_test": 5, "n_ood": 5, "n_pretrain": 5, "train": {"min_steps": 1, "max_steps": 3},
       "ood": {"min_steps": 4, "max_steps": 5}}


def labels(rows):
    return pd.DataFrame([dict(id=i, task=t, prompt=f"Q{i}\n", response=f"{who}{i}", answer=a) for i, t, a, who in rows])


def test_split_is_seeded_disjoint_and_sized():
    train = build_family("logic", CFG, 0)["train"]
    a, b = split_pool(train, 20, 30, seed=1), split_pool(train, 20, 30, seed=1)
    pd.testing.assert_frame_equal(a, b)
    assert (a["part"] == "train_1").sum() == 20 and (a["part"] == "train_2").sum() == 30 and a["id"].is_unique
    assert set(a["id"]) != set(split_pool(train, 20, 30, seed=2)["id"]) or list(a["id"]) != list(split_pool(train, 20, 30, seed=2)["id"])
    with pytest.raises(ValueError, match="train pool of 60"):
        split_pool(train, 40, 30, seed=1)


def test_same_answer_empty_agrees_with_nothing_and_math_uses_math_verify():
    assert same_answer("math", "19", "19.0") and not same_answer("math", "19", "91")
    assert not same_answer("logic", None, None) and not same_answer("logic", "", "") and not same_answer("logic", float("nan"), "T")
    assert same_answer("logic", "Ann", "Ann ") and not same_answer("logic", "Ann", "Bob")


def test_select_consistent_keeps_non_empty_agreement_only():
    weak = labels([("a", "logic", "T", "w"), ("b", "logic", "F", "w"), ("c", "logic", None, "w"), ("d", "math", "4", "w")])
    icl = labels([("a", "logic", "T", "s"), ("b", "logic", "T", "s"), ("c", "logic", None, "s"), ("d", "math", "4.0", "s")])
    sel = select_consistent(weak, icl)
    assert list(sel["id"]) == ["a", "d"]
    assert list(sel["weak_response"]) == ["wa", "wd"] and list(sel["icl_response"]) == ["sa", "sd"]


def test_stage1_sets():
    sel = select_consistent(labels([("a", "logic", "T", "w")]), labels([("a", "logic", "T", "s")]))
    assert list(stage1_rows(sel, "weak")["completion"]) == ["wa"]
    assert list(stage1_rows(sel, "icl")["completion"]) == ["sa"]
    hybrid = stage1_rows(sel, "hybrid")
    assert list(hybrid["completion"]) == ["wa", "sa"] and list(hybrid["source"]) == ["weak", "icl"]
    with pytest.raises(ValueError, match="w2s.stage1.set"):
        stage1_rows(sel, "both")


def test_icl_prompts_take_k_other_questions_of_the_same_task_and_form():
    weak = pd.DataFrame([dict(id=f"{t}{f}{i}", task=t, form=f, prompt=f"Q:{t}{f}{i}\n", response=f"R{i}")
                         for t, f in (("math", "cot"), ("math", "pot"), ("logic", "cot")) for i in range(6)])
    questions = weak[["id", "task", "form", "prompt"]]
    prompts, kept = icl_prompts(questions, weak, k=4, seed=0)
    assert kept == [4] * len(questions)
    for q, p in zip(questions.to_dict("records"), prompts):
        parts = p.split(SEPARATOR)
        assert len(parts) == 5 and parts[-1] == q["prompt"]
        demo_ids = [d.split("\n")[0][2:] for d in parts[:-1]]
        assert q["id"] not in demo_ids and len(set(demo_ids)) == 4
        assert all(d.startswith(q["task"]) and weak.set_index("id").loc[d, "form"] == q["form"] for d in demo_ids)
    assert prompts == icl_prompts(questions, weak, k=4, seed=0)[0] and prompts != icl_prompts(questions, weak, k=4, seed=1)[0]
    short, kept = icl_prompts(questions, weak, k=4, seed=0, fits=lambda p: len(p) <= 40)  # demos dropped, farthest first
    assert all(len(p) <= 40 or n == 0 for p, n in zip(short, kept)) and max(kept) < 4
    assert all(p.endswith(SEPARATOR.join(full.split(SEPARATOR)[4 - n:])) for p, full, n in zip(short, prompts, kept))


def test_precision_reads_gold_only_for_the_report():
    lab = labels([("a", "logic", "T", "w"), ("b", "math", "4.0", "w"), ("c", "logic", None, "w")])
    gold = pd.DataFrame(dict(id=["a", "b", "c"], answer=["T", "4", "F"]))
    assert precision(lab, gold) == pytest.approx(2 / 3)
    assert precision(lab.iloc[:0], gold) != precision(lab.iloc[:0], gold)  # NaN


def test_the_oracle_filter_keeps_the_right_labels_and_needs_every_gold():
    lab = labels([("a", "logic", "T", "w"), ("b", "math", "4.0", "w"), ("c", "logic", None, "w")])
    gold = pd.DataFrame(dict(id=["a", "b", "c"], answer=["T", "4", "F"]))
    assert list(select_right(lab, gold)["id"]) == ["a", "b"]     # 4.0 = 4 by math-verify; no answer is never right
    with pytest.raises(ValueError, match="no gold answer for label 'c'"):
        select_right(lab, gold.iloc[:2])
