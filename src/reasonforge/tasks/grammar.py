"""The families' grammars read backwards: the answer of a prompt a generator could have written.

AlphaLLM's imagination keeps a synthesized problem when its family's grammar parses it and
computes its answer. A module of its own (not tasks.math / tasks.logic) so the task tables,
whose rules depend on those modules' code, do not rebuild when a parser changes.
"""
from __future__ import annotations

import re

from .math import ITEMS, NAMES


_FIRST = re.compile(r"(\w+) has (\d+) (\w+)s\.")
_STEPS = [(re.compile(r"(\w+) gets (\d+) more\."), lambda x, b, c: x + b),
          (re.compile(r"(\w+) gives away (\d+)\."), lambda x, b, c: x - b if b <= x else None),
          (re.compile(r"Then (\w+) has (\d+) times as many\."), lambda x, b, c: x * b),
          (re.compile(r"(\w+) buys (\d+) bags of (\d+) (\w+)s\."), lambda x, b, c: x + b * c)]
_LAST = re.compile(r"How many (\w+)s does (\w+) have\?")


def solve_math(prompt: str) -> str | None:
    """The answer of a word problem written in this family's grammar (a story `math._story` could tell:
    one person, one item, known sentences, never giving away more than is held), else None. What
    AlphaLLM's imagination keeps a synthesized problem by."""
    if not prompt.startswith("Q: "):
        return None
    sentences = re.split(r"(?<=[.?])\s+", prompt[3:].split("\n", 1)[0].strip())
    first, last = _FIRST.fullmatch(sentences[0]), _LAST.fullmatch(sentences[-1])
    if len(sentences) < 3 or not first or not last:
        return None
    name, x, item = first.group(1), int(first.group(2)), first.group(3)
    if name not in NAMES or item not in ITEMS or last.groups() != (item, name):
        return None
    for sentence in sentences[1:-1]:
        for pattern, apply in _STEPS:
            m = pattern.fullmatch(sentence)
            if m and m.group(1) == name and (pattern.groups < 4 or m.group(4) == item):
                x = apply(x, int(m.group(2)), int(m.group(3)) if pattern.groups >= 3 else 0)
                break
        else:
            return None
        if x is None:
            return None
    return str(x)


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
    # one answer only when the facts chain everyone: one step up and one down per person at most,
    # one person nobody is taller than, and from them a walk down that meets everyone once (a model
    # can write a cycle beside a chain: A > B > C > A and D > E pass the counts above)
    if len(set(facts)) != len(facts) or len(facts) != len(people) - 1 or len({a for a, _ in facts}) != len(facts) \
            or len({b for _, b in facts}) != len(facts):
        return None
    below = dict(facts)
    tops = people - set(below.values())
    if len(tops) != 1:
        return None
    chain = [tops.pop()]
    while chain[-1] in below and len(chain) <= len(people):
        chain.append(below[chain[-1]])
    if len(chain) != len(people) or len(set(chain)) != len(people):
        return None
    return chain[0] if question.endswith("tallest?") else chain[-1]


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


def solve_logic(prompt: str) -> str | None:
    """The answer of a puzzle written in this family's grammar with exactly one answer (an ordering
    whose facts chain everyone, or a boolean expression over given values, every compound operand
    in parentheses), else None. What AlphaLLM's imagination keeps a synthesized puzzle by."""
    if not prompt.startswith("Q: "):
        return None
    text = prompt[3:].split("\n", 1)[0].strip()
    if text.startswith("Let "):
        return _solve_boolean(text)
    return _solve_ordering(re.split(r"(?<=[.?])\s+", text))


SOLVERS = {"math": solve_math, "logic": solve_logic}
