"""grpo/report.py: the per-step table from TRL's logged names, the plot and the page."""
import pandas as pd
import pytest

from reasonforge.grpo.report import plot_training, steps_table, training_page
from reasonforge.grpo.tables import GRPOSteps


def logged(n=4, kl=True):
    """What train.common.step_metrics makes of GRPOTimed's logs."""
    df = pd.DataFrame({"step": range(1, n + 1), "loss": 0.0, "reward": [0.25, 0.5, 0.5, 0.75][:n], "reward_std": 0.4,
                       "frac_reward_zero_std": [0.5, 0.25, 0.25, 0.0][:n], "completions_mean_length": [10.0, 12.0, 8.0, 10.0][:n],
                       "completions": 4.0, "num_tokens": [100.0, 210.0, 300.0, 400.0][:n], "time_generate_s": 1.0,
                       "time_verify_s": 0.5, "time_step_s": 4.0})
    if kl:
        df["kl"] = [0.0, 0.01, 0.02, 0.03][:n]
    return df


def test_steps_table_names_the_columns_and_counts_generated_tokens():
    steps = GRPOSteps.validate(steps_table(logged()))
    assert list(steps["generated_tokens"]) == [40, 88, 120, 160] and list(steps["trained_tokens"]) == [100, 210, 300, 400]
    assert list(steps["zero_spread_share"]) == [0.5, 0.25, 0.25, 0.0]


def test_without_beta_there_is_no_kl_and_the_page_says_so():
    steps = GRPOSteps.validate(steps_table(logged(kl=False)))
    assert steps["kl"].isna().all()
    assert "beta = 0: no reference" in training_page(steps, "models/grpo/seed0/grpo")


def test_metrics_that_lack_a_column_are_refused_naming_it():
    with pytest.raises(ValueError, match="time_verify_s"):
        steps_table(logged().drop(columns="time_verify_s"))


def test_page_splits_the_time_and_compares_early_with_late():
    page = training_page(GRPOSteps.validate(steps_table(logged())), "m")
    assert "| reward (verified share) | 0.250 | 0.750 |" in page  # first tenth (one step) against the last
    assert "| 4.0 (25%) | 2.0 (12%) | 10.0 (62%) | 16.0 |" in page
    assert "400 trained tokens, 160 generated" in page


def test_plot_draws_every_run(tmp_path):
    steps = steps_table(logged())
    plot_training({"seed0": steps, "seed1": steps.assign(reward=steps["reward"] / 2)}, str(tmp_path / "p.png"))
    assert (tmp_path / "p.png").stat().st_size > 5000
