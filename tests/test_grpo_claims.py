"""grpo/claims.py: G1-G3 from per-seed measurements."""
import pytest

from reasonforge.evaluate.claims import claims_markdown
from reasonforge.grpo.claims import grpo_claims


def seed(start, grpo, dpo, passk_start, passk_grpo):
    return {"greedy": {"start": start, "grpo": grpo, "dpo": dpo},
            "passk": {"start": dict(zip((1, 4, 16), passk_start)), "grpo": dict(zip((1, 4, 16), passk_grpo))},
            "tokens": {"GRPO trained": 320_000, "GRPO generated": 110_000, "DPO trained": 313_000}}


def by_id(claims):
    return {c["id"]: c for c in claims}


def test_sharpening_gains_at_pass_1_not_at_pass_16():
    per_seed = {1: seed(0.40, 0.45, 0.38, (0.35, 0.60, 0.80), (0.42, 0.63, 0.80)),
                2: seed(0.41, 0.47, 0.37, (0.36, 0.61, 0.81), (0.44, 0.63, 0.80)),
                3: seed(0.39, 0.44, 0.39, (0.34, 0.59, 0.79), (0.41, 0.62, 0.79))}
    c = by_id(grpo_claims(per_seed))
    assert c["G1"]["reproduced"] and c["G2"]["reproduced"] and c["G3"]["reproduced"]
    assert c["G1"]["numbers"]["GRPO - start"]["mean"] == pytest.approx(0.0533, abs=1e-3)
    assert c["G2"]["numbers"]["gain at pass@1 - gain at pass@16"]["mean"] == pytest.approx(0.0767, abs=1e-3)
    text = claims_markdown("GRPO", list(c.values()), [1, 2, 3])
    assert "tokens DPO trained 313000.0 [313000.0, 313000.0]" in text  # counts, not percentages


def test_a_method_that_widens_or_loses_is_not_reproduced():
    per_seed = {1: seed(0.40, 0.38, 0.42, (0.35, 0.60, 0.70), (0.35, 0.63, 0.80)),
                2: seed(0.41, 0.40, 0.43, (0.36, 0.61, 0.71), (0.37, 0.65, 0.82)),
                3: seed(0.39, 0.40, 0.41, (0.34, 0.59, 0.69), (0.34, 0.62, 0.79))}
    c = by_id(grpo_claims(per_seed))
    assert not c["G1"]["reproduced"] and not c["G2"]["reproduced"] and not c["G3"]["reproduced"]


def test_claims_need_three_seeds():
    with pytest.raises(ValueError, match="at least 3 seeds"):
        grpo_claims({1: seed(0.4, 0.5, 0.4, (0.3, 0.5, 0.7), (0.4, 0.5, 0.7))})
