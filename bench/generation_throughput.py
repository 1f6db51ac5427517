"""Generation throughput: 64 prompts in one batch (left padding, KV cache, ended rows leave the
batch) vs one at a time, for each model role.

Uses models/base/{role} when it has been built, else a random-init model of the role's
architecture from params.yaml (same cost per token). Greedy, fixed max_new_tokens.

    python bench/generation_throughput.py [--roles weak strong] [--prompts 64] [--max-new-tokens 64] [--repeat 3]
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
from reasonforge.tasks.pools import build_family


def prompts_and_models(args):
    params = config.load_params("params.yaml")
    tasks = {f: build_family(f, params["tasks"][f] | {"n_train": 200, "n_test": args.prompts, "n_ood": 1}, 0) for f in ("math", "code", "logic")}
    prompts = list(pd.concat([t["test"] for t in tasks.values()])["prompt"].sample(args.prompts, random_state=0))
    train = pd.concat([t["train"] for t in tasks.values()])
    tok = None
    models = {}
    for role in args.roles:
        built = Path("models/base") / role
        if (built / "config.json").exists():
            models[role] = (str(built), "trained")
            continue
        tok = tok or train_tokenizer(list(train["prompt"] + train["solution"]), params["tokenizer"]["vocab_size"])
        out = Path(tempfile.mkdtemp()) / f"random-{role}"
        build_model(PretrainConfig.from_params(params["models"][role], seed=0), tok).save_pretrained(out)
        tok.save_pretrained(out)
        models[role] = (str(out), "random-init")
    return prompts, models


def best_time(fn, repeat: int) -> float:
    best = float("inf")
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - t)
    return best


def measure(path: str, prompts: list[str], args) -> tuple[int, float, float, float]:
    """(parameters, batched tokens/s, one-at-a-time tokens/s, share of the batched time spent on the prompt)."""
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
    t_prompt = best_time(lambda: gen.generate(prompts, SamplingConfig(max_new_tokens=1, batch_size=len(prompts))), args.repeat)
    return n_params, tok_b / t_batched, tok_s / t_single, t_prompt / t_batched


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--roles", nargs="+", default=["weak", "strong"])
    ap.add_argument("--prompts", type=int, default=64)
    ap.add_argument("--max-new-tokens", type=int, default=64)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()
    torch.set_num_threads(args.threads)
    prompts, models = prompts_and_models(args)
    print(f"{len(prompts)} prompts, greedy, max_new_tokens={args.max_new_tokens}, threads={args.threads}")
    print(f"{'model':24s} {'params':>7s} {'batched tok/s':>13s} {'one-at-a-time tok/s':>19s} {'ratio':>6s}  prompt share of batched time")
    for role, (path, kind) in models.items():
        n_params, batched, single, prompt_share = measure(path, prompts, args)
        print(f"{role + ' (' + kind + ')':24s} {n_params / 1e6:6.2f}M {batched:13.0f} {single:19.0f} {batched / single:5.1f}x  {prompt_share:.0%}")


if __name__ == "__main__":
    main()
