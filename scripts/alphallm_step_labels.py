"""rule alphallm_step_labels -> reasonforge.alphallm.critics.step_labels"""
import pandas as pd

from reasonforge import io, job
from reasonforge.alphallm.tables import AlphaSamples, AlphaStepLabels
from reasonforge.tables import Instructions
from reasonforge.models.generate import load_generator
from reasonforge.sandbox import Sandbox
from reasonforge.alphallm.critics import step_labels

sm = snakemake  # noqa: F821
with job.running(sm.log[0]):
    cfg, seed = sm.params.cfg, job.run_seed(sm)
    box = cfg["sandbox"]
    samples = io.read_table(sm.input.samples, AlphaSamples)
    samples = samples[samples["sample"] <= cfg["alphallm"]["critics"]["prm_samples"]]  # samples count from 1
    tasks = pd.concat([io.read_table(p, Instructions) for p in sm.input.train])
    tasks = tasks[tasks["id"].isin(samples["id"])]
    generator = load_generator(sm.input.model, cfg["generation"]["backend"], seed=seed, threads=sm.threads)
    with Sandbox(workers=sm.threads, timeout=box["timeout_s"], memory_mb=box["memory_mb"]) as sandbox:
        labels = step_labels(generator, samples, tasks, cfg["alphallm"]["critics"]["prm_rollouts"],
                             cfg["alphallm"]["critics"]["prm_threshold"], cfg["generation"], sandbox, seed, timeout=box["timeout_s"])
    io.write_table(labels, sm.output[0], AlphaStepLabels)
    print(f"{sm.output[0]}: {len(labels)} steps of {len(samples)} samples, {labels['label'].mean():.1%} good; "
          f"{generator.tokens_generated} rollout tokens decoded")
