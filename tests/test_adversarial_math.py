"""Math completions that try to be judged right without one right answer: each must be judged wrong.
A hedge names several values at once (`4 or 5` was right when 4 was); trailing text, a second
answer line, a set or a lenient expression are the same trick in other clothes."""
import pytest

from reasonforge.sandbox import Sandbox
from reasonforge.tasks.verify import verify_batch

COT = dict(task="math", form="cot", answer="4")
POT = dict(task="math", form="pot", answer="4")
REAL = dict(task="math", form="cot", answer="\\frac{5}{6}")  # a MATH-style LaTeX gold

ATTACKS = [
    (COT, "Step 1: 2+2=4\nAnswer: 4 or 5"),
    (COT, "Answer: 4, 5"),
    (COT, "Answer: 5\nAnswer: 4"),
    (COT, "Answer: 4\nAnswer: 5"),
    (COT, "Answer: 4 5"),
    (COT, "Answer: 4 \\lor 5"),
    (COT, "Answer: 4 \\text{ or } 5"),
    (COT, "Answer: \\{4, 5\\}"),
    (COT, "Answer: 4|5"),
    (COT, "Answer: [4]"),
    (COT, "Answer: 4 \\pm 1"),
    (COT, "Answer: x = 4 or x = 5"),
    (COT, "Answer: 3 < x < 5"),
    (COT, "Answer: 4 and 5"),
    (COT, "Answer:"),
    (POT, "```python\nprint('4 or 5')\n```"),
    (POT, "```python\nprint('Answer: 4, 5')\n```"),
    (POT, "```python\nprint(4)\nraise SystemExit(1)\n```"),
    (REAL, "Answer: \\frac{5}{6} or \\frac{1}{2}"),
    (REAL, "Answer: \\frac{5}{6}, \\frac{1}{2}"),
]

HONEST = [
    (COT, "Step 1: 2+2=4\nAnswer: 4"),
    (COT, "Answer: 4."),
    (COT, "Answer: 4 apples"),
    (COT, "Answer: 4.0"),
    (COT, "Answer: $4$"),
    (COT, "Answer: 4\nAnswer: 4"),
    (POT, "```python\nn = 2 + 2\nprint(n)\n```"),
    (REAL, "Answer: \\frac{5}{6}"),
    (REAL, "Answer: \\dfrac{10}{12}"),
]


@pytest.fixture(scope="module")
def sb():
    with Sandbox(workers=2, timeout=5) as s:
        yield s


@pytest.mark.parametrize("row, completion", ATTACKS, ids=[c for _, c in ATTACKS])
def test_attack_is_judged_wrong(sb, row, completion):
    (v,) = verify_batch([row], [completion], sb)
    assert not v.correct, v


@pytest.mark.parametrize("row, completion", HONEST, ids=[c for _, c in HONEST])
def test_one_clear_answer_is_right(sb, row, completion):
    (v,) = verify_batch([row], [completion], sb)
    assert v.correct, v


def test_a_hedge_is_reported_as_ambiguous():
    (v,) = verify_batch([COT], ["Answer: 4 or 5"])
    assert v.status == "ambiguous" and v.answer is None
