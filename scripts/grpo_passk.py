"""rule grpo_passk -> reasonforge.evaluate.run.evaluate_files (grpo.passk.n samples, test split, no greedy)"""
from reasonforge import job
from reasonforge.evaluate.run import evaluate_files

sm = snakemake  # noqa: F821
with job.running(sm.log[0]):
    cfg = sm.params.cfg
    evaluate_files(sm.input.model, sm.input.tasks, sm.output, sm.wildcards.which, cfg, cfg["grpo"]["passk"]["n"],
                   seed=job.run_seed(sm), threads=sm.threads, greedy=False)
