import pandas as pd
import pytest

from conftest import Scripted
from reasonforge.tasks.pools import build_family
from reasonforge.w2s import labels as labels_mod

CFG = {"n_pretrain": 2, "n_train": 4, "n_test": 1, "n_ood": 1, "forms": ["cot", "pot"],
       "train": {"min_steps": 2, "max_steps": 2, "max_operand": 9}, "ood": {"min_steps": 3, "max_steps": 3, "max_operand": 9}}
RUN = {"generation": {"backend": "hf", "top_p": 0.9, "max_new_tokens": 32, "batch_size": 4, "stop": []},
       "sandbox": {"timeout_s": 5, "memory_mb": 256}}


@pytest.fixture(scope="module")
def questions():
    return build_family("math", CFG, 0)["train"][["id", "task", "form", "prompt", "solution", "answer"]]


def test_label_asks_the_given_prompts_and_keeps_each_questions_own(monkeypatch, questions):
    """Sample 0 is the reference solution (its program run in the sandbox for a program-aided
    question), sample 1 a wrong text answer; answers never come from the gold column."""
    solution = {f"DEMO\n{p}": s for p, s in zip(questions["prompt"], questions["solution"])}
    gen = Scripted(lambda p, j: solution[p] if j == 0 else "Step 1: 1+1=3\nAnswer: 3")
    monkeypatch.setattr(labels_mod, "load_generator", lambda *a, **k: gen)
    asked = [f"DEMO\n{p}" for p in questions["prompt"]]
    blind = questions.assign(answer="999")  # a gold column the labels must not read
    out = labels_mod.label("unused", blind[["id", "task", "form", "prompt"]], asked, RUN, seed=0, threads=2,
                           n=2, temperature=1.0, demos=[1, 2, 3, 4])

    assert gen.calls == [(asked, 2, 1.0)]
    assert list(out.columns) == labels_mod.COLUMNS and len(out) == 2 * len(questions)
    assert list(out["sample"]) == [0, 1] * len(questions)
    assert list(out["prompt"]) == [p for p in questions["prompt"] for _ in range(2)]  # not the demonstrations
    assert list(out["demos"]) == [1, 1, 2, 2, 3, 3, 4, 4]
    first = out[out["sample"] == 0].reset_index(drop=True)
    assert set(questions["form"]) == {"cot", "pot"}
    assert [float(a) for a in first["answer"]] == [float(a) for a in questions["answer"]]
    wrong = out[out["sample"] == 1]
    # a text answer to a program-aided question has no answer: the form asks for a program
    assert set(wrong[wrong["form"] == "cot"]["answer"]) == {"3"} and wrong[wrong["form"] == "pot"]["answer"].isna().all()


def test_greedy_labels_show_no_demonstrations_by_default(monkeypatch, questions):
    gen = Scripted(lambda p, j: "no answer here")
    monkeypatch.setattr(labels_mod, "load_generator", lambda *a, **k: gen)
    out = labels_mod.label("unused", questions[["id", "task", "form", "prompt"]], list(questions["prompt"]), RUN,
                           seed=0, threads=1)
    assert gen.calls[0][1:] == (1, 0.0)
    assert (out["demos"] == 0).all() and (out["sample"] == 0).all()
    assert out["answer"].isna().all()
