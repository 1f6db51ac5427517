"""rule alphallm_imagine -> reasonforge.alphallm.imagine (imagine, keep_verified)"""
import pandas as pd

from reasonforge import io, job
from reasonforge.alphallm.tables import AlphaImagined
from reasonforge.tables import Instructions
from reasonforge.alphallm.data import prompt_pool
from reasonforge.alphallm.imagine import imagine, keep_verified, stats
from reasonforge.models.generate import load_generator
from reasonforge.sandbox import Sandbox

sm = snakemake  # noqa: F821
with job.running(sm.log[0]):
    cfg, seed = sm.params.cfg, job.run_seed(sm)
    gen, box, ask = cfg["generation"], cfg["sandbox"], cfg["alphallm"]["imagine"]
    train = [io.read_table(p, Instructions) for p in sm.input.train]
    seeds = prompt_pool(train, cfg["alphallm"]["prompts"])
    generator = load_generator(sm.input.model, gen["backend"], seed=seed, threads=sm.threads)
    candidates = imagine(generator, seeds, ask["per_seed"], {**gen, "temperature": ask["temperature"]}, seed)
    held = set(pd.concat([io.read_table(p, Instructions) for p in sm.input.held])["prompt"])
    with Sandbox(workers=sm.threads, timeout=box["timeout_s"], memory_mb=box["memory_mb"]) as sandbox:
        table = keep_verified(candidates, set(pd.concat(train)["prompt"]), held, generator, sandbox,
                              ask["consistency_k"], ask["consistency_agree"],
                              {**gen, "timeout": box["timeout_s"]}, seed)
    io.write_table(table, sm.output.table, AlphaImagined)
    io.write_json(sm.output.stats, stats(table))
    for task, s in stats(table).items():
        print(f"{task}: {s['kept']} of {s['candidates']} imagined problems kept {s['kept_by']}; rejected {s['rejected']}")
