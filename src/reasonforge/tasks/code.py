"""Code tasks: write a small Python function from a step-by-step description.

Two shapes: an integer pipeline `f(x)` and a list pipeline `f(xs)` (filters and maps, then a
reduction). Difficulty = number of steps. The hidden tests are assertions computed from the
reference function; they run against the completion in the sandbox (harness.py).
"""
from __future__ import annotations

import random

from .math import extract_program

HEADER = "Code:\n"

INT_OPS = {  # name -> (phrase, statement, function)
    "add": ("adds {k}", "x = x + {k}", lambda x, k: x + k),
    "sub": ("subtracts {k}", "x = x - {k}", lambda x, k: x - k),
    "mul": ("multiplies by {k}", "x = x * {k}", lambda x, k: x * k),
    "mod": ("takes the remainder mod {k}", "x = x % {k}", lambda x, k: x % k),
}
LIST_OPS = {
    "keep_gt": ("keeps items greater than {k}", "xs = [v for v in xs if v > {k}]", lambda xs, k: [v for v in xs if v > k]),
    "keep_lt": ("keeps items less than {k}", "xs = [v for v in xs if v < {k}]", lambda xs, k: [v for v in xs if v < k]),
    "add": ("adds {k} to each item", "xs = [v + {k} for v in xs]", lambda xs, k: [v + k for v in xs]),
    "mul": ("multiplies each item by {k}", "xs = [v * {k} for v in xs]", lambda xs, k: [v * k for v in xs]),
}
REDUCE = {"sum": ("returns their sum", "sum(xs)", sum), "count": ("returns how many there are", "len(xs)", len)}


def _int_task(rng, steps, max_operand):
    ops = [(rng.choice(list(INT_OPS)), rng.randint(2, max_operand)) for _ in range(steps)]
    phrases = [INT_OPS[o][0].format(k=k) for o, k in ops]
    body = [INT_OPS[o][1].format(k=k) for o, k in ops]

    def ref(x):
        for o, k in ops:
            x = INT_OPS[o][2](x, k)
        return x

    text = "Write a function f(x) that " + ", then ".join(phrases) + ", then returns x."
    code = "def f(x):\n" + "".join(f"    {line}\n" for line in body) + "    return x"
    inputs = [rng.randint(-max_operand, 3 * max_operand) for _ in range(4)]
    return text, code, [(repr(i), repr(ref(i))) for i in inputs]


def _list_task(rng, steps, max_operand):
    ops = [(rng.choice(list(LIST_OPS)), rng.randint(1, max_operand)) for _ in range(steps)]
    red = rng.choice(list(REDUCE))
    phrases = [LIST_OPS[o][0].format(k=k) for o, k in ops] + [REDUCE[red][0]]
    body = [LIST_OPS[o][1].format(k=k) for o, k in ops]

    def ref(xs):
        for o, k in ops:
            xs = LIST_OPS[o][2](xs, k)
        return REDUCE[red][2](xs)

    text = "Write a function f(xs) that " + ", then ".join(phrases) + "."
    code = "def f(xs):\n" + "".join(f"    {line}\n" for line in body) + f"    return {REDUCE[red][1]}"
    inputs = [[rng.randint(0, 2 * max_operand) for _ in range(rng.randint(0, 6))] for _ in range(4)]
    return text, code, [(repr(i), repr(ref(i))) for i in inputs]


def generate(rng: random.Random, n: int, difficulty: dict, forms=None) -> list[dict]:
    rows = []
    for _ in range(n):
        steps = rng.randint(difficulty["min_steps"], difficulty["max_steps"])
        make = rng.choice([_int_task, _list_task])
        text, code, cases = make(rng, steps, difficulty["max_operand"])
        tests = "\n".join(f"assert f({i}) == {o}, 'f({i}) should be {o}'" for i, o in cases) + "\n"
        rows.append(dict(task="code", form="code", difficulty=steps, prompt=f"Task: {text}\n{HEADER}",
                         answer=None, tests=tests, solution=f"```python\n{code}\n```"))
    return rows


def extract_code(completion: str) -> str | None:
    """The first fenced block, else the whole completion if it defines something."""
    return extract_program(completion) or (completion if "def " in completion else None)

