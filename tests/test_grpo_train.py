"""grpo/train.py: TRL's GRPOTrainer on a tiny model, rewarded by the verifiers, timed, stopped at a token budget."""
import json
from pathlib import Path

import pandas as pd
import pytest

from reasonforge.grpo.report import steps_table
from reasonforge.grpo.train import GRPORun, stop_token_ids, train_grpo, trained_tokens
from reasonforge.models.pretrain import PretrainConfig, pretrain
from reasonforge.models.tokenizer import train_tokenizer
from reasonforge.sandbox import Sandbox
from reasonforge.tasks.pools import build_family
from reasonforge.train.common import load_causal_lm

CFG = {"n_pretrain": 4, "n_train": 12, "n_test": 2, "n_ood": 2, "forms": ["cot", "pot"],
       "train": {"min_steps": 1, "max_steps": 2, "max_operand": 9}, "ood": {"min_steps": 3, "max_steps": 3, "max_operand": 9}}
FAST = {"max_steps": 3, "num_generations": 2, "per_device_train_batch_size": 4, "max_completion_length": 48,
        "learning_rate": 1e-3, "beta": 0.04, "disable_tqdm": True}


@pytest.fixture(scope="module")
def prompts():
    rows = pd.concat([build_family(f, CFG, 0)["train"] for f in ("math", "code", "logic")])
    return rows[["id", "task", "form", "prompt", "answer", "tests", "solution"]].reset_index(drop=True)


@pytest.fixture(scope="module")
def base(tmp_path_factory, prompts):
    texts = list(prompts["prompt"] + prompts["solution"] + "\n\n")
    tok = train_tokenizer(texts, vocab_size=160)
    out = tmp_path_factory.mktemp("m") / "base"
    pretrain(PretrainConfig(d_model=32, n_layers=1, n_heads=2, d_ff=64, max_len=128, steps=5, batch_size=8), tok,
             texts, out, log_every=1)
    return str(out)


@pytest.fixture(scope="module")
def sandbox():
    with Sandbox(workers=1, timeout=5.0) as box:
        yield box


def test_grpo_logs_each_step_and_groups_of_one_reward_teach_nothing(base, prompts, sandbox, tmp_path):
    """A 5-step model answers nothing right: every group has one reward, zero advantage, and the saved
    weights are the start's (beta's KL term is 0 at the start)."""
    out = tmp_path / "grpo"
    metrics = train_grpo(base, prompts, GRPORun(trl=FAST, stop=["\n\n"], seed=0), sandbox, str(out))
    assert list(metrics["step"]) == [1, 2, 3]
    steps = steps_table(metrics)  # every column the per-step table and the plot read
    assert (steps["completions"] == 4).all() and (steps["generate_s"] > 0).all() and (steps["verify_s"] > 0).all()
    assert (steps["step_s"] > steps["generate_s"]).all() and steps["trained_tokens"].is_monotonic_increasing
    assert steps["kl"].notna().all()  # beta > 0: a reference model, the KL logged
    assert (steps["reward"] == 0).all() and (steps["zero_spread_share"] == 1).all()
    model, _ = load_causal_lm(str(out))
    before, _ = load_causal_lm(base)
    assert model.generation_config.eos_token_id == before.generation_config.eos_token_id  # the stop ids were for training only
    assert all((a == b).all() for a, b in zip(model.parameters(), before.parameters()))


def test_rewards_with_a_spread_move_the_policy_towards_the_rewarded(base, prompts, sandbox, tmp_path, monkeypatch):
    """A reward with a spread in each group (here: shorter completions earn more, in place of the
    verifier that nothing here satisfies) moves the weights, and the completions get shorter."""
    from reasonforge.grpo import train

    def shorter(prompts, completions, **kw):
        return [-float(len(c)) for c in completions]

    monkeypatch.setattr(train, "reward_functions", lambda *a, **k: ([shorter], [1.0]))
    trl = {**FAST, "max_steps": 12, "learning_rate": 1e-2, "num_generations": 4, "per_device_train_batch_size": 8}
    metrics = train_grpo(base, prompts, GRPORun(trl=trl, seed=0), sandbox, str(tmp_path / "short"))
    length = metrics["completions_mean_length"]
    assert length.tail(4).mean() < length.head(4).mean()


def test_a_stopped_grpo_run_resumes_to_the_same_weights(base, prompts, sandbox, tmp_path, monkeypatch, stop_signal_at_step):
    """SIGTERM during step 5 of 8, checkpoints every 2: saved after step 5, the job exits 143; the re-run
    resumes there, samples the same completions (transformers restores the RNGs) and ends with the bytes
    of a run never stopped. Rewarded by length, so that the weights move."""
    from reasonforge.trainjob import TrainJob
    from reasonforge.grpo import train

    monkeypatch.setattr(train, "reward_functions", lambda *a, **k: ([lambda prompts, completions, **kw: [
        -float(len(c)) for c in completions]], [1.0]))
    run = GRPORun(trl={**FAST, "max_steps": 8, "learning_rate": 1e-2}, seed=0)
    straight = train_grpo(base, prompts, run, sandbox, str(tmp_path / "straight"))
    tj = TrainJob(tmp_path / "tj", every=2)
    stop_signal_at_step(5)
    with pytest.raises(SystemExit) as stopped:
        train_grpo(base, prompts, run, sandbox, str(tmp_path / "stopped"), trainjob=tj)
    assert stopped.value.code == 128 + 15 and [p.name for p in tj.all()] == ["checkpoint-5"]
    stop_signal_at_step(None)
    resumed = train_grpo(base, prompts, run, sandbox, str(tmp_path / "resumed"), trainjob=tj)
    weights = [(tmp_path / d / "model.safetensors").read_bytes() for d in ("straight", "resumed")]
    assert weights[0] == weights[1] and weights[0] != (Path(base) / "model.safetensors").read_bytes()  # it moved
    assert list(resumed["completions_mean_length"]) == list(straight["completions_mean_length"])


def test_generation_stops_at_the_stop_strings_that_are_one_token(base):
    _, tok = load_causal_lm(base)
    ids = stop_token_ids(tok, ["\n\n", "no such long stop string"])
    assert len(ids) == 1 and tok.decode(ids) == "\n\n"


def test_training_stops_at_the_matched_token_budget(base, prompts, sandbox, tmp_path):
    first = train_grpo(base, prompts, GRPORun(trl={**FAST, "max_steps": 1}, seed=0), sandbox, str(tmp_path / "one"))
    budget = int(first["num_tokens"].iloc[-1])
    metrics = train_grpo(base, prompts, GRPORun(trl={**FAST, "max_steps": 50}, stop_at_tokens=budget, seed=0), sandbox,
                         str(tmp_path / "matched"))
    assert len(metrics) == 1 and trained_tokens(str(tmp_path / "matched"), "grpo.match_tokens") >= budget


def test_a_budget_from_a_model_without_token_counts_names_the_key(base, tmp_path):
    with pytest.raises(ValueError, match="grpo.match_tokens: .* no metrics.parquet"):
        trained_tokens(base, "grpo.match_tokens")
    (tmp_path / "metrics.parquet").write_bytes(b"")
    pd.DataFrame({"step": [1], "loss": [0.1]}).to_parquet(tmp_path / "metrics.parquet")
    with pytest.raises(ValueError, match="logs no num_tokens"):
        trained_tokens(str(tmp_path), "grpo.match_tokens")


def test_trl_options_are_validated_by_trl_naming_the_key(base, prompts, sandbox, tmp_path):
    with pytest.raises(ValueError, match="grpo.trl: .*nosuch"):
        train_grpo(base, prompts, GRPORun(trl={**FAST, "nosuch": 1}), sandbox, str(tmp_path / "x"))
