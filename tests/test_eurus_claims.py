"""Eurus's claims: each verdict follows its rule on the intervals over seeds."""
import pytest

import pandas as pd

from reasonforge.eurus.claims import BON_FLOORS, bon_ladder_means, eurus_claims
from reasonforge.evaluate.claims import claims_json, claims_markdown


def seed(sft, dpo, kto, nca, chosen, rm, bon, base=0.30):
    ladder = {**{(r, "accuracy"): 0.3 for r in BON_FLOORS}, ("verifier", "accuracy"): 0.8,
              **{(f"rm-{r}", m): v for r in ("bt", "bt+dr") for m, v in (("accuracy", 0.2), ("pair_accuracy", 0.4),
                                                                        ("length_corr", -0.5))}}
    acc = {"base": base, "sft": sft, "sft-reference": sft - 0.05, "dpo": dpo, "kto": kto, "nca": nca}
    return {"accuracy": acc,
            "sampled": {m: {"pass@1": a - 0.1, "pass@8": a + 0.2, "maj@8": a} for m, a in acc.items()},
            "chosen_reward": {a: (0.0, chosen[a]) for a in ("dpo", "kto", "nca")},
            "rm_accuracy": {"bt": rm[0], "bt+dr": rm[1]}, "rm_accuracy_turn1": {"bt": 0.5, "bt+dr": 0.52},
            "bon": {"rm-bt": bon[0], "rm-bt+dr": bon[1]},
            "bon_ladder": ladder}


def test_every_claim_reproduced_when_the_intervals_say_so():
    per_seed = {1: seed(0.40, 0.35, 0.38, 0.39, {"dpo": -1.0, "kto": 0.2, "nca": 0.1}, (0.60, 0.66), (0.40, 0.43)),
                2: seed(0.42, 0.36, 0.40, 0.40, {"dpo": -0.8, "kto": 0.1, "nca": 0.3}, (0.62, 0.66), (0.41, 0.45)),
                3: seed(0.41, 0.34, 0.39, 0.38, {"dpo": -1.2, "kto": 0.3, "nca": 0.2}, (0.61, 0.67), (0.40, 0.44))}
    claims = {c["id"]: c for c in eurus_claims(per_seed)}
    assert all(c["reproduced"] for c in claims.values()), {k: c["numbers"] for k, c in claims.items()}
    assert claims["E1"]["numbers"]["sft - base"]["mean"] == pytest.approx(0.11)


def test_a_claim_whose_interval_crosses_zero_is_not_reproduced():
    """KTO beats DPO on two seeds and loses on one: the mean is positive, the interval is not."""
    per_seed = {1: seed(0.40, 0.35, 0.45, 0.39, {"dpo": -1.0, "kto": 0.2, "nca": -0.5}, (0.60, 0.60), (0.40, 0.40)),
                2: seed(0.29, 0.36, 0.45, 0.40, {"dpo": 0.5, "kto": 0.1, "nca": -0.6}, (0.62, 0.60), (0.41, 0.41)),
                3: seed(0.41, 0.34, 0.30, 0.38, {"dpo": -1.2, "kto": 0.3, "nca": -0.4}, (0.61, 0.60), (0.40, 0.40))}
    claims = {c["id"]: c for c in eurus_claims(per_seed)}
    assert claims["E2a"]["numbers"]["kto - dpo"]["mean"] > 0 and not claims["E2a"]["reproduced"]
    assert not claims["E1"]["reproduced"]   # SFT below base on seed 2
    assert not claims["E2b"]["reproduced"]  # DPO rose on seed 2 and NCA fell on all
    assert not claims["E3"]["reproduced"]   # bt+dr = bt on held-out pairs is no gain
    text = claims_markdown("Eurus", list(claims.values()), [1, 2, 3])
    assert text.count("not reproduced") == 4 and "| **E2a** KTO and NCA beat DPO |" in text
    metrics = claims_json(list(claims.values()))
    assert metrics["E2a"]["reproduced"] == 0 and set(metrics["E2a"]["kto_-_dpo"]) == {"mean", "low", "high"}


def test_claims_need_three_seeds():
    with pytest.raises(ValueError, match="at least 3 seeds"):
        eurus_claims({1: {}, 2: {}})


def test_e3_carries_the_best_of_n_ladder_in_the_table_and_the_json():
    per_seed = {s: seed(0.4, 0.35, 0.38, 0.39, {"dpo": -1.0, "kto": 0.2, "nca": 0.1}, (0.6, 0.66), (0.4, 0.43))
                for s in (1, 2, 3)}
    claims = eurus_claims(per_seed)
    e3 = next(c for c in claims if c["id"] == "E3")
    assert list(e3["ladder"])[:2] == ["best-of-N verifier (ceiling)", "best-of-N majority"]
    assert e3["ladder"]["rm-bt pair accuracy on the candidates"]["mean"] == pytest.approx(0.4)
    assert e3["ladder"]["rm-bt+dr pair accuracy, held-out sampled turn-1 pairs"]["mean"] == pytest.approx(0.52)
    assert e3["ladder"]["best-of-N no-skill"]["mean"] == pytest.approx(0.3)
    # a small build's held-out pairs may hold no sampled turn-1 pair (the smoke overlay's: only reference ones)
    for m in per_seed.values():
        m["rm_accuracy_turn1"].pop("bt")
    e3 = {c["id"]: c for c in eurus_claims(per_seed)}["E3"]
    assert "rm-bt pair accuracy, held-out sampled turn-1 pairs" not in e3["ladder"]
    assert "rm-bt+dr pair accuracy, held-out sampled turn-1 pairs" in e3["ladder"]
    text = claims_markdown("Eurus", claims, [1, 2, 3])
    assert "| E3 | best-of-N verifier (ceiling) | 80.0 [80.0, 80.0] |" in text
    assert "| E3 | rm-bt+dr score-length correlation | -0.50 [-0.50, -0.50] |" in text   # a correlation, not points
    assert claims_json(claims)["E3"]["ladder"]["best-of-N_random"]["mean"] == pytest.approx(0.3)


def test_bon_ladder_means_average_the_benchmarks_on_test():
    table = pd.DataFrame({"benchmark": ["math", "code", "math"], "split": ["test", "test", "ood"],
                          "rung": ["rm-bt"] * 3, "metric": ["accuracy"] * 3, "value": [0.2, 0.4, 0.9], "n": [1] * 3})
    assert bon_ladder_means(table) == {("rm-bt", "accuracy"): pytest.approx(0.3)}
    with pytest.raises(ValueError, match="no rows of the test split"):
        bon_ladder_means(table[table["split"] == "ood"])


def test_e1_and_e2a_carry_greedy_and_sampled_rungs():
    per_seed = {s: seed(0.4 + s / 100, 0.35, 0.38, 0.39, {"dpo": -1.0, "kto": 0.2, "nca": 0.1}, (0.6, 0.66), (0.4, 0.43))
                for s in (1, 2, 3)}
    claims = {c["id"]: c for c in eurus_claims(per_seed)}
    e1 = claims["E1"]["ladder"]
    assert e1["sft - sft-reference greedy"]["mean"] == pytest.approx(0.05)
    assert e1["sft pass@8"]["mean"] == pytest.approx(0.62) and e1["base maj@8"]["mean"] == pytest.approx(0.30)
    assert set(claims["E2a"]["ladder"]) == {f"{m} {k}" for m in ("sft", "dpo", "kto", "nca") for k in ("pass@1", "pass@8", "maj@8")}
