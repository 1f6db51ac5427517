"""AlphaLLM's claims: each verdict follows its rule on the intervals over seeds."""
import pytest

from reasonforge.alphallm.claims import alphallm_claims
from reasonforge.evaluate.claims import claims_markdown


def alphallm_seed(d):
    """One seed's measurements, with every difference of interest shifted by d."""
    return {"greedy": 0.30, "mcts": 0.36 + d, "mcts_tokens": 900.0 + 10 * d, "sc": 0.33, "bon_orm": 0.40 + d,
            "sc_inside": True, "bon_inside": True, "start": 0.40, "round1": 0.45 + d / 2,
            "mcts_verifier": 0.50 + d, "bon_verifier": 0.60, "round1_verified": 0.50,
            "kept_share": 0.6, "kept_precision": 0.5, "right_share": 0.4,
            "ablation": {"vanilla": 0.30, "adaptive": 0.31, "prm": 0.33 + d, "rollout": 0.35, "merge": 0.36 + d}}


def test_alphallm_claims_verdicts():
    ladder = ["vanilla", "adaptive", "prm", "rollout", "merge"]
    claims = {c["id"]: c for c in alphallm_claims({s: alphallm_seed(d) for s, d in ((1, 0.0), (2, 0.01), (3, -0.01))}, ladder)}
    assert claims["A1"]["reproduced"] and claims["A1"]["numbers"]["eta-MCTS - greedy"]["mean"] == pytest.approx(0.06)
    assert not claims["A1b"]["reproduced"]          # best-of-N ORM is 4 points above the search
    assert claims["A2"]["reproduced"] and claims["A3"]["reproduced"]
    # a rung that costs accuracy on average breaks the order
    worse = {s: alphallm_seed(d) | {"ablation": alphallm_seed(d)["ablation"] | {"rollout": 0.32}} for s, d in ((1, 0.0), (2, 0.01), (3, -0.01))}
    assert not {c["id"]: c for c in alphallm_claims(worse, ladder)}["A2"]["reproduced"]
    text = claims_markdown("AlphaLLM", list(claims.values()), [1, 2, 3])
    assert "tokens per problem, eta-MCTS 900.0 [" in text and "| **A1b**" in text
    with pytest.raises(ValueError, match="at least 3 seeds"):
        alphallm_claims({1: alphallm_seed(0)}, ladder)


def test_a1_and_a1b_carry_the_verifier_ceilings():
    ladder = ["vanilla", "adaptive", "prm", "rollout", "merge"]
    claims = {c["id"]: c for c in alphallm_claims({s: alphallm_seed(d) for s, d in ((1, 0.0), (2, 0.01), (3, -0.01))}, ladder)}
    assert claims["A1"]["ladder"]["eta-MCTS verifier - eta-MCTS (what the learned ORM loses)"]["mean"] == pytest.approx(0.14)
    assert claims["A1b"]["ladder"]["best-of-N verifier - ORM (what the ORM loses in reranking)"]["mean"] == pytest.approx(0.20)
    assert claims["A3"]["ladder"]["round 1 verified - round 1 ORM-kept"]["mean"] == pytest.approx(0.05)
    assert claims["A3"]["ladder"]["share of the ORM-kept leaves that are right"]["mean"] == pytest.approx(0.5)
    assert "| A1 | eta-MCTS, the verifier scoring finished paths (the ceiling of search) | 50.0 [" in \
        claims_markdown("AlphaLLM", list(claims.values()), [1, 2, 3])
