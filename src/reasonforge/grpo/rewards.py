"""The verifiers as GRPO rewards: a completion earns 1.0 when its family's verifier judges it correct.

TRL calls a reward function once per generation batch with every completion of the step and the
dataset's columns (`task`, `form`, `answer`, `tests`) beside them: `VerifierReward` hands them to
`tasks.verify.verify_batch` in one call, so every code and program-aided completion of the step runs in
one `Sandbox.map` (bench/grpo_throughput.py measures it against one call per completion). Whatever the
hardened verifiers refuse (an exit before the tests, an `__eq__` that always agrees, a hedged answer:
tests/test_adversarial_*.py) earns nothing here either, because this is the same function.

`FormatReward` (off unless `grpo.format_weight` > 0) pays for one unambiguous final answer, a program
or a code block whatever its correctness: the shaping some recipes add early in RL, never a substitute
for the verifier.
"""
from __future__ import annotations

import time

from ..models.chat import text_of
from ..tasks import code, math
from ..tasks.answer import final_answer
from ..tasks.logic import single_answer as logic_answer
from ..tasks.verify import verify_batch

COLUMNS = ("task", "form", "answer", "tests")   # what the verifiers read of an instruction


def _rows(n: int, columns: dict) -> list[dict]:
    missing = [c for c in COLUMNS if c not in columns]
    if missing:
        raise ValueError(f"GRPO reward: the prompts table lacks {', '.join(missing)} (the verifiers need {', '.join(COLUMNS)})")
    return [{c: columns[c][i] for c in COLUMNS} for i in range(n)]


class VerifierReward:
    """1.0 for a verified-correct completion, else 0.0; logs the verifier's seconds per step and the
    share of each verdict (correct, wrong, no_answer, ambiguous, timeout, ...)."""

    __name__ = "verifier"  # TRL names the reward's logged columns after it: rewards/verifier/mean

    def __init__(self, sandbox, timeout: float | None = None):
        self.sandbox, self.timeout = sandbox, timeout
        self.calls = 0

    def __call__(self, prompts, completions, log_metric=None, **columns) -> list[float]:
        start = time.perf_counter()
        texts = [text_of(c) for c in completions]  # a chat model's completions come as messages
        verdicts = verify_batch(_rows(len(completions), columns), texts, self.sandbox, timeout=self.timeout)
        self.calls += 1
        if log_metric is not None:
            log_metric("time/verify_s", time.perf_counter() - start)
            log_metric("completions", len(completions))
            for status in ("no_answer", "ambiguous"):
                log_metric(f"verdicts/{status}", sum(v.status == status for v in verdicts) / len(verdicts))
        return [1.0 if v.correct else 0.0 for v in verdicts]


def well_formed(row: dict, completion: str) -> bool:
    """One final answer the verifier can read (math and logic), a program (math/pot) or a code block."""
    if row["task"] == "code":
        return code.extract_code(completion) is not None
    if row["task"] == "math" and row["form"] == "pot":
        return math.extract_program(completion) is not None
    single = math.single_answer if row["task"] == "math" else logic_answer
    return final_answer(completion, single)[0] is not None


class FormatReward:
    __name__ = "format"

    def __call__(self, prompts, completions, **columns) -> list[float]:
        rows = _rows(len(completions), columns)
        return [1.0 if well_formed(r, text_of(c)) else 0.0 for r, c in zip(rows, completions)]


def reward_functions(sandbox, format_weight: float, timeout: float | None = None) -> tuple[list, list[float]]:
    """TRL's `reward_funcs` and `reward_weights`: the verifier, and the format reward when weighted."""
    funcs, weights = [VerifierReward(sandbox, timeout)], [1.0]
    if format_weight > 0:
        funcs.append(FormatReward())
        weights.append(format_weight)
    return funcs, weights
