"""Logic puzzles with one checkable answer, each solved one local step per line (a model of a few
million parameters learns a lookup per line; it did not learn to write a whole order at once:
strong's greedy accuracy on orderings was 13%, below guessing among the names).

- ordering: a chain of pairwise comparisons (shuffled, mixing "taller"/"shorter"); who is the
  tallest or the shortest? The reference restates each fact as `A > B`, then walks from the first
  person named, one comparison at a time, up (`Ivy < Eve < Jon`) or down to the end asked about.
- boolean: a nested expression over named T/F values with and/or/not: the reference substitutes
  the values, then evaluates one operation per line. Named values keep the pool large: over
  literals alone, expressions of up to 3 operations number about 1.1k, and the train pool used
  them up (the test split held 7 of them).
Difficulty = number of comparisons or operations.
"""
from __future__ import annotations

import random
import re

from .answer import final_answer
from .math import NAMES

HEADER = "A (steps):\n"
WORD = re.compile(r"[A-Za-z]+")
VARIABLES = "abcdeghkmnpqrsuvwxyz"  # no t / f, which read like the values


def walk(facts: list[tuple[str, str]], start: str, up: bool) -> list[str]:
    """From `start`, follow `taller > shorter` facts up to the tallest (up) or down to the shortest."""
    step = {b: a for a, b in facts} if up else dict(facts)
    chain = [start]
    while chain[-1] in step:
        chain.append(step[chain[-1]])
    return chain


def walk_line(chain: list[str], up: bool) -> str:
    return ("Up: " + " < ".join(chain)) if up else ("Down: " + " > ".join(chain))


def _ordering(rng, steps):
    people = rng.sample(NAMES, steps + 1)  # people[0] is the tallest
    facts = list(zip(people, people[1:]))
    rng.shuffle(facts)
    text = [f"{a} is taller than {b}." if rng.random() < 0.5 else f"{b} is shorter than {a}." for a, b in facts]
    up = rng.random() < 0.5
    question = "Who is the tallest?" if up else "Who is the shortest?"
    chain = walk(facts, text[0].split()[0], up)
    return " ".join(text) + " " + question, [f"{a} > {b}" for a, b in facts] + [walk_line(chain, up)], chain[-1]


def _boolean(rng, steps):
    """Random expression tree with `steps` operators over named values; returns (text, lines, value)."""
    lines, names = [], iter(rng.sample(VARIABLES, steps + 1))
    values = {}

    def wrap(text):  # every compound operand in parentheses: no precedence to learn
        return f"({text})" if " " in text else text

    def build(ops):  # -> (expression with names, expression with values, value)
        if ops == 0:
            name, v = next(names), rng.choice("TF")
            values[name] = v
            return name, v, v
        if rng.random() < 0.25:
            named, valued, inner = build(ops - 1)
            val = "F" if inner == "T" else "T"
            lines.append(f"not {inner} = {val}")
            return f"not {wrap(named)}", f"not {wrap(valued)}", val
        left_ops = rng.randint(0, ops - 1)
        ln, lvd, lv = build(left_ops)
        rn, rvd, rv = build(ops - 1 - left_ops)
        op = rng.choice(["and", "or"])
        val = ("T" if lv == rv == "T" else "F") if op == "and" else ("T" if "T" in (lv, rv) else "F")
        lines.append(f"{lv} {op} {rv} = {val}")
        return f"{wrap(ln)} {op} {wrap(rn)}", f"{wrap(lvd)} {op} {wrap(rvd)}", val

    named, valued, value = build(steps)
    given = ", ".join(f"{k} = {v}" for k, v in sorted(values.items()))
    return f"Let {given}. Evaluate: {named}", [valued] + lines, value


def generate(rng: random.Random, n: int, difficulty: dict, forms=None) -> list[dict]:
    rows = []
    for _ in range(n):
        steps = rng.randint(difficulty["min_steps"], difficulty["max_steps"])
        text, lines, answer = rng.choice([_ordering, _boolean])(rng, steps)
        solution = "\n".join(lines) + f"\nAnswer: {answer}"
        rows.append(dict(task="logic", form="cot", difficulty=steps, prompt=f"Q: {text}\n{HEADER}",
                         answer=answer, tests=None, solution=solution))
    return rows


def single_answer(text: str) -> str | None:
    """One name or truth value and nothing else (`Answer: T x` is not T)."""
    text = text.strip().removesuffix(".").strip()
    return text if WORD.fullmatch(text) else None


def extract_answer(completion: str) -> str | None:
    return final_answer(completion, single_answer)[0]
