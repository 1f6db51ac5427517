"""Supervised fine-tuning on verified actions: trl.SFTTrainer, loss on the completion only.

    train_sft("models/base/strong", sft_table, SFTRun(trl={"learning_rate": 1e-3}), "models/eurus/seed0/sft")

The table has `prompt` and `completion` columns (data/eurus/sft.parquet); SFTTrainer
trains on the completion only for prompt/completion data and appends EOS.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

from ..models.chat import ChatFormat
from .common import lora_config, load_causal_lm, save_trained, save_unchanged, train_resumable, trainer_dir, trl_config


@dataclass
class SFTRun:
    trl: dict = field(default_factory=dict)   # options of trl.SFTConfig (validated by TRL)
    lora: dict | None = None                   # peft.LoraConfig options; None = full fine-tuning
    seed: int = 0


def train_sft(model_dir: str, data: pd.DataFrame, run: SFTRun, out_dir: str, key: str = "train.sft",
              trainjob=None) -> pd.DataFrame:
    from datasets import Dataset
    from trl import SFTConfig, SFTTrainer

    if data.empty:
        return save_unchanged(model_dir, out_dir, "examples")
    model, tok = load_causal_lm(model_dir)
    chat = ChatFormat.of(model_dir, tok)  # a chat model trains on TRL's conversational format (models/chat.py)
    ds = Dataset.from_pandas(chat.conversational(data[["prompt", "completion"]]), preserve_index=False).shuffle(seed=run.seed)
    with trainer_dir(trainjob) as out:
        args = trl_config(SFTConfig, {"completion_only_loss": True, **run.trl}, f"{key}.trl", run.seed, out, trainjob)
        trainer = SFTTrainer(model=model, args=args, train_dataset=ds, processing_class=tok,
                             peft_config=lora_config(run.lora, "CAUSAL_LM"))
        train_resumable(trainer, trainjob)
        save_trained(trainer, tok, out_dir, chat)
    return pd.read_parquet(f"{out_dir}/metrics.parquet")
