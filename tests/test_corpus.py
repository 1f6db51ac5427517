import random

import pandas as pd
import pytest

from reasonforge import io
from reasonforge.tables import Corpus
from reasonforge.sandbox import Sandbox
from reasonforge.tasks.pools import build_family
from reasonforge.tasks.corpus import SEPARATOR, build_corpus, flaw
from reasonforge.tasks.verify import verify_batch

CFG = {"n_pretrain": 120, "n_train": 10, "n_test": 5, "n_ood": 5, "forms": ["cot", "pot"],
       "train": {"min_steps": 1, "max_steps": 4, "max_operand": 12}, "ood": {"min_steps": 5, "max_steps": 6, "max_operand": 20}}
CORPUS = {"flawed_fraction": 0.4, "chain_fraction": 0.3, "max_chain": 4}


@pytest.fixture(scope="module")
def pools():
    return [build_family(f, CFG, seed=0)["pretrain"] for f in ("math", "code", "logic")]


@pytest.fixture(scope="module")
def sb():
    with Sandbox(workers=2, timeout=5) as s:
        yield s


def test_every_flaw_is_wrong_and_keeps_the_format(pools, sb):
    """Verified by the same verifiers as model output: a flawed solution never passes, its
    original always does, and the answer format (steps, Answer:, a python block) is kept."""
    rng = random.Random(0)
    rows = [r for df in pools for r in df.to_dict("records")]
    made = [(r, flaw(r, rng)) for r in rows]
    flawed = [(r, m) for r, m in made if m]
    assert len(flawed) >= 0.9 * len(rows)  # only a few code tasks have no failing small change
    verdicts = verify_batch([r for r, _ in flawed], [m[0] for _, m in flawed], sb)
    assert not [(r["solution"], m) for (r, m), v in zip(flawed, verdicts) if v.correct]
    assert all(v.status in ("wrong", "error") for v in verdicts)
    for r, (solution, kind) in flawed:
        if r["task"] == "code" or r["form"] == "pot":
            assert solution.startswith("```python\n") and solution.endswith("```") and kind.startswith("program_")
        else:
            assert solution.rsplit("\n", 1)[1].startswith("Answer: ")
    kinds = {m[1] for _, m in flawed}
    assert {"slip", "wrong_answer", "program_constant", "program_operator", "wrong_order"} <= kinds


def test_slip_is_carried_to_the_end():
    """One step is miscomputed; every later step computes correctly from the slipped value."""
    row = dict(id="m", task="math", form="cot", answer="48", prompt="Q\nA (steps):\n",
               solution="Step 1: 3+9=12\nStep 2: 4*9=36\nStep 3: 12+36=48\nAnswer: 48")
    slips = 0
    for seed in range(40):
        solution, kind = flaw(row, random.Random(seed))
        if kind != "slip":
            continue
        slips += 1
        lines = solution.split("\n")
        steps = [line.split(": ", 1)[1].split("=") for line in lines[:3]]
        wrong = [i for i, (lhs, rhs) in enumerate(steps) if eval(lhs) != int(rhs)]
        assert len(wrong) == 1
        if wrong[0] < 2:  # step 3 adds the results of steps 1 and 2, as they were written
            assert steps[2][0] == f"{steps[0][1]}+{steps[1][1]}"
        assert lines[3] == f"Answer: {steps[2][1]}" and steps[2][1] != "48"
    assert slips >= 10


def test_corpus_documents(pools, tmp_path):
    docs = build_corpus(pools, CORPUS, seed=0)
    io.write_table(docs, tmp_path / "data/corpus/pretrain.parquet", Corpus)  # schema-valid
    assert docs.equals(build_corpus(pools, CORPUS, seed=0)) and not docs.equals(build_corpus(pools, CORPUS, seed=1))
    ids = [i for s in docs["sources"] for i in s.split(",")]
    assert sorted(ids) == sorted(pd.concat(pools)["id"])  # every pretrain problem once, nothing else
    assert docs["n_flawed"].sum() / docs["n_problems"].sum() == pytest.approx(0.4, abs=0.08)
    chained = docs[docs["n_problems"] > 1]
    assert len(chained) and chained["n_problems"].max() <= CORPUS["max_chain"]
    for doc in chained.itertuples():
        assert doc.text.count(SEPARATOR) == doc.n_problems - 1
        assert all(i.startswith(doc.task + "-") for i in doc.sources.split(","))  # one family per document
    none = build_corpus(pools, dict(CORPUS, flawed_fraction=0.0, chain_fraction=0.0), seed=0)
    assert none["n_flawed"].sum() == 0 and (none["n_problems"] == 1).all()
