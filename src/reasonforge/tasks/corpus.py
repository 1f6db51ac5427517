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
from .document import SEPARATOR

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


# Misconceptions: one wrong way most documents of a sub-type share, as the web repeats its errors.
# Flaws drawn per document at random leave the right step the likeliest one: the base model's greedy
# answer filtered them out (strong's greedy beat its samples), and verified data had little to
# correct in the mode (issue 21). A misconception a majority of a sub-type's documents share makes
# the mode wrong there while samples still find the right way, the room verified data acts in.
MULTIPLIES = re.compile(r"buys (\d+) bags of (\d+) |has (\d+) times as many")


def _multiply_as_add(row: dict, sentence: str) -> str | None:
    """Math, a multiplication read as an addition, carried through the later steps. sentence "bags":
    "buys B bags of C" as B + C items (not B x C); "times": "has K times as many" as K more (not x K).
    The steps multiply once per such sentence, in the prompt's order: that order says which is which."""
    found = [("bags", (b, c)) if b else ("times", (k,)) for b, c, k in MULTIPLIES.findall(row["prompt"])]
    if sentence not in (kind for kind, _ in found):
        return None
    if row["form"] == "pot":
        body = row["solution"]
        for kind, nums in found:
            if kind == sentence == "bags":
                body = body.replace(f"n = n + {nums[0]} * {nums[1]}\n", f"n = n + {nums[0]} + {nums[1]}\n", 1)
            elif kind == sentence == "times":
                body = body.replace(f"n = n * {nums[0]}\n", f"n = n + {nums[0]}\n", 1)
        program = body.split("```python\n", 1)[1].rsplit("```", 1)[0]
        return body if _printed(program) != row["answer"] else None
    lines, changed, kinds = row["solution"].split("\n"), {}, [kind for kind, _ in found]
    for i, line in enumerate(lines):
        m = ARITH.match(line)
        if not m:
            continue
        head, a, op, b, c = m.groups()
        if op == "*" and kinds.pop(0) == sentence:
            op = "+"
        a, b = changed.get(a, a), changed.get(b, b)
        new = str(OPS[op](int(a), int(b)))
        if new != c:
            changed[c] = new
        lines[i] = f"{head}{a}{op}{b}={new}"
        final = new
    lines = [f"Answer: {final}" if line.startswith("Answer:") else line for line in lines]
    return "\n".join(lines) if final != row["answer"] else None


def _bags_added(row: dict) -> str | None:
    return _multiply_as_add(row, "bags")


def _times_as_more(row: dict) -> str | None:
    return _multiply_as_add(row, "times")


def _failing(row: dict, flawed: str) -> str | None:
    """The flawed code solution when it fails at least one of the row's tests, else None."""
    try:
        _run(flawed.split("```python\n", 1)[1].rsplit("\n```", 1)[0] + "\n\n" + row["tests"])
    except Exception:  # noqa: BLE001 - an assertion or a division by zero: it fails its tests
        return flawed
    return None


def _remainder_as_quotient(row: dict) -> str | None:
    """Code, "takes the remainder mod k": `x // k` for `x % k`, in every such step."""
    if "x = x % " not in row["solution"]:
        return None
    return _failing(row, row["solution"].replace("x = x % ", "x = x // "))


def _sub_reversed(row: dict) -> str | None:
    """Code, "subtracts k": `x = k - x` for `x = x - k`, the operands in the sentence's order of mention."""
    if "x = x - " not in row["solution"]:
        return None
    return _failing(row, re.sub(r"x = x - (\d+)", r"x = \1 - x", row["solution"]))


def _count_as_sum(row: dict) -> str | None:
    """Code, "returns how many there are": `sum(xs)` for `len(xs)`, the count read as the total."""
    if "return len(xs)" not in row["solution"]:
        return None
    return _failing(row, row["solution"].replace("return len(xs)", "return sum(xs)"))


LOGIC_OPS = {"and": lambda a, b: "T" if a == b == "T" else "F", "or": lambda a, b: "T" if "T" in (a, b) else "F"}


def evaluate_lines(expression: str, ops: dict = LOGIC_OPS) -> tuple[str, list[str]]:
    """(value, one line per operation) of a boolean expression over T / F in the reference's order
    (left operand, right operand, then the operation; `not`'s operand first)."""
    tokens, pos, lines = re.findall(r"\(|\)|\w+", expression), 0, []

    def operand() -> str:
        nonlocal pos
        token, pos = tokens[pos], pos + 1
        if token == "(":
            value = compound()
            pos += 1  # ")"
            return value
        if token == "not":
            inner = operand()
            value = "F" if inner == "T" else "T"
            lines.append(f"not {inner} = {value}")
            return value
        return token

    def compound() -> str:
        nonlocal pos
        left = operand()
        if pos < len(tokens) and tokens[pos] in ops:
            op, pos = tokens[pos], pos + 1
            right = operand()
            value = ops[op](left, right)
            lines.append(f"{left} {op} {right} = {value}")
            return value
        return left

    return compound(), lines


def _or_as_xor(row: dict) -> str | None:
    """Logic, an `or` of two truths: read as exclusive (`T or T = F`), carried to the answer. A
    document whose answer the misreading leaves right still shows the wrong step."""
    lines = row["solution"].split("\n")
    if lines[-2].startswith(("Up: ", "Down: ")):
        return None
    value, steps = evaluate_lines(lines[0], dict(LOGIC_OPS, **{"or": lambda a, b: "T" if a != b else "F"}))
    if steps == lines[1:-1]:
        return None
    return "\n".join([lines[0], *steps, f"Answer: {value}"])


SHORTER = re.compile(r"(\w+) is shorter than (\w+)\.")


def _shorter_reversed(row: dict) -> str | None:
    """Logic orderings, "B is shorter than A": restated `B > A` (the sentence's order read as
    taller-first), then walked on the facts so restated, as the reference walks."""
    lines = row["solution"].split("\n")
    if not lines[-2].startswith(("Up: ", "Down: ")):
        return None
    reversed_ = {f"{b} > {a}" for b, a in SHORTER.findall(row["prompt"])}
    if not reversed_:
        return None
    facts = [tuple(line.split(" > ")) for line in lines[:-2]]
    facts = [(b, a) if f"{b} > {a}" in reversed_ else (a, b) for a, b in facts]
    up = lines[-2].startswith("Up: ")
    start = row["prompt"].split("Q: ", 1)[1].split()[0]
    chain = logic.walk(facts, start, up)
    if chain[-1] == row["answer"]:
        return None
    return "\n".join([f"{a} > {b}" for a, b in facts] + [logic.walk_line(chain, up), f"Answer: {chain[-1]}"])


MISCONCEPTIONS = {"bags_added": ("math", _bags_added), "times_as_more": ("math", _times_as_more),
                  "remainder_as_quotient": ("code", _remainder_as_quotient), "sub_reversed": ("code", _sub_reversed),
                  "count_as_sum": ("code", _count_as_sum),
                  "or_as_xor": ("logic", _or_as_xor), "shorter_reversed": ("logic", _shorter_reversed)}


def misconceive(row: dict, misconceptions: dict[str, float], rng: random.Random) -> tuple[str, str] | None:
    """(solution, misconception) when the row is of a misconception's sub-type and its draw (the
    share params `corpus.misconceptions` gives it) falls; None otherwise."""
    for name, share in misconceptions.items():
        task, make = MISCONCEPTIONS[name]
        if row["task"] == task:
            solution = make(row)
            if solution is not None and rng.random() < share:
                return solution, name
    return None


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
    max_chain, misconceptions (name -> the share of its sub-type's problems that carry it; the
    others are flawed at random as any problem). One row per document: doc_id, task, text,
    n_problems, n_flawed, flaws."""
    rng = random.Random(f"{seed}/corpus")
    rows = [r for df in pools for r in df.to_dict("records")]
    misconceptions = cfg.get("misconceptions") or {}
    for r in rows:
        r["text"], r["flaw"] = r["prompt"] + r["solution"], ""
        made = misconceive(r, misconceptions, rng)
        if made is None and rng.random() < cfg["flawed_fraction"]:
            made = flaw(r, rng)
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
