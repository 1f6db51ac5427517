"""What every trainer shares: TRL config from a params sub-tree, model loading, LoRA, saving.

params hand TRL its own options (`trl:` sub-tree) straight to its config class, so TRL validates
them (an unknown key is TRL's TypeError, re-raised naming the params key) and the project's schema
does not copy TRL's fields. The project sets only what a from-scratch model on a CPU needs
(notes/trl-and-friends.md): bf16 only on a GPU that has it, no gradient checkpointing, no
reporting; a user's `trl:` value wins over these. Given how its job runs (reasonforge.trainjob), a
trainer saves checkpoints every `every` steps and on a stop signal, resumes from the last one
(`train_resumable`), and reports where the job says.
"""
from __future__ import annotations

import os
import tempfile
from contextlib import contextmanager
from pathlib import Path

import pandas as pd
import torch

from .. import job

os.environ.setdefault("TRL_EXPERIMENTAL_SILENCE", "1")


def device_defaults() -> dict:
    """bf16 on a GPU that supports it, fp32 on CPU: the same rules run on both."""
    gpu = torch.cuda.is_available()
    return dict(bf16=gpu and torch.cuda.is_bf16_supported(), use_cpu=not gpu)


def trl_config(config_cls, options: dict, key: str, seed: int, output_dir: str, trainjob=None):
    base = dict(output_dir=output_dir, report_to="none", save_strategy="no", logging_steps=1, seed=seed,
                data_seed=seed, activation_checkpointing=False, disable_tqdm=False, **device_defaults(),
                # several processes (trainjob.of): every parameter of these models takes part in each step; True
                # (transformers' choice without gradient checkpointing) costs a pass over the graph per step
                ddp_find_unused_parameters=False)
    if trainjob is not None:
        base.update(trainjob.trainer_args())
    try:
        return config_cls(**{**base, **options})
    except TypeError as exc:
        raise ValueError(f"{key}: {exc} (these options go to {config_cls.__module__.split('.')[0]}.{config_cls.__name__})") from None


def lora_config(lora: dict | None, task_type: str):
    """PEFT LoRA from params (`lora: {r, lora_alpha, ...}`), None when off."""
    if not lora:
        return None
    from peft import LoraConfig

    return LoraConfig(task_type=task_type, **{"target_modules": "all-linear", **lora})


def load_causal_lm(path: str):
    from transformers import AutoModelForCausalLM, AutoTokenizer

    return AutoModelForCausalLM.from_pretrained(path, dtype=torch.float32), AutoTokenizer.from_pretrained(path)


def save_trained(trainer, tok, out_dir: str | Path, chat=None) -> None:
    """A loadable model directory (LoRA merged into the weights) with its tokenizer (and chat template), the
    role's system prompt (`chat`, models/chat.py) and the per-step training metrics as metrics.parquet;
    written to a temp dir by the caller's atomic_dir."""
    model = trainer.model
    if hasattr(model, "merge_and_unload"):  # a PEFT model: the next rule needs plain weights
        model = model.merge_and_unload()
    out = Path(out_dir)
    model.save_pretrained(out)
    tok.save_pretrained(out)
    if chat is not None:
        chat.save(out)
    step_metrics(trainer).to_parquet(out / "metrics.parquet", index=False)


def save_unchanged(model_dir: str, out_dir: str | Path, what: str) -> pd.DataFrame:
    """Training on no examples is the identity: the starting model saved as it is, with a metrics
    table of no steps, and a warning on the job's log (weak-to-strong can select no question when
    the weak and strong answers never agree). TRL's trainers refuse an empty dataset."""
    from ..models.chat import ChatFormat

    model, tok = load_causal_lm(model_dir)
    out = Path(out_dir)
    model.save_pretrained(out)
    tok.save_pretrained(out)
    ChatFormat.of(model_dir, tok).save(out)
    metrics = pd.DataFrame({"step": pd.Series(dtype=int), "loss": pd.Series(dtype=float)})
    metrics.to_parquet(out / "metrics.parquet", index=False)
    print(f"WARNING: no {what} to train on: the model is {model_dir} unchanged")
    return metrics


def step_metrics(trainer) -> pd.DataFrame:
    """One row per logged training step: loss and whatever the trainer logs (rewards, log-probs)."""
    rows = [e for e in trainer.state.log_history if "loss" in e and "train_runtime" not in e]
    df = pd.DataFrame(rows)
    keep = [c for c in df.columns if c not in ("epoch",)]
    return df[keep].rename(columns=lambda c: c.replace("/", "_")).astype({"step": int})


def scratch_dir() -> tempfile.TemporaryDirectory:
    """TRL's output_dir, as `with scratch_dir() as path:`: nothing is saved there (save_strategy=no),
    but it must exist; it is removed however training ends."""
    return tempfile.TemporaryDirectory(prefix="trl-", ignore_cleanup_errors=True)


@contextmanager
def trainer_dir(trainjob=None):
    """The trainer's output_dir: the job's checkpoints directory, or a scratch one outside a job."""
    if trainjob is not None:
        yield str(trainjob.dir)
    else:
        with scratch_dir() as scratch:
            yield scratch


def _stop_callback():
    from transformers import TrainerCallback

    class SaveAndStopOnSignal(TrainerCallback):
        """After a step in which a stop signal came: save a checkpoint (whatever save_strategy says) and stop."""

        def on_step_end(self, args, state, control, **kwargs):
            stop = job.stop_requested()
            if torch.distributed.is_available() and torch.distributed.is_initialized():
                # every rank stops at the same step: one flag, the largest signal any rank got
                flag = torch.tensor([stop or 0], device=args.device)
                torch.distributed.all_reduce(flag, op=torch.distributed.ReduceOp.MAX)
                if flag.item():
                    job.note_stop(int(flag.item()))
                    stop = job.stop_requested()
            if stop:
                control.should_save = True
                control.should_training_stop = True
            return control

    return SaveAndStopOnSignal()


def train_resumable(trainer, trainjob=None) -> None:
    """`trainer.train()`, resumed from the job's last checkpoint when there is one (transformers restores
    the weights, optimizer, scheduler, RNG states and the position in the data); a stop signal saves a
    checkpoint after the current step and ends the job unpublished (job.exit_if_stopped)."""
    if trainjob is None:
        trainer.train()
        return
    trainer.add_callback(_stop_callback())
    resume = trainjob.last()
    if resume is not None:
        print(f"resuming from {resume}", flush=True)
    if trainer.args.world_size > 1 and job.rank() == 0:
        print(f"training in {trainer.args.world_size} processes (DDP, {trainer.args.device})", flush=True)
    with job.stop_at_step_end():
        trainer.train(resume_from_checkpoint=str(resume) if resume is not None else None)
    job.exit_if_stopped(trainjob.last())
    if job.rank() > 0:  # one of several processes (trainjob.of): rank 0 saves and publishes the model
        raise SystemExit(0)
