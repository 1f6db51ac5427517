"""Critics: feedback on a wrong action, for the next turn of an interaction.

The default critic is built from the verifier's verdict, the observation and the reference
solution, as the paper's critic (GPT-4) saw the reference. Like that critic it points at the
mistake without giving the answer away: the first line that departs from the reference, with the
arithmetic done right where the line is a calculation, the failing test of a function, or what is
missing. A model can be named as critic instead (`ModelCritic`): it reads the trajectory and writes
the feedback line itself.
"""
from __future__ import annotations

import re

from ..models.generate import SamplingConfig
from ..tasks.verify import Verdict

CALC = re.compile(r"(-?\d+)\s*([+\-*])\s*(-?\d+)\s*=\s*(-?\d+)")
STEP_PREFIX = re.compile(r"^Step \d+:\s*")
OPS = {"+": lambda a, b: a + b, "-": lambda a, b: a - b, "*": lambda a, b: a * b}


def body_lines(text: str) -> list[str]:
    """The reasoning or program lines of an action: fences, `Step k:` prefixes, the answer line and
    blank lines dropped, so an action and the reference compare line by line."""
    lines = []
    for line in text.split("\n"):
        line = STEP_PREFIX.sub("", line).rstrip()
        if not line.strip() or line.startswith("```") or line.startswith("Answer:"):
            continue
        lines.append(line)
    return lines


def _slip(line: str) -> str | None:
    """`7+5=13` -> `7+5 is 12, not 13`; None when the calculation is right or there is none."""
    m = CALC.search(line)
    if not m:
        return None
    a, op, b, c = int(m.group(1)), m.group(2), int(m.group(3)), int(m.group(4))
    right = OPS[op](a, b)
    return None if right == c else f"{a}{op}{b} is {right}, not {c}"


NO_ANSWER = {
    "cot": "There is no final answer: end with a line `Answer: <value>`.",
    "pot": "There is no program: write a ```python block that prints the answer.",
    "code": "There is no function: write it in a ```python block.",
}


def verifier_critique(row: dict, action: str, verdict: Verdict) -> str:
    """One line of feedback on a wrong action; empty for a correct one."""
    if verdict.correct:
        return ""
    form = row["form"]
    if verdict.status == "no_answer":
        return NO_ANSWER[form]
    if verdict.status == "ambiguous":
        return "Give one final answer: a single value on the `Answer:` line."
    if verdict.status in ("timeout", "limit"):
        return "The program was stopped before it finished: it must end quickly."
    failing = f" It fails: {verdict.output}." if row["task"] == "code" and verdict.output else ""
    mine, ref = body_lines(action), body_lines(row.get("solution") or "")
    noun = "Line" if form in ("pot", "code") else "Step"
    for k, (a, r) in enumerate(zip(mine, ref), start=1):
        if a.strip() != r.strip():
            slip = _slip(a)
            if slip:
                return f"{noun} {k} is wrong: {slip}.{failing}"
            return f"{noun} {k} does not follow the question; check it against the question.{failing}"
    if len(mine) < len(ref):
        return f"The solution stops too early: a {noun.lower()} is missing after {noun.lower()} {len(mine)}.{failing}"
    if len(mine) > len(ref):
        return f"{noun} {len(ref) + 1} is not needed: the solution does more than the question asks.{failing}"
    return f"The steps are right but the final answer is not what they give.{failing}"


class ModelCritic:
    """A model as critic: it continues the trajectory after `Feedback: ` up to the end of the line."""

    def __init__(self, generator, max_new_tokens: int = 48, seed: int = 0):
        self.generator, self.max_new_tokens, self.seed = generator, max_new_tokens, seed

    def __call__(self, contexts: list[str]) -> list[str]:
        cfg = SamplingConfig(n=1, temperature=0.0, max_new_tokens=self.max_new_tokens, stop=["\n"], seed=self.seed)
        outs = self.generator.generate([c + "Feedback: " for c in contexts], cfg)
        return [o[0].text.split("\n", 1)[0].strip() for o in outs]  # one line, whatever the backend did with stop
