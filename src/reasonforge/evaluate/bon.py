"""Best-of-N reranking: pick one of N sampled completions per instruction.

    chosen = select(samples, "majority")                 # or "random", or with scores from any scorer
    chosen = select(samples, "rm", scores=scorer.score(prompts, completions))

`samples` are EvalSamples rows (N sampled completions per id, verified). Selectors:
- random: a seeded uniform choice (the expected accuracy of one sample);
- majority: the most common vote, the earliest sample holding it; the vote is the extracted final
  answer, or the normalised program for code (no answer to extract);
- scored: the highest score (ties: the earliest sample).
The result is one EvalSamples row per id, flagged greedy (the one answer the reranked system gives),
with model = the name it is reported under.

`ladder` puts every selector beside the verifier's ceiling and length alone on the same candidates,
and says how a scorer ranks them: a reward model's pair accuracy on held-out tree pairs says little
about the policy's own samples it reranks (arXiv 2404.02078 trains on trees, reranks samples).
"""
from __future__ import annotations

import random

import numpy as np
import pandas as pd

from ..tasks.code import extract_code
from .metrics import majority_index


def _vote(row) -> str | None:
    if isinstance(row["answer"], str) and row["answer"]:
        return row["answer"]
    if row["form"] == "code":
        program = extract_code(row["completion"])
        return "\n".join(line.rstrip() for line in program.strip().splitlines()) if program else None
    return None


def candidates(samples: pd.DataFrame) -> pd.DataFrame:
    """The sampled rows in the order `select` takes scores: by id, then sample."""
    return samples[~samples["greedy"]].sort_values(["id", "sample"]).reset_index(drop=True)


def select(samples: pd.DataFrame, selector: str, scores=None, seed: int = 0, name: str | None = None) -> pd.DataFrame:
    sampled = candidates(samples)
    if scores is not None:
        if len(scores) != len(sampled):
            raise ValueError(f"best-of-N {selector}: {len(scores)} scores for {len(sampled)} samples")
        sampled["score"] = list(scores)
    picks = []
    for id_, g in sampled.groupby("id", sort=False):
        if selector == "random":
            picks.append(g.index[random.Random(f"{seed}/{id_}").randrange(len(g))])
        elif selector == "majority":
            winner = majority_index([_vote(r) for _, r in g.iterrows()])
            picks.append(g.index[winner or 0])  # nobody voted: the first sample
        elif scores is not None:
            picks.append(g["score"].idxmax())  # idxmax returns the first of equal maxima
        else:
            raise ValueError(f"best-of-N selector {selector!r} needs scores (random and majority do not)")
    out = sampled.loc[picks].drop(columns=["score"], errors="ignore").copy()
    out["greedy"] = True
    out["model"] = name or selector
    return out.reset_index(drop=True)


def sample_pair_accuracy(candidates: pd.DataFrame, scores) -> tuple[float, int]:
    """(accuracy, pairs) over every (correct, incorrect) pair of one instruction's candidates: the
    share where the correct one scores higher (ties count as wrong, as on held-out pairs)."""
    right = total = 0
    for _, g in candidates.assign(_score=np.asarray(scores, dtype=float)).groupby("id", sort=False):
        good, bad = g.loc[g["correct"], "_score"].to_numpy(), g.loc[~g["correct"], "_score"].to_numpy()
        right += int((good[:, None] > bad[None, :]).sum())
        total += len(good) * len(bad)
    return (right / total if total else float("nan")), total


def length_correlation(candidates: pd.DataFrame, scores) -> float:
    """Mean over instructions of the Spearman correlation of the scores with the completions' token
    counts (instructions whose scores or lengths are all equal left out): above 0, longer is preferred."""
    corrs = []
    for _, g in candidates.assign(_score=np.asarray(scores, dtype=float)).groupby("id", sort=False):
        s, t = g["_score"].rank(), g["tokens"].rank()
        if s.nunique() > 1 and t.nunique() > 1:
            corrs.append(float(np.corrcoef(s, t)[0, 1]))
    return float(np.mean(corrs)) if corrs else float("nan")


def no_skill_accuracy(candidates: pd.DataFrame) -> float:
    """The expected accuracy of a scorer with no skill: a score is a function of the text, so equal
    completions score alike, and a scorer whose scores are independent of correctness picks
    uniformly among the distinct completions. Below random where the right completions are copies
    of a few texts and the wrong ones are spread (the default build's SFT samples on math: 90% of
    the right ones were the reference verbatim), since the highest of many draws of noise lands on
    a wrong text: a reward model at chance on the candidates is below random, with no bug in it."""
    per_id = []
    for _, g in candidates.groupby("id", sort=False):
        per_id.append(float(g.drop_duplicates("completion")["correct"].mean()))
    return float(np.mean(per_id)) if per_id else float("nan")


def ladder(samples: pd.DataFrame, scores: dict[str, list] | None = None) -> pd.DataFrame:
    """Best-of-N's ladder on one benchmark's candidates, per split: rows (rung, metric, value, n).
    accuracy of: verifier (the ceiling: any candidate correct), majority, random (the expected
    accuracy of a uniform pick, not one draw), no-skill (the expected accuracy of a scorer at chance,
    `no_skill_accuracy`), shortest and longest (length alone) and each scorer
    of `scores` (name -> scores in `candidates` order); for each scorer also pair_accuracy on its
    candidates' (correct, incorrect) pairs (with pairs, their count) and length_corr."""
    scores = scores or {}
    cands = candidates(samples)
    tokens = cands["tokens"].to_numpy(dtype=float)
    picks = {"majority": select(samples, "majority"),
             "shortest": select(samples, "shortest", scores=list(-tokens)),
             "longest": select(samples, "longest", scores=list(tokens)),
             **{name: select(samples, name, scores=s) for name, s in scores.items()}}
    rows = []
    for split, g in cands.groupby("split", sort=True):
        per_id = g.groupby("id", sort=False)["correct"]
        n = per_id.ngroups
        rows += [dict(split=split, rung="verifier", metric="accuracy", value=float(per_id.any().mean()), n=n),
                 dict(split=split, rung="random", metric="accuracy", value=float(per_id.mean().mean()), n=n),
                 dict(split=split, rung="no-skill", metric="accuracy", value=no_skill_accuracy(g), n=n)]
        rows += [dict(split=split, rung=name, metric="accuracy", value=float(p.loc[p["split"] == split, "correct"].mean()), n=n)
                 for name, p in picks.items()]
        for name, s in scores.items():
            mine = np.asarray(s, dtype=float)[(cands["split"] == split).to_numpy()]
            acc, pairs = sample_pair_accuracy(g, mine)
            rows += [dict(split=split, rung=name, metric="pair_accuracy", value=acc, n=pairs),
                     dict(split=split, rung=name, metric="length_corr", value=length_correlation(g, mine), n=n)]
    return pd.DataFrame(rows, columns=["split", "rung", "metric", "value", "n"])


def ladder_markdown(table: pd.DataFrame, title: str) -> str:
    """One table per benchmark and split: a row per rung, its accuracy, and for scorers their pair
    accuracy on the candidates and length correlation."""
    lines = [f"# {title}", "",
             "Accuracy of the pick (%); for reward models also the pair accuracy on the candidates' (correct, "
             "incorrect) pairs (%) and the mean within-instruction Spearman correlation of score with length.", ""]
    for (bench, split), g in table.groupby(["benchmark", "split"], sort=True):
        wide = g.pivot(index="rung", columns="metric", values="value").reindex(list(dict.fromkeys(g["rung"])))
        pct = lambda v: "" if pd.isna(v) else f"{100 * v:.1f}"  # noqa: E731
        lines += [f"## {bench} {split}", "", "| rung | accuracy | pair accuracy | length corr |", "|---|---|---|---|"]
        for rung, r in wide.iterrows():
            corr = r.get("length_corr", float("nan"))
            lines.append(f"| {rung} | {pct(r['accuracy'])} | {pct(r.get('pair_accuracy', float('nan')))} | "
                         f"{'' if pd.isna(corr) else f'{corr:+.2f}'} |")
        lines.append("")
    return "\n".join(lines)
