"""Weak-to-strong's claims: each verdict follows its rule on the intervals over seeds."""
import pytest

from reasonforge.evaluate.claims import claims_markdown
from reasonforge.w2s.claims import w2s_claims


def w2s_seed(all_, kept, naive, stage1, stage2, weak=0.10, ceiling=0.50):
    acc = {"weak": weak, "naive": naive, "stage1": stage1, "stage2-dpo": stage2, "ceiling": ceiling}
    return {"precision": {"all": all_, "kept": kept}, "accuracy": acc,
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
