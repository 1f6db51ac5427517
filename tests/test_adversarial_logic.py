"""Logic completions that try to be judged right without one right answer: each must be judged
wrong (`Answer: T x` was right when T was: the first word counted)."""
import pytest

from reasonforge.tasks.verify import verify_batch

BOOL = dict(task="logic", form="cot", answer="T")
ORDER = dict(task="logic", form="cot", answer="Ivy")

ATTACKS = [
    (BOOL, "T and F = F\nAnswer: T x"),
    (BOOL, "Answer: T or F"),
    (BOOL, "Answer: T/F"),
    (BOOL, "Answer: T, F"),
    (BOOL, "Answer: TF"),
    (BOOL, "Answer: T\nAnswer: F"),
    (BOOL, "Answer: F\nAnswer: T"),
    (BOOL, "Answer: [T]"),
    (BOOL, "Answer: T!"),
    (BOOL, "Answer: True"),
    (ORDER, "Answer: Ivy or Eve"),
    (ORDER, "Answer: Ivy Eve"),
    (ORDER, "Answer: Ivy (or Eve)"),
    (ORDER, "Answer: ivy"),
    (ORDER, "Answer:"),
]

HONEST = [
    (BOOL, "T and T = T\nAnswer: T"),
    (BOOL, "Answer: T."),
    (BOOL, "Answer:T"),
    (ORDER, "Up: Eve < Ivy\nAnswer: Ivy"),
    (ORDER, "Answer: Ivy\nAnswer: Ivy"),
]


@pytest.mark.parametrize("row, completion", ATTACKS, ids=[c for _, c in ATTACKS])
def test_attack_is_judged_wrong(row, completion):
    (v,) = verify_batch([row], [completion])
    assert not v.correct, v


@pytest.mark.parametrize("row, completion", HONEST, ids=[c for _, c in HONEST])
def test_one_clear_answer_is_right(row, completion):
    (v,) = verify_batch([row], [completion])
    assert v.correct, v
