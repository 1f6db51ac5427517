import random
import re

import pytest

from reasonforge import io
from reasonforge.tables import Instructions
from reasonforge.sandbox import Sandbox
from reasonforge.tasks import code, logic, loaders, math
from reasonforge.tasks.pools import build_family
from reasonforge.tasks.verify import verify_batch

CFG = {"n_pretrain": 60, "n_train": 60, "n_test": 20, "n_ood": 20, "forms": ["cot", "pot"],
       "train": {"min_steps": 1, "max_steps": 3, "max_operand": 9},
       "ood": {"min_steps": 4, "max_steps": 5, "max_operand": 20}}


@pytest.fixture(scope="module")
def sb():
    with Sandbox(workers=2, timeout=5) as s:
        yield s


@pytest.mark.parametrize("family", ["math", "code", "logic"])
def test_build_family_is_seeded_valid_and_disjoint(family, tmp_path):
    a, b = build_family(family, CFG, seed=1), build_family(family, CFG, seed=1)
    c = build_family(family, CFG, seed=2)
    assert all(a[s].equals(b[s]) for s in a)
    assert not a["train"]["prompt"].equals(c["train"]["prompt"])
    for split, df in a.items():
        io.write_table(df, tmp_path / f"data/tasks/{family}/{split}.parquet", Instructions)  # schema-valid
        assert (df["split"] == split).all() and len(df) == CFG[f"n_{split}"]
    pools = [set(a[s]["prompt"]) for s in ("pretrain", "train", "test", "ood")]
    assert sum(map(len, pools)) == len(set().union(*pools))  # no prompt in two pools
    assert a["ood"]["difficulty"].min() > a["test"]["difficulty"].max()


def test_math_forms_alternate():
    df = build_family("math", CFG, seed=0)["test"]
    assert set(df["form"]) == {"cot", "pot"}
    assert all(p.endswith(math.POT_HEADER if f == "pot" else math.COT_HEADER) for p, f in zip(df["prompt"], df["form"]))


@pytest.mark.parametrize("family", ["math", "code", "logic"])
def test_reference_solutions_verify_and_corruptions_fail(family, sb):
    rows = build_family(family, CFG, seed=3)["ood"].to_dict("records")
    verdicts = verify_batch(rows, [r["solution"] for r in rows], sb)
    assert all(v.correct for v in verdicts), [(r["solution"], v) for r, v in zip(rows, verdicts) if not v.correct][:2]
    wrong = [corrupt(r) for r in rows]
    verdicts = verify_batch(rows, wrong, sb)
    assert not any(v.correct for v in verdicts)


def corrupt(row):
    s = row["solution"]
    if row["task"] == "code":
        body, ret = s.rsplit("    return ", 1)
        return body + "    return 1 + " + ret  # off by one on every test input
    if row["form"] == "pot":
        return s.replace("print(n)", "print(n + 1)")
    if row["task"] == "logic":
        other = "F" if row["answer"] == "T" else ("T" if row["answer"] == "F" else "Zed")
        return s.rsplit("Answer:", 1)[0] + f"Answer: {other}"
    return s.rsplit("Answer:", 1)[0] + f"Answer: {int(row['answer']) + 1}"


def test_verify_statuses(sb):
    row_cot = dict(task="math", form="cot", answer="19")
    row_pot = dict(task="math", form="pot", answer="19")
    row_code = dict(task="code", form="code", tests="assert f(1) == 2\n")
    v = verify_batch([row_cot, row_cot, row_cot, row_pot, row_pot, row_code, row_code],
                     ["Step 1: 7+12=19\nAnswer: 19.0", "Answer: 18", "no idea",
                      "```python\nwhile True: pass\n```", "```python\nprint(19)\n```",
                      "```python\ndef f(x):\n    return x + 1\n```", "```python\ndef f(x):\n    return x\n```"],
                     sb, timeout=0.5)
    assert [x.status for x in v] == ["correct", "wrong", "no_answer", "timeout", "correct", "correct", "wrong"]
    with pytest.raises(ValueError, match="sandbox"):
        verify_batch([row_code], ["def f(x): pass"], None)


def test_math_answer_checker_uses_math_verify():
    assert math.answers_match("19", "19.00") and math.answers_match("\\frac{5}{6}", "5/6")
    assert not math.answers_match("19", "91") and not math.answers_match("19", None)


def test_extractors():
    assert math.extract_cot_answer("Step 1: 1+1=2\nAnswer: 2 apples") == "2"
    assert math.extract_program("```python\nprint(1)\n") == "print(1)\n"  # unterminated block
    assert code.extract_code("def f(x):\n    return x") is not None and code.extract_code("hello") is None
    assert logic.extract_answer("Down: Bob > Ann\nAnswer: Ann") == "Ann"


def test_boolean_logic_reference_is_consistent():
    rng, seen = random.Random(0), 0
    for row in logic.generate(rng, 60, {"min_steps": 1, "max_steps": 5}):
        if "Evaluate:" in row["prompt"]:
            seen += 1
            given, expr = row["prompt"][len("Q: Let "):].split("\n")[0].split(". Evaluate: ")
            values = dict(pair.split(" = ") for pair in given.split(", "))
            substituted = re.sub(r"\b[a-z]\b", lambda m: values.get(m.group(), m.group()), expr)
            assert row["solution"].split("\n")[0] == substituted  # the first line substitutes the values
            value = eval(substituted.replace("T", "True").replace("F", "False"))
            assert ("T" if value else "F") == row["answer"]
    assert seen > 10


def test_ordering_reference_walks_to_the_answer():
    rng, seen = random.Random(1), 0
    for row in logic.generate(rng, 60, {"min_steps": 1, "max_steps": 5}):
        if "Evaluate:" in row["prompt"]:
            continue
        seen += 1
        facts = re.findall(r"(\w+) is (taller|shorter) than (\w+)\.", row["prompt"])
        above = {(a, b) if rel == "taller" else (b, a) for a, rel, b in facts}
        people = {p for pair in above for p in pair}
        tallest = people - {b for _, b in above}
        shortest = people - {a for a, _ in above}
        assert {row["answer"]} == (tallest if "tallest" in row["prompt"] else shortest)
        lines = row["solution"].split("\n")
        assert {tuple(f.split(" > ")) for f in lines[:-2]} == above  # every fact restated as A > B
        up = lines[-2].startswith("Up: ")
        chain = lines[-2].split(": ")[1].split(" < " if up else " > ")
        assert chain[0] == facts[0][0]  # the walk starts at the first person named
        assert all(((b, a) if up else (a, b)) in above for a, b in zip(chain, chain[1:]))
        assert chain[-1] == row["answer"]
    assert seen > 10


def test_logic_pools_hold_both_kinds():
    """Regression: over literal T/F the train pool used up the boolean expressions, and the test
    split was 97% orderings."""
    pools = build_family("logic", {"n_train": 3000, "n_test": 200, "n_ood": 50, "n_pretrain": 3000,
                                   "train": {"min_steps": 1, "max_steps": 3}, "ood": {"min_steps": 4, "max_steps": 5}}, 0)
    for split in ("train", "test", "pretrain"):
        share = pools[split]["prompt"].str.contains("Evaluate:").mean()
        assert 0.4 < share < 0.6, (split, share)


def test_gsm8k_loader(fixtures):
    df = loaders.load_external("gsm", {"loader": "gsm8k", "path": str(fixtures / "gsm8k.jsonl")})
    assert list(df["answer"]) == ["7", "42", "1200"] and (df["task"] == "math").all()
    assert df["solution"][0].endswith("Answer: 7")


def test_math_loader(fixtures):
    df = loaders.load_external("m", {"loader": "math", "path": str(fixtures / "math.jsonl"), "limit": 2})
    assert list(df["answer"]) == ["\\frac{5}{6}", "4"] and list(df["difficulty"]) == [1, 2]


def test_mbpp_loader_runs_reference_in_sandbox(fixtures, sb):
    df = loaders.load_external("mb", {"loader": "mbpp", "path": str(fixtures / "mbpp.jsonl")})
    rows = df.to_dict("records")
    assert all(v.correct for v in verify_batch(rows, [r["solution"] for r in rows], sb))
    assert not any(v.correct for v in verify_batch(rows, ["```python\ndef square(n): return n\ndef rev(s): return s\n```"] * 2, sb))


def test_humaneval_loader_from_package(sb):
    df = loaders.load_external("he", {"loader": "humaneval", "path": None, "limit": 5})
    assert len(df) == 5 and df["id"][0] == "he-00000"
    rows = df.to_dict("records")
    completions = [r["prompt"] + r["solution"] for r in rows]
    assert all(v.correct for v in verify_batch(rows, completions, sb))


def test_loader_errors_name_file_and_row(fixtures, tmp_path):
    with pytest.raises(ValueError, match=r"gsm8k_bad.jsonl row 0: answer has no"):
        loaders.load_external("g", {"loader": "gsm8k", "path": str(fixtures / "gsm8k_bad.jsonl")})
    with pytest.raises(KeyError, match=r"mbpp.jsonl row 0: missing field\(s\) test_list"):
        loaders.load_external("g", {"loader": "gsm8k", "path": str(fixtures / "mbpp.jsonl")}) if False else \
            loaders.mbpp([{"text": "t", "code": "c"}], str(fixtures / "mbpp.jsonl"))
    with pytest.raises(FileNotFoundError, match="nope.jsonl"):
        loaders.load_external("g", {"loader": "gsm8k", "path": str(tmp_path / "nope.jsonl")})
    with pytest.raises(ValueError, match=r"tasks\.external\.g\.path"):
        loaders.load_external("g", {"loader": "gsm8k", "path": None})


def test_parquet_input(fixtures, tmp_path):
    import pandas as pd

    p = tmp_path / "gsm.parquet"
    pd.read_json(fixtures / "gsm8k.jsonl", lines=True).to_parquet(p)
    assert len(loaders.load_external("g", {"loader": "gsm8k", "path": str(p)})) == 3
