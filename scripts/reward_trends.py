"""rule reward_trends -> reasonforge.evaluate.report.reward_trends / plot_reward_trends"""
from pathlib import Path

import pandas as pd

from reasonforge import io, job
from reasonforge.evaluate import report

sm = snakemake  # noqa: F821
with job.running(sm.log[0]):
    tables = {Path(p).name: pd.read_parquet(Path(p) / "metrics.parquet") for p in sm.input.models}
    trends = report.reward_trends(tables)
    with io.atomic_path(sm.output.table, suffix=".csv") as tmp:
        trends.to_csv(tmp, index=False)
    with io.atomic_path(sm.output.plot, suffix=".png") as tmp:
        report.plot_reward_trends(trends, str(tmp))
    print(trends.groupby("algo").agg(start=("chosen", "first"), end=("chosen", "last")))
