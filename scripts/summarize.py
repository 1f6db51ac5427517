"""rule summarize -> reasonforge.evaluate.report"""
import pandas as pd

from reasonforge import io, job
from reasonforge.tables import EvalSamples, Summary
from reasonforge.evaluate import report

sm = snakemake  # noqa: F821
with job.running(sm.log[0]):
    samples = pd.concat([io.read_table(p, EvalSamples) for p in sm.input.samples])
    summary = report.summarize(samples, sm.params.cfg["eval"]["k"])
    io.write_table(summary, sm.output.summary, Summary)
    io.write_text(sm.output.table, report.full_markdown(summary))
    io.write_json(sm.output.metrics, report.metrics_json(summary))
    with io.atomic_path(sm.output.plot, suffix=".png") as tmp:
        report.plot_accuracy(summary, str(tmp))
    print(report.full_markdown(summary))
