"""A web-like pretraining corpus from the `pretrain` pools: solved problems where a fraction of the
solutions are flawed the way web text is, some documents chaining several problems.

Base models that pretrain on verified gold solutions leave nothing for fine-tuning on verified data
to add (on the foundation, `strong` reached 95% on code test). Here a `flawed_fraction` of the
solutions keep their format but are wrong: an arithmetic slip carried to the end, a wrong final
answer, a program with a wrong constant or operator (it fails some tests), a wrong ordering. The
base models then imitate a mix of right and wrong, and sampling, SFT on verified data, preference
learning and reranking have room to show what they add. A `chain_fraction` of the documents hold
2..`max_chain` problems of one family separated by a blank line, so a few-shot prompt means
something to a base model.

Every flaw is checked to change the final answer (math, logic) or to fail at least one of the
problem's tests (code, run in-process: the programs are this module's own, never a model's).
"""
from __future__ import annotations

import random
import re

import pandas as pd

from . import logic

SEPARATOR = "\n\n"  # between the problems of a chained document; solutions hold no blank line
ARITH = re.compile(r"^(Step \d+: )(-?\d+)([+\-*])(-?\d+)=(-?\d+)$")
OPS = {"+": lambda a, b: a + b, "-": lambda a, b: a - b, "*": lambda a, b: a * b}


def _delta(rng: random.Random) -> int:
    return rng.choice([-3, -2, -1, 1, 2, 3, 10, -10])


def _math_cot(row: dict, rng: random.Random) -> tuple[str, str]:
    """An arithmetic slip in one step, carried through every later step, or a wrong final answer."""
    lines = row["solution"].split("\n")
    steps = [i for i, line in enumerate(lines) if ARITH.match(line)]
    if steps and rng.random() < 0.7:
        j = rng.choice(steps)
        changed: dict[str, str] = {}
        for i in steps[steps.index(j):]:
            head, a, op, b, c = ARITH.match(lines[i]).groups()
            a, b = changed.get(a, a), changed.get(b, b)
            new = OPS[op](int(a), int(b)) + (_delta(rng) if i == j else 0)
            changed[c] = str(new)
            lines[i] = f"{head}{a}{op}{b}={new}"
        final = lines[steps[-1]].rsplit("=", 1)[1]
        lines = [f"Answer: {final}" if line.startswith("Answer:") else line for line in lines]
        return "\n".join(lines), "slip"
    wrong = int(row["answer"]) + _delta(rng)
    return "\n".join(f"Answer: {wrong}" if line.startswith("Answer:") else line for line in lines), "wrong_answer"


CONST = re.compile(r"([+\-*%<>] )(\d+)")


def _swap_constant(code: str, rng: random.Random) -> str:
    spots = list(CONST.finditer(code))
    m = rng.choice(spots)
    new = max(1, int(m.group(2)) + rng.choice([-2, -1, 1, 2]))
    return code[: m.start(2)] + str(new) + code[m.end(2):]


def _swap_operator(code: str, rng: random.Random) -> str:
    swaps = [("+ ", "- "), ("- ", "+ "), ("> ", "< "), ("< ", "> "), ("* ", "+ ")]
    present = [(a, b) for a, b in swaps if a in code.split("\n", 1)[-1]]
    a, b = rng.choice(present)
    head, body = code.split("\n", 1)
    spots = [m.start() for m in re.finditer(re.escape(a), body)]
    at = rng.choice(spots)
    return head + "\n" + body[:at] + b + body[at + len(a):]


def _run(code: str) -> dict:
    scope: dict = {}
    exec(compile(code, "<corpus>", "exec"), scope)  # noqa: S102 - this module's own generated code
    return scope


def _printed(program: str) -> str:
    """What a program-aided solution prints (`n = ...` lines, then print(n))."""
    scope = _run(program.replace("print(n)", "_out = n"))
    return str(scope["_out"])


def _math_pot(row: dict, rng: random.Random) -> tuple[str, str]:
    body = row["solution"].split("```python\n", 1)[1].rsplit("```", 1)[0]
    kind = rng.choice(["constant", "operator"]) if any(op in body for op in ("+ ", "- ", "* ")) else "constant"
    flawed = _swap_constant(body, rng) if kind == "constant" else _swap_operator(body, rng)
    if _printed(flawed) == _printed(body):
        raise ValueError("flaw left the answer unchanged")
    return f"```python\n{flawed}```", f"program_{kind}"


def _code(row: dict, rng: random.Random) -> tuple[str, str]:
    body = row["solution"].split("```python\n", 1)[1].rsplit("\n```", 1)[0]
    kind = rng.choice(["constant", "operator"])
    flawed = _swap_constant(body, rng) if kind == "constant" else _swap_operator(body, rng)
    try:
        _run(flawed + "\n\n" + row["tests"])
    except AssertionError:
        return f"```python\n{flawed}\n```", f"program_{kind}"
    except Exception:  # e.g. a modulus made zero: still a program that fails its tests
        return f"```python\n{flawed}\n```", f"program_{kind}"
    raise ValueError("flaw passed every test")


def _logic(row: dict, rng: random.Random) -> tuple[str, str]:
    lines = row["solution"].split("\n")
    if lines[-2].startswith(("Up: ", "Down: ")):  # an ordering: the walk stops early or steps wrong
        up = lines[-2].startswith("Up: ")
        chain = lines[-2].split(": ", 1)[1].split(" < " if up else " > ")
        people = {p for fact in lines[:-2] for p in fact.split(" > ")}
        if len(chain) > 1 and rng.random() < 0.5:
            chain = chain[: rng.randint(1, len(chain) - 1)]
        else:
            i = rng.randint(1, len(chain))
            chain = chain[:i] + [rng.choice(sorted(people - set(chain)))]
        lines[-2:] = [logic.walk_line(chain, up), f"Answer: {chain[-1]}"]
        return "\n".join(lines), "wrong_order"
    flip = {"T": "F", "F": "T"}
    last = lines[-2]  # the outermost operation, then "Answer: X"
    lines[-2] = last[:-1] + flip[last[-1]]
    lines[-1] = f"Answer: {flip[row['answer']]}"
    return "\n".join(lines), "wrong_answer"


def flaw(row: dict, rng: random.Random) -> tuple[str, str] | None:
    """(flawed solution, kind of flaw) for one instruction row, its final answer wrong (or, for
    code, failing a test); None when no draw manages that (a few code tasks whose tests no small
    change fails): the row then stays correct, and the corpus counts only real flaws."""
    if row["task"] == "math":
        make = _math_cot if row["form"] == "cot" else _math_pot
    else:
        make = _code if row["task"] == "code" else _logic
    for _ in range(20):  # a few draws can leave the answer unchanged (x*1, a swap that commutes)
        try:
            solution, kind = make(row, rng)
        except (ValueError, IndexError, ZeroDivisionError):
            continue
        final = re.search(r"Answer: (\S+)$", solution)
        if final is None or final.group(1) != row["answer"]:
            return solution, kind
    return None


def build_corpus(pools: list[pd.DataFrame], cfg: dict, seed: int) -> pd.DataFrame:
    """Documents from the pretrain pools. cfg is params `corpus`: flawed_fraction, chain_fraction,
    max_chain. One row per document: doc_id, task, text, n_problems, n_flawed, flaws."""
    rng = random.Random(f"{seed}/corpus")
    rows = [r for df in pools for r in df.to_dict("records")]
    for r in rows:
        r["text"], r["flaw"] = r["prompt"] + r["solution"], ""
        made = flaw(r, rng) if rng.random() < cfg["flawed_fraction"] else None
        if made:
            r["text"], r["flaw"] = r["prompt"] + made[0], made[1]
    by_task: dict[str, list[dict]] = {}
    for r in rows:
        by_task.setdefault(r["task"], []).append(r)
    docs = []
    for task, items in by_task.items():
        rng.shuffle(items)
        i = 0
        while i < len(items):
            size = rng.randint(2, cfg["max_chain"]) if rng.random() < cfg["chain_fraction"] else 1
            group = items[i: i + size]
            i += size
            docs.append(dict(task=task, text=SEPARATOR.join(r["text"] for r in group), n_problems=len(group),
                             n_flawed=sum(bool(r["flaw"]) for r in group),
                             flaws=",".join(r["flaw"] for r in group if r["flaw"]),
                             sources=",".join(r["id"] for r in group)))
    rng.shuffle(docs)
    df = pd.DataFrame(docs)
    df.insert(0, "doc_id", [f"doc-{i:06d}" for i in range(len(df))])
    return df
