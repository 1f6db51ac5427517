"""Can a reward model of this size rank the policy's own samples when it is trained on them?

The default build's reward models rank held-out tree pairs at 72-75%, pairs against a reference
answer at 86-91%, and the SFT policy's best-of-N candidates at 44-52% (chance): they learnt most
surely what a reference looks like (docs/results.md). This bench tells "the pairs it trained on are
not the candidates it ranks" from "a model this size cannot learn to rank": it trains the same
reward model (start model, loss, TRL options of params `eurus.reward`) on pairs of the policy's own
verified samples of a dev slice, and ranks held-out dev candidates with it and with the build's
reward model: pair accuracy on the candidates, best-of-N against random, majority and the
verifier. The dev slice is train-pool rows past the trees' and before AlphaLLM's (no test split is
read):

    python bench/rm_on_policy.py --policy models/eurus/seed0/sft --rm models/eurus/seed0/rm/bt
"""
from __future__ import annotations

import argparse
import json
import tempfile

import pandas as pd
import torch
from reasonforge import config, io
from reasonforge.evaluate.bon import candidates, ladder, ladder_markdown
from reasonforge.evaluate.run import evaluate
from reasonforge.models.generate import load_generator
from reasonforge.models.score import load_scorer
from reasonforge.sandbox import Sandbox
from reasonforge.tables import Instructions
from reasonforge.train.reward import RewardRun, train_reward

FAMILIES = ("math", "code", "logic")


def policy_pairs(samples: pd.DataFrame, per_instruction: int) -> pd.DataFrame:
    """(prompt, chosen, rejected) from each instruction's distinct correct and incorrect samples,
    the i-th correct with the i-th incorrect, up to per_instruction pairs (as the trees pair one
    correct with one incorrect action of a turn)."""
    rows = []
    for _, g in samples.groupby("id", sort=False):
        g = g.drop_duplicates("completion")
        good, bad = g[g["correct"]], g[~g["correct"]]
        for (_, c), (_, w) in list(zip(good.iterrows(), bad.iterrows()))[:per_instruction]:
            rows.append(dict(prompt=c["prompt"], chosen=c["completion"], rejected=w["completion"]))
    return pd.DataFrame(rows)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--policy", default="models/eurus/seed0/sft", help="the policy whose samples are ranked")
    ap.add_argument("--rm", default="models/eurus/seed0/rm/bt", help="the build's reward model, for comparison")
    ap.add_argument("--loss", default="bt", help="the loss of the reward model trained here (bt, dr, bt+dr)")
    ap.add_argument("--offset", type=int, default=3000, help="first train-pool row of the dev slice")
    ap.add_argument("--train", type=int, default=200, help="instructions per family whose samples train")
    ap.add_argument("--heldout", type=int, default=100, help="instructions per family whose samples are ranked")
    ap.add_argument("--samples", type=int, default=8)
    ap.add_argument("--pairs", type=int, default=2, help="pairs per training instruction")
    ap.add_argument("--trl", default="{}", help='JSON over params eurus.reward.trl, e.g. {"num_train_epochs": 4}')
    ap.add_argument("--threads", type=int, default=2)
    args = ap.parse_args()
    torch.set_num_threads(args.threads)
    params = config.load_params()
    gen, box_cfg = params["generation"], params["sandbox"]

    generator = load_generator(args.policy, "hf", seed=0, threads=args.threads)
    parts = {"train": [], "heldout": []}
    with Sandbox(workers=args.threads, timeout=box_cfg["timeout_s"], memory_mb=box_cfg["memory_mb"]) as box:
        for family in FAMILIES:
            pool = io.read_table(f"data/tasks/{family}/train.parquet", Instructions)
            end = args.offset + args.train + args.heldout
            if len(pool) < end:
                raise SystemExit(f"data/tasks/{family}/train.parquet: {len(pool)} rows, the dev slice needs {end}")
            dev = pool.iloc[args.offset:end]
            out = evaluate(generator, dev, "dev", family, gen, args.samples, box, seed=0,
                           timeout=box_cfg["timeout_s"], greedy=False)
            out = out.merge(dev[["id", "prompt"]], on="id")
            train_ids = set(dev["id"].iloc[: args.train])
            parts["train"].append(out[out["id"].isin(train_ids)])
            parts["heldout"].append(out[~out["id"].isin(train_ids)])
            print(f"{family}: sampled pass@1 {100 * out['correct'].mean():.1f}")
    train, heldout = (pd.concat(parts[k], ignore_index=True) for k in ("train", "heldout"))
    pairs = policy_pairs(train, args.pairs)
    print(f"{len(pairs)} on-policy training pairs from {train['id'].nunique()} instructions")

    rtrl = params["eurus"]["reward"]
    run = RewardRun(loss=args.loss, trl={**rtrl["trl"], **json.loads(args.trl)}, lora=rtrl["lora"], seed=0)
    tables = []
    with tempfile.TemporaryDirectory() as tmp:
        train_reward(args.policy, pairs, run, tmp, key="eurus.reward")
        scorers = {f"build's rm ({args.rm})": load_scorer(args.rm, "sequence", threads=args.threads),
                   f"on-policy rm-{args.loss}": load_scorer(tmp, "sequence", threads=args.threads)}
        for family in FAMILIES:
            samples = heldout[heldout["benchmark"] == family].assign(split="dev")
            cands = candidates(samples)
            scores = {name: scorer.score(list(cands["prompt"]), list(cands["completion"]))
                      for name, scorer in scorers.items()}
            tables.append(ladder(samples, scores).assign(benchmark=family))
    print(ladder_markdown(pd.concat(tables, ignore_index=True),
                          f"Best-of-{args.samples} on held-out dev candidates of {args.policy}"))


if __name__ == "__main__":
    main()
