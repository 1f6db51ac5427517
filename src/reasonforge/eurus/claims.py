"""Eurus's claims over seeds: E1 (SFT on the trees beats the base), E2a/E2b (KTO and NCA against
DPO, and the chosen reward's trend), E3 (BT+DR against BT reward models)."""
from __future__ import annotations

from ..evaluate.claims import above_zero, check_seeds, mean_ci, seed_diff


def eurus_claims(per_seed: dict[int, dict]) -> list[dict]:
    """per_seed[seed] = {
        "accuracy": {model: greedy accuracy over the test splits},  # base, sft, dpo, kto, nca, ...
        "chosen_reward": {algo: (first, last) logged chosen reward},
        "rm_accuracy": {loss: held-out pair accuracy},
        "bon": {selector: best-of-N accuracy over the test splits},
    }"""
    check_seeds(per_seed)
    acc = lambda model: (lambda m: m["accuracy"][model])  # noqa: E731
    out = []

    e1 = seed_diff(per_seed, acc("sft"), acc("base"))
    out.append(dict(id="E1", claim="SFT on the preference trees' correct actions beats the base model",
                    rule="95% CI of (SFT - base) greedy accuracy above 0",
                    numbers={"sft": mean_ci([m["accuracy"]["sft"] for m in per_seed.values()]),
                             "base": mean_ci([m["accuracy"]["base"] for m in per_seed.values()]), "sft - base": e1},
                    reproduced=above_zero(e1)))

    kto, nca = seed_diff(per_seed, acc("kto"), acc("dpo")), seed_diff(per_seed, acc("nca"), acc("dpo"))
    out.append(dict(id="E2a", claim="KTO and NCA beat DPO",
                    rule="95% CIs of (KTO - DPO) and (NCA - DPO) greedy accuracy both above 0",
                    numbers={**{a: mean_ci([m["accuracy"][a] for m in per_seed.values()]) for a in ("dpo", "kto", "nca")},
                             "kto - dpo": kto, "nca - dpo": nca},
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
                    reproduced=above_zero(pair) and above_zero(bon)))
    return out
