"""rule make_tasks -> reasonforge.tasks.build_family"""
from reasonforge import io, job
from reasonforge.tasks import build_family

sm = snakemake  # noqa: F821
with job.running(sm.log[0]):
    task, cfg = sm.wildcards.task, sm.params.cfg
    for split, df in build_family(task, cfg[f"tasks.{task}"], cfg["seed"]).items():
        io.write_table(df, sm.output[split])
        print(f"{sm.output[split]}: {len(df)} rows")
