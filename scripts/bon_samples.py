"""rule bon_samples -> reasonforge.evaluate.run.evaluate (sampled completions only), once per benchmark"""
from pathlib import Path

import pandas as pd

from reasonforge import io, job
from reasonforge.evaluate.run import evaluate
from reasonforge.models.generate import load_generator
from reasonforge.sandbox import Sandbox

sm = snakemake  # noqa: F821
with job.running(sm.log[0]):
    cfg, box = sm.params.cfg, sm.params.cfg["sandbox"]
    generator = load_generator(sm.input.model, cfg["generation"]["backend"], seed=cfg["seed"], threads=sm.threads)
    with Sandbox(workers=sm.threads, timeout=box["timeout_s"], memory_mb=box["memory_mb"]) as sandbox:
        for out in sm.output:
            benchmark = Path(out).stem
            instructions = pd.concat([io.read_table(p) for p in sm.input.tasks if Path(p).parent.name == benchmark])
            samples = evaluate(generator, instructions, "sft", benchmark, cfg["generation"], cfg["eurus.bon.n"],
                               sandbox, seed=cfg["seed"], timeout=box["timeout_s"], greedy=False)
            io.write_table(samples, out)
            print(benchmark, "sample accuracy", samples.groupby("split")["correct"].mean().round(3).to_dict())
