"""Search throughput: eta-MCTS against plain batched sampling of the same policy, in one run.

Reads the built AlphaLLM inputs (the policy named by alphallm.policy, the rollout model, the three
critics under models/alphallm/seed<seed>/critics/, the test problems), so run it after `snakemake alphallm`. For each
repeat, on the same problems:
- sampling: N completions per problem in one batched call (the best-of-N / self-consistency cost);
- eta-MCTS at alphallm.mcts params: nodes per second, counted tokens per second (policy, rollout
  model and critics), and where a search step's time goes (select, policy expansion, value, PRM,
  rollouts, ORM, backup, the final answer).
Best of the repeats for each side; both sides run alternately in the same process.

    python bench/search_throughput.py [--problems 100] [--n 8] [--iterations 8] [--repeat 2]
"""
from __future__ import annotations

import argparse
import time

import pandas as pd
import torch

from reasonforge import config, io
from reasonforge.alphallm.data import compute_problems, load_critics
from reasonforge.models.generate import SamplingConfig, load_generator
from reasonforge.alphallm.mcts import MCTSConfig, search


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--problems", type=int, default=100, help="per family, the first of the test split")
    ap.add_argument("--n", type=int, default=8, help="samples per problem on the sampling side")
    ap.add_argument("--iterations", type=int, default=None, help="search iterations (default alphallm.mcts.iterations)")
    ap.add_argument("--repeat", type=int, default=2)
    ap.add_argument("--threads", type=int, default=2)
    args = ap.parse_args()
    torch.set_num_threads(args.threads)
    params = config.load_params("params.yaml")
    alpha, gen = params["alphallm"], params["generation"]
    seed = params["seed"]  # the main build's models
    names = {name: f"models/base/{name}" for name in params["models"]} | {"sft": f"models/eurus/seed{seed}/sft"}
    problems = compute_problems([io.read_table(f"data/tasks/{t}/test.parquet") for t in alpha["tasks"]], args.problems)
    prompts = list(problems["prompt"])
    policy = load_generator(names[alpha["policy"]], "hf", threads=args.threads)
    rollout = load_generator(names[alpha["rollout"]], "hf", threads=args.threads)
    mcts = MCTSConfig(**{**alpha["mcts"], **({"iterations": args.iterations} if args.iterations else {})},
                      batch_size=gen["batch_size"])
    critics = load_critics(*(f"models/alphallm/seed{seed}/critics/{k}" for k in ("value", "prm", "orm")), mcts.weights, args.threads)
    sampling = SamplingConfig(n=args.n, temperature=mcts.temperature, top_p=mcts.top_p, max_new_tokens=gen["max_new_tokens"],
                              stop=gen["stop"], batch_size=gen["batch_size"])
    best: dict[str, dict] = {}
    for r in range(args.repeat):
        read, made = policy.tokens_read, policy.tokens_generated
        start = time.perf_counter()
        policy.generate(prompts, sampling)
        seconds = time.perf_counter() - start
        tokens = policy.tokens_read - read + policy.tokens_generated - made
        if "sampling" not in best or seconds < best["sampling"]["seconds"]:
            best["sampling"] = dict(seconds=seconds, tokens=tokens, completions=len(prompts) * args.n)
        start = time.perf_counter()
        result = search(prompts, policy, critics, mcts, rollout=rollout)
        seconds = time.perf_counter() - start
        if "search" not in best or seconds < best["search"]["seconds"]:
            best["search"] = dict(seconds=seconds, tokens=result.tokens.total, nodes=result.nodes, phases=result.seconds,
                                  split=vars(result.tokens))
    s, m = best["sampling"], best["search"]
    print(f"{len(prompts)} problems ({', '.join(alpha['tasks'])}), policy {alpha['policy']}, rollout {alpha['rollout']}, "
          f"{args.threads} threads, best of {args.repeat}")
    print(f"sampling  N={args.n}: {s['seconds']:.1f} s, {s['completions'] / s['seconds']:.0f} completions/s, "
          f"{s['tokens'] / s['seconds']:.0f} counted tokens/s ({s['tokens'] / len(prompts):.0f} per problem)")
    print(f"eta-MCTS  {mcts.iterations} iterations: {m['seconds']:.1f} s, {m['nodes'] / m['seconds']:.0f} nodes/s, "
          f"{m['tokens'] / m['seconds']:.0f} counted tokens/s ({m['tokens'] / len(prompts):.0f} per problem)")
    print(f"counted tokens/s, search / sampling: {(m['tokens'] / m['seconds']) / (s['tokens'] / s['seconds']):.2f}")
    print("search tokens: " + ", ".join(f"{k} {v}" for k, v in m["split"].items()))
    total = sum(m["phases"].values())
    shares = pd.Series(m["phases"]).sort_values(ascending=False)
    print("where a search's time goes: " + ", ".join(f"{k} {v:.2f} s ({100 * v / total:.0f}%)" for k, v in shares.items()))


if __name__ == "__main__":
    main()
