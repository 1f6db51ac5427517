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
