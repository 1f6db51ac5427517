"""Claims about a paper's findings, from runs with several seeds: each a mean with a 95% confidence
interval over seeds (Student t), marked reproduced or not by a stated rule.

    ci = mean_ci([0.31, 0.35, 0.29])            # {"mean", "low", "high", "n", "values"}
    claims = eurus_claims(per_seed)              # per_seed: seed -> measurements (see below)
    text = claims_markdown("Eurus", claims)

A claim is reproduced when its rule holds on the interval, not only on the mean: "A beats B" needs
the 95% interval of the per-seed difference A - B above zero.
"""
from __future__ import annotations

import math
import re

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


def seed_of(path: str) -> int:
    """The seed a seeded artifact's path names (`.../seeds/seed3/...` -> 3)."""
    found = re.search(r"/seed(\d+)/", f"/{path}")
    if not found:
        raise ValueError(f"{path}: no seed<N> directory in the path")
    return int(found.group(1))


def _above_zero(ci: dict) -> bool:
    return ci["low"] > 0


def _diff(per_seed: dict, a, b) -> dict:
    return mean_ci([a(m) - b(m) for m in per_seed.values()])


def eurus_claims(per_seed: dict[int, dict]) -> list[dict]:
    """per_seed[seed] = {
        "accuracy": {model: greedy accuracy over the test splits},  # base, sft, dpo, kto, nca, ...
        "chosen_reward": {algo: (first, last) logged chosen reward},
        "rm_accuracy": {loss: held-out pair accuracy},
        "bon": {selector: best-of-N accuracy over the test splits},
    }"""
    if len(per_seed) < 3:
        raise ValueError(f"claims need at least 3 seeds, got {len(per_seed)}")
    acc = lambda model: (lambda m: m["accuracy"][model])  # noqa: E731
    out = []

    e1 = _diff(per_seed, acc("sft"), acc("base"))
    out.append(dict(id="E1", claim="SFT on the preference trees' correct actions beats the base model",
                    rule="95% CI of (SFT - base) greedy accuracy above 0",
                    numbers={"sft": mean_ci([m["accuracy"]["sft"] for m in per_seed.values()]),
                             "base": mean_ci([m["accuracy"]["base"] for m in per_seed.values()]), "sft - base": e1},
                    reproduced=_above_zero(e1)))

    kto, nca = _diff(per_seed, acc("kto"), acc("dpo")), _diff(per_seed, acc("nca"), acc("dpo"))
    out.append(dict(id="E2a", claim="KTO and NCA beat DPO",
                    rule="95% CIs of (KTO - DPO) and (NCA - DPO) greedy accuracy both above 0",
                    numbers={**{a: mean_ci([m["accuracy"][a] for m in per_seed.values()]) for a in ("dpo", "kto", "nca")},
                             "kto - dpo": kto, "nca - dpo": nca},
                    reproduced=_above_zero(kto) and _above_zero(nca)))

    drift = {a: mean_ci([m["chosen_reward"][a][1] - m["chosen_reward"][a][0] for m in per_seed.values()])
             for a in ("dpo", "kto", "nca")}
    out.append(dict(id="E2b", claim="DPO's chosen reward falls below its start during training; KTO's and NCA's do not",
                    rule="95% CI of DPO's (final - first) chosen reward below 0, and neither KTO's nor NCA's below 0",
                    numbers={f"{a} chosen reward, final - first": ci for a, ci in drift.items()},
                    reproduced=drift["dpo"]["high"] < 0 and drift["kto"]["high"] >= 0 and drift["nca"]["high"] >= 0))

    pair = _diff(per_seed, lambda m: m["rm_accuracy"]["bt+dr"], lambda m: m["rm_accuracy"]["bt"])
    bon = _diff(per_seed, lambda m: m["bon"]["rm-bt+dr"], lambda m: m["bon"]["rm-bt"])
    out.append(dict(id="E3", claim="A reward model trained with BT + DR beats BT alone, on held-out pairs and in best-of-N",
                    rule="95% CIs of (bt+dr - bt) held-out pair accuracy and best-of-N accuracy both above 0",
                    numbers={"pair accuracy bt": mean_ci([m["rm_accuracy"]["bt"] for m in per_seed.values()]),
                             "pair accuracy bt+dr": mean_ci([m["rm_accuracy"]["bt+dr"] for m in per_seed.values()]),
                             "pair accuracy, bt+dr - bt": pair,
                             "best-of-N bt": mean_ci([m["bon"]["rm-bt"] for m in per_seed.values()]),
                             "best-of-N bt+dr": mean_ci([m["bon"]["rm-bt+dr"] for m in per_seed.values()]),
                             "best-of-N, bt+dr - bt": bon},
                    reproduced=_above_zero(pair) and _above_zero(bon)))
    return out


def w2s_claims(per_seed: dict[int, dict], algo: str) -> list[dict]:
    """per_seed[seed] = {
        "precision": {"all": weak-label precision on train_2, "kept": of the labels iteration 1 kept},
        "accuracy": {model: greedy test accuracy}: weak, naive, stage1 (the last iteration), ceiling,
                    stage2-<algo> for each algorithm,
        "pgr": {model: PGR on test},
    }; `algo`: the stage-II algorithm W3 is decided on (the first of w2s.stage2.algos)."""
    if len(per_seed) < 3:
        raise ValueError(f"claims need at least 3 seeds, got {len(per_seed)}")
    ms = list(per_seed.values())
    ci = lambda f: mean_ci([f(m) for m in ms])  # noqa: E731
    out = []
    w1 = _diff(per_seed, lambda m: m["precision"]["kept"], lambda m: m["precision"]["all"])
    out.append(dict(id="W1", claim="Selecting weak labels that agree with the strong model's in-context answers raises their precision",
                    rule="95% CI of (precision of the labels iteration 1 kept - precision of all weak labels) above 0",
                    numbers={"precision, all weak labels": ci(lambda m: m["precision"]["all"]),
                             "precision, kept": ci(lambda m: m["precision"]["kept"]), "kept - all": w1},
                    reproduced=_above_zero(w1)))
    w2 = _diff(per_seed, lambda m: m["accuracy"]["stage1"], lambda m: m["accuracy"]["naive"])
    out.append(dict(id="W2", claim="Stage I (SFT on the selected labels, iterated) beats naive weak-to-strong (SFT on every weak label)",
                    rule="95% CI of (stage I - naive) greedy test accuracy above 0",
                    numbers={"naive": ci(lambda m: m["accuracy"]["naive"]), "stage I": ci(lambda m: m["accuracy"]["stage1"]),
                             "stage I - naive": w2},
                    reproduced=_above_zero(w2)))
    s2 = f"stage2-{algo}"
    w3 = _diff(per_seed, lambda m: m["accuracy"][s2], lambda m: m["accuracy"]["stage1"])
    pgr = ci(lambda m: m["pgr"][s2])
    out.append(dict(id="W3", claim=f"Stage II ({algo.upper()} on weak-anchored pairs) is at least stage I, and recovers part of the gap (PGR > 0)",
                    rule=f"mean of (stage II - stage I) greedy test accuracy >= 0, and the 95% CI of stage II's PGR above 0",
                    numbers={"weak floor": ci(lambda m: m["accuracy"]["weak"]), "ceiling": ci(lambda m: m["accuracy"]["ceiling"]),
                             "stage II": ci(lambda m: m["accuracy"][s2]), "stage II - stage I": w3,
                             "PGR stage I": ci(lambda m: m["pgr"]["stage1"]), "PGR stage II": pgr},
                    reproduced=w3["mean"] >= 0 and _above_zero(pgr)))
    return out


def alphallm_claims(per_seed: dict[int, dict], ladder: list[str]) -> list[dict]:
    """per_seed[seed] = {
        "greedy": the starting policy's greedy accuracy on the compute problems,
        "mcts": eta-MCTS decoding's accuracy at alphallm.mcts.iterations, "mcts_tokens": its tokens per problem,
        "sc": self-consistency's and "bon_orm": best-of-N by the ORM's accuracy at mcts_tokens (log-token
              interpolation between their N), "sc_inside" / "bon_inside": whether mcts_tokens lay within their N,
        "ablation": {rung: accuracy} along `ladder` (its last rung: eta-MCTS),
        "start": the starting policy's and "round1": round 1's greedy test accuracy,
    } (accuracies over the AlphaLLM families, mean)."""
    if len(per_seed) < 3:
        raise ValueError(f"claims need at least 3 seeds, got {len(per_seed)}")
    ms = list(per_seed.values())
    ci = lambda f: mean_ci([f(m) for m in ms])  # noqa: E731
    out = []
    vs_greedy = _diff(per_seed, lambda m: m["mcts"], lambda m: m["greedy"])
    vs_sc = _diff(per_seed, lambda m: m["mcts"], lambda m: m["sc"])
    out.append(dict(id="A1", claim="eta-MCTS decoding beats greedy decoding and self-consistency (at the tokens the search counted)",
                    rule="95% CIs of (eta-MCTS - greedy) and (eta-MCTS - self-consistency at equal tokens) both above 0",
                    numbers={"greedy": ci(lambda m: m["greedy"]), "eta-MCTS": ci(lambda m: m["mcts"]),
                             "self-consistency at equal tokens": ci(lambda m: m["sc"]), "eta-MCTS - greedy": vs_greedy,
                             "eta-MCTS - self-consistency": vs_sc},
                    reproduced=_above_zero(vs_greedy) and _above_zero(vs_sc)))
    vs_bon = _diff(per_seed, lambda m: m["mcts"], lambda m: m["bon_orm"])
    out.append(dict(id="A1b", claim="eta-MCTS beats best-of-N reranked by the ORM at equal total tokens (policy, rollouts and "
                                    "critics all counted; the paper counted tree nodes only)",
                    rule="95% CI of (eta-MCTS - best-of-N ORM at equal tokens) above 0",
                    numbers={"tokens per problem, eta-MCTS": {**ci(lambda m: m["mcts_tokens"]), "scale": 1},
                             "best-of-N ORM at equal tokens": ci(lambda m: m["bon_orm"]), "eta-MCTS - best-of-N ORM": vs_bon},
                    reproduced=_above_zero(vs_bon)))
    steps = {f"{b} - {a}": _diff(per_seed, lambda m, b=b: m["ablation"][b], lambda m, a=a: m["ablation"][a])
             for a, b in zip(ladder, ladder[1:])}
    whole = _diff(per_seed, lambda m: m["ablation"][ladder[-1]], lambda m: m["ablation"][ladder[0]])
    out.append(dict(id="A2", claim="Each part of eta-MCTS adds accuracy: " + " < ".join(ladder),
                    rule=f"95% CI of ({ladder[-1]} - {ladder[0]}) above 0 and every rung's mean difference from the one before >= 0",
                    numbers={**{r: ci(lambda m, r=r: m["ablation"][r]) for r in ladder}, **steps, f"{ladder[-1]} - {ladder[0]}": whole},
                    reproduced=_above_zero(whole) and all(d["mean"] >= 0 for d in steps.values())))
    a3 = _diff(per_seed, lambda m: m["round1"], lambda m: m["start"])
    out.append(dict(id="A3", claim="A self-improvement round (SFT on the search's ORM-kept leaves of imagined problems) raises greedy accuracy",
                    rule="95% CI of (round 1 - starting policy) greedy test accuracy above 0",
                    numbers={"starting policy": ci(lambda m: m["start"]), "round 1": ci(lambda m: m["round1"]), "round 1 - start": a3},
                    reproduced=_above_zero(a3)))
    return out


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
    return "\n".join(lines) + "\n"


def claims_json(claims: list[dict]) -> dict:
    """The DVC metrics twin: verdicts as 0/1 and every number's mean and interval."""
    return {c["id"]: {"reproduced": int(c["reproduced"]),
                      **{k.replace(" ", "_"): {"mean": round(v["mean"], 4), "low": round(v["low"], 4),
                                               "high": round(v["high"], 4)} for k, v in c["numbers"].items()}}
            for c in claims}
