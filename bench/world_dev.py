"""Where a base model's mode is wrong: greedy against sampled pass@1 per family, on the problems of
each misconception's sub-type and on the rest, on the dev slice (the first N problems of each
family's train pool: no base model pretrains on them, no test split is read). The world's corpus
params (`corpus.misconceptions`) were chosen with it (issue 21, docs/results.md).

A model given with --model is evaluated as it is; without it, `strong` (or --name) is pretrained
afresh on the corpus the params (plus --misconceptions) make, with a tokenizer trained on that
corpus as rule train_tokenizer does (the build's draw is the tokenizer's too: with the tokenizer of
an earlier corpus, seed 0 at 2 threads learnt to copy at 1,200 steps, and the default build's own
`strong`, same seed and threads, did not). Needs the built tasks:

    snakemake data/tasks/math/pretrain.parquet data/tasks/code/pretrain.parquet \
        data/tasks/logic/pretrain.parquet
    python bench/world_dev.py --model models/base/strong          # the built world
    python bench/world_dev.py --misconceptions '{"bags_added": 0.7}' --out /tmp/strong-bags
"""
from __future__ import annotations

import argparse
import json
import re

import pandas as pd
import torch
from tqdm import tqdm
from reasonforge import config, io
from reasonforge.evaluate.run import evaluate
from reasonforge.models.generate import load_generator
from reasonforge.models.pretrain import PretrainConfig, pretrain
from reasonforge.models.tokenizer import train_tokenizer
from reasonforge.sandbox import Sandbox
from reasonforge.tables import Instructions
from reasonforge.tasks.corpus import MISCONCEPTIONS, build_corpus

FAMILIES = ("math", "code", "logic")


def sub_type(row: dict) -> str:
    """The misconception whose sub-type the problem is of (one it would change), or "other"."""
    for name, (task, make) in MISCONCEPTIONS.items():
        if row["task"] == task and make(row) is not None:
            return name
    return "other"


def copy_probe(tok, dev: pd.DataFrame, n: int = 64):
    """probe(model) -> {"copy": %}: teacher-forced next-token accuracy on the digits of the step
    operands that come from the question ("Step 2: 4*9=" reads 4 and 9 from "buys 4 bags of 9"), on
    the first n chain-of-thought dev problems. Operands that are earlier results and the results after
    "=" are not counted. A model that has not learnt to copy from its prompt guesses these digits
    (the default build's failed `strong`: 36.5%, on 181 digits); watched during pretraining, the
    figure shows when, and whether, copying appears."""
    rows = dev[dev["form"] == "cot"].head(n)
    ids, masks = [], []
    for prompt, solution in zip(rows["prompt"], rows["solution"]):
        asked = set(re.findall(r"\d+", prompt))
        copied = {len(prompt) + step.start(1) + i
                  for step in re.finditer(r"Step \d+: ([^=\n]*)=", solution)
                  for num in re.finditer(r"\d+", step.group(1)) if num.group() in asked
                  for i in range(num.start(), num.end())}
        enc = tok(prompt + solution, return_offsets_mapping=True)
        ids.append(enc["input_ids"])
        masks.append([a in copied and b == a + 1 for a, b in enc["offset_mapping"]])  # digits are single tokens
    width = max(map(len, ids))
    input_ids = torch.tensor([x + [tok.pad_token_id] * (width - len(x)) for x in ids])
    target = torch.tensor([m + [False] * (width - len(m)) for m in masks])[:, 1:]

    def probe(model) -> dict:
        hit = model(input_ids=input_ids).logits[:, :-1].argmax(-1) == input_ids[:, 1:]
        return {"copy": round(100 * hit[target].float().mean().item(), 1)}

    return probe


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--model", help="a built model directory (else: pretrain --name on the corpus)")
    ap.add_argument("--name", default="strong", help="the base model (params models.<name>) to pretrain")
    ap.add_argument("--misconceptions", default=None, help="JSON over params corpus.misconceptions")
    ap.add_argument("--out", default="/tmp/world_dev_strong")
    ap.add_argument("--seed", type=int, default=None, help="the pretraining seed (default: params seed), another draw")
    ap.add_argument("--steps", type=int, default=None, help="pretraining steps (default: params models.<name>.train.steps)")
    ap.add_argument("--override", default=None, help='JSON over params models.<name>, "train" merged: '
                    '\'{"n_heads": 8, "train": {"lr": 1e-3}}\'')
    ap.add_argument("--dev", type=int, default=200, help="problems per family, from --offset in the train pool")
    ap.add_argument("--offset", type=int, default=0, help="where in the train pool the slice starts (3000: past "
                    "the Eurus trees' instructions, for a model trained on them)")
    ap.add_argument("--samples", type=int, default=8)
    ap.add_argument("--threads", type=int, default=2)
    args = ap.parse_args()
    params = config.load_params()
    model_dir = args.model
    if model_dir is None:
        corpus = dict(params["corpus"])
        if args.misconceptions is not None:
            corpus["misconceptions"] = json.loads(args.misconceptions)
        pools = [io.read_table(f"data/tasks/{f}/pretrain.parquet", Instructions) for f in FAMILIES]
        docs = build_corpus(pools, corpus, params["seed"])
        print(f"corpus {corpus}: flaws {docs['flaws'].str.split(',').explode().value_counts().to_dict()}")
        tok = train_tokenizer(list(docs["text"]), params["tokenizer"]["vocab_size"])
        model = params["models"][args.name]
        over = json.loads(args.override or "{}")
        model = {**model, **over, "train": {**model["train"], **over.get("train", {})}}
        if args.steps:
            model = dict(model, train=dict(model["train"], steps=args.steps))
        seed = params["seed"] if args.seed is None else args.seed
        copy = copy_probe(tok, io.read_table("data/tasks/math/train.parquet", Instructions).iloc[args.offset:])

        def probe(m) -> dict:
            figures = copy(m)
            tqdm.write(f"copy accuracy {figures['copy']}%")
            return figures

        log = pretrain(PretrainConfig.from_params(model, seed=seed), tok, list(docs["text"]), args.out,
                       log_every=50, threads=args.threads, probe=probe)
        print("copy accuracy (%) by step: " + ", ".join(f"{e['step']}: {e['copy']}" for e in log))
        model_dir = args.out
    generator = load_generator(model_dir, "hf", seed=0, threads=args.threads)
    gen = params["generation"]
    rows = []
    with Sandbox(workers=args.threads, timeout=params["sandbox"]["timeout_s"], memory_mb=params["sandbox"]["memory_mb"]) as box:
        for family in FAMILIES:
            dev = io.read_table(f"data/tasks/{family}/train.parquet", Instructions).iloc[args.offset: args.offset + args.dev]
            kind = {r["id"]: sub_type(r) for r in dev.to_dict("records")}
            out = evaluate(generator, dev, "dev", family, gen, args.samples, box, seed=0)
            out["sub_type"] = out["id"].map(kind)
            rows.append(out)
    table = pd.concat(rows)
    summary = (table.groupby(["benchmark", "sub_type", "greedy"])["correct"].mean().unstack("greedy")
               .rename(columns={True: "greedy", False: "pass@1"}) * 100).round(1)
    summary["problems"] = table[table["greedy"]].groupby(["benchmark", "sub_type"]).size()
    summary["greedy - pass@1"] = (summary["greedy"] - summary["pass@1"]).round(1)
    print(f"\n{model_dir}: dev slice (train-pool problems {args.offset}-{args.offset + args.dev - 1} per family), %\n")
    print(summary.to_markdown())
    overall = (table.groupby(["benchmark", "greedy"])["correct"].mean().unstack("greedy") * 100).round(1)
    overall = overall.rename(columns={True: "greedy", False: "pass@1"})
    if args.samples:  # the base-range check (issue 21): greedy 15-60%, pass@k >= 1.5 x greedy
        sampled = table[~table["greedy"]]
        overall[f"pass@{args.samples}"] = (sampled.groupby(["benchmark", "id"])["correct"].any()
                                            .groupby("benchmark").mean() * 100).round(1)
        overall[f"pass@{args.samples} / greedy"] = (overall[f"pass@{args.samples}"] / overall["greedy"]).round(2)
    print("\n" + overall.to_markdown())


if __name__ == "__main__":
    main()
