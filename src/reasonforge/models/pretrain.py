"""Pretrain a small Llama-architecture model from random init on documents (the web-like corpus).

Next-token loss on every token of a document, as on web text: a document is one or several solved
problems, some solutions flawed (tasks/corpus.py). Documents (BOS text EOS) are packed into one
stream cut into max_len windows, as in GPT pretraining: no padding, where padded batches of the
corpus (a third of it chained documents, up to ~590 tokens) spent most of a step on pad tokens.
AdamW(0.9, 0.95), linear warmup, optionally a hold at the peak, then cosine decay to a tenth;
seeded windows. Saves a Hugging Face model directory (with its tokenizer and a training log)
loadable by AutoModelForCausalLM / AutoTokenizer.
"""
from __future__ import annotations

import contextlib
import json
import math
import os
import random
import shutil
import time
from dataclasses import dataclass
from pathlib import Path

import torch
from tqdm import tqdm
from transformers import LlamaConfig, LlamaForCausalLM, PreTrainedTokenizerFast

from .. import job
from ..trainjob import PREFIX


@dataclass
class PretrainConfig:
    d_model: int
    n_layers: int
    n_heads: int
    d_ff: int
    max_len: int = 256
    steps: int = 500
    batch_size: int = 32
    lr: float = 3e-3
    warmup: int = 0
    weight_decay: float = 0.1
    # fraction of the steps after warmup held at the peak lr before the cosine decay (0: cosine from
    # the warmup on). Copying from the prompt appears as a phase transition at a step that varies by
    # draw (docs/world.md); a longer peak is a candidate for making it appear in every draw.
    hold: float = 0.0
    seed: int = 0

    @classmethod
    def from_params(cls, model: dict, seed: int) -> "PretrainConfig":
        arch = {k: model[k] for k in ("d_model", "n_layers", "n_heads", "d_ff", "max_len")}
        return cls(**arch, **model["train"], seed=seed)


def build_model(cfg: PretrainConfig, tok: PreTrainedTokenizerFast) -> LlamaForCausalLM:
    config = LlamaConfig(
        vocab_size=len(tok), hidden_size=cfg.d_model, intermediate_size=cfg.d_ff,
        num_hidden_layers=cfg.n_layers, num_attention_heads=cfg.n_heads, num_key_value_heads=cfg.n_heads,
        max_position_embeddings=cfg.max_len, tie_word_embeddings=True,
        bos_token_id=tok.bos_token_id, eos_token_id=tok.eos_token_id, pad_token_id=tok.pad_token_id,
    )
    torch.manual_seed(cfg.seed)
    return LlamaForCausalLM(config)


def pack_docs(tok, texts: list[str], max_len: int, seed: int = 0) -> torch.Tensor:
    """(windows, max_len) token ids: the documents, each BOS + text + EOS, in a seeded order,
    concatenated and cut into windows (the last partial window dropped)."""
    docs = [ids + [tok.eos_token_id] for ids in tok(texts)["input_ids"]]
    random.Random(seed).shuffle(docs)
    stream = torch.tensor([t for ids in docs for t in ids])
    n = len(stream) // max_len
    if n == 0:
        raise ValueError(f"corpus of {len(stream)} tokens is shorter than one window of max_len={max_len}")
    return stream[: n * max_len].view(n, max_len)


def lr_at(step: int, cfg: PretrainConfig) -> float:
    if step < cfg.warmup:
        return cfg.lr * (step + 1) / cfg.warmup
    decay_from = cfg.warmup + cfg.hold * (cfg.steps - cfg.warmup)
    if step < decay_from:
        return cfg.lr
    progress = (step - decay_from) / max(1, cfg.steps - decay_from)
    return cfg.lr * (0.1 + 0.9 * 0.5 * (1 + math.cos(math.pi * progress)))


def pretrain(cfg: PretrainConfig, tok, texts: list[str], out_dir: str | Path,
             log_every: int = 20, threads: int | None = None, probe=None, trainjob=None) -> list[dict]:
    """`threads` is how the job runs (the rule's threads, from the profile), not part of the config:
    a change of machine must not change what is built. `probe(model) -> dict`, when given, is called
    at each log step (in eval mode, without gradients) and its figures join the log entry: how a bench
    watches a skill appear during training. `trainjob` (reasonforge.trainjob), how a build's job runs:
    resume from its last checkpoint, save one every `trainjob.every` steps and when a stop signal comes
    (then the job ends unpublished, job.exit_if_stopped; the weights come out as without a stop), and
    log each log step where it reports."""
    if threads:
        torch.set_num_threads(threads)
    model = build_model(cfg, tok)
    windows = pack_docs(tok, texts, cfg.max_len, cfg.seed)
    decay = [p for n, p in model.named_parameters() if p.dim() >= 2]
    no_decay = [p for n, p in model.named_parameters() if p.dim() < 2]
    opt = torch.optim.AdamW([{"params": decay, "weight_decay": cfg.weight_decay},
                             {"params": no_decay, "weight_decay": 0.0}], lr=cfg.lr, betas=(0.9, 0.95))
    rng = random.Random(cfg.seed)
    state = {"step": 0, "log": [], "tokens": 0, "seconds": 0.0}
    resume = trainjob.last() if trainjob is not None else None
    if resume is not None:
        saved = torch.load(resume / "pretrain.pt", weights_only=False)
        model.load_state_dict(saved.pop("model"))
        opt.load_state_dict(saved.pop("optimizer"))
        rng.setstate(saved.pop("rng"))
        torch.set_rng_state(saved.pop("torch_rng"))
        state = saved
        print(f"resuming from {resume} (step {state['step']})", flush=True)
    log, tokens, t0 = state["log"], state["tokens"], time.time() - state["seconds"]
    model.train()
    bar = tqdm(range(state["step"], cfg.steps), initial=state["step"], total=cfg.steps,
               desc=f"pretrain {sum(p.numel() for p in model.parameters()) / 1e6:.2f}M", unit="step")
    stops = job.stop_at_step_end() if trainjob is not None else contextlib.nullcontext()
    tracking = trainjob.tracker(cfg.__dict__) if trainjob is not None else contextlib.nullcontext(lambda metrics, step: None)
    with stops, tracking as track:
        for step in bar:
            input_ids = windows[[rng.randrange(len(windows)) for _ in range(cfg.batch_size)]]
            for group in opt.param_groups:
                group["lr"] = lr_at(step, cfg)
            loss = model(input_ids=input_ids, labels=input_ids).loss
            opt.zero_grad(set_to_none=True)
            loss.backward()
            torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
            opt.step()
            tokens += input_ids.numel()
            if step % log_every == 0 or step == cfg.steps - 1:
                entry = {"step": step, "loss": round(loss.item(), 4), "lr": lr_at(step, cfg),
                         "tokens_per_s": round(tokens / (time.time() - t0), 1)}
                if probe is not None:
                    model.eval()
                    with torch.no_grad():
                        entry.update(probe(model))
                    model.train()
                log.append(entry)
                track({k: v for k, v in entry.items() if k != "step"}, step)
                bar.set_postfix(loss=entry["loss"])
            if trainjob is not None and (job.stop_requested() or (trainjob.every and (step + 1) % trainjob.every == 0)):
                save_checkpoint(trainjob, model, opt, rng, {"step": step + 1, "log": log, "tokens": tokens,
                                                               "seconds": time.time() - t0})
                if job.stop_requested():
                    break
    if trainjob is not None:
        job.exit_if_stopped(trainjob.last())
    out_dir = Path(out_dir)
    model.eval()
    model.save_pretrained(out_dir)
    tok.save_pretrained(out_dir)
    (out_dir / "train_log.json").write_text(json.dumps({"config": cfg.__dict__, "log": log,
                                                        "params": sum(p.numel() for p in model.parameters()),
                                                        "seconds": round(time.time() - t0, 1)}, indent=1))
    return log


def save_checkpoint(trainjob, model, opt, rng, state: dict) -> Path:
    """`checkpoint-<step>/pretrain.pt`: weights, optimizer, both RNGs and the loop's counters, written to a
    temp dir and renamed (a kill mid-save leaves no checkpoint that looks complete); older ones deleted."""
    final = trainjob.dir / f"{PREFIX}{state['step']}"
    tmp = trainjob.dir / f".{final.name}.tmp"
    shutil.rmtree(tmp, ignore_errors=True)
    tmp.mkdir(parents=True)
    torch.save({"model": model.state_dict(), "optimizer": opt.state_dict(), "rng": rng.getstate(),
                "torch_rng": torch.get_rng_state(), **state}, tmp / "pretrain.pt")
    shutil.rmtree(final, ignore_errors=True)
    os.replace(tmp, final)
    for older in trainjob.all()[:-1]:
        shutil.rmtree(older, ignore_errors=True)
    return final
