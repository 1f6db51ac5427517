"""The pools of one synthetic family: train (what the methods draw instructions from), test, ood
(harder) and pretrain (only for the web-like corpus, see corpus.py). No prompt is in two pools."""
from __future__ import annotations

import random

import pandas as pd

from . import code, logic, math

GENERATORS = {"math": math.generate, "code": code.generate, "logic": logic.generate}


def _rows(family: str, split: str, rng: random.Random, n: int, difficulty: dict, forms, exclude: set) -> list[dict]:
    rows, seen, tries = [], set(exclude), 0
    while len(rows) < n:
        tries += 1
        if tries > 50 * n + 1000:
            raise ValueError(f"tasks.{family}.{split}: cannot find {n} distinct prompts; raise difficulty or lower n")
        # one row at a time so forms alternate by position in the split
        row = GENERATORS[family](rng, 1, difficulty, [forms[len(rows) % len(forms)]])[0]
        if row["prompt"] in seen:
            continue
        seen.add(row["prompt"])
        rows.append(row)
    return rows


def build_family(family: str, cfg: dict, seed: int) -> dict[str, pd.DataFrame]:
    """cfg is params `tasks.<family>`; returns {"train": df, "test": df, "ood": df, "pretrain": df}.
    Each pool has its own random stream and excludes every prompt of the pools made before it."""
    forms = cfg.get("forms", ["cot"])
    plan = [("train", cfg["n_train"], cfg["train"]), ("test", cfg["n_test"], cfg["train"]),
            ("ood", cfg["n_ood"], cfg["ood"]), ("pretrain", cfg["n_pretrain"], cfg["train"])]
    out, taken = {}, set()
    for split, n, difficulty in plan:
        rng = random.Random(f"{seed}/{family}/{split}")
        rows = _rows(family, split, rng, n, difficulty, forms, exclude=taken)
        taken |= {r["prompt"] for r in rows}
        df = pd.DataFrame(rows)
        df.insert(0, "id", [f"{family}-{split}-{i:05d}" for i in range(len(df))])
        df["source"] = "synthetic"
        df["split"] = split
        out[split] = df
    return out
