"""Self-improvement rows: the best finished leaf per problem, kept by its ORM score, never by the
imagined answer (which only reports how often the kept leaves are right)."""
import pandas as pd
import pytest
from conftest import Judge, Stepper

from reasonforge.alphallm.improve import search_round, sft_rows
from reasonforge.alphallm.mcts import MCTSConfig


def test_best_leaves_kept_by_the_orm_and_checked_against_the_imagined_answer():
    problems = pd.DataFrame([dict(id=f"imagined-{i}", task="math", form="cot", prompt=f"P{i}|", answer=a)
                             for i, a in enumerate(["5", "5", "9"])])
    # P0 answers 5 (ORM 0.9), P1 answers 4 (ORM 0.2), P2 answers 5 (ORM 0.9, but the imagined answer is 9)
    policy = Stepper(lambda p, k: ("Answer: 4" if p.startswith("P1") else "Answer: 5", "stop"))
    orm = Judge(lambda p, c: 0.9 if "Answer: 5" in c else 0.2)
    cfg = MCTSConfig(iterations=2, c_min=[1], c_max=[1], weights={"value": 1.0, "prm": 0.0, "orm": 0.0})
    out = search_round(problems, policy, {"value": Judge(lambda p, c: 0.5), "orm": orm}, None, cfg, gamma=0.5, sandbox=None)
    assert list(out["kept"]) == [True, False, True] and list(out["correct"]) == [True, False, False]
    assert list(out["orm"]) == [0.9, 0.2, 0.9] and list(out["completion"]) == ["Answer: 5\n", "Answer: 4\n", "Answer: 5\n"]
    rows = sft_rows(out)
    assert list(rows["prompt"]) == ["P0|", "P2|"] and list(rows["completion"]) == ["Answer: 5\n"] * 2
    assert list(sft_rows(out, by="correct")["prompt"]) == ["P0|"]     # the oracle rung: the right leaf alone
    with pytest.raises(ValueError, match="keep by 'kept'"):
        sft_rows(out, by="orm")

