"""rule evaluate -> reasonforge.evaluate.run.evaluate_files (greedy, + n samples for eval.sampled)"""
from reasonforge import job
from reasonforge.evaluate.run import evaluate_files

sm = snakemake  # noqa: F821
with job.running(sm.log[0]):
    cfg = sm.params.cfg
    sampled = cfg["eval"]["sampled"]
    n_samples = cfg["eval"]["n_samples"] if sampled == "all" or sm.wildcards.model in sampled else 0
    evaluate_files(sm.input.model, sm.input.tasks, sm.output, sm.wildcards.model, cfg, n_samples,
                   seed=job.run_seed(sm), threads=sm.threads, sampled_splits=cfg["eval"]["sampled_splits"])
