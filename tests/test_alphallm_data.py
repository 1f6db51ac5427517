"""AlphaLLM's inputs: its prompt pool (the train pools' tails) and the compute problems (the test heads)."""
import pandas as pd
import pytest

from reasonforge.alphallm.data import compute_problems, prompt_pool


def test_the_pool_is_the_train_tail_and_the_compute_problems_the_test_head():
    pool = pd.DataFrame({"id": [f"m{i}" for i in range(5)], "task": "math"})
    assert list(prompt_pool([pool], 2)["id"]) == ["m3", "m4"]
    assert list(compute_problems([pool], 2)["id"]) == ["m0", "m1"]
    with pytest.raises(ValueError, match=r"alphallm.prompts: 6 asked of a train pool of 5 \(math\)"):
        prompt_pool([pool], 6)


def test_a_search_loads_only_the_critics_it_reads(monkeypatch):
    import reasonforge.alphallm.data as data

    monkeypatch.setattr(data, "Critic", lambda path, threads: path)
    only_value = {"value": 1.0, "prm": 0.0, "orm": 0.0}
    assert data.load_critics("v", "p", "o", only_value, 1) == {"value": "v", "prm": None, "orm": None}
    assert data.load_critics("v", "p", "o", only_value, 1, keep_orm=True)["orm"] == "o"  # self-improvement reads it
    assert data.load_critics("v", "p", "o", {"value": 0.0, "prm": 1.0, "orm": 1.0}, 1) == {"value": None, "prm": "p", "orm": "o"}
