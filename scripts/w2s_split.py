"""rule w2s_split -> reasonforge.w2s.select.split_pool"""
import pandas as pd

from reasonforge import io, job
from reasonforge.tables import Instructions
from reasonforge.w2s.tables import W2SGold, W2SSplit
from reasonforge.w2s.select import split_pool

sm = snakemake  # noqa: F821
with job.running(sm.log[0]):
    cfg = sm.params.cfg
    parts = pd.concat([split_pool(io.read_table(p, Instructions), cfg["w2s"]["train_1"], cfg["w2s"]["train_2"], cfg["seed"])
                       for p in sm.input.tasks], ignore_index=True)
    io.write_table(parts[["id", "task", "form", "part", "prompt"]], sm.output.split, W2SSplit)
    for part, out in (("train_1", sm.output.gold_1), ("train_2", sm.output.gold_2)):
        gold = parts[parts["part"] == part].rename(columns={"solution": "completion"})
        io.write_table(gold[["id", "task", "form", "prompt", "completion", "answer"]], out, W2SGold)
    print(parts.groupby(["task", "part"]).size().to_string())
