"""TRL's training throughput against the project's own pretraining loop, on the same model, batch
size and sequence lengths, in one run: what TRL costs here, and where.

All three train `strong`'s architecture (fresh weights from its config) for the same number of
steps on the same batch of `--batch` sequences of `--len` tokens (the pretraining windows' length):
- pretrain: reasonforge.models.pretrain's loop (one forward + backward over packed windows);
- SFT: trl.SFTTrainer on prompt/completion rows of that length (completion-only loss);
- DPO: trl.DPOTrainer on pairs whose prompt + chosen and prompt + rejected each have that length
  (two sequences per row, plus the frozen reference model's forward).
Throughput counts the tokens of the sequences trained on (a DPO row counts both sides).

    python bench/trl_throughput.py [--steps 20] [--batch 16] [--len 128]
"""
from __future__ import annotations

import argparse
import copy
import tempfile
import time

import torch
from transformers import AutoTokenizer, LlamaConfig, LlamaForCausalLM

from reasonforge.train.common import trl_config


def text_of(tok, n_tokens: int, seed: int) -> str:
    import random

    rng = random.Random(seed)
    words = [f"{rng.randint(0, 99)}+{rng.randint(0, 9)}=" for _ in range(n_tokens)]
    ids = tok(" ".join(words), add_special_tokens=False)["input_ids"][: n_tokens]
    return tok.decode(ids)


def fresh_model(path: str) -> LlamaForCausalLM:
    torch.manual_seed(0)
    return LlamaForCausalLM(LlamaConfig.from_pretrained(path))


def pretrain_loop(model, tok, batch: int, length: int, steps: int) -> float:
    ids = torch.randint(10, len(tok), (batch, length))
    opt = torch.optim.AdamW(model.parameters(), lr=1e-3)
    model.train()
    t = time.perf_counter()
    for _ in range(steps):
        loss = model(input_ids=ids, labels=ids).loss
        opt.zero_grad()
        loss.backward()
        opt.step()
    return steps * batch * length / (time.perf_counter() - t)


def trl_run(kind: str, model, tok, batch: int, length: int, steps: int) -> float:
    from datasets import Dataset

    half = length // 2
    rows = [dict(prompt=text_of(tok, half, i), completion=text_of(tok, half, 10_000 + i)) for i in range(batch * steps)]
    with tempfile.TemporaryDirectory() as out:
        opts = dict(max_steps=steps, per_device_train_batch_size=batch, learning_rate=1e-3, disable_tqdm=True,
                    logging_steps=steps, max_length=length + 8)
        if kind == "sft":
            from trl import SFTConfig, SFTTrainer

            trainer = SFTTrainer(model=model, args=trl_config(SFTConfig, opts, "bench", 0, out),
                                 train_dataset=Dataset.from_list(rows), processing_class=tok)
            tokens = steps * batch * length
        else:
            from trl import DPOConfig, DPOTrainer

            pairs = [dict(prompt=r["prompt"], chosen=r["completion"], rejected=text_of(tok, half, 20_000 + i))
                     for i, r in enumerate(rows)]
            trainer = DPOTrainer(model=model, ref_model=copy.deepcopy(model), args=trl_config(DPOConfig, opts, "bench", 0, out),
                                 train_dataset=Dataset.from_list(pairs), processing_class=tok)
            tokens = steps * batch * 2 * length
        trainer.train()  # dataset preparation happens in __init__, outside the timing below
        return tokens / trainer.state.log_history[-1]["train_runtime"]


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--model", default="models/base/strong")
    ap.add_argument("--steps", type=int, default=20)
    ap.add_argument("--batch", type=int, default=16)
    ap.add_argument("--len", type=int, default=128)
    ap.add_argument("--threads", type=int, default=2)
    args = ap.parse_args()
    torch.set_num_threads(args.threads)
    tok = AutoTokenizer.from_pretrained(args.model)
    own = pretrain_loop(fresh_model(args.model), tok, args.batch, args.len, args.steps)
    sft = trl_run("sft", fresh_model(args.model), tok, args.batch, args.len, args.steps)
    dpo = trl_run("dpo", fresh_model(args.model), tok, args.batch, args.len, args.steps)
    print(f"{args.model}, batch {args.batch} x {args.len} tokens, {args.steps} steps, {args.threads} threads (tokens/s):")
    print(f"  own pretraining loop {own:8.0f}")
    print(f"  trl SFTTrainer       {sft:8.0f}  ({sft / own:.2f}x the own loop)")
    print(f"  trl DPOTrainer       {dpo:8.0f}  ({dpo / own:.2f}x; a row is two sequences + a reference forward)")


if __name__ == "__main__":
    main()
