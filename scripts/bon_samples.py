"""rule bon_samples -> reasonforge.evaluate.run.evaluate_files (the N sampled completions only)"""
from reasonforge import job
from reasonforge.evaluate.run import evaluate_files

sm = snakemake  # noqa: F821
with job.running(sm.log[0]):
    cfg = sm.params.cfg
    evaluate_files(sm.input.model, sm.input.tasks, sm.output, "sft", cfg, cfg["eurus"]["bon"]["n"],
                   seed=job.run_seed(sm), threads=sm.threads, greedy=False, sampled_splits=cfg["eval"]["sampled_splits"])
