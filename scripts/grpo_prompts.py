"""rule grpo_prompts -> the first grpo.instructions train-pool instructions of each family"""
import pandas as pd

from reasonforge import io, job
from reasonforge.grpo.tables import GRPOPrompts
from reasonforge.tables import Instructions

sm = snakemake  # noqa: F821
with job.running(sm.log[0]):
    n = sm.params.cfg["grpo"]["instructions"]
    parts = [io.read_table(p, Instructions).head(n) for p in sm.input.tasks]
    prompts = pd.concat(parts, ignore_index=True)[list(GRPOPrompts.to_schema().columns)]
    io.write_table(prompts, sm.output[0], GRPOPrompts)
    print(f"{sm.output[0]}: {len(prompts)} prompts", prompts.groupby("task").size().to_dict())
