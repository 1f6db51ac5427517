"""rule evaluate -> reasonforge.evaluate.run.evaluate, once per benchmark"""
from pathlib import Path

import pandas as pd

from reasonforge import io, job
from reasonforge.evaluate.run import evaluate
from reasonforge.models.generate import load_generator
from reasonforge.sandbox import Sandbox

sm = snakemake  # noqa: F821
with job.running(sm.log[0]):
    cfg = sm.params.cfg
    box = cfg["sandbox"]
    n_samples = cfg["eval.n_samples"] if sm.wildcards.model in cfg.get("eval.sampled", []) else 0
    generator = load_generator(sm.input.model, cfg["generation"]["backend"], seed=job.run_seed(sm), threads=sm.threads)
    # one sandbox worker per thread the job was given: how it runs, not what it builds
    with Sandbox(workers=sm.threads, timeout=box["timeout_s"], memory_mb=box["memory_mb"]) as sandbox:
        print("sandbox protections:", ", ".join(sandbox.protections))
        for out in sm.output:
            benchmark = Path(out).stem
            instructions = pd.concat([io.read_table(p) for p in sm.input.tasks if Path(p).parent.name == benchmark])
            samples = evaluate(generator, instructions, sm.wildcards.model, benchmark, cfg["generation"],
                               n_samples, sandbox, seed=job.run_seed(sm), timeout=box["timeout_s"])
            io.write_table(samples, out)
            print(benchmark, samples[samples["greedy"]].groupby("split")["correct"].mean().round(3).to_dict())
