"""Best-of-N generation with one prefill per prompt against one per sample, side by side.

The shape of `rule bon_samples`: P test prompts, N samples each, sampled at the default
temperature. With sharing, a prompt is prefilled once and its cache rows copied N times; without,
each of the N copies is prefilled. Alternating repeats, best of each; the same seeds, so the
same tokens are generated both ways.

    python bench/shared_prefill.py [--model models/base/strong] [--prompts 32] [--n 16] [--max-new-tokens 64]
"""
from __future__ import annotations

import argparse
import time

import pandas as pd
import torch

from reasonforge import io
from reasonforge.models.generate import HFGenerator, SamplingConfig


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--model", default="models/base/strong")
    ap.add_argument("--prompts", type=int, default=32)
    ap.add_argument("--n", type=int, default=16)
    ap.add_argument("--max-new-tokens", type=int, default=64)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--repeat", type=int, default=2)
    args = ap.parse_args()
    torch.set_num_threads(args.threads)
    rows = pd.concat([io.read_table(f"data/tasks/{f}/test.parquet") for f in ("math", "code", "logic")])
    prompts = list(rows["prompt"].sample(args.prompts, random_state=0))
    gen = HFGenerator(args.model, threads=args.threads)
    cfg = SamplingConfig(n=args.n, temperature=0.8, top_p=0.95, max_new_tokens=args.max_new_tokens, stop=["\n\n"], seed=0)
    best, texts = {True: 0.0, False: 0.0}, {}
    for _ in range(args.repeat):
        for share in (True, False):
            gen.share_prefill = share
            t = time.perf_counter()
            outs = gen.generate(prompts, cfg)
            tokens = sum(c.tokens for o in outs for c in o)
            best[share] = max(best[share], tokens / (time.perf_counter() - t))
            texts[share] = [[c.text for c in o] for o in outs]
    same = sum(a == b for x, y in zip(texts[True], texts[False]) for a, b in zip(x, y))
    print(f"{args.model}: {args.prompts} prompts x {args.n} samples, max_new_tokens {args.max_new_tokens}, "
          f"{args.threads} threads (generated tokens/s, best of {args.repeat})")
    print(f"  one prefill per prompt  {best[True]:8.0f}")
    print(f"  one prefill per sample  {best[False]:8.0f}")
    print(f"  ratio {best[True] / best[False]:.2f}x; identical completions {same}/{args.prompts * args.n}")


if __name__ == "__main__":
    main()
