"""rule results_page -> reasonforge.evaluate.report.results_page"""
from reasonforge import io, job
from reasonforge.evaluate import report

sm = snakemake  # noqa: F821
with job.running(sm.log[0]):
    io.write_text(sm.output[0], report.results_page(list(sm.input.pages), sm.output[0]))
    print(f"{sm.output[0]}: {len(sm.input.pages)} pages")
