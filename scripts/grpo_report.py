"""rule grpo_report -> reasonforge.grpo.report.steps_table / plot_training / training_page"""
from pathlib import Path

import pandas as pd

from reasonforge import io, job
from reasonforge.grpo import report
from reasonforge.grpo.tables import GRPOSteps

sm = snakemake  # noqa: F821
with job.running(sm.log[0]):
    steps = GRPOSteps.validate(report.steps_table(pd.read_parquet(Path(sm.input.model) / "metrics.parquet")))
    with io.atomic_path(sm.output.steps, suffix=".csv") as tmp:
        steps.to_csv(tmp, index=False)
    with io.atomic_path(sm.output.plot, suffix=".png") as tmp:
        report.plot_training({Path(sm.input.model).parent.name: steps}, str(tmp))
    page = report.training_page(steps, sm.input.model)
    io.write_text(sm.output.page, page)
    print(page)
