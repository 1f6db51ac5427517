"""Search against sampling at equal compute: every method's accuracy against the tokens it cost.

Tokens are counted the same way for every method: the prompt tokens a model read (prefill; a
prompt sampled N times is read once), the tokens it decoded (stop-string overshoot included), and
every token a critic or reward model read. AlphaLLM counted tree nodes only; here a search pays for
re-reading its path at every expansion, its rollouts and its critics.

The runs themselves are in decode.py (so an edit of best-of-N selection, read here, does not
re-run the decoding); this module turns them into the table:
- `sampling_rows`: greedy, self-consistency (majority of the first N samples) and best-of-N by the
  ORM and by the Eurus reward model, for each N, from those N_max samples (the first N are a sample
  of N; the prompt is read once whatever N, decoding is shared out by the samples' own lengths);
- `search_rows`: the decoded searches' rows;
- `compute_table`, `ablation_table`, `plot`: the artifacts.
"""
from __future__ import annotations

import pandas as pd

from ..evaluate.bon import select
from .config import LADDER_RUNGS, VERIFIER

# The ablation ladder (decode.ABLATIONS) from vanilla MCTS to eta-MCTS as configured.
LADDER = [*LADDER_RUNGS, "merge"]  # the last rung is eta-MCTS itself
LABELS = {"vanilla": "vanilla MCTS (value only, fixed width)", "adaptive": "+ adaptive branching", "prm": "+ PRM",
          "rollout": "+ fast rollout (ORM)", "merge": "+ state merge (eta-MCTS)"}


def _row(method, budget, task, accuracy, problems, policy, rollout=0.0, critic=0.0) -> dict:
    return dict(method=method, budget=budget, task=task, problems=problems, accuracy=accuracy, policy_tokens=policy,
                rollout_tokens=rollout, critic_tokens=critic, tokens=policy + rollout + critic)


def sampling_rows(samples: pd.DataFrame, counts: dict, ns: list[int], scores: dict[str, tuple[list[float], list[int]]]) -> list[dict]:
    """scores: scorer name -> (score, tokens read) per sampled row, in the order of the sampled rows
    sorted by (id, sample)."""
    out = []
    for task, g in samples.groupby("benchmark", sort=True):
        c, problems = counts[task], g["id"].nunique()
        greedy = g[g["greedy"]]
        out.append(_row("greedy", 1, task, greedy["correct"].mean(), problems,
                        (c["greedy_read"] + c["greedy_generated"]) / problems))
        sampled = g[~g["greedy"]].sort_values(["id", "sample"])
        # decoding shared out by the samples' own lengths (the counter also holds stop overshoot and eos)
        per_token = c["sampled_generated"] / max(1, sampled["tokens"].sum())
        position = {k: i for i, k in enumerate(samples.loc[~samples["greedy"]].sort_values(["id", "sample"]).index)}
        for n in ns:
            first = sampled[sampled["sample"] <= n]
            policy = (c["sampled_read"] + first["tokens"].sum() * per_token) / problems
            out.append(_row("self-consistency", n, task, select(first, "majority")["correct"].mean(), problems, policy))
            for name, (values, read) in scores.items():
                rows = [position[i] for i in first.index]
                chosen = select(first, name, scores=[values[i] for i in rows])
                out.append(_row(f"best-of-n {name}", n, task, chosen["correct"].mean(), problems, policy,
                                critic=sum(read[i] for i in rows) / problems))
    return out


def search_rows(decoded: pd.DataFrame) -> list[dict]:
    out = []
    for (variant, task), g in decoded.groupby(["variant", "task"], sort=True):
        method = "eta-mcts" if variant.startswith("b") else "eta-mcts verifier" if variant == VERIFIER else f"ablation {variant}"
        out.append(_row(method, int(g["iterations"].iloc[0]), task, g["correct"].mean(), len(g), g["policy_tokens"].iloc[0],
                        g["rollout_tokens"].iloc[0], g["critic_tokens"].iloc[0]))
    return out


def compute_table(rows: list[dict]) -> pd.DataFrame:
    """The rows, plus each (method, budget)'s mean over families."""
    df = pd.DataFrame(rows)
    mean = df.groupby(["method", "budget"], as_index=False).agg(
        problems=("problems", "sum"), accuracy=("accuracy", "mean"), policy_tokens=("policy_tokens", "mean"),
        rollout_tokens=("rollout_tokens", "mean"), critic_tokens=("critic_tokens", "mean"), tokens=("tokens", "mean"))
    mean["task"] = "mean"
    return pd.concat([df, mean[df.columns]], ignore_index=True).sort_values(["method", "budget", "task"]).reset_index(drop=True)


def ablation_table(table: pd.DataFrame, full_budget: int) -> str:
    """Markdown: each rung's accuracy per family and mean, with its tokens per problem."""
    tasks = sorted(t for t in table["task"].unique() if t != "mean")
    lines = ["| search | " + " | ".join(tasks) + " | mean | tokens / problem |", "|---" * (len(tasks) + 3) + "|"]
    for rung in LADDER:
        rows = table[(table["method"] == f"ablation {rung}")] if rung != "merge" else \
            table[(table["method"] == "eta-mcts") & (table["budget"] == full_budget)]
        if rows.empty:
            continue
        acc = rows.set_index("task")["accuracy"]
        tokens = rows.set_index("task")["tokens"]["mean"]
        lines.append(f"| {LABELS[rung]} | " + " | ".join(f"{100 * acc[t]:.1f}" for t in tasks) +
                     f" | {100 * acc['mean']:.1f} | {tokens:.0f} |")
    return "\n".join(lines) + "\n"


def plot(table: pd.DataFrame, path: str) -> None:
    """Mean accuracy against tokens per problem, one line per method (log x)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    mean = table[(table["task"] == "mean") & ~table["method"].str.startswith("ablation")]
    fig, ax = plt.subplots(figsize=(6.5, 4.2))
    for method, g in mean.groupby("method", sort=True):
        g = g.sort_values("tokens")
        ax.plot(g["tokens"], 100 * g["accuracy"], marker="o", label=method)
        for _, r in g.iterrows():
            ax.annotate(str(r["budget"]), (r["tokens"], 100 * r["accuracy"]), fontsize=7, xytext=(3, 3), textcoords="offset points")
    ax.set_xscale("log")
    ax.set_xlabel("counted tokens per problem (policy + rollouts + critics)")
    ax.set_ylabel("accuracy, % (mean over families)")
    ax.set_title("Search against sampling at equal compute (labels: N or iterations)")
    ax.grid(alpha=0.3)
    ax.legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)


def accuracy_at(table: pd.DataFrame, method: str, tokens: float, task: str = "mean") -> tuple[float, bool]:
    """A method's accuracy at a token budget: linear in log tokens between its two budgets around
    `tokens`; (accuracy, inside) where inside is False when `tokens` lies beyond its budgets (the
    nearest budget's accuracy is returned then)."""
    import numpy as np

    rows = table[(table["method"] == method) & (table["task"] == task)].sort_values("tokens")
    if rows.empty:
        raise ValueError(f"accuracy_at: no rows of method {method!r} for {task!r}")
    x, y = np.log(rows["tokens"].to_numpy(dtype=float)), rows["accuracy"].to_numpy(dtype=float)
    inside = bool(x[0] <= np.log(tokens) <= x[-1])
    return float(np.interp(np.log(tokens), x, y)), inside
