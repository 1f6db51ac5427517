"""Reward model on the trees' pairs: trl.RewardTrainer with the loss a param.

- bt: Bradley-Terry, -log sigmoid(r_chosen - r_rejected) (TRL's own loss);
- dr: the Eurus paper's direct-reward term alone, -log sigmoid(r_chosen) - log sigmoid(-r_rejected):
  it pushes chosen rewards above zero and rejected below, not only apart;
- bt+dr: their sum (the paper's choice).
The DR term is added by `DirectRewardTrainer`, a small subclass of RewardTrainer that reuses its
loss, metrics and batching. The model is `AutoModelForSequenceClassification` with one label,
initialised from a causal LM directory (its score head is new).
"""
from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd
import torch
from torch import nn

from ..models.chat import ChatFormat
from ..models.load import load_reward_model
from .common import lora_config, save_trained, train_resumable, trainer_dir, trl_config

LOSSES = ("bt", "dr", "bt+dr")


def direct_reward_loss(chosen: torch.Tensor, rejected: torch.Tensor) -> torch.Tensor:
    return (-nn.functional.logsigmoid(chosen) - nn.functional.logsigmoid(-rejected)).mean()


def _trainer_class():
    from trl import RewardTrainer

    class DirectRewardTrainer(RewardTrainer):
        def __init__(self, *args, loss: str = "bt+dr", **kwargs):
            if loss not in LOSSES:
                raise ValueError(f"reward loss {loss!r}: one of {', '.join(LOSSES)}")
            super().__init__(*args, **kwargs)
            self.loss_kind = loss

        def compute_loss(self, model, inputs, return_outputs=False, num_items_in_batch=None):
            bt, outputs = super().compute_loss(model, inputs, return_outputs=True, num_items_in_batch=num_items_in_batch)
            if self.loss_kind == "bt":
                return (bt, outputs) if return_outputs else bt
            chosen, rejected = torch.chunk(outputs.logits.squeeze(-1), chunks=2)
            dr = direct_reward_loss(chosen, rejected)
            self._metrics["train" if model.training else "eval"]["dr_loss"].append(dr.item())
            loss = dr if self.loss_kind == "dr" else bt + dr
            return (loss, outputs) if return_outputs else loss

    return DirectRewardTrainer


@dataclass
class RewardRun:
    loss: str = "bt+dr"
    trl: dict = field(default_factory=dict)   # options of trl.RewardConfig
    lora: dict | None = None
    seed: int = 0


def split_pairs(pairs: pd.DataFrame, heldout: float, seed: int) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(train, held-out) by tree, so no held-out pair shares a tree (and its prompt) with training."""
    import random

    trees = sorted(pairs["tree_id"].unique())
    random.Random(f"{seed}/heldout").shuffle(trees)
    held = set(trees[: max(1, round(heldout * len(trees)))])
    mask = pairs["tree_id"].isin(held)
    if mask.all():
        raise ValueError(f"reward: only {len(trees)} trees with pairs; nothing left to train on after the held-out split")
    return pairs[~mask].reset_index(drop=True), pairs[mask].reset_index(drop=True)


def pair_kind(pairs: pd.DataFrame) -> pd.Series:
    """What a pair asks of a reward model. `sampled, turn 1`: two of the actors' own answers to the
    bare instruction, what best-of-N asks of it; `reference`: the chosen side is the reference, a text
    no model wrote; `sampled, later turns`: after a wrong turn, its history in the prompt. On a
    default-scale build the reward models read 84-90% of reference pairs and 98% of math's later-turn pairs
    right (there the chosen side is the reference 99.9% of the time) but 42-67% of the pairs of two
    sampled answers, and 0.50 of the pairs among their best-of-N candidates: the overall 69% was
    those shortcuts."""
    reference = pairs["chosen_obtained"] == "reference"
    return pd.Series(["reference" if r else ("sampled, turn 1" if t == 1 else "sampled, later turns")
                      for r, t in zip(reference, pairs["turn"])], index=pairs.index)


def pair_accuracy(scorer, pairs: pd.DataFrame) -> dict:
    """Fraction of pairs where the chosen side scores higher (ties count as wrong), Wilson 95% CI;
    with `by_kind` the same per `pair_kind` where the pairs say how they were obtained."""
    from ..evaluate.metrics import wilson

    prompts = list(pairs["prompt"])
    chosen = scorer.score(prompts, list(pairs["chosen"]))
    rejected = scorer.score(prompts, list(pairs["rejected"]))
    right = pd.Series([c > r for c, r in zip(chosen, rejected)], index=pairs.index, dtype=bool)

    def summary(mask) -> dict:
        n, k = int(mask.sum()), int(right[mask].sum())
        lo, hi = wilson(k, n)
        return {"pairs": n, "accuracy": k / max(1, n), "ci_low": lo, "ci_high": hi}

    out = summary(pd.Series(True, index=pairs.index))
    if {"chosen_obtained", "turn"} <= set(pairs.columns):
        kinds = pair_kind(pairs)
        out["by_kind"] = {kind: summary(kinds == kind) for kind in sorted(kinds.unique())}
    return out


def train_reward(model_dir: str, pairs: pd.DataFrame, run: RewardRun, out_dir: str, key: str = "train.reward",
                 trainjob=None) -> pd.DataFrame:
    from datasets import Dataset
    from trl import RewardConfig

    # the score head is new weights, drawn when the model loads: seeded here, before TRL seeds
    # the trainer (unseeded, two builds' reward models differed by 3 points of pair accuracy)
    torch.manual_seed(run.seed)
    model, tok = load_reward_model(model_dir)
    chat = ChatFormat.of(model_dir, tok)  # a chat model trains on TRL's conversational format (models/chat.py)
    ds = Dataset.from_pandas(chat.conversational(pairs[["prompt", "chosen", "rejected"]], answers=("chosen", "rejected")),
                             preserve_index=False).shuffle(seed=run.seed)
    with trainer_dir(trainjob) as out:
        args = trl_config(RewardConfig, run.trl, f"{key}.trl", run.seed, out, trainjob)
        trainer = _trainer_class()(model=model, args=args, train_dataset=ds, processing_class=tok,
                                   peft_config=lora_config(run.lora, "SEQ_CLS"), loss=run.loss)
        train_resumable(trainer, trainjob)
        save_trained(trainer, tok, out_dir, chat)
    return pd.read_parquet(f"{out_dir}/metrics.parquet")
