"""Weak-to-strong's claims: each verdict follows its rule on the intervals over seeds."""
import pytest

from reasonforge.evaluate.claims import claims_markdown
from reasonforge.w2s.claims import w2s_claims


def w2s_seed(all_, kept, naive, stage1, stage2, weak=0.10, ceiling=0.50, oracle=0.35, weak_kept=None):
    acc = {"weak": weak, "naive": naive, "stage1": stage1, "stage2-dpo": stage2, "ceiling": ceiling, "oracle": oracle,
           **({"stage1-weak-1": weak_kept} if weak_kept is not None else {})}
    return {"precision": {"all": all_, "kept": kept}, "accuracy": acc, "share_kept": 0.2,
            "pgr": {m: (a - weak) / (ceiling - weak) for m, a in acc.items()}}


def test_w2s_claims_follow_their_rules():
    good = {1: w2s_seed(0.30, 0.50, 0.20, 0.26, 0.27), 2: w2s_seed(0.32, 0.55, 0.21, 0.28, 0.28),
            3: w2s_seed(0.31, 0.52, 0.19, 0.25, 0.27)}
    claims = {c["id"]: c for c in w2s_claims(good, "dpo")}
    assert all(c["reproduced"] for c in claims.values()), {k: c["numbers"] for k, c in claims.items()}
    assert claims["W3"]["numbers"]["PGR stage II"]["mean"] == pytest.approx((0.82 / 3 - 0.10) / 0.40)
    text = claims_markdown("Weak-to-strong", list(claims.values()), [1, 2, 3])
    assert "PGR stage II 0.43 [" in text and "stage I - naive 6.3 [" in text  # PGR a fraction, accuracies in points
    bad = {1: w2s_seed(0.30, 0.28, 0.20, 0.19, 0.18), 2: w2s_seed(0.32, 0.33, 0.21, 0.22, 0.20),
           3: w2s_seed(0.31, 0.30, 0.19, 0.18, 0.17)}
    assert not any(c["reproduced"] for c in w2s_claims(bad, "dpo"))


def test_w3_without_a_gap_is_an_error_naming_the_seed():
    per_seed = {1: w2s_seed(0.30, 0.50, 0.20, 0.26, 0.27), 2: w2s_seed(0.30, 0.50, 0.20, 0.26, 0.27, weak=0.33, ceiling=0.25),
                3: w2s_seed(0.30, 0.50, 0.20, 0.26, 0.27)}
    per_seed[2]["pgr"] = {m: float("nan") for m in per_seed[2]["accuracy"]}   # as metrics.pgr gives it
    with pytest.raises(ValueError, match=r"seed 2: ceiling 25.0, weak 33.0"):
        w2s_claims(per_seed, "dpo")


def test_w2_carries_the_selection_ladder_from_all_labels_to_the_oracle():
    per_seed = {s: w2s_seed(0.30, 0.50, 0.20 + s / 100, 0.26, 0.27, weak_kept=0.24) for s in (1, 2, 3)}
    ladder = next(c for c in w2s_claims(per_seed, "dpo") if c["id"] == "W2")["ladder"]
    assert list(ladder)[:5] == ["SFT on all weak labels", "SFT on consistency-kept weak labels (iteration 1)",
                                "SFT on right weak labels (oracle)", "SFT on stage I", "SFT on gold (ceiling)"]
    assert ladder["oracle - naive"]["mean"] == pytest.approx(0.35 - 0.22)
    assert ladder["share of weak labels kept by the oracle (right)"]["mean"] == pytest.approx(0.30)
    without = {s: w2s_seed(0.30, 0.50, 0.20, 0.26, 0.27) for s in (1, 2, 3)}   # compare_sets without weak
    assert "SFT on consistency-kept weak labels (iteration 1)" not in next(
        c for c in w2s_claims(without, "dpo") if c["id"] == "W2")["ladder"]
