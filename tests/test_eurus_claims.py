"""Eurus's claims: each verdict follows its rule on the intervals over seeds."""
import pytest

from reasonforge.eurus.claims import eurus_claims
from reasonforge.evaluate.claims import claims_json, claims_markdown


def seed(sft, dpo, kto, nca, chosen, rm, bon, base=0.30):
    return {"accuracy": {"base": base, "sft": sft, "dpo": dpo, "kto": kto, "nca": nca},
            "chosen_reward": {a: (0.0, chosen[a]) for a in ("dpo", "kto", "nca")},
            "rm_accuracy": {"bt": rm[0], "bt+dr": rm[1]}, "bon": {"rm-bt": bon[0], "rm-bt+dr": bon[1]}}


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
