"""Search against sampling at equal compute: sampling methods' rows
with their token shares, the search rows, the table, the ablation table and the plot."""
import pandas as pd
import pytest
from conftest import Judge, Stepper

from reasonforge.alphallm.compute import ablation_table, accuracy_at, compute_table, plot, sampling_rows, search_rows
from reasonforge.alphallm.decode import mcts_config, search_variant


def samples_of(task, correct_by_sample, greedy_correct):
    """Two problems; sample k of each is right when correct_by_sample[k - 1]; 10 tokens each."""
    rows = []
    for p in ("a", "b"):
        rows.append(dict(id=f"{task}-{p}", benchmark=task, greedy=True, sample=0, correct=greedy_correct, answer="1",
                         form="cot", completion="g", tokens=10))
        for k, ok in enumerate(correct_by_sample, start=1):
            rows.append(dict(id=f"{task}-{p}", benchmark=task, greedy=False, sample=k, correct=ok, answer="1" if ok else str(k + 1),
                             form="cot", completion=f"s{k}", tokens=10))
    return rows


def test_sampling_rows_count_the_prompt_once_and_decoding_by_share():
    samples = pd.DataFrame(samples_of("math", [False, True, True, False], greedy_correct=False))
    counts = {"math": {"greedy_read": 40, "greedy_generated": 22, "sampled_read": 40, "sampled_generated": 88}}
    order = samples[~samples["greedy"]].sort_values(["id", "sample"])
    # the ORM prefers sample 2, the reward model sample 4 (wrong); each reads 5 tokens per sample
    orm = [1.0 if s == 2 else 0.0 for s in order["sample"]]
    rm = [1.0 if s == 4 else 0.0 for s in order["sample"]]
    rows = {(r["method"], r["budget"]): r for r in sampling_rows(samples, counts, [1, 4], {"orm": (orm, [5] * 8), "rm": (rm, [5] * 8)})}
    assert rows[("greedy", 1)]["accuracy"] == 0 and rows[("greedy", 1)]["policy_tokens"] == (40 + 22) / 2
    assert rows[("self-consistency", 4)]["accuracy"] == 1.0       # the two right samples share one answer
    assert rows[("best-of-n orm", 4)]["accuracy"] == 1.0 and rows[("best-of-n rm", 4)]["accuracy"] == 0.0
    # prompt read once (40 / 2 problems); decoding 88 tokens for 80 kept: 1.1 per kept token
    assert rows[("self-consistency", 1)]["policy_tokens"] == pytest.approx(20 + 10 * 1.1)
    assert rows[("self-consistency", 4)]["policy_tokens"] == pytest.approx(20 + 40 * 1.1)
    assert rows[("best-of-n orm", 4)]["critic_tokens"] == 20 and rows[("best-of-n orm", 4)]["tokens"] == pytest.approx(20 + 44 + 20)


def test_search_variant_rows_and_the_tables(tmp_path):
    problems = pd.DataFrame([dict(id=f"{t}-{i}", task=t, form="cot", prompt=f"{t}{i}|", answer="1", tests=None, split="test")
                             for t in ("math", "logic") for i in range(2)])
    policy = Stepper(lambda p, k: ("Answer: 1", "stop") if "math" in p else ("Answer: 0", "stop"))
    value = Judge(lambda p, c: 0.5)
    decoded = search_variant(problems, "b2", policy, {"value": value, "prm": None, "orm": None}, None,
                             mcts_config(dict(iterations=2, weights={"value": 1.0, "prm": 0.0, "orm": 0.0}), "b2", 0, 8), None)
    assert decoded.groupby("task")["correct"].mean().to_dict() == {"logic": 0.0, "math": 1.0}
    assert (decoded["policy_tokens"] > 0).all() and (decoded["rollout_tokens"] == 0).all()
    vanilla = decoded.assign(variant="vanilla")
    rows = search_rows(pd.concat([decoded, vanilla]))
    table = compute_table(rows + [dict(method="greedy", budget=1, task=t, problems=2, accuracy=0.5, policy_tokens=10.0,
                                       rollout_tokens=0.0, critic_tokens=0.0, tokens=10.0) for t in ("math", "logic")])
    mean = table[table["task"] == "mean"].set_index("method")
    assert mean.loc["eta-mcts", "accuracy"] == 0.5 and mean.loc["eta-mcts", "problems"] == 4
    assert set(table["method"]) == {"eta-mcts", "ablation vanilla", "greedy"}
    md = ablation_table(table, full_budget=2)
    assert "| vanilla MCTS (value only, fixed width) | 0.0 | 100.0 | 50.0 |" in md and "+ state merge (eta-MCTS)" in md
    assert "+ PRM" not in md  # a rung not built is not shown
    plot(table, str(tmp_path / "p.png"))
    assert (tmp_path / "p.png").stat().st_size > 1000


def test_accuracy_at_a_token_budget_interpolates_in_log_tokens():
    table = pd.DataFrame(dict(method="sc", task="mean", tokens=[100.0, 400.0, 1600.0], accuracy=[0.2, 0.4, 0.5]))
    assert accuracy_at(table, "sc", 200.0) == (pytest.approx(0.3), True)    # halfway in log between 100 and 400
    assert accuracy_at(table, "sc", 3200.0) == (0.5, False) and accuracy_at(table, "sc", 50.0) == (0.2, False)
    with pytest.raises(ValueError, match="no rows of method 'bon'"):
        accuracy_at(table, "bon", 100.0)
