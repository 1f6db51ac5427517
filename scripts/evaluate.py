"""rule evaluate -> reasonforge.evaluate.run.evaluate"""
import pandas as pd

from reasonforge import io, job
from reasonforge.evaluate.run import evaluate
from reasonforge.models.generate import load_generator
from reasonforge.sandbox import Sandbox

sm = snakemake  # noqa: F821
with job.running(sm.log[0]):
    cfg = sm.params.cfg
    box = cfg["sandbox"]
    instructions = pd.concat([io.read_table(p) for p in sm.input.tasks])
    generator = load_generator(sm.input.model, cfg["generation"]["backend"], seed=cfg["seed"], threads=sm.threads)
    # one sandbox worker per thread the job was given: how it runs, not what it builds
    with Sandbox(workers=sm.threads, timeout=box["timeout_s"], memory_mb=box["memory_mb"]) as sandbox:
        print("sandbox protections:", ", ".join(sandbox.protections))
        samples = evaluate(generator, instructions, sm.wildcards.model, sm.wildcards.benchmark, cfg["generation"],
                           cfg["eval.n_samples"], sandbox, seed=cfg["seed"], timeout=box["timeout_s"])
    io.write_table(samples, sm.output[0])
    print(samples[samples["greedy"]].groupby("split")["correct"].mean())
