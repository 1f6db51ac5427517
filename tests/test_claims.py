import math

import pytest

import pandas as pd

from reasonforge.evaluate.claims import (claims_json, claims_markdown, eurus_claims, greedy_test_accuracy, mean_ci,
                                         seed_of, w2s_claims)


def test_mean_ci_is_a_student_t_interval():
    ci = mean_ci([1.0, 2.0, 3.0])
    half = 4.3027 * 1.0 / math.sqrt(3)  # sd 1, t(0.975, 2)
    assert ci["mean"] == 2.0 and ci["low"] == pytest.approx(2 - half) and ci["high"] == pytest.approx(2 + half)
    assert mean_ci([5.0, 5.0, 5.0])["low"] == 5.0
    single = mean_ci([0.3])
    assert single["low"] == -math.inf and single["high"] == math.inf
    with pytest.raises(ValueError):
        mean_ci([])


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


def test_greedy_test_accuracy_counts_each_benchmark_once():
    small = pd.DataFrame({"greedy": [True, True, False], "split": ["test", "test", "test"], "correct": [True, False, True]})
    large = pd.DataFrame({"greedy": [True] * 4 + [True], "split": ["test"] * 4 + ["ood"], "correct": [True] * 4 + [False]})
    # small: 1 of 2 greedy test rows; large: 4 of 4 (the ood row and the sampled row do not count)
    assert greedy_test_accuracy([small, large]) == pytest.approx((0.5 + 1.0) / 2)
    with pytest.raises(ValueError, match="no eval tables"):
        greedy_test_accuracy([])


def test_seed_of_reads_the_seed_directory():
    assert seed_of("results/seeds/seed12/sft/math.parquet") == 12
    assert seed_of("models/seeds/seed3/pref/dpo") == 3
    with pytest.raises(ValueError, match="models/pref/dpo"):
        seed_of("models/pref/dpo")


def alphallm_seed(d):
    """One seed's measurements, with every difference of interest shifted by d."""
    return {"greedy": 0.30, "mcts": 0.36 + d, "mcts_tokens": 900.0 + 10 * d, "sc": 0.33, "bon_orm": 0.40 + d,
            "sc_inside": True, "bon_inside": True, "start": 0.40, "round1": 0.45 + d / 2,
            "ablation": {"vanilla": 0.30, "adaptive": 0.31, "prm": 0.33 + d, "rollout": 0.35, "merge": 0.36 + d}}


def test_alphallm_claims_verdicts():
    from reasonforge.evaluate.claims import alphallm_claims

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


def test_greedy_test_accuracy_of_reads_the_tables(tmp_path):
    from reasonforge import io
    from reasonforge.evaluate.claims import greedy_test_accuracy_of
    from reasonforge.tables import EvalSamples

    rows = [dict(id=f"m{i}", model="x", benchmark="math", split="test", form="cot", sample=0, greedy=True, completion="",
                 answer=None, correct=i < 1, status="wrong", tokens=1) for i in range(4)]
    path = tmp_path / "results/eval/x/math.parquet"
    io.write_table(pd.DataFrame(rows), path, EvalSamples)
    assert greedy_test_accuracy_of([str(path)]) == 0.25


def test_a_claim_that_cannot_be_computed_is_an_error():
    """eval.splits [ood]: no test rows, which every claim reads; it used to write `nan [nan, nan]`."""
    ood = pd.DataFrame({"model": ["sft"], "benchmark": ["math"], "greedy": [True], "split": ["ood"], "correct": [True]})
    with pytest.raises(ValueError, match=r"no greedy rows of the test split in the eval table of model sft benchmark math"
                                         r".*eval\.splits must hold test"):
        greedy_test_accuracy([ood])
    with pytest.raises(ValueError, match="not a finite number"):
        mean_ci([0.1, float("nan"), 0.2])
