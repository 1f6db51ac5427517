"""grpo/rewards.py: the verifiers as TRL reward functions, one batched verification a step."""
import pytest

from reasonforge.grpo.rewards import FormatReward, VerifierReward, reward_functions, well_formed
from reasonforge.sandbox import Sandbox

CODE = dict(task="code", form="code", answer=None,
            tests="assert f(1) == 4, 'f(1) should be 4'\nassert f(5) == 8, 'f(5) should be 8'\n")
MATH = dict(task="math", form="cot", answer="7", tests=None)
POT = dict(task="math", form="pot", answer="12", tests=None)
LOGIC = dict(task="logic", form="cot", answer="T", tests=None)

RIGHT = {"code": "```python\ndef f(x):\n    return x + 3\n```", "math": "Step 1: 3+4=7\nAnswer: 7",
         "pot": "```python\nprint(3 * 4)\n```", "logic": "Answer: T"}
# what a policy searching the reward's holes finds: each earns nothing
GAMED = {"code": "```python\ndef f(x):\n    return 0\nimport sys\nsys.exit(0)\n```", "math": "Answer: 7 or 8",
         "pot": "```python\nprint(12, 13)\n```", "logic": "Answer: T x"}


def columns(rows):
    return {c: [r[c] for r in rows] for c in ("task", "form", "answer", "tests")}


class CountingSandbox:
    """The real sandbox, counting its map calls."""

    def __init__(self, box):
        self.box, self.calls = box, []

    def map(self, programs, timeout=None):
        self.calls.append(len(programs))
        return self.box.map(programs, timeout=timeout)


@pytest.fixture(scope="module")
def sandbox():
    with Sandbox(workers=1, timeout=5.0) as box:
        yield box


def test_verified_completions_earn_one_gamed_ones_nothing_in_one_sandbox_call(sandbox):
    rows = [CODE, MATH, POT, LOGIC] * 2
    completions = [RIGHT[k] for k in ("code", "math", "pot", "logic")] + [GAMED[k] for k in ("code", "math", "pot", "logic")]
    counting = CountingSandbox(sandbox)
    logged = {}
    rewards = VerifierReward(counting, timeout=5.0)(["p"] * 8, completions, log_metric=logged.__setitem__, **columns(rows))
    assert rewards == [1.0] * 4 + [0.0] * 4
    assert counting.calls == [4]  # both code and both program-aided completions, one call
    assert logged["completions"] == 8 and logged["time/verify_s"] > 0
    assert logged["verdicts/ambiguous"] == 3 / 8  # the hedged math, two printed answers, the junk logic answer


def test_a_prompts_table_without_what_the_verifiers_read_is_refused(sandbox):
    with pytest.raises(ValueError, match="lacks tests"):
        VerifierReward(sandbox)(["p"], ["Answer: 7"], task=["math"], form=["cot"], answer=["7"])


def test_format_reward_pays_for_a_readable_answer_whatever_its_correctness():
    rows = [MATH, MATH, MATH, CODE, CODE, POT, LOGIC]
    completions = ["Answer: 9", "Answer: 9 or 7", "no answer here", "```python\ndef f(x):\n    return 0\n```", "f is x plus three",
                   "```python\nprint(1)\n```", "Answer: F"]
    assert FormatReward()(["p"] * 7, completions, **columns(rows)) == [1.0, 0.0, 0.0, 1.0, 0.0, 1.0, 1.0]
    assert not well_formed(LOGIC, "Answer: T\nAnswer: F")


def test_the_format_reward_is_off_unless_weighted(sandbox):
    funcs, weights = reward_functions(sandbox, 0.0)
    assert [f.__name__ for f in funcs] == ["verifier"] and weights == [1.0]
    funcs, weights = reward_functions(sandbox, 0.2)
    assert [f.__name__ for f in funcs] == ["verifier", "format"] and weights == [1.0, 0.2]


def test_a_chat_models_completions_come_as_messages_and_are_verified_as_text(sandbox):
    rows = [MATH, LOGIC, MATH]
    completions = [[{"role": "assistant", "content": RIGHT["math"]}], [{"role": "assistant", "content": RIGHT["logic"]}],
                   [{"role": "assistant", "content": GAMED["math"]}]]
    assert VerifierReward(sandbox)(["p"] * 3, completions, **columns(rows)) == [1.0, 1.0, 0.0]
    assert FormatReward()(["p"], completions[:1], **columns(rows[:1])) == [1.0]
