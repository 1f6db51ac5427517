"""rule summarize -> reasonforge.evaluate.report"""
import pandas as pd

from reasonforge import io
from reasonforge.evaluate import report

sm = snakemake  # noqa: F821
with io.log_to(sm.log[0]):
    samples = pd.concat([io.read_table(p) for p in sm.input])
    summary = report.summarize(samples, sm.params.cfg["eval.k"])
    io.write_table(summary, sm.output.summary)
    io.write_text(sm.output.table, report.full_markdown(summary))
    io.write_json(sm.output.metrics, report.metrics_json(summary))
    with io.atomic_path(sm.output.plot, suffix=".png") as tmp:
        report.plot_accuracy(summary, str(tmp))
    print(report.full_markdown(summary))
