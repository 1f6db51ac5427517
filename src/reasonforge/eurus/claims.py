"""Eurus's claims over seeds: E1 (SFT on the trees beats the base), E2a/E2b (KTO and NCA against
DPO, and the chosen reward's trend), E3 (BT+DR against BT reward models)."""
from __future__ import annotations

from ..evaluate.claims import above_zero, check_seeds, mean_ci, seed_diff

# E3's ladder, in order: the verifier's ceiling, the pickers that need no reward model (no-skill: a scorer
# at chance), then each model
BON_FLOORS = ("verifier", "majority", "random", "no-skill", "shortest", "longest")
# the held-out pairs like best-of-N's (train.reward.pair_kind); a small build may hold none of them
RM_TURN1 = "sampled, turn 1"


def bon_ladder_means(table) -> dict:
    """{(rung, metric): value} of a best-of-N ladder table (BonLadder) on the test split, the mean over
    benchmarks (each counts once, as in the claims' accuracies)."""
    test = table[table["split"] == "test"]
    if test.empty:
        raise ValueError("best-of-N ladder: no rows of the test split (every claim compares test accuracy)")
    return test.groupby(["rung", "metric"])["value"].mean().to_dict()


def _sampled_ladder(per_seed: dict, models) -> dict:
    """Each model's sampled rungs (pass@1, pass@k, maj@k): what its samples hold beside its greedy answer."""
    first = next(iter(per_seed.values()))["sampled"]
    return {f"{model} {metric}": mean_ci([m["sampled"][model][metric] for m in per_seed.values()])
            for model in models for metric in first[model]}


def _bon_ladder(per_seed: dict) -> dict:
    first = next(iter(per_seed.values()))["bon_ladder"]
    rms = sorted({rung for rung, _ in first} - set(BON_FLOORS))
    over = lambda key: mean_ci([m["bon_ladder"][key] for m in per_seed.values()])  # noqa: E731
    out = {f"best-of-N {r}{' (ceiling)' if r == 'verifier' else ''}": over((r, "accuracy")) for r in BON_FLOORS + tuple(rms)}
    out |= {f"{r} pair accuracy, held-out sampled turn-1 pairs": mean_ci([m["rm_accuracy_turn1"][r[3:]] for m in per_seed.values()])
            for r in rms if all(r[3:] in m["rm_accuracy_turn1"] for m in per_seed.values())}
    out |= {f"{r} pair accuracy on the candidates": over((r, "pair_accuracy")) for r in rms}
    out |= {f"{r} score-length correlation": {**over((r, "length_corr")), "scale": 1} for r in rms}
    return out


def eurus_claims(per_seed: dict[int, dict]) -> list[dict]:
    """per_seed[seed] = {
        "accuracy": {model: greedy accuracy over the test splits},  # base, sft, sft-reference, dpo, kto, nca, ...
        "sampled": {model: sampled_test_metrics},   # pass@1, pass@k, maj@k of the same models
        "chosen_reward": {algo: (first, last) logged chosen reward},
        "rm_accuracy": {loss: held-out pair accuracy},
        "rm_accuracy_turn1": {loss: held-out pair accuracy on the RM_TURN1 pairs, where there are any},
        "bon": {selector: best-of-N accuracy over the test splits},
        "bon_ladder": {(rung, metric): value},  # bon_ladder_means of the seed's best-of-N ladder
    }"""
    check_seeds(per_seed)
    acc = lambda model: (lambda m: m["accuracy"][model])  # noqa: E731
    out = []

    e1 = seed_diff(per_seed, acc("sft"), acc("base"))
    out.append(dict(id="E1", claim="SFT on the preference trees' correct actions beats the base model",
                    rule="95% CI of (SFT - base) greedy accuracy above 0",
                    numbers={"sft": mean_ci([m["accuracy"]["sft"] for m in per_seed.values()]),
                             "base": mean_ci([m["accuracy"]["base"] for m in per_seed.values()]), "sft - base": e1},
                    ladder={**{f"{m} greedy": mean_ci([s["accuracy"][m] for s in per_seed.values()])
                               for m in ("base", "sft-reference", "sft")},
                            "sft - sft-reference greedy": seed_diff(per_seed, acc("sft"), acc("sft-reference")),
                            **_sampled_ladder(per_seed, ("base", "sft-reference", "sft"))},
                    reproduced=above_zero(e1)))

    kto, nca = seed_diff(per_seed, acc("kto"), acc("dpo")), seed_diff(per_seed, acc("nca"), acc("dpo"))
    out.append(dict(id="E2a", claim="KTO and NCA beat DPO",
                    rule="95% CIs of (KTO - DPO) and (NCA - DPO) greedy accuracy both above 0",
                    numbers={**{a: mean_ci([m["accuracy"][a] for m in per_seed.values()]) for a in ("dpo", "kto", "nca")},
                             "kto - dpo": kto, "nca - dpo": nca},
                    ladder=_sampled_ladder(per_seed, ("sft", "dpo", "kto", "nca")),
                    reproduced=above_zero(kto) and above_zero(nca)))

    drift = {a: mean_ci([m["chosen_reward"][a][1] - m["chosen_reward"][a][0] for m in per_seed.values()])
             for a in ("dpo", "kto", "nca")}
    out.append(dict(id="E2b", claim="DPO's chosen reward falls below its start during training; KTO's and NCA's do not",
                    rule="95% CI of DPO's (final - first) chosen reward below 0, and neither KTO's nor NCA's below 0",
                    numbers={f"{a} chosen reward, final - first": ci for a, ci in drift.items()},
                    reproduced=drift["dpo"]["high"] < 0 and drift["kto"]["high"] >= 0 and drift["nca"]["high"] >= 0))

    pair = seed_diff(per_seed, lambda m: m["rm_accuracy"]["bt+dr"], lambda m: m["rm_accuracy"]["bt"])
    bon = seed_diff(per_seed, lambda m: m["bon"]["rm-bt+dr"], lambda m: m["bon"]["rm-bt"])
    out.append(dict(id="E3", claim="A reward model trained with BT + DR beats BT alone, on held-out pairs and in best-of-N",
                    rule="95% CIs of (bt+dr - bt) held-out pair accuracy and best-of-N accuracy both above 0",
                    numbers={"pair accuracy bt": mean_ci([m["rm_accuracy"]["bt"] for m in per_seed.values()]),
                             "pair accuracy bt+dr": mean_ci([m["rm_accuracy"]["bt+dr"] for m in per_seed.values()]),
                             "pair accuracy, bt+dr - bt": pair,
                             "best-of-N bt": mean_ci([m["bon"]["rm-bt"] for m in per_seed.values()]),
                             "best-of-N bt+dr": mean_ci([m["bon"]["rm-bt+dr"] for m in per_seed.values()]),
                             "best-of-N, bt+dr - bt": bon},
                    ladder=_bon_ladder(per_seed), reproduced=above_zero(pair) and above_zero(bon)))
    return out
