"""Verification by execution or exact answer checking, never by trusting a model.

`verify_batch(rows, completions, sandbox)` returns one verdict per (row, completion):
- math/cot and logic: extract `Answer: X`; math is compared with math-verify, logic exactly;
- math/pot: run the program in the sandbox, compare its last printed line with math-verify;
- code: run the candidate followed by the hidden tests in the sandbox; pass = exit status 0.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass

from . import code, logic, math

logging.getLogger("math_verify").setLevel(logging.ERROR)


@dataclass
class Verdict:
    correct: bool
    answer: str | None
    status: str  # correct | wrong | no_answer | error | timeout | limit | unchecked (final_answers)
    output: str = ""  # what running the program showed (its last printed line or error), for observations


def _shown(result: dict) -> str:
    """The line of a sandbox run a user would look at: the error's last line, else the last printed one."""
    if result["status"] in ("timeout", "limit"):
        return f"{result['status']}: the program was stopped"
    text = result["stderr"] if result["status"] != "ok" else result["stdout"]
    lines = [line for line in text.strip().splitlines() if line.strip()]
    return lines[-1].strip() if lines else ("(no output)" if result["status"] == "ok" else "error")


def _compare(row, predicted: str | None) -> Verdict:
    if predicted is None:
        return Verdict(False, None, "no_answer")
    if row["answer"] is None:  # final_answers: the answer is wanted, the gold is not read
        return Verdict(False, predicted, "unchecked")
    ok = math.answers_match(row["answer"], predicted) if row["task"] == "math" else predicted.strip() == row["answer"].strip()
    return Verdict(ok, predicted, "correct" if ok else "wrong")


def verify_batch(rows: list[dict], completions: list[str], sandbox=None, timeout: float | None = None) -> list[Verdict]:
    verdicts: list[Verdict | None] = [None] * len(rows)
    programs, slots = [], []
    for i, (row, completion) in enumerate(zip(rows, completions)):
        if row["task"] == "code":
            candidate = code.extract_code(completion)
            if candidate is None:
                verdicts[i] = Verdict(False, None, "no_answer")
            else:
                programs.append(code.test_program(candidate, row["tests"]))
                slots.append(i)
        elif row["task"] == "math" and row["form"] == "pot":
            program = math.extract_program(completion)
            if program is None:
                verdicts[i] = Verdict(False, None, "no_answer")
            else:
                programs.append(program)
                slots.append(i)
        elif row["task"] == "math":
            verdicts[i] = _compare(row, math.extract_cot_answer(completion))
        else:
            verdicts[i] = _compare(row, logic.extract_answer(completion))
    if programs:
        if sandbox is None:
            raise ValueError("verify_batch: code and program-aided rows need a sandbox")
        for i, result in zip(slots, sandbox.map(programs, timeout=timeout)):
            row, shown = rows[i], _shown(result)
            if row["task"] == "code":
                ok = result["status"] == "ok"
                status = "correct" if ok else ("wrong" if result["status"] == "error" else result["status"])
                verdicts[i] = Verdict(ok, None, status, "all tests passed" if ok else shown)
            elif result["status"] != "ok":
                verdicts[i] = Verdict(False, None, result["status"], shown)
            else:
                lines = result["stdout"].strip().splitlines()
                verdicts[i] = _compare(row, lines[-1] if lines else None)
                verdicts[i].output = shown
    return verdicts


def final_answers(rows: list[dict], completions: list[str], sandbox=None, timeout: float | None = None) -> list[str | None]:
    """The final answer of each completion (a program-aided one run in the sandbox) without reading
    the rows' gold answers: what weak-to-strong selects on. Code has no final answer to compare."""
    if any(r["task"] == "code" for r in rows):
        raise ValueError("final_answers: code tasks have tests, not a final answer")
    blind = [{**r, "answer": None} for r in rows]
    return [v.answer for v in verify_batch(blind, completions, sandbox, timeout)]
