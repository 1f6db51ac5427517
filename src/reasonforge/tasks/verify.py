"""Verification by execution or exact answer checking, never by trusting a model.

`verify_batch(rows, completions, sandbox)` returns one verdict per (row, completion):
- math/cot and logic: the one answer of the completion's `Answer:` lines (answer.py: a hedge such
  as `4 or 5`, trailing junk or two different answers is "ambiguous"); math is compared with
  math-verify, logic exactly;
- math/pot: run the program in the sandbox; its last printed line must be one answer, compared so;
- code: run the candidate against the hidden tests in the sandbox through harness.py: a pass means
  the tests ran to their end (a per-run nonce written after the last one) and compared plain
  values (exit status 0 alone is not trusted).
Adversarial completions that each family's verifier must judge wrong: tests/test_adversarial_*.py.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass

from . import code, harness, logic, math
from .answer import final_answer

logging.getLogger("math_verify").setLevel(logging.ERROR)


@dataclass
class Verdict:
    correct: bool
    answer: str | None
    status: str  # correct | wrong | no_answer | ambiguous | error | timeout | limit | unchecked (final_answers)
    output: str = ""  # what running the program showed (its last printed line or error), for observations


def _shown(result: dict) -> str:
    """The line of a sandbox run a user would look at: the error's last line, else the last printed one."""
    if result["status"] in ("timeout", "limit"):
        return f"{result['status']}: the program was stopped"
    text = result["stderr"] if result["status"] != "ok" else result["stdout"]
    lines = [line for line in text.strip().splitlines() if line.strip()]
    return lines[-1].strip() if lines else ("(no output)" if result["status"] == "ok" else "error")


def _compare(row, found: tuple[str | None, str]) -> Verdict:
    predicted, how = found
    if predicted is None:
        return Verdict(False, None, how)
    if row["answer"] is None:  # final_answers: the answer is wanted, the gold is not read
        return Verdict(False, predicted, "unchecked")
    ok = math.answers_match(row["answer"], predicted) if row["task"] == "math" else predicted.strip() == row["answer"].strip()
    return Verdict(ok, predicted, "correct" if ok else "wrong")


def verify_batch(rows: list[dict], completions: list[str], sandbox=None, timeout: float | None = None) -> list[Verdict]:
    verdicts: list[Verdict | None] = [None] * len(rows)
    programs, slots, judges = [], [], {}
    for i, (row, completion) in enumerate(zip(rows, completions)):
        if row["task"] == "code":
            candidate = code.extract_code(completion)
            if candidate is None:
                verdicts[i] = Verdict(False, None, "no_answer")
            else:
                program, *judges[i] = harness.program(candidate, row["tests"])
                programs.append(program)
                slots.append(i)
        elif row["task"] == "math" and row["form"] == "pot":
            program = math.extract_program(completion)
            if program is None:
                verdicts[i] = Verdict(False, None, "no_answer")
            else:
                programs.append(program)
                slots.append(i)
        elif row["task"] == "math":
            verdicts[i] = _compare(row, final_answer(completion, math.single_answer))
        else:
            verdicts[i] = _compare(row, final_answer(completion, logic.single_answer))
    if programs:
        if sandbox is None:
            raise ValueError("verify_batch: code and program-aided rows need a sandbox")
        for i, result in zip(slots, sandbox.map(programs, timeout=timeout)):
            row, shown = rows[i], _shown(result)
            if row["task"] == "code":
                if result["status"] != "ok":
                    verdicts[i] = Verdict(False, None, "wrong" if result["status"] == "error" else result["status"], shown)
                else:
                    ok, shown = harness.judge(result["stdout"], *judges[i])
                    verdicts[i] = Verdict(ok, None, "correct" if ok else "wrong", shown)
            elif result["status"] != "ok":
                verdicts[i] = Verdict(False, None, result["status"], shown)
            else:
                lines = result["stdout"].strip().splitlines()
                verdicts[i] = _compare(row, (math.single_answer(lines[-1]), "ambiguous") if lines else (None, "no_answer"))
                verdicts[i].output = shown
    return verdicts


def final_answers(rows: list[dict], completions: list[str], sandbox=None, timeout: float | None = None) -> list[str | None]:
    """The final answer of each completion (a program-aided one run in the sandbox) without reading
    the rows' gold answers: what weak-to-strong selects on. Code has no final answer to compare."""
    if any(r["task"] == "code" for r in rows):
        raise ValueError("final_answers: code tasks have tests, not a final answer")
    blind = [{**r, "answer": None} for r in rows]
    return [v.answer for v in verify_batch(blind, completions, sandbox, timeout)]
