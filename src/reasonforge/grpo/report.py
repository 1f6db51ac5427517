"""GRPO's per-step table from TRL's logs, and the training plot (reward, KL, length, zero-spread share)."""
from __future__ import annotations

import pandas as pd

# TRL's logged names (slashes made underscores by train.common.step_metrics) -> the table's
RENAMES = {"reward": "reward", "reward_std": "reward_std", "frac_reward_zero_std": "zero_spread_share", "kl": "kl",
           "completions_mean_length": "completion_length", "completions": "completions", "num_tokens": "trained_tokens",
           "time_generate_s": "generate_s", "time_verify_s": "verify_s", "time_step_s": "step_s"}


def steps_table(metrics: pd.DataFrame) -> pd.DataFrame:
    """One row per step: reward mean and spread, zero-spread share, KL, length, tokens, seconds."""
    missing = [c for c in RENAMES if c not in metrics and c != "kl"]
    if missing:
        raise ValueError(f"GRPO metrics: no {', '.join(missing)} logged (train_grpo logs every step)")
    out = metrics.reindex(columns=["step", *RENAMES]).rename(columns=RENAMES)
    out["completions"] = out["completions"].round().astype(int)
    out["trained_tokens"] = out["trained_tokens"].astype(int)
    out["generated_tokens"] = (out["completion_length"] * out["completions"]).cumsum().round().astype(int)
    return out[["step", "reward", "reward_std", "zero_spread_share", "kl", "completion_length", "completions",
                "trained_tokens", "generated_tokens", "generate_s", "verify_s", "step_s"]]


def plot_training(steps: dict[str, pd.DataFrame], path: str) -> None:
    """Four panels through training, one line per run (`steps`: label -> steps_table)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    panels = [("reward", "reward (verified share)"), ("kl", "KL to the start model"),
              ("completion_length", "completion length (tokens)"), ("zero_spread_share", "groups with one reward (no signal)")]
    fig, axes = plt.subplots(1, 4, figsize=(16, 3.6))
    for ax, (col, title) in zip(axes, panels):
        for label, table in steps.items():
            smooth = table[col].astype(float).rolling(5, min_periods=1).mean()  # a step's batch is noisy
            ax.plot(table["step"], smooth, label=label)
        ax.set_title(title, fontsize=10)
        ax.set_xlabel("step")
        ax.grid(alpha=0.3)
    axes[0].legend(fontsize=8)
    fig.suptitle("GRPO with verifier rewards (rolling mean of 5 steps)", fontsize=11)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def training_page(steps: pd.DataFrame, model: str) -> str:
    """A results page: the run in numbers (reward early and late, KL, length, tokens) and where its time went."""
    tenth = max(1, len(steps) // 10)
    first, last = steps.head(tenth), steps.tail(tenth)
    generate, verify, total = steps["generate_s"].sum(), steps["verify_s"].sum(), steps["step_s"].sum()
    kl = steps["kl"].dropna()
    lines = [f"# GRPO training ({model})", "",
             f"{len(steps)} steps, {int(steps['completions'].iloc[0])} completions a step; "
             f"{int(steps['trained_tokens'].iloc[-1]):,} trained tokens, {int(steps['generated_tokens'].iloc[-1]):,} generated.", "",
             "| | first tenth of the steps | last tenth |", "|---|---|---|"]
    for col, label in [("reward", "reward (verified share)"), ("zero_spread_share", "groups with one reward"),
                       ("completion_length", "completion length"), ("kl", "KL to the start model")]:
        if col == "kl" and kl.empty:
            lines.append("| KL to the start model | (beta = 0: no reference) | |")
            continue
        lines.append(f"| {label} | {first[col].mean():.3f} | {last[col].mean():.3f} |")
    lines += ["", "Where a step's time went (seconds, all steps):", "", "| generation | verifiers | forward and backward (the rest) | total |",
              "|---|---|---|---|",
              f"| {generate:.1f} ({100 * generate / total:.0f}%) | {verify:.1f} ({100 * verify / total:.0f}%) | "
              f"{total - generate - verify:.1f} ({100 * (total - generate - verify) / total:.0f}%) | {total:.1f} |", ""]
    return "\n".join(lines)
