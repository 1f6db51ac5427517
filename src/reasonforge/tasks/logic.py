"""Logic puzzles with one checkable answer.

- ordering: a chain of pairwise comparisons (shuffled, mixing "taller"/"shorter"); who is the
  tallest or the shortest? The reference reasoning writes the full order, then the answer.
- boolean: a nested expression over T/F with and/or/not, evaluated one operation per line.
Difficulty = number of comparisons or operations.
"""
from __future__ import annotations

import random
import re

from .math import NAMES

HEADER = "A (steps):\n"
ANSWER_RE = re.compile(r"Answer:\s*([A-Za-z]+)")


def _ordering(rng, steps):
    people = rng.sample(NAMES, steps + 1)  # people[0] is the tallest
    facts = []
    for a, b in zip(people, people[1:]):
        facts.append(f"{a} is taller than {b}." if rng.random() < 0.5 else f"{b} is shorter than {a}.")
    rng.shuffle(facts)
    ask_tallest = rng.random() < 0.5
    question = "Who is the tallest?" if ask_tallest else "Who is the shortest?"
    answer = people[0] if ask_tallest else people[-1]
    return " ".join(facts) + " " + question, [f"Order: {' > '.join(people)}"], answer


def _boolean(rng, steps):
    """Random expression tree with `steps` operators; returns (text, lines, value)."""
    lines = []

    def wrap(text):  # every compound operand in parentheses: no precedence to learn
        return f"({text})" if " " in text else text

    def build(ops):
        if ops == 0:
            v = rng.choice("TF")
            return v, v
        if ops >= 1 and rng.random() < 0.25:
            inner_text, inner_val = build(ops - 1)
            val = "F" if inner_val == "T" else "T"
            lines.append(f"not {inner_val} = {val}")
            return f"not {wrap(inner_text)}", val
        left_ops = rng.randint(0, ops - 1)
        lt, lv = build(left_ops)
        rt, rv = build(ops - 1 - left_ops)
        op = rng.choice(["and", "or"])
        val = ("T" if lv == rv == "T" else "F") if op == "and" else ("T" if "T" in (lv, rv) else "F")
        lines.append(f"{lv} {op} {rv} = {val}")
        return f"{wrap(lt)} {op} {wrap(rt)}", val

    text, value = build(steps)
    return f"Evaluate: {text}", lines, value


def generate(rng: random.Random, n: int, difficulty: dict, forms=None) -> list[dict]:
    rows = []
    for _ in range(n):
        steps = rng.randint(difficulty["min_steps"], difficulty["max_steps"])
        text, lines, answer = rng.choice([_ordering, _boolean])(rng, steps)
        solution = "\n".join(lines) + f"\nAnswer: {answer}"
        rows.append(dict(task="logic", form="cot", difficulty=steps, prompt=f"Q: {text}\n{HEADER}",
                         answer=answer, tests=None, solution=solution))
    return rows


def extract_answer(completion: str) -> str | None:
    m = ANSWER_RE.search(completion)
    return m.group(1) if m else None
