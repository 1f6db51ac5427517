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

from .math import NAMES

HEADER = "A (steps):\n"
ANSWER_RE = re.compile(r"Answer:\s*([A-Za-z]+)")
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


def extract_answer(completion: str) -> str | None:
    m = ANSWER_RE.search(completion)
    return m.group(1) if m else None


_COMPARE = re.compile(r"(\w+) is (taller|shorter) than (\w+)\.")
_TOKENS = re.compile(r"\(|\)|\w+")


def _solve_ordering(sentences: list[str]) -> str | None:
    *facts_text, question = sentences
    if question not in ("Who is the tallest?", "Who is the shortest?") or not facts_text:
        return None
    facts = []
    for s in facts_text:
        m = _COMPARE.fullmatch(s)
        if not m or m.group(1) == m.group(3) or not {m.group(1), m.group(3)} <= set(NAMES):
            return None
        facts.append((m.group(1), m.group(3)) if m.group(2) == "taller" else (m.group(3), m.group(1)))
    people = {p for f in facts for p in f}
    # one answer only when the facts chain everyone: one step up and one down per person at most
    if len(set(facts)) != len(facts) or len(facts) != len(people) - 1 or len({a for a, _ in facts}) != len(facts) \
            or len({b for _, b in facts}) != len(facts):
        return None
    up = question.endswith("tallest?")
    chain = walk(facts, facts[0][0], up)
    return chain[-1] if len(set(walk(facts, chain[-1], not up))) == len(people) else None


def _solve_boolean(text: str) -> str | None:
    m = re.fullmatch(r"Let (.+)\. Evaluate: (.+)", text)
    if not m:
        return None
    values = {}
    for given in m.group(1).split(", "):
        g = re.fullmatch(r"([a-z]) = ([TF])", given)
        if not g or g.group(1) in values:
            return None
        values[g.group(1)] = g.group(2) == "T"
    tokens = _TOKENS.findall(m.group(2))
    if "".join(tokens) != m.group(2).replace(" ", ""):
        return None
    pos = 0

    def atom():  # a name or a parenthesised expression
        nonlocal pos
        if pos < len(tokens) and tokens[pos] == "(":
            pos += 1
            v = expr()
            if v is None or pos >= len(tokens) or tokens[pos] != ")":
                return None
            pos += 1
            return v
        if pos < len(tokens) and tokens[pos] in values:
            pos += 1
            return values[tokens[pos - 1]]
        return None

    def unary():
        nonlocal pos
        if pos < len(tokens) and tokens[pos] == "not":
            pos += 1
            v = atom()
            return None if v is None else not v
        return atom()

    def expr():  # one operator at most per level: the grammar parenthesises every compound operand
        nonlocal pos
        left = unary()
        if left is None or pos >= len(tokens) or tokens[pos] not in ("and", "or"):
            return left
        op = tokens[pos]
        pos += 1
        right = unary()
        if right is None:
            return None
        return (left and right) if op == "and" else (left or right)

    value = expr()
    return None if value is None or pos != len(tokens) else ("T" if value else "F")


def solve_prompt(prompt: str) -> str | None:
    """The answer of a puzzle written in this family's grammar with exactly one answer (an ordering
    whose facts chain everyone, or a boolean expression over given values, every compound operand
    in parentheses), else None. What AlphaLLM's imagination keeps a synthesized puzzle by."""
    if not prompt.startswith("Q: "):
        return None
    text = prompt[3:].split("\n", 1)[0].strip()
    if text.startswith("Let "):
        return _solve_boolean(text)
    return _solve_ordering(re.split(r"(?<=[.?])\s+", text))
