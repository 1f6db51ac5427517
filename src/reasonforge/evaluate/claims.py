"""Claims about a paper's findings, from runs with several seeds: each a mean with a 95% confidence
interval over seeds (Student t), marked reproduced or not by a stated rule.

    ci = mean_ci([0.31, 0.35, 0.29])            # {"mean", "low", "high", "n", "values"}
    claims = eurus_claims(per_seed)              # a method's own claims (eurus/claims.py, ...)
    text = claims_markdown("Eurus", claims)

This is the core every method's claims module uses: intervals, the seed a path names, the test
accuracy claims compare, and the tables (markdown, and JSON for DVC metrics).

A claim is reproduced when its rule holds on the interval, not only on the mean: "A beats B" needs
the 95% interval of the per-seed difference A - B above zero.
"""
from __future__ import annotations

import math
import re

from .. import io
from .metrics import Z95

# Student t 0.975 quantiles by degrees of freedom (scipy is not a dependency); Z95 beyond 30
T975 = [12.7062, 4.3027, 3.1824, 2.7764, 2.5706, 2.4469, 2.3646, 2.3060, 2.2622, 2.2281, 2.2010, 2.1788,
        2.1604, 2.1448, 2.1314, 2.1199, 2.1098, 2.1009, 2.0930, 2.0860, 2.0796, 2.0739, 2.0687, 2.0639,
        2.0595, 2.0555, 2.0518, 2.0484, 2.0452, 2.0423]


def mean_ci(values: list[float]) -> dict:
    n = len(values)
    if n == 0:
        raise ValueError("mean_ci: no values")
    if not all(math.isfinite(v) for v in values):  # a claim that cannot be computed is an error, never `nan [nan, nan]`
        raise ValueError(f"mean_ci: not a finite number among the values {list(values)}")
    mean = sum(values) / n
    if n == 1:
        return {"mean": mean, "low": float("-inf"), "high": float("inf"), "n": 1, "values": list(values)}
    sd = math.sqrt(sum((v - mean) ** 2 for v in values) / (n - 1))
    half = (T975[n - 2] if n - 1 <= len(T975) else Z95) * sd / math.sqrt(n)
    return {"mean": mean, "low": mean - half, "high": mean + half, "n": n, "values": list(values)}


def greedy_test_accuracy(evals: list) -> float:
    """Greedy accuracy on the test split of each eval table, the mean over the tables (each benchmark
    counts once, however many problems it has)."""
    if not evals:
        raise ValueError("greedy_test_accuracy: no eval tables")
    tested = [e[e["greedy"] & (e["split"] == "test")] for e in evals]
    for e, t in zip(evals, tested):
        if t.empty:
            what = " ".join(f"{c} {', '.join(map(str, e[c].unique()))}" for c in ("model", "benchmark") if c in e and len(e))
            raise ValueError(f"no greedy rows of the test split in the eval table of {what or 'a model'}: "
                             "every claim compares test accuracy, so eval.splits must hold test")
    return sum(t["correct"].mean() for t in tested) / len(evals)


def greedy_test_accuracy_of(paths: list[str]) -> float:
    """`greedy_test_accuracy` of the eval tables at `paths` (read and validated)."""
    from .. import io
    from ..tables import EvalSamples

    return greedy_test_accuracy([io.read_table(p, EvalSamples) for p in paths])


def sampled_test_metrics(evals: list, k: int) -> dict[str, float]:
    """pass@1, pass@k and maj@k (where a family has final answers) of the sampled rows of the test
    split, each the mean over the eval tables that have it: what a model's samples hold beside its
    greedy answer (the mode can be right with nothing learnt, or wrong with the answer in reach)."""
    from .report import sampled_metrics

    per: dict[str, list[float]] = {}
    for e in evals:
        sampled = e[~e["greedy"] & (e["split"] == "test")].sort_values(["id", "sample"])
        if sampled.empty:
            what = " ".join(f"{c} {', '.join(map(str, e[c].unique()))}" for c in ("model", "benchmark") if c in e and len(e))
            raise ValueError(f"no sampled rows of the test split in the eval table of {what or 'a model'}: "
                             "the claims' ladders need eval.n_samples > 0 and the model in eval.sampled")
        for kk in dict.fromkeys((1, k)):
            for metric, vals in sampled_metrics(sampled, kk).items():
                if metric != "maj@1":  # one sample's vote is its pass@1
                    per.setdefault(metric, []).append(float(vals.mean()))
    return {m: sum(v) / len(v) for m, v in per.items()}


def seed_of(path: str) -> int:
    """The seed a seeded artifact's path names (`models/eurus/seed3/...` -> 3)."""
    found = re.search(r"/seed(\d+)/", f"/{path}")
    if not found:
        raise ValueError(f"{path}: no seed<N> directory in the path")
    return int(found.group(1))


def above_zero(ci: dict) -> bool:
    return ci["low"] > 0


def seed_diff(per_seed: dict, a, b) -> dict:
    """mean_ci of a(m) - b(m) over the seeds' measurements m."""
    return mean_ci([a(m) - b(m) for m in per_seed.values()])


def check_seeds(per_seed: dict) -> None:
    if len(per_seed) < 3:
        raise ValueError(f"claims need at least 3 seeds, got {len(per_seed)}")


def _fmt(ci: dict, scale: float) -> str:
    d = 1 if scale > 1 or abs(ci["mean"]) >= 100 else 2  # points to a tenth; rewards and PGR to a hundredth; counts to a tenth
    return f"{scale * ci['mean']:.{d}f} [{scale * ci['low']:.{d}f}, {scale * ci['high']:.{d}f}]"


def claims_markdown(title: str, claims: list[dict], seeds: list[int], note: str = "") -> str:
    lines = [f"# {title}: claims at this scale", "",
             f"Seeds {', '.join(map(str, seeds))}; mean [95% CI over seeds, Student t]. Accuracies, precisions and "
             "differences in percentage points; rewards in reward units; PGR as a fraction of the gap.", ""]
    if note:
        lines += [note, ""]
    lines += ["| claim | verdict | numbers |", "|---|---|---|"]
    for c in claims:
        scale = lambda key: 1.0 if c["id"] == "E2b" or "PGR" in key or c["numbers"][key].get("scale") == 1 else 100.0  # noqa: E731
        nums = "; ".join(f"{k} {_fmt(v, scale(k))}" for k, v in c["numbers"].items())
        verdict = "reproduced" if c["reproduced"] else "not reproduced"
        lines.append(f"| **{c['id']}** {c['claim']} | {verdict} | {nums} |")
    lines += ["", "Rules:", ""] + [f"- {c['id']}: {c['rule']}" for c in claims]
    laddered = [c for c in claims if c.get("ladder")]
    if laddered:
        lines += ["", "## Ladders", "",
                  "What bounds each claim on the same data: its ceiling (an oracle where the method has a learned "
                  "part), its floor and the method's own rungs, mean [95% CI over seeds].", "",
                  "| claim | rung | value |", "|---|---|---|"]
        for c in laddered:
            lines += [f"| {c['id']} | {rung} | {_fmt(ci, 1.0 if ci.get('scale') == 1 else 100.0)} |"
                      for rung, ci in c["ladder"].items()]
    return "\n".join(lines) + "\n"


def claims_json(claims: list[dict]) -> dict:
    """The DVC metrics twin: verdicts as 0/1 and every number's mean and interval."""
    nums = lambda d: {k.replace(" ", "_"): {"mean": round(v["mean"], 4), "low": round(v["low"], 4),  # noqa: E731
                                           "high": round(v["high"], 4)} for k, v in d.items()}
    return {c["id"]: {"reproduced": int(c["reproduced"]), **nums(c["numbers"]),
                      **({"ladder": nums(c["ladder"])} if c.get("ladder") else {})}
            for c in claims}


def write_claims(title: str, claims: list[dict], seeds: list[int], note: str, table: str, metrics: str) -> str:
    """A method's claims page (`results/claims/<method>.md`) and its JSON twin (DVC metrics), written
    atomically; returns the page, which the claims scripts print."""
    text = claims_markdown(title, claims, seeds, note)
    io.write_text(table, text)
    io.write_json(metrics, claims_json(claims))
    return text
