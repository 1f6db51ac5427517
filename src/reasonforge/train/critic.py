"""Critics for search (AlphaLLM): one scalar head on prompt + a partial or whole solution.

    train_critic("models/eurus/seed0/sft", rows, CriticRun(loss="mse"), "models/alphallm/seed0/critics/value")

- value: MSE on every prefix of a policy sample, labelled with the sample's final correctness;
- prm: BCE on step prefixes, labelled good where Monte-Carlo rollouts from them mostly succeed;
- orm: BCE on whole samples, labelled with their correctness.
TRL 1.16 has no trainer for these (its PRM trainer was removed), so it is transformers' own
`Trainer` with `AutoModelForSequenceClassification` and one label: its loss is MSE for
`problem_type="regression"` and BCE-with-logits for `"multi_label_classification"`, so no loss is
written here. The text is prompt + completion + EOS, the sequence `models.score.SequenceScorer`
reads, and the head starts new on top of the policy's weights (AlphaLLM initialises its critics
from the policy).
"""
from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd
import torch

from ..models.chat import ChatFormat
from .common import save_trained, train_resumable, trainer_dir, trl_config

PROBLEM_TYPE = {"mse": "regression", "bce": "multi_label_classification"}


@dataclass
class CriticRun:
    loss: str = "mse"                           # mse (value) | bce (prm, orm)
    args: dict = field(default_factory=dict)     # options of transformers.TrainingArguments
    max_length: int = 256
    seed: int = 0


def train_critic(model_dir: str, rows: pd.DataFrame, run: CriticRun, out_dir: str, key: str = "critic",
                 trainjob=None) -> pd.DataFrame:
    """rows: prompt, completion, label (a float in [0, 1]). Writes a loadable model directory with
    metrics.parquet; returns the per-step metrics."""
    from datasets import Dataset
    from transformers import AutoModelForSequenceClassification, AutoTokenizer, DataCollatorWithPadding, Trainer, TrainingArguments

    if run.loss not in PROBLEM_TYPE:
        raise ValueError(f"{key}.loss: {run.loss!r}; one of {', '.join(PROBLEM_TYPE)}")
    if rows.empty:
        raise ValueError(f"{key}: no training rows (no policy samples reached this critic's data)")
    torch.manual_seed(run.seed)  # the new head's weights
    tok = AutoTokenizer.from_pretrained(model_dir)
    model = AutoModelForSequenceClassification.from_pretrained(model_dir, num_labels=1, dtype=torch.float32,
                                                               problem_type=PROBLEM_TYPE[run.loss])
    model.config.pad_token_id = tok.pad_token_id
    chat = ChatFormat.of(model_dir, tok)  # a chat model's critic reads the template's rendering, as its scorer does
    texts = [chat.sequence(tok, p, c) for p, c in zip(rows["prompt"], rows["completion"])]
    # truncated from the left: a critic must see the end of the solution it judges
    tok.truncation_side = "left"
    enc = tok(texts, truncation=True, max_length=run.max_length)
    labels = [float(x) if run.loss == "mse" else [float(x)] for x in rows["label"]]
    ds = Dataset.from_dict({**enc, "labels": labels}).shuffle(seed=run.seed)
    with trainer_dir(trainjob) as out:
        args = trl_config(TrainingArguments, run.args, f"{key}.args", run.seed, out, trainjob)
        trainer = Trainer(model=model, args=args, train_dataset=ds, data_collator=DataCollatorWithPadding(tok))
        train_resumable(trainer, trainjob)
        tok.truncation_side = "right"
        save_trained(trainer, tok, out_dir, chat)
    return pd.read_parquet(f"{out_dir}/metrics.parquet")
