"""The weak-to-strong report: accuracy and PGR of every method, label precision through the stages.

PGR = (P_method - P_weak) / (P_ceiling - P_weak) with P the greedy accuracy of a model on a split:
weak = the fine-tuned weak model (the floor), ceiling = the strong base fine-tuned on train_2 gold.
Precision is the share of labels whose final answer matches train_2's gold: of all weak labels, of
the strong side's labels, of the weak labels each stage-I iteration kept, and of stage II's chosen
responses. This module is the only reader of train_2's gold besides the ceiling's training.
"""
from __future__ import annotations

import math

import pandas as pd

from ..evaluate.metrics import pgr
from .select import precision


def accuracy(evals: pd.DataFrame) -> pd.DataFrame:
    """Greedy accuracy per (model, split), each benchmark weighted equally, and per (model,
    benchmark, split). evals: EvalSamples rows of the w2s models."""
    greedy = evals[evals["greedy"]]
    per = greedy.groupby(["model", "benchmark", "split"])["correct"].mean().rename("accuracy").reset_index()
    mean = per.groupby(["model", "split"])["accuracy"].mean().reset_index().assign(benchmark="mean")
    return pd.concat([per, mean], ignore_index=True)


def pgr_table(acc: pd.DataFrame, weak: str = "w2s-weak", ceiling: str = "w2s-ceiling") -> pd.DataFrame:
    """acc (model, benchmark, split, accuracy) -> the same rows with pgr."""
    ref = acc.set_index(["model", "benchmark", "split"])["accuracy"]
    out = acc.copy()
    out["pgr"] = [pgr(a, ref[(weak, b, s)], ref[(ceiling, b, s)]) for a, b, s in zip(acc["accuracy"], acc["benchmark"], acc["split"])]
    return out


def label_precision(weak: pd.DataFrame, icl: pd.DataFrame, selections: dict[int, pd.DataFrame],
                    relabels: dict[int, pd.DataFrame], pairs: pd.DataFrame, gold: pd.DataFrame) -> pd.DataFrame:
    """One row per label set: stage, labels (count), precision."""
    def row(stage, labels):
        return dict(stage=stage, labels=len(labels), precision=precision(labels[["id", "task", "answer"]], gold))

    rows = [row("weak labels (all train_2)", weak), row("strong in-context labels", icl)]
    for k, sel in sorted(selections.items()):
        rows.append(row(f"weak labels kept, iteration {k}", sel.rename(columns={"weak_answer": "answer"})))
    for k, lab in sorted(relabels.items()):
        rows.append(row(f"iteration {k} model's labels", lab))
    rows.append(row("stage II chosen responses", pairs.rename(columns={"chosen_answer": "answer"})))
    return pd.DataFrame(rows)


def markdown(table: pd.DataFrame, prec: pd.DataFrame, order: list[str]) -> str:
    lines = ["Greedy accuracy, % (PGR) per split; the mean weighs each family equally.", ""]
    cols = [(b, s) for b in sorted(set(table["benchmark"]) - {"mean"}) + ["mean"] for s in sorted(set(table["split"]))]
    lines.append("| model | " + " | ".join(f"{b} {s}" for b, s in cols) + " |")
    lines.append("|---|" + "---|" * len(cols))
    idx = table.set_index(["model", "benchmark", "split"])
    for m in order:
        cells = []
        for b, s in cols:
            a, g = idx.loc[(m, b, s), "accuracy"], idx.loc[(m, b, s), "pgr"]
            cells.append(f"{100 * a:.1f}" + ("" if m in ("w2s-weak", "w2s-ceiling") or math.isnan(g) else f" ({g:+.2f})"))
        lines.append(f"| {m} | " + " | ".join(cells) + " |")
    lines += ["", "Label precision (share of final answers matching train_2's gold):", "",
              "| labels | count | precision, % |", "|---|---|---|"]
    lines += [f"| {r.stage} | {r.labels} | {100 * r.precision:.1f} |" for r in prec.itertuples()]
    return "\n".join(lines) + "\n"
