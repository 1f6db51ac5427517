"""Preference optimization on the trees' pairs: DPO, NCA, KTO, ORPO, each through its TRL trainer.

    train_preference("nca", "models/eurus/seed0/sft", pairs, PreferenceRun(trl={"beta": 0.1}), "models/eurus/seed0/pref/nca")

- dpo: trl.DPOTrainer, loss_type sigmoid (Rafailov et al.);
- nca: trl.DPOTrainer, loss_type nca_pair (Chen et al.; the Eurus paper's NCA);
- kto: trl.KTOTrainer on the pairs unpaired (chosen desirable, rejected undesirable), shuffled so a
  batch is not one-sided (TRL puts all desirable rows first);
- orpo: trl.experimental.orpo.ORPOTrainer, no reference model (its beta is the paper's lambda).
The reference model of DPO, NCA and KTO is a frozen copy of the starting model (TRL cannot rebuild
one from an in-memory from-scratch model); with LoRA it is the base with the adapter off.
"""
from __future__ import annotations

import copy
from dataclasses import dataclass, field

import pandas as pd
import pandera.pandas as pa
from pandera.typing import Series

from ..models.chat import ChatFormat
from .common import lora_config, load_causal_lm, save_trained, save_unchanged, train_resumable, trainer_dir, trl_config

ALGOS = ("dpo", "nca", "kto", "orpo")


class PreferencePairs(pa.DataFrameModel):
    """The columns the trainers read of a pairs table (Eurus's trees' pairs, weak-to-strong's stage
    II pairs): each method's own schema checked the whole table when its job wrote it."""

    prompt: Series[str] = pa.Field(str_length={"min_value": 1})
    chosen: Series[str]
    rejected: Series[str]


@dataclass
class PreferenceRun:
    trl: dict = field(default_factory=dict)   # options of the algorithm's TRL config class
    lora: dict | None = None
    seed: int = 0


def train_preference(algo: str, model_dir: str, pairs: pd.DataFrame, run: PreferenceRun, out_dir: str,
                     key: str | None = None, trainjob=None) -> pd.DataFrame:
    from datasets import Dataset

    if algo not in ALGOS:
        raise ValueError(f"unknown preference algorithm {algo!r} (one of {', '.join(ALGOS)})")
    key = key or f"train.preference.{algo}"
    if pairs.empty:
        return save_unchanged(model_dir, out_dir, "pairs")
    model, tok = load_causal_lm(model_dir)
    chat = ChatFormat.of(model_dir, tok)  # a chat model trains on TRL's conversational format (models/chat.py)
    ds = Dataset.from_pandas(chat.conversational(pairs[["prompt", "chosen", "rejected"]], answers=("chosen", "rejected")),
                             preserve_index=False).shuffle(seed=run.seed)
    peft = lora_config(run.lora, "CAUSAL_LM")
    ref = None if peft else copy.deepcopy(model).eval()
    with trainer_dir(trainjob) as out:
        if algo in ("dpo", "nca"):
            from trl import DPOConfig, DPOTrainer

            opts = {"loss_type": "sigmoid" if algo == "dpo" else "nca_pair", **run.trl}
            args = trl_config(DPOConfig, opts, f"{key}.trl", run.seed, out, trainjob)
            trainer = DPOTrainer(model=model, ref_model=ref, args=args, train_dataset=ds, processing_class=tok,
                                 peft_config=peft)
        elif algo == "kto":
            from trl import KTOConfig, KTOTrainer, unpair_preference_dataset

            args = trl_config(KTOConfig, run.trl, f"{key}.trl", run.seed, out, trainjob)
            trainer = KTOTrainer(model=model, ref_model=ref, args=args, processing_class=tok, peft_config=peft,
                                 train_dataset=unpair_preference_dataset(ds).shuffle(seed=run.seed))
        else:
            from trl.experimental.orpo import ORPOConfig, ORPOTrainer

            args = trl_config(ORPOConfig, run.trl, f"{key}.trl", run.seed, out, trainjob)
            trainer = ORPOTrainer(model=model, args=args, train_dataset=ds, processing_class=tok, peft_config=peft)
        train_resumable(trainer, trainjob)
        save_trained(trainer, tok, out_dir, chat)
    return pd.read_parquet(f"{out_dir}/metrics.parquet")
