"""GRPO through TRL's `GRPOTrainer`, from a start model on a table of prompts, rewarded by the verifiers.

    train_grpo("models/eurus/seed1/sft", prompts, GRPORun(trl={"max_steps": 60}), sandbox, "models/grpo/seed1/grpo")

What the project adds to TRL's trainer:
- generation stops where the evaluation's does: the stop strings that are one token of the tokenizer
  (`\\n\\n` separates problems in the corpus) join the EOS ids TRL ends a completion at (TRL's
  `generation_kwargs` cannot pass `stop_strings`: HF's generate needs the tokenizer for them), so
  the policy is rewarded for the completion the evaluator reads and trained on no token after it;
- `GRPOTimed` logs per step where the time goes: generation (`time/generate_s`), the verifiers
  (`time/verify_s`, from the reward) and the whole step (`time/step_s`); the rest is TRL's forward
  and backward passes (and the reference model's forward when beta > 0);
- `stop_at_tokens`: training ends once the policy has been trained on that many tokens (prompt and
  completion, TRL's `num_tokens`): GRPO against DPO at equal trained tokens (claim G3). The learning
  rate schedule still runs over `max_steps`, so the default schedule is constant.
The reference model of the KL term (beta > 0): TRL loads the start model again from its directory (the
model's `_name_or_path`); with LoRA it is the base with the adapter off.
"""
from __future__ import annotations

import time
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd
from transformers import TrainerCallback

from ..models.chat import ChatFormat
from ..train.common import lora_config, load_causal_lm, save_trained, train_resumable, trainer_dir, trl_config
from .rewards import COLUMNS, reward_functions


@dataclass
class GRPORun:
    trl: dict = field(default_factory=dict)   # options of trl.GRPOConfig
    lora: dict | None = None
    format_weight: float = 0.0                # weight of the format reward; 0: the verifier alone
    stop: list[str] = field(default_factory=list)   # the evaluation's stop strings
    stop_at_tokens: int | None = None         # end training once this many tokens were trained on
    seed: int = 0


class _StopAtTokens(TrainerCallback):
    def __init__(self, budget: int):
        self.budget = budget

    def on_step_end(self, args, state, control, **kwargs):
        if state.num_input_tokens_seen >= self.budget:
            control.should_training_stop = True
        return control


def stop_token_ids(tok, stop: list[str]) -> list[int]:
    """The ids of the stop strings that are a single token of `tok` (others cannot end a generation in
    TRL; the verifier still reads the completion up to them, as the evaluator's truncation does)."""
    ids = []
    for s in stop:
        encoded = tok.encode(s, add_special_tokens=False)
        if len(encoded) == 1:
            ids.append(encoded[0])
    return ids


def _trainer_class():
    from trl import GRPOTrainer

    class GRPOTimed(GRPOTrainer):
        """TRL's GRPOTrainer that logs the seconds of each step's generation and of the whole step."""

        def _generate_single_turn(self, *args, **kwargs):
            start = time.perf_counter()
            out = super()._generate_single_turn(*args, **kwargs)
            self._log_metric("time/generate_s", time.perf_counter() - start)
            return out

        def training_step(self, *args, **kwargs):
            start = time.perf_counter()
            loss = super().training_step(*args, **kwargs)
            self._metrics["train"]["time/step_s"].append(time.perf_counter() - start)
            return loss

    return GRPOTimed


def train_grpo(model_dir: str, prompts: pd.DataFrame, run: GRPORun, sandbox, out_dir: str,
               key: str = "grpo.trl", timeout: float | None = None, trainjob=None) -> pd.DataFrame:
    """Train and save a loadable model directory (metrics.parquet: one row per step) in out_dir."""
    from datasets import Dataset
    from trl import GRPOConfig

    if prompts.empty:
        raise ValueError("train_grpo: no prompts to train on")
    model, tok = load_causal_lm(model_dir)
    eos = [tok.eos_token_id, *stop_token_ids(tok, run.stop)]
    saved_eos = model.generation_config.eos_token_id
    model.generation_config.eos_token_id = eos
    chat = ChatFormat.of(model_dir, tok)  # a chat model: prompts as messages, TRL applies the template (models/chat.py)
    ds = Dataset.from_pandas(chat.conversational(prompts[["prompt", *COLUMNS]], answers=()), preserve_index=False)
    funcs, weights = reward_functions(sandbox, run.format_weight, timeout)
    peft = lora_config(run.lora, "CAUSAL_LM")
    with trainer_dir(trainjob) as out:
        args = trl_config(GRPOConfig, {"reward_weights": weights, **run.trl}, key, run.seed, out, trainjob)
        trainer = _trainer_class()(model=model, reward_funcs=funcs, args=args, train_dataset=ds, processing_class=tok,
                                   peft_config=peft)
        if run.stop_at_tokens:
            trainer.add_callback(_StopAtTokens(run.stop_at_tokens))
        train_resumable(trainer, trainjob)
        trainer.model.generation_config.eos_token_id = saved_eos
        save_trained(trainer, tok, out_dir, chat)
    return pd.read_parquet(f"{out_dir}/metrics.parquet")


def trained_tokens(model_dir: str, key: str) -> int:
    """The tokens a trained model's TRL run went through (the last `num_tokens` of its metrics.parquet):
    the budget GRPO stops at, so that it is compared with that model at equal trained tokens."""
    path = Path(model_dir) / "metrics.parquet"
    if not path.exists():
        raise ValueError(f"{key}: {model_dir} has no metrics.parquet (not a model trained here): name a trained model")
    metrics = pd.read_parquet(path)
    if "num_tokens" not in metrics or metrics["num_tokens"].dropna().empty:
        raise ValueError(f"{key}: {path} logs no num_tokens (its trainer counts no tokens): name a TRL-trained model")
    return int(metrics["num_tokens"].dropna().iloc[-1])
