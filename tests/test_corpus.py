import random

import pandas as pd
import pytest

from reasonforge import io
from reasonforge.tables import Corpus
from reasonforge.sandbox import Sandbox
from reasonforge.tasks.pools import build_family
from reasonforge.tasks.corpus import MISCONCEPTIONS, build_corpus, evaluate_lines, flaw, misconceive
from reasonforge.tasks.document import SEPARATOR
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


def test_the_logic_evaluator_writes_the_references_lines(pools):
    """The misconceptions re-derive a boolean solution with evaluate_lines: with the true operations
    it must give every reference's lines and answer."""
    booleans = [r for r in pools[2].to_dict("records") if not r["solution"].split("\n")[-2].startswith(("Up", "Down"))]
    assert len(booleans) > 20
    for r in booleans:
        lines = r["solution"].split("\n")
        assert evaluate_lines(lines[0]) == (r["answer"], lines[1:-1])


EVE = dict(task="math", form="cot", answer="133", prompt="Q: Eve has 4 balls. Eve buys 3 bags of 5 balls. Then Eve has 7 "
           "times as many. How many balls does Eve have?\nA (steps):\n",
           solution="Step 1: 3*5=15\nStep 2: 4+15=19\nStep 3: 19*7=133\nAnswer: 133")  # both multiplications
EXAMPLES = {  # misconception -> (row, the solution the misconception writes)
    "bags_added": (EVE, "Step 1: 3+5=8\nStep 2: 4+8=12\nStep 3: 12*7=84\nAnswer: 84"),
    "times_as_more": (EVE, "Step 1: 3*5=15\nStep 2: 4+15=19\nStep 3: 19+7=26\nAnswer: 26"),
    "remainder_as_quotient": (dict(task="code", form="code", answer=None, prompt="Task: ...\nCode:\n",
                                   solution="```python\ndef f(x):\n    x = x % 3\n    x = x + 2\n    return x\n```",
                                   tests="assert f(7) == 3\n"),
                              "```python\ndef f(x):\n    x = x // 3\n    x = x + 2\n    return x\n```"),
    "sub_reversed": (dict(task="code", form="code", answer=None, prompt="Task: ...\nCode:\n",
                          solution="```python\ndef f(x):\n    x = x - 3\n    x = x * 2\n    return x\n```",
                          tests="assert f(7) == 8\n"),
                     "```python\ndef f(x):\n    x = 3 - x\n    x = x * 2\n    return x\n```"),
    "count_as_sum": (dict(task="code", form="code", answer=None, prompt="Task: ...\nCode:\n",
                          solution="```python\ndef f(xs):\n    xs = [v for v in xs if v < 4]\n    return len(xs)\n```",
                          tests="assert f([3, 4, 6]) == 1\n"),
                     "```python\ndef f(xs):\n    xs = [v for v in xs if v < 4]\n    return sum(xs)\n```"),
    "or_as_xor": (dict(task="logic", form="cot", answer="F", prompt="Q: Let g = T, q = T. Evaluate: not (q or g)\nA (steps):\n",
                       solution="not (T or T)\nT or T = T\nnot T = F\nAnswer: F"),
                  "not (T or T)\nT or T = F\nnot F = T\nAnswer: T"),
    "shorter_reversed": (dict(task="logic", form="cot", answer="Eve", prompt="Q: Cid is taller than Dee. Cid is shorter than "
                              "Eve. Who is the tallest?\nA (steps):\n", solution="Cid > Dee\nEve > Cid\nUp: Cid < Eve\nAnswer: Eve"),
                         "Cid > Dee\nCid > Eve\nUp: Cid\nAnswer: Cid"),
}


@pytest.mark.parametrize("name", sorted(MISCONCEPTIONS))
def test_each_misconception_writes_its_wrong_way(name):
    row, expected = EXAMPLES[name]
    assert MISCONCEPTIONS[name][1](row) == expected
    assert misconceive(row, {name: 1.0}, random.Random(0)) == (expected, name)
    assert misconceive(row, {name: 0.0}, random.Random(0)) is None


def first_applicable(row: dict) -> str | None:
    """The misconception a row carries at share 1.0: the first, in MISCONCEPTIONS' order, that changes it."""
    return next((name for name, (task, make) in MISCONCEPTIONS.items() if row["task"] == task and make(row)), None)


def test_misconceptions_are_wrong_and_shared_by_their_sub_type(pools, sb):
    """At share 1.0 every problem of a sub-type carries its misconception (where it changes the
    solution; a problem of two sub-types, the first's), the verifier judges it wrong (or_as_xor: unless the misread step leaves the answer),
    and the other problems are flawed at random as before."""
    shares = dict.fromkeys(MISCONCEPTIONS, 1.0)
    docs = build_corpus(pools, dict(CORPUS, chain_fraction=0.0, misconceptions=shares), seed=0)
    rows = {r["id"]: r for df in pools for r in df.to_dict("records")}
    for name, (task, make) in MISCONCEPTIONS.items():
        own = [(rows[d.sources], d) for d in docs.itertuples() if d.flaws == name]
        expected = [r for r in rows.values() if first_applicable(r) == name]
        assert own and len(own) == len(expected), name
        verdicts = verify_batch([r for r, _ in own], [d.text[len(r["prompt"]):] for r, d in own], sb)
        wrong = sum(not v.correct for v in verdicts)
        assert wrong == len(own) if name != "or_as_xor" else wrong >= 0.5 * len(own), name
    plain = build_corpus(pools, CORPUS, seed=0)
    assert plain.equals(build_corpus(pools, dict(CORPUS, misconceptions={}), seed=0))  # none: the old corpus
