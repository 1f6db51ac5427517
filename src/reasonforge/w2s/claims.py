"""Weak-to-strong's claims over seeds: W1 (selection raises label precision), W2 (stage I beats
naive SFT), W3 (stage II keeps stage I's accuracy and recovers part of the gap)."""
from __future__ import annotations

from ..evaluate.claims import above_zero, check_seeds, mean_ci, seed_diff


def w2s_claims(per_seed: dict[int, dict], algo: str) -> list[dict]:
    """per_seed[seed] = {
        "precision": {"all": weak-label precision on train_2, "kept": of the labels iteration 1 kept},
        "accuracy": {model: greedy test accuracy}: weak, naive, stage1 (the last iteration), ceiling,
                    stage2-<algo> for each algorithm, oracle (SFT on the right weak labels) and, when
                    built, stage1-weak-1 (the weak responses iteration 1 kept),
        "share_kept": share of the weak labels iteration 1 kept (the oracle keeps precision["all"] of them),
        "pgr": {model: PGR on test},
    }; `algo`: the stage-II algorithm W3 is decided on (the first of w2s.stage2.algos)."""
    check_seeds(per_seed)
    no_gap = {s: m["accuracy"] for s, m in per_seed.items() if not m["accuracy"]["ceiling"] > m["accuracy"]["weak"]}
    if no_gap:  # PGR divides by the gap: without one W3 cannot be computed, and a NaN would pass as a number
        raise ValueError("W3: PGR is undefined where the ceiling is not above the weak floor (no gap to recover): "
                         + "; ".join(f"seed {s}: ceiling {100 * a['ceiling']:.1f}, weak {100 * a['weak']:.1f}"
                                     for s, a in no_gap.items()))
    ms = list(per_seed.values())
    ci = lambda f: mean_ci([f(m) for m in ms])  # noqa: E731
    out = []
    w1 = seed_diff(per_seed, lambda m: m["precision"]["kept"], lambda m: m["precision"]["all"])
    out.append(dict(id="W1", claim="Selecting weak labels that agree with the strong model's in-context answers raises their precision",
                    rule="95% CI of (precision of the labels iteration 1 kept - precision of all weak labels) above 0",
                    numbers={"precision, all weak labels": ci(lambda m: m["precision"]["all"]),
                             "precision, kept": ci(lambda m: m["precision"]["kept"]), "kept - all": w1},
                    reproduced=above_zero(w1)))
    w2 = seed_diff(per_seed, lambda m: m["accuracy"]["stage1"], lambda m: m["accuracy"]["naive"])
    out.append(dict(id="W2", claim="Stage I (SFT on the selected labels, iterated) beats naive weak-to-strong (SFT on every weak label)",
                    rule="95% CI of (stage I - naive) greedy test accuracy above 0",
                    numbers={"naive": ci(lambda m: m["accuracy"]["naive"]), "stage I": ci(lambda m: m["accuracy"]["stage1"]),
                             "stage I - naive": w2},
                    ladder=_selection_ladder(per_seed), reproduced=above_zero(w2)))
    s2 = f"stage2-{algo}"
    w3 = seed_diff(per_seed, lambda m: m["accuracy"][s2], lambda m: m["accuracy"]["stage1"])
    pgr = ci(lambda m: m["pgr"][s2])
    out.append(dict(id="W3", claim=f"Stage II ({algo.upper()} on weak-anchored pairs) is at least stage I, and recovers part of the gap (PGR > 0)",
                    rule=f"mean of (stage II - stage I) greedy test accuracy >= 0, and the 95% CI of stage II's PGR above 0",
                    numbers={"weak floor": ci(lambda m: m["accuracy"]["weak"]), "ceiling": ci(lambda m: m["accuracy"]["ceiling"]),
                             "stage II": ci(lambda m: m["accuracy"][s2]), "stage II - stage I": w3,
                             "PGR stage I": ci(lambda m: m["pgr"]["stage1"]), "PGR stage II": pgr},
                    reproduced=w3["mean"] >= 0 and above_zero(pgr)))
    return out


def _selection_ladder(per_seed: dict) -> dict:
    """W2's rungs: SFT on every weak label, on those consistency kept, on the right ones (an oracle,
    the ceiling of any selection), stage I as built, and the gold; with the share of labels each keeps."""
    ms = list(per_seed.values())
    rungs = [("naive", "all weak labels"), ("stage1-weak-1", "consistency-kept weak labels (iteration 1)"),
             ("oracle", "right weak labels (oracle)"), ("stage1", "stage I"), ("ceiling", "gold (ceiling)")]
    out = {f"SFT on {what}": mean_ci([m["accuracy"][name] for m in ms]) for name, what in rungs if name in ms[0]["accuracy"]}
    out["oracle - naive"] = seed_diff(per_seed, lambda m: m["accuracy"]["oracle"], lambda m: m["accuracy"]["naive"])
    out["share of weak labels kept by consistency"] = mean_ci([m["share_kept"] for m in ms])
    out["share of weak labels kept by the oracle (right)"] = mean_ci([m["precision"]["all"] for m in ms])
    return out
