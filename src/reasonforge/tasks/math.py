"""Math word problems with multi-step arithmetic.

Two answer forms, chosen per instruction from `forms`:
- cot: one arithmetic step per line, then `Answer: N`;
- pot: a ```python block whose printed output is the answer (run in the sandbox).
Difficulty = number of arithmetic steps; operands are bounded by `max_operand`.
"""
from __future__ import annotations

import random
import re

from .answer import final_answer

NAMES = ["Ann", "Bob", "Cid", "Dee", "Eve", "Fay", "Gus", "Hal", "Ivy", "Jon", "Kim", "Lea"]
ITEMS = ["apple", "pen", "card", "coin", "egg", "book", "shell", "stamp", "ball", "cup"]

COT_HEADER = "A (steps):\n"
POT_HEADER = "A (python):\n"
NUMBER = r"-?[0-9]+(?:\.[0-9]+)?"
# One number, optionally with a unit word (`Answer: 12 apples`); ASCII digits only.
NUMBER_ANSWER = re.compile(rf"({NUMBER})(?:\s+[A-Za-z]+)?")
# Alternatives offered at once: `4 or 5`, `4 \lor 5`, `4, 5` (math-verify reads a list as a set, which
# then fails against a single gold; the words and connectives it would read as one value)
HEDGE = re.compile(r"\b(?:or|and)\b|\\(?:lor|vee|land|wedge)\b|\\text\{\s*(?:or|and)\s*\}")


def _story(rng: random.Random, steps: int, max_operand: int):
    """Returns (sentences, cot_lines, pot_lines, answer); each arithmetic op is one step."""
    name, item = rng.choice(NAMES), rng.choice(ITEMS)
    x = rng.randint(2, max_operand)
    sentences = [f"{name} has {x} {item}s."]
    cot, pot = [], [f"n = {x}"]
    while len(cot) < steps:
        kinds = ["add", "sub", "bags", "times"] if steps - len(cot) >= 2 else ["add", "sub", "times"]
        kind = rng.choice(kinds)
        b = rng.randint(2, max_operand)
        if kind == "sub" and b > x:
            kind = "add"
        if kind == "times" and x * b > 20 * max_operand:
            kind = "add"
        if kind == "add":
            sentences.append(f"{name} gets {b} more.")
            cot.append(f"{x}+{b}={x + b}")
            pot.append(f"n = n + {b}")
            x += b
        elif kind == "sub":
            sentences.append(f"{name} gives away {b}.")
            cot.append(f"{x}-{b}={x - b}")
            pot.append(f"n = n - {b}")
            x -= b
        elif kind == "times":
            sentences.append(f"Then {name} has {b} times as many.")
            cot.append(f"{x}*{b}={x * b}")
            pot.append(f"n = n * {b}")
            x *= b
        else:
            c = rng.randint(2, max_operand)
            sentences.append(f"{name} buys {b} bags of {c} {item}s.")
            cot += [f"{b}*{c}={b * c}", f"{x}+{b * c}={x + b * c}"]
            pot.append(f"n = n + {b} * {c}")
            x += b * c
    sentences.append(f"How many {item}s does {name} have?")
    return sentences, cot, pot, x


def generate(rng: random.Random, n: int, difficulty: dict, forms: list[str]) -> list[dict]:
    rows = []
    for i in range(n):
        steps = rng.randint(difficulty["min_steps"], difficulty["max_steps"])
        sentences, cot, pot, answer = _story(rng, steps, difficulty["max_operand"])
        form = forms[i % len(forms)]
        question = "Q: " + " ".join(sentences) + "\n"
        if form == "cot":
            prompt = question + COT_HEADER
            solution = "\n".join(f"Step {j + 1}: {line}" for j, line in enumerate(cot)) + f"\nAnswer: {answer}"
        else:
            prompt = question + POT_HEADER
            solution = "```python\n" + "\n".join(pot) + "\nprint(n)\n```"
        rows.append(dict(task="math", form=form, difficulty=steps, prompt=prompt,
                         answer=str(answer), tests=None, solution=solution))
    return rows


def single_answer(text: str) -> str | None:
    """The one answer `text` (what follows `Answer:`, or a program's last printed line) holds: a
    number, or for real benchmarks one LaTeX expression; None for a hedge or nothing."""
    text = text.strip().removesuffix(".").strip()
    if len(text) > 1 and text[0] == text[-1] == "$":
        text = text[1:-1].strip()
    if not text or HEDGE.search(text) or re.search(rf"{NUMBER}\s+{NUMBER}", text):
        return None
    m = NUMBER_ANSWER.fullmatch(text)
    return m.group(1) if m else text


def extract_cot_answer(completion: str) -> str | None:
    return final_answer(completion, single_answer)[0]


def extract_program(completion: str) -> str | None:
    """The first fenced python block; an unterminated block counts up to the end."""
    m = re.search(r"```(?:python)?\n(.*?)(?:```|\Z)", completion, re.S)
    return m.group(1) if m and m.group(1).strip() else None


def answers_match(gold: str, predicted: str | None) -> bool:
    """Compare final answers with math-verify (handles 19 vs 19.0, fractions, LaTeX). A gold that
    is a number (every synthetic and GSM8K answer) is matched only by a number: math-verify reads
    some expressions leniently (`4|5` as 4), and a number leaves no room for them."""
    if predicted is None or not predicted.strip():
        return False
    if re.fullmatch(NUMBER, gold.strip()) and not re.fullmatch(NUMBER, predicted.strip()):
        return False
    from math_verify import parse, verify

    # in $...$, so math-verify reads the whole expression as LaTeX: bare, it read `2\sqrt{3}` as 2.
    # Timeouts off: math-verify's timeout uses SIGALRM, which only works on the main thread
    gold_p = parse(f"${gold}$", parsing_timeout=None)
    pred_p = parse(f"${predicted}$", parsing_timeout=None)
    return bool(gold_p and pred_p and verify(gold_p, pred_p, timeout_seconds=None))
