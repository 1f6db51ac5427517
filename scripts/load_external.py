"""rule load_external -> reasonforge.tasks.loaders.load_external"""
from reasonforge import io, job
from reasonforge.tables import Instructions
from reasonforge.tasks.loaders import load_external

sm = snakemake  # noqa: F821
with job.running(sm.log[0]):
    name = sm.wildcards.name
    df = load_external(name, sm.params.cfg["tasks"]["external"][name])
    io.write_table(df, sm.output.test, Instructions)
    print(f"{sm.output.test}: {len(df)} rows")
