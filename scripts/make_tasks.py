"""rule make_tasks -> reasonforge.tasks.pools.build_family"""
from reasonforge import io, job
from reasonforge.tables import Instructions
from reasonforge.tasks.pools import build_family

sm = snakemake  # noqa: F821
with job.running(sm.log[0]):
    task, cfg = sm.wildcards.task, sm.params.cfg
    for split, df in build_family(task, cfg["tasks"][task], cfg["seed"]).items():
        io.write_table(df, sm.output[split], Instructions)
        print(f"{sm.output[split]}: {len(df)} rows")
