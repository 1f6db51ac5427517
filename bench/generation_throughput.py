"""Generation throughput: 64 prompts in one batch (left padding, KV cache) vs one at a time.

Uses models/base/strong when it has been built, else a random-init model of the default
`strong` architecture (same cost per token). Greedy, fixed max_new_tokens.

    python bench/generation_throughput.py [--model DIR] [--prompts 64] [--max-new-tokens 64] [--repeat 3]
"""
from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

import pandas as pd
import torch

from reasonforge import config
from reasonforge.models.generate import HFGenerator, SamplingConfig
from reasonforge.models.pretrain import PretrainConfig, build_model
from reasonforge.models.tokenizer import train_tokenizer
from reasonforge.tasks import build_family


def prompts_and_model(args):
    params = config.load_params("params.yaml")
    tasks = {f: build_family(f, params["tasks"][f] | {"n_train": 200, "n_test": args.prompts, "n_ood": 1}, 0) for f in ("math", "code", "logic")}
    prompts = list(pd.concat([t["test"] for t in tasks.values()])["prompt"].sample(args.prompts, random_state=0))
    if args.model and Path(args.model).exists():
        return prompts, args.model, "trained"
    train = pd.concat([t["train"] for t in tasks.values()])
    tok = train_tokenizer(list(train["prompt"] + train["solution"]), params["tokenizer"]["vocab_size"])
    cfg = PretrainConfig.from_params(params["models"]["strong"], seed=0)
    out = Path(tempfile.mkdtemp()) / "random-strong"
    build_model(cfg, tok).save_pretrained(out)
    tok.save_pretrained(out)
    return prompts, str(out), "random-init"


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--model", default="models/base/strong")
    ap.add_argument("--prompts", type=int, default=64)
    ap.add_argument("--max-new-tokens", type=int, default=64)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()
    torch.set_num_threads(args.threads)
    prompts, path, kind = prompts_and_model(args)
    gen = HFGenerator(path)
    n_params = sum(p.numel() for p in gen.model.parameters())
    cfg = SamplingConfig(max_new_tokens=args.max_new_tokens, batch_size=len(prompts))
    one = SamplingConfig(max_new_tokens=args.max_new_tokens, batch_size=1)
    gen.generate(prompts, cfg)  # warm-up: first-call allocations at full batch size
    t_batched = t_single = float("inf")
    for _ in range(args.repeat):  # alternate, keep the best of each: noise on shared cores
        t = time.perf_counter()
        batched = gen.generate(prompts, cfg)
        t_batched = min(t_batched, time.perf_counter() - t)
        t = time.perf_counter()
        single = [gen.generate([p], one)[0] for p in prompts]
        t_single = min(t_single, time.perf_counter() - t)
    tok_b = sum(c.tokens for o in batched for c in o)
    tok_s = sum(c.tokens for o in single for c in o)
    print(f"model: {path} ({kind}, {n_params / 1e6:.2f}M params), {len(prompts)} prompts, "
          f"max_new_tokens={args.max_new_tokens}, threads={args.threads}")
    print(f"batched (64 at once): {tok_b:6d} tokens in {t_batched:6.2f}s = {tok_b / t_batched:8.0f} tokens/s")
    print(f"one prompt at a time: {tok_s:6d} tokens in {t_single:6.2f}s = {tok_s / t_single:8.0f} tokens/s")
    print(f"speed-up: {(tok_b / t_batched) / (tok_s / t_single):.1f}x")


if __name__ == "__main__":
    main()
