"""rule train_reward -> reasonforge.train.reward.train_reward, then held-out pair accuracy"""
import json

import torch

from reasonforge import io, job, trainjob
from reasonforge.eurus.tables import Pairs
from reasonforge.models.score import load_scorer
from reasonforge.train.reward import RewardRun, pair_accuracy, split_pairs, train_reward

sm = snakemake  # noqa: F821
with job.running(sm.log[0]):
    cfg, loss = sm.params.cfg["eurus"]["reward"], sm.wildcards.loss
    torch.set_num_threads(sm.threads)
    # the same held-out trees for every run and seed, so accuracies compare
    train, heldout = split_pairs(io.read_table(sm.input.pairs, Pairs), cfg["heldout"], seed=0)
    run = RewardRun(loss=loss, trl=cfg["trl"], lora=cfg["lora"], seed=job.run_seed(sm))
    with trainjob.of(sm) as tj, io.atomic_dir(sm.output[0]) as tmp:
        metrics = train_reward(sm.input.model, train, run, str(tmp), key="eurus.reward", trainjob=tj)
        acc = pair_accuracy(load_scorer(str(tmp), "sequence", threads=sm.threads), heldout)
        (tmp / "heldout.json").write_text(json.dumps({"loss": loss, "train_pairs": len(train), **acc}, indent=1) + "\n")
    print(f"{sm.output[0]}: {len(train)} training pairs, held-out pair accuracy {acc['accuracy']:.3f} "
          f"on {acc['pairs']} pairs")
