"""Aggregate per-sample results into the summary (long format), a markdown table, DVC metrics
and a plot. Works for any model and benchmark names: it reads what the parquet files hold."""
from __future__ import annotations

import numpy as np
import pandas as pd

from .metrics import bootstrap_ci, majority_correct, pass_at_k, wilson


def summarize(samples: pd.DataFrame, ks: list[int]) -> pd.DataFrame:
    out = []
    # models in the order they come (the rules list base, fine-tuned, then best-of-N), the rest sorted
    samples = samples.assign(_order=samples["model"].map({m: i for i, m in enumerate(dict.fromkeys(samples["model"]))}))
    for (_, model, bench, split), df in samples.groupby(["_order", "model", "benchmark", "split"], sort=True):
        greedy = df[df["greedy"]]
        if len(greedy):
            c, n = int(greedy["correct"].sum()), len(greedy)
            lo, hi = wilson(c, n)
            out.append(dict(model=model, benchmark=bench, split=split, metric="greedy", value=c / n, ci_low=lo, ci_high=hi, n=n))
        sampled = df[~df["greedy"]].sort_values(["id", "sample"])
        if not len(sampled):
            continue
        for k in sorted(set(ks)):
            for metric, vals in sampled_metrics(sampled, k, f"{model} on {bench} {split}").items():
                lo, hi = bootstrap_ci(vals)
                out.append(dict(model=model, benchmark=bench, split=split, metric=metric, value=float(vals.mean()),
                                ci_low=lo, ci_high=hi, n=len(vals)))
    return pd.DataFrame(out, columns=["model", "benchmark", "split", "metric", "value", "ci_low", "ci_high", "n"])


def sampled_metrics(sampled: pd.DataFrame, k: int, what: str = "samples") -> dict[str, np.ndarray]:
    """Per instruction of the sampled rows (sorted by id, sample): pass@k (unbiased, from all n) and,
    where the family has final answers, maj@k (the first k samples' vote)."""
    per_id = sampled.groupby("id")
    n_per = int(per_id.size().min())
    if k > n_per:  # params validation rejects eval.k > eval.n_samples; never skip silently
        raise ValueError(f"pass@{k}: {what} has only {n_per} samples for some instruction")
    out = {f"pass@{k}": np.array([pass_at_k(len(g), int(g["correct"].sum()), k) for _, g in per_id])}
    if sampled["answer"].notna().any():
        out[f"maj@{k}"] = np.array([majority_correct([a if isinstance(a, str) else None for a in g["answer"][:k]],
                                                     list(g["correct"][:k])) for _, g in per_id], dtype=float)
    return out


def markdown_table(summary: pd.DataFrame, metric: str = "greedy") -> str:
    """Rows = models, columns = benchmark/split; cells = value% [ci]."""
    df = summary[summary["metric"] == metric]
    if df.empty:
        return f"(no {metric} results)\n"
    cols = sorted({(b, s) for b, s in zip(df["benchmark"], df["split"])})
    lines = [f"{metric} accuracy, % [95% CI]", "",
             "| model | " + " | ".join(f"{b} {s}" for b, s in cols) + " |",
             "|---|" + "---|" * len(cols)]
    for model, g in df.groupby("model", sort=False):
        cell = {(r.benchmark, r.split): f"{100 * r.value:.1f} [{100 * r.ci_low:.1f}, {100 * r.ci_high:.1f}]" for r in g.itertuples()}
        lines.append(f"| {model} | " + " | ".join(cell.get(c, "") for c in cols) + " |")
    return "\n".join(lines) + "\n"


def full_markdown(summary: pd.DataFrame) -> str:
    metrics = ["greedy"] + sorted(m for m in summary["metric"].unique() if m != "greedy")
    return "\n".join(markdown_table(summary, m) for m in metrics)


def metrics_json(summary: pd.DataFrame) -> dict:
    tree: dict = {}
    for r in summary.itertuples():
        tree.setdefault(r.model, {}).setdefault(r.benchmark, {}).setdefault(r.split, {})[r.metric] = round(r.value, 4)
    return tree


def plot_accuracy(summary: pd.DataFrame, path: str, metric: str = "greedy") -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    df = summary[summary["metric"] == metric]
    groups = sorted({(b, s) for b, s in zip(df["benchmark"], df["split"])})
    models = list(dict.fromkeys(df["model"]))
    width = 0.8 / max(1, len(models))
    fig, ax = plt.subplots(figsize=(max(6, 1.2 * len(groups)), 4))
    for i, m in enumerate(models):
        g = df[df["model"] == m].set_index(["benchmark", "split"])
        vals = [g.loc[k, "value"] if k in g.index else np.nan for k in groups]
        lo = [g.loc[k, "value"] - g.loc[k, "ci_low"] if k in g.index else 0 for k in groups]
        hi = [g.loc[k, "ci_high"] - g.loc[k, "value"] if k in g.index else 0 for k in groups]
        ax.bar(np.arange(len(groups)) + i * width, 100 * np.array(vals), width,
               yerr=100 * np.array([lo, hi]), capsize=3, label=m)
    ax.set_xticks(np.arange(len(groups)) + width * (len(models) - 1) / 2)
    ax.set_xticklabels([f"{b}\n{s}" for b, s in groups])
    ax.set_ylabel(f"{metric} accuracy (%)")
    ax.set_ylim(0, 100)
    ax.legend()
    ax.set_title(f"{metric} accuracy with 95% CI")
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)


def reward_trends(tables: dict[str, pd.DataFrame]) -> pd.DataFrame:
    """Long table (algo, step, chosen, rejected) of the implicit rewards each preference method
    logged through training (TRL's rewards/chosen and rewards/rejected)."""
    frames = []
    for algo, t in sorted(tables.items()):
        missing = {"step", "rewards_chosen", "rewards_rejected"} - set(t.columns)
        if missing:
            raise ValueError(f"{algo}: metrics.parquet lacks {sorted(missing)}")
        frames.append(pd.DataFrame({"algo": algo, "step": t["step"], "chosen": t["rewards_chosen"],
                                    "rejected": t["rewards_rejected"]}))
    return pd.concat(frames, ignore_index=True)


def plot_reward_trends(trends: pd.DataFrame, path: str) -> None:
    """One panel per method: chosen and rejected rewards against the training step, zero marked
    (the Eurus paper's figure: DPO's chosen reward falls below zero, KTO's and NCA's do not)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    algos = list(dict.fromkeys(trends["algo"]))
    fig, axes = plt.subplots(1, len(algos), figsize=(3.2 * len(algos), 3), squeeze=False, sharey=False)
    for ax, algo in zip(axes[0], algos):
        t = trends[trends["algo"] == algo]
        ax.plot(t["step"], t["chosen"], label="chosen", color="tab:green")
        ax.plot(t["step"], t["rejected"], label="rejected", color="tab:red")
        ax.axhline(0, color="grey", linewidth=0.8, linestyle="--")
        ax.set_title(algo)
        ax.set_xlabel("step")
    axes[0][0].set_ylabel("implicit reward")
    axes[0][0].legend()
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)


def results_page(pages: list[str], out: str) -> str:
    """results/README.md: every results page of the build in one place, in the order given: markdown
    included (its headings one level down), a plot shown, a JSON metrics file as a code block, each
    under its path. Written by a rule from the build's own files, so no number in it is typed."""
    import json
    import os
    from pathlib import Path

    here = Path(out).parent
    parts = ["# Results of this build", "",
             "Written by the rule `results_page` (Snakefile) from the files below, each as its own rule wrote it.", ""]
    for page in pages:
        path = Path(page)
        link = os.path.relpath(path, here)
        parts += [f"## [{page}]({link})", ""]
        if path.suffix == ".md":
            parts += ["#" + line if line.startswith("#") else line for line in path.read_text().strip().splitlines()]
        elif path.suffix == ".png":
            parts.append(f"![{path.stem}]({link})")
        elif path.suffix == ".json":
            parts += ["```json", json.dumps(json.loads(path.read_text()), indent=1, sort_keys=True), "```"]
        else:
            raise ValueError(f"{page}: a results page is .md, .png or .json")
        parts.append("")
    return "\n".join(parts)
