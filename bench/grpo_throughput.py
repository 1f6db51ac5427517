"""GRPO throughput: completions and rewards per second, the batched verifier reward against one
sandbox call per completion, and where a step's time goes; one run, same cores.

1. A few GRPO steps (params.yaml's grpo.trl, from the main build's start model on data/grpo/prompts.parquet):
   per step, generation (`time/generate_s`), the verifiers (`time/verify_s`) and the rest (TRL's forward
   and backward passes, the reference model's forward); completions per second of generation.
2. One step's worth of completions (the start model's samples, grpo.trl's group size and batch) rewarded
   by `VerifierReward` in one call (every code and program-aided completion in one `Sandbox.map`), then
   one call per completion (one sandbox round trip each): rewards per second of each, and the ratio.

    python bench/grpo_throughput.py [--steps 4] [--threads 1] [--workers 1]
"""
from __future__ import annotations

import argparse
import time

import pandas as pd
import torch

from reasonforge import config, io
from reasonforge.grpo.report import steps_table
from reasonforge.grpo.rewards import COLUMNS, VerifierReward
from reasonforge.grpo.tables import GRPOPrompts
from reasonforge.grpo.train import GRPORun, train_grpo
from reasonforge.models.generate import SamplingConfig, load_generator
from reasonforge.sandbox import Sandbox


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--steps", type=int, default=4)
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--workers", type=int, default=1, help="sandbox workers")
    ap.add_argument("--model", default=None, help="default: the main build's grpo.start model")
    args = ap.parse_args()
    params = config.load_params("params.yaml")
    grpo, box = params["grpo"], params["sandbox"]
    model = args.model or f"models/eurus/seed{params['seed']}/{grpo['start']}"
    torch.set_num_threads(args.threads)
    prompts = io.read_table("data/grpo/prompts.parquet", GRPOPrompts).sample(frac=1.0, random_state=0)
    trl = {**grpo["trl"], "max_steps": args.steps, "disable_tqdm": True}
    per_step, group = trl["per_device_train_batch_size"], trl["num_generations"]
    print(f"{model}: {args.steps} GRPO steps of {per_step} completions ({per_step // group} prompts x {group}), "
          f"{args.threads} thread(s), {args.workers} sandbox worker(s)")

    with Sandbox(workers=args.workers, timeout=box["timeout_s"], memory_mb=box["memory_mb"]) as sandbox:
        import tempfile

        with tempfile.TemporaryDirectory() as out:
            run = GRPORun(trl=trl, stop=params["generation"]["stop"], seed=0)
            steps = steps_table(train_grpo(model, prompts, run, sandbox, out, timeout=box["timeout_s"]))
        gen, ver, total = steps["generate_s"].sum(), steps["verify_s"].sum(), steps["step_s"].sum()
        n = int(steps["completions"].sum())
        print("\n## Where a GRPO step's time goes\n")
        print("| steps | completions | generation s | verifiers s | forward+backward s | step s | completions/s (generation) |")
        print("|---|---|---|---|---|---|---|")
        print(f"| {len(steps)} | {n} | {gen:.1f} ({100 * gen / total:.0f}%) | {ver:.2f} ({100 * ver / total:.0f}%) | "
              f"{total - gen - ver:.1f} ({100 * (total - gen - ver) / total:.0f}%) | {total / len(steps):.1f} a step | {n / gen:.1f} |")

        # one step's completions, from the start model's samples, rewarded both ways
        rows = prompts.head(per_step // group).to_dict("records")
        generator = load_generator(model, "hf", seed=0, threads=args.threads)
        cfg = SamplingConfig(n=group, temperature=trl.get("temperature", 1.0), max_new_tokens=trl["max_completion_length"],
                             stop=params["generation"]["stop"], seed=0)
        outs = generator.generate([r["prompt"] for r in rows], cfg)
        flat = [(r, c.text) for r, cs in zip(rows, outs) for c in cs]
        cols = {c: [r[c] for r, _ in flat] for c in COLUMNS}
        reward = VerifierReward(sandbox, timeout=box["timeout_s"])
        reward(["p"] * len(flat), [t for _, t in flat], **cols)  # warm the pool
        t = time.perf_counter()
        batched = reward(["p"] * len(flat), [t for _, t in flat], **cols)
        batched_s = time.perf_counter() - t
        t = time.perf_counter()
        single = [reward(["p"], [text], **{c: [r[c]] for c in COLUMNS})[0] for r, text in flat]
        single_s = time.perf_counter() - t
        assert batched == single, "the two ways must give the same rewards"
        programs = sum(r["task"] == "code" or r["form"] == "pot" for r, _ in flat)
        print("\n## Rewards per second: one batched verification a step against one call per completion\n")
        print(f"{len(flat)} completions ({programs} run in the sandbox), mean reward {sum(batched) / len(batched):.3f}\n")
        print("| reward | seconds | rewards/s |")
        print("|---|---|---|")
        print(f"| batched (one sandbox call) | {batched_s:.2f} | {len(flat) / batched_s:.0f} |")
        print(f"| one call per completion | {single_s:.2f} | {len(flat) / single_s:.0f} |")
        print(f"\nbatched / per completion: {single_s / batched_s:.1f}x")


if __name__ == "__main__":
    main()
