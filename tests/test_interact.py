import pandas as pd
import pytest

from reasonforge.eurus.critic import ModelCritic, verifier_critique
from reasonforge.eurus.interact import InteractConfig, critique_all, header, rollout
from reasonforge.tasks.pools import build_family
from reasonforge.tasks.verify import Verdict, verify_batch

from conftest import Scripted

CFG = {"n_pretrain": 2, "n_train": 2, "n_test": 4, "n_ood": 1, "forms": ["cot", "pot"],
       "train": {"min_steps": 2, "max_steps": 2, "max_operand": 9}, "ood": {"min_steps": 3, "max_steps": 3, "max_operand": 9}}


@pytest.fixture(scope="module")
def tasks():
    return pd.concat([build_family(f, CFG, 0)["test"] for f in ["math", "code", "logic"]], ignore_index=True)


def row_of(tasks, task, form):
    return tasks[(tasks["task"] == task) & (tasks["form"] == form)].iloc[0].to_dict()


def test_verifier_critic_points_at_the_mistake_without_the_answer():
    row = {"task": "math", "form": "cot", "answer": "11", "solution": "Step 1: 2+2=4\nStep 2: 4+7=11\nAnswer: 11"}
    slip = "Step 1: 2+2=4\nStep 2: 4+7=12\nAnswer: 12"
    text = verifier_critique(row, slip, Verdict(False, "12", "wrong"))
    assert text == "Step 2 is wrong: 4+7 is 11, not 12." and "Answer" not in text
    wrong_op = "Step 1: 2+2=4\nStep 2: 4*7=28\nAnswer: 28"
    assert verifier_critique(row, wrong_op, Verdict(False, "28", "wrong")).startswith("Step 2 does not follow")
    assert "stops too early" in verifier_critique(row, "Step 1: 2+2=4\nAnswer: 4", Verdict(False, "4", "wrong"))
    assert "no final answer" in verifier_critique(row, "Step 1: 2+2=4", Verdict(False, None, "no_answer"))
    assert verifier_critique(row, row["solution"], Verdict(True, "11", "correct")) == ""
    logic = {"task": "logic", "form": "cot", "answer": "Hal", "solution": "Hal > Cid\nCid > Kim\nUp: Cid < Hal\nAnswer: Hal"}
    assert verifier_critique(logic, "Hal > Cid\nCid > Kim\nUp: Cid\nAnswer: Cid", Verdict(False, "Cid", "wrong")) \
        .startswith("Step 3 does not follow")


def test_code_observation_and_critique_come_from_the_sandbox(tasks, sandbox):
    row = row_of(tasks, "code", "code")
    broken = row["solution"].replace("    return", "    x = 0\n    return", 1) if "f(x)" in row["solution"] \
        else row["solution"].replace("return", "return 1 + ", 1)
    v_ok, v_bad = verify_batch([row, row], [row["solution"], broken], sandbox)
    assert v_ok.correct and v_ok.output == "all tests passed"
    assert not v_bad.correct and v_bad.output.startswith("AssertionError: f(")
    text = verifier_critique(row, broken, v_bad)
    assert text.startswith("Line ") and f"It fails: {v_bad.output}." in text
    pot = row_of(tasks, "math", "pot")
    wrong = pot["solution"].replace("print(n)", "print(n + 1)")
    (v,) = verify_batch([pot], [wrong], sandbox)
    assert not v.correct and v.output == str(int(pot["answer"]) + 1)


def test_rollout_turns_until_correct_with_observation_and_feedback(tasks, sandbox):
    """Wrong on turn 1, right once feedback is in the context; all open trajectories in one call per turn."""
    solutions = dict(zip(tasks["prompt"], tasks["solution"]))

    def act(context, j):
        prompt = next(p for p in solutions if context.startswith(p))
        if "Feedback:" in context:
            return solutions[prompt]
        return "```python\nprint(0)\n```" if "(python)" in prompt or "Code:" in prompt else "Step 1: 1+1=3\nAnswer: 3"

    actor = Scripted(act)
    out = rollout(actor, tasks, InteractConfig(max_turns=3), sandbox, actor_name="scripted")
    assert len(actor.calls) == 2 and len(actor.calls[0][0]) == len(tasks) == len(actor.calls[1][0])
    assert set(out.groupby("id")["turn"].max()) == {2} and out.groupby("id")["correct"].last().all()
    first = out[out["turn"] == 1].set_index("id")
    second = out[out["turn"] == 2].set_index("id")
    for i, r in tasks.set_index("id").iterrows():
        ctx = second.loc[i, "context"]
        assert ctx.startswith(r["prompt"] + first.loc[i, "action"]) and ctx.endswith("\n" + header(r.to_dict()))
        assert ("Observation: " in ctx) == (r["form"] in ("pot", "code"))
        assert "Feedback: " + first.loc[i, "critique"] in ctx and first.loc[i, "critique"]
    assert (first.loc[tasks[tasks["task"] == "math"].query("form == 'cot'")["id"], "critique"]
            == "Step 1 is wrong: 1+1 is 2, not 3.").all()


def test_rollout_stops_at_max_turns(tasks, sandbox):
    actor = Scripted(lambda p, j: "Step 1: 1+1=3\nAnswer: 3")
    out = rollout(actor, tasks.head(3), InteractConfig(max_turns=2), sandbox)
    assert out["turn"].max() == 2 and len(out) == 6 and not out["correct"].any()


def test_a_model_can_be_the_critic(tasks, sandbox):
    critic = ModelCritic(Scripted(lambda p, j: "check the second step\nmore"))
    rows = tasks.head(2).to_dict("records")
    verdicts = [Verdict(False, "3", "wrong"), Verdict(True, "4", "correct")]
    out = critique_all(critic, rows, [r["prompt"] for r in rows], ["Step 1: 1+1=3\nAnswer: 3", "x"], verdicts)
    assert out == ["check the second step", ""]
    seen = critic.generator.calls[0][0]
    assert len(seen) == 1 and seen[0].startswith(rows[0]["prompt"] + "Step 1: 1+1=3") and seen[0].endswith("Feedback: ")
